"""The portfolio report: every organisation's readiness side by side, and the findings they share.

Built from what each organisation's scan gave (:class:`ScanOutcome`) and the portfolio file; the
same model is written as JSON, CSV and HTML (:mod:`qmscheck.portfolio.render`). Deterministic:
organisations by their next audit, then name; findings by how many organisations have them; no
clock time, only the days the scans were judged as of.
"""

from __future__ import annotations

from datetime import date
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from qmscheck import __version__
from qmscheck.model.report import ReadinessStatus, Report, ReportSummary, clause_key
from qmscheck.portfolio.model import NextAudit, OrganisationEntry, PortfolioFile

__all__ = [
    "PORTFOLIO_SCHEMA_VERSION",
    "ErrorKind",
    "EvidenceUnderstood",
    "FindingSeen",
    "FrequentFinding",
    "OrganisationError",
    "OrganisationRow",
    "PortfolioReport",
    "PortfolioTotals",
    "ScanOutcome",
    "StageVerdict",
    "build_report",
    "outcome_of",
]

#: MAJOR.MINOR, as every JSON output of qmscheck states it.
PORTFOLIO_SCHEMA_VERSION: Final = "1.0"

#: Why an organisation has no verdict: its config or folder could not be used (configuration), no
#: quality-system evidence was recognised in it, qmscheck or a plugin failed on it (internal), or
#: the process scanning it ended without a result (crashed).
ErrorKind = Literal["configuration", "nothing-recognised", "internal", "crashed"]


class StageVerdict(BaseModel):
    """Readiness for one stage's audit, as the organisation's report gives it (:meth:`Report.verdict`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: Literal[1, 2]
    status: ReadinessStatus
    headline: str


class EvidenceUnderstood(BaseModel):
    """How much of the organisation's sources its scan understood."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    files: int = Field(description="Files (and ERP tables) listed as evidence to read.")
    recognised: int = Field(description="Of those, the ones read and recognised as QMS evidence.")
    percent: int | None = Field(description="recognised / files, rounded down to a whole per cent; None: no files.")
    unlisted_folders: int = Field(description="Folders that could not be listed: what they hold is unknown.")


class FindingSeen(BaseModel):
    """A rule with a counted finding in one organisation's report."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    standard: str
    rule_id: str
    clause: str
    title: str


class OrganisationError(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ErrorKind
    message: str


class ScanOutcome(BaseModel):
    """What one organisation's scan gave the portfolio: its verdicts and counts, the reports
    written (relative to the output directory), or why there are none."""

    model_config = ConfigDict(extra="forbid")

    as_of: date | None = None
    verdicts: list[StageVerdict] = Field(default_factory=list)
    summary: ReportSummary | None = None
    evidence: EvidenceUnderstood | None = None
    findings: list[FindingSeen] = Field(default_factory=list)
    reports: list[str] = Field(default_factory=list)
    error: OrganisationError | None = None


def outcome_of(report: Report, reports: list[str]) -> ScanOutcome:
    """The portfolio's view of one organisation's report."""
    understanding = report.understanding
    evidence = None
    if understanding is not None:
        files = understanding.files
        evidence = EvidenceUnderstood(
            files=files,
            recognised=understanding.recognised,
            percent=understanding.recognised * 100 // files if files else None,
            unlisted_folders=len(understanding.unlisted),
        )
    seen = {
        (f.standard, f.rule_id): FindingSeen(standard=f.standard, rule_id=f.rule_id, clause=f.clause, title=f.title)
        for f in report.findings
        if f.counted
    }
    error = None
    if understanding is not None and understanding.recognised == 0:
        error = OrganisationError(
            kind="nothing-recognised",
            message=f"no quality-system evidence recognised ({understanding.line()}): check the path, or say what "
            "the files are with [[classify]] tables in its qmscheck.toml (docs/connectors.md)",
        )
    return ScanOutcome(
        as_of=report.as_of,
        verdicts=[StageVerdict(stage=v.stage, status=v.status, headline=v.headline) for v in report.verdicts],
        summary=report.summary,
        evidence=evidence,
        findings=[seen[key] for key in sorted(seen)],
        reports=reports,
        error=error,
    )


class OrganisationRow(BaseModel):
    """One organisation in the portfolio report."""

    model_config = ConfigDict(extra="forbid")

    name: str
    slug: str = Field(description="Its folder under the output directory.")
    target: str = Field(description="Its qmscheck.toml or folder, as the portfolio file names it.")
    as_of: date | None = Field(description="The day its scan was judged as of; None when it was not scanned.")
    next_audit: NextAudit | None
    days_until_audit: int | None = Field(description="From as_of (else the portfolio's) to the audit; <0: past.")
    audit_verdict: ReadinessStatus | None = Field(description="The readiness for the next audit's stage.")
    at_risk: bool
    at_risk_reason: str | None
    verdicts: list[StageVerdict]
    summary: ReportSummary | None
    evidence: EvidenceUnderstood | None
    reports: list[str] = Field(description="Its reports, relative to the output directory.")
    error: OrganisationError | None


class FrequentFinding(BaseModel):
    """A rule with findings in several organisations: a shared weakness, or a rule worth a look."""

    model_config = ConfigDict(extra="forbid")

    standard: str
    rule_id: str
    clause: str
    title: str
    organisations: int
    names: list[str]


class PortfolioTotals(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisations: int
    scanned: int = Field(description="Organisations with a verdict.")
    failed: int = Field(description="Organisations with an error.")
    at_risk: int
    findings: ReportSummary = Field(description="The findings counted, by grade, over every organisation.")


class PortfolioReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal["1.0"] = PORTFOLIO_SCHEMA_VERSION
    tool_version: str = __version__
    name: str
    as_of: date | None = Field(description="[portfolio] as_of; None: each organisation was judged as of its own day.")
    at_risk_days: int
    totals: PortfolioTotals
    organisations: list[OrganisationRow]
    frequent_findings: list[FrequentFinding]


def _at_risk(entry: OrganisationEntry, days: int | None, verdict: ReadinessStatus | None, window: int) -> str | None:
    """Why an organisation is at risk, or None: its next audit is ``window`` days away or fewer (and
    not past), and its readiness for that audit's stage is not ready, not established, or unknown."""
    if entry.next_audit is None or days is None or not 0 <= days <= window:
        return None
    stage = entry.next_audit.stage
    when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
    if verdict is None:
        return f"not scanned, stage {stage} audit {when}"
    if verdict == "not-ready":
        return f"not ready for the stage {stage} audit {when}: major nonconformities open"
    if verdict == "unconfirmed":
        return f"readiness for the stage {stage} audit {when} not established: evidence requests open"
    return None


