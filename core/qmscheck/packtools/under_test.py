"""A pack folder loaded for testing: the pack, the installed packs it builds on, and the plugins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qmscheck.checking.packs import LoadedPacks, LoadedRule, RulePack, load_packs, select_packs, use_pack_words
from qmscheck.errors import RulePackError
from qmscheck.hookspecs import hookimpl
from qmscheck.plugins.manager import Plugins, load_plugins
from qmscheck.scan import plugin_failures_named

__all__ = ["MANIFEST", "PackUnderTest", "manifest_path", "open_pack", "scan_plugins"]

MANIFEST = "pack.toml"


def manifest_path(path: Path) -> Path:
    """The manifest of the pack at ``path``: a folder holding a ``pack.toml``, or the file itself."""
    candidate = path / MANIFEST if path.is_dir() else path
    if not candidate.is_file():
        raise RulePackError(
            f"{path}: no {MANIFEST} here (a pack is a folder with a {MANIFEST}; `qmscheck pack new NAME` writes one)"
        )
    return candidate


@dataclass
class PackUnderTest:
    """A pack read from its folder, and the installed packs a scan selecting it would load with it."""

    manifest: Path
    pack: RulePack
    plugins: Plugins
    #: The pack and every pack it depends on.
    selected: list[RulePack]

    def load(self) -> LoadedPacks:
        """Its rules and its dependencies' rules, validated, with every overlay applied."""
        return load_packs(self.selected, self.plugins.checks)

    def own(self, loaded: LoadedPacks) -> list[LoadedRule]:
        """The pack's own rules (an overlay it applies to another pack's rule is that pack's)."""
        return [item for item in loaded.rules if item.pack.name == self.pack.name]

    def use_words(self) -> None:
        """Classify and judge with the words and evidence types of the pack and its dependencies."""
        use_pack_words(self.selected, self.plugins.accepted_vocabularies)


def scan_plugins(packs: Sequence[PackUnderTest]) -> Plugins:
    """Plugins that register the packs under test beside the installed ones, so that a scan can
    select them by name; an installed copy from the same folder serves as it is."""
    if not packs:
        return load_plugins()
    plugins = packs[0].plugins
    extra: list[object] = []
    for under in packs:
        if under.pack.name not in plugins.rule_packs:
            extra.append(_Registers(under.pack))
            continue
        installed = plugins.rule_packs.get(under.pack.name)
        if installed.root is None or installed.root.resolve() != under.manifest.parent.resolve():
            raise RulePackError(
                f"rule pack {under.pack.name} is installed from {installed.root or installed.path}; "
                f"the pack under test is {under.manifest.parent}: uninstall one, or rename the pack"
            )
    return load_plugins(extra) if extra else plugins


class _Registers:
    """A plugin that registers one pack, as the pack's own distribution would once installed."""

    def __init__(self, pack: RulePack) -> None:
        self.__name__ = f"pack under test {pack.name}"
        self._pack = pack

    @hookimpl
    def qmscheck_register_rule_packs(self, register: Callable[[RulePack], None]) -> None:
        register(self._pack)


def open_pack(path: Path, plugins: Plugins | None = None) -> PackUnderTest:
    """The pack at ``path`` (folder or ``pack.toml``) with the installed packs it depends on; a
    pack installed under the same name is replaced by the folder's."""
    manifest = manifest_path(path)
    pack = RulePack.from_manifest(manifest)
    plugins = plugins or load_plugins()
    others: Sequence[RulePack] = [other for other in plugins.rule_packs if other.name != pack.name]
    with plugin_failures_named(plugins):
        selected = select_packs([*others, pack], [pack.name])
    return PackUnderTest(manifest, pack, plugins, selected)
