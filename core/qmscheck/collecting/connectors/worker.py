"""The per-file work of the file-share connector: hash the bytes, parse them, write the items.

It runs in worker processes (``--jobs``, at least one: a share's files are never parsed in the
scan's own process), or a Dask cluster's workers (:mod:`qmscheck.support.executors`), each
under the per-file budget of ``Tuning.file_seconds`` and ``Tuning.file_memory``
(:mod:`qmscheck.support.workers`): a file that reaches it becomes a warning naming the limit,
and the files in flight beside it are read again. Its inputs and outputs are
plain picklable values. Each document or sheet comes back as a :class:`Unit` with what classifying it takes
and its items as JSON lacking only their classification (:mod:`qmscheck.collecting.connectors.encode`):
the parent classifies. A large file a worker also classifies and writes ahead of the parent,
with the config's tables and the built-in classifier only (a worker loads no plugins); the
parent takes that only if it agrees (:mod:`qmscheck.collecting.connectors.unit_classes`).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from queue import Empty, Full, Queue
from typing import Any, BinaryIO

from qmscheck import vocabulary
from qmscheck.collecting.connectors.encode import RowItems, unclassified_item
from qmscheck.collecting.connectors.tree import LocalTree, Refused, Tree
from qmscheck.collecting.connectors.unit_classes import Ahead, Prepared, ahead_classifier, unit_classes
from qmscheck.collecting.readers import (
    DocumentMetadata,
    ExtractionError,
    RegisterSheet,
    note_row,
    read_document,
    read_register,
    read_table,
)
from qmscheck.errors import QmscheckError
from qmscheck.support.executors import DaskExecutor, Executor, LocalExecutor, Setup
from qmscheck.support.tuning import Tuning
from qmscheck.support.workers import Budget, Stopped, Watched

DOCUMENT_SUFFIXES = frozenset({".docx", ".pdf", ".md", ".markdown", ".txt", ".html", ".htm"})
REGISTER_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv"})
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OOXML_SUFFIXES = frozenset({".docx", ".xlsx", ".xlsm", ".xlsb"})


@dataclass(frozen=True)
class Task:
    tree: Tree
    relative: str
    suffix: str
    known_sha256: str | None = None  # skip parsing when the bytes hash to this
    #: What every item's provenance says besides its locator: connector, connector_version, source.
    provenance: tuple[tuple[str, str], ...] = ()
    size: int = 0  # bytes, as listed: small files travel to the workers in batches
    #: Given for a large file: a worker classifies and writes its items (connectors.unit_classes).
    ahead: Ahead | None = None
    #: The size limit (max_file_size): a file grown past it since it was listed is not read.
    max_size: int | None = None


#: How much of a document's body text its classification reads: the title page and the first
#: sections say what a document is.
CLASSIFY_TEXT = 4000


@dataclass
class Unit:
    """One document, or one sheet of a register: what classifying it takes, and its items."""

    title: str
    is_register: bool
    sheet: str | None = None
    headers: tuple[str, ...] = ()
    canonical: tuple[str | None, ...] = ()
    warnings: list[str] = field(default_factory=list)
    #: Items as JSON objects without kind and type (see connectors.encode), in row order.
    items: list[str] = field(default_factory=list)
    #: Per item, the attributes that are dates.
    dates: list[list[str]] = field(default_factory=list)
    #: A document's section headings and the start of its body text: what recognising it from
    #: its content reads (empty for a register's sheet).
    headings: tuple[str, ...] = ()
    text: str = ""
    #: For a part of a document (one of its sections, or a table in it that reads as a register):
    #: the document's title. A part is evidence of its own only when it is recognised as
    #: something the whole document is not; else it is dropped, without a word.
    part_of: str | None = None


@dataclass
class Outcome:
    relative: str
    sha256: str | None = None
    size: int = 0
    #: The modification time of the bytes read, where the tree tells it (a local folder).
    mtime_ns: int | None = None
    unchanged: bool = False  # bytes hash to Task.known_sha256; nothing was parsed
    error: str | None = None
    units: list[Unit] = field(default_factory=list)
    #: The items classified and written by the worker (then the units come without theirs).
    prepared: Prepared | None = None


_CHUNK = 1024 * 1024


def file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


#: Where a worker process copies the files it reads (given by the parent, which removes the folder
#: when it exits, with whatever a stopped worker left there).
_copies: str | None = None


def _copies_folder() -> str:
    """The scan process's private folder for the workers' copies, made on first use."""
    global _copies
    if _copies is None:
        _copies = tempfile.mkdtemp(prefix="qmscheck-copies-")
        atexit.register(shutil.rmtree, _copies, ignore_errors=True)
    return _copies


@contextmanager
def _read_bytes(task: Task, outcome: Outcome) -> Iterator[Path]:
    """A private copy of the file, for the readers (which take paths): its bytes hashed as they
    are copied, so what is parsed is what is cited, whatever happens to the file meanwhile. A
    local file is opened as listed or not at all (``LocalTree.open_listed``); one that changes
    while it is copied is copied again, once. A remote tree's file is fetched to a private
    copy already."""
    tree = task.tree
    if not isinstance(tree, LocalTree):
        with tree.local_path(task.relative) as path:
            outcome.sha256, outcome.size = file_digest(path)
            yield path
        return
    handle, name = tempfile.mkstemp(suffix=task.suffix, dir=_copies)
    try:
        with open(handle, "wb") as copy:
            for _attempt in (1, 2):
                if _copy(tree, task, outcome, copy):
                    break
                copy.seek(0)
                copy.truncate()
            else:
                raise ExtractionError("skipped: the file changed while it was being read; it is read on the next scan")
        yield Path(name)
    finally:
        os.unlink(name)


def _copy(tree: LocalTree, task: Task, outcome: Outcome, copy: BinaryIO) -> bool:
    """Copy the file's bytes to ``copy``, hashing them; False if it changed meanwhile."""
    digest = hashlib.sha256()
    size = 0
    with tree.open_listed(task.relative) as source:
        before = os.fstat(source.fileno())
        while chunk := source.read(_CHUNK):
            size += len(chunk)
            if task.max_size is not None and size > task.max_size:
                raise ExtractionError(
                    f"skipped: over the size limit of {task.max_size} bytes (max_file_size), grown since it was listed"
                )
            digest.update(chunk)
            copy.write(chunk)
        after = os.fstat(source.fileno())
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or size != after.st_size:
        return False
    outcome.sha256, outcome.size, outcome.mtime_ns = digest.hexdigest(), size, after.st_mtime_ns
    return True


