"""Audit planning: audit time, the multi-site sample and a draft agenda, from ``qmscheck.toml`` and a scan.

A certification body (CB) works out how long an audit takes and which sites it visits under
ISO/IEC 17021-1 and two IAF mandatory documents: IAF MD 5 (audit time from the effective number
of personnel, adjusted for complexity and risk) and IAF MD 1 (how many sites of a multi-site
organisation to visit, and which). qmscheck reads the same inputs (``[audit]`` in
``qmscheck.toml``: effective personnel, shifts and processes per site, the complexity class, the
adjustments with their reasons) and works out what the CB is likely to plan, so that an
organisation or an auditor can prepare. The plan says so at the top: the CB sets the final figures.

The scan decides where the audit spends its time: clauses and processes with findings come first
and get more of it, major first; a sampled multi-site audit visits the sites with the worst
findings first. A finding counts for a site or a process when its statement or what it cites
names it: the report records no site per finding, and the plan says which findings it matched.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cache
from html import escape
from importlib import resources
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from qmscheck.config.scan_config import AuditConfig, AuditSite, ScanConfig
from qmscheck.errors import ConfigError
from qmscheck.model.grades import GRADE_ORDER, Grade
from qmscheck.model.report import Finding, Report, clause_key

__all__ = [
    "AUDITS",
    "DISCLAIMER",
    "AuditKind",
    "Plan",
    "make_plan",
    "md1_sample_size",
    "md5_table",
    "render_plan",
]

AuditKind = Literal["initial", "surveillance", "recertification"]
AUDITS: Final[tuple[AuditKind, ...]] = ("initial", "surveillance", "recertification")

DISCLAIMER: Final = (
    "This plan is a planning aid, not the audit programme. The certification body works out and "
    "sets the audit time, the sites to visit and the audit plan itself, under ISO/IEC 17021-1 and the "
    "IAF mandatory documents IAF MD 5 (audit time) and IAF MD 1 (multi-site sampling). The figures "
    "below are qmscheck's reading of those rules applied to the organisation's own inputs and to a scan."
)

#: IAF MD 1 sample size: y = factor x sqrt(number of sites besides the central function), rounded up.
MD1_FACTORS: Final[dict[AuditKind, float]] = {"initial": 1.0, "surveillance": 0.6, "recertification": 0.8}
#: IAF MD 1: at least this share of the sample is drawn at random.
MD1_RANDOM_SHARE: Final = Fraction(1, 4)
#: IAF MD 1's non-sampling method: at least this share of the sites in each surveillance year.
MD1_NON_SAMPLING_SURVEILLANCE: Final = Fraction(3, 10)

#: qmscheck's weights for the agenda (not IAF figures): each clause on it counts 1, and each finding
#: adds by its grade, so a clause with a major gets far more of the time than one that passed.
GRADE_WEIGHTS: Final[dict[Grade, int]] = {
    Grade.MAJOR: 8,
    Grade.MINOR: 4,
    Grade.REQUEST: 3,
    Grade.OBSERVATION: 2,
    Grade.OFI: 1,
}
#: A manual check adds this to its clause's weight: questions no rule could answer from the files.
MANUAL_WEIGHT: Final = 1
#: Agenda slots are whole quarters of an hour.
SLOT_MINUTES: Final = 15
#: qmscheck's default share of the initial audit days for Stage 1 when ``[audit] stage1_days`` is not
#: set: IAF MD 5 gives Stage 1 and Stage 2 together, and the split is the CB's.
DEFAULT_STAGE1_SHARE: Final = Fraction(1, 3)
#: The evidence an agenda line names at most per finding.
EVIDENCE_PER_FINDING: Final = 3


class Md5Band(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    low: int
    high: int
    days: float

    @property
    def label(self) -> str:
        return f"{self.low}-{self.high}"


class Md5Table(BaseModel):
    """``md5_qms.toml``: the audit-time table and the rules around it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    revision: str
    covers: str
    column: str
    max_reduction_percent: int
    hours_per_day: int
    min_on_site_percent: int
    surveillance_share: tuple[int, int]
    recertification_share: tuple[int, int]
    bands: list[Md5Band]

    def band(self, personnel: int) -> Md5Band | None:
        return next((band for band in self.bands if band.low <= personnel <= band.high), None)


