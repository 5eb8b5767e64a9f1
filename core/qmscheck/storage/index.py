"""The evidence index: an embedded SQLite cache of what each file yielded, so rescans re-read only what changed.

One row per (source, location): the file's size, mtime_ns and sha256 when it was read, a
fingerprint of everything else the result depends on (the code of qmscheck and its plugins,
:mod:`qmscheck.support.code_fingerprint`, and the classification overrides), the evidence items
it produced (JSON, zlib-compressed) with the CRC-32 of those compressed bytes (so a rescan tells
a damaged entry without decompressing it), their number and evidence types, its warnings (kept
apart so a rescan can report them without decoding the items), and its place in evidence order
(a rescan sorts 100k files without working out 100k sort keys). A file whose size and mtime are
unchanged is taken from the index without being opened; one whose size or mtime changed is
hashed, and parsed again only if its bytes changed.

The index lives beside the configuration (``.qmscheck/index.sqlite``) or where
``--index`` says; it is never written inside the evidence folders.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable
from pathlib import Path

from qmscheck.errors import QmscheckError
from qmscheck.model.cached_files import CachedFile, FileEntry, Listed

INDEX_DIR = ".qmscheck"
INDEX_NAME = "index.sqlite"
#: The layout of the tables (their columns), which SQL written for another cannot read: a file of
#: another layout is emptied. Change it with ``_SCHEMA``. What the stored values mean is not its
#: concern: every row carries the fingerprint of the code that wrote it.
SCHEMA_VERSION = 5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    source TEXT NOT NULL,
    location TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    payload BLOB NOT NULL,
    crc INTEGER NOT NULL,
    types TEXT NOT NULL,
    count INTEGER NOT NULL,
    warnings TEXT NOT NULL,
    parts TEXT NOT NULL,
    ordering TEXT NOT NULL,
    PRIMARY KEY (source, location)
) WITHOUT ROWID;
-- What a rescan lists first (EvidenceIndex.listing): read from here, not from pages full of items.
CREATE INDEX IF NOT EXISTS files_stat ON files (source, fingerprint, location, size, mtime_ns, sha256);
"""


def intact(payload: bytes, crc: int, ordering: str) -> bool:
    """False for a damaged entry (its file is then read again). Far cheaper than decompressing."""
    try:
        return entry_crc(payload, ordering) == crc
    except (TypeError, AttributeError):  # not bytes, or not text
        return False


def entry_crc(payload: bytes, ordering: str) -> int:
    return zlib.crc32(ordering.encode(), zlib.crc32(payload))


def open_index(path: Path, schema: str) -> sqlite3.Connection:
    """The index file (created if missing) with ``schema`` applied; a clear error when it cannot be opened."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(path))
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(schema)
        return db
    except (OSError, sqlite3.Error) as exc:
        raise _cannot_open(path, exc) from None


def _cannot_open(path: Path, exc: Exception) -> QmscheckError:
    return QmscheckError(
        f"cannot open the evidence index {path}: {exc}; give another place with --index PATH or use --no-index"
    )


class EvidenceIndex:
    """Open with a path (created if missing) or ``None`` for an index that remembers nothing."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pending: list[tuple[str, str, int, int, str, str, bytes, int, str, int, str, str, str]] = []
        if path is None:
            return
        self._db = open_index(path, _SCHEMA)
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None or row[0] != str(SCHEMA_VERSION):
                # Another layout (or no record of one): its entries cannot be read, so start afresh.
                self._db.execute("DROP TABLE files")
                self._db.executescript(_SCHEMA)
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                self._db.commit()
        except sqlite3.Error as exc:
            raise _cannot_open(path, exc) from None

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def listing(self, source: str, fingerprint: str, *, at_least: int = 0) -> dict[str, Listed]:
        """What the index knows of each file's stat and bytes, without its items: enough to tell
        which files changed, so that the workers start on them before the rest is loaded.
        Entries made with another fingerprint are of no use (the files are read again): they go.
        ``at_least``: only files of that many bytes or more."""
        if self._db is None:
            return {}
        # Looking for such entries reads the whole table: done when the fingerprint changed, not every scan.
        marker = f"fingerprint {source}"
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (marker,)).fetchone()
        if row is None or row[0] != fingerprint:
            self._db.execute("DELETE FROM files WHERE source=? AND fingerprint!=?", (source, fingerprint))
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (marker, fingerprint))
        rows = self._db.execute(
            "SELECT location, size, mtime_ns, sha256 FROM files WHERE source=? AND fingerprint=? AND size >= ?",
            (source, fingerprint, at_least),
        )
        return {listed[0]: listed for listed in rows}

    def holds(self, source: str, fingerprint: str, files: int) -> bool:
        """Whether the index lists at least ``files`` files of the source made with ``fingerprint``
        (without listing them)."""
        if self._db is None or files <= 0:
            return self._db is not None
        row = self._db.execute(
            "SELECT 1 FROM files WHERE source=? AND fingerprint=? LIMIT 1 OFFSET ?", (source, fingerprint, files - 1)
        ).fetchone()
        return row is not None

    def load(self, source: str) -> dict[str, CachedFile]:
        """Every cached file of one source, by location, in one query: a rescan reuses most of them."""
        if self._db is None:
            return {}
        rows = self._db.execute(
            "SELECT location, sha256, payload, crc, types, count, warnings, parts, ordering FROM files WHERE source=?",
            (source,),
        )
        return {cached[0]: cached for cached in rows}

    def intact(self, cached: CachedFile) -> bool:
        """False for a damaged entry of :meth:`load` (its file is then read again)."""
        return intact(cached[2], cached[3], cached[8])

    def put(self, entry: FileEntry) -> None:
        if self._db is None:
            return
        self._pending.append((*entry[:7], entry_crc(entry.payload, entry.ordering), *entry[7:]))
        if len(self._pending) >= 500:
            self.flush()

    def touch(self, source: str, location: str, size: int, mtime_ns: int) -> None:
        """Same bytes, new mtime: remember the new stat so the next scan need not hash again."""
        if self._db is None:
            return
        self.flush()
        self._db.execute(
            "UPDATE files SET size=?, mtime_ns=? WHERE source=? AND location=?", (size, mtime_ns, source, location)
        )

    def forget(self, source: str, locations: Iterable[str]) -> None:
        if self._db is None:
            return
        self.flush()
        self._db.executemany(
            "DELETE FROM files WHERE source=? AND location=?", [(source, location) for location in locations]
        )

    def flush(self) -> None:
        if self._db is None or not self._pending:
            return
        self._db.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self._pending
        )
        self._pending.clear()

    def close(self) -> None:
        if self._db is None:
            return
        try:
            self.flush()
            self._db.commit()
        finally:
            self._db.close()
            self._db = None


def default_index_path(base_dir: Path) -> Path:
    return base_dir / INDEX_DIR / INDEX_NAME
