"""What a quality manager reads first: is the organisation ready for its Stage 1 or Stage 2 audit?

Shared by the human-facing formats (HTML, Markdown, text, JUnit) so they never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from qmscheck.i18n import ENGLISH, N_, Translator, translator
from qmscheck.model.evidence import natural_key
from qmscheck.model.grades import GRADE_ORDER, Grade
from qmscheck.model.report import (
    BASE_STANDARD,
    EvidenceSeen,
    Finding,
    Report,
    StandardInfo,
    clause_key,
    finding_sort_key,
    summarise,
)

# The formats name these from here, beside the rest of what they share.
from qmscheck.model.report import Verdict as Verdict
from qmscheck.model.report import plural as plural


def top_clause(clause: str) -> str:
    """The top-level clause of a clause of any depth: its first number."""
    return clause.split(".")[0]


class Cited(Protocol):
    """Anything the report places under a clause of a standard."""

    @property
    def standard(self) -> str: ...

    @property
    def clause(self) -> str: ...


T = TypeVar("T", bound=Cited)


class Titled(Protocol):
    """Anything that names a rule by its title."""

    @property
    def pack(self) -> str: ...

    @property
    def rule_id(self) -> str: ...

    @property
    def title(self) -> str: ...


def standard_order(standard_id: str) -> tuple[tuple[int, int | str], ...]:
    """Standards in the order of their ids, numbers as numbers: ISO 9001 before ISO 13485."""
    return natural_key(standard_id)


@dataclass(frozen=True)
class Standards:
    """The standards a report judged against or cites, in :func:`standard_order`, and how a format
    names them and their clauses. Built once per rendering: it reads every item of the report."""

    report: Report
    infos: tuple[StandardInfo, ...]
    #: The report's language (:attr:`Report.language`).
    tr: Translator = ENGLISH

    @classmethod
    def of(cls, report: Report) -> Standards:
        """A report that names no standard (written before reports did) is of ISO 9001."""
        cited: set[str] = {info.id for info in report.standards} | {pack.standard for pack in report.packs}
        for items in (
            report.findings,
            report.not_applicable,
            report.rules_passed,
            report.rules_not_run,
            report.manual_checks,
        ):
            cited.update(item.standard for item in items)
        ordered = sorted(cited or {BASE_STANDARD}, key=standard_order)
        return cls(report, tuple(report.standard(standard_id) for standard_id in ordered), translator(report.language))

    @property
    def several(self) -> bool:
        return len(self.infos) > 1

    def info(self, standard_id: str) -> StandardInfo:
        return self.report.standard(standard_id)

    def line(self) -> str:
        """'ISO 9001:2015', or 'ISO 9001:2015 and ISO 13485:2016' for a report of several standards."""
        named = [edition_name(info) for info in self.infos]
        return named[0] if len(named) == 1 else ", ".join(named[:-1]) + self.tr.gettext(" and ") + named[-1]

    def label(self, item: Cited) -> str:
        """A clause as a list shows it: the number alone in a report of one standard, else the
        citation ('ISO 13485:2016 7.4.1'), so that one standard's 7.4 is never read as another's."""
        return self.info(item.standard).cite(item.clause) if self.several else item.clause

    def section_title(self, info: StandardInfo, clause: str, *, qualified: bool = False) -> str:
        """The title of a top-level clause's group: 'Clause 7: Support', qualified by the standard
        ('ISO 13485:2016 clause 7: Product realization') in a report of several standards, or
        when asked."""
        heading = self.heading(info, clause)
        if self.several or qualified:
            number = self.tr.gettext("{standard} clause {clause}").format(standard=edition_name(info), clause=clause)
        else:
            number = self.tr.gettext("Clause {clause}").format(clause=clause)
        return number + (f": {heading}" if heading else "")

    def heading(self, info: StandardInfo, clause: str) -> str:
        """A clause's heading in the report's language ('' when the clause tree has none)."""
        return self.tr.heading(info.id, info.clauses.get(clause, ""))

    def title(self, item: Titled) -> str:
        """A rule's title (of a finding, or a rule that passed or did not run) in the report's language."""
        return self.tr.rule(item.pack, item.rule_id, item.title)

    def group(self, items: Iterable[T]) -> list[tuple[StandardInfo, str, list[T]]]:
        """Items grouped by standard, then by top-level clause, each group in the items' own order
        (sort them by :func:`cited_order` first: groups follow the order of their first item)."""
        groups: dict[tuple[str, str], list[T]] = {}
        for item in items:
            groups.setdefault((item.standard, top_clause(item.clause)), []).append(item)
        return [(self.info(standard), clause, members) for (standard, clause), members in groups.items()]


def edition_name(info: StandardInfo) -> str:
    """'ISO 13485:2016'."""
    return f"{info.name}:{info.edition}"


def top_clauses(info: StandardInfo) -> list[str]:
    """The top-level clauses of a standard's clause tree, in clause order."""
    return sorted((clause for clause in info.clauses if "." not in clause), key=clause_key)


def cited_order(item: Cited) -> tuple[object, ...]:
    """By standard (:func:`standard_order`), then clause."""
    return standard_order(item.standard), clause_key(item.clause)


