"""The plugin manager and a typed facade over the hooks.

Built-in plugins register exactly like outside ones (pytest's way); outside plugins come
from the ``qmscheck`` entry-point group. Each entry point is loaded on its own: one that
fails is reported with its name, version and error, and the rest still load.

Environment:
- ``QMSCHECK_DISABLE_PLUGINS``: ``all`` to load no outside plugin, or a comma list of
  entry-point names to skip.
- ``QMSCHECK_TRACE_PLUGINS``: set to trace every hook call on stderr.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from importlib import metadata
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

from qmscheck import hookspecs, i18n, vocabulary
from qmscheck.errors import PluginError
from qmscheck.support.registry import Registry

if TYPE_CHECKING:
    from qmscheck.checking.packs import RulePack
    from qmscheck.checking.primitives.base import CheckPrimitive
    from qmscheck.collecting.classification import Candidate, Classification
    from qmscheck.collecting.connectors.base import Connector
    from qmscheck.rendering.base import Renderer
    from qmscheck.vocabulary import VocabularyFile

ENTRY_POINT_GROUP = "qmscheck"

#: Built-in plugins, registered through the same hooks as outside ones.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "qmscheck.plugins.builtin.checks",
    "qmscheck.plugins.builtin.connectors",
    "qmscheck.plugins.builtin.classifiers",
    "qmscheck.plugins.builtin.renderers",
    "qmscheck.plugins.builtin.rulepacks",
)


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    origin: str  # "builtin" or the distribution name
    error: str | None = None


@dataclass
class Plugins:
    """Everything the loaded plugins provide, by stable id."""

    manager: pluggy.PluginManager
    infos: list[PluginInfo] = field(default_factory=list)
    connectors: Registry[Connector] = field(default_factory=lambda: Registry("connector", lambda c: c.name))
    checks: Registry[CheckPrimitive] = field(default_factory=lambda: Registry("check", lambda c: c.kind))
    renderers: Registry[Renderer] = field(default_factory=lambda: Registry("renderer", lambda r: r.name))
    rule_packs: Registry[RulePack] = field(default_factory=lambda: Registry("rule pack", lambda p: p.name))
    vocabularies: Registry[VocabularyFile] = field(default_factory=lambda: Registry("vocabulary", lambda v: v.name))
    #: The plugins' vocabulary files in use: those that contradict none before them.
    accepted_vocabularies: list[VocabularyFile] = field(default_factory=list)

    @property
    def failed(self) -> list[PluginInfo]:
        return [info for info in self.infos if info.error]

    @property
    def versions(self) -> list[tuple[str, str, str]]:
        """(name, version, origin) of every plugin that loaded: cached results depend on these."""
        return sorted((info.name, info.version, info.origin) for info in self.infos if not info.error)

    def isolate(self, name: str, error: str) -> None:
        """Record that the plugin registered as ``name`` failed with ``error`` (it is no longer registered)."""
        for index, info in enumerate(self.infos):
            if info.name == name:
                self.infos[index] = PluginInfo(info.name, info.version, info.origin, error)

    def classify(self, candidate: Candidate) -> Classification | None:
        result: Classification | None = self.manager.hook.qmscheck_classify(candidate=candidate)
        return result


def _plugin_name(plugin: object) -> str:
    return getattr(plugin, "__name__", type(plugin).__name__)


def _disabled() -> set[str] | None:
    value = os.environ.get("QMSCHECK_DISABLE_PLUGINS", "").strip()
    if value.lower() in ("all", "1", "true", "*"):
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


def _load_entry_points(manager: pluggy.PluginManager, infos: list[PluginInfo]) -> None:
    disabled = _disabled()
    if disabled is None:
        return
    for entry_point in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        if entry_point.name in disabled:
            continue
        dist = entry_point.dist
        dist_name = dist.name if dist else "?"
        version = dist.version if dist else "?"
        plugin: object = None
        try:
            plugin = entry_point.load()
            manager.register(plugin, name=entry_point.name)
            # Reject hook implementations whose name matches no spec: a typo would silently do nothing.
            manager.check_pending()
        except Exception as exc:  # a broken plugin must not take the tool down
            if plugin is not None and manager.is_registered(plugin):
                manager.unregister(plugin)
            infos.append(PluginInfo(entry_point.name, version, dist_name, f"{type(exc).__name__}: {exc}"))
            continue
        infos.append(PluginInfo(entry_point.name, version, dist_name))


#: The register hooks: the name of each, the registry of :class:`Plugins` it fills and the id an item is
#: registered under there.
REGISTER_HOOKS: tuple[tuple[str, str, str], ...] = (
    ("qmscheck_register_connectors", "connectors", "name"),
    ("qmscheck_register_checks", "checks", "kind"),
    ("qmscheck_register_renderers", "renderers", "name"),
    ("qmscheck_register_rule_packs", "rule_packs", "name"),
    ("qmscheck_register_vocabulary", "vocabularies", "name"),
)


def _registered_by(manager: pluggy.PluginManager, plugin: object) -> dict[str, list[Any]]:
    """What one plugin registers through every register hook, called through pluggy with every
    other plugin left out, so that a hook that raises is known to be this plugin's."""
    others = [other for other in manager.get_plugins() if other is not plugin]
    staged: dict[str, list[Any]] = {}
    for hook_name, registry, _ in REGISTER_HOOKS:
        items: list[Any] = []
        caller = manager.subset_hook_caller(hook_name, remove_plugins=others)
        try:
            caller(register=items.append)
        except Exception as exc:  # a plugin's bug must not take the tool down: the plugin is isolated
            raise PluginError(f"hook {hook_name} raised {type(exc).__name__}: {exc}") from exc
        staged[registry] = items
    return staged


