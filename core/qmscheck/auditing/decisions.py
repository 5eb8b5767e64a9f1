"""Dispositions: what an auditor or the organisation decided about a finding, kept in
``qmscheck.decisions.toml`` beside ``qmscheck.toml`` and applied to every scan by fingerprint, so a
decision survives rescans while the finding keeps its identity.

One table per finding, named by its fingerprint::

    [findings.CAL001-ef67ecbebbf0]
    status = "waived"            # waived | verified | refuted | regraded
    reason = "Gauge quarantined; replacement ordered"
    by = "P. Nair, Quality Manager"
    date = 2026-03-02
    expires = 2026-06-30         # a waiver ends: from the day after, the finding counts again

A waived or refuted finding stays in every report, marked so, and counts toward neither the
verdict, the summary nor the exit code; a verified one is confirmed on site and counts; a
regraded one takes the auditor's grade, the scan's kept beside it. A decision no finding matches
is reported as stale: its finding was resolved, or its rule did not run.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from qmscheck.config.tomlfile import read_toml, validation_problems
from qmscheck.errors import ConfigError
from qmscheck.model.grades import Grade
from qmscheck.model.report import Day, Disposition, Finding, Report, StaleDecision, finding_sort_key, summarise

__all__ = ["DECISIONS_NAME", "Decision", "Decisions", "apply_decisions", "decisions_for", "load_decisions"]

DECISIONS_NAME: Final = "qmscheck.decisions.toml"

Status = Literal["waived", "verified", "refuted", "regraded"]


class Decision(BaseModel):
    """A decision about one finding."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: Status
    reason: str | None = Field(None, description="Required to waive, refute or regrade: the decision's grounds.")
    by: str | None = Field(None, description="Who approved the waiver, or verified, refuted or regraded the finding.")
    date: Day | None = Field(None, description="When the decision was taken.")
    expires: Day | None = Field(None, description="When a waiver ends (required to waive; only for a waiver).")
    grade: Grade | None = Field(None, description="The auditor's grade (required to regrade; only for regrading).")
    note: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> Decision:
        # Each status states what it rests on: a waiver nobody approved, or one that never ends, is no decision.
        needed = {
            "waived": ("reason", "by", "expires"),
            "refuted": ("reason",),
            "regraded": ("reason", "grade"),
            "verified": ("by",),
        }[self.status]
        missing = [name for name in needed if not getattr(self, name)]
        if missing:
            raise ValueError(f"a {self.status} decision needs {' and '.join(missing)}")
        if self.expires is not None and self.status != "waived":
            raise ValueError("expires is only for a waived decision")
        if self.grade is not None and self.status != "regraded":
            raise ValueError("grade is only for a regraded decision")
        return self


class Decisions(BaseModel):
    """The decisions file: one decision per fingerprint."""

    model_config = ConfigDict(extra="forbid")

    findings: dict[str, Decision] = Field(default_factory=dict, description="Fingerprint to decision.")


def load_decisions(path: Path) -> Decisions:
    """The decisions of ``path``; a ConfigError naming the file and the key path of each problem."""
    data = read_toml(path, ConfigError)
    problems: list[tuple[str, str]] = []
    # Each decision on its own, so that a problem is named by the key path inside its table and a
    # misspelt key or value by the closest allowed one.
    tables = data.get("findings")
    for fingerprint, entry in sorted(tables.items()) if isinstance(tables, dict) else []:
        try:
            Decision.model_validate(entry)
        except ValidationError as exc:
            problems += validation_problems(exc, Decision, prefix=["findings", fingerprint])
    try:
        decisions = Decisions.model_validate(data)
    except ValidationError as exc:
        found = validation_problems(exc, Decisions)
        problems += [problem for problem in found if not problem[0].startswith("findings.")]
    if problems:
        lines = [f"{path}: {where}: {message}" for where, message in problems]
        raise ConfigError("invalid decisions:\n  " + "\n  ".join(lines))
    return decisions


def decisions_for(config_file: Path | None, named: Path | None = None, *, trusted: bool = True) -> Decisions | None:
    """The decisions of the file named (``--decisions``), else of the one kept beside ``qmscheck.toml``
    when there is one and the configuration is trusted; None when there is none to apply."""
    if named is not None:
        return load_decisions(named)
    beside = _beside(config_file)
    return load_decisions(beside) if beside is not None and trusted else None


def untrusted_decisions(config_file: Path | None, *, trusted: bool) -> Path | None:
    """The decisions file beside a configuration that is not trusted, which a scan does not apply: a
    waiver, refutation or regrade takes a finding out of the verdict and the exit code, so a file
    planted in a share could turn a gate green (docs/security.md)."""
    return None if trusted else _beside(config_file)


def _beside(config_file: Path | None) -> Path | None:
    beside = config_file.parent / DECISIONS_NAME if config_file is not None else None
    return beside if beside is not None and beside.is_file() else None


def apply_decisions(report: Report, decisions: Decisions, as_of: date) -> Report:
    """``report`` with each decision recorded on the finding of its fingerprint, the summary counting
    only the findings still counted, and the decisions no finding has listed as stale."""
    findings = [_decided(finding, decisions.findings.get(finding.fingerprint), as_of) for finding in report.findings]
    seen = {finding.fingerprint for finding in report.findings}
    stale = [
        StaleDecision(fingerprint=fingerprint, status=decision.status, reason=decision.reason)
        for fingerprint, decision in sorted(decisions.findings.items())
        if fingerprint not in seen
    ]
    findings.sort(key=finding_sort_key)  # a regraded finding sorts by its new grade
    return report.model_copy(update={"findings": findings, "summary": summarise(findings), "stale_decisions": stale})


def _decided(finding: Finding, decision: Decision | None, as_of: date) -> Finding:
    if decision is None:
        return finding
    status: str = decision.status
    if decision.expires is not None and decision.expires < as_of:
        status = "waiver-expired"
    disposition = Disposition.model_validate(
        {
            "status": status,
            "reason": decision.reason,
            "by": decision.by,
            "date": decision.date,
            "expires": decision.expires,
            "note": decision.note,
            "original_grade": finding.grade if decision.grade is not None else None,
        }
    )
    update: dict[str, object] = {"disposition": disposition}
    if decision.grade is not None:
        update["grade"] = decision.grade
    return finding.model_copy(update=update)
