"""qmscheck checklist: manual checks and evidence requests as on-site questions, in md, html and xlsx,
and the answers recorded back as decisions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from qmscheck.auditing.checklist import ANSWER_COLUMNS, checklist_xlsx, import_answers, make_checklist, render_checklist
from qmscheck.auditing.decisions import load_decisions
from qmscheck.cli_audit.checklist import checklist_command
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import load_config
from qmscheck.errors import QmscheckError
from qmscheck.model.evidence import EvidenceItem
from qmscheck.model.grades import Grade
from qmscheck.model.groups import items_of
from qmscheck.model.report import Report
from qmscheck.plugins.manager import load_plugins
from qmscheck.scan import ScanRequest, scan

ACME = Path(__file__).resolve().parent.parent / "fixtures" / "acme"


@pytest.fixture(scope="module")
def acme_with_unread(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Acme with one file the scan cannot recognise: an absence there becomes an evidence request."""
    root = tmp_path_factory.mktemp("acme") / "acme"
    shutil.copytree(ACME, root, ignore=shutil.ignore_patterns(".qmscheck"))
    (root / "share" / "doc-17.md").write_text("notes\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def report(acme_with_unread: Path) -> Report:
    return scan(ScanRequest(target=acme_with_unread))


@pytest.fixture(scope="module")
def items(acme_with_unread: Path) -> list[EvidenceItem]:
    return list(items_of(collect(load_config(acme_with_unread), load_plugins(), CollectOptions()).groups))


def test_every_manual_check_and_request_is_a_line(report: Report, items: list[EvidenceItem]) -> None:
    requests = [f for f in report.findings if f.grade == Grade.REQUEST]
    assert requests and report.manual_checks
    checklist = make_checklist(report, items)
    manual = [(line.clause, line.title) for line in checklist.lines if line.kind == "manual check"]
    assert manual == [(check.clause, check.title) for check in report.manual_checks]
    asked = [line.fingerprint for line in checklist.lines if line.kind == "evidence request"]
    assert asked == [f.fingerprint for f in requests]
    assert [line.number for line in checklist.lines] == list(range(1, len(checklist.lines) + 1))
    request = next(line for line in checklist.lines if line.kind == "evidence request")
    assert "doc-17.md" in request.evidence and "ask to be shown" in request.question
    # Whom to ask: the roles in the documents, never empty when the evidence is given.
    assert all(line.ask for line in checklist.lines)
    assert any("Sarah Okafor: approver" in role for line in checklist.lines for role in line.ask)
    purchasing = next(line for line in checklist.lines if line.clause == "8.2.4")
    assert "Purchasing Manager: owner of QP-04 Purchasing and Supplier Control" in purchasing.ask
    markdown = render_checklist(checklist, "md").decode()
    assert "| Result | Notes | Verified by |" in markdown
    html = render_checklist(checklist, "html").decode()
    assert html.count("<tr data-fingerprint=") == len(checklist.lines)


def test_without_evidence_the_lines_say_how_to_name_roles(report: Report) -> None:
    text = render_checklist(make_checklist(report), "md").decode()
    assert "give the evidence (--evidence)" in text


def test_xlsx_has_the_answer_columns_and_the_same_bytes_every_time(tmp_path: Path, report: Report) -> None:
    checklist = make_checklist(report)
    data = checklist_xlsx(checklist)
    assert data == checklist_xlsx(make_checklist(report))
    path = tmp_path / "checklist.xlsx"
    path.write_bytes(data)
    sheet = load_workbook(path)["Checklist"]
    header = [cell.value for cell in sheet[1]]
    assert header[-3:] == list(ANSWER_COLUMNS)
    assert sheet.max_row == len(checklist.lines) + 1
    assert all(cell.value is None for row in sheet.iter_rows(min_row=2, min_col=9) for cell in row)
    assert sheet.data_validations.dataValidation[0].formula1 == '"conforms,nonconformity,not seen"'


def test_answers_come_back_as_decisions(tmp_path: Path, report: Report) -> None:
    workbook_path = tmp_path / "filled.xlsx"
    workbook_path.write_bytes(checklist_xlsx(make_checklist(report)))
    workbook = load_workbook(workbook_path)
    sheet = workbook["Checklist"]
    header = [cell.value for cell in sheet[1]]
    column = {name: header.index(name) + 1 for name in header}
    request_row = next(row[0].row for row in sheet.iter_rows(min_row=2) if row[column["Fingerprint"] - 1].value)
    fingerprint = sheet.cell(request_row, column["Fingerprint"]).value
    sheet.cell(request_row, column["Result"]).value = "conforms"
    sheet.cell(request_row, column["Notes"]).value = 'KPI report "2025-09" shown in the ERP'
    sheet.cell(request_row, column["Verified by"]).value = "J. Auditor"
    sheet.cell(2 if request_row != 2 else 3, column["Result"]).value = "nonconformity"  # a manual check: no decision
    workbook.save(workbook_path)
    decisions_file = tmp_path / "qmscheck.decisions.toml"
    decisions_file.write_text("# Acme's decisions\n", encoding="utf-8")
    result = CliRunner().invoke(
        checklist_command, ["import", str(workbook_path), "--decisions", str(decisions_file), "--date", "2026-04-20"]
    )
    assert result.exit_code == 0, result.output
    assert "1 decision added" in result.output
    decision = load_decisions(decisions_file).findings[str(fingerprint)]
    assert (decision.status, decision.by, str(decision.date)) == ("refuted", "J. Auditor", "2026-04-20")
    assert decision.note == 'KPI report "2025-09" shown in the ERP'
    assert decisions_file.read_text(encoding="utf-8").startswith("# Acme's decisions\n")
    # Imported again, the decision already there is left as it is.
    assert import_answers(workbook_path, decisions_file) == ([], [str(fingerprint)])


def test_a_confirmed_nonconformity_needs_its_verifier(tmp_path: Path, report: Report) -> None:
    path = tmp_path / "filled.xlsx"
    path.write_bytes(checklist_xlsx(make_checklist(report)))
    workbook = load_workbook(path)
    sheet = workbook["Checklist"]
    row = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[7].value)
    sheet.cell(row, 9).value = "nonconformity"
    workbook.save(path)
    with pytest.raises(QmscheckError, match="needs Verified by"):
        import_answers(path, tmp_path / "decisions.toml")
    sheet.cell(row, 9).value = "maybe"
    workbook.save(path)
    with pytest.raises(QmscheckError, match="not one of conforms, nonconformity, not seen"):
        import_answers(path, tmp_path / "decisions.toml")
    (tmp_path / "not.xlsx").write_text("plain text", encoding="utf-8")
    with pytest.raises(QmscheckError, match="not a checklist workbook"):
        import_answers(tmp_path / "not.xlsx", tmp_path / "decisions.toml")


def test_command_writes_each_format(tmp_path: Path, report: Report, acme_with_unread: Path) -> None:
    saved = tmp_path / "scan.json"
    saved.write_text(report.model_dump_json(), encoding="utf-8")
    out = tmp_path / "checklist.xlsx"
    runner = CliRunner()
    result = runner.invoke(checklist_command, [str(saved), "--format", "xlsx", "--output", str(out)])
    assert result.exit_code == 0, result.output
    first = out.read_bytes()
    assert runner.invoke(checklist_command, [str(saved), "--format", "xlsx", "--output", str(out)]).exit_code == 0
    assert out.read_bytes() == first
    result = runner.invoke(checklist_command, [str(saved), "--evidence", str(acme_with_unread)])
    assert result.exit_code == 0 and "Sarah Okafor: approver" in result.output
