"""Comparing two scans of one organisation, finding by finding: what is new, what was resolved, what
persists, what was re-graded and what persists with another extent (more or fewer failing items,
other evidence), so that a finding can be followed from Stage 1 to Stage 2 and from one surveillance
audit to the next.

Findings are matched by their fingerprint: the requirement and the context it fails in, which an
edit of a cited file that fixes nothing leaves alone. A report written before findings had
fingerprints (schema before 1.2) is matched by rule, clause and the files its findings cite (or
what they found absent): close, but a finding that cites one file more or less then reads as one
resolved and one new, and the comparison says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from html import escape
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from qmscheck.model.grades import Grade
from qmscheck.model.report import Finding, Report, ReportSummary, finding_sort_key
from qmscheck.rendering.html_assets import CONTENT_SECURITY_POLICY, STYLE
from qmscheck.rendering.locators import parse_locator
from qmscheck.rendering.markdown import md

__all__ = ["DIFF_FORMATS", "ReportDiff", "diff_reports", "render_diff"]

Matching = Literal["fingerprint", "rule, clause and cited files"]
Change = Literal["new", "resolved", "regraded", "changed", "persisting"]
#: The sections of a comparison, in the order every format lists them, with their headings.
SECTIONS: Final[tuple[tuple[Change, str], ...]] = (
    ("new", "New"),
    ("resolved", "Resolved"),
    ("regraded", "Re-graded"),
    ("changed", "Changed extent"),
    ("persisting", "Persisting"),
)


class ScanSide(BaseModel):
    """One of the two scans compared."""

    model_config = ConfigDict(extra="forbid")

    organisation: str
    as_of: str
    stage: int
    tool_version: str
    schema_version: str
    packs: list[str] = Field(description="'iso9001 1.4.0'.")
    summary: ReportSummary


class FindingChange(BaseModel):
    """A finding of either scan, with what changed between them."""

    model_config = ConfigDict(extra="forbid")

    change: Change
    fingerprint: str = Field(description="Empty when the findings were matched by rule, clause and files.")
    standard: str
    clause: str
    rule_id: str
    title: str
    grade: Grade = Field(description="In the new scan; in the old one for a resolved finding.")
    old_grade: Grade | None = Field(None, description="In the old scan, for a re-graded finding.")
    failing: int | None = None
    old_failing: int | None = None
    population: int | None = None
    old_population: int | None = None
    statement: str
    evidence_added: list[str] = Field(default_factory=list, description="Locators cited now, not before.")
    evidence_removed: list[str] = Field(default_factory=list, description="Locators cited before, not now.")
    disposition: str | None = Field(None, description="The decision recorded on the finding in the new scan.")


class DiffCounts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new: int = 0
    resolved: int = 0
    regraded: int = 0
    changed: int = 0
    persisting: int = 0

    def line(self) -> str:
        return (
            f"{self.new} new, {self.resolved} resolved, {self.regraded} re-graded, "
            f"{self.changed} changed extent, {self.persisting} persisting"
        )


class ReportDiff(BaseModel):
    """What changed from the old scan to the new one."""

    model_config = ConfigDict(extra="forbid")

    old: ScanSide
    new: ScanSide
    matched_by: Matching
    notes: list[str] = Field(default_factory=list, description="What makes the comparison less than exact.")
    counts: DiffCounts
    findings: list[FindingChange] = Field(description="By change (new, resolved, ...), then in report order.")

    def of(self, change: Change) -> list[FindingChange]:
        return [finding for finding in self.findings if finding.change == change]

    def new_at_or_above(self, grade: Grade) -> bool:
        """Whether a new finding is of ``grade`` or worse (``--fail-on-new``)."""
        return any(f.change == "new" and f.grade.severity <= grade.severity for f in self.findings)


def _side(report: Report) -> ScanSide:
    return ScanSide(
        organisation=report.organisation.name,
        as_of=report.as_of.isoformat(),
        stage=report.stage,
        tool_version=report.tool_version,
        schema_version=report.schema_version,
        packs=[f"{pack.name} {pack.version}" for pack in sorted(report.packs, key=lambda pack: pack.name)],
        summary=report.summary,
    )


def _files_key(finding: Finding) -> tuple[str, ...]:
    """Rule, clause and the files cited (or what was absent): a finding's identity in a report
    without fingerprints."""
    files = sorted({parse_locator(ref.locator).path or ref.locator for ref in finding.evidence})
    return (finding.standard, finding.rule_id, finding.clause, *(files or [finding.absence or ""]))


def _keyed(findings: Iterable[Finding], key: Callable[[Finding], tuple[str, ...]]) -> dict[tuple[str, ...], Finding]:
    """Findings by key, in report order; a key two findings share is told apart by its occurrence."""
    keyed: dict[tuple[str, ...], Finding] = {}
    for finding in sorted(findings, key=finding_sort_key):
        base = key(finding)
        number = 0
        while (*base, str(number)) in keyed:
            number += 1
        keyed[(*base, str(number))] = finding
    return keyed


def _locators(finding: Finding) -> set[str]:
    return {ref.locator for ref in finding.evidence}


def _change(
    change: Change, finding: Finding, old: Finding | None = None, *, fingerprinted: bool = True
) -> FindingChange:
    before = old or finding
    return FindingChange(
        change=change,
        fingerprint=finding.fingerprint if fingerprinted else "",
        standard=finding.standard,
        clause=finding.clause,
        rule_id=finding.rule_id,
        title=finding.title,
        grade=finding.grade,
        old_grade=before.grade if before.grade != finding.grade else None,
        failing=finding.failing,
        old_failing=before.failing,
        population=finding.population,
        old_population=before.population,
        statement=finding.statement,
        evidence_added=sorted(_locators(finding) - _locators(before)),
        evidence_removed=sorted(_locators(before) - _locators(finding)),
        disposition=finding.disposition.status if finding.disposition and change != "resolved" else None,
    )


def _notes(old: Report, new: Report, fingerprinted: bool) -> list[str]:
    notes = []
    if not fingerprinted:
        without = " and ".join(
            f"the {name} report (schema {report.schema_version})"
            for name, report in (("old", old), ("new", new))
            if any(not finding.fingerprint for finding in report.findings)
        )
        notes.append(
            f"{without[:1].upper()}{without[1:]} has no fingerprints: findings are matched by rule, clause and "
            "the files they cite, so a finding citing one file more or fewer reads as resolved and new"
        )
    if old.organisation.name != new.organisation.name:
        notes.append(f"the scans are of different organisations: {old.organisation.name!r}, {new.organisation.name!r}")
    if old.stage != new.stage:
        notes.append(
            f"the old scan is of stage {old.stage}, the new one of stage {new.stage}: a rule of one stage only "
            "reads as new or resolved"
        )
    packs_old, packs_new = _side(old).packs, _side(new).packs
    if packs_old != packs_new:
        notes.append(
            f"the rule packs differ ({', '.join(packs_old) or 'none'}; {', '.join(packs_new) or 'none'}): "
            "a rule in one scan only reads as new or resolved"
        )
    if old.as_of > new.as_of:
        notes.append(f"the old scan is as of a later day ({old.as_of}) than the new one ({new.as_of})")
    return notes


def diff_reports(old: Report, new: Report) -> ReportDiff:
    """What changed from ``old`` to ``new``, finding by finding."""
    fingerprinted = all(finding.fingerprint for finding in (*old.findings, *new.findings))

    def key(finding: Finding) -> tuple[str, ...]:
        return (finding.fingerprint,) if fingerprinted else _files_key(finding)

    before, after = _keyed(old.findings, key), _keyed(new.findings, key)
    changes: list[FindingChange] = []
    for identity, finding in after.items():
        earlier = before.get(identity)
        if earlier is None:
            changes.append(_change("new", finding, fingerprinted=fingerprinted))
        elif earlier.grade != finding.grade:
            changes.append(_change("regraded", finding, earlier, fingerprinted=fingerprinted))
        elif (earlier.failing, earlier.population, _locators(earlier)) != (
            finding.failing,
            finding.population,
            _locators(finding),
        ):
            changes.append(_change("changed", finding, earlier, fingerprinted=fingerprinted))
        else:
            changes.append(_change("persisting", finding, earlier, fingerprinted=fingerprinted))
    changes += [
        _change("resolved", finding, fingerprinted=fingerprinted)
        for identity, finding in before.items()
        if identity not in after
    ]
    order = {change: position for position, (change, _) in enumerate(SECTIONS)}
    changes.sort(key=lambda change: order[change.change])  # stable: report order within a section
    counts = DiffCounts(**{change: sum(1 for c in changes if c.change == change) for change, _ in SECTIONS})
    return ReportDiff(
        old=_side(old),
        new=_side(new),
        matched_by="fingerprint" if fingerprinted else "rule, clause and cited files",
        notes=_notes(old, new, fingerprinted),
        counts=counts,
        findings=changes,
    )


def _grades(change: FindingChange) -> str:
    if change.old_grade is not None:
        return f"{change.old_grade.label} -> {change.grade.label}"
    return change.grade.label


def _extent(change: FindingChange) -> str:
    """'3 of 14 failing -> 2 of 14; evidence +1 -2': what a changed finding's extent did."""
    parts = []
    old = (change.old_failing, change.old_population)
    new = (change.failing, change.population)
    if old != new:
        parts.append(f"{_of(*old)} failing -> {_of(*new)}")
    if change.evidence_added or change.evidence_removed:
        parts.append(f"evidence +{len(change.evidence_added)} -{len(change.evidence_removed)}")
    return "; ".join(parts)


