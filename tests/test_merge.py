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
    text += RULE.format(id="TST002", title="Approved", grade="major", field="certificate")
    (tmp_path / "8.4.toml").write_text(text)
    supplier = item("supplier", "rapid", supplier="Rapid Castings")
    other = item("supplier", "north", supplier="Northfield", certificate="ISO 9001:2015")
    report = check_items(tmp_path, [supplier, other], as_of=AS_OF)
    # TST001 faults both suppliers, TST002 one of them: one gap in the supplier register, one finding
    # citing both, graded as the most severe of the two.
    [merged] = report.findings
    assert [ref.id for ref in merged.evidence] == ["test:rapid", "test:north"]
    assert (merged.rule_id, merged.grade.value, merged.also_reported_by) == ("TST001", "major", ["TST002"])
    assert "Also (TST002): Approved - not met: lacks a certificate." in merged.statement
    assert report.summary.major == 1 and report.summary.minor == 0


def test_absences_of_the_same_evidence_under_one_clause_merge(tmp_path: Path) -> None:
    absent = RULE.replace('check = {{ kind = "each", require = [{{ field = "{field}", present = true }}] }}', "")
    absent += 'check = {{ kind = "exists" }}\n'
    text = 'clause = "8.4"\ntitle = "t"\n' + absent.format(id="TST001", title="Kept", grade="minor", field="")
    text += absent.format(id="TST002", title="Also kept", grade="minor", field="")
    (tmp_path / "8.4.toml").write_text(text)
    report = check_items(tmp_path, [item("procedure", "qp01")], as_of=AS_OF)
    [merged] = report.findings
    assert (merged.rule_id, merged.also_reported_by, merged.absence) == ("TST001", ["TST002"], "no supplier was found")
    assert "Also (TST002): Also kept." in merged.statement
