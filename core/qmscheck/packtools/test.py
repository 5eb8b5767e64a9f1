"""``qmscheck pack test PATH``: run every case of a pack folder, each on its own rule, as the base
pack's cases run in qmscheck's own suite (:mod:`qmscheck.testing`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qmscheck.errors import QmscheckError, RulePackError
from qmscheck.packtools.under_test import PackUnderTest, open_pack
from qmscheck.plugins.manager import Plugins
from qmscheck.testing import RuleCase, load_cases, run_case

__all__ = ["CaseResult", "describe_findings", "run_pack_cases"]

Findings = list[tuple[str, list[str]]]


def describe_findings(findings: Findings) -> str:
    """'minor citing rec2; major citing nothing', or 'no finding'."""
    if not findings:
        return "no finding"
    return "; ".join(f"{grade} citing {', '.join(refs) or 'nothing'}" for grade, refs in findings)


@dataclass(frozen=True)
class CaseResult:
    """One case run: what it expects, what the rule found, or why it could not run."""

    file: Path
    case: RuleCase
    found: Findings | None
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and self.found == self.case.expected()

    def describe(self) -> str:
        """One line naming the file and the case, and for a failure what differs."""
        at = f"{self.file}: case {self.case.rule} {self.case.name!r}"
        if self.error is not None:
            return f"ERROR {at}: {self.error}"
        if self.passed:
            return f"PASS  {at}"
        assert self.found is not None
        return f"FAIL  {at}: expected {describe_findings(self.case.expected())}, found {describe_findings(self.found)}"


def run_cases(under: PackUnderTest) -> list[CaseResult]:
    """Every case of the pack under test, in file order."""
    folder = under.pack.cases
    if folder is None or not folder.is_dir():
        raise RulePackError(f"{under.manifest}: pack.cases: folder {folder} does not exist")
    loaded = under.load()
    under.use_words()
    results = []
    for case in load_cases(folder):
        try:
            found = run_case(case, loaded, under.plugins)
        except QmscheckError as exc:
            results.append(CaseResult(folder / case.source, case, None, str(exc)))
            continue
        results.append(CaseResult(folder / case.source, case, found))
    return results


def run_pack_cases(path: Path, plugins: Plugins | None = None) -> list[CaseResult]:
    """Every case of the pack at ``path`` (a folder with a ``pack.toml``, or that file)."""
    return run_cases(open_pack(path, plugins))
