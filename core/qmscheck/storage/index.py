"""The evidence index: an embedded SQLite cache of what each file yielded, so rescans re-read only what changed.

One row per (source, location): the file's size, mtime_ns and sha256 when it was read, a
fingerprint of everything else the result depends on (the code of qmscheck and its plugins,
:mod:`qmscheck.support.code_fingerprint`, and the classification overrides), the evidence items
it produced (JSON, zlib-compressed), their number and evidence types, its warnings (kept
apart so a rescan can report them without decoding the items), its place in evidence order
(a rescan sorts 100k files without working out 100k sort keys), and the seal of all of these
(:mod:`qmscheck.storage.guarded`): an entry whose seal does not verify is not believed, and its
file is read again. A file whose size and mtime are unchanged is taken from the index without
being opened; one whose size or mtime changed is hashed, and parsed again only if its bytes changed.

The index lives beside the configuration (``.qmscheck/index.sqlite``) or where
``--index`` says; it is never written inside the evidence folders. A damaged, full or locked
index never stops a scan: it goes on without it, and says so (:class:`~qmscheck.storage.guarded.GuardedIndex`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from qmscheck.errors import QmscheckError
from qmscheck.model.cached_files import CachedFile, FileEntry, Listed
from qmscheck.model.evidence import CollectionWarning
from qmscheck.storage.guarded import WAIT_SECONDS, GuardedIndex

INDEX_DIR = ".qmscheck"
INDEX_NAME = "index.sqlite"

# A table whose columns differ from these (another layout) is emptied and made again. What the
# stored values mean is not its concern: every row carries the fingerprint of the code that wrote it.
_TABLES = {
    "meta": "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "files": """CREATE TABLE files (
    source TEXT NOT NULL,
    location TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    payload BLOB NOT NULL,
    seal BLOB NOT NULL,
    types TEXT NOT NULL,
    count INTEGER NOT NULL,
    warnings TEXT NOT NULL,
    parts TEXT NOT NULL,
    ordering TEXT NOT NULL,
    PRIMARY KEY (source, location)
) WITHOUT ROWID""",
}
# What a rescan lists first (EvidenceIndex.listing): read from here, not from pages full of items.
_INDEXES = ("CREATE INDEX IF NOT EXISTS files_stat ON files (source, fingerprint, location, size, mtime_ns, sha256)",)


def open_index(path: Path, schema: str) -> sqlite3.Connection:
    """The index file (created if missing) with ``schema`` applied, for a command that reads what
    scans stored (``qmscheck history``); a clear error when it cannot be opened."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(path), timeout=WAIT_SECONDS)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(schema)
        return db
    except (OSError, sqlite3.Error) as exc:
        raise QmscheckError(
            f"cannot open the evidence index {path}: {exc}; give another place with --index PATH or use --no-index"
        ) from None


def _sealed(entry: FileEntry) -> tuple[object, ...]:
    """What a file's seal covers: every column (the payload as the binary one)."""
    return (
        entry.source,
        entry.location,
        entry.size,
        entry.mtime_ns,
        entry.sha256,
        entry.fingerprint,
        entry.types,
        entry.items,
        entry.warnings,
        entry.parts,
        entry.ordering,
    )


