"""One requirement, one nonconformity; absences asked for where the standard leaves the form open;
conditions judged only where a register keeps the field; deadlines met by a close or an answer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cli_process import scan_report
from qmscheck.api import RulePack
from qmscheck.checking.packs import base_pack
from qmscheck.model.evidence import EvidenceItem, Locator, Organisation, Provenance
from qmscheck.model.grades import Grade
from qmscheck.testing import check_items, item

AS_OF = date(2026, 3, 31)

_HEAD = 'clause = "{top}"\ntitle = "t"\n'
_RULE = """
[[rules]]
id = "{id}"
title = "{title}"
clause = "{clause}"
source = "iso9001"
{extra}
requirement = "r"
why = "w"
fix = "f"
select = {{ type = "{type}" }}
check = {check}
"""


def _rule(rule_id: str, clause: str, check: str, *, type_: str = "nonconformity", extra: str = "") -> str:
    return _RULE.format(id=rule_id, title=f"Title of {rule_id}", clause=clause, extra=extra, type=type_, check=check)


def _pack(tmp_path: Path, name: str, top: str, *rules: str) -> None:
    (tmp_path / f"{name}.toml").write_text(_HEAD.format(top=top) + "".join(rules))


def _each(field: str, **options: str) -> str:
    more = "".join(f", {key} = {value}" for key, value in options.items())
    return f'{{ kind = "each", require = [{{ field = "{field}", present = true{more} }}] }}'


def test_rules_of_one_requirement_group_under_different_clauses_give_one_finding(tmp_path: Path) -> None:
    group = 'requirement_group = "nonconformity"'
    _pack(tmp_path, "8.7", "8.7", _rule("TST001", "8.7.1", _each("correction"), extra=group))
    _pack(tmp_path, "10.2", "10.2", _rule("TST002", "10.2.2", _each("effectiveness"), extra=group))
    capa = item("nonconformity", "capa9", reference="CAPA-2025-09")
    report = check_items(tmp_path, [capa], as_of=AS_OF)
    # One CAPA row closed with nothing done: one nonconformity naming both clauses' rules.
    [finding] = report.findings
    assert (finding.rule_id, finding.also_reported_by) == ("TST001", ["TST002"])
    assert "lacks a correction" in finding.statement and "lacks an effectiveness" in finding.statement


def test_without_a_shared_group_rules_under_different_clauses_stay_apart(tmp_path: Path) -> None:
    _pack(tmp_path, "8.7", "8.7", _rule("TST001", "8.7.1", _each("correction")))
    _pack(tmp_path, "10.2", "10.2", _rule("TST002", "10.2.2", _each("effectiveness")))
    report = check_items(tmp_path, [item("nonconformity", "capa9")], as_of=AS_OF)
    assert sorted(f.rule_id for f in report.findings) == ["TST001", "TST002"]


def test_an_absence_folds_into_the_groups_cited_finding_without_raising_its_grade(tmp_path: Path) -> None:
    group = 'requirement_group = "audits"'
    planned = _rule("TST001", "9.2.2", _each("completed"), type_="audit_programme_entry", extra=group)
    reports = _rule("TST002", "9.2.2", '{ kind = "exists" }', type_="internal_audit_report", extra=group)
    _pack(tmp_path, "9.2", "9.2", planned, reports)
    entries = [item("audit_programme_entry", f"ap{n}", process=f"P{n}", completed=date(2025, n, 1)) for n in (1, 2)]
    entries.append(item("audit_programme_entry", "ap3", process="P3"))
    report = check_items(tmp_path, entries, as_of=AS_OF)
    # One planned audit not held (an isolated lapse, minor) and no audit report at all (a major
    # absence on its own): one nonconformity, graded by what it cites.
    [finding] = report.findings
    assert (finding.rule_id, finding.also_reported_by, finding.grade) == ("TST001", ["TST002"], Grade.MINOR)
    assert "no internal audit report was found" in finding.statement


def test_an_absence_the_rule_asks_for_is_a_request_even_when_everything_was_understood(tmp_path: Path) -> None:
    asked = _rule("TST001", "8.1", '{ kind = "exists" }', type_="work_instruction", extra='when_absent = "request"')
    faulted = _rule("TST002", "8.1", '{ kind = "exists" }', type_="quality_plan")
    _pack(tmp_path, "8.1", "8.1", asked, faulted)
    report = check_items(tmp_path, [item("procedure", "qp01")], as_of=AS_OF)
    grades = {f.rule_id: f.grade for f in report.findings}
    assert grades == {"TST001": Grade.REQUEST, "TST002": Grade.MAJOR}
    [request] = [f for f in report.findings if f.rule_id == "TST001"]
    assert "show the auditor this evidence" in request.statement
    assert "If it does not exist, this is a major nonconformity." in request.statement


def test_a_condition_if_kept_is_judged_only_in_a_register_that_keeps_the_field(tmp_path: Path) -> None:
    check = (
        '{ kind = "each", require = [{ field = "responded", present = true }, '
        '{ field = "response", present = true, if_kept = true, label = "the response given" }] }'
    )
    _pack(tmp_path, "9.1", "9.1", _rule("TST001", "9.1.2", check, type_="complaint"))
    kept = [
        item("complaint", "c1", responded=date(2026, 1, 5), response="Replaced"),
        item("complaint", "c2", responded=date(2026, 2, 6)),
    ]
    [finding] = check_items(tmp_path, kept, as_of=AS_OF).findings
    assert [ref.id for ref in finding.evidence] == ["test:c2"] and "the response given" in finding.statement
    # A register with no column for the answer is not faulted for it.
    unkept = [item("complaint", "c1", responded=date(2026, 1, 5)), item("complaint", "c2", responded=date(2026, 2, 6))]
    assert check_items(tmp_path, unkept, as_of=AS_OF).findings == []


def test_a_deadline_is_met_by_a_close_or_else_by_an_answer(tmp_path: Path) -> None:
    check = '{ kind = "within", start = "issued", end = ["completed", "responded"] }'
    extra = 'parameter = "complaint_closure_time"'
    rule = _rule("TST001", "9.1.2", check, type_="complaint", extra=extra).replace(
        'source = "iso9001"', 'source = "organisation"'
    )
    _pack(tmp_path, "9.1", "9.1", rule)
    complaints = [
        item("complaint", "answered", issued=date(2026, 1, 8), responded=date(2026, 1, 22)),
        item("complaint", "closed", issued=date(2026, 1, 8), completed=date(2026, 1, 30)),
        item("complaint", "open", issued=date(2026, 1, 20)),
    ]
    organisation = Organisation.model_validate({"parameters": {"complaint_closure_time": "P30D"}})
    [finding] = check_items(tmp_path, complaints, as_of=AS_OF, organisation=organisation).findings
    assert [ref.id for ref in finding.evidence] == ["test:open"]
    assert "no completed date or responded by 2026-03-31" in finding.statement


def test_a_finding_carries_its_population_failing_instances_and_the_values_judged(tmp_path: Path) -> None:
    check = '{ kind = "each", require = [{ field = "due", on_or_after = "as_of", label = "a due date not passed" }] }'
    _pack(tmp_path, "7.1", "7.1", _rule("TST001", "7.1.5", check, type_="calibration_record"))
    gauges = [item("calibration_record", f"g{n}", due=date(2026, 6 + n % 6, 1 + n % 28)) for n in range(1, 40)]
    gauges.append(item("calibration_record", "g40", due=date(2026, 1, 15)))
    [finding] = check_items(tmp_path, gauges, as_of=AS_OF).findings
    # One overdue gauge among forty: an isolated lapse, and the JSON says so in fields.
    assert (finding.grade, finding.population, finding.failing) == (Grade.MINOR, 40, 1)
    [instance] = finding.instances
    assert (instance.rule_id, instance.evidence) == ("TST001", ["test:g40"])
    assert [(v.field, v.value, v.days_past) for v in instance.values] == [("due", "2026-01-15", 75)]
    assert "due date 2026-01-15, 75 days past" in finding.statement and "1 of 40" in finding.statement


def _base_pack() -> list[RulePack]:
    return [base_pack()]


def test_a_rule_waiting_for_an_unstated_parameter_is_listed_as_not_run_and_runs_once_stated() -> None:
    old_minutes = item("management_review_minutes", "mr-2025-07", issued=date(2025, 7, 2))
    report = check_items(_base_pack(), [old_minutes], as_of=AS_OF)
    [waiting] = [rule for rule in report.rules_not_run if rule.rule_id == "MRV005"]
    assert "management_review_interval" in waiting.reason
    assert "MRV005" not in {f.rule_id for f in report.findings}
    organisation = Organisation.model_validate(
        {"parameters": {"management_review_interval": "P6M", "source": "QP-09: twice a year"}}
    )
    stated = check_items(_base_pack(), [old_minutes], as_of=AS_OF, organisation=organisation)
    [finding] = [f for f in stated.findings if f.rule_id == "MRV005" or "MRV005" in f.also_reported_by]
    assert finding.grade is Grade.MINOR and "6 months" in finding.statement
    assert "MRV005" not in {rule.rule_id for rule in stated.rules_not_run}


def test_no_management_review_at_all_is_one_finding_however_many_rules_look() -> None:
    report = check_items(_base_pack(), [item("procedure", "qp09")], as_of=AS_OF)
    held = [f for f in report.findings if f.clause == "9.3.1"]
    assert len(held) == 1 and held[0].grade is Grade.MAJOR
    assert {held[0].rule_id, *held[0].also_reported_by} == {"MRV001", "MRV004"}


def test_a_register_whose_columns_were_not_understood_is_asked_about_not_faulted(tmp_path: Path) -> None:
    check = (
        '{ kind = "each", require = [{ field = "effectiveness", present = true, label = "an effectiveness check" }] }'
    )
    _pack(tmp_path, "10.2", "10.2", _rule("TST001", "10.2.2", check))

    def row(number: int, **columns: str) -> EvidenceItem:
        found = item("nonconformity", f"nc{number}", reference=f"NC-{number}", **columns)
        return found.model_copy(
            update={"provenance": Provenance(connector="test", locator=Locator(path="NK.xlsx", sheet="NK", row=number))}
        )

    # "Wirksamkeit geprüft" read as an unknown column: the effectiveness check may well be there.
    rows = [row(n, wirksamkeit_gepr="ja") for n in (2, 3, 4)]
    [finding] = check_items(tmp_path, rows, as_of=AS_OF).findings
    assert finding.grade is Grade.REQUEST
    assert "'wirksamkeit gepr'" in finding.statement and "this is a major nonconformity" in finding.statement
    assert "NK.xlsx [NK]" in finding.statement
    # Every column understood, and none records it: the register really does not, a breakdown.
    [finding] = check_items(tmp_path, [row(n) for n in (2, 3, 4)], as_of=AS_OF).findings
    assert finding.grade is Grade.MAJOR


def _purchasing_share(tmp_path: Path, sentence: str) -> Path:
    share = tmp_path / "share"
    (share / "Procedimientos").mkdir(parents=True)
    (share / "Registros").mkdir()
    (share / "Procedimientos" / "PG-04 Compras y evaluación de proveedores.md").write_text(
        "# PG-04 Compras y evaluación de proveedores\n\nEstado: En vigor\n\n## 1. Objeto\n"
        f"Asegurar que lo comprado cumple.\n\n## 2. Desarrollo\n{sentence}\n\n## 3. Registros\nRegistro de proveedores.\n",
        encoding="utf-8",
    )
    (share / "Registros" / "Proveedores homologados.csv").write_text(
        "Proveedor;Relevante para la calidad;Última evaluación;Último pedido\n"
        "Aceros del Jalón;Sí;05/11/2024;10/03/2026\n"
        "Transportes Huerva;Sí;02/12/2025;27/03/2026\n",
        encoding="utf-8",
    )
    return share


def test_the_organisations_own_interval_is_read_from_its_purchasing_procedure(tmp_path: Path) -> None:
    share = _purchasing_share(tmp_path, "Los proveedores se evalúan una vez al año (plazo, calidad, servicio).")
    report = scan_report(share, share.parent)
    parameters = report["organisation"]["parameters"]
    assert parameters["supplier_reevaluation_interval"] == "P12M"
    assert "se evalúan una vez al año" in parameters["stated_in"]["supplier_reevaluation_interval"]
    found = report["findings"]
    [finding] = [f for f in found if "SUP006" in (f["rule_id"], *f["also_reported_by"])]
    assert finding["grade"] == "minor" and "Aceros del Jalón" in finding["statement"]
    assert "PG-04" in finding["statement"]


def test_a_sentence_with_two_frequencies_states_no_interval(tmp_path: Path) -> None:
    share = _purchasing_share(
        tmp_path, "Los proveedores críticos se evalúan cada seis meses y los demás proveedores una vez al año."
    )
    report = scan_report(share, share.parent)
    assert report["organisation"]["parameters"]["supplier_reevaluation_interval"] is None
    assert "SUP006" in {rule["rule_id"] for rule in report["rules_not_run"]}


def _gauge(number: int, site: str, due: date) -> EvidenceItem:
    found = item("calibration_record", f"g{number}", site=site, due=due)
    locator = Locator(path="Calibration Log.xlsx", sheet="Gauges", row=number)
    return found.model_copy(update={"provenance": Provenance(connector="test", locator=locator)})


def test_failures_are_one_finding_per_site_and_a_requirement_failing_at_every_site_is_major(tmp_path: Path) -> None:
    check = '{ kind = "each", require = [{ field = "due", on_or_after = "as_of", label = "a due date not passed" }] }'
    _pack(tmp_path, "7.1", "7.1", _rule("TST001", "7.1.5", check, type_="calibration_record"))
    current = [_gauge(n, "Leeds" if n % 2 else "York", date(2026, 9, 1)) for n in range(2, 40)]
    overdue_at_leeds = [_gauge(41, "Leeds", date(2026, 1, 15))]
    two_sites = Organisation.model_validate({"sites": ["Leeds", "York"]})
    [finding] = check_items(tmp_path, current + overdue_at_leeds, as_of=AS_OF, organisation=two_sites).findings
    assert finding.grade is Grade.MINOR and "At site Leeds: not met" in finding.statement
    # One overdue gauge at each site: each site's lapse is small, but the requirement fails everywhere.
    overdue_everywhere = [*overdue_at_leeds, _gauge(42, "York", date(2026, 2, 1))]
    findings = check_items(tmp_path, current + overdue_everywhere, as_of=AS_OF, organisation=two_sites).findings
    assert sorted((f.grade.value, f.statement.split("At site ")[1][:4]) for f in findings) == [
        ("major", "Leed"),
        ("major", "York"),
    ]
    assert all("fails at every site (Leeds, York)" in f.statement for f in findings)


def test_a_certification_body_major_still_open_past_its_deadline_is_major_in_any_language(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    (share / "Registro de no conformidades.csv").write_text(
        "Nº NC;Origen;Clasificación;Descripción;Fecha de apertura;Fecha límite;Estado\n"
        "NC-2025-21;Auditoría externa;Mayor;Sin evaluación de proveedores;20/10/2025;15/01/2026;Abierta\n"
        "NC-2025-22;Auditoría externa;Menor;Registro de formación incompleto;20/10/2025;15/04/2026;Abierta\n"
        "NC-2025-23;Auditoría interna;Menor;Etiqueta ilegible;03/11/2025;30/11/2025;Cerrada\n",
        encoding="utf-8",
    )
    report = scan_report(share, share.parent)
    [finding] = [f for f in report["findings"] if "NCR008" in (f["rule_id"], *f["also_reported_by"])]
    assert finding["grade"] == "major"
    assert [ref["label"] for ref in finding["evidence"]] == ["NC-2025-21"]


def test_a_subject_phrase_another_topic_also_claims_still_states_the_interval(tmp_path: Path) -> None:
    # "evaluación de proveedores" is a review input among every topic; here it names the subject.
    share = _purchasing_share(tmp_path, "La evaluación de proveedores se realiza una vez al año.")
    parameters = scan_report(share, share.parent)["organisation"]["parameters"]
    assert parameters["supplier_reevaluation_interval"] == "P12M"
