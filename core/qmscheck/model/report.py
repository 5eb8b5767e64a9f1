"""The deterministic report model every renderer reads."""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from qmscheck.i18n import ENGLISH, SOURCE_LANGUAGE, Translator
from qmscheck.model.evidence import CollectionWarning, Organisation, natural_key, order_key
from qmscheck.model.grades import GRADE_ORDER, Grade

REPORT_SCHEMA_VERSION: Final = "1.5"
#: The versions ``qmscheck report`` reads: 1.1 added each finding's population, failing count and
#: instances; 1.2 the standard of every clause and the standards a scan judged against; 1.3 the
#: decisions recorded on findings, the decisions that matched none, and the audience; 1.4 the
#: verdicts (written, never read: they follow from the findings); 1.5 the report language. An older
#: report reads as one of ISO 9001 without them, written for the organisation, in English.
READABLE_SCHEMA_VERSIONS: Final = ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5")
#: The standard of a clause in a report written before reports named it.
BASE_STANDARD: Final = "iso9001"


def _standard() -> Any:
    return Field(BASE_STANDARD, description="The standard the clause is of (a pack manifest's standard id).")


class EvidenceRef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    locator: str
    sha256: str | None = None
    label: str


class InstanceValue(BaseModel):
    """A value a failing instance was judged on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str = Field(description="The evidence field, e.g. 'due'; 'as_of' for the scan date.")
    value: str = Field(description="As the statement shows it; a date in ISO form.")
    days_past: int | None = Field(None, description="Days past its limit, for a date bound.")


class Instance(BaseModel):
    """One failing instance of a finding: what it cites, what is not met, and the values judged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule_id: str = Field(description="The rule that found it (a merged finding holds several rules' instances).")
    evidence: list[str] = Field(default_factory=list, description="Ids of the evidence items it cites.")
    detail: str
    values: list[InstanceValue] = Field(default_factory=list)


#: What a decision recorded on a finding says of it: ``waiver-expired`` is a waiver past its expiry
#: date, which no longer sets the finding aside.
DispositionStatus = Literal["waived", "verified", "refuted", "regraded", "waiver-expired"]
#: Dispositions that set a finding aside: it stays in the report, but counts toward neither the
#: verdict, the summary nor the exit code.
SET_ASIDE: Final = frozenset({"waived", "refuted"})
#: ``date`` for a model with a field of that name, whose annotations would otherwise find the field.
Day = date


