"""One self-contained HTML page for the quality manager: verdict, heat-map, gap analysis, findings, what
to verify on site, and, folded (``<details>``), the rules that passed and those that did not run.
Everything is placed by standard, then top-level clause, with the headings of each standard's clause
tree: a heat-map per standard, the findings table in a group per standard and clause.

Nothing is loaded from anywhere (styles and script are inline, pinned by a
Content-Security-Policy), so the file can be mailed, archived with the audit file, or
opened offline. Every string from the report goes through :func:`html.escape`: evidence
is written by people and tools we do not control.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from qmscheck.model.grades import GRADE_ORDER, Grade
from qmscheck.model.report import Finding, PackInfo, Report, StandardInfo, clause_key
from qmscheck.rendering.gaps import OTHER, gap_analysis
from qmscheck.rendering.html_assets import CONTENT_SECURITY_POLICY, SCRIPT, STYLE
from qmscheck.rendering.readiness import (
    AUDITOR_NOTE,
    Standards,
    Verdict,
    cited_order,
    disposition_line,
    edition_name,
    grade_counts,
    not_run_rule_rows,
    passed_rule_rows,
    plural,
    set_aside_line,
    sorted_findings,
    top_clause,
    top_clauses,
    verdict,
)

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


def _heatmap_table(info: StandardInfo, findings: list[Finding]) -> str:
    """One standard's top-level clauses (those of its clause tree, and any a finding cites beyond it)
    against the grades."""
    counts: dict[tuple[str, Grade], int] = {}
    for finding in findings:
        if not finding.counted:  # set aside by a decision: listed, not counted, as in the tiles
            continue
        key = (top_clause(finding.clause), finding.grade)
        counts[key] = counts.get(key, 0) + 1
    tree = top_clauses(info)
    extra = sorted({clause for clause, _ in counts} - set(tree), key=clause_key)
    head = "".join(f'<th scope="col">{escape(GRADE_HEADINGS[grade])}</th>' for grade in GRADE_ORDER)
    rows = []
    for clause in (*tree, *extra):
        cells = []
        for grade in GRADE_ORDER:
            count = counts.get((clause, grade), 0)
            cells.append(
                f'<td class="heat {grade.value} {_heat_level(count)}" data-grade="{grade.value}" '
                f'data-count="{count}">{count}</td>'
            )
        total = sum(counts.get((clause, grade), 0) for grade in GRADE_ORDER)
        title = info.clauses.get(clause, "")
        rows.append(
            f'<tr data-clause="{escape(clause)}"><th scope="row">{escape(clause)} {escape(title)}</th>'
            f'{"".join(cells)}<td data-count="{total}">{total}</td></tr>'
        )
    return (
        f'<table class="heatmap" data-standard="{escape(info.id)}"><caption>{escape(edition_name(info))}</caption>'
        f'<thead><tr><th scope="col">Clause</th>{head}<th scope="col">Total</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _heatmap(standards: Standards, findings: list[Finding]) -> str:
    tables = "".join(
        _heatmap_table(info, [finding for finding in findings if finding.standard == info.id])
        for info in standards.infos
    )
    return f'<section id="heatmap"><h2>Clause heat-map</h2>{tables}</section>'


def _gap_item(standards: Standards, finding: Finding) -> str:
    return (
        f"<li>{_grade_tag(finding.grade)} {escape(standards.label(finding))} {escape(finding.rule_id)} "
        f'<a href="#finding-{escape(finding.id)}">{escape(finding.title)}</a></li>'
    )


def _gaps(standards: Standards, findings: list[Finding]) -> str:
    blocks = []
    for group, members in gap_analysis(findings):
        if group is OTHER and not members:
            continue
        body = (
            f"<ul>{''.join(_gap_item(standards, f) for f in members)}</ul>"
            if members
            else '<p class="none">No findings.</p>'
        )
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


def _finding_row(group: str, finding: Finding) -> str:
    decided = disposition_line(finding)
    disposition = f' data-disposition="{finding.disposition.status}"' if finding.disposition else ""
    return (
        f'<tr id="finding-{escape(finding.id)}" class="finding" data-grade="{finding.grade.value}" '
        f'data-group="{group}" data-fingerprint="{escape(finding.fingerprint)}"{disposition}>'
        f"<td>{_grade_tag(finding.grade)}</td><td>{escape(finding.clause)}</td>"
        f"<td><code>{escape(finding.rule_id)}</code></td>"
        f"<td><strong>{escape(finding.title)}</strong>"
        + (f'<p class="decision">Decision: {escape(decided)}</p>' if decided else "")
        + f'<p class="statement">{escape(finding.statement)}</p>'
        + (f'<p class="fix">Fix: {escape(finding.fix)}</p>' if finding.fix else "")
        + f"</td><td>{_evidence_list(finding)}</td></tr>"
    )


def _stale_decisions(report: Report) -> str:
    if not report.stale_decisions:
        return ""
    items = "".join(
        f"<li><code>{escape(stale.fingerprint)}</code> ({escape(stale.status)})</li>"
        for stale in report.stale_decisions
    )
    return (
        f'<section id="stale-decisions"><h2>Stale decisions ({len(report.stale_decisions)})</h2>'
        '<p class="meta">No finding of this scan has these fingerprints: resolved, or their rules did not run.</p>'
        f"<ul>{items}</ul></section>"
    )


def _finding_rows(standards: Standards, findings: list[Finding]) -> str:
    """A heading row per standard and top-level clause, then its findings; the filter hides a heading
    with no finding shown."""
    rows = []
    for info, clause, members in standards.group(findings):
        group = escape(f"{info.id}:{clause}")
        rows.append(
            f'<tr class="group" data-group="{group}"><th colspan="5" scope="rowgroup">'
            f"{escape(standards.section_title(info, clause))}</th></tr>"
        )
        rows += [_finding_row(group, finding) for finding in members]
    return "".join(rows)


def _findings_table(standards: Standards, findings: list[Finding]) -> str:
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
        f"<tbody>{_finding_rows(standards, findings)}</tbody></table></section>"
    )


def _not_applicable(standards: Standards) -> str:
    report = standards.report
    if not report.not_applicable:
        return ""
    rows = "".join(
        f"<tr><td>{escape(standards.label(n))}</td><td>{escape(n.justification)}</td>"
        f"<td>{escape(', '.join(n.rule_ids))}</td></tr>"
        for n in sorted(report.not_applicable, key=cited_order)
    )
    return (
        '<section id="not-applicable"><h2>Not applicable</h2><table><thead><tr><th scope="col">Clause</th>'
        f'<th scope="col">Justification</th><th scope="col">Rules</th></tr></thead><tbody>{rows}</tbody></table>'
        "</section>"
    )


def _manual_checks(standards: Standards) -> str:
    report = standards.report
    if not report.manual_checks:
        return ""
    blocks = []
    for check in sorted(report.manual_checks, key=cited_order):
        questions = "".join(f"<li>{escape(question)}</li>" for question in check.questions)
        evidence = "".join(f"<li>{escape(item)}</li>" for item in check.evidence)
        blocks.append(
            f'<details class="manual" data-standard="{escape(check.standard)}" data-clause="{escape(check.clause)}">'
            f"<summary>{escape(standards.label(check))} "
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


def _rules_passed(standards: Standards) -> str:
    rows = passed_rule_rows(standards)
    if not rows:
        return ""
    return _folded(
        "rules-passed",
        f"Rules that passed ({len(rows)})",
        "Ran and found nothing; the evidence each read",
        ("Clause", "Rule", "Title", "Evidence read"),
        rows,
    )


def _rules_not_run(standards: Standards) -> str:
    rows = not_run_rule_rows(standards)
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


def _pack_item(standards: Standards, pack: PackInfo) -> str:
    """A pack with its version and standard, and what it changed of another pack's rules, and why."""
    overlays = "".join(f"<li>{escape(overlay)}</li>" for overlay in pack.overlays)
    changes = f'<ul class="overlays">{overlays}</ul>' if overlays else ""
    return (
        f"<li>{escape(pack.name)} {escape(pack.version)}: {escape(edition_name(standards.info(pack.standard)))} "
        f"({plural(pack.rules, 'rule')}){changes}</li>"
    )


