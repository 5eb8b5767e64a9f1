"""Each check primitive, passing and failing, through the real engine."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from qmscheck.checking.packs import base_pack
from qmscheck.model.evidence import Organisation
from qmscheck.model.grades import Grade
from qmscheck.testing import check_items, item

AS_OF = date(2026, 3, 31)
HEAD = (
    'clause = "{clause}"\ntitle = "t"\n\n[[rules]]\nid = "TST001"\ntitle = "t"\nclause = "{clause}"\n'
    'requirement = "r"\nwhy = "w"\nfix = "f"\n'
)


def pack(tmp_path: Path, clause: str, body: str) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir(exist_ok=True)
    (folder / f"{clause}.toml").write_text(HEAD.format(clause=clause) + body)
    return folder


def grades(report: object) -> list[str]:
    return [f.grade.value for f in report.findings]  # type: ignore[attr-defined]


def test_exists(tmp_path: Path) -> None:
    rules = pack(
        tmp_path, "5.2", 'grade = "major"\nselect = { type = "quality_policy" }\ncheck = { kind = "exists" }\n'
    )
    assert grades(check_items(rules, [item("quality_policy", "policy.docx")], as_of=AS_OF)) == []
    report = check_items(rules, [item("procedure", "qp.docx")], as_of=AS_OF)
    assert grades(report) == ["major"]
    assert report.findings[0].absence == "no quality policy was found"


EACH = """grade = "minor"
warning_window = "P30D"
systemic = { min_failures = 3, min_share = 0.5 }
select = { type = "calibration_record", where = [{ field = "status", not_one_of = ["retired"] }] }
check = { kind = "each", require = [{ field = "due", on_or_after = "as_of" }] }
"""


def test_each_pass_fail_near_miss_and_missing_field(tmp_path: Path) -> None:
    rules = pack(tmp_path, "7.1", EACH)
    items = [
        item("calibration_record", "ok", due=date(2026, 9, 1), status="In use"),
        item("calibration_record", "late", due=date(2026, 1, 15), status="In use"),
        item("calibration_record", "soon", due=date(2026, 4, 15), status="In use"),
        item("calibration_record", "retired", due=date(2020, 1, 1), status="Retired"),
        item("calibration_record", "undated", status="In use"),
    ]
    report = check_items(rules, items, as_of=AS_OF)
    cited = {tuple(ref.id for ref in f.evidence): f.grade for f in report.findings}
    # Two lapses of one register are one nonconformity (2 of 4 in use: not yet a breakdown); a near
    # miss is an observation of its own.
    assert cited == {("test:late", "test:undated"): Grade.MINOR, ("test:soon",): Grade.OBSERVATION}
    minor = next(f for f in report.findings if f.grade is Grade.MINOR)
    assert "Not met by 2 of 4 calibration records" in minor.statement
    assert "due date 2026-01-15, 75 days past" in minor.statement


def test_each_systemic_failures_become_one_major(tmp_path: Path) -> None:
    rules = pack(tmp_path, "7.1", EACH)
    items = [item("calibration_record", f"late{i}", due=date(2025, 1, i + 1)) for i in range(3)]
    items.append(item("calibration_record", "ok", due=date(2027, 1, 1)))
    report = check_items(rules, items, as_of=AS_OF)
    assert grades(report) == ["major"]
    assert len(report.findings[0].evidence) == 3


def test_as_of_changes_the_verdict(tmp_path: Path) -> None:
    rules = pack(tmp_path, "7.1", EACH)
    items = [item("calibration_record", "c", due=date(2026, 1, 15))]
    assert grades(check_items(rules, items, as_of=date(2025, 12, 1))) == []
    assert grades(check_items(rules, items, as_of=date(2026, 1, 1))) == ["observation"]
    assert grades(check_items(rules, items, as_of=AS_OF)) == ["minor"]


def test_fresh(tmp_path: Path) -> None:
    rules = pack(
        tmp_path,
        "9.3",
        'grade = "minor"\nabsent_grade = "major"\nselect = { type = "management_review_minutes" }\n'
        'check = { kind = "fresh", field = "issued", within = "P12M" }\n',
    )
    recent = item("management_review_minutes", "mr2025", issued=date(2025, 10, 22))
    old = item("management_review_minutes", "mr2024", issued=date(2024, 10, 18))
    assert grades(check_items(rules, [recent, old], as_of=AS_OF)) == []
    stale = check_items(rules, [old], as_of=AS_OF)
    assert grades(stale) == ["minor"] and stale.findings[0].evidence[0].id == "test:mr2024"
    assert grades(check_items(rules, [], as_of=AS_OF)) == ["major"]


COVERS = """grade = "minor"
select = { type = "supplier" }
check = { kind = "covers", key = "supplier", by = { type = "supplier_evaluation" }, match = "supplier", require = [{ field = "completed", on_or_after = "as_of-P12M" }] }
"""


def test_covers_by_key(tmp_path: Path) -> None:
    rules = pack(tmp_path, "8.4", COVERS)
    items = [
        item("supplier", "s1", supplier="Northfield Metals"),
        item("supplier", "s2", supplier="Rapid Castings Ltd"),
        item("supplier", "s3", supplier="Old Friend Ltd"),
        item("supplier_evaluation", "e1", supplier="northfield  metals", completed=date(2025, 9, 12)),
        item("supplier_evaluation", "e3", supplier="Old Friend Ltd", completed=date(2024, 1, 1)),
    ]
    report = check_items(rules, items, as_of=AS_OF)
    assert [[ref.id for ref in f.evidence] for f in report.findings] == [["test:s2", "test:s3"]]


def test_covers_organisation_processes(tmp_path: Path) -> None:
    rules = pack(
        tmp_path,
        "9.2",
        'grade = "minor"\nselect = { type = "audit_programme_entry" }\n'
        'check = { kind = "covers", keys_from = "organisation.processes", by = { type = "audit_programme_entry" }, '
        'match = "process" }\n',
    )
    organisation = Organisation(processes=["Sales", "Purchasing"])
    report = check_items(
        rules, [item("audit_programme_entry", "a1", process="Sales")], as_of=AS_OF, organisation=organisation
    )
    assert [f.absence for f in report.findings] == ["no audit programme entry covers the process 'Purchasing'"]


def test_mentions_reads_only_the_newest(tmp_path: Path) -> None:
    rules = pack(
        tmp_path,
        "9.3",
        'grade = "minor"\nselect = { type = "management_review_minutes" }\n'
        'check = { kind = "mentions", target = "newest", topics = ["supplier_performance", "adequacy_of_resources"] }\n',
    )
    old = item(
        "management_review_minutes", "old", issued=date(2024, 10, 1), text="Supplier performance; adequacy of resources"
    )
    new = item("management_review_minutes", "new", issued=date(2025, 10, 1), text="Performance of External  Providers")
    report = check_items(rules, [old, new], as_of=AS_OF)
    assert len(report.findings) == 1
    assert report.findings[0].evidence[0].id == "test:new"
    missing = report.findings[0].statement.split(":")[-1]
    assert "adequacy of resources" in missing and "supplier performance" not in missing


@pytest.mark.parametrize("stage,expected", [(1, []), (2, ["minor"])])
def test_stage_filters_rules(tmp_path: Path, stage: int, expected: list[str]) -> None:
    rules = pack(tmp_path, "7.1", EACH.replace('grade = "minor"', 'grade = "minor"\nstages = [2]'))
    report = check_items(rules, [item("calibration_record", "late", due=date(2025, 1, 1))], as_of=AS_OF, stage=stage)
    assert grades(report) == expected


def test_justified_exclusion_is_not_applicable_and_disallowed_one_is_a_finding(tmp_path: Path) -> None:
    rules = pack(
        tmp_path, "8.3", 'grade = "major"\nselect = { type = "design_project" }\ncheck = { kind = "exists" }\n'
    )
    justified = Organisation(exclusions=[{"clause": "8.3", "justification": "We build only to customer drawings."}])
    report = check_items(rules, [], as_of=AS_OF, organisation=justified)
    assert report.findings == [] and report.not_applicable[0].rule_ids == ["TST001"]
    disallowed = Organisation(
        exclusions=[
            {"clause": "7.1.5", "justification": "We do not think calibration matters."},
            {"clause": "8.3", "justification": ""},
        ]
    )
    report = check_items(rules, [], as_of=AS_OF, organisation=disallowed)
    assert sorted((f.rule_id, f.grade.value) for f in report.findings) == [
        ("SCOPE001", "major"),
        ("SCOPE001", "minor"),
        ("TST001", "major"),
    ]


PERIODIC = """grade = "minor"
systemic = { min_failures = 3, min_share = 0.5 }
select = { type = "kpi_report" }
check = { kind = "periodic", field = "issued", period = "P1M", since = "as_of-P6M" }
"""


def test_periodic_reports_each_missing_month(tmp_path: Path) -> None:
    rules = pack(tmp_path, "9.1", PERIODIC)
    # as of 2026-03-31 and since 2025-09-30: October 2025 to February 2026 have ended; March has not.
    months = [date(2025, 10, 5), date(2025, 11, 5), date(2026, 1, 7), date(2026, 2, 4)]
    items = [item("kpi_report", f"kpi{i}", issued=day) for i, day in enumerate(months)]
    report = check_items(rules, items, as_of=AS_OF)
    assert grades(report) == ["minor"]
    assert report.findings[0].absence is not None and "2025-12" in report.findings[0].absence
    items.append(item("kpi_report", "dec", issued=date(2025, 12, 30)))
    assert grades(check_items(rules, items, as_of=AS_OF)) == []


def test_periodic_without_any_record_is_one_systemic_major(tmp_path: Path) -> None:
    rules = pack(tmp_path, "9.1", PERIODIC)
    report = check_items(rules, [item("procedure", "qp.docx")], as_of=AS_OF)
    assert grades(report) == ["major"]
    assert "Not met in 5 of 5 instances" in report.findings[0].statement and "2025-10" in report.findings[0].statement


def test_periodic_windows_quarters_weeks_and_grace() -> None:
    from qmscheck.checking.primitives.periodic import windows
    from qmscheck.model.periods import Period

    quarters = windows(Period.parse("P3M"), date(2025, 3, 31), AS_OF)
    assert [name for _, _, name in quarters] == ["2025-Q2", "2025-Q3", "2025-Q4"]
    weeks = windows(Period.parse("P1W"), date(2026, 3, 1), AS_OF)
    assert [name for _, _, name in weeks] == ["2026-W10", "2026-W11", "2026-W12", "2026-W13"]
    with_grace = windows(Period.parse("P1M"), date(2026, 1, 1), AS_OF, Period.parse("P45D"))
    assert [name for _, _, name in with_grace] == ["2026-01"]


UNIQUE_REVISIONS = """grade = "minor"
select = { type = "procedure", where = [{ field = "status", not_one_of = ["obsolete", "superseded"] }] }
check = { kind = "unique", key = "document_number", distinct = "revision", ignore_folders = ["archive"] }
"""


def test_unique_two_current_revisions(tmp_path: Path) -> None:
    rules = pack(tmp_path, "7.5", UNIQUE_REVISIONS)
    current = item("procedure", "procs/qp01.docx", document_number="QP-01", revision="C", status="Released")
    archived = item("procedure", "99 Archive/qp01-b.docx", document_number="QP-01", revision="B", status="Released")
    superseded = item("procedure", "procs/qp01-a.docx", document_number="QP-01", revision="A", status="Superseded")
    assert grades(check_items(rules, [current, archived, superseded], as_of=AS_OF)) == []
    stray = item("procedure", "work/qp01-b.docx", document_number="QP-01", revision="B", status="Released")
    report = check_items(rules, [current, archived, stray], as_of=AS_OF)
    assert grades(report) == ["minor"]
    assert {ref.id for ref in report.findings[0].evidence} == {"test:procs/qp01.docx", "test:work/qp01-b.docx"}
    same_revision = item("procedure", "work/qp01-c.docx", document_number="QP-01", revision="C", status="Released")
    assert grades(check_items(rules, [current, same_revision], as_of=AS_OF)) == []


def test_unique_same_bytes_in_two_files(tmp_path: Path) -> None:
    rules = pack(
        tmp_path,
        "7.5",
        'grade = "minor"\nselect = { type = "procedure" }\n'
        'check = { kind = "unique", key = "sha256", ignore_folders = ["archive", "obsolete"] }\n',
    )
    digest = "a" * 64
    master = item("procedure", "procs/qp03.docx").model_copy(update={"sha256": digest})
    copy = item("procedure", "work/qp03 copy.docx").model_copy(update={"sha256": digest})
    archived = item("procedure", "Obsolete/qp03.docx").model_copy(update={"sha256": digest})
    other = item("procedure", "procs/qp04.docx").model_copy(update={"sha256": "b" * 64})
    assert grades(check_items(rules, [master, archived, other], as_of=AS_OF)) == []
    assert grades(check_items(rules, [master, copy, other], as_of=AS_OF)) == ["minor"]


def test_differs_auditor_is_not_the_auditee(tmp_path: Path) -> None:
    rules = pack(
        tmp_path,
        "9.2",
        'grade = "minor"\nselect = { type = "internal_audit_report" }\n'
        'check = { kind = "differs", field = "auditor", others = ["auditee", "owner"] }\n',
    )
    fine = item("internal_audit_report", "ia1", auditor="Daniel Reyes", auditee="Priya Nair (Quality Manager)")
    unknown = item("internal_audit_report", "ia2", auditor="Daniel Reyes")
    own = item("internal_audit_report", "ia3", auditor="Priya Nair", owner="priya  nair")
    assert grades(check_items(rules, [fine, unknown], as_of=AS_OF)) == []
    report = check_items(rules, [fine, own], as_of=AS_OF)
    assert grades(report) == ["minor"]
    assert report.findings[0].evidence[0].id == "test:ia3"


def test_periodic_rejects_a_field_relative_since() -> None:
    from pydantic import ValidationError
    from qmscheck.checking.rule_model import PeriodicCheck

    with pytest.raises(ValidationError):
        PeriodicCheck(kind="periodic", field="issued", period="P1M", since="field:issued-P30D")
    with pytest.raises(ValidationError):
        PeriodicCheck(kind="periodic", field="issued", period="P1M2D")


@pytest.mark.parametrize(
    ("clause", "allowed"),
    [
        ("8.3", True),
        ("8.3.4", True),
        ("8.5.3", True),
        ("8.5.5", True),
        ("8.1", False),
        ("8.5.1", False),
        ("8.7", False),
    ],
)
def test_only_exclusions_that_cannot_affect_conformity_are_accepted(tmp_path: Path, clause: str, allowed: bool) -> None:
    rules = pack(
        tmp_path, "8.3", 'grade = "major"\nselect = { type = "design_project" }\ncheck = { kind = "exists" }\n'
    )
    organisation = Organisation(
        exclusions=[{"clause": clause, "justification": "We believe this does not apply to us."}]
    )
    report = check_items(rules, [], as_of=AS_OF, organisation=organisation)
    scope_findings = [f for f in report.findings if f.rule_id == "SCOPE001"]
    assert (not scope_findings) == allowed
    if not allowed:
        assert (
            scope_findings[0].grade == Grade.MAJOR
            and "cannot be declared not applicable" in scope_findings[0].statement
        )


def test_systemic_statement_names_ten_instances_and_cites_every_item(tmp_path: Path) -> None:
    rules = pack(tmp_path, "7.1", EACH)
    items = [
        item("calibration_record", f"late{i}", due=date(2025, 1, i + 1), instrument_id=f"CAL-{i}") for i in range(14)
    ]
    report = check_items(rules, items, as_of=AS_OF)
    (finding,) = report.findings
    assert [ref.id for ref in finding.evidence] == [f"test:late{i}" for i in range(14)]
    assert "Not met by 14 of 14 calibration records: CAL-0: lacks" in finding.statement
    assert "CAL-9: lacks" in finding.statement and "CAL-10" not in finding.statement
    assert finding.statement.endswith(" … and 4 more instances (every one is cited in the evidence list).")


def test_systemic_statement_counts_missing_periods_it_cannot_cite(tmp_path: Path) -> None:
    rules = pack(tmp_path, "9.1", PERIODIC.replace("as_of-P6M", "as_of-P12M"))
    report = check_items(rules, [item("procedure", "qp.docx")], as_of=AS_OF)
    (finding,) = report.findings
    assert "Not met in 11 of 11 instances checked" in finding.statement
    assert finding.statement.endswith(" … and 1 more instance.") and finding.evidence == []


def test_positions_order_the_evidence_as_natural_key_does() -> None:
    from qmscheck.checking.grading import grade_failures
    from qmscheck.checking.primitives.base import positions_of
    from qmscheck.checking.rule_model import Rule
    from qmscheck.model.evidence import natural_key
    from qmscheck.model.verdicts import Failure

    rule = Rule.model_validate(
        {
            "id": "TST001",
            "title": "t",
            "clause": "7.1",
            "grade": "minor",
            "requirement": "r",
            "why": "w",
            "fix": "f",
            "systemic": {"min_failures": 2},
            "select": {"type": "x"},
            "check": {"kind": "exists"},
        }
    )
    items = sorted((item("x", f"row {n}") for n in (15, 5, 100, 9, 10)), key=lambda i: natural_key(i.id))
    # Failures out of evidence order, one item twice: the finding cites each once, in evidence order.
    failures = [
        Failure(items=(items[3], items[0]), detail="d"),
        Failure(items=(items[1], items[3]), detail="d"),
        Failure(items=(items[4],), detail="d"),
    ]
    by_key = grade_failures(rule, base_pack(), failures, population=5)
    by_position = grade_failures(rule, base_pack(), failures, population=5, positions=positions_of(items))
    assert by_key == by_position
    assert [ref.id for ref in by_key[0].evidence] == ["test:row 5", "test:row 9", "test:row 15", "test:row 100"]


def test_label_reads_fields_the_way_evidence_does() -> None:
    from qmscheck.checking.primitives.base import LABEL_FIELDS, label

    for name in LABEL_FIELDS:
        labelled = item("x", f"i-{name}", **{name: f"value of {name}"})
        assert labelled.field(name) == f"value of {name}"
        assert label(labelled) == f"value of {name}"
    assert label(item("x", "plain", title="A title", reference="")) == "A title"
    assert label(item("x", "bare")) == "test:bare"


def test_matched_is_sorted_once_and_handed_out_as_a_copy() -> None:
    from qmscheck.checking.primitives.base import CheckContext
    from qmscheck.checking.rule_model import Rule

    rule = Rule.model_validate(
        {
            "id": "TST001",
            "title": "t",
            "clause": "7.1",
            "grade": "minor",
            "requirement": "r",
            "why": "w",
            "fix": "f",
            "select": {"type": "x"},
            "check": {"kind": "exists"},
        }
    )
    items = [item("x", f"i{n}") for n in range(3)]
    ctx = CheckContext(
        rule=rule,
        as_of=AS_OF,
        organisation=Organisation(),
        items=items,
        facts=[],
        matches={"TST001:selected": {"e2", "e0"}},
    )
    first = ctx.selected
    first.clear()
    assert ctx.selected == [items[0], items[2]]


def test_unique_still_holds_only_when_no_changed_key_is_held_elsewhere() -> None:
    from qmscheck.checking.primitives.unique import Unique
    from qmscheck.model.verdicts import GroupSummary

    def keyed(*keys: str) -> GroupSummary:
        return GroupSummary(population=len(keys), data=[[key, key.upper(), None, None] for key in keys])

    unique = Unique()
    kept = [[["a", "A", None, None]], [["b", "B", None, None], ["c", "C", None, None]]]
    assert unique.still_holds(None, kept, [keyed("x")], [keyed("y")])  # type: ignore[arg-type]
    assert unique.still_holds(None, kept, [keyed("x")], [GroupSummary(population=0)])  # type: ignore[arg-type]
    assert not unique.still_holds(None, kept, [keyed("x")], [keyed("b")])  # type: ignore[arg-type]
    assert not unique.still_holds(None, kept, [keyed("a")], [keyed("y")])  # type: ignore[arg-type]
    assert not unique.still_holds(None, kept, [keyed("x")], [keyed("y", "y")])  # type: ignore[arg-type]
    assert not unique.still_holds(None, kept, [keyed("x"), keyed("x")], [keyed("y")])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("Obsolete/qp03.docx", True),
        ("procs/2019 ARCHIVE (old)/qp03.docx", True),
        ("/srv/share/Archiv/qp03.docx", False),
        ("/srv/share/archive/qp03.docx", True),
        ("archive.docx", False),
        ("work/qp03 archive copy.docx", False),
        ("", False),
    ],
)
def test_allowed_folders_are_matched_on_folders_not_the_file_name(path: str, allowed: bool) -> None:
    from qmscheck.checking.primitives.unique import in_allowed_folder

    assert in_allowed_folder(item("procedure", path), ["archive", "Obsolete"]) is allowed
    assert in_allowed_folder(item("procedure", path), []) is False
