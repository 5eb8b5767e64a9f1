"""The scans run against one evidence index, kept so that ``qmscheck history`` can show the trend from
one audit to the next: when each scan ran, as of which day, the stage and packs, the counts by grade
and each finding's fingerprint and grade (a few dozen bytes a finding; never its evidence).

A table of its own in the index file, created when missing: the evidence index empties its own
tables when their layout changes, never this one.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from qmscheck.errors import QmscheckError
from qmscheck.model.evidence import CollectionWarning
from qmscheck.model.report import Report
from qmscheck.storage.guarded import GuardedIndex
from qmscheck.storage.index import open_index

__all__ = ["ScanRecord", "read_history", "record_scan"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scan_history (
    run INTEGER PRIMARY KEY AUTOINCREMENT,
    ran_at TEXT NOT NULL,
    organisation TEXT NOT NULL,
    as_of TEXT NOT NULL,
    stage INTEGER NOT NULL,
    packs TEXT NOT NULL,
    summary TEXT NOT NULL,
    findings TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class ScanRecord:
    """One scan, as the history keeps it."""

    ran_at: str
    organisation: str
    as_of: date
    stage: int
    #: 'iso9001 1.4.0'.
    packs: tuple[str, ...]
    #: Findings counted, by grade (the report's summary).
    summary: dict[str, int]
    #: Fingerprint to grade, for every finding (a waived one too: a waiver resolves nothing).
    findings: dict[str, str]


def record_scan(index: Path | None, report: Report, ran_at: datetime | None = None) -> list[CollectionWarning]:
    """Keep a summary of ``report`` in the index at ``index`` (nothing without an index); what kept it
    from doing so (a damaged, full or locked index: the report stands without it)."""
    if index is None:
        return []
    when = (ran_at or datetime.now(UTC)).isoformat(timespec="seconds")
    findings = {f.fingerprint or f.id: f.grade.value for f in report.findings}
    row = (
        when,
        report.organisation.name,
        report.as_of.isoformat(),
        report.stage,
        json.dumps([f"{pack.name} {pack.version}" for pack in report.packs]),
        json.dumps(report.summary.model_dump(), sort_keys=True),
        json.dumps(findings, sort_keys=True),
    )
    guarded = GuardedIndex(index, {"scan_history": _SCHEMA})
    guarded.write(
        "INSERT INTO scan_history (ran_at, organisation, as_of, stage, packs, summary, findings) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        row,
    )
    guarded.close()
    return guarded.warnings


def read_history(index: Path) -> list[ScanRecord]:
    """The scans kept in the index at ``index``, oldest first; none when it has no history."""
    if not index.is_file():
        return []
    db = open_index(index, _SCHEMA)
    try:
        rows = db.execute(
            "SELECT ran_at, organisation, as_of, stage, packs, summary, findings FROM scan_history ORDER BY run"
        ).fetchall()
    except sqlite3.Error as exc:
        raise QmscheckError(f"cannot read the scan history of the evidence index {index}: {exc}") from None
    finally:
        db.close()
    return [
        ScanRecord(
            ran_at=ran_at,
            organisation=organisation,
            as_of=date.fromisoformat(as_of),
            stage=stage,
            packs=tuple(json.loads(packs)),
            summary=json.loads(summary),
            findings=json.loads(findings),
        )
        for ran_at, organisation, as_of, stage, packs, summary, findings in rows
    ]