def _provenance(standards: Standards) -> str:
    report = standards.report
    sources = "".join(
        f"<li>{escape(s.connector)}: <code>{escape(s.location)}</code> ({plural(s.items, 'item')})</li>"
        for s in report.sources
    )
    packs = "".join(_pack_item(standards, pack) for pack in sorted(report.packs, key=lambda pack: pack.name))
    named = "".join(
        f"<li>{escape(edition_name(info))}" + (f": {escape(info.title)}" if info.title else "") + "</li>"
        for info in standards.infos
    )
    facts = [
        ("Organisation", escape(report.organisation.name)),
        ("Scope", escape(report.organisation.scope) or "-"),
        ("As of", report.as_of.isoformat()),
        ("Audit stage scanned", str(report.stage)),
        ("Standards", f"<ul>{named}</ul>"),
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
        standards = Standards.of(report)
        judged = escape(standards.line())
        org = escape(report.organisation.name)
        verdicts = "".join(_verdict_card(verdict(report, stage)) for stage in (1, 2))
        set_aside = set_aside_line(report)
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{judged} readiness: {org}</title>",
            f"<style>{STYLE}</style></head><body>",
            f"<header><h1>{judged} readiness: {org}</h1>",
            f'<p class="meta">As of {report.as_of.isoformat()} · {judged} · '
            f"stage {report.stage} scan · {plural(report.evidence_count, 'evidence item')} · "
            f"qmscheck {escape(report.tool_version)}</p>",
            f'<p class="meta audience">{escape(AUDITOR_NOTE)}</p>' if report.audience == "auditor" else "",
            "</header>",
            f'<section id="verdicts" class="verdicts" aria-label="Readiness">{verdicts}</section>',
            _counts(findings),
            f'<p class="meta set-aside">{escape(set_aside)}</p>' if set_aside else "",
            _heatmap(standards, findings),
            _gaps(standards, findings),
            _findings_table(standards, findings),
            _stale_decisions(report),
            _manual_checks(standards),
            _rules_passed(standards),
            _rules_not_run(standards),
            _not_applicable(standards),
            _warnings(report),
            _provenance(standards),
            f"<script>{SCRIPT}</script>",
            "</body></html>",
        ]
        return "\n".join(part for part in parts if part) + "\n"