def _commit(plugins: Plugins, owner: str, staged: dict[str, list[Any]]) -> None:
    """Put one plugin's registrations into the registries: all of them or, when one of its ids is
    taken, none (the error names both plugins)."""
    for _, name, key in REGISTER_HOOKS:
        registry: Registry[Any] = getattr(plugins, name)
        what = name.removesuffix("s").replace("_", " ")
        ids: list[str] = []
        for item in staged[name]:
            item_id = getattr(item, key, None)
            if not isinstance(item_id, str):
                raise PluginError(f"registered a {what} without a {key!r}: {item!r}")
            if item_id in registry or item_id in ids:
                first = registry.owner(item_id) if item_id in registry else owner
                raise PluginError(f"{what} {item_id!r} registered twice: by {first} and by {owner}")
            ids.append(item_id)
    for _, name, _ in REGISTER_HOOKS:
        registry = getattr(plugins, name)
        register = registry.registrar(owner)
        for item in staged[name]:
            register(item)


def _collect(plugins: Plugins) -> None:
    """Fill the registries plugin by plugin, in registration order. A plugin whose register hook
    raises, or that registers an id already taken, is unregistered, keeps nothing it registered
    and is listed in :attr:`Plugins.failed` with the error; the other plugins are unaffected."""
    manager = plugins.manager
    for owner, plugin in manager.list_name_plugin():
        try:
            _commit(plugins, owner, _registered_by(manager, plugin))
        except PluginError as exc:
            manager.unregister(plugin)
            plugins.isolate(owner, str(exc))


def load_plugins(extra: list[object] | None = None, *, entry_points: bool = True) -> Plugins:
    """Build the plugin manager. ``extra`` plugins (objects or modules) are registered too (tests use this)."""
    import importlib

    from qmscheck import __version__

    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    infos: list[PluginInfo] = []
    for module_name in DEFAULT_PLUGINS:
        module: ModuleType = importlib.import_module(module_name)
        manager.register(module, name=module_name)
        infos.append(PluginInfo(module_name, __version__, "builtin"))
    if entry_points:
        _load_entry_points(manager, infos)
    for plugin in extra or []:
        manager.register(plugin, name=_plugin_name(plugin))
        infos.append(PluginInfo(_plugin_name(plugin), "", "extra"))
    manager.check_pending()
    if os.environ.get("QMSCHECK_TRACE_PLUGINS"):
        manager.trace.root.setwriter(lambda message: sys.stderr.write(message))
        manager.enable_tracing()
    plugins = Plugins(manager=manager, infos=infos)
    _collect(plugins)
    _use_vocabularies(plugins)
    # The packs' words in other languages, for the reports (qmscheck.i18n).
    i18n.use_pack_catalogs({pack.name: pack.translations for pack in plugins.rule_packs if pack.translations})
    return plugins


def _use_vocabularies(plugins: Plugins) -> None:
    """Classification in this process uses the plugins' words too (the built-in classifier reads
    ``collecting.vocabulary.active()``); each load starts again from the built-in words. A file
    whose words contradict those before it (a label that means another field) is refused, and its
    plugin listed as failed with the error."""
    accepted: list[VocabularyFile] = []
    for file in list(plugins.vocabularies):
        try:
            vocabulary.use([*accepted, file])
        except vocabulary.VocabularyError as exc:
            plugins.isolate(plugins.vocabularies.owner(file.name), str(exc))
            continue
        accepted.append(file)
    plugins.accepted_vocabularies = accepted
    vocabulary.use(accepted)
