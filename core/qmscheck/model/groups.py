"""Evidence in groups: the items one file (or one source) yielded, decoded only when a check needs them.

A rescan of a large share changes a few files. Keeping each unchanged file's items as the
compressed bytes the index already holds, with the evidence types they contain and a digest
of everything they depend on, lets the check stage reuse a rule's findings when none of the
groups it reads changed, and decode only the groups the remaining rules read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from qmscheck.model.evidence import EvidenceItem, order_key

__all__ = ["PART_MARK", "EvidenceGroup", "group_order", "group_sort_key", "items_of", "part_key"]


@dataclass(eq=False, slots=True)
class EvidenceGroup:
    """``key`` names the group (for ordering and duplicate detection); ``digest`` changes whenever its
    items could differ; ``types`` are the evidence types among them; ``count`` how many there are.

    ``content`` is what a rule's summary of the group depends on (:mod:`qmscheck.storage.stored_summaries`):
    ``digest`` itself, unless every item carries the same file digest ``sha256`` and ``content``
    leaves it out. So it is for the parts of a large register: a row appended to a 125,000-row
    log changes the file's sha256 that each of its items carries, but not the items of the
    parts before the last, whose summaries a rescan then reuses (their citations given the new
    sha256). ``digest`` still changes, so no finding is reused with a stale sha256.

    ``order`` is ``order_key`` of the key (of the file's key, for a part) when it is known
    already (the evidence index keeps it): sorting groups then works out no key."""

    key: str
    digest: str
    types: frozenset[str]
    count: int
    content: str = ""
    sha256: str | None = None
    order: str = ""
    _load: Callable[[], list[EvidenceItem]] | None = field(default=None, repr=False)
    #: Decodes items ``start`` to ``stop`` alone, when the group can (a part of a large register).
    _load_range: Callable[[int, int], list[EvidenceItem]] | None = field(default=None, repr=False)
    _items: list[EvidenceItem] | None = field(default=None, repr=False)

    @classmethod
    def of_items(cls, key: str, items: Sequence[EvidenceItem], digest: str | None = None) -> EvidenceGroup:
        """Items already in memory. Without a digest, one is computed from their content."""
        if digest is None:
            hasher = hashlib.sha256()
            for item in items:
                hasher.update(item.model_dump_json().encode())
            digest = hasher.hexdigest()
        return cls(key, digest, frozenset(item.type for item in items), len(items), _items=list(items))

    @classmethod
    def encoded(
        cls,
        key: str,
        digest: str,
        types: Iterable[str],
        count: int,
        load: Callable[[], list[EvidenceItem]],
        *,
        content: str = "",
        sha256: str | None = None,
        order: str = "",
        load_range: Callable[[int, int], list[EvidenceItem]] | None = None,
    ) -> EvidenceGroup:
        """Items still encoded; ``load`` decodes them (once) when they are first needed, and
        ``load_range``, if given, a few of them (see :meth:`item`)."""
        return cls(key, digest, frozenset(types), count, content, sha256, order, _load=load, _load_range=load_range)

    def __post_init__(self) -> None:
        if not self.content:
            self.content = self.digest

    def items(self) -> list[EvidenceItem]:
        """The items, decoded once and kept."""
        if self._items is None:
            self._items = self.decoded()
        return self._items

    def decoded(self) -> list[EvidenceItem]:
        """The items, decoded afresh unless they are kept: for a reader that holds one group at a time."""
        if self._items is not None:
            return self._items
        assert self._load is not None
        items = self._load()
        if len(items) != self.count:
            raise ValueError(f"evidence group {self.key}: {len(items)} items decoded, {self.count} expected")
        return items

    def item(self, position: int) -> EvidenceItem | None:
        """One item decoded alone, when the group can do that (None: decode the group): a citation of
        one row of a 10,000-row part need not decode the other 9,999."""
        if self._items is not None:
            return self._items[position]
        if self._load_range is None:
            return None
        if not 0 <= position < self.count:
            raise IndexError(f"evidence group {self.key} has no item {position}")
        (found,) = self._load_range(position, position + 1)
        return found

    def reads(self, types: frozenset[str]) -> bool:
        return not self.types.isdisjoint(types)


#: Separates a file's key from the number of a part of it (see ``part_key``).
PART_MARK = "\x1f"


def part_key(key: str, part: int) -> str:
    """The key of one part of a large file's items: a check holds one part in memory at a time."""
    return f"{key}{PART_MARK}{part}"


def group_sort_key(key: str, order: str = "") -> tuple[str, int]:
    """Evidence order of groups: the natural order of their keys (``order_key``, unless the file's
    is given), a file's parts in turn."""
    file_key, _, part = key.partition(PART_MARK)
    return order or order_key(file_key), int(part) if part.isdigit() else 0


def group_order(group: EvidenceGroup) -> tuple[str, int]:
    return group_sort_key(group.key, group.order)


def items_of(groups: Iterable[EvidenceGroup]) -> list[EvidenceItem]:
    return [item for group in groups for item in group.items()]
