"""The file-share connector: controlled documents and spreadsheet registers in a folder tree.

The folder is local (``path = "share"``) or any fsspec URL (``path = "smb://server/share/QMS"``,
``sftp://``, ``s3://``; the protocol's package must be installed). Read-only: files are
opened for reading, and nothing is written next to them.

Options of a ``[[sources]]`` table with ``connector = "filesystem"``:
``path`` (folder or URL), ``max_file_size`` (bytes, or "50MB"; larger files are skipped with a
warning), ``storage_options`` (a table passed to fsspec: host, port, username, ...) and
``password_env`` (the environment variable holding the password; never put it in the file).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from queue import Queue
from typing import Any

from pydantic import ValidationError

from qmscheck import __version__
from qmscheck.collecting.connectors.base import CollectContext, Collected, FileCache, Inventoried
from qmscheck.collecting.connectors.encode import PayloadLines, decode, decode_part, decompress
from qmscheck.collecting.connectors.tree import Entry, Remote, Skipped, Tree, open_tree, public_location
from qmscheck.collecting.connectors.unit_classes import Ahead, Prepared, unit_candidate, unit_classes
from qmscheck.collecting.connectors.worker import (
    DOCUMENT_SUFFIXES,
    REGISTER_SUFFIXES,
    Outcome,
    Prefetched,
    Task,
    read_alone,
    run_tasks,
    start_workers,
)
from qmscheck.config.scan_config import parse_size
from qmscheck.errors import ConnectorError, QmscheckError
from qmscheck.model.cached_files import CachedFile, FileEntry, Listed
from qmscheck.model.evidence import CollectionWarning, EvidenceItem, order_key
from qmscheck.model.groups import EvidenceGroup, part_key
from qmscheck.support.executors import LocalExecutor

__all__ = ["FilesystemConnector"]

READABLE_SUFFIXES = DOCUMENT_SUFFIXES | REGISTER_SUFFIXES


def _suffix(relative: str) -> str:
    """What PurePosixPath(relative).suffix.lower() gives, without building a path per file."""
    dot = relative.rfind(".")
    # The dot must be inside the name (after the last slash), neither its first nor its last character.
    return relative[dot:].lower() if relative.rfind("/") + 1 < dot < len(relative) - 1 else ""


def _warnings_json(warnings: list[CollectionWarning]) -> str:
    return "[" + ",".join(warning.model_dump_json() for warning in warnings) + "]"


def _cached_groups(
    group_key: str, cached: CachedFile, cache: FileCache, fingerprint: str, part_items: int
) -> tuple[list[EvidenceGroup], list[CollectionWarning]] | None:
    """The cached file as groups still encoded, or None when its entry is damaged (it is read again).

    The payload's checksum is compared, not the payload decompressed: it is decompressed only
    if a check needs its items."""
    if not cache.intact(cached):
        return None
    _, sha256, payload, _, types_json, count, warnings_json, parts_json, ordering = cached
    try:
        # Most files have no warnings and share a handful of type lists: a rescan meets each 100k times.
        warnings = (
            [] if warnings_json == "[]" else [CollectionWarning.model_validate(w) for w in json.loads(warnings_json)]
        )
        types = _type_set(types_json)
        parts = _part_contents(parts_json, count, part_items)
    except (ValueError, TypeError, ValidationError):
        return None
    groups = (
        _encoded_groups(group_key, sha256, fingerprint, types, count, payload, parts, ordering, part_items)
        if count
        else []
    )
    return groups, warnings


@functools.lru_cache(maxsize=1024)
def _type_set(text: str) -> frozenset[str]:
    """One frozenset per distinct list: the groups share it (``frozenset(it)`` is then ``it``)."""
    types = json.loads(text)
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise ValueError("evidence types are not a list of names")
    return frozenset(types)


def _cached_results(reused: tuple[list[EvidenceGroup], list[CollectionWarning]]) -> Iterator[Collected]:
    groups, warnings = reused
    yield from warnings
    yield from groups


def _changed_large(tree: Tree, large: dict[str, Listed], limit: int, full: bool) -> dict[str, tuple[Entry, str | None]]:
    """Of the large files the index lists, those that changed (all of them with ``full``), largest
    first: each with its stat now and the sha256 stored for it (None with ``full``)."""
    changed: dict[str, tuple[Entry, str | None]] = {}
    for location, size, mtime_ns, sha256 in sorted(large.values(), key=lambda listed: -listed[1]):
        entry = tree.stat(location)
        if entry is None or entry.size > limit or _suffix(location) not in READABLE_SUFFIXES:
            continue  # the listing tells what it is
        if full or (entry.size, entry.mtime_ns) != (size, mtime_ns):
            changed[location] = (entry, None if full else sha256)
    return changed


def _fed(first: list[Task], feed: Queue[Task | None]) -> Iterator[Task]:
    """``first``, then what is put in ``feed`` until None."""
    yield from first
    while (task := feed.get()) is not None:
        yield task


def _read_stat(entry: Entry, outcome: Outcome) -> tuple[int, int]:
    """The size and modification time of the bytes read, where the tree tells them, else as listed:
    a file that changed between the listing and the reading is stored with the stat of what was read."""
    return (entry.size, entry.mtime_ns) if outcome.mtime_ns is None else (outcome.size, outcome.mtime_ns)


def _digest(sha256: str, fingerprint: str) -> str:
    return f"{sha256}:{fingerprint}"


def _part_contents(text: str, count: int, part_items: int) -> list[str]:
    """The stored content digests of a large register's parts (``[]`` for a file in one piece)."""
    if count <= part_items:
        return []
    parts = json.loads(text)
    if (
        not isinstance(parts, list)
        or len(parts) != -(-count // part_items)
        or not all(isinstance(p, str) for p in parts)
    ):
        raise ValueError("the content digests of the parts do not match the items")
    return parts


@dataclass(frozen=True)
class Unsupported:
    """A file the walk found that no reader takes (by its suffix)."""

    relative: str
    suffix: str


def _sift(tree: Tree, limit: int) -> Iterator[Entry | Skipped | Unsupported]:
    """The walk with the connector's rules applied, for a scan and an inventory alike: an
    :class:`Entry` for each file to read, else why not (a :class:`Skipped` with ``warn`` is
    reported by a scan)."""
    for found in tree.walk():
        if isinstance(found, Skipped):
            yield found
            continue
        suffix = _suffix(found.relative)
        if suffix not in READABLE_SUFFIXES:
            yield Unsupported(found.relative, suffix)
        elif found.size > limit:
            yield Skipped(found.relative, f"{found.size} bytes is over the size limit of {limit} bytes (max_file_size)")
        else:
            yield found


def _limit(options: dict[str, Any], context: CollectContext) -> int:
    """The size above which a file is skipped: --max-file-size, else the source's, else the default."""
    if "max_file_size" not in options or context.max_file_size_forced:
        return context.max_file_size
    try:
        return parse_size(options["max_file_size"])
    except ValueError as exc:
        raise ConnectorError(f"filesystem source: max_file_size {exc}") from None


def storage_options(options: dict[str, Any]) -> dict[str, Any]:
    extra = options.get("storage_options") or {}
    if not isinstance(extra, dict):
        raise ConnectorError("filesystem source: storage_options must be a table")
    result = dict(extra)
    env = options.get("password_env")
    if env:
        if env not in os.environ:
            raise ConnectorError(f"filesystem source: environment variable {env} (password_env) is not set")
        result["password"] = os.environ[env]
    return result


class FilesystemConnector:
    name = "filesystem"
    version = __version__

    def describe(self, options: dict[str, Any]) -> str:
        return public_location(str(options.get("path", ".")))

    def repository_path(self, options: dict[str, Any], context: CollectContext) -> str | None:
        """A local folder's path from the root of the git work tree holding it ('' for the root), found
        by the nearest ``.git`` above it (a folder, or a file in a worktree or submodule); None for a
        remote share or a folder outside git. Relative, so a report does not change with the clone's place."""
        location = str(options.get("path", "."))
        if "://" in location and not location.startswith("file://"):
            return None
        path = Path(location.removeprefix("file://")).expanduser()
        root = (path if path.is_absolute() else context.base_dir / path).resolve()
        for parent in (root, *root.parents):
            if (parent / ".git").exists():
                relative = root.relative_to(parent).as_posix()
                return "" if relative == "." else relative
        return None

    def open(self, options: dict[str, Any], context: CollectContext) -> Tree:
        return open_tree(
            str(options.get("path", ".")),
            context.base_dir,
            storage_options(options),
            Remote.of(options, context.base_dir),
        )

    def collect(self, options: dict[str, Any], context: CollectContext) -> Iterator[Collected]:
        tree = self.open(options, context)
        source = self.describe(options)
        limit = _limit(options, context)
        key = f"{self.name}:{source}@{tree.url}"  # provenance names the configured source
        # A large share seen before: its changed files go to workers started while it is listed.
        warm = (
            context.executor is None
            and context.jobs > 1
            and context.cache.holds(key, context.fingerprint, context.tuning.warm_workers_at)
        )
        workers = None
        if warm:
            workers = start_workers(context.jobs, context.tuning)
            context.stats["workers_started_warm"] += 1
        files = self._collect(tree, source, limit, key, workers, context)
        try:
            yield from files
        finally:
            if workers is not None:
                workers.shutdown()  # a no-op once run_tasks has taken them

    def _collect(
        self,
        tree: Tree,
        source: str,
        limit: int,
        key: str,
        workers: LocalExecutor | None,
        context: CollectContext,
    ) -> Iterator[Collected]:
        provenance = (("connector", self.name), ("connector_version", self.version), ("source", source))

        # A worker classifies a large file ahead of this process, which checks its answer (unit_classes).
        tuning = context.tuning
        ahead = Ahead(context.overrides, context.fingerprint, tuning.part_items)

        def task(entry: Entry, known_sha256: str | None = None) -> Task:
            return Task(
                tree,
                entry.relative,
                _suffix(entry.relative),
                known_sha256,
                provenance,
                entry.size,
                ahead if entry.size >= tuning.ahead_bytes else None,
                limit,
            )

        # A large file seen before is looked at first, before the index lists the rest: if it changed,
        # warm workers start on it now instead of after the listing and the walk. Its first stat is
        # the one kept, as it was taken before its bytes were read.
        early = (
            {}
            if workers is None
            else _changed_large(
                tree, context.cache.listing(key, context.fingerprint, at_least=tuning.early_bytes), limit, context.full
            )
        )
        context.stats["read_early"] += len(early)
        feed: Queue[Task | None] = Queue()
        outcomes: Iterator[Outcome] | None = None
        if workers is not None:
            first = [task(entry, sha256) for entry, sha256 in early.values()]
            outcomes = Prefetched(run_tasks(_fed(first, feed), context.jobs, tuning, ordered=False, workers=workers))
        known = context.cache.listing(key, context.fingerprint)
        reading = self._read(tree, source, limit, key, known, early, feed, outcomes, task, context)
        del known  # held by _read alone, which drops it once the share is listed
        try:
            yield from reading
        finally:
            feed.put(None)  # were the listing to fail, the thread feeding the workers would wait forever
            close = getattr(outcomes, "close", None)
            if close is not None:
                close()  # a scan stopped early stops the workers too

    def _read(
        self,
        tree: Tree,
        source: str,
        limit: int,
        key: str,
        known: dict[str, Listed],
        early: dict[str, tuple[Entry, str | None]],
        feed: Queue[Task | None],
        outcomes: Iterator[Outcome] | None,
        task: Callable[[Entry, str | None], Task],
        context: CollectContext,
    ) -> Iterator[Collected]:
        """List the share, then take each file from the index or from the workers (``outcomes``,
        fed what changed; None: workers are started here if there is enough to read)."""
        stats = context.stats
        context.progress.note(f"listing {source}")
        entries: list[Entry] = []
        for found in _sift(tree, limit):
            if isinstance(found, Entry):
                entries.append(found)
            elif isinstance(found, Unsupported):
                stats["unsupported"] += 1
            else:
                stats["skipped"] += 1
                if found.warn:
                    yield CollectionWarning(
                        connector=self.name,
                        locator=found.relative,
                        message=f"skipped: {found.reason}",
                        unread=True,
                        unlisted=found.folder,
                    )
        stats["files"] += len(entries)
        context.progress.start(f"reading {source}", len(entries))
        seen = {entry.relative for entry in entries}
        context.cache.forget(key, [location for location in known if location not in seen])

        # Listed as it was read: taken from the index, unless its entry turns out damaged.
        listed_same: list[Entry] = []
        tasks: list[tuple[Entry, str | None]] = []
        for entry in entries:
            if entry.relative in early:
                continue  # being read already
            listed = None if context.full else known.get(entry.relative)
            if listed is None:
                tasks.append((entry, None))
                continue
            _, size, mtime_ns, sha256 = listed
            if size == entry.size and mtime_ns == entry.mtime_ns:
                listed_same.append(entry)
            else:
                tasks.append((entry, sha256))
        # Read early, but no longer listed (gone, or now skipped): what was read is dropped.
        dropped = {relative for relative in early if relative not in seen}
        read_early = [pair for relative, pair in early.items() if relative in seen]
        del known, entries
        # The largest first, taken as they are done: a 100,000-row register is parsed alongside the
        # small files rather than after them, and holds none of them up.
        tasks.sort(key=lambda pair: -pair[0].size)
        if outcomes is None:
            # A handful of files is parsed faster by one worker process than by starting several. The
            # workers start on what changed while this process takes the rest from the index.
            work = (task(entry, stored) for entry, stored in tasks)
            jobs = context.jobs if len(tasks) >= context.tuning.small_batch else 1
            outcomes = Prefetched(run_tasks(work, jobs, context.tuning, ordered=False, workers=context.executor))
        else:
            for entry, stored in tasks:
                feed.put(task(entry, stored))
            feed.put(None)
        tasks += read_early
        try:
            # Loaded while the workers parse what changed.
            cache = context.cache.load(key) if listed_same or tasks else {}
            damaged: list[Entry] = []
            for entry in listed_same:
                cached = cache.get(entry.relative)
                reused = (
                    None
                    if cached is None
                    else _cached_groups(
                        self._group_key(entry.relative),
                        cached,
                        context.cache,
                        context.fingerprint,
                        context.tuning.part_items,
                    )
                )
                if reused is None:
                    damaged.append(entry)  # read the file again
                    continue
                stats["reused"] += 1
                yield from _cached_results(reused)
                context.progress.advance()
            # A file whose stat changed is read again; if its bytes did not, its entry is used.
            by_location = {
                entry.relative: (entry, cache.get(entry.relative) if stored else None) for entry, stored in tasks
            }
            del listed_same, cache
            for outcome in outcomes:
                if outcome.relative in dropped:
                    continue
                entry, cached = by_location.pop(outcome.relative)
                yield from self._outcome(entry, cached, outcome, task, key, context)
            assert not by_location, "every file read has an outcome"
            for entry in damaged:
                yield from self._outcome(entry, None, read_alone(task(entry, None), context.tuning), task, key, context)
        finally:
            close = getattr(outcomes, "close", None)
            if close is not None:
                close()  # a scan stopped early stops the workers too

    def _outcome(
        self,
        entry: Entry,
        cached: CachedFile | None,
        outcome: Outcome,
        task: Callable[[Entry, str | None], Task],
        key: str,
        context: CollectContext,
    ) -> Iterator[Collected]:
        """What one file read by a worker gives: its cached items when its bytes did not change,
        a warning when it could not be read, else its items, classified, stored in the index (with
        the size and time of the bytes read, where known, rather than those listed)."""
        stats = context.stats
        context.progress.advance()
        if outcome.unchanged and cached is not None:
            reused = _cached_groups(
                self._group_key(entry.relative), cached, context.cache, context.fingerprint, context.tuning.part_items
            )
            if reused is not None:
                stats["rehashed"] += 1
                context.cache.touch(key, entry.relative, *_read_stat(entry, outcome))
                yield from _cached_results(reused)
                return
            outcome = read_alone(task(entry, None), context.tuning)
        classes = unit_classes(entry.relative, outcome.units, context.classify)
        if outcome.prepared is not None and outcome.prepared.classes != classes:
            # The worker's classifiers said otherwise (a plugin this process has and it has not): its
            # items are of no use, and it did not send the units' own. Read here, as a small file is.
            outcome = read_alone(task(entry, None), context.tuning)
            classes = unit_classes(entry.relative, outcome.units, context.classify)
        if outcome.error is not None:
            stats["failed"] += 1
            context.progress.note(f"{entry.relative}: {outcome.error}")
            context.cache.forget(key, [entry.relative])  # a broken file is read again next time
            yield CollectionWarning(connector=self.name, locator=entry.relative, message=outcome.error, unread=True)
            return
        prepared = outcome.prepared
        stats["extracted"] += 1
        context.progress.note(f"read {entry.relative}")
        warnings = [
            CollectionWarning(connector=self.name, locator=locator, message=message)
            for unit, unit_class in zip(outcome.units, classes, strict=True)
            for locator in [f"{entry.relative} [{unit.sheet}]" if unit.is_register else entry.relative]
            for message in [*unit.warnings, *([unit_class] if isinstance(unit_class, str) else [])]
        ]
        yield from warnings
        sha256 = outcome.sha256 or ""
        if prepared is not None:
            stats["classified_ahead"] += 1
        else:
            prepared = Prepared.written(
                outcome.units, classes, sha256, outcome.size, context.fingerprint, context.tuning.part_items
            )
        group_key = self._group_key(entry.relative)
        order = order_key(group_key)
        if context.cache.enabled and sha256:
            size, mtime_ns = _read_stat(entry, outcome)
            context.cache.put(
                FileEntry(
                    key,
                    entry.relative,
                    size,
                    mtime_ns,
                    sha256,
                    context.fingerprint,
                    prepared.data,
                    json.dumps(prepared.types),
                    prepared.count,
                    _warnings_json(warnings),
                    json.dumps(prepared.parts),
                    order,
                )
            )
        if prepared.count:
            yield from _encoded_groups(
                group_key,
                sha256,
                context.fingerprint,
                frozenset(prepared.types),
                prepared.count,
                prepared.data,
                prepared.parts,
                order,
                context.tuning.part_items,
            )

    def inventory(self, options: dict[str, Any], context: CollectContext) -> Iterator[Inventoried]:
        """Every file of the share, each document and sheet read (in ``context.jobs`` processes)
        with what classifying it takes; what a scan passes over, with the reason."""
        tree = self.open(options, context)
        readable: list[Entry] = []
        for found in _sift(tree, _limit(options, context)):
            if isinstance(found, Entry):
                readable.append(found)
            elif isinstance(found, Unsupported):
                what = found.suffix or "(no suffix)"
                yield Inventoried(
                    found.relative, passed="not recognised", reason=f"unsupported file type {what}; not read"
                )
            else:
                yield Inventoried(found.relative, passed="skipped", reason=found.reason)
        context.progress.start(f"reading {self.describe(options)}", len(readable))
        tasks = (Task(tree, entry.relative, _suffix(entry.relative), size=entry.size) for entry in readable)
        jobs = context.jobs if len(readable) >= context.tuning.small_batch else 1
        for outcome in run_tasks(tasks, jobs, context.tuning, workers=context.executor):
            context.progress.advance()
            path = outcome.relative
            if outcome.error is not None:
                yield Inventoried(path, passed="unreadable", reason=outcome.error)
                continue
            if not outcome.units:
                yield Inventoried(path, passed="not recognised", reason="no sheet with a header row and data")
            classes = unit_classes(path, outcome.units, context.classify)
            for unit, unit_class in zip(outcome.units, classes, strict=True):
                if unit.part_of is not None and not isinstance(unit_class, tuple):
                    continue  # a section or table of a document that is no evidence of its own
                yield Inventoried(
                    path,
                    unit_candidate(path, unit),
                    rows=len(unit.items) if unit.is_register else None,
                    columns=tuple(header for header in unit.headers if header),
                )

    def _group_key(self, relative: str) -> str:
        # The prefix of every item id from the file: ordering groups by it orders their items.
        return f"{self.name}:{relative}"


def _encoded_groups(
    key: str,
    sha256: str,
    fingerprint: str,
    types: frozenset[str],
    count: int,
    data: bytes,
    parts: list[str],
    order: str,
    part_items: int,
) -> list[EvidenceGroup]:
    """The file's items as one group, or a large register's as parts of at most ``part_items`` items:
    a check decodes one part at a time, so memory does not grow with the largest file. ``parts`` are
    the parts' content digests (:func:`_part_contents`), ``order`` the file's ``order_key``."""
    digest = _digest(sha256, fingerprint)
    # A partial, not a closure: one object per group instead of four (a rescan keeps 100k of them).
    if count <= part_items:
        return [
            EvidenceGroup.encoded(
                key, digest, types, count, functools.partial(_load_items, key, data), sha256=sha256, order=order
            )
        ]
    return [
        EvidenceGroup.encoded(
            part_key(key, part),
            f"{digest}#{part}",
            types,
            min(part_items, count - start),
            functools.partial(_load_part, key, data, start, min(start + part_items, count)),
            content=parts[part],
            sha256=sha256,
            order=order,
            load_range=functools.partial(_load_part_range, key, data, start),
        )
        for part, start in enumerate(range(0, count, part_items))
    ]


#: The payload last split into lines: a check decodes a file's parts one after another.
_last_split: tuple[bytes, PayloadLines] | None = None


def _load_part(key: str, data: bytes, start: int, stop: int) -> list[EvidenceItem]:
    global _last_split
    try:
        if _last_split is None or _last_split[0] is not data:
            raw = decompress(data)
            if raw is None:
                raise ValueError("not zlib data")
            _last_split = (data, PayloadLines(raw))
        lines = _last_split[1]
        if stop == lines.count:
            _last_split = None  # parts are read in order: the last one frees the split payload
        return decode_part(lines, start, stop)
    except (ValidationError, ValueError, IndexError, KeyError) as exc:
        raise QmscheckError(f"the evidence index entry for {key} is damaged ({exc}); scan again with --full") from None


def _load_part_range(key: str, data: bytes, offset: int, start: int, stop: int) -> list[EvidenceItem]:
    """Items ``start`` to ``stop`` of the part that begins at item ``offset`` of the file."""
    return _load_part(key, data, offset + start, offset + stop)


def _load_items(key: str, data: bytes) -> list[EvidenceItem]:
    raw = decompress(data)
    try:
        if raw is None:
            raise ValueError("not zlib data")
        return decode(raw)
    except (ValidationError, ValueError, IndexError, KeyError) as exc:
        raise QmscheckError(f"the evidence index entry for {key} is damaged ({exc}); scan again with --full") from None