def build_report(portfolio: PortfolioFile, outcomes: list[ScanOutcome]) -> PortfolioReport:
    """The portfolio report of ``outcomes``, one per organisation of ``portfolio`` in its order."""
    settings = portfolio.portfolio
    rows = []
    for entry, slug, outcome in zip(portfolio.organisations, portfolio.slugs(), outcomes, strict=True):
        day = outcome.as_of or entry.as_of or settings.as_of
        days = (entry.next_audit.date - day).days if entry.next_audit is not None and day is not None else None
        audit_stage = entry.next_audit.stage if entry.next_audit is not None else 2
        verdict = next((v.status for v in outcome.verdicts if v.stage == audit_stage), None)
        reason = _at_risk(entry, days, verdict, settings.at_risk_days)
        rows.append(
            OrganisationRow(
                name=entry.name,
                slug=slug,
                target=entry.config or entry.source or "",
                as_of=outcome.as_of,
                next_audit=entry.next_audit,
                days_until_audit=days,
                audit_verdict=verdict,
                at_risk=reason is not None,
                at_risk_reason=reason,
                verdicts=outcome.verdicts,
                summary=outcome.summary,
                evidence=outcome.evidence,
                reports=outcome.reports,
                error=outcome.error,
            )
        )
    rows.sort(key=lambda row: (row.next_audit is None, row.next_audit.date if row.next_audit else date.min, row.name))
    return PortfolioReport(
        name=settings.name,
        as_of=settings.as_of,
        at_risk_days=settings.at_risk_days,
        totals=_totals(rows),
        organisations=rows,
        frequent_findings=_frequent(portfolio, outcomes),
    )


def _totals(rows: list[OrganisationRow]) -> PortfolioTotals:
    counts = {grade: 0 for grade in ReportSummary.model_fields}
    for row in rows:
        if row.summary is not None:
            for grade in counts:
                counts[grade] += getattr(row.summary, grade)
    return PortfolioTotals(
        organisations=len(rows),
        scanned=sum(1 for row in rows if row.verdicts),
        failed=sum(1 for row in rows if row.error is not None),
        at_risk=sum(1 for row in rows if row.at_risk),
        findings=ReportSummary(**counts),
    )


def _frequent(portfolio: PortfolioFile, outcomes: list[ScanOutcome]) -> list[FrequentFinding]:
    """Every rule with a counted finding, with the organisations that have one: most organisations
    first, then by standard, clause and rule id."""
    seen: dict[tuple[str, str], tuple[FindingSeen, list[str]]] = {}
    for entry, outcome in zip(portfolio.organisations, outcomes, strict=True):
        for finding in outcome.findings:
            seen.setdefault((finding.standard, finding.rule_id), (finding, []))[1].append(entry.name)
    ordered = sorted(
        seen.values(),
        key=lambda pair: (-len(pair[1]), pair[0].standard, clause_key(pair[0].clause), pair[0].rule_id),
    )
    return [
        FrequentFinding(
            standard=finding.standard,
            rule_id=finding.rule_id,
            clause=finding.clause,
            title=finding.title,
            organisations=len(names),
            names=sorted(names),
        )
        for finding, names in ordered
    ]
