"""One self-contained HTML page for the quality manager: verdict and how much evidence was understood,
heat-map, gap analysis, findings, what to verify on site, and, folded (``<details>``), the rules that
passed and those that did not run.

The page leads the eye to the worst first: a heat-map per standard (top-level clauses of its clause
tree against the grades) shades each cell by the worst grade in it, never by how many findings it
holds, since one major blocks certification where four minors do not. A cell is a button that narrows
the findings table to its clause (and grade). The findings table lists the majors first and sorts by
any of grade, clause, rule and title: each row carries its rank under each order, computed here with
the report's natural ordering, so the script only compares numbers.

Evidence files link to their path relative to the scanned source's root (the locator's path, sheet and
row left out): the links open when the report is saved at that root. Nothing else is linked.

Nothing is loaded from anywhere (styles and script are inline, pinned by a
Content-Security-Policy), so the file can be mailed, archived with the audit file, or
opened offline. Every string from the report goes through :func:`html.escape`: evidence
is written by people and tools we do not control.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape as html_escape

from qmscheck.i18n import N_, N_plural, Translator
from qmscheck.model.evidence import natural_key
from qmscheck.model.grades import GRADE_ORDER, Grade
from qmscheck.model.report import Finding, PackInfo, Report, StandardInfo, Understanding, clause_key
from qmscheck.rendering.gaps import OTHER, gap_analysis
from qmscheck.rendering.html_assets import CONTENT_SECURITY_POLICY, SCRIPT, STYLE
from qmscheck.rendering.locators import parse_locator
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
    set_aside_line,
    sorted_findings,
    standard_order,
    top_clause,
    top_clauses,
    verdict,
)
from qmscheck.rendering.wording import fix, reason, statement, warning
from qmscheck.support.safe_text import one_line, unescape_name, url_path


def escape(text: str, quote: bool = True) -> str:
    """HTML-escaped, and one inert line: a control character in evidence text is shown as in the
    text report (``\\x1b``), not written raw into the file (support.safe_text)."""
    return html_escape(one_line(text), quote)


GRADE_HEADINGS = {
    Grade.MAJOR: N_("Major"),
    Grade.MINOR: N_("Minor"),
    Grade.REQUEST: N_("Request"),
    Grade.OBSERVATION: N_("Observation"),
    Grade.OFI: N_("OFI"),
}

#: How many findings of a grade, for a heat-map cell's spoken label ({n}: the count).
GRADE_PLURALS = {
    Grade.MAJOR: N_plural("{n} major nonconformity", "{n} major nonconformities"),
    Grade.MINOR: N_plural("{n} minor nonconformity", "{n} minor nonconformities"),
    Grade.REQUEST: N_plural("{n} evidence request", "{n} evidence requests"),
    Grade.OBSERVATION: N_plural("{n} observation", "{n} observations"),
    Grade.OFI: N_plural("{n} opportunity for improvement", "{n} opportunities for improvement"),
}
#: A heat-map column's name in a cell's label: the grade's findings, however many.
GRADE_COLUMN_LABELS = {
    Grade.MAJOR: N_("major nonconformities"),
    Grade.MINOR: N_("minor nonconformities"),
    Grade.REQUEST: N_("evidence requests"),
    Grade.OBSERVATION: N_("observations"),
    Grade.OFI: N_("opportunities for improvement"),
}
#: The hash a finding row shows of an evidence file; the whole one is in its title and copied by its button.
SHORT_HASH = 12


def _grade_tag(grade: Grade, tr: Translator) -> str:
    return f'<span class="grade-tag {grade.value}">{escape(tr.gettext(GRADE_HEADINGS[grade]))}</span>'


def _verdict_card(card: Verdict, tr: Translator) -> str:
    caveat = f'<p class="caveat">{escape(card.caveat)}</p>' if card.caveat else ""
    heading = escape(tr.gettext("Stage {stage} audit").format(stage=card.stage))
    return (
        f'<div class="verdict {card.status}" data-stage="{card.stage}"><h2>{heading}</h2>'
        f'<p class="headline">{escape(card.headline)}</p>{caveat}</div>'
    )


def _understood_card(report: Report, tr: Translator) -> str:
    """Beside the verdicts, because they depend on it: an absence is established only when nothing that
    could hold the evidence was left unread or unrecognised. The percentage is rounded down, so that 100%
    means every file."""
    understanding = report.understanding
    if understanding is None:
        return ""
    # A folder that could not be listed counts as one more place not understood: the figure is then
    # never 100%, however much of the rest was understood.
    files, recognised = understanding.files + len(understanding.unlisted), understanding.recognised
    figure = f"{recognised * 100 // files}%" if files else "-"
    status = "ready" if recognised == files else "not-ready" if recognised == 0 else "conditional"
    unknown = tr.ngettext("{n} file not understood", "{n} files not understood", len(understanding.not_understood))
    more = f'<p><a href="#not-understood">{escape(unknown)}</a></p>' if understanding.not_understood else ""
    heading = tr.gettext("Evidence understood")
    return (
        f'<div class="verdict understood {status}" id="understood" data-files="{files}" '
        f'data-recognised="{recognised}"><h2>{escape(heading)}</h2>'
        f'<p class="figure">{figure}</p><p>{escape(understanding.line(tr))}</p>{more}</div>'
    )


def _counts(findings: list[Finding], tr: Translator) -> str:
    tiles = "".join(
        f'<div class="count {grade.value}" data-grade="{grade.value}"><span class="n">{count}</span>'
        f"{escape(tr.gettext(grade.label))}</div>"
        for grade, count in grade_counts(findings).items()
    )
    label = escape(tr.gettext("Findings per grade"))
    return f'<section id="counts" class="counts" aria-label="{label}">{tiles}</section>'


def _heat_cell(group: str, section: str, grade: Grade | None, counts: dict[Grade, int], tr: Translator) -> str:
    """A count shaded by the worst grade among the findings it counts (a grade's column counts only
    that grade; the total, every grade), and a button that lists them in the findings table."""
    count = counts[grade] if grade else sum(counts.values())
    worst = grade if grade else next((g for g in GRADE_ORDER if counts[g]), None)
    attributes = f'data-grade="{grade.value}" ' if grade else f'data-worst="{worst.value if worst else ""}" '
    if not count or worst is None:
        return f'<td class="heat none" {attributes}data-count="0">0</td>'
    if grade:
        label = f"{section}, {tr.gettext(GRADE_COLUMN_LABELS[grade])}"
        spoken = tr.gettext("{section}: {count}; list them in the findings table").format(
            section=section, count=tr.ngettext(*GRADE_PLURALS[grade], count)
        )
    else:
        label = section
        spoken = tr.gettext("{section}: {count}, the worst graded {grade}; list them").format(
            section=section,
            count=tr.ngettext("{n} finding", "{n} findings", count),
            grade=tr.gettext(GRADE_HEADINGS[worst]),
        )
    return (
        f'<td class="heat worst-{worst.value}" {attributes}data-count="{count}">'
        f'<button type="button" class="cell" data-filter="{escape(group)}" '
        f'data-filter-grade="{grade.value if grade else ""}" data-label="{escape(label)}" '
        f'aria-label="{escape(spoken)}" aria-pressed="false">{count}</button></td>'
    )


def _heatmap_table(standards: Standards, info: StandardInfo, findings: list[Finding]) -> str:
    """One standard's top-level clauses (those of its clause tree, and any a finding cites beyond it)
    against the grades."""
    counts: dict[str, dict[Grade, int]] = {}
    for finding in findings:
        if not finding.counted:  # set aside by a decision: listed, not counted, as in the tiles
            continue
        per_grade = counts.setdefault(top_clause(finding.clause), dict.fromkeys(GRADE_ORDER, 0))
        per_grade[finding.grade] += 1
    tree = top_clauses(info)
    extra = sorted(set(counts) - set(tree), key=clause_key)
    tr = standards.tr
    head = "".join(f'<th scope="col">{escape(tr.gettext(GRADE_HEADINGS[grade]))}</th>' for grade in GRADE_ORDER)
    clause_column, total_column = tr.gettext("Clause"), tr.gettext("Total")
    rows = []
    for clause in (*tree, *extra):
        row = counts.get(clause, dict.fromkeys(GRADE_ORDER, 0))
        group = f"{info.id}:{clause}"
        section = standards.section_title(info, clause)
        cells = "".join(_heat_cell(group, section, grade, row, tr) for grade in (*GRADE_ORDER, None))
        title = standards.heading(info, clause)
        rows.append(
            f'<tr data-clause="{escape(clause)}"><th scope="row">{escape(clause)} {escape(title)}</th>{cells}</tr>'
        )
    return (
        f'<table class="heatmap" data-standard="{escape(info.id)}"><caption>{escape(edition_name(info))}</caption>'
        f'<thead><tr><th scope="col">{escape(clause_column)}</th>{head}'
        f'<th scope="col">{escape(total_column)}</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _legend(tr: Translator) -> str:
    swatches = "".join(
        f'<li data-grade="{grade.value}"><span class="swatch worst-{grade.value}"></span>'
        f"{escape(tr.gettext(grade.label))}</li>"
        for grade in GRADE_ORDER
    )
    shades = tr.gettext(
        "A cell is shaded by the worst grade among its findings, however many there are: "
        "one major nonconformity is darker than any number of minors. The number is how many findings; "
        "the total is shaded by the clause's worst grade."
    )
    meaning = tr.gettext("What the shades mean")
    hint = tr.gettext("Click a number to list those findings in the table below.")
    return (
        f'<ul class="legend" aria-label="{escape(meaning)}">{swatches}</ul>'
        f'<p class="meta">{escape(shades, quote=False)} <span class="legend-hint">{escape(hint)}</span></p>'
    )


def _heatmap(standards: Standards, findings: list[Finding]) -> str:
    tables = "".join(
        _heatmap_table(standards, info, [finding for finding in findings if finding.standard == info.id])
        for info in standards.infos
    )
    heading = escape(standards.tr.gettext("Clause heat-map"))
    return f'<section id="heatmap"><h2>{heading}</h2>{_legend(standards.tr)}{tables}</section>'


def _gap_item(standards: Standards, finding: Finding) -> str:
    return (
        f"<li>{_grade_tag(finding.grade, standards.tr)} {escape(standards.label(finding))} {escape(finding.rule_id)} "
        f'<a href="#finding-{escape(finding.id)}">{escape(standards.title(finding))}</a></li>'
    )


def _gaps(standards: Standards, findings: list[Finding]) -> str:
    tr = standards.tr
    none = tr.gettext("No findings.")
    blocks = []
    for group, members in gap_analysis(findings):
        if group is OTHER and not members:
            continue
        body = (
            f"<ul>{''.join(_gap_item(standards, f) for f in members)}</ul>"
            if members
            else f'<p class="none">{escape(none)}</p>'
        )
        blocks.append(
            f'<div class="gap" id="gap-{group.key}" data-count="{len(members)}"><h3>{escape(tr.gettext(group.title))} '
            f'<span class="badge">{len(members)}</span></h3>{body}</div>'
        )
    grouped = tr.gettext(
        "Findings grouped by the kind of work that closes them. A finding about something "
        'missing altogether is listed under "{missing}" as well as under its topic.'
    ).format(missing=tr.gettext("Missing documents"))
    heading = tr.gettext("Gap analysis")
    return (
        f'<section id="gap-analysis"><h2>{escape(heading)}</h2>'
        f'<p class="meta">{escape(grouped, quote=False)}</p>'
        f'<div class="gaps">{"".join(blocks)}</div></section>'
    )


def evidence_href(locator: str) -> str | None:
    """The file a locator names, as a link relative to the report: its path (no sheet or row), every
    character that could make it anything but a relative path (``:``, ``#``, ``?``, ``%``) encoded.
    None for evidence that is not a file (an ERP record, a URL) and for an absolute path, which
    would point into whichever machine opens the report."""
    path = parse_locator(locator).path
    if not path or path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        return None
    # A name that is not UTF-8 links to its real bytes; in any other path a backslash separates folders.
    return url_path(path if unescape_name(path) is not None else path.replace("\\", "/"))


def _locator(locator: str) -> str:
    href = evidence_href(locator)
    if href is None:
        return f'<span class="locator">{escape(locator)}</span>'
    return f'<a class="locator" href="{escape(href)}">{escape(locator)}</a>'


def _digest(sha256: str, tr: Translator) -> str:
    full = f"sha256:{sha256}"
    hint, copy = tr.gettext("Copy the full sha256"), tr.gettext("Copy")
    return (
        f'<br><code class="sha256" title="{escape(full)}">sha256:{escape(sha256[:SHORT_HASH])}</code>'
        f'<button type="button" class="copy" data-copy="{escape(full)}" title="{escape(hint)}">{escape(copy)}</button>'
    )


def _evidence_list(finding: Finding, tr: Translator) -> str:
    items = []
    for ref in finding.evidence:
        digest = _digest(ref.sha256, tr) if ref.sha256 else ""
        items.append(f'<li><span class="label">{escape(ref.label)}</span>: {_locator(ref.locator)}{digest}</li>')
    if finding.absence:
        not_found = tr.gettext("Not found: {what}").format(what=finding.absence)
        items.append(f'<li class="absence">{escape(not_found)}</li>')
    return f"<ul>{''.join(items)}</ul>" if items else "-"


def _finding_row(standards: Standards, finding: Finding, ranks: dict[str, int]) -> str:
    tr = standards.tr
    decided = disposition_line(finding, tr)
    decision = tr.gettext("Decision: {decision}").format(decision=decided) if decided else ""
    advice = fix(finding, tr)
    advice = tr.gettext("Fix: {fix}").format(fix=advice) if advice else ""
    disposition = f' data-disposition="{finding.disposition.status}"' if finding.disposition else ""
    info = standards.info(finding.standard)
    top = top_clause(finding.clause)
    group = escape(f"{info.id}:{top}")
    orders = "".join(f' data-by-{column}="{rank}"' for column, rank in ranks.items())
    return (
        f'<tr id="finding-{escape(finding.id)}" class="finding" data-grade="{finding.grade.value}" '
        f'data-group="{group}" data-fingerprint="{escape(finding.fingerprint)}"{disposition}{orders}>'
        f"<td>{_grade_tag(finding.grade, tr)}</td>"
        f'<td title="{escape(standards.section_title(info, top))}">{escape(standards.label(finding))}</td>'
        f"<td><code>{escape(finding.rule_id)}</code></td>"
        f"<td><strong>{escape(standards.title(finding))}</strong>"
        + (f'<p class="decision">{escape(decision)}</p>' if decision else "")
        + f'<p class="statement">{escape(statement(finding, tr))}</p>'
        + (f'<p class="fix">{escape(advice)}</p>' if advice else "")
        + f"</td><td>{_evidence_list(finding, tr)}</td></tr>"
    )


def _stale_decisions(report: Report, tr: Translator) -> str:
    if not report.stale_decisions:
        return ""
    items = "".join(
        f"<li><code>{escape(stale.fingerprint)}</code> ({escape(stale.status)})</li>"
        for stale in report.stale_decisions
    )
    heading = tr.gettext("Stale decisions ({count})").format(count=len(report.stale_decisions))
    meta = tr.gettext("No finding of this scan has these fingerprints: resolved, or their rules did not run.")
    return (
        f'<section id="stale-decisions"><h2>{escape(heading)}</h2><p class="meta">{escape(meta)}</p>'
        f"<ul>{items}</ul></section>"
    )


def severity_first(findings: list[Finding]) -> list[Finding]:
    """The findings table's first order: majors first, then minors, evidence requests, observations and
    OFIs, each by standard and clause (findings in report order, as :func:`sorted_findings` gives them)."""
    return sorted(findings, key=lambda finding: finding.grade.severity)


ASCENDING = ' aria-sort="ascending"'
#: The findings table's sortable columns, and each one's order; ties keep the table's first order.
SORTS: dict[str, tuple[str, Callable[[Finding], object]]] = {
    "grade": (N_("Grade"), lambda finding: finding.grade.severity),
    "clause": (N_("Clause"), lambda finding: (standard_order(finding.standard), clause_key(finding.clause))),
    "rule": (N_("Rule"), lambda finding: natural_key(finding.rule_id)),
    "title": (N_("Finding"), lambda finding: finding.title.casefold()),
}


def _ranks(findings: list[Finding]) -> list[dict[str, int]]:
    """Each finding's position under each column's order, for the script to sort by."""
    ranks: list[dict[str, int]] = [{} for _ in findings]
    for column, (_, key) in SORTS.items():
        ordered = sorted(range(len(findings)), key=lambda index: (key(findings[index]), index))
        for rank, index in enumerate(ordered):
            ranks[index][column] = rank
    return ranks


def _findings_table(standards: Standards, findings: list[Finding]) -> str:
    tr = standards.tr
    boxes = "".join(
        f'<label><input type="checkbox" value="{grade.value}" checked> '
        f"{escape(tr.gettext(GRADE_HEADINGS[grade]))}</label>"
        for grade in GRADE_ORDER
    )
    ordered = severity_first(findings)
    rows = "".join(
        _finding_row(standards, finding, ranks) for finding, ranks in zip(ordered, _ranks(ordered), strict=True)
    )
    sortable = "".join(
        f'<th scope="col" data-sort="{column}"{ASCENDING if column == "grade" else ""}>'
        f'<button type="button" class="sort">{escape(tr.gettext(heading))}</button></th>'
        for column, (heading, _) in SORTS.items()
    )
    # The words the script writes: the count shown as the filters change, and a copy button's answers.
    words = {
        "heading": tr.gettext("Findings"),
        "filter": tr.gettext("Filter"),
        "placeholder": tr.gettext("clause, rule, evidence, text"),
        "cell": tr.gettext("Heat-map cell:"),
        "clear": tr.gettext("Show every clause"),
        "shown": tr.gettext("{shown} of {total} findings shown"),
        "count": tr.ngettext("{n} finding", "{n} findings", len(findings)),
        "copied": tr.gettext("Copied"),
        "selected": tr.gettext("Selected: copy it"),
        "evidence": tr.gettext("Evidence (locator, sha256)"),
    }
    w = {key: escape(value) for key, value in words.items()}
    return (
        f'<section id="findings"><h2>{w["heading"]}</h2>'
        f'<div id="filters" class="filters">{boxes}'
        f'<label>{w["filter"]} <input type="search" id="filter-text" placeholder="{w["placeholder"]}"></label>'
        f'<span id="cell-filter" class="cell-filter" hidden>{w["cell"]} <strong id="cell-filter-label"></strong>'
        f'<button type="button" id="clear-cell">{w["clear"]}</button></span>'
        f'<span id="shown-count" class="meta" aria-live="polite" data-template="{w["shown"]}">{w["count"]}</span></div>'
        f'<table id="findings-table" class="findings" data-copied="{w["copied"]}" data-selected="{w["selected"]}">'
        f'<thead><tr>{sortable}<th scope="col">{w["evidence"]}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></section>"
    )


def _not_applicable(standards: Standards) -> str:
    report, tr = standards.report, standards.tr
    if not report.not_applicable:
        return ""
    rows = "".join(
        f"<tr><td>{escape(standards.label(n))}</td><td>{escape(n.justification)}</td>"
        f"<td>{escape(', '.join(n.rule_ids))}</td></tr>"
        for n in sorted(report.not_applicable, key=cited_order)
    )
    head = "".join(
        f'<th scope="col">{escape(tr.gettext(column))}</th>'
        for column in (N_("Clause"), N_("Justification"), N_("Rules"))
    )
    heading = tr.gettext("Not applicable")
    return (
        f'<section id="not-applicable"><h2>{escape(heading)}</h2><table><thead><tr>{head}'
        f"</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _manual_checks(standards: Standards) -> str:
    report, tr = standards.report, standards.tr
    if not report.manual_checks:
        return ""
    ask, request = tr.gettext("Ask"), tr.gettext("Request")
    blocks = []
    for check in sorted(report.manual_checks, key=cited_order):
        questions = "".join(f"<li>{escape(question)}</li>" for question in check.questions)
        evidence = "".join(f"<li>{escape(item)}</li>" for item in check.evidence)
        blocks.append(
            f'<details class="manual" data-standard="{escape(check.standard)}" data-clause="{escape(check.clause)}">'
            f"<summary>{escape(standards.label(check))} "
            f"{escape(check.title)}</summary><h3>{escape(ask)}</h3><ul>{questions}</ul>"
            f"<h3>{escape(request)}</h3><ul>{evidence}</ul></details>"
        )
    heading = tr.gettext("To verify on site ({count})").format(count=len(report.manual_checks))
    meta = tr.gettext(
        "No evidence rule checks these requirements: an auditor verifies them by interview and "
        "observation. They are neither passed nor findings."
    )
    return (
        f'<section id="manual-checks"><h2>{escape(heading)}</h2><p class="meta">{escape(meta)}</p>'
        f"{''.join(blocks)}</section>"
    )


def _folded(
    tr: Translator, section: str, heading: str, summary: str, columns: tuple[str, ...], rows: Sequence[tuple[str, ...]]
) -> str:
    """A folded table: ``heading`` (with the count of rows), ``summary`` and ``columns`` are messages."""
    heading = tr.gettext(heading).format(count=len(rows))
    summary = tr.gettext(summary)
    head = "".join(f'<th scope="col">{escape(tr.gettext(column))}</th>' for column in columns)
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
        standards.tr,
        "rules-passed",
        N_("Rules that passed ({count})"),
        N_("Ran and found nothing; the evidence each read"),
        (N_("Clause"), N_("Rule"), N_("Title"), N_("Evidence read")),
        rows,
    )


def _rules_not_run(standards: Standards) -> str:
    rows = [(*row[:3], reason(row[3], standards.tr)) for row in not_run_rule_rows(standards)]
    if not rows:
        return ""
    return _folded(
        standards.tr,
        "rules-not-run",
        N_("Rules that did not run ({count})"),
        N_("Not applicable, or for another audit stage"),
        (N_("Clause"), N_("Rule"), N_("Title"), N_("Why not")),
        rows,
    )


def _not_understood(understanding: Understanding | None, tr: Translator) -> str:
    if understanding is None or not understanding.not_understood:
        return ""
    rows = sorted((entry.locator, reason(entry.reason, tr)) for entry in understanding.not_understood)
    return _folded(
        tr,
        "not-understood",
        N_("Files not understood ({count})"),
        N_("Seen but not used as evidence: they may hold what a rule looked for"),
        (N_("File"), N_("Why not")),
        rows,
    )


def _warnings(report: Report, tr: Translator) -> str:
    if not report.warnings:
        return ""
    items = "".join(
        f"<li><code>{escape(w.locator)}</code> ({escape(w.connector)}): {escape(warning(w.message, tr))}</li>"
        for w in sorted(report.warnings, key=lambda w: (w.locator, w.connector, w.message))
    )
    heading = tr.gettext("Evidence that could not be read ({count})").format(count=len(report.warnings))
    return f'<section id="warnings"><h2>{escape(heading)}</h2><ul>{items}</ul></section>'


def _pack_item(standards: Standards, pack: PackInfo) -> str:
    """A pack with its version and standard, and what it changed of another pack's rules, and why."""
    overlays = "".join(f"<li>{escape(overlay)}</li>" for overlay in pack.overlays)
    changes = f'<ul class="overlays">{overlays}</ul>' if overlays else ""
    rules = standards.tr.ngettext("{n} rule", "{n} rules", pack.rules)
    return (
        f"<li>{escape(pack.name)} {escape(pack.version)}: {escape(edition_name(standards.info(pack.standard)))} "
        f"({escape(rules)}){changes}</li>"
    )


def _provenance(standards: Standards) -> str:
    report, tr = standards.report, standards.tr
    sources = "".join(
        f"<li>{escape(s.connector)}: <code>{escape(s.location)}</code> ({escape(items)})</li>"
        for s, items in ((s, tr.ngettext("{n} item", "{n} items", s.items)) for s in report.sources)
    )
    packs = "".join(_pack_item(standards, pack) for pack in sorted(report.packs, key=lambda pack: pack.name))
    named = "".join(
        f"<li>{escape(edition_name(info))}"
        + (f": {escape(tr.heading(info.id, info.title))}" if info.title else "")
        + "</li>"
        for info in standards.infos
    )
    tool = tr.gettext("qmscheck {version}, report schema {schema}").format(
        version=report.tool_version, schema=report.schema_version
    )
    facts = [
        (N_("Organisation"), escape(report.organisation.name)),
        (N_("Scope"), escape(report.organisation.scope) or "-"),
        (N_("As of"), report.as_of.isoformat()),
        (N_("Audit stage scanned"), str(report.stage)),
        (N_("Standards"), f"<ul>{named}</ul>"),
        (N_("Sources"), f"<ul>{sources}</ul>" if sources else "-"),
        (N_("Evidence items"), str(report.evidence_count)),
        (N_("Rule packs"), f"<ul>{packs}</ul>" if packs else "-"),
        (N_("Rules evaluated"), str(report.rules_evaluated)),
        (N_("Rules passed"), str(len(report.rules_passed))),
        (N_("To verify on site"), str(len(report.manual_checks))),
        (N_("Tool"), escape(tool)),
    ]
    if report.generated_at:
        facts.append((N_("Generated at"), escape(report.generated_at)))
    body = "".join(f"<dt>{escape(tr.gettext(label))}</dt><dd>{value}</dd>" for label, value in facts)
    heading = escape(tr.gettext("Provenance"))
    return f'<section id="provenance"><h2>{heading}</h2><dl class="provenance">{body}</dl></section>'


class HtmlRenderer:
    name = "html"
    extension = "html"

    def render(self, report: Report, *, color: bool = False) -> str:
        findings = sorted_findings(report)
        standards = Standards.of(report)
        tr = standards.tr
        judged = standards.line()
        title = escape(
            tr.gettext("{standards} readiness: {organisation}").format(
                standards=judged, organisation=report.organisation.name
            )
        )
        verdicts = "".join(_verdict_card(verdict(report, stage), tr) for stage in (1, 2)) + _understood_card(report, tr)
        set_aside = set_aside_line(report, tr)
        readiness = tr.gettext("Readiness")
        meta = tr.gettext("As of {date} · {standards} · stage {stage} scan · {items} · qmscheck {version}").format(
            date=report.as_of.isoformat(),
            standards=judged,
            stage=report.stage,
            items=tr.ngettext("{n} evidence item", "{n} evidence items", report.evidence_count),
            version=report.tool_version,
        )
        parts = [
            "<!DOCTYPE html>",
            f'<html lang="{escape(tr.language)}"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{title}</title>",
            f"<style>{STYLE}</style></head><body>",
            f"<header><h1>{title}</h1>",
            f'<p class="meta">{escape(meta)}</p>',
            f'<p class="meta audience">{escape(tr.gettext(AUDITOR_NOTE))}</p>' if report.audience == "auditor" else "",
            "</header>",
            f'<section id="verdicts" class="verdicts" aria-label="{escape(readiness)}">{verdicts}</section>',
            _counts(findings, tr),
            f'<p class="meta set-aside">{escape(set_aside)}</p>' if set_aside else "",
            _heatmap(standards, findings),
            _gaps(standards, findings),
            _findings_table(standards, findings),
            _stale_decisions(report, tr),
            _manual_checks(standards),
            _rules_passed(standards),
            _rules_not_run(standards),
            _not_applicable(standards),
            _not_understood(report.understanding, tr),
            _warnings(report, tr),
            _provenance(standards),
            f"<script>{SCRIPT}</script>",
            "</body></html>",
        ]
        return "\n".join(part for part in parts if part) + "\n"