class Disposition(BaseModel):
    """A decision recorded on a finding (``qmscheck.decisions.toml``), by its fingerprint."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: DispositionStatus
    reason: str | None = Field(None, description="Why: the accepted risk, the refutation, the regrading.")
    by: str | None = Field(None, description="Who approved the waiver or verified, refuted or regraded the finding.")
    date: Day | None = Field(None, description="When the decision was taken.")
    expires: Day | None = Field(None, description="When a waiver ends: from the day after, the finding counts again.")
    note: str | None = None
    original_grade: Grade | None = Field(None, description="The grade the scan gave a regraded finding.")


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Stable: the rule id and a digest of the evidence cited.")
    fingerprint: str = Field(
        "",
        description="The finding's identity from scan to scan: the rule and the context it fails in (a register "
        "file, the documents, a site), not what it cites; empty in a report before 1.2.",
    )
    grade: Grade
    standard: str = _standard()
    clause: str
    rule_id: str
    title: str
    statement: str = Field(description="The requirement, the evidence seen and what is not met.")
    evidence: list[EvidenceRef] = Field(default_factory=list)
    absence: str | None = Field(None, description="What was looked for and not found.")
    why: str
    fix: str
    pack: str
    stages: list[int]
    also_reported_by: list[str] = Field(
        default_factory=list,
        description="Other rules that found the same gap in the same evidence; merged into this finding.",
    )
    population: int | None = Field(
        None, description="How many items the rule checked, an absent period or process counting as one."
    )
    failing: int | None = Field(None, description="How many instances fail (the rule's own, before any merge).")
    instances: list[Instance] = Field(
        default_factory=list, description="Every failing instance, with the values it was judged on."
    )
    disposition: Disposition | None = Field(None, description="The decision recorded on the finding, if any.")

    @property
    def counted(self) -> bool:
        """False for a finding set aside by a decision (waived, refuted): it is shown, never counted."""
        return self.disposition is None or self.disposition.status not in SET_ASIDE


class NotApplicable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    standard: str = _standard()
    clause: str
    justification: str
    rule_ids: list[str]


#: Files named in a passed rule's ``evidence.sample``: enough to see what it read, bounded on any share.
SAMPLE_FILES: Final = 3


class EvidenceSeen(BaseModel):
    """What a rule read: the evidence of the types it selects, as counts and a few files, so that a rule
    that read 100,000 files costs the report a few lines. Nothing here depends on how the scan divided
    a large register into parts, or on whether it reused stored findings."""

    model_config = ConfigDict(extra="forbid")

    types: list[str] = Field(description="The evidence types the rule reads.")
    files: int = Field(description="Files (and ERP tables) holding evidence of those types.")
    items: int = Field(
        description="Evidence items in those files, of every type they hold (a workbook may hold several "
        "registers): counted from the evidence index without decoding a file."
    )
    sample: list[str] = Field(description=f"The first {SAMPLE_FILES} of those files, in evidence order.")


class PassedRule(BaseModel):
    """A rule that ran and found nothing to report."""

    model_config = ConfigDict(extra="forbid")

    rule_id: str
    standard: str = _standard()
    clause: str
    title: str
    pack: str
    evidence: EvidenceSeen


class RuleNotRun(BaseModel):
    """A rule of a loaded pack that this scan did not run, and why."""

    model_config = ConfigDict(extra="forbid")

    rule_id: str
    standard: str = _standard()
    clause: str
    title: str
    pack: str
    reason: str = Field(description="'not applicable: ...', 'stage 2 only', 'not in ISO 9001:2026', 'deprecated'.")


class ManualCheck(BaseModel):
    """A requirement no evidence rule checks: what an auditor asks and looks at on site. To verify, never
    passed and never a finding: it changes neither the verdict nor the exit code."""

    model_config = ConfigDict(extra="forbid")

    standard: str = _standard()
    clause: str
    title: str
    questions: list[str] = Field(description="What the auditor asks, and whom.")
    evidence: list[str] = Field(description="The evidence to request or observe.")


class PackInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    rules: int
    standard: str = _standard()
    overlays: list[str] = Field(
        default_factory=list, description="The changes the pack makes to rules of the packs it builds on, with why."
    )


class StandardInfo(BaseModel):
    """A standard the scan judged against: how to name it and its clauses."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str = Field(description="'ISO 9001'.")
    title: str
    edition: str
    clauses: dict[str, str] = Field(default_factory=dict, description="Clause number to heading.")

    def cite(self, clause: str) -> str:
        return f"{self.name}:{self.edition} {clause}"


class SourceInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connector: str
    location: str
    items: int
    repository_path: str | None = Field(
        None,
        description="A local folder's path from the root of the git repository holding it ('' for the root "
        "itself), so that code scanning finds its files; none outside a git repository.",
    )
    quality_manual: str | None = Field(
        None, description="The locator of the source's quality manual: where a finding about something absent points."
    )


class ReportSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    major: int = 0
    minor: int = 0
    request: int = 0
    observation: int = 0
    ofi: int = 0

    def line(self, tr: Translator = ENGLISH) -> str:
        # The counts of a summary line: "major" and "minor" are grades here, never plural in English.
        parts = [
            tr.npgettext("summary", "{n} major", "{n} major", self.major),
            tr.npgettext("summary", "{n} minor", "{n} minor", self.minor),
            tr.npgettext("summary", "{n} observation", "{n} observations", self.observation),
            tr.npgettext("summary", "{n} OFI", "{n} OFI", self.ofi),
        ]
        if self.request:
            parts.append(tr.npgettext("summary", "{n} evidence request", "{n} evidence requests", self.request))
        return ", ".join(parts)


