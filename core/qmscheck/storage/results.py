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
import zlib
from collections.abc import Iterable
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from qmscheck.errors import QmscheckError
from qmscheck.model.evidence import CollectionWarning
from qmscheck.model.groups import EvidenceGroup
from qmscheck.model.report import Finding, finding_sort_key
from qmscheck.storage.guarded import GuardedIndex
from qmscheck.storage.stored_summaries import RestUpdate

_TABLES = {
    "rule_results": "CREATE TABLE rule_results (rule_id TEXT PRIMARY KEY, digest TEXT NOT NULL, "
    "findings BLOB NOT NULL, seal BLOB NOT NULL) WITHOUT ROWID",
    "stored_summaries": "CREATE TABLE stored_summaries (rule_id TEXT PRIMARY KEY, digest TEXT NOT NULL, "
    "keys TEXT NOT NULL, digests TEXT NOT NULL, header BLOB NOT NULL, seal BLOB NOT NULL) WITHOUT ROWID",
    # The rest of each rule's summaries, and the changes to it since, each in a table of its own:
    # SQLite writes a row whole, and a rest may be 17 MB that a rescan does not change.
    "summary_rests": "CREATE TABLE summary_rests (rule_id TEXT PRIMARY KEY, digest TEXT NOT NULL, "
    "rest BLOB NOT NULL, seal BLOB NOT NULL)",
    "summary_changes": "CREATE TABLE summary_changes (rule_id TEXT PRIMARY KEY, digest TEXT NOT NULL, "
    "changes BLOB NOT NULL, seal BLOB NOT NULL)",
    "summary_lists": "CREATE TABLE summary_lists (digest TEXT PRIMARY KEY, items BLOB NOT NULL, "
    "seal BLOB NOT NULL) WITHOUT ROWID",
    "report_findings": "CREATE TABLE report_findings (key TEXT PRIMARY KEY, findings BLOB NOT NULL, "
    "seal BLOB NOT NULL) WITHOUT ROWID",
}
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
    """Open with the index path, or ``None`` for a cache that remembers nothing. Every row is sealed
    (:mod:`qmscheck.storage.guarded`): one whose seal does not verify reads as missing, and what it
    held is worked out again."""

    def __init__(self, path: Path | None) -> None:
        self._file = None if path is None else GuardedIndex(path, _TABLES, rows="rule results", retired=_OLD_TABLES)

    @property
    def warnings(self) -> list[CollectionWarning]:
        """What went wrong with the index (damaged, full, locked, rows that did not verify)."""
        return [] if self._file is None else self._file.warnings

    def get(self, digests: dict[str, str]) -> dict[str, StoredFindings]:
        """The cached findings of every rule whose digest is unchanged (damaged entries are skipped)."""
        if self._file is None or not digests:
            return {}
        found: dict[str, StoredFindings] = {}
        for rule_id, digest, blob, seal in self._file.rows("SELECT rule_id, digest, findings, seal FROM rule_results"):
            if (
                digests.get(rule_id) == digest
                and self._file.verified(seal, "rule_results", (rule_id, digest), blob)
                and (stored := StoredFindings.stored(blob)) is not None
            ):
                found[rule_id] = stored
        return found

    def put(self, results: Iterable[tuple[str, str, StoredFindings]]) -> None:
        if self._file is None:
            return
        seal = self._file.seal
        rows = [
            (rule_id, digest, found.blob, seal("rule_results", (rule_id, digest), found.blob))
            for rule_id, digest, found in results
        ]
        self._file.write_many("INSERT OR REPLACE INTO rule_results VALUES (?, ?, ?, ?)", rows)

    def findings_of(self, rule_id: str, digest: str) -> StoredFindings | None:
        """The rule's stored findings if they were stored under ``digest``; None if not, or damaged."""
        if self._file is None:
            return None
        row = self._file.row(
            "SELECT findings, seal FROM rule_results WHERE rule_id = ? AND digest = ?", (rule_id, digest)
        )
        if row is None or not self._file.verified(row[1], "rule_results", (rule_id, digest), row[0]):
            return None
        return StoredFindings.stored(row[0])

    def report_findings(self, key: str) -> list[Finding] | None:
        """The report's findings (merged and sorted) as the last scan stored them under ``key``."""
        if self._file is None:
            return None
        row = self._file.row("SELECT findings, seal FROM report_findings WHERE key = ?", (key,))
        if row is None or not row[0] or not self._file.verified(row[1], "report_findings", (key,), row[0]):
            return None
        try:
            return _FINDINGS.validate_json(zlib.decompress(row[0]))
        except (zlib.error, ValidationError, ValueError):
            return None  # made again

    def put_report_findings(self, key: str, findings: list[Finding]) -> None:
        """Kept for the last scan only, and written only when two scans in a row made the same
        findings: a scan that changes findings (most rescans after edits) pays no 30 MB of JSON for
        a next scan that is unlikely to match them."""
        if self._file is None:
            return
        row = self._file.row("SELECT key FROM report_findings")
        repeated = row is not None and row[0] == key
        blob = zlib.compress(_FINDINGS.dump_json(findings), 1) if repeated else b""
        self._file.write("DELETE FROM report_findings")
        self._file.write(
            "INSERT INTO report_findings VALUES (?, ?, ?)",
            (key, blob, self._file.seal("report_findings", (key,), blob)),
        )

    def summaries(self, digests: dict[str, str]) -> dict[str, bytes]:
        """The stored summaries but for their rest (qmscheck.storage.stored_summaries.StoredRule) of every rule
        whose summary digest is unchanged."""
        if self._file is None or not digests:
            return {}
        verified = self._file.verified
        return {
            rule_id: blob
            for rule_id, digest, keys, lists, blob, seal in self._file.rows("SELECT * FROM stored_summaries")
            if digests.get(rule_id) == digest
            and verified(seal, "stored_summaries", (rule_id, digest, keys, lists), blob)
        }

    def summary_rest(self, rule_id: str, digest: str) -> tuple[bytes, bytes] | None:
        """The rest of a rule's stored summaries and the changes to it since
        (:class:`qmscheck.storage.stored_summaries.StoredRest`)."""
        if self._file is None:
            return None
        rest = self._file.row(
            "SELECT rest, seal FROM summary_rests WHERE rule_id = ? AND digest = ?", (rule_id, digest)
        )
        if rest is None or not self._file.verified(rest[1], "summary_rests", (rule_id, digest), rest[0]):
            return None
        changes = self._file.row(
            "SELECT changes, seal FROM summary_changes WHERE rule_id = ? AND digest = ?", (rule_id, digest)
        )
        if changes is None:
            return bytes(rest[0]), b""
        if not self._file.verified(changes[1], "summary_changes", (rule_id, digest), changes[0]):
            return None
        return bytes(rest[0]), bytes(changes[0])

    def put_summaries(
        self, rule_id: str, digest: str, lists: tuple[str, str], header: bytes, rest: RestUpdate | None
    ) -> None:
        """Replace what the rule had; ``lists`` are the digests of the shared lists of keys and
        digests the header names; ``rest``: the whole rest (None: as stored) and the changes to it,
        or None to keep both as stored under the same digest."""
        if self._file is None:
            return
        seal = self._file.seal
        self._file.write(
            "INSERT OR REPLACE INTO stored_summaries VALUES (?, ?, ?, ?, ?, ?)",
            (rule_id, digest, *lists, header, seal("stored_summaries", (rule_id, digest, *lists), header)),
        )
        if rest is None:
            return
        whole, changes = rest
        if whole is not None:
            self._file.write(
                "INSERT OR REPLACE INTO summary_rests VALUES (?, ?, ?, ?)",
                (rule_id, digest, whole, seal("summary_rests", (rule_id, digest), whole)),
            )
        self._file.write(
            "INSERT OR REPLACE INTO summary_changes VALUES (?, ?, ?, ?)",
            (rule_id, digest, changes, seal("summary_changes", (rule_id, digest), changes)),
        )

    def summary_list(self, digest: str) -> bytes | None:
        """A list of group keys or digests that stored summaries name by its digest
        (:mod:`qmscheck.storage.stored_summaries`)."""
        if self._file is None:
            return None
        row = self._file.row("SELECT items, seal FROM summary_lists WHERE digest = ?", (digest,))
        if row is None or not self._file.verified(row[1], "summary_lists", (digest,), row[0]):
            return None
        return bytes(row[0])

    def put_summary_list(self, digest: str, items: bytes) -> None:
        # Asked first: SQLite builds the row, megabytes of it, before it finds the key taken.
        if self._file is not None and self._file.row("SELECT 1 FROM summary_lists WHERE digest = ?", (digest,)) is None:
            self._file.write(
                "INSERT INTO summary_lists VALUES (?, ?, ?)",
                (digest, items, self._file.seal("summary_lists", (digest,), items)),
            )

    def close(self) -> None:
        if self._file is None:
            return
        # A list no stored summaries name any more (their files changed since) is of no use.
        self._file.write(
            "DELETE FROM summary_lists WHERE digest NOT IN "
            "(SELECT keys FROM stored_summaries UNION SELECT digests FROM stored_summaries)"
        )
        self._file.close()
