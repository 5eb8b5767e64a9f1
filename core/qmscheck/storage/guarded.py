"""The evidence index as a scan uses it: a cache that never stops a scan, and whose stored results
are believed only when they carry this user's seal.

**Trouble never stops a scan.** Every read and write goes through :class:`GuardedIndex`, which sorts
what SQLite or the OS raises into three kinds, each said once in the report's warnings:

- *locked*: another scan holds the index's write lock for longer than :data:`WAIT_SECONDS`.
  This scan reads the index as it stands and leaves it alone (its own results are not stored).
- *unwritable*: a full disk (``database or disk is full``, ENOSPC, a file size limit), a read-only
  file or folder. The scan's update is rolled back (the index stays as the last scan left it) and
  the scan goes on reading what the index holds.
- *damaged*: not a database, a malformed page, text that is not UTF-8. The file is moved aside
  (``index.sqlite.damaged``, for whoever wants to look) and the scan goes on without it; a
  damaged file found on opening is replaced by a new, empty index at once.

**Stored results are sealed.** Each row that a scan would otherwise believe (a file's items, a
rule's findings and summaries, the report's findings) carries an HMAC-SHA256 of its content,
keyed by a random key kept in the user's cache folder (:func:`index_key`), outside the evidence
and usually outside the folder the index is in. A row whose seal does not verify is treated as
missing: its file is read or its rule evaluated again, the row replaced, and the report says how
many did not verify. The seal holds against anyone who can change the index but cannot read the
key: a colleague or a process with write access to a shared configuration folder, a file
restored from elsewhere, a disk that flips bits. It cannot hold against someone who runs as the
same user (they can read the key, or run qmscheck themselves), and an index written by another
user, or before the key was deleted, does not verify either: it is rebuilt once, with a warning.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import os
import secrets
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from qmscheck.model.evidence import CollectionWarning
from qmscheck.support.user_cache import user_cache_dir

__all__ = ["WAIT_SECONDS", "GuardedIndex", "index_key"]

#: How long a scan waits for another scan's write lock on the index before it goes on without
#: updating the index: long enough for a small scan to finish, short enough that no one
#: wonders whether qmscheck hangs.
WAIT_SECONDS = 5.0
KEY_NAME = "index.key"
_KEY_BYTES = 32

Trouble = Literal["locked", "unwritable", "damaged"]


def index_key() -> bytes:
    """This user's key for sealing indexes, made (32 random bytes, readable by the user alone) the
    first time; OSError when it can be neither read nor made."""
    path = user_cache_dir() / KEY_NAME
    with contextlib.suppress(FileNotFoundError):
        return _read_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Made under another name and linked into place: two scans starting at once agree on one key.
    made = path.with_name(f".{KEY_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
    handle = os.open(made, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(secrets.token_bytes(_KEY_BYTES))
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(made, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(made)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    key = path.read_bytes()
    if len(key) != _KEY_BYTES:
        raise OSError(errno.EINVAL, f"{path} is not a qmscheck index key ({len(key)} bytes, not {_KEY_BYTES})")
    return key


def _trouble(exc: BaseException) -> Trouble:
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return "locked"
        if any(word in text for word in ("full", "disk i/o", "readonly", "read-only", "unable to open")):
            return "unwritable"
        return "damaged"  # undecodable text, a missing table or column: not what qmscheck wrote
    if isinstance(exc, OSError):
        return "unwritable"
    return "damaged"  # DatabaseError: not a database, malformed; IntegrityError, DataError


#: What the guard catches: anything SQLite raises, the OS's errors, and text that does not decode.
_CAUGHT = (sqlite3.Error, OSError, UnicodeError)
#: Index files this process found locked, and when: the next stage of the same scan does not wait again.
_LOCKED: dict[str, float] = {}
_LOCKED_FOR = 60.0


class GuardedIndex:
    """One connection to the index file at ``path``, with ``tables`` (name: its CREATE statement)
    made if missing and remade if their columns differ from the statement's.

    Reads give an empty answer and writes are dropped once the index is unusable; ``warnings``
    says why (one each). Every write of a scan is one transaction, committed by :meth:`close`:
    a scan killed at any point leaves the index as the last scan left it."""

    def __init__(
        self,
        path: Path,
        tables: dict[str, str],
        indexes: Sequence[str] = (),
        rows: str = "rows",
        retired: Sequence[str] = (),
    ) -> None:
        self.path = path
        self._what = rows  # what the rows are, for the warning when some do not verify
        self.warnings: list[CollectionWarning] = []
        self.writable = True
        self._db: sqlite3.Connection | None = None
        self._said: set[str] = set()
        self._unverified: set[tuple[object, ...]] = set()  # (table, key): a row read twice counts once
        try:
            self._key = index_key()
        except OSError as exc:
            self._say(
                "nokey",
                f"no key to seal the evidence index could be kept in {user_cache_dir()} "
                f"({exc.strerror or exc}); this scan ran without the index",
            )
            return
        for attempt in (1, 2):
            try:
                self._db = self._open(tables, indexes, retired)
                met = _LOCKED.get(str(path))
                if met is not None and time.monotonic() - met < _LOCKED_FOR:
                    self.writable = False
                    self._failed("locked", sqlite3.OperationalError("database is locked"), when="updating")
                return
            except _CAUGHT as exc:
                self._drop()
                trouble = _trouble(exc)
                if trouble != "damaged" or attempt == 2:
                    self._failed(trouble, exc, when="opening")
                    return
                self._move_aside(exc)

    def _open(self, tables: dict[str, str], indexes: Sequence[str], retired: Sequence[str]) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(self.path), timeout=WAIT_SECONDS)
        self._db = db
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # Reading the catalogue finds a file that is not a database, or whose first pages are damaged.
        present = {name: sql for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type='table'")}
        for name, create in tables.items():
            if name in present and _columns(db, name) != _declared(create):
                db.execute(f"DROP TABLE {name}")
                del present[name]
            if name not in present:
                db.execute(create)
        for create in indexes:
            db.execute(create)
        for name in retired:  # tables of earlier layouts, of no use
            if name in present:
                db.execute(f"DROP TABLE {name}")
        db.commit()
        return db

    @property
    def enabled(self) -> bool:
        return self._db is not None

    # Reading and writing.

    def rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        """Every row the query gives; none when the index cannot be read."""
        if self._db is None:
            return []
        try:
            return self._db.execute(sql, parameters).fetchall()
        except _CAUGHT as exc:
            self._trouble(exc)
            return []

    def row(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        """The first row the query gives; None when there is none or the index cannot be read."""
        found = self.rows(sql, parameters)
        return found[0] if found else None

    def write(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        self.write_many(sql, [parameters])

    def write_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if self._db is None or not self.writable:
            return
        try:
            self._db.executemany(sql, rows)
        except _CAUGHT as exc:
            self._trouble(exc)

    def close(self) -> None:
        """Commit the scan's writes (all or none) and close."""
        if self._db is None:
            return
        try:
            if self.writable:
                self._db.commit()
        except _CAUGHT as exc:
            self._trouble(exc)
        finally:
            self._drop()
        if self._unverified:
            self.warnings.append(
                self._warning(
                    f"{len(self._unverified)} {self._what} stored in the evidence index did not verify (changed "
                    "outside qmscheck, damaged, or sealed with another user's key); they were not "
                    "trusted but worked out again, and the index rebuilt"
                )
            )
            self._unverified.clear()

    # Seals.

    def seal(self, table: str, texts: Iterable[object], blob: bytes = b"") -> bytes:
        """The seal of a row of ``table``: its text and number columns (``texts``) and at most one
        binary column (``blob``)."""
        # Each value prefixed with its length, so no two rows encode alike.
        head = "\0".join(f"{len(text)}:{text}" for text in map(str, (table, *texts)))
        return hmac.digest(self._key, b"%s\0%s" % (head.encode("utf-8", "surrogatepass"), blob), hashlib.sha256)

    def verified(self, seal: object, table: str, texts: Sequence[object], blob: bytes = b"") -> bool:
        """Whether ``seal`` is the row's (``texts`` start with its key); a row that fails is counted for the warning."""
        try:
            good = isinstance(seal, bytes) and hmac.compare_digest(seal, self.seal(table, texts, blob))
        except (TypeError, ValueError):  # a column of another type than written
            good = False
        if not good:
            self._unverified.add((table, *texts[:2]))
        return good

    # Trouble.

    def _trouble(self, exc: BaseException) -> None:
        trouble = _trouble(exc)
        if trouble == "damaged":
            self._drop()
            self._move_aside(exc)
            return
        if self._db is not None:
            with contextlib.suppress(*_CAUGHT):
                self._db.rollback()  # the whole of this scan's update, or none of it
        self.writable = False
        if trouble == "locked":
            _LOCKED[str(self.path)] = time.monotonic()
        self._failed(trouble, exc, when="updating")

    def _failed(self, trouble: Trouble, exc: BaseException, when: str) -> None:
        reason = _reason(exc)
        # Said alike whichever stage met it, so the report says it once.
        if trouble == "locked":
            message = (
                f"the evidence index is in use by another scan (waited {WAIT_SECONDS:g} s); this scan did not update it"
            )
        elif trouble == "unwritable":
            message = f"cannot write the evidence index ({reason}); this scan did not update it"
        else:
            message = f"the evidence index is damaged ({reason}) and could not be replaced; this scan ran without it"
        if when == "opening":
            self._drop()
        self._say(trouble, message)

    def _move_aside(self, exc: BaseException) -> None:
        aside = self.path.with_name(self.path.name + ".damaged")
        try:
            for suffix in ("", "-wal", "-shm"):
                if os.path.lexists(f"{self.path}{suffix}"):
                    os.replace(f"{self.path}{suffix}", f"{aside}{suffix}")
                elif os.path.lexists(f"{aside}{suffix}"):
                    os.unlink(f"{aside}{suffix}")  # of an earlier damaged index, not this one
        except OSError as moving:
            self._say(
                "damaged",
                f"the evidence index is damaged ({_reason(exc)}) and cannot be moved aside "
                f"({moving.strerror or moving}); this scan ran without it",
            )
            return
        self._say(
            "damaged",
            f"the evidence index was damaged ({_reason(exc)}); it was moved aside to {aside.name} "
            "and a new one started",
        )

    def _say(self, kind: str, message: str) -> None:
        if kind not in self._said:
            self._said.add(kind)
            self.warnings.append(self._warning(message))

    def _warning(self, message: str) -> CollectionWarning:
        return CollectionWarning(connector="qmscheck", locator=str(self.path), message=message)

    def _drop(self) -> None:
        if self._db is not None:
            with contextlib.suppress(*_CAUGHT):
                self._db.close()
            self._db = None


def _reason(exc: BaseException) -> str:
    """What SQLite or the OS said, without the damaged text SQLite quotes (it may be anything, a
    terminal's escape sequences included)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    said = str(exc).split(" with text ", 1)[0].split(" - ", 1)[0].split(": ", 1)[0]
    return "".join(c if c.isprintable() and c.isascii() else "?" for c in said[:120]) or type(exc).__name__


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def _declared(create: str) -> list[str]:
    """The columns a CREATE TABLE statement declares, as SQLite reads it (made in a scratch schema)."""
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(create)
        name = scratch.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchone()[0]
        return _columns(scratch, name)
    finally:
        scratch.close()
