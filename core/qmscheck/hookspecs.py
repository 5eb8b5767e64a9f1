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
        register(RulePack(name="as9100", version="1.0", path=Path(__file__).parent / "rules"))

Register-style hooks receive a ``register`` callable; registering an id that is
already taken is an error that names both plugins. The built-in connectors, checks,
renderers and the ISO 9001 pack register through these same hooks.

All hooks exist since API version 1 (:data:`qmscheck.API_VERSION`).
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

PROJECT = "qmscheck"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- collect -------------------------------------------------------------------------


@hookspec
def qmscheck_register_connectors(register: Callable[[Connector], None]) -> None:
    """Register connectors that turn a source into evidence items.

    Call ``register(connector)`` once per connector. ``connector.name`` is the value
    users write as ``connector = "..."`` in a ``[[sources]]`` table of ``qmscheck.toml``;
    it must be unique across all plugins. See :class:`qmscheck.collecting.connectors.base.Connector`
    for the methods to implement. A connector must never write to the source it reads.
    """


@hookspec(firstresult=True)
def qmscheck_classify(candidate: Candidate) -> Classification | None:
    """Decide what kind of evidence a file, sheet or ERP table holds.

    ``candidate`` carries the relative path, the title, the sheet name and the column
    headers found. Return a :class:`qmscheck.collecting.classification.Classification` to claim it, or
    ``None`` to let the next plugin decide. The first non-None answer wins; the
    built-in name-and-header classifier runs last (``trylast``), so a plugin
    implementation overrides it. Patterns in ``qmscheck.toml`` ``[[classify]]`` tables
    are applied before any hook is called.
    """


# --- check ---------------------------------------------------------------------------


@hookspec
def qmscheck_register_rule_packs(register: Callable[[RulePack], None]) -> None:
    """Register rule packs: folders of declarative TOML rule files.

    Call ``register(RulePack(name=..., version=..., path=...))``. A pack holds no
    code; it declares the API versions it supports (``api_versions``), and may tighten
    a rule of another pack by id (stricter grade, shorter period) as data. Pack names
    must be unique.
    """


@hookspec
def qmscheck_register_checks(register: Callable[[CheckPrimitive], None]) -> None:
    """Register check primitives: the verbs a rule file may use in ``[rules.check]``.

    Call ``register(primitive)``; ``primitive.kind`` is the ``kind = "..."`` value in
    rule files and must be unique. The built-in vocabulary is ``exists``, ``each``,
    ``fresh``, ``covers``, ``mentions``, ``periodic``, ``unique`` and ``differs``. A
    primitive declares the per-item conditions it needs (evaluated on the durable-rules
    engine) and turns the matches into failures; see
    :class:`qmscheck.checking.primitives.base.CheckPrimitive`. Subclass
    :class:`qmscheck.checking.primitives.base.Groupwise` so that large shares are checked one file at
    a time and rescans read only changed files (``docs/checks.md``).
    """


# --- report --------------------------------------------------------------------------


@hookspec
def qmscheck_register_renderers(register: Callable[[Renderer], None]) -> None:
    """Register report renderers (output formats).

    Call ``register(renderer)``; ``renderer.name`` is the value of ``--format`` and
    must be unique. A renderer turns the deterministic report model into text or
    bytes and must not read the sources again.
    """


def all_hook_names() -> list[str]:
    """The names of every hook, for documentation and meta-tests."""
    module: Any = globals()
    return sorted(name for name in module if name.startswith("qmscheck_"))