class NotUnderstood(BaseModel):
    """A file the scan saw but could not use as evidence: it may hold what a rule looked for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    locator: str
    reason: str = Field(description="'not recognised', or why the file could not be read.")
    folder: bool = Field(
        False, description="A folder that could not be listed: the files in it, and how many, are unknown."
    )


class Understanding(BaseModel):
    """How much of the sources the scan understood: an absence is established only when nothing
    that could hold the evidence was left unread or unrecognised."""

    model_config = ConfigDict(extra="forbid")

    files: int = Field(
        0,
        description="Files (and ERP tables) the connectors listed as evidence to read; a folder that could "
        "not be listed adds none, as what it holds is unknown (see not_understood).",
    )
    recognised: int = Field(0, description="Of those, the ones read and recognised as a kind of QMS evidence.")
    not_understood: list[NotUnderstood] = Field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(1 for entry in self.not_understood if entry.reason != NOT_RECOGNISED and not entry.folder)

    @property
    def unlisted(self) -> list[str]:
        """The folders that could not be listed: the share was not seen whole."""
        return [entry.locator for entry in self.not_understood if entry.folder]

    @property
    def unrecognised(self) -> int:
        return sum(1 for entry in self.not_understood if entry.reason == NOT_RECOGNISED)

    def line(self, tr: Translator = ENGLISH) -> str:
        """'28 of 31 files recognised; 2 not recognised, 1 could not be read'."""
        line = tr.ngettext("{recognised} of {n} file recognised", "{recognised} of {n} files recognised", self.files)
        line = line.replace("{recognised}", str(self.recognised))
        parts = []
        if self.unrecognised:
            parts.append(tr.ngettext("{n} not recognised", "{n} not recognised", self.unrecognised))
        if self.unread:
            parts.append(tr.ngettext("{n} could not be read", "{n} could not be read", self.unread))
        unlisted = self.unlisted
        if unlisted:
            named = ", ".join(unlisted[:NAMED_FOLDERS]) + (", ..." if len(unlisted) > NAMED_FOLDERS else "")
            parts.append(
                tr.ngettext(
                    "folder {folders} could not be listed: the evidence in it is unknown",
                    "{n} folders ({folders}) could not be listed: the evidence in them is unknown",
                    len(unlisted),
                ).replace("{folders}", named)
            )
        return line + ("; " + ", ".join(parts) if parts else "")


#: The folders that could not be listed that the evidence-understood line names.
NAMED_FOLDERS: Final = 3
#: The reason given for a file that was read but matched no kind of evidence.
NOT_RECOGNISED: Final = "not recognised"


class StaleDecision(BaseModel):
    """A decision whose fingerprint no finding of the scan has: resolved, or its rule did not run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fingerprint: str
    status: str
    reason: str | None = None


#: How ready the organisation is for a stage's certification audit: ``unconfirmed`` while evidence
#: requests are open (or nothing was recognised), ``conditional`` with minors to close.
ReadinessStatus = Literal["not-ready", "unconfirmed", "conditional", "ready"]


