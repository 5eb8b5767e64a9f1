"""The connector interface, and what a connector gets from the scan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from qmscheck.collecting.classification import Candidate, Classification
from qmscheck.config.scan_config import ClassifyOverride
from qmscheck.model.evidence import CollectionWarning, EvidenceItem
from qmscheck.model.groups import EvidenceGroup
from qmscheck.storage.index import EvidenceIndex
from qmscheck.support.progress import NullProgress, Progress

DEFAULT_MAX_FILE_SIZE = 200 * 1024 * 1024


@dataclass
class CollectContext:
    """Services a connector may use while collecting.

    ``index`` caches what each file yielded (an index without a path remembers nothing);
    ``full`` ignores it for reading (and refreshes it); ``jobs`` is the number of processes
    for parsing (1: in this process); ``stats`` counts what was done, for --verbose and tests;
    ``fingerprint`` changes whenever cached results would no longer be valid
    (versions, classification overrides, plugins).
    """

    classify: Callable[[Candidate], Classification | None]
    base_dir: Path
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    index: EvidenceIndex = field(default_factory=lambda: EvidenceIndex(None))
    full: bool = False
    jobs: int = 1
    progress: Progress = field(default_factory=NullProgress)
    stats: Counter[str] = field(default_factory=Counter)
    fingerprint: str = ""
    #: True when max_file_size came from the command line: it then wins over a source's own option.
    max_file_size_forced: bool = False
    #: The config's ``[[classify]]`` tables, which ``classify`` tries before the plugins: a worker
    #: process classifying a large file ahead of this one runs them too (connectors.classifying).
    overrides: tuple[ClassifyOverride, ...] = ()


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