class EvidenceIndex:
    """Open with a path (created if missing) or ``None`` for an index that remembers nothing."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._file = None if path is None else GuardedIndex(path, _TABLES, _INDEXES, rows="file entries")
        self._pending: list[tuple[object, ...]] = []

    @property
    def enabled(self) -> bool:
        return self._file is not None and self._file.enabled

    @property
    def warnings(self) -> list[CollectionWarning]:
        """What went wrong with the index (damaged, full, locked, entries that did not verify)."""
        return [] if self._file is None else self._file.warnings

    def listing(self, source: str, fingerprint: str, *, at_least: int = 0) -> dict[str, Listed]:
        """What the index knows of each file's stat and bytes, without its items: enough to tell
        which files changed, so that the workers start on them before the rest is loaded.
        Entries made with another fingerprint are of no use (the files are read again): they go.
        ``at_least``: only files of that many bytes or more. Unsealed: :meth:`load` verifies the
        entries a scan takes, stat included."""
        if self._file is None:
            return {}
        # Looking for such entries reads the whole table: done when the fingerprint changed, not every scan.
        marker = f"fingerprint {source}"
        row = self._file.row("SELECT value FROM meta WHERE key=?", (marker,))
        if row is None or row[0] != fingerprint:
            self._file.write("DELETE FROM files WHERE source=? AND fingerprint!=?", (source, fingerprint))
            self._file.write("INSERT OR REPLACE INTO meta VALUES (?, ?)", (marker, fingerprint))
        rows = self._file.rows(
            "SELECT location, size, mtime_ns, sha256 FROM files WHERE source=? AND fingerprint=? AND size >= ?",
            (source, fingerprint, at_least),
        )
        return {listed[0]: listed for listed in rows}

    def holds(self, source: str, fingerprint: str, files: int) -> bool:
        """Whether the index lists at least ``files`` files of the source made with ``fingerprint``
        (without listing them)."""
        if self._file is None or files <= 0:
            return self.enabled
        row = self._file.row(
            "SELECT 1 FROM files WHERE source=? AND fingerprint=? LIMIT 1 OFFSET ?", (source, fingerprint, files - 1)
        )
        return row is not None

    def load(self, source: str) -> dict[str, CachedFile]:
        """Every cached file of one source, by location, in one query: a rescan reuses most of them.
        Each seal is verified here; an entry whose seal does not verify comes with an empty seal, so
        that :meth:`intact` says it is not (its file is read again)."""
        if self._file is None:
            return {}
        rows = self._file.rows(
            "SELECT location, sha256, payload, seal, types, count, warnings, parts, ordering, size, mtime_ns, "
            "fingerprint FROM files WHERE source=?",
            (source,),
        )
        verified = self._file.verified
        return {
            cached[0]: cached[:9]
            if verified(
                cached[3],
                "files",
                (source, cached[0], cached[9], cached[10], cached[1], cached[11], *cached[4:9]),
                cached[2],
            )
            else (*cached[:3], b"", *cached[4:9])
            for cached in rows
        }

    def intact(self, cached: CachedFile) -> bool:
        """False for an entry of :meth:`load` whose seal did not verify."""
        return bool(cached[3])

    def put(self, entry: FileEntry) -> None:
        if self._file is None:
            return
        self._pending.append((*entry[:7], self._file.seal("files", _sealed(entry), entry.payload), *entry[7:]))
        if len(self._pending) >= 500:
            self.flush()

    def touch(self, source: str, location: str, size: int, mtime_ns: int) -> None:
        """Same bytes, new mtime: remember the new stat (sealed again) so the next scan need not hash again."""
        if self._file is None:
            return
        self.flush()
        row = self._file.row(
            "SELECT sha256, fingerprint, payload, types, count, warnings, parts, ordering FROM files "
            "WHERE source=? AND location=?",
            (source, location),
        )
        if row is None:
            return
        sha256, fingerprint, payload, *rest = row
        entry = FileEntry(source, location, size, mtime_ns, sha256, fingerprint, payload, *rest)
        self._file.write(
            "UPDATE files SET size=?, mtime_ns=?, seal=? WHERE source=? AND location=?",
            (size, mtime_ns, self._file.seal("files", _sealed(entry), payload), source, location),
        )

    def forget(self, source: str, locations: Iterable[str]) -> None:
        if self._file is None:
            return
        self.flush()
        self._file.write_many(
            "DELETE FROM files WHERE source=? AND location=?", [(source, location) for location in locations]
        )

    def flush(self) -> None:
        if self._file is None or not self._pending:
            return
        self._file.write_many(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self._pending
        )
        self._pending.clear()

    def close(self) -> None:
        if self._file is None:
            return
        self.flush()
        self._file.close()


def default_index_path(base_dir: Path) -> Path:
    return base_dir / INDEX_DIR / INDEX_NAME