def _encrypted_office(path: Path, suffix: str) -> bool:
    """Password-protected .docx/.xlsx/.xlsb files are OLE containers, not zips."""
    if suffix not in OOXML_SUFFIXES:
        return False
    with path.open("rb") as handle:
        return handle.read(8) == OLE_MAGIC


def _provenance(task: Task, locator: dict[str, object]) -> dict[str, object]:
    return {**dict(task.provenance), "locator": {key: value for key, value in locator.items() if value is not None}}


def _extract(path: Path, outcome: Outcome, task: Task) -> None:
    suffix, relative = task.suffix, task.relative
    if _encrypted_office(path, suffix):
        raise ExtractionError(f"encrypted (password-protected) or legacy binary Office file, not a {suffix} zip")
    prefix = f"{dict(task.provenance).get('connector', '')}:{relative}"
    sha256, size = outcome.sha256 or "", outcome.size
    if suffix not in REGISTER_SUFFIXES:
        meta = read_document(path)
        title = meta.title or PurePosixPath(relative).stem
        item, dated = unclassified_item(
            prefix,
            _provenance(task, {"path": relative}),
            dict(meta.fields),
            title=title,
            sha256=sha256,
            size=size,
            extra=dict(meta.extra),
            text=meta.text,
        )
        outcome.units.append(
            Unit(
                title,
                False,
                warnings=list(meta.warnings),
                items=[item],
                dates=[dated],
                headings=meta.headings,
                text=meta.text[:CLASSIFY_TEXT],
            )
        )
        _document_parts(meta, title, outcome, task, prefix)
        return
    for sheet in read_register(path):
        unit = Unit(
            PurePosixPath(relative).stem,
            True,
            sheet.sheet,
            tuple(sheet.headers),
            tuple(sheet.canonical),
            list(sheet.warnings),
        )
        place: dict[str, Any] = {"path": relative} if sheet.sheet is None else {"path": relative, "sheet": sheet.sheet}
        _add_rows(unit, sheet, place, prefix, task, outcome)
        outcome.units.append(unit)


