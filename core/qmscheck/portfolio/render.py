"""The portfolio report as JSON, CSV and one self-contained HTML page.

The portfolio report is in English: the words of its frame are not in the message catalogs yet
(docs/portfolio.md). Each organisation's own reports are in its language.

Every text from a portfolio file or a scan is escaped and made one inert line (as the HTML report
does: :func:`qmscheck.rendering.html.escape`); a CSV cell that a spreadsheet would read as a formula
is written as text.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json

from qmscheck.model.report import ReportSummary
from qmscheck.portfolio.report import OrganisationRow, PortfolioReport, StageVerdict
from qmscheck.rendering.html import escape
from qmscheck.rendering.html_assets import STYLE
from qmscheck.support.safe_text import one_line

__all__ = [
    "ORGANISATION_COLUMNS",
    "PORTFOLIO_BASENAME",
    "render_csv",
    "render_findings_csv",
    "render_html",
    "render_json",
]

#: The portfolio report's files: portfolio.json, portfolio.csv, portfolio-findings.csv, portfolio.html.
PORTFOLIO_BASENAME = "portfolio"


def render_json(report: PortfolioReport) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


#: The columns of portfolio.csv, one row per organisation (docs/portfolio.md says what each means).
ORGANISATION_COLUMNS = (
    "organisation",
    "folder",
    "target",
    "as_of",
    "next_audit",
    "audit_kind",
    "audit_stage",
    "days_until_audit",
    "at_risk",
    "at_risk_reason",
    "audit_verdict",
    "stage1_verdict",
    "stage2_verdict",
    "major",
    "minor",
    "request",
    "observation",
    "ofi",
    "evidence_files",
    "evidence_recognised",
    "evidence_percent",
    "unlisted_folders",
    "error_kind",
    "error",
)

_GRADES = tuple(ReportSummary.model_fields)


def _cell(value: object) -> str:
    """A CSV cell: one inert line; text a spreadsheet would take for a formula starts with '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = one_line(str(value))
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@"):
        return "'" + text
    return text


def _status(row: OrganisationRow, stage: int) -> str | None:
    return next((v.status for v in row.verdicts if v.stage == stage), None)


