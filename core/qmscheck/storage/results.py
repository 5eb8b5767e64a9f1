"""Each rule's findings from the last scan, reused while nothing the rule reads has changed.

A rule's findings are a pure function of the rule, the scan's settings (as-of date, stage,
edition, organisation), the check primitives' code and the evidence of the types its probes
select. :func:`rule_digest` hashes exactly that, reading each evidence group's digest rather
than its items, so an unchanged rule is neither evaluated nor even decoded. The cache is a
table in the evidence index's SQLite file; one row per rule, replaced on every scan.

A rule that must be evaluated again still need not read every group: the summaries its
primitive kept of each group (:mod:`qmscheck.checking.groupwise`) are a second table here, one row per
rule, so that a rescan decodes only the groups that changed.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Iterable
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from qmscheck.errors import QmscheckError
from qmscheck.model.groups import EvidenceGroup
from qmscheck.model.report import Finding, finding_sort_key
from qmscheck.storage.index import open_index
from qmscheck.storage.stored_summaries import RestUpdate

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rule_results (
    rule_id TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    findings BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stored_summaries (
    rule_id TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    keys TEXT NOT NULL,
    digests TEXT NOT NULL,
    header BLOB NOT NULL
) WITHOUT ROWID;
-- The rest of each rule's summaries, and the changes to it since, each in a table of its own:
-- SQLite writes a row whole, and a rest may be 17 MB that a rescan does not change.
CREATE TABLE IF NOT EXISTS summary_rests (rule_id TEXT PRIMARY KEY, digest TEXT NOT NULL, rest BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS summary_changes (rule_id TEXT PRIMARY KEY, digest TEXT NOT NULL, changes BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS summary_lists (
    digest TEXT PRIMARY KEY,
    items BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS report_findings (
    key TEXT PRIMARY KEY,
    findings BLOB NOT NULL
) WITHOUT ROWID;
"""
#: Tables of earlier layouts of the stored summaries: dropped, and the summaries worked out again.
_OLD_TABLES = ("rule_summaries", "summary_keys")
_FINDINGS = TypeAdapter(list[Finding])


def type_digests(groups: Iterable[EvidenceGroup]) -> dict[str, str]:
    """Per evidence type, a digest of every group holding items of that type (one pass over the groups)."""
    hashers: dict[str, hashlib._Hash] = {}
    for group in groups:
        entry = f"{group.key}\0{group.digest}\0".encode()
        for evidence_type in group.types:
            hasher = hashers.get(evidence_type)
            if hasher is None:
                hasher = hashers[evidence_type] = hashlib.sha256()
            hasher.update(entry)
    return {evidence_type: hasher.hexdigest() for evidence_type, hasher in hashers.items()}


def rule_digest(settings: str, rule_json: str, types: Iterable[str], digests: dict[str, str]) -> str:
    """``settings``: everything scan-wide a rule's findings depend on; ``types``: what its probes select
    (a type with no evidence counts too: a finding of absence depends on it staying absent)."""
    parts = [settings, rule_json, *(f"{t}={digests.get(t, '')}" for t in sorted(set(types)))]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class StoredFindings:
    """A rule's findings as they are stored (compressed JSON), decoded when first read. ``content``
    (the digest of the JSON) tells whether two rules' findings, or two scans', are the same without
    decoding them: when every rule's are, the report's findings are those of the last scan.
    Compressed, a rule's 10,000 findings hold 2 MB, not 10."""

    __slots__ = ("_findings", "blob", "content")

    def __init__(self, blob: bytes, content: str, findings: list[Finding] | None = None) -> None:
        self.blob = blob
        self.content = content
        self._findings = findings

    @classmethod
    def of(cls, findings: list[Finding]) -> StoredFindings:
        """Kept in report order (``finding_sort_key``): the report then places each rule's findings
        as one block (``report.rule_block_key``) rather than sorting 30,000 findings."""
        ordered = sorted(findings, key=finding_sort_key)
        data = _FINDINGS.dump_json(ordered)
        return cls(zlib.compress(data, 1), hashlib.sha256(data).hexdigest(), ordered)

    @classmethod
    def of_json(cls, data: bytes) -> StoredFindings:
        """Findings written as JSON as :meth:`of` writes them (decoded when read)."""
        return cls(zlib.compress(data, 1), hashlib.sha256(data).hexdigest())

    def json(self) -> bytes:
        return zlib.decompress(self.blob)

    @classmethod
    def stored(cls, blob: bytes) -> StoredFindings | None:
        """None when the blob is damaged (the rule is evaluated again)."""
        try:
            return cls(blob, hashlib.sha256(zlib.decompress(blob)).hexdigest())
        except (zlib.error, TypeError):
            return None

    @property
    def findings(self) -> list[Finding]:
        if self._findings is None:
            self._findings = decode_findings(zlib.decompress(self.blob))
        return self._findings