def _add_rows(
    unit: Unit, sheet: RegisterSheet, place: dict[str, Any], prefix: str, task: Task, outcome: Outcome
) -> None:
    rows = RowItems(
        f"{prefix}#{sheet.sheet or ''}!", dict(task.provenance), place, sha256=outcome.sha256 or "", size=outcome.size
    )
    try:
        for row in sheet.rows:
            note = note_row(row.values)
            if note is not None:
                unit.warnings.append(f"row {row.row} ('{note}') read as a note beside the register, not a record")
                continue
            item, dated = rows.item(row.row, row.values)
            unit.items.append(item)
            unit.dates.append(dated)
    except ExtractionError:
        raise
    except Exception as exc:  # rows are parsed lazily, outside read_register's error boundary
        raise ExtractionError(f"not a valid {task.suffix} file ({type(exc).__name__}: {exc})") from exc


def _document_parts(meta: DocumentMetadata, title: str, outcome: Outcome, task: Task, prefix: str) -> None:
    """A unit for each table of the document that reads as a register (its rows the items, located
    by the table's name and the row's line) and for each of its top-level sections (located by
    heading and line, carrying the document's control fields: the section is controlled with it)."""
    relative = task.relative
    for table in meta.tables:
        sheet = read_table(table, task.suffix)
        if sheet is None:
            continue
        unit = Unit(title, True, sheet.sheet, tuple(sheet.headers), tuple(sheet.canonical), part_of=title)
        _add_rows(unit, sheet, {"path": relative, "sheet": sheet.sheet}, prefix, task, outcome)
        if unit.items:
            outcome.units.append(unit)
    for section in meta.sections:
        item, dated = unclassified_item(
            f"{prefix}#{section.heading}!{section.line}",
            _provenance(task, {"path": relative, "sheet": section.heading, "row": section.line}),
            dict(meta.fields),
            title=section.heading,
            sha256=outcome.sha256 or "",
            size=outcome.size,
            text=section.text,
        )
        outcome.units.append(
            Unit(
                section.heading,
                False,
                section.heading,
                items=[item],
                dates=[dated],
                headings=section.headings,
                text=section.text[:CLASSIFY_TEXT],
                part_of=title,
            )
        )


def process(task: Task) -> Outcome:
    """Hash and parse one file; every failure becomes ``Outcome.error`` (a reason, never a traceback)."""
    outcome = Outcome(task.relative)
    try:
        with _read_bytes(task, outcome) as path:
            if outcome.sha256 == task.known_sha256:
                outcome.unchanged = True
                return outcome
            _extract(path, outcome, task)
    except Refused as exc:
        outcome.error = f"skipped: {exc}"
    except MemoryError:
        raise  # the budget's to report (run_tasks), with the limit
    except ExtractionError as exc:
        if _out_of_memory(exc):
            raise MemoryError from exc
        outcome.error = str(exc)
    except FileNotFoundError:
        outcome.error = "skipped: the file vanished during the scan"
    except PermissionError:
        outcome.error = "cannot read file: permission denied"
    except OSError as exc:
        outcome.error = f"cannot read file: {exc.strerror or exc}"
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # the last error boundary: a bad file must never stop the scan
        # BaseException: a Rust parser's panic arrives as pyo3's PanicException, which is one.
        outcome.error = f"cannot read file ({type(exc).__name__}: {exc})"
    return outcome


