"""The connector interface, and what a connector gets from the scan."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from qmscheck.classify import Candidate, Classification
from qmscheck.evidence import CollectionWarning, EvidenceItem


@dataclass
class CollectContext:
    """Services a connector may use while collecting."""

    classify: Callable[[Candidate], Classification | None]
    base_dir: Path
    max_file_size: int = 200 * 1024 * 1024


Collected = EvidenceItem | CollectionWarning


class Connector(Protocol):
    """Reads one kind of source. Register it through ``qmscheck_register_connectors``.

    ``collect`` yields evidence items, and a :class:`CollectionWarning` for anything it
    could not read (the scan goes on). It raises :class:`qmscheck.errors.ConnectorError`
    only when the whole source is unusable. It must never write to the source.
    """

    name: str
    version: str

    def collect(self, options: dict[str, Any], context: CollectContext) -> Iterator[Collected]: ...

    def describe(self, options: dict[str, Any]) -> str:
        """Where the source is, for the report's provenance (no secrets)."""
        ...
