"""A scan of the fixture organisation (``fixtures/lindner-chirurgie``, a maker of sterile single-use
instruments) with ``packs = ["iso9001", "iso13485"]``: every defect its answer key seeds is found at
the key's grade, an ISO 13485 defect under its ISO 13485 clause, and no clean trap is hit."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from qmscheck.api import Finding, Report

FIXTURE = Path(__file__).parents[1] / "fixtures" / "lindner-chirurgie"
KEY = tomllib.loads((Path(__file__).parents[1] / "fixtures" / "keys" / "lindner-chirurgie.toml").read_text())

DEFECTS = [pytest.param(d, id=d["id"]) for d in KEY["defect"]]


@pytest.fixture(scope="module")
def report() -> Report:
    """The fixture scanned as a user would, through the command line."""
    result = subprocess.run(
        [sys.executable, "-m", "qmscheck", "scan", str(FIXTURE / "qmscheck.toml"), "--format", "json", "--no-index"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return Report.model_validate_json(result.stdout)


def _rules(finding: Finding) -> set[str]:
    return {finding.rule_id, *finding.also_reported_by}


def _cites(finding: Finding, entry: dict[str, Any]) -> bool:
    files = tuple(entry.get("files", []))
    text = entry.get("text")
    # A locator is the file's path inside the source, with the row or part after it.
    in_files = not files or any(ref.locator.startswith(files) for ref in finding.evidence)
    return in_files and (text is None or text in finding.model_dump_json())


@pytest.mark.parametrize("defect", DEFECTS)
def test_seeded_defect_is_found_with_its_grade(report: Report, defect: dict[str, Any]) -> None:
    found = [f for f in report.findings if _rules(f) & set(defect["rules"]) and _cites(f, defect)]
    assert found, f"{defect['id']} not found"
    assert defect["grade"] in {f.grade.value for f in found}
    if all(rule.startswith("MD") for rule in defect["rules"]):
        assert {f.standard for f in found} == {"iso13485"}


@pytest.mark.parametrize("trap", KEY["trap"], ids=[t["id"] for t in KEY["trap"]])
def test_clean_trap_is_not_hit(report: Report, trap: dict[str, Any]) -> None:
    rules = set(trap["rules"])
    hits = [f for f in report.findings if ("*" in rules or _rules(f) & rules) and _cites(f, trap)]
    assert not hits


def test_every_finding_is_a_seeded_defect(report: Report) -> None:
    """Precision: a nonconformity, observation or OFI the key does not seed is a false finding
    (evidence requests are questions, not claims)."""
    false = [
        f"{f.rule_id} {f.grade.value}: {[ref.locator for ref in f.evidence]}"
        for f in report.findings
        if f.grade.value != "request" and not any(_rules(f) & set(d["rules"]) and _cites(f, d) for d in KEY["defect"])
    ]
    assert false == []
