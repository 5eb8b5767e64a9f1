"""The on-site checklist: what the scan could not settle, as questions to ask and evidence to request.

Two kinds of line: each manual check of the report (a clause no evidence rule checks) and each
evidence request (a requirement whose evidence the scan did not find while it could not read or
recognise everything). Each line says what to ask, what to ask to see and whom to ask, and leaves
the answer columns empty: Result (conforms, nonconformity, not seen), Notes, Verified by.

Whom to ask comes from the evidence, when given: the owners and approvers of the documents the
line is about (those a request cites, and those of the evidence types the clause's rules read),
and the roles that own documents and name one of the organisation's processes the line mentions
(a "Purchasing Manager" for a question about purchasing). Where nothing names anyone, the owner
and approver of the quality manual are the people answerable for the system as a whole.

Answers come back as decisions (``qmscheck.decisions.toml``, :mod:`qmscheck.auditing.decisions`):
an evidence request whose evidence was shown on site is refuted; one confirmed missing is verified
as a finding. Manual checks have no finding to decide on, so their answers stay in the workbook.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

from qmscheck.auditing.decisions import Decision, Decisions, load_decisions
from qmscheck.errors import QmscheckError
from qmscheck.model.evidence import EvidenceItem, Kind
from qmscheck.model.grades import Grade
from qmscheck.model.report import Finding, Report, clause_key
from qmscheck.support.atomic import write_atomically

__all__ = [
    "ANSWER_COLUMNS",
    "CHECKLIST_FORMATS",
    "RESULTS",
    "Checklist",
    "ChecklistLine",
    "checklist_xlsx",
    "import_answers",
    "make_checklist",
    "render_checklist",
]

CHECKLIST_FORMATS: Final = ("md", "html", "xlsx")
RESULTS: Final = ("conforms", "nonconformity", "not seen")
ANSWER_COLUMNS: Final = ("Result", "Notes", "Verified by")
COLUMNS: Final = ("No", "Kind", "Clause", "Title", "Question", "Evidence to request", "Ask", "Fingerprint")
#: The workbook's dates: fixed, so the same checklist is the same bytes.
WORKBOOK_DATE: Final = datetime(2000, 1, 1)
NO_ROLES: Final = "not known: give the evidence (--evidence) to name the roles from the documents"


class ChecklistLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: int
    kind: Literal["manual check", "evidence request"]
    standard: str
    clause: str
    title: str
    question: str
    evidence: str
    ask: list[str]
    fingerprint: str


class Checklist(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: str
    as_of: date
    lines: list[ChecklistLine]


# --- whom to ask -------------------------------------------------------------------------------


def _covers(rule_clause: str, clause: str) -> bool:
    return rule_clause == clause or rule_clause.startswith(clause + ".") or clause.startswith(rule_clause + ".")


def _roles_of(documents: Iterable[EvidenceItem]) -> list[str]:
    roles: dict[str, None] = {}
    for item in documents:
        if item.owner:
            roles[f"{item.owner}: owner of {item.title or item.document_number}"] = None
        if item.approver:
            roles[f"{item.approver}: approver"] = None
    return list(roles)


class _Roles:
    """Who answers for what, from the evidence items."""

    def __init__(self, report: Report, items: Sequence[EvidenceItem]) -> None:
        self.report = report
        self.by_id = {item.id: item for item in items}
        # Controlled documents: those with a number or an approver (not rows of a register of objectives).
        self.documents = [
            item for item in items if item.kind == Kind.DOCUMENT and (item.document_number or item.approver)
        ]
        self.processes = report.organisation.processes

    def _of_clause(self, clause: str) -> list[EvidenceItem]:
        types = {t for rule in self.report.rules_passed if _covers(rule.clause, clause) for t in rule.evidence.types}
        return [item for item in self.documents if item.type in types]

    def _of_processes(self, text: str) -> list[EvidenceItem]:
        named = [p for p in self.processes if re.search(rf"(?<!\w){re.escape(p)}", text, re.IGNORECASE)]
        return [item for item in self.documents if item.owner and any(p.lower() in item.owner.lower() for p in named)]

    def ask(self, clause: str, text: str, cited: Iterable[str] = ()) -> list[str]:
        cited_items = [self.by_id[ident] for ident in cited if ident in self.by_id]
        roles = _roles_of([*cited_items, *self._of_clause(clause), *self._of_processes(text)])
        if roles:
            return roles
        manual = [item for item in self.documents if item.type == "quality_manual"]
        return [f"{role} (for the QMS as a whole)" for role in _roles_of(manual)]


# --- the checklist -----------------------------------------------------------------------------


def _request_question(finding: Finding) -> str:
    requirement = finding.statement.split(". ", 1)[0].rstrip(".")
    return f"{requirement}. The scan did not find it among what it understood: ask to be shown it."


def _request_evidence(finding: Finding) -> str:
    lines = [finding.absence or finding.title]
    if finding.evidence:
        lines.append("Files that may hold it: " + "; ".join(ref.locator for ref in finding.evidence))
    return "\n".join(lines)


def make_checklist(report: Report, items: Sequence[EvidenceItem] | None = None) -> Checklist:
    """Every manual check and every evidence request of ``report``, in clause order; whom to ask
    from ``items`` (the evidence the scan read), when given."""
    roles = _Roles(report, items) if items is not None else None
    entries: list[tuple[tuple[object, ...], ChecklistLine]] = []
    for check in report.manual_checks:
        text = " ".join([check.title, *check.questions, *check.evidence])
        line = ChecklistLine(
            number=0,
            kind="manual check",
            standard=check.standard,
            clause=check.clause,
            title=check.title,
            question="\n".join(check.questions),
            evidence="\n".join(check.evidence),
            ask=roles.ask(check.clause, text) if roles else [],
            fingerprint="",
        )
        entries.append(((check.standard, clause_key(check.clause), 0, check.title), line))
    for finding in report.findings:
        if finding.grade != Grade.REQUEST:
            continue
        text = f"{finding.title} {finding.statement}"
        cited = [ref.id for ref in finding.evidence]
        line = ChecklistLine(
            number=0,
            kind="evidence request",
            standard=finding.standard,
            clause=finding.clause,
            title=finding.title,
            question=_request_question(finding),
            evidence=_request_evidence(finding),
            ask=roles.ask(finding.clause, text, cited) if roles else [],
            fingerprint=finding.fingerprint or finding.id,
        )
        entries.append(((finding.standard, clause_key(finding.clause), 1, finding.fingerprint), line))
    entries.sort(key=lambda entry: entry[0])
    lines = [line.model_copy(update={"number": number}) for number, (_, line) in enumerate(entries, start=1)]
    return Checklist(organisation=report.organisation.name, as_of=report.as_of, lines=lines)


def _ask_text(line: ChecklistLine) -> str:
    return "\n".join(line.ask) if line.ask else NO_ROLES


def _row(line: ChecklistLine) -> list[str]:
    return [
        str(line.number),
        line.kind,
        line.clause,
        line.title,
        line.question,
        line.evidence,
        _ask_text(line),
        line.fingerprint,
    ]


# --- formats -----------------------------------------------------------------------------------


def _heading(checklist: Checklist) -> str:
    return f"On-site checklist: {checklist.organisation} (scan of {checklist.as_of})"


INTRO: Final = (
    "What the scan could not settle from the files: manual checks (clauses no evidence rule checks) and "
    "evidence requests (evidence not found among what the scan understood). Record a Result for each line: "
    f"{', '.join(RESULTS)}."
)


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def _markdown(checklist: Checklist) -> str:
    head = [*COLUMNS[:7], *ANSWER_COLUMNS]
    out = [f"# {_heading(checklist)}", "", INTRO, "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for line in checklist.lines:
        cells = _row(line)[:7] + [""] * len(ANSWER_COLUMNS)
        out.append("| " + " | ".join(_markdown_cell(cell) for cell in cells) + " |")
    return "\n".join(out) + "\n"


def _html(checklist: Checklist) -> str:
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in (*COLUMNS[:7], *ANSWER_COLUMNS))
    rows = "".join(
        f'<tr data-fingerprint="{escape(line.fingerprint)}">'
        + "".join(f"<td>{escape(cell).replace(chr(10), '<br>')}</td>" for cell in _row(line)[:7])
        + "<td></td>" * len(ANSWER_COLUMNS)
        + "</tr>"
        for line in checklist.lines
    )
    title = escape(_heading(checklist))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{title}</title><style>body{{font-family:system-ui,sans-serif;margin:2em}}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3em .6em;vertical-align:top;"
        "text-align:left}td:nth-child(n+9){min-width:8em}</style></head><body>\n"
        f"<h1>{title}</h1><p>{escape(INTRO)}</p>\n<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        "\n</body></html>\n"
    )


def _stable_zip(data: bytes) -> bytes:
    """The same archive with every entry dated WORKBOOK_DATE and in name order: zip entries carry
    the time they were written, which would make each run's bytes differ."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda entry: entry.filename):
            entry = zipfile.ZipInfo(info.filename, date_time=WORKBOOK_DATE.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def checklist_xlsx(checklist: Checklist) -> bytes:
    """A workbook with one sheet: the lines, then the answer columns with a list of results to choose from."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    workbook.properties.creator = "qmscheck"
    workbook.properties.title = _heading(checklist)
    workbook.properties.created = WORKBOOK_DATE
    workbook.properties.modified = WORKBOOK_DATE
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Checklist"
    sheet.append([*COLUMNS, *ANSWER_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in checklist.lines:
        sheet.append([line.number, *_row(line)[1:], None, None, None])
    widths = {"A": 5, "B": 16, "C": 9, "D": 30, "E": 60, "F": 50, "G": 36, "H": 22, "I": 16, "J": 40, "K": 20}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    results = DataValidation(type="list", formula1='"' + ",".join(RESULTS) + '"', allow_blank=True)
    results.add(f"I2:I{max(2, len(checklist.lines) + 1)}")
    sheet.add_data_validation(results)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _stable_zip(buffer.getvalue())


def render_checklist(checklist: Checklist, format_name: str) -> bytes:
    if format_name == "xlsx":
        return checklist_xlsx(checklist)
    if format_name == "html":
        return _html(checklist).encode()
    if format_name == "md":
        return _markdown(checklist).encode()
    raise QmscheckError(f"unknown checklist format {format_name!r} (known: {', '.join(CHECKLIST_FORMATS)})")


# --- answers back as decisions -----------------------------------------------------------------


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    row: int
    fingerprint: str
    result: str
    notes: str
    by: str


def read_answers(path: Path) -> list[Answer]:
    """The filled lines of evidence requests in a checklist workbook: those with a fingerprint and a result."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise QmscheckError(f"{path}: not a checklist workbook ({exc})") from None
    if "Checklist" not in workbook.sheetnames:
        raise QmscheckError(f"{path}: no sheet named Checklist: not a `qmscheck checklist --format xlsx` workbook")
    rows = list(workbook["Checklist"].iter_rows(values_only=True))
    workbook.close()
    header = [str(cell or "").strip() for cell in rows[0]] if rows else []
    missing = [name for name in ("Fingerprint", *ANSWER_COLUMNS) if name not in header]
    if missing:
        raise QmscheckError(f"{path}: the Checklist sheet has no column {', '.join(missing)}")
    at = {name: header.index(name) for name in ("Fingerprint", *ANSWER_COLUMNS)}
    answers = []
    for number, row in enumerate(rows[1:], start=2):

        def cell(name: str, row: tuple[object, ...] = row) -> str:
            value = row[at[name]] if at[name] < len(row) else None
            return "" if value is None else str(value).strip()

        result = cell("Result").lower()
        if not cell("Fingerprint") or not result:
            continue
        if result not in RESULTS:
            raise QmscheckError(f"{path}: row {number}: Result {result!r} is not one of {', '.join(RESULTS)}")
        answers.append(
            Answer(
                row=number, fingerprint=cell("Fingerprint"), result=result, notes=cell("Notes"), by=cell("Verified by")
            )
        )
    return answers


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def _decision(answer: Answer, on: date | None) -> Decision:
    if answer.result == "conforms":
        status, reason = "refuted", "Evidence shown on site" + (f": {answer.notes}" if answer.notes else "")
    else:
        status, reason = "verified", "Evidence not shown on site: the finding stands"
    return Decision.model_validate(
        {"status": status, "reason": reason, "by": answer.by or None, "date": on, "note": answer.notes or None}
    )


def _decision_table(fingerprint: str, decision: Decision) -> str:
    lines = [f"[findings.{_toml_string(fingerprint)}]"]
    for key, value in decision.model_dump(exclude_none=True).items():
        lines.append(f"{key} = {value.isoformat() if isinstance(value, date) else _toml_string(str(value))}")
    return "\n".join(lines) + "\n"


def import_answers(workbook: Path, decisions_file: Path, on: date | None = None) -> tuple[list[str], list[str]]:
    """Record the answered evidence requests of ``workbook`` in ``decisions_file`` (appended, so its
    comments stay); lines marked "not seen" stay open. Returns the fingerprints recorded and those
    skipped because the file already has a decision for them."""
    answers = [answer for answer in read_answers(workbook) if answer.result != "not seen"]
    unsigned = [str(answer.row) for answer in answers if answer.result == "nonconformity" and not answer.by]
    if unsigned:
        raise QmscheckError(
            f"{workbook}: row {', '.join(unsigned)}: a nonconformity confirmed on site needs Verified by"
        )
    existing = load_decisions(decisions_file) if decisions_file.is_file() else Decisions()
    recorded = [answer for answer in answers if answer.fingerprint not in existing.findings]
    skipped = [answer.fingerprint for answer in answers if answer.fingerprint in existing.findings]
    if recorded:
        before = decisions_file.read_text(encoding="utf-8") if decisions_file.is_file() else ""
        tables = "\n".join(_decision_table(answer.fingerprint, _decision(answer, on)) for answer in recorded)
        joiner = "" if not before or before.endswith("\n\n") else ("\n" if before.endswith("\n") else "\n\n")
        text = before + joiner + tables
        try:
            write_atomically(decisions_file, text)
        except OSError as exc:
            raise QmscheckError(f"cannot write {decisions_file}: {exc.strerror or exc}") from None
    return [answer.fingerprint for answer in recorded], skipped