@cache
def md5_table() -> Md5Table:
    text = resources.files("qmscheck.auditing").joinpath("md5_qms.toml").read_text(encoding="utf-8")
    return Md5Table.model_validate(tomllib.loads(text))


def md1_sample_size(sites: int, audit: AuditKind) -> int:
    """IAF MD 1's minimum number of sites to visit besides the central function (risk only adds)."""
    if sites <= 0:
        return 0
    # Rounded to 9 places first, so that 0.6 x sqrt(25) = 3.0000000000000004 is 3, not 4.
    return min(sites, math.ceil(round(MD1_FACTORS[audit] * math.sqrt(sites), 9)))


def half_days(days: float) -> float:
    """To the nearest half day, halves of a half day up (IAF MD 5 rounds audit time so)."""
    return math.floor(days * 2 + 0.5 + 1e-9) / 2


class Adjustment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    percent: float = Field(description="As the configuration asks; negative reduces.")
    applied_percent: float = Field(description="What the plan applies: reductions stop at the IAF MD 5 limit.")
    reason: str


class AuditTime(BaseModel):
    model_config = ConfigDict(extra="forbid")

    table: str = Field(description="The IAF MD 5 revision qmscheck's table follows.")
    personnel: int = Field(description="Effective personnel: the sum over the sites.")
    complexity: str
    band: str | None = Field(description="The table row used ('26-45'); None where qmscheck's table has none.")
    table_days: float | None
    adjustments: list[Adjustment]
    reduction_requested_percent: float
    reduction_applied_percent: float
    increase_percent: float
    initial_days: float | None = Field(description="Stage 1 + Stage 2, adjusted, to the half day.")
    stage1_days: float | None
    stage2_days: float | None
    stage1_basis: str
    surveillance_days: float | None
    recertification_days: float | None
    min_on_site_days: float | None = Field(description="The share of the initial days spent on site, at least.")
    notes: list[str]


class SiteChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    personnel: int
    shifts: int
    table_days: float | None = Field(description="The table's days for the site's own personnel.")
    findings: dict[str, int] = Field(description="Findings naming the site, by grade.")
    why: str = Field(description="'central function', 'risk' or 'random'.")