def sorted_findings(report: Report) -> list[Finding]:
    """A saved report may come from anywhere: never trust its order. Standards in
    :func:`standard_order`, then as the report model orders findings."""
    return sorted(report.findings, key=lambda finding: (standard_order(finding.standard), finding_sort_key(finding)))


def evidence_line(seen: EvidenceSeen, tr: Translator = ENGLISH) -> str:
    """What a passed rule read, on one line: 'calibration_record: 1 file, 41 items (fs:Cal.xlsx)'.
    A rule that found none of its evidence passed with nothing to check, and says so."""
    types = ", ".join(seen.types)
    if not seen.types:
        return tr.gettext("reads no evidence")
    if not seen.files:
        return tr.gettext("{types}: none found, nothing to check").format(types=types)
    sample = ", ".join(seen.sample) + (", ..." if seen.files > len(seen.sample) else "")
    files = tr.ngettext("{n} file", "{n} files", seen.files)
    items = tr.ngettext("{n} item", "{n} items", seen.items)
    return f"{types}: {files}, {items} ({sample})"


def verdict(report: Report, stage: int) -> Verdict:
    """The readiness for a stage's audit, as the JSON records it (:meth:`Report.verdict`), in the
    report's language."""
    return report.verdict(stage, translator(report.language))


def disposition_line(finding: Finding, tr: Translator = ENGLISH) -> str | None:
    """The decision recorded on a finding, in one sentence: 'Waived until 2026-06-30 by P. Nair
    (2026-03-02): replacement gauge ordered.' None when there is none."""
    decided = finding.disposition
    if decided is None:
        return None
    original = tr.gettext(decided.original_grade.label) if decided.original_grade else "?"
    heading = {
        "waived": tr.gettext("Waived until {date}").format(date=decided.expires)
        if decided.expires
        else tr.gettext("Waived"),
        "waiver-expired": tr.gettext("Waiver expired {date}, counted again").format(date=decided.expires),
        "verified": tr.gettext("Verified on site"),
        "refuted": tr.gettext("Refuted"),
        "regraded": tr.gettext("Regraded from {grade}").format(grade=original),
    }[decided.status]
    who = "".join(
        part
        for part in (
            tr.gettext(" by {who}").format(who=decided.by) if decided.by else "",
            f" ({decided.date})" if decided.date else "",
        )
    )
    line = heading + who + (f": {decided.reason}" if decided.reason else "")
    return line + (tr.gettext(". Note: {note}").format(note=decided.note) if decided.note else "")


#: A decision's status as :func:`set_aside_line` counts it.
SET_ASIDE_WORDS = {"waived": N_("{n} waived"), "refuted": N_("{n} refuted")}


def set_aside_line(report: Report, tr: Translator = ENGLISH) -> str | None:
    """'2 findings set aside by decisions (1 waived, 1 refuted)': shown, not counted. None when none is."""
    statuses = [f.disposition.status for f in report.findings if not f.counted and f.disposition is not None]
    if not statuses:
        return None
    parts = ", ".join(
        tr.gettext(SET_ASIDE_WORDS[status]).replace("{n}", str(statuses.count(status)))
        if status in SET_ASIDE_WORDS
        else f"{statuses.count(status)} {status}"
        for status in sorted(set(statuses))
    )
    findings = tr.ngettext(
        "{n} finding set aside by decisions ({parts})", "{n} findings set aside by decisions ({parts})", len(statuses)
    )
    return findings.replace("{parts}", parts)


def summary_line(report: Report, tr: Translator = ENGLISH) -> str:
    """The findings counted by grade, and the warnings: '1 major, 11 minor, 2 observations, 1 OFI,
    3 warnings'. The text report's last line, and what ``scan`` and ``report`` say on stderr."""
    warnings = tr.ngettext("{n} warning", "{n} warnings", len(report.warnings))
    return report.summary.line(tr) + (f", {warnings}" if report.warnings else "")


#: What a report written for the certification auditor says of itself.
AUDITOR_NOTE = N_(
    "Written for the certification auditor: the statements and the evidence, with no advice on closing a finding."
)


def grade_counts(findings: list[Finding]) -> dict[Grade, int]:
    summary = summarise(findings)
    return {grade: getattr(summary, grade.value) for grade in GRADE_ORDER}


#: A rule listed by the reports that name the rules without findings: clause (qualified by its
#: standard in a report of several, see :func:`clause_label`), id, title, and what it read (a
#: passed rule) or why it did not run.
RuleRow = tuple[str, str, str, str]


def passed_rule_rows(standards: Standards) -> list[RuleRow]:
    """The rules that ran and found nothing, by standard and clause, with the evidence each read."""
    rules = sorted(standards.report.rules_passed, key=lambda rule: (*cited_order(rule), rule.rule_id))
    tr = standards.tr
    return [(standards.label(r), r.rule_id, standards.title(r), evidence_line(r.evidence, tr)) for r in rules]


def not_run_rule_rows(standards: Standards) -> list[RuleRow]:
    """The rules that did not run, by standard and clause, with why not."""
    rules = sorted(standards.report.rules_not_run, key=lambda rule: (*cited_order(rule), rule.rule_id))
    return [(standards.label(r), r.rule_id, standards.title(r), r.reason) for r in rules]