def decode_findings(data: bytes) -> list[Finding]:
    try:
        return _FINDINGS.validate_json(data)
    except (ValidationError, ValueError) as exc:
        # zlib's checksum passed, so only another layout of findings would fail here.
        raise QmscheckError(
            f"stored findings in the evidence index are damaged ({type(exc).__name__}); scan again with --full"
        ) from None


def report_key(settings: str, findings: Iterable[tuple[str, StoredFindings]]) -> str:
    """What the report's merged and sorted findings are stored under: the settings (with the code
    that merges them) and every rule's findings, in order."""
    parts = [settings, *(f"{name}={found.content}" for name, found in findings)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class ResultCache:
    """Open with the index path, or ``None`` for a cache that remembers nothing."""

    def __init__(self, path: Path | None) -> None:
        self._db: sqlite3.Connection | None = None
        if path is None:
            return
        self._db = open_index(path, _SCHEMA)
        columns = [row[1] for row in self._db.execute("PRAGMA table_info(stored_summaries)")]
        if columns != ["rule_id", "digest", "keys", "digests", "header"]:
            for table in ("stored_summaries", "summary_rests", "summary_changes"):
                self._db.execute(f"DROP TABLE {table}")
            self._db.executescript(_SCHEMA)
        for table in _OLD_TABLES:
            self._db.execute(f"DROP TABLE IF EXISTS {table}")

    def get(self, digests: dict[str, str]) -> dict[str, StoredFindings]:
        """The cached findings of every rule whose digest is unchanged (damaged entries are skipped)."""
        if self._db is None or not digests:
            return {}
        found: dict[str, StoredFindings] = {}
        for rule_id, digest, blob in self._db.execute("SELECT rule_id, digest, findings FROM rule_results"):
            if digests.get(rule_id) == digest and (stored := StoredFindings.stored(blob)) is not None:
                found[rule_id] = stored
        return found

    def put(self, results: Iterable[tuple[str, str, StoredFindings]]) -> None:
        if self._db is None:
            return
        rows = [(rule_id, digest, found.blob) for rule_id, digest, found in results]
        self._db.executemany("INSERT OR REPLACE INTO rule_results VALUES (?, ?, ?)", rows)

    def findings_of(self, rule_id: str, digest: str) -> StoredFindings | None:
        """The rule's stored findings if they were stored under ``digest``; None if not, or damaged."""
        if self._db is None:
            return None
        row = self._db.execute(
            "SELECT findings FROM rule_results WHERE rule_id = ? AND digest = ?", (rule_id, digest)
        ).fetchone()
        return None if row is None else StoredFindings.stored(row[0])

    def report_findings(self, key: str) -> list[Finding] | None:
        """The report's findings (merged and sorted) as the last scan stored them under ``key``."""
        if self._db is None:
            return None
        row = self._db.execute("SELECT findings FROM report_findings WHERE key = ?", (key,)).fetchone()
        if row is None or not row[0]:
            return None
        try:
            return _FINDINGS.validate_json(zlib.decompress(row[0]))
        except (zlib.error, ValidationError, ValueError):
            return None  # made again

    def put_report_findings(self, key: str, findings: list[Finding]) -> None:
        """Kept for the last scan only, and written only when two scans in a row made the same
        findings: a scan that changes findings (most rescans after edits) pays no 30 MB of JSON for
        a next scan that is unlikely to match them."""
        if self._db is None:
            return
        row = self._db.execute("SELECT key FROM report_findings").fetchone()
        repeated = row is not None and row[0] == key
        self._db.execute("DELETE FROM report_findings")
        self._db.execute(
            "INSERT INTO report_findings VALUES (?, ?)",
            (key, zlib.compress(_FINDINGS.dump_json(findings), 1) if repeated else b""),
        )

    def summaries(self, digests: dict[str, str]) -> dict[str, bytes]:
        """The stored summaries but for their rest (qmscheck.storage.stored_summaries.StoredRule) of every rule
        whose summary digest is unchanged."""
        if self._db is None or not digests:
            return {}
        return {
            rule_id: blob
            for rule_id, digest, blob in self._db.execute("SELECT rule_id, digest, header FROM stored_summaries")
            if digests.get(rule_id) == digest
        }

    def summary_rest(self, rule_id: str, digest: str) -> tuple[bytes, bytes] | None:
        """The rest of a rule's stored summaries and the changes to it since
        (:class:`qmscheck.storage.stored_summaries.StoredRest`)."""
        if self._db is None:
            return None
        rest = self._db.execute(
            "SELECT rest FROM summary_rests WHERE rule_id = ? AND digest = ?", (rule_id, digest)
        ).fetchone()
        if rest is None:
            return None
        changes = self._db.execute(
            "SELECT changes FROM summary_changes WHERE rule_id = ? AND digest = ?", (rule_id, digest)
        ).fetchone()
        return bytes(rest[0]), b"" if changes is None else bytes(changes[0])

    def put_summaries(
        self, rule_id: str, digest: str, lists: tuple[str, str], header: bytes, rest: RestUpdate | None
    ) -> None:
        """Replace what the rule had; ``lists`` are the digests of the shared lists of keys and
        digests the header names; ``rest``: the whole rest (None: as stored) and the changes to it,
        or None to keep both as stored under the same digest."""
        if self._db is None:
            return
        self._db.execute(
            "INSERT OR REPLACE INTO stored_summaries VALUES (?, ?, ?, ?, ?)", (rule_id, digest, *lists, header)
        )
        if rest is None:
            return
        whole, changes = rest
        if whole is not None:
            self._db.execute("INSERT OR REPLACE INTO summary_rests VALUES (?, ?, ?)", (rule_id, digest, whole))
        self._db.execute("INSERT OR REPLACE INTO summary_changes VALUES (?, ?, ?)", (rule_id, digest, changes))

    def summary_list(self, digest: str) -> bytes | None:
        """A list of group keys or digests that stored summaries name by its digest
        (:mod:`qmscheck.storage.stored_summaries`)."""
        if self._db is None:
            return None
        row = self._db.execute("SELECT items FROM summary_lists WHERE digest = ?", (digest,)).fetchone()
        return None if row is None else bytes(row[0])

    def put_summary_list(self, digest: str, items: bytes) -> None:
        # Asked first: SQLite builds the row, megabytes of it, before it finds the key taken.
        if (
            self._db is not None
            and self._db.execute("SELECT 1 FROM summary_lists WHERE digest = ?", (digest,)).fetchone() is None
        ):
            self._db.execute("INSERT INTO summary_lists VALUES (?, ?)", (digest, items))

    def close(self) -> None:
        if self._db is None:
            return
        try:
            # A list no stored summaries name any more (their files changed since) is of no use.
            self._db.execute(
                "DELETE FROM summary_lists WHERE digest NOT IN "
                "(SELECT keys FROM stored_summaries UNION SELECT digests FROM stored_summaries)"
            )
            self._db.commit()
        finally:
            self._db.close()
            self._db = None
