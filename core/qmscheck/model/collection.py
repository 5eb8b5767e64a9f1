"""Everything a scan collected: the evidence groups, the warnings, the sources read. What the
collect stage hands to the check stage, so that checking never needs a connector."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

from qmscheck.model.evidence import CollectionWarning, EvidenceItem
from qmscheck.model.groups import EvidenceGroup, items_of
from qmscheck.model.report import SourceInfo

__all__ = ["AS_OF_LOCATOR", "Collection"]

#: The locator of the warning that evidence dated after the as-of day was left out.
AS_OF_LOCATOR = "as-of"


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

    def as_it_stood(self, day: date) -> Collection:
        """The evidence that existed on ``day``: an item issued, approved or completed after it did
        not, and a scan judging that day leaves it out, with a warning saying how many were.

        Every group is decoded to read the dates, one at a time; a group that keeps all its
        items is kept as it is, so that its rules' stored results still apply."""
        groups: list[EvidenceGroup] = []
        left_out = 0
        for group in self.groups:
            items = group.decoded()
            kept = [item for item in items if not _dated_after(item, day)]
            if len(kept) == len(items):
                groups.append(group)
                continue
            left_out += len(items) - len(kept)
            if kept:
                narrowed = EvidenceGroup.of_items(group.key, kept)
                narrowed.order, narrowed.sha256 = group.order, group.sha256
                groups.append(narrowed)
        if not left_out:
            return self
        warning = CollectionWarning(
            connector="qmscheck",
            locator=AS_OF_LOCATOR,
            message=f"{left_out} evidence item(s) issued, approved or completed after {day.isoformat()} are left "
            "out: they did not exist on the day the scan judges (--as-of)",
        )
        return replace(self, groups=groups, warnings=[*self.warnings, warning])


def _dated_after(item: EvidenceItem, day: date) -> bool:
    dates = item.dates
    return any(value is not None and value > day for value in (dates.issued, dates.approved, dates.completed))
