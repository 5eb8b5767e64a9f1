"""The fidelity benchmark (benchmarks/fidelity): its scoring, the issues' targets, and today's
figures as a ratchet.

Every sample organisation must meet the targets: recognition >= 90 % of QMS files, recall >= 90 %,
precision >= 90 %, grade accuracy >= 85 %, no clean trap hit, duplicates <= 10 % of findings (and,
on the handbook corpus, every template recognised and none accepted as an approved document). The
floors below are what qmscheck scores today; a change may raise them, never lower them.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCORE_PY = Path(__file__).resolve().parents[1] / "benchmarks" / "fidelity" / "score.py"


def _load_score() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fidelity_score", SCORE_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations through sys.modules
    spec.loader.exec_module(module)
    return module


fidelity = _load_score()

#: The targets every organisation must meet: recognition, recall, precision, grade accuracy, and the
#: largest share of findings that may duplicate another's defect.
TARGETS = (0.90, 0.90, 0.90, 0.85, 0.10)

#: Today's figures per key file: (recognition, recall, precision, grade accuracy, most clean traps hit).
FLOORS: dict[str, tuple[float, float, float, float | None, int]] = {
    "acme": (1.0, 1.0, 1.0, 1.0, 0),
    "brightwater-analytics": (1.0, 1.0, 1.0, 1.0, 0),
    "drehteile-kessler": (1.0, 1.0, 1.0, 1.0, 0),
    "lokalis-traduction": (1.0, 1.0, 1.0, 1.0, 0),
    "harwood-labels": (1.0, 1.0, 1.0, 1.0, 0),
    "officina-rossi": (1.0, 1.0, 1.0, 1.0, 0),
    "talleres-ebro": (1.0, 1.0, 1.0, 1.0, 0),
}


def _finding(rule: str, grade: str, *locators: str, absence: str | None = None) -> dict[str, Any]:
    return {
        "rule_id": rule,
        "grade": grade,
        "statement": "",
        "absence": absence,
        "evidence": [{"locator": loc, "label": ""} for loc in locators],
    }


def test_score_matches_findings_to_the_key_by_rule_and_cited_file() -> None:
    key = fidelity.Key(
        name="tiny",
        target=Path("."),
        as_of="2026-03-31",
        defects=(
            fidelity.Expectation("overdue gauge", ("CAL001",), ("Registers/Cal.xlsx",), ("minor",)),
            fidelity.Expectation("closed NC", ("NCR001",), ("Registers/nc.csv",), ("minor",)),
            fidelity.Expectation("no audit", ("AUD001",), (), ("minor",), text="Purchasing"),
        ),
        traps=(fidelity.Expectation("archived", ("*",), ("Obsolete/P-02.docx",)),),
        qms_files=(fidelity.QmsFile("Registers/Cal.xlsx", ("calibration_record",)), fidelity.QmsFile("P-01.docx")),
    )
    report = {
        "findings": [
            _finding("CAL001", "major", "Registers/Cal.xlsx [Gauges] row 3"),  # found, wrong grade
            _finding("NCR001", "minor", "Registers/nc.csv row 4"),  # found, right grade
            _finding("DOC002", "minor", "Obsolete/P-02.docx"),  # a clean trap hit
            _finding("CAL001", "minor", "Other.xlsx [Gauges] row 2"),  # cites another file: false
        ]
    }
    inventory = {
        "entries": [
            {"path": "Registers/Cal.xlsx", "status": "recognised", "type": "calibration_record"},
            {"path": "P-01.docx", "status": "not recognised", "type": None},
        ]
    }
    result = fidelity.score(key, report, inventory)
    assert result.found == ["overdue gauge", "closed NC"]
    assert result.missed == ["no audit"]
    assert result.recall == pytest.approx(2 / 3)
    assert result.precision == pytest.approx(2 / 4)
    assert result.grade_accuracy == pytest.approx(1 / 2)
    assert result.traps_hit == ["archived"]
    assert result.recognition == pytest.approx(1 / 2)
    assert result.not_recognised == ["P-01.docx"]


def test_a_merged_finding_reports_its_rules_and_a_second_finding_of_a_defect_is_a_duplicate() -> None:
    key = fidelity.Key(
        name="tiny",
        target=Path("."),
        as_of="2026-03-31",
        defects=(fidelity.Expectation("closed CAPA", ("NCR001",), ("capa.md",), ("minor",)),),
    )
    merged = _finding("NCR004", "minor", "capa.md row 4") | {"also_reported_by": ["NCR001"]}
    result = fidelity.score(key, {"findings": [merged, _finding("NCR001", "minor", "capa.md row 4")]}, None)
    assert result.found == ["closed CAPA"] and result.precision == 1.0
    assert result.duplicate_share == pytest.approx(1 / 2) and len(result.duplicates) == 1


def test_an_absence_finding_matches_a_defect_by_its_text() -> None:
    defect = fidelity.Expectation("no audit", ("AUD001",), ("Programme.xlsx",), ("minor",), text="Purchasing")
    assert defect.matches(_finding("AUD001", "minor", absence="no audit programme entry covers 'Purchasing'"))
    assert not defect.matches(_finding("AUD001", "minor", absence="no audit programme entry covers 'Sales'"))


def test_handbook_templates_count_as_accepted_unless_flagged_or_a_form() -> None:
    inventory = {
        "entries": [
            {"path": "de/0100_Qualitaetspolitik.md", "status": "recognised", "type": "quality_policy"},
            {"path": "en/0100_Quality_Policy.md", "status": "recognised", "type": "quality_policy", "template": True},
            {"path": "en/0130_Management_Review.md", "status": "recognised", "type": "form"},
            {"path": "LICENSE", "status": "not recognised", "type": None},
        ]
    }
    result = fidelity.score_corpus("handbook", inventory, templates=True)
    assert (result.qms_files, result.templates, result.templates_detected, result.templates_accepted) == (3, 3, 1, 1)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_fidelity_meets_the_targets_and_does_not_fall_below_todays_figures(name: str) -> None:
    key = fidelity.load_key(SCORE_PY.parent / "keys" / f"{name}.toml")
    result = fidelity.run_key(key)
    least_recognition, least_recall, least_precision, least_grades, most_duplicates = TARGETS
    assert result.recognition >= least_recognition, result.not_recognised
    assert result.recall >= least_recall, result.missed
    assert result.precision is not None and result.precision >= least_precision, result.false_findings
    assert result.grade_accuracy is not None and result.grade_accuracy >= least_grades
    assert result.duplicate_share is not None and result.duplicate_share <= most_duplicates, result.duplicates
    assert not result.traps_hit, result.traps_hit
    recognition, recall, precision, grades, traps = FLOORS[name]
    assert result.recognition >= recognition - 1e-9, result.not_recognised
    assert result.recall >= recall - 1e-9, result.missed
    assert result.precision is not None and result.precision >= precision - 1e-9, result.false_findings
    if grades is not None:
        assert result.grade_accuracy is not None and result.grade_accuracy >= grades - 1e-9
    assert len(result.traps_hit) <= traps, result.traps_hit
