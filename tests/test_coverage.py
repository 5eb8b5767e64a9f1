"""Every ISO 9001 clause 4.1-10.3 is accounted for: checked by evidence rules or a manual check to verify on
site; `qmscheck rules` lists which, and the README's coverage figures are the computed ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from iso_clauses import ISO_9001_CLAUSES
from qmscheck.checking.manual import (
    ManualChecksFile,
    bundled_manual_checks,
    clause_coverage,
    coverage_counts,
    load_manual_checks,
    manual_checks_for,
)
from qmscheck.checking.packs import LoadedRule, base_pack, load_packs
from qmscheck.cli import main
from qmscheck.errors import RulePackError
from qmscheck.model.report import NotApplicable

ROOT = Path(__file__).resolve().parents[1]


def base_rules() -> list[LoadedRule]:
    return load_packs([base_pack()]).rules


def test_the_clause_list_is_every_clause_of_the_standard_in_order() -> None:
    assert list(bundled_manual_checks().clauses) == ISO_9001_CLAUSES


def test_every_clause_has_evidence_rules_or_a_manual_check() -> None:
    coverage = clause_coverage(base_rules(), bundled_manual_checks())
    assert [entry.clause for entry in coverage if entry.status == "none"] == []
    assert {entry.status for entry in coverage} == {"evidence", "manual"}


def test_each_manual_check_asks_questions_and_names_evidence_to_request() -> None:
    for check in bundled_manual_checks().checks:
        assert check.title and check.questions and check.evidence, check.clause
        assert all(question.startswith("Ask") for question in check.questions), check.clause


def test_a_rule_counts_for_its_clause_its_sub_clauses_and_the_clauses_under_its_parent() -> None:
    by_clause = {entry.clause: entry for entry in clause_coverage(base_rules(), bundled_manual_checks())}
    assert "CAL001" in by_clause["7.1.5.1"].rule_ids and "CAL001" in by_clause["7.1.5.2"].rule_ids
    assert "REQ001" in by_clause["8.2.3.2"].rule_ids and "REQ001" not in by_clause["8.2.3.1"].rule_ids
    assert by_clause["7.3"].rule_ids == () and by_clause["7.3"].manual


def test_a_clause_without_rules_or_manual_check_is_reported_not_covered() -> None:
    without_73 = ManualChecksFile(
        clauses=bundled_manual_checks().clauses,
        checks=[check for check in bundled_manual_checks().checks if check.clause != "7.3"],
    )
    coverage = clause_coverage(base_rules(), without_73)
    assert [entry.clause for entry in coverage if entry.status == "none"] == ["7.3"]


def test_qmscheck_rules_lists_every_clause_as_evidence_checked_or_manual() -> None:
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0, result.output
    listed = {
        line.split()[0]: line
        for line in result.output.splitlines()
        if line and line.split()[0] in ISO_9001_CLAUSES and ("evidence: " in line or "manual: " in line)
    }
    assert sorted(listed) == sorted(ISO_9001_CLAUSES)
    assert listed["7.3"].endswith("manual: to verify on site")
    assert "evidence: CAL001, CAL002, CAL003" in listed["7.1.5.2"]
    assert re.search(r"^64 clauses: \d+ checked by evidence rules, \d+ by manual checks on site$", result.output, re.M)


def test_the_readme_states_the_computed_coverage() -> None:
    counts = coverage_counts(clause_coverage(base_rules(), bundled_manual_checks()))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stated = re.search(
        r"has (\d+) rules\. Of the (\d+) clauses of ISO 9001 \(4\.1[–-]10\.3\), (\d+) have evidence rules "
        r"and (\d+) are manual checks",
        " ".join(readme.split()),
    )
    assert stated, "README: the coverage sentence is missing or reworded"
    assert [int(group) for group in stated.groups()] == [
        len(base_rules()),
        len(ISO_9001_CLAUSES),
        counts["evidence"],
        counts["manual"],
    ]


def test_manual_checks_under_a_clause_declared_not_applicable_are_left_out() -> None:
    excluded = [NotApplicable(clause="8.3", justification="no design", rule_ids=["DES001"])]
    clauses = [check.clause for check in manual_checks_for(bundled_manual_checks(), excluded)]
    assert "8.3.1" not in clauses and "8.4.2" in clauses
    assert len(clauses) == len(bundled_manual_checks().checks) - 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[clauses]\n"7.3" = "Awareness"\n[[checks]]\nclause = "7.4"\ntitle = "t"\nquestions = ["q"]\nevidence = ["e"]\n',
            "clause 7.4 is not under [clauses]",
        ),
        (
            '[clauses]\n"7.3" = "Awareness"\n[[checks]]\nclause = "7.3"\ntitle = "t"\nquestions = []\nevidence = ["e"]\n',
            "$.checks[0].questions",
        ),
        (
            '[clauses]\n"7.3" = "A"\n'
            + '[[checks]]\nclause = "7.3"\ntitle = "t"\nquestions = ["q"]\nevidence = ["e"]\n' * 2,
            "more than one manual check for clause 7.3",
        ),
    ],
)
def test_a_broken_manual_checks_file_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "manual-checks.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulePackError) as raised:
        load_manual_checks(path)
    assert str(path) in str(raised.value) and message in str(raised.value)


def test_the_readme_states_how_many_defects_the_sample_seeds() -> None:
    """The README, the sample's own README and its answer key agree on the seeded defects."""
    import tomllib

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    stated = re.search(r"a fictional machining company with (\d+) seeded defects", readme)
    assert stated, "README: the sample's sentence is missing or reworded"
    key = tomllib.loads((ROOT / "benchmarks" / "fidelity" / "keys" / "acme.toml").read_text(encoding="utf-8"))
    table = (ROOT / "fixtures" / "acme" / "README.md").read_text(encoding="utf-8").split("## Seeded defects", 1)[1]
    rows = [line for line in table.split("\n## ", 1)[0].splitlines() if re.match(r"^\| \d+ \|", line)]
    assert int(stated.group(1)) == len(key["defect"]) == len(rows)