def _of(failing: int | None, population: int | None) -> str:
    if failing is None:
        return "?"
    return f"{failing} of {population}" if population is not None else str(failing)


def _header_lines(diff: ReportDiff) -> list[str]:
    lines = []
    for name, side in (("old", diff.old), ("new", diff.new)):
        lines.append(
            f"{name}: {side.organisation}, as of {side.as_of}, stage {side.stage}, qmscheck {side.tool_version} "
            f"({side.summary.line()})"
        )
    lines.append(f"matched by {diff.matched_by}")
    lines += [f"note: {note}" for note in diff.notes]
    return lines


def _text(diff: ReportDiff) -> str:
    lines = ["qmscheck diff", *_header_lines(diff), "", diff.counts.line()]
    for change, heading in SECTIONS:
        members = diff.of(change)
        if not members:
            continue
        lines += ["", f"{heading} ({len(members)})"]
        for member in members:
            ident = f" [{member.fingerprint}]" if member.fingerprint else ""
            lines.append(f"  {_grades(member)} {member.clause} {member.rule_id} {member.title}{ident}")
            if change in ("new", "resolved", "regraded", "changed"):
                lines.append(f"    {member.statement}")
            extent = _extent(member)
            if extent and change != "new":
                lines.append(f"    {extent}")
            if member.disposition:
                lines.append(f"    decision: {member.disposition}")
    return "\n".join(lines) + "\n"