class NonSampling(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str
    initial: list[str]
    surveillance_per_year: int
    surveillance_years: list[list[str]] = Field(description="A rotation for surveillance years 1 and 2.")
    recertification: list[str]


class SitePlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    audit: AuditKind
    central: str | None
    sites: int = Field(description="Sites besides the central function (x).")
    sample_sizes: dict[str, int] = Field(description="IAF MD 1's minimum for each kind of audit.")
    sample_size: int
    random_count: int
    risk_count: int
    seed: str
    visits: list[SiteChoice]
    not_visited: list[str]
    non_sampling: NonSampling | None


class ProcessLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    sites: list[str]
    findings: dict[str, int]
    weight: int


class AgendaLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    standard: str
    clause: str
    title: str
    findings: dict[str, int]
    manual_check: bool
    weight: int
    minutes: int
    look_at: list[str] = Field(description="Evidence to request: what findings cite or did not find, what to ask for.")


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disclaimer: str
    organisation: str
    audit: AuditKind
    as_of: date | None
    scan_summary: str | None
    time: AuditTime
    site_plan: SitePlan | None
    processes: list[ProcessLine]
    agenda_title: str
    agenda_days: float | None
    weights: str
    agenda: list[AgendaLine]


# --- audit time (IAF MD 5) ---------------------------------------------------------------------


def _audit_time(audit: AuditConfig, table: Md5Table) -> AuditTime:
    personnel = sum(site.personnel for site in audit.sites)
    band = table.band(personnel)
    notes: list[str] = []
    limit = float(table.max_reduction_percent)
    requested = -sum(a.percent for a in audit.adjustments if a.percent < 0)
    increase = sum(a.percent for a in audit.adjustments if a.percent > 0)
    scale = min(1.0, limit / requested) if requested else 1.0
    adjustments = [
        Adjustment(
            percent=a.percent,
            applied_percent=round(a.percent * scale, 2) if a.percent < 0 else a.percent,
            reason=a.reason,
        )
        for a in audit.adjustments
    ]
    applied = min(requested, limit)
    if requested > limit:
        notes.append(
            f"The reductions asked for total {requested:g}%; IAF MD 5 allows at most {limit:g}% of the table's "
            f"days, so each is scaled down to make {limit:g}%."
        )
    if band is None:
        notes.append(
            f"{personnel} effective personnel: not in qmscheck's table; the certification body sets the audit time."
        )
        initial = None
    else:
        initial = half_days(band.days * (1 + (increase - applied) / 100))
    if audit.stage1_days is not None and initial is not None and audit.stage1_days >= initial:
        raise ConfigError(f"[audit] stage1_days = {audit.stage1_days:g} leaves no Stage 2 of the {initial:g} days")
    stage1, stage2, basis = _stages(initial, audit.stage1_days)
    surveillance = _share(initial, table.surveillance_share)
    recertification = _share(initial, table.recertification_share)
    on_site = None if initial is None else round(initial * table.min_on_site_percent / 100, 2)
    if len(audit.sites) > 1:
        notes.append(
            "For a multi-site organisation the CB works out the time per visited site; IAF MD 1 lets the "
            "reductions for a sampled site reach at most 50% in all. Each visited site's own table days are listed."
        )
    notes.append(
        f"An audit day is {table.hours_per_day} hours; a longer day does not shorten the count. "
        f"At least {table.min_on_site_percent}% of the time is on site; travel is not audit time."
    )
    return AuditTime(
        table=table.revision,
        personnel=personnel,
        complexity=audit.complexity,
        band=band.label if band else None,
        table_days=band.days if band else None,
        adjustments=adjustments,
        reduction_requested_percent=requested,
        reduction_applied_percent=applied,
        increase_percent=increase,
        initial_days=initial,
        stage1_days=stage1,
        stage2_days=stage2,
        stage1_basis=basis,
        surveillance_days=surveillance,
        recertification_days=recertification,
        min_on_site_days=on_site,
        notes=notes,
    )


def _stages(initial: float | None, stage1_days: float | None) -> tuple[float | None, float | None, str]:
    if initial is None:
        return None, None, "no audit time to split"
    if stage1_days is not None:
        return stage1_days, initial - stage1_days, "[audit] stage1_days"
    stage1 = max(0.5, half_days(initial * float(DEFAULT_STAGE1_SHARE)))
    return (
        stage1,
        initial - stage1,
        "qmscheck's default of a third for Stage 1 (IAF MD 5 gives the two stages together; "
        "the CB decides the split; set [audit] stage1_days to plan with yours)",
    )


def _share(initial: float | None, share: tuple[int, int]) -> float | None:
    return None if initial is None else max(0.5, half_days(initial * share[0] / share[1]))


# --- what findings name ------------------------------------------------------------------------


def _names(finding: Finding, name: str) -> bool:
    """True when the finding's statement, absence or what it cites names ``name`` as a whole word."""
    pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
    texts = [finding.statement, finding.absence or ""]
    texts += [f"{ref.locator} {ref.label}" for ref in finding.evidence]
    return any(pattern.search(text) for text in texts)


def _grade_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {grade.value: 0 for grade in GRADE_ORDER}
    for finding in findings:
        counts[finding.grade.value] += 1
    return {grade: count for grade, count in counts.items() if count}


def _severity_key(findings: Sequence[Finding]) -> tuple[int, ...]:
    """More of a worse grade sorts first (negated counts, worst grade first)."""
    counts = _grade_counts(findings)
    return tuple(-counts.get(grade.value, 0) for grade in GRADE_ORDER)


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {grade}" for grade, count in counts.items()) or "none"


# --- multi-site sampling (IAF MD 1) ------------------------------------------------------------


def seeded_order(seed: str, names: Iterable[str]) -> list[str]:
    """The names ordered by sha256(seed + name): any machine draws the same."""
    return sorted(names, key=lambda name: (hashlib.sha256((seed + name).encode()).hexdigest(), name))


@dataclass(frozen=True)
class _Site:
    config: AuditSite
    findings: tuple[Finding, ...]

    def choice(self, why: str, table: Md5Table) -> SiteChoice:
        band = table.band(self.config.personnel)
        return SiteChoice(
            name=self.config.name,
            personnel=self.config.personnel,
            shifts=self.config.shifts,
            table_days=band.days if band else None,
            findings=_grade_counts(self.findings),
            why=why,
        )


def _site_plan(
    audit: AuditConfig, kind: AuditKind, report: Report | None, processes: list[str], organisation: str
) -> SitePlan | None:
    if len(audit.sites) < 2:
        return None
    # Without a seed of its own, the organisation's name: stated in the plan, so anyone redraws it.
    seed = audit.seed or organisation
    table = md5_table()
    findings = report.findings if report else []
    sites = [_Site(site, tuple(f for f in findings if _names(f, site.name))) for site in audit.sites]
    central = next((site for site in sites if site.config.central), None)
    others = [site for site in sites if site is not central]
    sizes = {audit_kind: md1_sample_size(len(others), audit_kind) for audit_kind in AUDITS}
    size = sizes[kind]
    random_count = min(size, math.ceil(size * MD1_RANDOM_SHARE))
    risk_count = size - random_count
    # Risk first: the worst findings, then the most people and shifts (IAF MD 1 risk factors).
    by_risk = sorted(
        others, key=lambda s: (_severity_key(s.findings), -s.config.personnel, -s.config.shifts, s.config.name)
    )
    risky = by_risk[:risk_count]
    rest = {site.config.name: site for site in by_risk[risk_count:]}
    drawn = [rest[name] for name in seeded_order(seed, rest)[:random_count]]
    visits = [central.choice("central function", table)] if central else []
    visits += [site.choice("risk", table) for site in risky]
    visits += [site.choice("random", table) for site in drawn]
    chosen = {visit.name for visit in visits}
    return SitePlan(
        audit=kind,
        central=central.config.name if central else None,
        sites=len(others),
        sample_sizes=dict(sizes),
        sample_size=size,
        random_count=random_count,
        risk_count=risk_count,
        seed=seed,
        visits=visits,
        not_visited=[site.config.name for site in others if site.config.name not in chosen],
        non_sampling=_non_sampling(others, by_risk, processes),
    )


def _non_sampling(others: list[_Site], by_risk: list[_Site], processes: list[str]) -> NonSampling | None:
    """IAF MD 1's alternative when the sites do not all run the same processes: sampling assumes alike sites."""
    run = {site.config.name: frozenset(site.config.processes or processes) for site in others}
    if len(set(run.values())) < 2:
        return None
    sets = sorted(set(run.values()), key=lambda processes: (-list(run.values()).count(processes), sorted(processes)))
    usual = sets[0]
    differ = [f"{name} runs {', '.join(sorted(run[name])) or 'none'}" for name in run if run[name] != usual]
    per_year = math.ceil(len(others) * MD1_NON_SAMPLING_SURVEILLANCE)
    names = [site.config.name for site in by_risk]
    years = [names[:per_year], (names[per_year:] + names)[:per_year]]
    every = [site.config.name for site in others]
    return NonSampling(
        reason=f"The sites do not all run the same processes ({'; '.join(differ)}; the others "
        f"{', '.join(sorted(usual))}), so sampling them "
        "may not be appropriate: IAF MD 1 then has every site audited at initial and recertification audits, "
        "and a rotating share of them in each surveillance year.",
        initial=every,
        surveillance_per_year=per_year,
        surveillance_years=years,
        recertification=every,
    )


# --- the agenda --------------------------------------------------------------------------------


@dataclass
class _Clause:
    standard: str
    clause: str
    title: str
    findings: list[Finding]
    manual: bool = False
    look_at: list[str] | None = None

    @property
    def weight(self) -> int:
        return 1 + sum(GRADE_WEIGHTS[f.grade] for f in self.findings) + (MANUAL_WEIGHT if self.manual else 0)


def _agenda_clauses(report: Report) -> list[_Clause]:
    clauses: dict[tuple[str, str], _Clause] = {}

    def entry(standard: str, clause: str, title: str) -> _Clause:
        heading = report.standard(standard).clauses.get(clause, title)
        return clauses.setdefault((standard, clause), _Clause(standard, clause, heading, [], look_at=[]))

    for finding in report.findings:
        line = entry(finding.standard, finding.clause, finding.title)
        line.findings.append(finding)
        assert line.look_at is not None
        if finding.absence:
            line.look_at.append(f"{finding.rule_id}: not found, ask to see: {finding.absence}")
        cited = [ref.locator for ref in finding.evidence[:EVIDENCE_PER_FINDING]]
        if cited:
            more = len(finding.evidence) - len(cited)
            tail = f" and {more} more" if more > 0 else ""
            line.look_at.append(f"{finding.rule_id}: {'; '.join(cited)}{tail}")
    for check in report.manual_checks:
        line = entry(check.standard, check.clause, check.title)
        line.manual = True
        assert line.look_at is not None
        line.look_at += check.evidence
    for passed in report.rules_passed:
        line = entry(passed.standard, passed.clause, passed.title)
        assert line.look_at is not None
        types = ", ".join(t.replace("_", " ") for t in passed.evidence.types)
        if types:
            line.look_at.append(f"{passed.rule_id} passed: a sample of {types}")
    return list(clauses.values())


def _shares(weights: list[int], slots: int) -> list[int]:
    """``slots`` shared in proportion to the weights (largest remainder, ties in order)."""
    total = sum(weights)
    if not total:
        return [0] * len(weights)
    exact = [Fraction(weight * slots, total) for weight in weights]
    given = [math.floor(share) for share in exact]
    for index in sorted(range(len(weights)), key=lambda i: (-(exact[i] - given[i]), i))[: slots - sum(given)]:
        given[index] += 1
    return given


def _slots(weights: list[int], minutes: int) -> list[int]:
    """``minutes`` shared by weight in whole slots. When there are slots enough, every line's base
    weight of 1 is one slot and the findings' weight shares the rest, so no clause goes unvisited."""
    slots = minutes // SLOT_MINUTES
    if slots >= len(weights) and any(weight > 1 for weight in weights):
        extra = _shares([weight - 1 for weight in weights], slots - len(weights))
        given = [1 + more for more in extra]
    else:
        given = _shares(weights, slots)
    return [count * SLOT_MINUTES for count in given]


def _agenda(report: Report | None, days: float | None, hours_per_day: int) -> list[AgendaLine]:
    if report is None:
        return []
    clauses = _agenda_clauses(report)
    clauses.sort(
        key=lambda c: (
            min((f.grade.severity for f in c.findings), default=len(GRADE_ORDER)),
            -c.weight,
            clause_key(c.clause),
            c.standard,
        )
    )
    minutes = _slots([c.weight for c in clauses], round((days or 0) * hours_per_day * 60))
    return [
        AgendaLine(
            standard=c.standard,
            clause=c.clause,
            title=c.title,
            findings=_grade_counts(c.findings),
            manual_check=c.manual,
            weight=c.weight,
            minutes=slot,
            look_at=list(dict.fromkeys(c.look_at or [])),
        )
        for c, slot in zip(clauses, minutes, strict=True)
    ]


def _processes(config: ScanConfig, report: Report | None) -> list[ProcessLine]:
    findings = report.findings if report else []
    lines = []
    for name in config.organisation.processes:
        naming = [f for f in findings if _names(f, name)]
        sites = [site.name for site in config.audit.sites if not site.processes or name in site.processes]
        lines.append(
            ProcessLine(
                name=name,
                sites=sites,
                findings=_grade_counts(naming),
                weight=1 + sum(GRADE_WEIGHTS[f.grade] for f in naming),
            )
        )
    order = {name: at for at, name in enumerate(config.organisation.processes)}
    return sorted(lines, key=lambda line: (-line.weight, order[line.name]))


# --- the plan ----------------------------------------------------------------------------------


def _check_inputs(config: ScanConfig) -> None:
    where = config.file or config.base_dir
    audit = config.audit
    if not audit.sites:
        raise ConfigError(
            f"{where}: planning needs the effective personnel of each site: add an [[audit.sites]] table "
            '(name = "...", personnel = N) for every site'
        )
    names = [site.name for site in audit.sites]
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise ConfigError(f"{where}: [[audit.sites]] names {', '.join(doubled)} more than once")
    if sum(site.central for site in audit.sites) > 1:
        raise ConfigError(f"{where}: [[audit.sites]]: only one site can be the central function")
    declared = config.organisation.sites
    unknown = [name for name in names if declared and name not in declared]
    if unknown:
        raise ConfigError(
            f"{where}: [[audit.sites]] {', '.join(unknown)} not among [organisation] sites ({', '.join(declared)})"
        )
    processes = config.organisation.processes
    for site in audit.sites:
        stray = [p for p in site.processes if processes and p not in processes]
        if stray:
            raise ConfigError(
                f"{where}: [[audit.sites]] {site.name}: processes {', '.join(stray)} not among "
                f"[organisation] processes ({', '.join(processes)})"
            )


def make_plan(config: ScanConfig, report: Report | None, audit: AuditKind = "initial") -> Plan:
    """The plan for ``audit`` from the configuration's ``[audit]`` and, when given, a scan of it."""
    _check_inputs(config)
    table = md5_table()
    time = _audit_time(config.audit, table)
    days = {"initial": time.stage2_days, "surveillance": time.surveillance_days}.get(audit, time.recertification_days)
    title = "Stage 2 agenda (draft)" if audit == "initial" else f"{audit.capitalize()} audit agenda (draft)"
    weights = (
        "Each clause counts 1; each finding adds "
        + ", ".join(f"{weight} per {grade.value}" for grade, weight in GRADE_WEIGHTS.items())
        + f"; a manual check adds {MANUAL_WEIGHT}. Slots are in {SLOT_MINUTES} minutes, in proportion to "
        "the weights (qmscheck's weights, not an IAF rule)."
    )
    return Plan(
        disclaimer=DISCLAIMER,
        organisation=config.organisation.name,
        audit=audit,
        as_of=report.as_of if report else None,
        scan_summary=report.summary.line() if report else None,
        time=time,
        site_plan=_site_plan(config.audit, audit, report, config.organisation.processes, config.organisation.name),
        processes=_processes(config, report),
        agenda_title=title,
        agenda_days=days,
        weights=weights,
        agenda=_agenda(report, days, table.hours_per_day),
    )


# --- rendering ---------------------------------------------------------------------------------


def _days(value: float | None) -> str:
    if value is None:
        return "not in qmscheck's table; the CB sets it"
    return f"{value:g} day{'' if value == 1 else 's'}"


def _minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}h{rest:02d}" if hours else f"{rest} min"


