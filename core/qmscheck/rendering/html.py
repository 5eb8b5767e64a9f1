"""One self-contained HTML page for the quality manager: verdict, heat-map, gap analysis, findings, what
to verify on site, and, folded (``<details>``), the rules that passed and those that did not run.

Nothing is loaded from anywhere (styles and script are inline, pinned by a
Content-Security-Policy), so the file can be mailed, archived with the audit file, or
opened offline. Every string from the report goes through :func:`html.escape`: evidence
is written by people and tools we do not control.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from qmscheck.model.grades import GRADE_ORDER, Grade
from qmscheck.model.report import Finding, Report, clause_key
from qmscheck.rendering.gaps import OTHER, gap_analysis
from qmscheck.rendering.html_assets import CONTENT_SECURITY_POLICY, SCRIPT, STYLE
from qmscheck.rendering.readiness import (
    CLAUSE_TITLES,
    Verdict,
    grade_counts,
    not_run_rule_rows,
    passed_rule_rows,
    plural,
    sorted_findings,
    top_clause,
    verdict,
)

HEATMAP_CLAUSES: tuple[str, ...] = ("4", "5", "6", "7", "8", "9", "10")
GRADE_HEADINGS = {
    Grade.MAJOR: "Major",
    Grade.MINOR: "Minor",
    Grade.REQUEST: "Request",
    Grade.OBSERVATION: "Observation",
    Grade.OFI: "OFI",
}


def _heat_level(count: int) -> str:
    return "h0" if count == 0 else "h1" if count == 1 else "h2" if count <= 3 else "h3"


def _grade_tag(grade: Grade) -> str:
    return f'<span class="grade-tag {grade.value}">{escape(GRADE_HEADINGS[grade])}</span>'


def _verdict_card(card: Verdict) -> str:
    caveat = f'<p class="caveat">{escape(card.caveat)}</p>' if card.caveat else ""
    return (
        f'<div class="verdict {card.status}" data-stage="{card.stage}"><h2>Stage {card.stage} audit</h2>'
        f'<p class="headline">{escape(card.headline)}</p>{caveat}</div>'
    )


def _counts(findings: list[Finding]) -> str:
    tiles = "".join(
        f'<div class="count {grade.value}" data-grade="{grade.value}"><span class="n">{count}</span>'
        f"{escape(grade.label)}</div>"
        for grade, count in grade_counts(findings).items()
    )
    return f'<section id="counts" class="counts" aria-label="Findings per grade">{tiles}</section>'


def _heatmap(findings: list[Finding]) -> str:
    counts: dict[tuple[str, Grade], int] = {}
    for finding in findings:
        key = (top_clause(finding.clause), finding.grade)
        counts[key] = counts.get(key, 0) + 1
    extra = sorted({clause for clause, _ in counts} - set(HEATMAP_CLAUSES), key=clause_key)
    head = "".join(f'<th scope="col">{escape(GRADE_HEADINGS[grade])}</th>' for grade in GRADE_ORDER)
    rows = []
    for clause in (*HEATMAP_CLAUSES, *extra):
        cells = []
        for grade in GRADE_ORDER:
            count = counts.get((clause, grade), 0)
            cells.append(
                f'<td class="heat {grade.value} {_heat_level(count)}" data-grade="{grade.value}" '
                f'data-count="{count}">{count}</td>'
            )
        total = sum(counts.get((clause, grade), 0) for grade in GRADE_ORDER)
        title = CLAUSE_TITLES.get(clause, "")
        rows.append(
            f'<tr data-clause="{escape(clause)}"><th scope="row">{escape(clause)} {escape(title)}</th>'
            f'{"".join(cells)}<td data-count="{total}">{total}</td></tr>'
        )
    return (
        '<section id="heatmap"><h2>Clause heat-map</h2><table class="heatmap">'
        f'<thead><tr><th scope="col">Clause</th>{head}<th scope="col">Total</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _gap_item(finding: Finding) -> str:
    return (
        f"<li>{_grade_tag(finding.grade)} {escape(finding.clause)} {escape(finding.rule_id)} "
        f'<a href="#finding-{escape(finding.id)}">{escape(finding.title)}</a></li>'
    )


def _gaps(findings: list[Finding]) -> str:
    blocks = []
    for group, members in gap_analysis(findings):
        if group is OTHER and not members:
            continue
        body = f"<ul>{''.join(_gap_item(f) for f in members)}</ul>" if members else '<p class="none">No findings.</p>'
        blocks.append(
            f'<div class="gap" id="gap-{group.key}" data-count="{len(members)}"><h3>{escape(group.title)} '
            f'<span class="badge">{len(members)}</span></h3>{body}</div>'
        )
    return (
        '<section id="gap-analysis"><h2>Gap analysis</h2>'
        '<p class="meta">Findings grouped by the kind of work that closes them. A finding about something '
        'missing altogether is listed under "Missing documents" as well as under its topic.</p>'
        f'<div class="gaps">{"".join(blocks)}</div></section>'
    )


def _evidence_list(finding: Finding) -> str:
    items = []
    for ref in finding.evidence:
        digest = f'<br><code class="sha256">sha256:{escape(ref.sha256)}</code>' if ref.sha256 else ""
        items.append(
            f'<li><span class="label">{escape(ref.label)}</span>: '
            f'<span class="locator">{escape(ref.locator)}</span>{digest}</li>'
        )
    if finding.absence:
        items.append(f'<li class="absence">Not found: {escape(finding.absence)}</li>')
    return f"<ul>{''.join(items)}</ul>" if items else "-"


def _finding_row(finding: Finding) -> str:
    return (
        f'<tr id="finding-{escape(finding.id)}" class="finding" data-grade="{finding.grade.value}">'
        f"<td>{_grade_tag(finding.grade)}</td><td>{escape(finding.clause)}</td>"
        f"<td><code>{escape(finding.rule_id)}</code></td>"
        f'<td><strong>{escape(finding.title)}</strong><p class="statement">{escape(finding.statement)}</p>'
        f'<p class="fix">Fix: {escape(finding.fix)}</p></td>'
        f"<td>{_evidence_list(finding)}</td></tr>"
    )


def _findings_table(findings: list[Finding]) -> str:
    boxes = "".join(
        f'<label><input type="checkbox" value="{grade.value}" checked> {escape(GRADE_HEADINGS[grade])}</label>'
        for grade in GRADE_ORDER
    )
    return (
        '<section id="findings"><h2>Findings</h2>'
        f'<div id="filters" class="filters">{boxes}'
        '<label>Filter <input type="search" id="filter-text" placeholder="clause, rule, evidence, text"></label>'
        f'<span id="shown-count" class="meta">{plural(len(findings), "finding")}</span></div>'
        '<table id="findings-table" class="findings"><thead><tr><th scope="col">Grade</th>'
        '<th scope="col">Clause</th><th scope="col">Rule</th><th scope="col">Finding</th>'
        '<th scope="col">Evidence (locator, sha256)</th></tr></thead>'
        f"<tbody>{''.join(_finding_row(f) for f in findings)}</tbody></table></section>"
    )


def _not_applicable(report: Report) -> str:
    if not report.not_applicable:
        return ""
    rows = "".join(
        f"<tr><td>{escape(n.clause)}</td><td>{escape(n.justification)}</td>"
        f"<td>{escape(', '.join(n.rule_ids))}</td></tr>"
        for n in sorted(report.not_applicable, key=lambda n: clause_key(n.clause))
    )
    return (
        '<section id="not-applicable"><h2>Not applicable</h2><table><thead><tr><th scope="col">Clause</th>'
        f'<th scope="col">Justification</th><th scope="col">Rules</th></tr></thead><tbody>{rows}</tbody></table>'
        "</section>"
    )


def _manual_checks(report: Report) -> str:
    if not report.manual_checks:
        return ""
    blocks = []
    for check in sorted(report.manual_checks, key=lambda check: clause_key(check.clause)):
        questions = "".join(f"<li>{escape(question)}</li>" for question in check.questions)
        evidence = "".join(f"<li>{escape(item)}</li>" for item in check.evidence)
        blocks.append(
            f'<details class="manual" data-clause="{escape(check.clause)}"><summary>{escape(check.clause)} '
            f"{escape(check.title)}</summary><h3>Ask</h3><ul>{questions}</ul>"
            f"<h3>Request</h3><ul>{evidence}</ul></details>"
        )
    return (
        f'<section id="manual-checks"><h2>To verify on site ({len(report.manual_checks)})</h2>'
        '<p class="meta">No evidence rule checks these requirements: an auditor verifies them by interview and '
        "observation. They are neither passed nor findings.</p>"
        f"{''.join(blocks)}</section>"
    )


def _folded(section: str, heading: str, summary: str, columns: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    head = "".join(f'<th scope="col">{escape(column)}</th>' for column in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return (
        f'<section id="{section}"><h2>{escape(heading)}</h2><details><summary>{escape(summary)}</summary>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details></section>"
    )


def _rules_passed(report: Report) -> str:
    rows = passed_rule_rows(report)
    if not rows:
        return ""
    return _folded(
        "rules-passed",
        f"Rules that passed ({len(rows)})",
        "Ran and found nothing; the evidence each read",
        ("Clause", "Rule", "Title", "Evidence read"),
        rows,
    )


def _rules_not_run(report: Report) -> str:
    rows = not_run_rule_rows(report)
    if not rows:
        return ""
    return _folded(
        "rules-not-run",
        f"Rules that did not run ({len(rows)})",
        "Not applicable, or for another audit stage",
        ("Clause", "Rule", "Title", "Why not"),
        rows,
    )


def _warnings(report: Report) -> str:
    if not report.warnings:
        return ""
    items = "".join(
        f"<li><code>{escape(w.locator)}</code> ({escape(w.connector)}): {escape(w.message)}</li>"
        for w in sorted(report.warnings, key=lambda w: (w.locator, w.connector, w.message))
    )
    return (
        f'<section id="warnings"><h2>Evidence that could not be read ({len(report.warnings)})</h2>'
        f"<ul>{items}</ul></section>"
    )


def _provenance(report: Report) -> str:
    sources = "".join(
        f"<li>{escape(s.connector)}: <code>{escape(s.location)}</code> ({plural(s.items, 'item')})</li>"
        for s in report.sources
    )
    packs = "".join(f"<li>{escape(p.name)} {escape(p.version)} ({plural(p.rules, 'rule')})</li>" for p in report.packs)
    facts = [
        ("Organisation", escape(report.organisation.name)),
        ("Scope", escape(report.organisation.scope) or "-"),
        ("As of", report.as_of.isoformat()),
        ("Audit stage scanned", str(report.stage)),
        ("Edition", f"ISO 9001:{escape(report.edition)}"),
        ("Sources", f"<ul>{sources}</ul>" if sources else "-"),
        ("Evidence items", str(report.evidence_count)),
        ("Rule packs", f"<ul>{packs}</ul>" if packs else "-"),
        ("Rules evaluated", str(report.rules_evaluated)),
        ("Rules passed", str(len(report.rules_passed))),
        ("To verify on site", str(len(report.manual_checks))),
        ("Tool", f"qmscheck {escape(report.tool_version)}, report schema {escape(report.schema_version)}"),
    ]
    if report.generated_at:
        facts.append(("Generated at", escape(report.generated_at)))
    body = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts)
    return f'<section id="provenance"><h2>Provenance</h2><dl class="provenance">{body}</dl></section>'


class HtmlRenderer:
    name = "html"
    extension = "html"

    def render(self, report: Report, *, color: bool = False) -> str:
        findings = sorted_findings(report)
        org = escape(report.organisation.name)
        verdicts = "".join(_verdict_card(verdict(report, stage)) for stage in (1, 2))
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>ISO 9001 readiness: {org}</title>",
            f"<style>{STYLE}</style></head><body>",
            f"<header><h1>ISO 9001 readiness: {org}</h1>",
            f'<p class="meta">As of {report.as_of.isoformat()} · ISO 9001:{escape(report.edition)} · '
            f"stage {report.stage} scan · {plural(report.evidence_count, 'evidence item')} · "
            f"qmscheck {escape(report.tool_version)}</p></header>",
            f'<section id="verdicts" class="verdicts" aria-label="Readiness">{verdicts}</section>',
            _counts(findings),
            _heatmap(findings),
            _gaps(findings),
            _findings_table(findings),
            _manual_checks(report),
            _rules_passed(report),
            _rules_not_run(report),
            _not_applicable(report),
            _warnings(report),
            _provenance(report),
            f"<script>{SCRIPT}</script>",
            "</body></html>",
        ]
        return "\n".join(part for part in parts if part) + "\n"
