"""A finding's fingerprint is its identity from scan to scan: the requirement and the context it
fails in, not what it cites, so that a diff can follow it from Stage 1 to Stage 2."""

from __future__ import annotations

from datetime import date

from qmscheck.checking.packs import base_pack
from qmscheck.model.evidence import EvidenceItem
from qmscheck.model.report import Report
from qmscheck.testing import check_items, item

AS_OF = date(2026, 3, 31)


def instrument(register: str, row: int, due: date, sha: str = "a" * 64) -> EvidenceItem:
    record = item(
        "calibration_record",
        f"{register} [Instruments] row {row}",
        instrument_id=f"CAL-{row:03d}",
        due=due,
        completed=date(2025, 1, 10),
        certificate=f"CERT-{row}",
    )
    return record.model_copy(update={"sha256": sha})


def by_rule(report: Report, rule_id: str) -> dict[str, str]:
    """Fingerprint -> grade of the rule's findings."""
    return {f.fingerprint: f.grade.value for f in report.findings if f.rule_id == rule_id}


def scan(items: list[EvidenceItem]) -> Report:
    return check_items([base_pack()], items, as_of=AS_OF)


OVERDUE = date(2026, 1, 15)
FINE = date(2026, 12, 1)


def test_fixing_one_of_several_lapses_keeps_the_findings_identity() -> None:
    before = scan([instrument("Cal.xlsx", row, OVERDUE) for row in range(2, 6)] + [instrument("Cal.xlsx", 6, FINE)])
    after = scan([instrument("Cal.xlsx", row, OVERDUE) for row in range(2, 5)] + [
        instrument("Cal.xlsx", 5, FINE), instrument("Cal.xlsx", 6, FINE)])  # fmt: skip
    assert list(by_rule(before, "CAL001")) == list(by_rule(after, "CAL001"))
    (finding,) = [f for f in after.findings if f.rule_id == "CAL001"]
    (earlier,) = [f for f in before.findings if f.rule_id == "CAL001"]
    assert finding.id != earlier.id  # what it cites changed; what it is did not


def test_an_edit_of_a_cited_file_that_fixes_nothing_keeps_the_identity() -> None:
    before = scan([instrument("Cal.xlsx", 2, OVERDUE, "a" * 64), instrument("Cal.xlsx", 3, FINE, "a" * 64)])
    after = scan([instrument("Cal.xlsx", 2, OVERDUE, "b" * 64), instrument("Cal.xlsx", 3, FINE, "b" * 64)])
    assert by_rule(before, "CAL001") == by_rule(after, "CAL001") != {}


def test_the_same_requirement_failing_in_another_register_is_another_finding() -> None:
    report = scan([instrument("Cal.xlsx", 2, OVERDUE), instrument("Gauges.xlsx", 2, OVERDUE)])
    assert len(by_rule(report, "CAL001")) == 2


def test_a_near_miss_and_a_lapse_in_one_register_are_two_findings() -> None:
    report = scan([instrument("Cal.xlsx", 2, OVERDUE), instrument("Cal.xlsx", 3, date(2026, 4, 20))])
    assert sorted(by_rule(report, "CAL001").values()) == ["minor", "observation"]
