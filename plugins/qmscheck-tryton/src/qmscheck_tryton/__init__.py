"""qmscheck-tryton: ISO 9001 evidence straight from a Tryton ERP, read over its RPC API.

Use it
======
``pip install qmscheck-tryton`` and add a source to ``qmscheck.toml``; the password comes
from the environment variable named by ``password_env``, never from the file::

    [[sources]]
    connector = "tryton"
    url = "https://erp.example.com/"      # the server, without credentials
    database = "production"
    user = "qms-reader"                   # a user that may read, nothing more is needed
    password_env = "TRYTON_PASSWORD"

``qmscheck scan qmscheck.toml`` then reads suppliers (parties with purchases), purchases,
quality inspections and customer complaints, and, with ``[scan] packs = ["iso9001",
"tryton-erp"]``, the ``tryton-erp`` rule pack judges them next to the base ISO 9001 pack.
Every finding cites ``<server>/<database> <model>/<id>``.
See ``docs/connectors.md`` for every option and for how supplier approval is mapped.

Write a plugin like this one
============================
A connector plugin is a distribution with an entry point in the ``qmscheck`` group::

    [project.entry-points.qmscheck]
    tryton = "qmscheck_tryton.plugin"

whose module implements the hooks it needs (here :mod:`qmscheck_tryton.plugin`)::

    from qmscheck.api import hookimpl
    from qmscheck.api import RulePack

    @hookimpl
    def qmscheck_register_connectors(register):
        register(TrytonConnector())        # .name, .version, .collect(), .describe()

    @hookimpl
    def qmscheck_register_rule_packs(register):
        register(RulePack.from_manifest(Path(__file__).parent / "pack.toml"))

``collect(options, context)`` yields :class:`qmscheck.model.evidence.EvidenceItem` objects and
:class:`qmscheck.model.evidence.CollectionWarning` for single records it cannot use; it raises
:class:`qmscheck.errors.ConnectorError` (exit code 2, no traceback) when the whole source
is unusable. It only ever reads.
"""

from __future__ import annotations

__version__ = "0.1.0"
