"""Rules that fault the same evidence under the same clause give one finding."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from qmscheck.testing import check_items, item

AS_OF = date(2026, 3, 31)
RULE = """
[[rules]]
id = "{id}"
title = "{title}"
clause = "8.4.1"
grade = "{grade}"
requirement = "r"
why = "w"
fix = "f"
select = {{ type = "supplier" }}
check = {{ kind = "each", require = [{{ field = "{field}", present = true }}] }}
"""


def test_same_evidence_same_clause_merges_keeping_the_most_severe(tmp_path: Path) -> None:
    text = 'clause = "8.4"\ntitle = "t"\n' + RULE.format(id="TST001", title="Evaluated", grade="minor", field="score")
    text += RULE.format(id="TST002", title="Approved", grade="major", field="approval_status")
    (tmp_path / "8.4.toml").write_text(text)
    supplier = item("supplier", "rapid", supplier="Rapid Castings")
    other = item("supplier", "north", supplier="Northfield", approval_status="Approved")
    report = check_items(tmp_path, [supplier, other], as_of=AS_OF)
    by_item = {tuple(ref.id for ref in f.evidence): f for f in report.findings}
    rapid = by_item[("test:rapid",)]
    assert (rapid.rule_id, rapid.grade.value, rapid.also_reported_by) == ("TST002", "major", ["TST001"])
    assert "Also (TST001): Evaluated." in rapid.statement
    north = by_item[("test:north",)]
    assert (north.rule_id, north.also_reported_by) == ("TST001", [])
    assert report.summary.major == 1 and report.summary.minor == 1