def _time_rows(plan: Plan) -> list[tuple[str, str]]:
    time = plan.time
    adjust = [f"{a.applied_percent:+g}% ({a.reason})" for a in time.adjustments]
    return [
        ("Effective personnel", f"{time.personnel} (complexity class: {time.complexity})"),
        ("Table", f"{time.table}, {md5_table().covers}, {md5_table().column}"),
        ("Table row", f"{time.band} personnel: {time.table_days:g} days" if time.band else _days(None)),
        ("Adjustments", "; ".join(adjust) or "none"),
        ("Initial audit (Stage 1 + Stage 2)", _days(time.initial_days)),
        ("Stage 1", f"{_days(time.stage1_days)} ({time.stage1_basis})"),
        ("Stage 2", _days(time.stage2_days)),
        ("On site, at least", _days(time.min_on_site_days)),
        ("Surveillance (each year, about a third)", _days(time.surveillance_days)),
        ("Recertification (about two thirds)", _days(time.recertification_days)),
    ]


def _site_lines(site_plan: SitePlan) -> list[str]:
    sizes = ", ".join(f"{kind} {size}" for kind, size in site_plan.sample_sizes.items())
    lines = [
        f"{site_plan.sites} sites besides the central function "
        f"({site_plan.central or 'none named: set central = true on one site'}). "
        f"IAF MD 1 minimum sample (square root of the sites, times 1, 0.6 or 0.8, rounded up): {sizes}.",
        f"This {site_plan.audit} audit: {site_plan.sample_size} sites, {site_plan.risk_count} chosen by risk "
        f"(worst findings in the scan first, then most personnel and shifts) and {site_plan.random_count} at random "
        f"(at least a quarter; drawn in sha256(seed + site name) order, seed {site_plan.seed!r}). "
        "The CB adds sites for risk factors: size, shifts, complexity, complaints, earlier findings.",
    ]
    return lines


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def _markdown(plan: Plan) -> str:
    out = [f"# Audit plan: {plan.organisation} ({plan.audit} audit)", "", f"> {plan.disclaimer}", ""]
    if plan.scan_summary:
        out += [f"Scan of {plan.as_of}: {plan.scan_summary}.", ""]
    out += ["## Audit time (IAF MD 5)", "", "| | |", "|---|---|"]
    out += [f"| {name} | {_markdown_cell(value)} |" for name, value in _time_rows(plan)]
    out += [""] + [f"- {note}" for note in plan.time.notes] + [""]
    if plan.site_plan:
        site_plan = plan.site_plan
        out += ["## Sites to visit (IAF MD 1)", "", *_site_lines(site_plan), ""]
        out += ["| Site | Why | Personnel | Shifts | Table days | Findings naming it |", "|---|---|---|---|---|---|"]
        out += [
            f"| {_markdown_cell(v.name)} | {v.why} | {v.personnel} | {v.shifts} | {_days(v.table_days)} "
            f"| {_counts_text(v.findings)} |"
            for v in site_plan.visits
        ]
        out += ["", f"Not visited this time: {', '.join(site_plan.not_visited) or 'none'}.", ""]
        if site_plan.non_sampling:
            ns = site_plan.non_sampling
            out += [
                "### Non-sampling alternative",
                "",
                ns.reason,
                "",
                f"- Initial and recertification: all {len(ns.initial)} sites.",
                f"- Each surveillance year: at least {ns.surveillance_per_year} sites, rotating "
                f"(year 1: {', '.join(ns.surveillance_years[0])}; year 2: {', '.join(ns.surveillance_years[1])}).",
                "",
            ]
    if plan.processes:
        out += ["## Processes", "", "| Process | Sites | Findings naming it | Weight |", "|---|---|---|---|"]
        out += [
            f"| {_markdown_cell(p.name)} | {_markdown_cell(', '.join(p.sites))} | {_counts_text(p.findings)} "
            f"| {p.weight} |"
            for p in plan.processes
        ]
        out.append("")
    out += [f"## {plan.agenda_title}: {_days(plan.agenda_days)}", "", plan.weights, ""]
    if not plan.agenda:
        out += ["No scan given: nothing to weight the agenda by.", ""]
    else:
        out += ["| Time | Clause | Findings | Evidence to request |", "|---|---|---|---|"]
        out += [
            f"| {_minutes(line.minutes)} | {_markdown_cell(line.clause + ' ' + line.title)}"
            f"{' (manual check)' if line.manual_check else ''} | {_counts_text(line.findings)} "
            f"| {_markdown_cell(chr(10).join(line.look_at))} |"
            for line in plan.agenda
        ]
        out.append("")
    return "\n".join(out)


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.3em .6em;text-align:left;"
    "vertical-align:top}.disclaimer{border-left:4px solid #c60;padding:.5em 1em;background:#fff6ec}"
)