def _csv(header: tuple[str, ...], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


def render_csv(report: PortfolioReport) -> str:
    """One row per organisation, in the report's order."""
    rows: list[list[object]] = []
    for row in report.organisations:
        audit, summary, evidence, error = row.next_audit, row.summary, row.evidence, row.error
        rows.append(
            [
                row.name,
                row.slug,
                row.target,
                row.as_of,
                audit.date if audit else None,
                audit.kind if audit else None,
                audit.stage if audit else None,
                row.days_until_audit,
                row.at_risk,
                row.at_risk_reason,
                row.audit_verdict,
                _status(row, 1),
                _status(row, 2),
                *(getattr(summary, grade) if summary else None for grade in _GRADES),
                evidence.files if evidence else None,
                evidence.recognised if evidence else None,
                evidence.percent if evidence else None,
                evidence.unlisted_folders if evidence else None,
                error.kind if error else None,
                error.message if error else None,
            ]
        )
    return _csv(ORGANISATION_COLUMNS, rows)


def render_findings_csv(report: PortfolioReport) -> str:
    """The rules with findings, most organisations first."""
    rows: list[list[object]] = [
        [f.standard, f.rule_id, f.clause, f.title, f.organisations, "; ".join(f.names)]
        for f in report.frequent_findings
    ]
    return _csv(("standard", "rule_id", "clause", "title", "organisations", "names"), rows)


_EXTRA_STYLE = """
.at-risk td:first-child { border-left: 4px solid #b42318; }
.tag { display: inline-block; border-radius: 4px; padding: 0 .35rem; font-size: .85em; font-weight: 600; }
.tag.not-ready, .tag.risk { background: #fef3f2; color: #b42318; }
.tag.conditional { background: #fffaeb; color: #b54708; }
.tag.unconfirmed { background: #f9f5ff; color: #6941c6; }
.tag.ready { background: #ecfdf3; color: #067647; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.error { color: #b42318; }
"""
_PAGE_STYLE = STYLE + _EXTRA_STYLE
#: No script, no network: only the inlined stylesheet (by hash) may apply.
_POLICY = (
    "default-src 'none'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(_PAGE_STYLE.encode("utf-8")).digest()).decode("ascii")
    + "'; script-src 'none'; base-uri 'none'; form-action 'none'"
)

_STATUS_WORDS = {
    "not-ready": "Not ready",
    "unconfirmed": "Not established",
    "conditional": "Conditional",
    "ready": "Ready",
}


def _verdict_cell(verdict: StageVerdict | None) -> str:
    if verdict is None:
        return '<td class="none">-</td>'
    word = _STATUS_WORDS[verdict.status]
    return f'<td><span class="tag {verdict.status}" title="{escape(verdict.headline)}">{escape(word)}</span></td>'


def _organisation_row(row: OrganisationRow) -> str:
    html_report = next((path for path in row.reports if path.endswith(".html")), None)
    name = escape(row.name)
    if html_report is not None:
        name = f'<a href="{escape(html_report)}">{name}</a>'
    audit = row.next_audit
    when = (
        f"{escape(audit.date.isoformat())}<br><small>{escape(audit.kind)}, stage {audit.stage}</small>"
        if audit
        else "-"
    )
    days = "-" if row.days_until_audit is None else str(row.days_until_audit)
    risk = (
        f'<span class="tag risk">at risk</span><br><small>{escape(row.at_risk_reason or "")}</small>'
        if row.at_risk
        else "no"
    )
    verdicts = {v.stage: v for v in row.verdicts}
    summary = row.summary
    counts = "".join(
        f'<td class="n">{getattr(summary, grade)}</td>' if summary else '<td class="n">-</td>' for grade in _GRADES
    )
    evidence = row.evidence
    understood = (
        f"{evidence.percent if evidence.percent is not None else '-'}%"
        f"<br><small>{evidence.recognised} of {evidence.files} files</small>"
        if evidence
        else "-"
    )
    error = f'<span class="error">{escape(row.error.kind)}</span>' if row.error else ""
    return (
        f'<tr class="{"at-risk" if row.at_risk else ""}"><td>{name}</td><td>{when}</td><td class="n">{days}</td>'
        f"<td>{risk}</td>{_verdict_cell(verdicts.get(1))}{_verdict_cell(verdicts.get(2))}{counts}"
        f'<td class="n">{understood}</td><td>{error}</td></tr>'
    )


def _cards(report: PortfolioReport) -> str:
    totals = report.totals
    cards = [
        ("Organisations", totals.organisations),
        ("Scanned", totals.scanned),
        ("Could not be scanned", totals.failed),
        ("At risk", totals.at_risk),
        ("Majors", totals.findings.major),
        ("Minors", totals.findings.minor),
    ]
    body = "".join(f'<div class="count"><span class="n">{n}</span>{escape(label)}</div>' for label, n in cards)
    return f'<section class="counts" aria-label="Totals">{body}</section>'


def _organisations(report: PortfolioReport) -> str:
    head = (
        "<th>Organisation</th><th>Next audit</th><th>Days</th><th>At risk</th><th>Stage 1</th><th>Stage 2</th>"
        "<th>Major</th><th>Minor</th><th>Requests</th><th>Obs.</th><th>OFI</th><th>Evidence understood</th>"
        "<th>Error</th>"
    )
    rows = "".join(_organisation_row(row) for row in report.organisations)
    return (
        f'<section id="organisations"><h2>Organisations</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _frequent(report: PortfolioReport) -> str:
    if not report.frequent_findings:
        return '<section id="frequent"><h2>Most frequent findings</h2><p class="none">No findings.</p></section>'
    total = report.totals.organisations
    rows = "".join(
        f"<tr><td><code>{escape(f.rule_id)}</code></td><td>{escape(f.clause)}</td><td>{escape(f.title)}</td>"
        f'<td class="n">{f.organisations} of {total}</td><td>{escape(", ".join(f.names))}</td></tr>'
        for f in report.frequent_findings
    )
    head = "<th>Rule</th><th>Clause</th><th>Title</th><th>Organisations</th><th>Which</th>"
    return (
        '<section id="frequent"><h2>Most frequent findings</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _errors(report: PortfolioReport) -> str:
    failed = [row for row in report.organisations if row.error is not None]
    if not failed:
        return ""
    items = "".join(
        f"<li><strong>{escape(row.name)}</strong> ({escape(row.error.kind)}): "
        f"{'<br>'.join(escape(line) for line in row.error.message.splitlines())}</li>"
        for row in failed
        if row.error is not None
    )
    return f'<section id="errors"><h2>Organisations with errors</h2><ul>{items}</ul></section>'


def render_html(report: PortfolioReport) -> str:
    title = escape(f"Portfolio readiness: {report.name}")
    as_of = f"As of {report.as_of.isoformat()}" if report.as_of else "Each organisation as of its own day"
    meta = escape(
        f"{as_of} · {report.totals.organisations} organisations · at risk: the next audit within "
        f"{report.at_risk_days} days and its stage's readiness not ready or not established · "
        f"qmscheck {report.tool_version}"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{_PAGE_STYLE}</style></head><body>",
        f'<header><h1>{title}</h1><p class="meta">{meta}</p></header>',
        _cards(report),
        _organisations(report),
        _frequent(report),
        _errors(report),
        "</body></html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"