class Verdict(BaseModel):
    """Whether the organisation is ready for a stage's audit, in one line (:meth:`Report.verdict`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: Literal[1, 2]
    status: ReadinessStatus
    headline: str = Field(description="'Not ready: 1 major nonconformity and 11 minors'.")
    caveat: str | None = Field(
        None, description="Set when the scan ran the other stage's rules: only the rules both stages share count."
    )


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


#: Who a report is written for: the organisation gets the fix advice, a certification auditor not.
Audience = Literal["organisation", "auditor"]


class Report(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal["1.0", "1.1", "1.2", "1.3", "1.4", "1.5"] = REPORT_SCHEMA_VERSION
    tool_version: str
    organisation: Organisation
    as_of: date
    stage: Literal[1, 2]
    edition: str
    generated_at: str | None = Field(None, description="Only when asked for: keeps reports reproducible.")
    sources: list[SourceInfo]
    evidence_count: int
    packs: list[PackInfo]
    standards: list[StandardInfo] = Field(
        default_factory=list, description="The standards of the packs that ran; empty in a report before 1.2."
    )
    rules_evaluated: int
    findings: list[Finding]
    not_applicable: list[NotApplicable] = Field(default_factory=list)
    rules_passed: list[PassedRule] = Field(
        default_factory=list, description="Rules that ran and raised no finding, with the evidence they read."
    )
    rules_not_run: list[RuleNotRun] = Field(
        default_factory=list, description="Rules of the loaded packs that this scan did not run, and why."
    )
    manual_checks: list[ManualCheck] = Field(
        default_factory=list, description="Requirements to verify on site: no evidence rule checks them."
    )
    warnings: list[CollectionWarning] = Field(default_factory=list)
    understanding: Understanding | None = Field(
        None, description="How much of the sources was understood; none for evidence given directly, not collected."
    )
    summary: ReportSummary = Field(description="The findings counted, by grade: none a decision set aside.")
    audience: Audience = Field(
        "organisation", description="'auditor': statements and evidence without fix advice (every fix is empty)."
    )
    stale_decisions: list[StaleDecision] = Field(
        default_factory=list, description="Decisions of the decisions file whose fingerprint no finding has."
    )
    language: str = Field(
        SOURCE_LANGUAGE,
        description="The language the human-facing formats are written in ('en', 'de', 'es'); the JSON's own "
        "texts are in English whatever it says.",
    )

    @model_validator(mode="before")
    @classmethod
    def _verdicts_are_derived(cls, data: Any) -> Any:
        """A saved report's ``verdicts`` are recomputed from its findings, never trusted."""
        if isinstance(data, dict) and "verdicts" in data:
            return {key: value for key, value in data.items() if key != "verdicts"}
        return data

    @computed_field(  # type: ignore[prop-decorator]
        description="Readiness for the stage 1 and stage 2 audits, from the findings counted (as the "
        "HTML and text reports show it). Derived: a report read back recomputes them."
    )
    @property
    def verdicts(self) -> list[Verdict]:
        return [self.verdict(1), self.verdict(2)]

    def verdict(self, stage: int, tr: Translator = ENGLISH) -> Verdict:
        """Majors block certification; minors need an accepted action plan; the rest is advice.

        Evidence requests are absences the scan could not establish: they never make an organisation
        "not ready", and while any is open the scan cannot call it ready either. The JSON records the
        verdicts in English (``tr``'s default); a report shows them in its language."""
        counts = summarise([f for f in self.findings if stage in f.stages])
        caveat = None
        if stage != self.stage:
            caveat = tr.gettext(
                "This scan ran the stage {stage} rules; only the rules both stages share are counted."
            ).format(stage=self.stage)
        requests = tr.ngettext("{n} evidence request to answer", "{n} evidence requests to answer", counts.request)
        minors = tr.ngettext("{n} minor", "{n} minors", counts.minor)
        if self.understanding is not None and self.understanding.recognised == 0:
            headline = tr.gettext("Not established: no quality-system evidence recognised ({understood})").format(
                understood=self.understanding.line(tr)
            )
            return Verdict(stage=stage, status="unconfirmed", headline=headline, caveat=caveat)
        # A share not seen whole: what the folders that could not be listed hold may change any verdict
        # but "not ready" (the majors found stand), so none is given.
        unlisted = len(self.understanding.unlisted) if self.understanding is not None else 0
        folders = tr.ngettext(
            "{n} folder of the sources could not be listed, so the evidence in it is unknown",
            "{n} folders of the sources could not be listed, so the evidence in them is unknown",
            unlisted,
        )
        if counts.major:
            majors = tr.ngettext("{n} major nonconformity", "{n} major nonconformities", counts.major)
            headline = tr.gettext("Not ready: {majors}").format(majors=majors)
            if counts.minor:
                headline += tr.gettext(" and {minors}").format(minors=minors)
            if counts.request:
                headline += f"; {requests}"
            if unlisted:
                headline += f"; {folders}"
            return Verdict(stage=stage, status="not-ready", headline=headline, caveat=caveat)
        if unlisted:
            headline = tr.gettext("Not established: {folders}").format(folders=folders)
            if counts.request:
                headline += f"; {requests}"
            if counts.minor:
                headline += tr.gettext(", and {minors} to close").format(minors=minors)
            return Verdict(stage=stage, status="unconfirmed", headline=headline, caveat=caveat)
        if counts.request:
            headline = tr.gettext("Not established: {requests}").format(requests=requests)
            if counts.minor:
                headline += tr.gettext(", and {minors} to close").format(minors=minors)
            return Verdict(stage=stage, status="unconfirmed", headline=headline, caveat=caveat)
        if counts.minor:
            headline = tr.gettext("Ready with {minors} to close").format(minors=minors)
            return Verdict(stage=stage, status="conditional", headline=headline, caveat=caveat)
        advice = counts.observation + counts.ofi
        headline = tr.gettext("Ready: no nonconformities")
        if advice:
            points = tr.ngettext("{n} point", "{n} points", advice)
            headline += tr.gettext(", {points} to consider").format(points=points)
        return Verdict(stage=stage, status="ready", headline=headline, caveat=caveat)

    def standard(self, standard_id: str) -> StandardInfo:
        """How the report names ``standard_id``: from the scan, or ISO 9001's name for an older report."""
        for info in self.standards:
            if info.id == standard_id:
                return info
        return StandardInfo(
            id=standard_id, name=standard_id.upper().replace("ISO", "ISO "), title="", edition=self.edition
        )

    def exceeds(self, threshold: Grade | None) -> bool:
        """True when a finding is at or above the threshold grade (None: never)."""
        if threshold is None:
            return False
        return any(finding.counted and finding.grade.severity <= threshold.severity for finding in self.findings)