def _markdown(diff: ReportDiff) -> str:
    lines = ["# qmscheck diff", ""]
    lines += [f"- {md(line)}" for line in _header_lines(diff)]
    lines += ["", f"**{md(diff.counts.line())}**"]
    for change, heading in SECTIONS:
        members = diff.of(change)
        if not members:
            continue
        lines += [
            "",
            f"## {heading} ({len(members)})",
            "",
            "| Grade | Clause | Rule | Finding | Change |",
            "|---|---|---|---|---|",
        ]
        for member in members:
            finding = f"**{md(member.title)}**<br>{md(member.statement)}"
            if member.fingerprint:
                finding += f"<br>{md(member.fingerprint)}"
            extra = _extent(member) if change != "new" else ""
            if member.disposition:
                extra = f"{extra}; decision: {member.disposition}".lstrip("; ")
            cells = [md(_grades(member)), md(member.clause), md(member.rule_id), finding, md(extra) or "-"]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _html(diff: ReportDiff) -> str:
    header = "".join(f"<li>{escape(line)}</li>" for line in _header_lines(diff))
    sections = []
    for change, heading in SECTIONS:
        members = diff.of(change)
        rows = "".join(
            f'<tr data-change="{change}" data-fingerprint="{escape(member.fingerprint)}">'
            f'<td><span class="grade-tag {member.grade.value}">{escape(_grades(member))}</span></td>'
            f"<td>{escape(member.clause)}</td><td><code>{escape(member.rule_id)}</code></td>"
            f'<td><strong>{escape(member.title)}</strong><p class="statement">{escape(member.statement)}</p></td>'
            f"<td>{escape(_extent(member) if change != 'new' else '')}"
            + (f"<br>decision: {escape(member.disposition)}" if member.disposition else "")
            + "</td></tr>"
            for member in members
        )
        body = (
            '<table><thead><tr><th scope="col">Grade</th><th scope="col">Clause</th><th scope="col">Rule</th>'
            f'<th scope="col">Finding</th><th scope="col">Change</th></tr></thead><tbody>{rows}</tbody></table>'
            if members
            else '<p class="none">None.</p>'
        )
        sections.append(
            f'<section id="{change}" data-count="{len(members)}"><h2>{escape(heading)} ({len(members)})</h2>'
            f"{body}</section>"
        )
    title = f"qmscheck diff: {escape(diff.new.organisation)}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{STYLE}</style></head><body>",
        f'<header><h1>{title}</h1><ul class="meta">{header}</ul>',
        f'<p id="counts"><strong>{escape(diff.counts.line())}</strong></p></header>',
        *sections,
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _json(diff: ReportDiff) -> str:
    return json.dumps(diff.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


_RENDERERS: Final[dict[str, Callable[[ReportDiff], str]]] = {
    "text": _text,
    "json": _json,
    "markdown": _markdown,
    "html": _html,
}
DIFF_FORMATS: Final = tuple(_RENDERERS)


def render_diff(diff: ReportDiff, format_name: str) -> str:
    """The comparison in one of :data:`DIFF_FORMATS`."""
    return _RENDERERS[format_name](diff)
