"""qmscheck's pytest plugin (entry point ``pytest11``: ``qmscheck``): a pack's case files as tests,
and fixtures to build evidence, check it and scan a folder.

The packs under test are the folders the ini option ``qmscheck_packs`` names (relative to the ini
file), else the rootdir when it holds a ``pack.toml``; none: the plugin does nothing. Each case of
each ``*.toml`` in a pack's cases folder is an item named ``<rule>-<case>``; when the command line
names no paths, the cases folders are collected beside ``testpaths``. A case file that does not
parse is a collection error naming the file and the case; a failing case names both and says
what it expected and what the rule found.

Fixtures:

- ``qmscheck_item(type, ref, **fields)``: an evidence item (:func:`qmscheck.testing.item`).
- ``qmscheck_check(items, *, as_of, select=(), organisation=None, stage=2)``: the report of the
  rules of the packs under test (their dependencies loaded, overlays applied) over ``items``;
  ``select`` chooses rules as ``--select`` does instead.
- ``qmscheck_scan(folder, *, packs=None, as_of=None, stage=None, select=(), ignore=())``: the
  report of a scan of ``folder`` (its ``qmscheck.toml``, if any) with ``packs`` selected, by
  default the packs under test.

qmscheck is imported only when a pack is under test or a fixture is used, so that the plugin costs
nothing in projects that have it installed but do not use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

    from qmscheck.checking.packs import LoadedPacks
    from qmscheck.model.evidence import EvidenceItem, Organisation
    from qmscheck.model.report import Report
    from qmscheck.packtools.under_test import PackUnderTest
    from qmscheck.testing import RuleCase

INI = "qmscheck_packs"

_MANIFESTS = pytest.StashKey[list[Path]]()
_LOADED = pytest.StashKey[dict[Path, tuple["PackUnderTest", "LoadedPacks"]]]()
_WORDS = pytest.StashKey[Path]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(INI, type="paths", default=[], help="Pack folders (with a pack.toml) whose case files run as tests.")


def pytest_configure(config: pytest.Config) -> None:
    from qmscheck.errors import QmscheckError
    from qmscheck.packtools.under_test import MANIFEST, manifest_path

    folders: list[Path] = list(config.getini(INI))
    if not folders and (config.rootpath / MANIFEST).is_file():
        folders = [config.rootpath]
    try:
        config.stash[_MANIFESTS] = [manifest_path(folder).resolve() for folder in folders]
    except QmscheckError as exc:
        raise pytest.UsageError(f"{INI}: {exc}") from None
    config.stash[_LOADED] = {}


def _cases_folder(manifest: Path) -> Path:
    from qmscheck.checking.manifest import load_manifest

    return manifest.parent / load_manifest(manifest).pack.cases


def _cases_folders(config: pytest.Config) -> dict[Path, Path]:
    """Cases folder -> the manifest of its pack; a manifest that does not load has none (the error
    shows where its cases are collected, or in the pack's own tests)."""
    from qmscheck.errors import QmscheckError

    folders = {}
    for manifest in config.stash.get(_MANIFESTS, []):
        try:
            folders[_cases_folder(manifest).resolve()] = manifest
        except QmscheckError as exc:
            raise pytest.UsageError(f"{INI}: {exc}") from None
    return folders


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    """With no paths on the command line, collect the cases folders too."""
    config = session.config
    if config.args_source is pytest.Config.ArgsSource.ARGS:
        return
    given = [Path(arg.split("::")[0]).resolve() for arg in config.args]
    for folder in _cases_folders(config):
        if folder.is_dir() and not any(folder == path or path in folder.parents for path in given):
            config.args.append(str(folder))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix != ".toml" or not parent.config.stash.get(_MANIFESTS, []):
        return None
    manifest = _cases_folders(parent.config).get(file_path.parent.resolve())
    if manifest is None:
        return None
    return CaseFile.from_parent(parent, path=file_path, manifest=manifest)


def _under_test(config: pytest.Config, manifest: Path) -> tuple[PackUnderTest, LoadedPacks]:
    """The pack and its rules, loaded once per session."""
    from qmscheck.packtools.under_test import open_pack

    loaded = config.stash[_LOADED]
    if manifest not in loaded:
        under = open_pack(manifest)
        loaded[manifest] = (under, under.load())
    return loaded[manifest]


def _use_words(config: pytest.Config, manifest: Path) -> None:
    if config.stash.get(_WORDS, None) != manifest:
        _under_test(config, manifest)[0].use_words()
        config.stash[_WORDS] = manifest


class _QmscheckProblem(Exception):
    """A case that failed or could not run; the message says which and why."""


def _repr(excinfo: pytest.ExceptionInfo[BaseException]) -> str | None:
    from qmscheck.errors import QmscheckError

    if isinstance(excinfo.value, _QmscheckProblem | QmscheckError):
        return str(excinfo.value)
    return None


class CaseFile(pytest.File):
    """One case file of a pack under test."""

    def __init__(self, *, manifest: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.manifest = manifest

    def collect(self) -> Iterator[pytest.Item]:
        from qmscheck.testing import load_case_file

        _under_test(self.config, self.manifest)
        for case in load_case_file(self.path):
            yield CaseItem.from_parent(self, name=case.test_id, case=case)

    def repr_failure(  # type: ignore[override]
        self, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> str | TerminalRepr:
        return _repr(excinfo) or super().repr_failure(excinfo)


class CaseItem(pytest.Item):
    """One case: its rule alone over its items must raise exactly the findings it expects."""

    parent: CaseFile

    def __init__(self, *, case: RuleCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from qmscheck.errors import QmscheckError
        from qmscheck.packtools.test import CaseResult
        from qmscheck.testing import run_case

        manifest = self.parent.manifest
        under, loaded = _under_test(self.config, manifest)
        _use_words(self.config, manifest)
        try:
            found = run_case(self.case, loaded, under.plugins)
        except QmscheckError as exc:
            raise _QmscheckProblem(CaseResult(self.path, self.case, None, str(exc)).describe()) from None
        result = CaseResult(self.path, self.case, found)
        if not result.passed:
            raise _QmscheckProblem(result.describe())

    def repr_failure(  # type: ignore[override]
        self, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> str | TerminalRepr:
        return _repr(excinfo) or super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"case {self.case.rule} {self.case.name}"


def _packs_under_test(config: pytest.Config) -> list[PackUnderTest]:
    return [_under_test(config, manifest)[0] for manifest in config.stash.get(_MANIFESTS, [])]


@pytest.fixture
def qmscheck_item() -> Callable[..., EvidenceItem]:
    """Build an evidence item from flat fields: ``qmscheck_item("calibration_record", "cal7", due=...)``."""
    from qmscheck.testing import item

    return item


@pytest.fixture
def qmscheck_check(request: pytest.FixtureRequest) -> Callable[..., Report]:
    """Check items with the rules of the packs under test (the base pack when there is none)."""
    from qmscheck.checking.packs import LoadedPacks, base_pack, load_packs
    from qmscheck.checking.run import CheckOptions, run_check
    from qmscheck.model.collection import Collection
    from qmscheck.model.evidence import Organisation
    from qmscheck.plugins.manager import load_plugins

    config = request.config

    def check(
        items: Sequence[EvidenceItem],
        *,
        as_of: date,
        select: Sequence[str] = (),
        organisation: Organisation | None = None,
        stage: int = 2,
    ) -> Report:
        under = _packs_under_test(config)
        if under:
            plugins = under[0].plugins
            chosen = {pack.name: pack for one in under for pack in one.selected}
            loaded = load_packs(sorted(chosen.values(), key=lambda pack: pack.name), plugins.checks)
            own = {one.pack.name for one in under}
            _use_words(config, under[0].manifest)
        else:
            plugins = load_plugins()
            loaded = load_packs([base_pack()], plugins.checks)
            own = {pack.name for pack in loaded.packs}
        if not select:
            rules = [rule for rule in loaded.rules if rule.pack.name in own]
            loaded = LoadedPacks(packs=loaded.packs, rules=rules, crosswalks=loaded.crosswalks)
        options = CheckOptions(as_of=as_of, stage=stage, select=tuple(select))
        return run_check(Collection.of_items(list(items)), loaded, plugins, organisation or Organisation(), options)

    return check


@pytest.fixture
def qmscheck_scan(request: pytest.FixtureRequest) -> Callable[..., Report]:
    """Scan a folder as ``qmscheck scan`` does, with the packs under test installed."""
    from qmscheck.packtools.under_test import scan_plugins
    from qmscheck.scan import ScanRequest, scan

    config = request.config

    def run(
        folder: Path,
        *,
        packs: Sequence[str] | None = None,
        as_of: date | None = None,
        stage: int | None = None,
        select: Sequence[str] = (),
        ignore: Sequence[str] = (),
    ) -> Report:
        under = _packs_under_test(config)
        names = tuple(packs) if packs is not None else tuple(pack.pack.name for pack in under) or None
        scan_request = ScanRequest(
            target=folder,
            as_of=as_of,
            stage=stage,  # type: ignore[arg-type]
            packs=names,
            select=tuple(select),
            ignore=tuple(ignore),
        )
        return scan(scan_request, plugins=scan_plugins(under))

    return run