@functools.lru_cache(maxsize=1024)
def clause_key(clause: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", clause))


#: Evidence whose keys a finding's sort key holds; the rest of a longer list is keyed only when a
#: comparison reaches it.
EAGER_EVIDENCE = 8


class _EvidenceOrder:
    """Orders evidence lists as lists of natural keys would, computing a key only when a comparison
    reaches it: a systemic finding cites thousands of items, and they rarely need comparing."""

    __slots__ = ("_ids", "_keys")

    def __init__(self, ids: list[str]) -> None:
        self._ids = ids
        self._keys: dict[int, tuple[tuple[int, int | str], ...]] = {}

    def _key(self, position: int) -> tuple[tuple[int, int | str], ...]:
        key = self._keys.get(position)
        if key is None:
            key = self._keys[position] = natural_key(self._ids[position])
        return key

    def _first_difference(self, other: _EvidenceOrder) -> int:
        """Below 0: self sorts first; 0: equal; above 0: other sorts first."""
        for position in range(min(len(self._ids), len(other._ids))):
            mine, theirs = self._key(position), other._key(position)
            if mine != theirs:
                return -1 if mine < theirs else 1
        return len(self._ids) - len(other._ids)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _EvidenceOrder) and self._first_difference(other) == 0

    def __lt__(self, other: _EvidenceOrder) -> bool:
        return self._first_difference(other) < 0

    __hash__ = None  # type: ignore[assignment]


def evidence_order(ids: list[str]) -> tuple[object, ...]:
    """Sorts as the list of the ids' natural keys would. Most findings cite a few items: their keys
    are plain tuples, which sort without a Python call per comparison. Two lists that differ in the
    first EAGER_EVIDENCE keys are told apart by them (a shorter list's keys are all there, and a
    list sorts before the lists it begins); only lists that share those are compared further."""
    head = tuple([natural_key(item) for item in ids[:EAGER_EVIDENCE]])
    return head, _EvidenceOrder(ids[EAGER_EVIDENCE:])


def rule_block_key(finding: Finding) -> tuple[object, ...]:
    """The beginning of :func:`finding_sort_key` that one rule's findings share but for their grade:
    lists each in report order, concatenated, are in report order once stably sorted by this."""
    return order_key(finding.standard), clause_key(finding.clause), finding.grade.severity, finding.rule_id


def finding_sort_key(finding: Finding) -> tuple[object, ...]:
    # Standards by number: ISO 9001 before ISO 13485.
    return (
        order_key(finding.standard),
        clause_key(finding.clause),
        finding.grade.severity,
        finding.rule_id,
        evidence_order([e.id for e in finding.evidence]),
        finding.absence or "",
    )


def summarise(findings: list[Finding]) -> ReportSummary:
    """The findings counted (none a decision set aside), by grade."""
    counts = {grade.value: 0 for grade in GRADE_ORDER}
    for finding in findings:
        if finding.counted:
            counts[finding.grade.value] += 1
    return ReportSummary(**counts)