def _out_of_memory(exc: BaseException) -> bool:
    """Whether a reader's error stands for a MemoryError (the readers translate what a parser raises)."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, MemoryError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


#: Small files go to a worker together, so the parent pays one round trip per batch rather than per
#: file. A batch closes at this many files or bytes.
BATCH_FILES = 32
BATCH_BYTES = 4 * 1024 * 1024


def _read(task: Task) -> Outcome:
    """What a worker process runs for each file: it is read, and a large one classified and written too."""
    outcome = process(task)
    if task.ahead is not None and outcome.error is None and not outcome.unchanged:
        _prepare(outcome, task.ahead)
    return outcome


def _process_batch(tasks: list[Task]) -> list[Outcome]:
    return [_read(task) for task in tasks]


def _prepare(outcome: Outcome, ahead: Ahead) -> None:
    """Classify the file's units as the parent would, and write their items: the parent takes them
    if it classifies the units the same way. The units' own items are then not sent."""
    try:
        classes = unit_classes(outcome.relative, outcome.units, ahead_classifier(ahead.overrides))
        outcome.prepared = Prepared.written(
            outcome.units, classes, outcome.sha256 or "", outcome.size, ahead.fingerprint, ahead.part_items
        )
    except Exception:  # left to the parent, which meets the same failure where it is reported
        return
    for unit in outcome.units:
        unit.items, unit.dates = [], []


def _batches(tasks: Iterable[Task]) -> Iterator[list[Task]]:
    batch: list[Task] = []
    size = 0
    for task in tasks:
        batch.append(task)
        size += task.size
        if len(batch) >= BATCH_FILES or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _ready() -> None:
    """A worker's first task: it exists once it has imported what parsing needs."""


def _start(words: Any, copies: str | None) -> None:
    """A worker's start: it reads with the words in use in the parent (a selected pack's column
    headers name its fields in a worker as in the parent), and copies files to the parent's folder
    (``copies``), or to a folder of its own on another machine (a Dask worker's)."""
    global _copies
    vocabulary.use(words)
    if copies is not None:
        _copies = copies
    else:
        _copies_folder()


def _budget(tuning: Tuning) -> Budget:
    return Budget(tuning.file_seconds, tuning.file_memory)


def _setup(remote: bool) -> Setup:
    return Setup(_start, (vocabulary.extra_files(), None if remote else _copies_folder()))


def start_workers(jobs: int, tuning: Tuning) -> LocalExecutor:
    """``jobs`` worker processes, started now: they import qmscheck while the parent lists the
    share, so a large rescan's first changed file does not wait for them. Hand them to
    :func:`run_tasks`, or shut them down."""
    executor = LocalExecutor.started(jobs, _setup(remote=False), _budget(tuning))

    def spawn() -> None:
        with contextlib.suppress(RuntimeError):  # shut down already: the scan stopped
            executor.submit_now(_ready)  # each submit starts a process while none is idle

    # Starting the first pool waits for the fork server to import what the workers run: a thread
    # waits for it, while this one lists the share.
    threading.Thread(target=spawn, name="qmscheck-start-workers", daemon=True).start()
    return executor


def run_tasks(
    tasks: Iterable[Task],
    jobs: int,
    tuning: Tuning,
    window: int | None = None,
    *,
    ordered: bool = True,
    workers: Executor | None = None,
) -> Iterator[Outcome]:
    """Outcomes in task order, or as they are done with ``ordered=False`` (a large file then holds
    up none of the others). Files go to the workers in batches (:func:`_batches`), at most
    ``window`` batches in flight so memory stays bounded whatever the number of files. The workers
    are ``workers`` if given (a Dask cluster's, whatever ``jobs``; or local processes started
    ahead, which are then shut down here too); else ``jobs`` > 1 local processes, or for one
    job, one process watched file by file.

    When a local worker is lost (it ran past the budget, or out of memory, or was killed), the
    files in flight are read again one at a time in a watched process: the one that reaches the
    budget again becomes a warning naming it, the others are read. Then a new pool goes on. On
    Dask a worker lost has its batch rescheduled by the scheduler; a batch given up (it killed
    worker after worker, or ran out of memory) has its files read again one task each, and the
    file that is given up on its own becomes a warning."""
    if workers is None and jobs <= 1:
        alone = _watcher(tuning)
        try:
            for task in tasks:
                yield _watched(alone, task)
        finally:
            alone.close()
        return
    executor = workers or LocalExecutor(jobs)
    remote = isinstance(executor, DaskExecutor)
    setup, budget = _setup(remote), _budget(tuning)
    alone = _watcher(tuning)

    def lost(batch: list[Task], reason: str) -> list[Outcome]:
        if not remote:
            return [_watched(alone, task) for task in batch]
        if len(batch) == 1:
            return [Outcome(batch[0].relative, error=f"stopped: {reason}")]
        # Which of its files took the workers down is not known: each is read again on its own.
        singles = executor.map(
            _process_batch, ([task] for task in batch), executor.jobs, setup=setup, budget=budget, lost=lost
        )
        return [outcome for found in singles for outcome in found]

    try:
        for outcomes in executor.map(
            _process_batch,
            _batches(_sendable(tasks) if remote else tasks),
            window or executor.jobs * 4,
            ordered=ordered,
            setup=setup,
            budget=budget,
            lost=lost,
        ):
            yield from outcomes
    finally:
        alone.close()


