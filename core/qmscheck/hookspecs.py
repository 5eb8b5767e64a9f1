"""Every hook qmscheck calls, in one place, grouped by the stage of a scan.

Write a plugin
==============
A plugin is a module (or object) with functions named like the specs below and
decorated with :data:`hookimpl`. Publish it through the ``qmscheck`` entry-point group::

    [project.entry-points.qmscheck]
    my_plugin = "my_package.plugin"

and implement only the hooks you need::

    from qmscheck.hookspecs import hookimpl

    @hookimpl
    def qmscheck_register_rule_packs(register):
        register(RulePack.from_manifest(Path(__file__).parent / "pack.toml"))

Register-style hooks receive a ``register`` callable and return nothing; every plugin's
implementation is called. Each plugin's register hooks are called through pluggy one plugin at
a time, and what it registers is kept only when all of them succeed: a plugin whose register
hook raises, or that registers an id another plugin already took, is unregistered, keeps
nothing it registered, and is listed with its name, version and the error (naming the hook or
both plugins) among the failed plugins (``qmscheck plugins``). The built-in connectors,
checks, renderers and the ISO 9001 pack register through these same hooks.

Every hook exists since API version 1 (:data:`qmscheck.API_VERSION`); a hook added later says
since which version. API version 2 describes a rule pack by its manifest (``pack.toml``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from qmscheck.checking.packs import RulePack
    from qmscheck.checking.primitives.base import CheckPrimitive
    from qmscheck.collecting.classification import Candidate, Classification
    from qmscheck.collecting.connectors.base import Connector
    from qmscheck.rendering.base import Renderer
    from qmscheck.vocabulary import VocabularyFile

PROJECT = "qmscheck"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- collect -------------------------------------------------------------------------


@hookspec
def qmscheck_register_connectors(register: Callable[[Connector], None]) -> None:
    """Register connectors that turn a source into evidence items.

    ``connector.name`` is the value users write as ``connector = "..."`` in a ``[[sources]]``
    table of ``qmscheck.toml``; it must be unique across all plugins. See
    :class:`qmscheck.collecting.connectors.base.Connector` for the methods to implement. A
    connector must never write to the source it reads.

    :param register: Call it once per connector: ``register(connector)``.

    Every plugin's implementation is called; the return value is ignored. Since API version 1.
    """


@hookspec(firstresult=True)
def qmscheck_classify(candidate: Candidate) -> Classification | None:
    """Decide what kind of evidence a file, sheet or ERP table holds.

    Patterns in ``qmscheck.toml`` ``[[classify]]`` tables are applied before any hook is called.

    :param candidate: The relative path, the title, the sheet name and the column headers found
        (:class:`qmscheck.collecting.classification.Candidate`).
    :return: A :class:`qmscheck.collecting.classification.Classification` to claim the
        candidate, or ``None`` to let the next implementation decide.

    The first non-None result wins and stops the call (``firstresult``). The built-in
    name-and-header classifier runs last (``trylast``), so any plugin's implementation is asked
    first. Since API version 1.
    """


@hookspec
def qmscheck_register_vocabulary(register: Callable[[VocabularyFile], None]) -> None:
    """Register words of a quality system: a language qmscheck does not ship, or more words for
    one it does (a company's own document names and codes).

    A file is TOML in the format of qmscheck's own (``qmscheck/vocabulary/*.toml``,
    described in :mod:`qmscheck.vocabulary`): ``language``, ``stopwords``,
    ``template_words`` and the tables ``[documents]``, ``[registers]``, ``[codes]``,
    ``[sections]``, ``[fields]``, ``[topics]``, ``[status]``, ``[answers]``. Build it with
    ``VocabularyFile(name, text)`` or ``VocabularyFile.from_path(path)``; a faulty file raises
    where it is built, and the plugin fails with the error. Its words join the built-in ones for
    every scan, in the scanning process and in the worker processes that read files; a word that
    contradicts them (a label given another meaning) fails the plugin. ``[months]`` and
    ``[record_status]`` are read from the built-in files alone: a file holding them fails the
    plugin too. Words that belong to a rule pack go in its manifest's ``vocabulary`` instead,
    so that they apply only when the pack is selected. Since API version 2 for ``[fields]`` and
    ``[topics]``.

    :param register: Call it once per file: ``register(VocabularyFile("acme-es", text))``;
        ``name`` must be unique across all plugins.

    Every plugin's implementation is called; the return value is ignored. Since API version 1.
    """


# --- check ---------------------------------------------------------------------------


@hookspec
def qmscheck_register_rule_packs(register: Callable[[RulePack], None]) -> None:
    """Register rule packs: a manifest (``pack.toml``) naming the pack's standard and its clause
    tree, the packs it builds on and what it changes of their rules (overlays), the evidence types
    and words it adds, and its folder of declarative TOML rule files, one file per clause.

    A pack holds no code: its rules use the check kinds registered through
    :func:`qmscheck_register_checks`, by this or any other plugin. It must declare the pack API
    versions it supports (``api = ">=2,<3"``); a pack that declares none or does not support this
    qmscheck's is left out with a warning naming it, as is a pack that fails to load, and a scan
    that selects it ends with an error. A registered pack applies only to scans that select it
    (``[scan] packs`` in ``qmscheck.toml``, ``--pack``). Pack names must be unique, and so must
    rule ids across all packs. The manifest format is in ``docs/vendor-guide.md``.

    :param register: Call it once per pack:
        ``register(RulePack.from_manifest(Path(__file__).parent / "pack.toml"))``
        (:class:`qmscheck.checking.packs.RulePack`).

    Every plugin's implementation is called; the return value is ignored. Since API version 1;
    manifests since API version 2.
    """


@hookspec
def qmscheck_register_checks(register: Callable[[CheckPrimitive], None]) -> None:
    """Register check primitives: the verbs a rule file may use in ``[rules.check]``.

    ``primitive.kind`` is the ``kind = "..."`` value in rule files and must be unique. The
    built-in vocabulary is ``exists``, ``each``, ``fresh``, ``covers``, ``mentions``,
    ``periodic``, ``unique``, ``differs`` and ``exclusions``. A primitive declares the per-item
    conditions it needs (evaluated on the durable-rules engine) and turns the matches into
    failures; see :class:`qmscheck.checking.primitives.base.CheckPrimitive`. Subclass
    :class:`qmscheck.checking.primitives.base.Groupwise` so that large shares are checked one
    file at a time and rescans read only changed files (``docs/checks.md``).

    A primitive's parameters (the keys of ``[rules.check]`` besides ``kind``) are declared by
    its ``params_model`` attribute: a subclass of
    :class:`qmscheck.checking.rule_model.CheckParams`, a pydantic model that refuses unknown
    keys. When a pack loads, each rule's check table is validated against the JSON Schema of
    that model and then the model itself, with errors naming the file, the rule and the JSON
    path; the rule's ``check`` is then an instance of the model. A primitive without
    ``params_model`` takes no parameters.

    :param register: Call it once per primitive: ``register(primitive)``.

    Every plugin's implementation is called; the return value is ignored. Since API version 1.
    """


# --- report --------------------------------------------------------------------------


@hookspec
def qmscheck_register_renderers(register: Callable[[Renderer], None]) -> None:
    """Register report renderers (output formats).

    ``renderer.name`` is the value of ``--format`` and must be unique. A renderer turns the
    deterministic report model into text or bytes and must not read the sources again; see
    :class:`qmscheck.rendering.base.Renderer`.

    :param register: Call it once per renderer: ``register(renderer)``.

    Every plugin's implementation is called; the return value is ignored. Since API version 1.
    """


def all_hook_names() -> list[str]:
    """The names of every hook, for documentation and meta-tests."""
    module: Any = globals()
    return sorted(name for name in module if name.startswith("qmscheck_"))
