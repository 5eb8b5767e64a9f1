"""The connector interface, and what a connector gets from the scan.

A connector reads its source and nothing else of qmscheck's machinery: the scan hands it a
:class:`CollectContext`, whose ``cache`` is the :class:`FileCache` protocol (the few operations a
caching connector performs), not the storage behind it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from qmscheck.collecting.classification import Candidate, Classification
from qmscheck.config.scan_config import ClassifyOverride
from qmscheck.model.cached_files import CachedFile, FileEntry, Listed
from qmscheck.model.evidence import CollectionWarning, EvidenceItem
from qmscheck.model.groups import EvidenceGroup
from qmscheck.support.executors import Executor
from qmscheck.support.progress import NullProgress, Progress
from qmscheck.support.tuning import Tuning

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "CachedFile",
    "CollectContext",
    "Collected",
    "Connector",
    "FileCache",
    "Inventoried",
    "Inventorying",
    "Listed",
    "NoCache",
]

DEFAULT_MAX_FILE_SIZE = 200 * 1024 * 1024


class FileCache(Protocol):
    """What a connector may do with the evidence index: per source (``source`` is the connector's
    key for it) and per file, keep what the file yielded, and find it again on the next scan.

    Entries made under another ``fingerprint`` are never listed. The storage layer implements it
    (:class:`qmscheck.storage.index.EvidenceIndex`); a connector never sees more of it than this.
    """

    @property
    def enabled(self) -> bool:
        """False when nothing is kept (``--no-index``): storing is then wasted work."""
        ...

    def holds(self, source: str, fingerprint: str, files: int) -> bool:
        """Whether at least ``files`` files of the source are kept under ``fingerprint``."""
        ...

    def listing(self, source: str, fingerprint: str, *, at_least: int = 0) -> dict[str, Listed]:
        """Each kept file's stat and sha256 by location, without its items (``at_least``: bytes)."""
        ...

    def load(self, source: str) -> dict[str, CachedFile]:
        """Every kept file of the source with its items, by location."""
        ...

    def intact(self, cached: CachedFile) -> bool:
        """False when the entry's payload or ordering no longer matches its checksum."""
        ...

    def put(self, entry: FileEntry) -> None:
        """Keep what the file yielded (a later ``put`` of the same location replaces it)."""
        ...

    def touch(self, source: str, location: str, size: int, mtime_ns: int) -> None:
        """Same bytes, new stat: the next scan need not hash the file again."""
        ...

    def forget(self, source: str, locations: Iterable[str]) -> None:
        """Drop these files' entries (gone from the source, or unreadable: read them next time)."""
        ...


class NoCache:
    """A :class:`FileCache` that keeps nothing: what a connector gets when the scan has no index."""

    enabled = False

    def holds(self, source: str, fingerprint: str, files: int) -> bool:
        return False

    def listing(self, source: str, fingerprint: str, *, at_least: int = 0) -> dict[str, Listed]:
        return {}

    def load(self, source: str) -> dict[str, CachedFile]:
        return {}

    def intact(self, cached: CachedFile) -> bool:
        return False

    def put(self, entry: FileEntry) -> None:
        return None

    def touch(self, source: str, location: str, size: int, mtime_ns: int) -> None:
        return None

    def forget(self, source: str, locations: Iterable[str]) -> None:
        return None


@dataclass
class CollectContext:
    """Services a connector may use while collecting.

    ``cache`` keeps what each file yielded between scans; ``full`` ignores it for reading (and
    refreshes it); ``jobs`` is the number of processes for parsing (1: in this process);
    ``stats`` counts what was done, for --verbose; ``fingerprint`` changes whenever cached
    results would no longer be valid (code, classification overrides, plugins); ``tuning`` is how
    a connector divides its work (part sizes, when to start workers), never what it yields.
    """

    classify: Callable[[Candidate], Classification | None]
    base_dir: Path
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    cache: FileCache = field(default_factory=NoCache)
    full: bool = False
    jobs: int = 1
    progress: Progress = field(default_factory=NullProgress)
    stats: Counter[str] = field(default_factory=Counter)
    fingerprint: str = ""
    #: True when max_file_size came from the command line: it then wins over a source's own option.
    max_file_size_forced: bool = False
    #: The config's ``[[classify]]`` tables, which ``classify`` tries before the plugins. A worker
    #: process has no plugins: it classifies with these and the built-in name classifier only.
    overrides: tuple[ClassifyOverride, ...] = ()
    tuning: Tuning = field(default_factory=Tuning)
    #: Where files are parsed when not in this machine's processes (``jobs``): a Dask cluster.
    executor: Executor | None = None


Collected = EvidenceItem | EvidenceGroup | CollectionWarning


class Connector(Protocol):
    """Reads one kind of source. Register it through ``qmscheck_register_connectors``.

    ``collect`` yields evidence items, and a :class:`CollectionWarning` for anything it
    could not read (the scan goes on). A connector that caches may yield an
    :class:`~qmscheck.model.groups.EvidenceGroup` instead: one file's items, still encoded, with the
    types they contain and a digest of what they depend on, so rules that read none of those
    types never decode them and unchanged evidence is not checked twice.
    It raises :class:`qmscheck.errors.ConnectorError` only when the whole source is unusable.
    It must never write to the source.
    """

    name: str
    version: str

    def collect(self, options: dict[str, Any], context: CollectContext) -> Iterator[Collected]: ...

    def describe(self, options: dict[str, Any]) -> str:
        """Where the source is, for the report's provenance (no secrets)."""
        ...


@dataclass(frozen=True)
class Inventoried:
    """One place of a source as a scan would take it: a document or a sheet to classify
    (``candidate``), or something the scan passes over (``passed`` says how, ``reason`` why)."""

    path: str
    candidate: Candidate | None = None
    #: skipped: not read by rule (hidden, over the size limit, a link leaving the source);
    #: not recognised: nothing in it a scan could take (no reader for its type, no sheet with
    #: data); unreadable: reading it failed.
    passed: Literal["skipped", "not recognised", "unreadable"] | None = None
    reason: str = ""
    rows: int | None = None
    columns: tuple[str, ...] = ()  # a sheet's header row as written


@runtime_checkable
class Inventorying(Connector, Protocol):
    """A connector that can list its source for ``qmscheck inventory`` (optional)."""

    def inventory(self, options: dict[str, Any], context: CollectContext) -> Iterator[Inventoried]:
        """Everything the source holds, each document and sheet read but not classified: the
        caller classifies ``candidate`` with the scan's classifiers. The connector's own skip
        rules decide what is ``passed``, as in :meth:`collect`."""
        ...