def _html_table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    header = "".join(f'<th scope="col">{escape(cell)}</th>' for cell in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell).replace(chr(10), '<br>')}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _html(plan: Plan) -> str:
    title = f"Audit plan: {plan.organisation} ({plan.audit} audit)"
    parts = [f"<h1>{escape(title)}</h1>", f'<p class="disclaimer">{escape(plan.disclaimer)}</p>']
    if plan.scan_summary:
        parts.append(f"<p>Scan of {escape(str(plan.as_of))}: {escape(plan.scan_summary)}.</p>")
    parts += ["<h2>Audit time (IAF MD 5)</h2>", _html_table(("", ""), _time_rows(plan))]
    parts.append("<ul>" + "".join(f"<li>{escape(note)}</li>" for note in plan.time.notes) + "</ul>")
    if plan.site_plan:
        site_plan = plan.site_plan
        parts.append("<h2>Sites to visit (IAF MD 1)</h2>")
        parts += [f"<p>{escape(line)}</p>" for line in _site_lines(site_plan)]
        parts.append(
            _html_table(
                ("Site", "Why", "Personnel", "Shifts", "Table days", "Findings naming it"),
                (
                    (v.name, v.why, str(v.personnel), str(v.shifts), _days(v.table_days), _counts_text(v.findings))
                    for v in site_plan.visits
                ),
            )
        )
        parts.append(f"<p>Not visited this time: {escape(', '.join(site_plan.not_visited) or 'none')}.</p>")
        if site_plan.non_sampling:
            ns = site_plan.non_sampling
            parts += [
                "<h3>Non-sampling alternative</h3>",
                f"<p>{escape(ns.reason)}</p>",
                f"<ul><li>Initial and recertification: all {len(ns.initial)} sites.</li>"
                f"<li>Each surveillance year: at least {ns.surveillance_per_year} sites, rotating (year 1: "
                f"{escape(', '.join(ns.surveillance_years[0]))}; year 2: "
                f"{escape(', '.join(ns.surveillance_years[1]))}).</li></ul>",
            ]
    if plan.processes:
        parts += [
            "<h2>Processes</h2>",
            _html_table(
                ("Process", "Sites", "Findings naming it", "Weight"),
                ((p.name, ", ".join(p.sites), _counts_text(p.findings), str(p.weight)) for p in plan.processes),
            ),
        ]
    parts += [
        f"<h2>{escape(plan.agenda_title)}: {escape(_days(plan.agenda_days))}</h2>",
        f"<p>{escape(plan.weights)}</p>",
    ]
    if plan.agenda:
        parts.append(
            _html_table(
                ("Time", "Clause", "Findings", "Evidence to request"),
                (
                    (
                        _minutes(line.minutes),
                        f"{line.clause} {line.title}{' (manual check)' if line.manual_check else ''}",
                        _counts_text(line.findings),
                        "\n".join(line.look_at),
                    )
                    for line in plan.agenda
                ),
            )
        )
    else:
        parts.append("<p>No scan given: nothing to weight the agenda by.</p>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>\n"
        + "\n".join(parts)
        + "\n</body></html>\n"
    )


PLAN_FORMATS: Final = ("md", "html", "json")


def render_plan(plan: Plan, format_name: str) -> str:
    """The plan as Markdown, self-contained HTML or JSON (sorted keys): the same plan, the same bytes."""
    if format_name == "json":
        return json.dumps(plan.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if format_name == "html":
        return _html(plan)
    if format_name == "md":
        return _markdown(plan) + "\n"
    raise ConfigError(f"unknown plan format {format_name!r} (known: {', '.join(PLAN_FORMATS)})")