def _sendable(tasks: Iterable[Task]) -> Iterator[Task]:
    """Tasks for other machines. A tree opened with a password or key would carry it, pickled, in
    every task across the network, to every worker: the workers log in with their own instead."""
    for task in tasks:
        if getattr(task.tree, "secrets", None):
            raise QmscheckError(
                f"{task.tree.url}: its password or keys would travel inside every task to the Dask workers; give "
                "the workers credentials of their own (their environment, ~/.aws, a Kerberos ticket) and drop "
                "password_env and secret storage_options, or scan with --executor local (docs/scale-out.md)"
            )
        yield task


def _watched(alone: Watched[Task, Outcome], task: Task) -> Outcome:
    try:
        return alone.run(task)
    except Stopped as stopped:
        return Outcome(task.relative, error=str(stopped))


def _watcher(tuning: Tuning) -> Watched[Task, Outcome]:
    return Watched(_read, _budget(tuning), initializer=_start, initargs=(vocabulary.extra_files(), _copies_folder()))


def read_alone(task: Task, tuning: Tuning) -> Outcome:
    """One file read in a watched worker process of its own, for the parent to classify and write:
    it is read again because the worker's classification was not taken (or its entry was damaged),
    so the worker classifies nothing ahead and sends the units with their items."""
    alone = _watcher(tuning)
    try:
        return _watched(alone, replace(task, ahead=None))
    finally:
        alone.close()


class Prefetched(Iterator[Outcome]):
    """``outcomes`` driven by a thread from now on, at most ``ahead`` of the reader: the worker
    processes parse while this one does other work (a rescan takes 99% of the files from the
    index meanwhile). The thread mostly waits on the workers, so it costs the reader little of
    the GIL. ``close()`` stops it, and closes ``outcomes`` (which shuts the workers down)."""

    def __init__(self, outcomes: Iterator[Outcome], ahead: int = 256) -> None:
        self._queue: Queue[tuple[Outcome | None, BaseException | None]] = Queue(maxsize=ahead)
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=self._drive, args=(outcomes,), name="qmscheck-workers", daemon=True)
        self._thread.start()

    def _drive(self, outcomes: Iterator[Outcome]) -> None:
        try:
            for outcome in outcomes:
                while not self._stop.is_set():
                    try:
                        self._queue.put((outcome, None), timeout=0.1)
                        break
                    except Full:
                        continue
                if self._stop.is_set():
                    break
            self._queue.put((None, None))
        except BaseException as exc:  # handed to the reader, which raises it
            self._queue.put((None, exc))
        finally:
            close = getattr(outcomes, "close", None)
            if close is not None:
                close()  # shuts the workers down

    def __next__(self) -> Outcome:
        if self._done:
            raise StopIteration
        outcome, error = self._queue.get()
        if outcome is None:
            self.close()
            if error is not None:
                raise error
            raise StopIteration
        return outcome

    def close(self) -> None:
        self._done = True
        self._stop.set()
        while self._thread.is_alive():  # let the thread see the stop signal even if the queue is full
            try:
                self._queue.get_nowait()
            except Empty:
                self._thread.join(0.05)
