"""Everything a scan collected: the evidence groups, the warnings, the sources read. What the
collect stage hands to the check stage, so that checking never needs a connector."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from qmscheck.model.evidence import CollectionWarning, EvidenceItem
from qmscheck.model.groups import EvidenceGroup, items_of
from qmscheck.model.report import SourceInfo

__all__ = ["Collection"]


@dataclass
class Collection:
    """What the connectors yielded, in evidence order: groups of items, decoded when first used."""

    groups: list[EvidenceGroup] = field(default_factory=list)
    warnings: list[CollectionWarning] = field(default_factory=list)
    sources: list[SourceInfo] = field(default_factory=list)
    #: files, reused (stat unchanged), rehashed (touched, same bytes), extracted, failed, skipped, unsupported
    stats: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of_items(cls, items: list[EvidenceItem]) -> Collection:
        """A collection of items built in memory (tests, rule cases), in the order given."""
        return cls(groups=[EvidenceGroup.of_items("items", items)] if items else [])

    @cached_property
    def items(self) -> list[EvidenceItem]:
        """Every item, decoding every group: for callers that need them all (the check stage does not)."""
        return items_of(self.groups)

    @property
    def evidence_count(self) -> int:
        return sum(group.count for group in self.groups)
