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

import json
import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from pydantic import BaseModel, ValidationError

from qmscheck import __version__
from qmscheck.classify import Candidate, Classification, kind_of
from qmscheck.connectors.base import CollectContext, Collected
from qmscheck.connectors.mapping import split_fields
from qmscheck.connectors.tree import Entry, Skipped, Tree, open_tree, public_location
from qmscheck.connectors.worker import (
    DOCUMENT_SUFFIXES,
    REGISTER_SUFFIXES,
    Outcome,
    Task,
    file_digest,
    process,
    run_tasks,
)
from qmscheck.errors import ConnectorError, QmscheckError
from qmscheck.evidence import CollectionWarning, EvidenceItem, Kind, Locator, Provenance
from qmscheck.extract import DocumentMetadata
from qmscheck.groups import EvidenceGroup
from qmscheck.index import CachedFile, compress, decompress

__all__ = ["DOCUMENT_SUFFIXES", "REGISTER_SUFFIXES", "FilesystemConnector", "file_digest", "parse_size"]

SMALL_BATCH = 16
_UNITS = {"": 1, "B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3}


def parse_size(value: object) -> int:
    """Bytes from 1000000, "50MB", "1.5 GiB"."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?\s*", str(value), re.IGNORECASE)
    if not match:
        raise ConnectorError(f"filesystem source: max_file_size {value!r} is not a size (e.g. 50MB)")
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "").upper()])


class _Payload(BaseModel):
    """The items one file yielded, as stored in the index. ``dates`` lists, per item position, the
    attributes that are dates: in JSON they are text, and would otherwise come back as text."""

    items: list[EvidenceItem]
    dates: dict[int, list[str]] = {}


def _encode(items: list[EvidenceItem]) -> bytes:
    """The _Payload JSON, written item by item (building a _Payload would validate every item again)."""
    dates = {
        position: dated
        for position, item in enumerate(items)
        if (dated := [key for key, value in item.attributes.items() if isinstance(value, date)])
    }
    text = (
        '{"items":[' + ",".join(item.model_dump_json(exclude_defaults=True) for item in items)
        + '],"dates":' + json.dumps(dates) + "}"
    )
    return compress(text.encode())


def _decode(data: bytes) -> list[EvidenceItem]:
    """Parsing and validating in one pass (pydantic-core) is the fastest way back to items."""
    payload = _Payload.model_validate_json(data)
    for position, keys in payload.dates.items():
        attributes = payload.items[position].attributes
        for key in keys:
            attributes[key] = date.fromisoformat(str(attributes[key]))
    return payload.items


def _warnings_json(warnings: list[CollectionWarning]) -> str:
    return "[" + ",".join(warning.model_dump_json() for warning in warnings) + "]"


def _cached_group(group_key: str, cached: CachedFile) -> tuple[EvidenceGroup, list[CollectionWarning]] | None:
    """The cached file as a group still encoded, or None when its entry is damaged (it is read again)."""
    if decompress(cached.payload) is None:
        return None
    try:
        warnings = [CollectionWarning.model_validate(w) for w in json.loads(cached.warnings)]
        types = json.loads(cached.types)
    except (ValueError, ValidationError):
        return None
    compressed = cached.payload

    def load() -> list[EvidenceItem]:
        data = decompress(compressed)
        try:
            if data is None:
                raise ValueError("not zlib data")
            return _decode(data)
        except (ValidationError, ValueError, IndexError, KeyError) as exc:
            raise QmscheckError(f"the evidence index entry for {group_key} is damaged ({exc}); "
                                "scan again with --full") from None

    return EvidenceGroup.encoded(group_key, _digest(cached.sha256, cached.fingerprint), types, cached.count,
                                 load), warnings


def _cached_results(reused: tuple[EvidenceGroup, list[CollectionWarning]]) -> Iterator[Collected]:
    group, warnings = reused
    yield from warnings
    if group.count:
        yield group


def _digest(sha256: str, fingerprint: str) -> str:
    return f"{sha256}:{fingerprint}"


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

    def open(self, options: dict[str, Any], context: CollectContext) -> Tree:
        return open_tree(str(options.get("path", ".")), context.base_dir, storage_options(options))

    def collect(self, options: dict[str, Any], context: CollectContext) -> Iterator[Collected]:
        tree = self.open(options, context)
        source = self.describe(options)
        limit = context.max_file_size
        if "max_file_size" in options and not context.max_file_size_forced:
            limit = parse_size(options["max_file_size"])
        key = f"{self.name}:{source}@{tree.url}"  # provenance names the configured source
        cache = context.index.load(key) if context.index.enabled else {}
        stats = context.stats
        context.progress.note(f"listing {source}")
        entries: list[Entry] = []
        for found in tree.walk():
            if isinstance(found, Skipped):
                stats["skipped"] += 1
                if found.warn:
                    yield CollectionWarning(
                        connector=self.name, locator=found.relative, message=f"skipped: {found.reason}"
                    )
            elif PurePosixPath(found.relative).suffix.lower() not in DOCUMENT_SUFFIXES | REGISTER_SUFFIXES:
                stats["unsupported"] += 1
            elif found.size > limit:
                stats["skipped"] += 1
                yield CollectionWarning(
                    connector=self.name,
                    locator=found.relative,
                    message=f"skipped: {found.size} bytes is over the size limit of {limit} bytes (max_file_size)",
                )
            else:
                entries.append(found)
        stats["files"] += len(entries)
        context.progress.start(f"reading {source}", len(entries))
        seen = {entry.relative for entry in entries}
        context.index.forget(key, [location for location in cache if location not in seen])

        tasks: list[tuple[Entry, CachedFile | None]] = []
        for entry in entries:
            cached = cache.get(entry.relative)
            if cached is not None and (context.full or cached.fingerprint != context.fingerprint):
                cached = None
            reused = None
            if cached is not None and (cached.size, cached.mtime_ns) == (entry.size, entry.mtime_ns):
                reused = _cached_group(self._group_key(entry.relative), cached)
                if reused is None:
                    cached = None  # damaged: read the file again
            if reused is not None:
                stats["reused"] += 1
                yield from _cached_results(reused)
                context.progress.advance()
            else:
                tasks.append((entry, cached))
        del cache  # the reused payloads now live in their groups; the rest is not needed
        work = (
            Task(tree, entry.relative, PurePosixPath(entry.relative).suffix.lower(), cached.sha256 if cached else None)
            for entry, cached in tasks
        )
        # A handful of files is parsed faster here than by starting worker processes.
        jobs = context.jobs if len(tasks) >= SMALL_BATCH else 1
        for (entry, cached), outcome in zip(tasks, run_tasks(work, jobs), strict=True):
            context.progress.advance()
            if outcome.unchanged and cached is not None:
                reused = _cached_group(self._group_key(entry.relative), cached)
                if reused is not None:
                    stats["rehashed"] += 1
                    context.index.touch(key, entry.relative, entry.size, entry.mtime_ns)
                    yield from _cached_results(reused)
                    continue
                outcome = process(Task(tree, entry.relative, PurePosixPath(entry.relative).suffix.lower()))
            results = list(self._results(outcome, source, context))
            items = [r for r in results if isinstance(r, EvidenceItem)]
            warnings = [r for r in results if isinstance(r, CollectionWarning)]
            yield from warnings
            if outcome.error is not None:
                stats["failed"] += 1
                context.progress.note(f"{entry.relative}: {outcome.error}")
                context.index.forget(key, [entry.relative])  # a broken file is read again next time
                continue
            stats["extracted"] += 1
            context.progress.note(f"read {entry.relative}")
            digest = _digest(outcome.sha256 or "", context.fingerprint)
            if context.index.enabled and outcome.sha256:
                types = json.dumps(sorted({item.type for item in items}))
                context.index.put(key, entry.relative, entry.size, entry.mtime_ns, outcome.sha256,
                                  context.fingerprint, _encode(items), types, len(items), _warnings_json(warnings))
            if items:
                yield EvidenceGroup.of_items(self._group_key(entry.relative), items, digest)

    def _group_key(self, relative: str) -> str:
        # The prefix of every item id from the file: ordering groups by it orders their items.
        return f"{self.name}:{relative}"

    def _results(self, outcome: Outcome, source: str, context: CollectContext) -> Iterator[Collected]:
        relative = outcome.relative
        if outcome.error is not None:
            yield CollectionWarning(connector=self.name, locator=relative, message=outcome.error)
            return
        sha256, size = outcome.sha256 or "", outcome.size
        if outcome.document is not None:
            yield from self._document_items(outcome.document, relative, source, sha256, size, context)
            return
        for sheet in outcome.sheets:
            locator = f"{relative} [{sheet.sheet}]"
            candidate = Candidate(
                path=relative,
                title=PurePosixPath(relative).stem,
                sheet=sheet.sheet,
                headers=tuple(name for name in sheet.canonical if name),
                is_register=True,
            )
            classification = context.classify(candidate)
            for warning in sheet.warnings:
                yield CollectionWarning(connector=self.name, locator=locator, message=warning)
            if classification is None:
                yield CollectionWarning(
                    connector=self.name,
                    locator=locator,
                    message="sheet not recognised as a register; add a [[classify]] entry to qmscheck.toml",
                )
                continue
            for row, values in sheet.rows:
                core, dates, attributes = split_fields(dict(values))
                title = core.pop("title", None)
                yield EvidenceItem(
                    id=f"{self.name}:{relative}#{sheet.sheet or ''}!{row}",
                    kind=classification.kind or kind_of(classification.type),
                    type=classification.type,
                    title=title,
                    provenance=self._provenance(source, Locator(path=relative, sheet=sheet.sheet, row=row)),
                    sha256=sha256,
                    size=size,
                    dates=dates,
                    attributes=attributes,
                    **core,
                )

    def _provenance(self, source: str, locator: Locator) -> Provenance:
        return Provenance(connector=self.name, connector_version=self.version, source=source, locator=locator)

    def _document_items(
        self, meta: DocumentMetadata, relative: str, source: str, sha256: str, size: int, context: CollectContext
    ) -> Iterator[Collected]:
        title = meta.title or PurePosixPath(relative).stem
        classification = context.classify(Candidate(path=relative, title=title)) or Classification(
            "unclassified", Kind.DOCUMENT, "no pattern matched"
        )
        core, dates, attributes = split_fields(dict(meta.fields))
        for key, value in meta.extra.items():
            attributes.setdefault(key, value)
        core.pop("title", None)
        for warning in meta.warnings:
            yield CollectionWarning(connector=self.name, locator=relative, message=warning)
        _, _, extra_attributes = split_fields(attributes)
        yield EvidenceItem(
            id=f"{self.name}:{relative}",
            kind=classification.kind,
            type=classification.type,
            title=title,
            provenance=self._provenance(source, Locator(path=relative)),
            sha256=sha256,
            size=size,
            dates=dates,
            attributes=extra_attributes,
            text=meta.text,
            **core,
        )
