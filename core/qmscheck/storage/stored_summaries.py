"""What a groupwise rule kept of each evidence group (:class:`qmscheck.checking.primitives.base.GroupSummary`), as
stored between scans in the evidence index (:class:`qmscheck.storage.results.ResultCache`).

A summary depends on the rule, the scan's settings and the group's items, nothing else. So a
rule's summaries are stored together under a digest of the rule and the settings, which hold the
fingerprint of the code (:func:`summary_digest`), each with the digest of the group it summarises: a
rescan trusts the entries whose group digest is unchanged and summarises the other groups again.

Two JSON documents per rule. The first, in columns: the groups' populations in evidence
order, their keys and digests as two lists shared by the rules that read the same groups
(:class:`SharedList`), the digest of the findings worked out from these summaries and which
groups those findings cite. The second: the rest of the summaries that hold more than a
count (failures, data, places) by their index in those lists, one per line, so that the entries
of a few groups are read without decoding the others. A rule evaluated again on a
rescan compares two lists of digests and sums a list of numbers for the groups that only
count, instead of building an object per group (100,000 of them per rule at the target
size). And when none of the groups the
findings cite has changed, and the groups summarised again say what they said before (or
the primitive can tell that what they say now changes nothing, ``Groupwise.still_holds``),
the findings stand as they were: the stored summaries are neither revived nor combined (a
body edit to a few documents leaves the rules that compare 100k of them alone).
A failure's items are tuples (:class:`~qmscheck.checking.primitives.base.Cited`), stored as plain JSON
arrays; placed items are stored as their position in the group the entry is for.
"""

from __future__ import annotations

import bisect
import hashlib
import operator
from collections.abc import Iterable
from typing import Any, NamedTuple

import pydantic_core

from qmscheck.model.verdicts import Cited, FailingValue, Failure, GroupSummary, Place

#: By slot as text, each group a rule's findings cite: [its digest (group_digest), [[position, item
#: id], ...] of the items cited from it]. With the items' places, findings whose cited groups changed
#: but summarise as before are brought up to date without being made again (qmscheck.checking.groupwise).
CitedGroups = dict[str, list[Any]]


class StoredRule(NamedTuple):
    """A rule's stored summaries, but for their rest: per group read (evidence order), its
    population. ``keys`` and ``digests`` are the digests of two :class:`SharedList`: the groups'
    keys, and the digests of the content they were summarised from (``EvidenceGroup.content``,
    shortened by :func:`group_digest`). Each is stored once for all the rules that read the
    same groups: at 100k files a list is megabytes, and a dozen rules read it. ``findings`` is
    the digest the rule's findings were stored under in the same scan (``results.rule_digest``),
    and ``cited`` gives, by index as text, for each group those findings cite, its digest
    (:func:`group_digest` of ``EvidenceGroup.digest``) and the [position, item id] of each item
    they cite from it (:data:`CitedGroups`). The rest (:func:`encode_rest`)
    holds, by index as text, [failures, data, positions of the places] of the summaries that
    are more than a count."""

    keys: str
    digests: str
    populations: list[int]
    findings: str
    cited: CitedGroups


class SharedList(NamedTuple):
    """A list of text that rules reading the same groups share (the groups' keys, or their
    digests), as JSON (as stored) and the digest of that JSON, which a rule's summaries name it by."""

    items: list[str]
    json: bytes
    digest: str

    @classmethod
    def of(cls, items: list[str]) -> SharedList:
        data = pydantic_core.to_json(items)
        return cls(items, data, hashlib.sha256(data).hexdigest())


def decode_list(data: bytes) -> list[str]:
    """A stored :class:`SharedList`; ValueError or TypeError when it is damaged."""
    items = pydantic_core.from_json(data, cache_strings=False)
    if not isinstance(items, list) or not set(map(type, items)) <= {str}:
        raise TypeError("a stored list of keys or digests is not a list of text")
    return items


def summary_digest(settings: str, rule_json: str) -> str:
    """What a rule's stored summaries are filed under: the scan's settings, which hold the fingerprint
    of the code that summarised and stored them (qmscheck.support.code_fingerprint), and the rule."""
    return hashlib.sha256(f"summaries\0{settings}\0{rule_json}".encode()).hexdigest()


def only_counts(summary: GroupSummary) -> bool:
    """A summary that holds nothing but its population: stored as a number."""
    return not summary.failures and summary.data is None and not summary.places


def rest_of(group_key: str, summary: GroupSummary) -> list[Any]:
    """What is stored of a summary besides its population: [failures, data, positions]."""
    if any(place.group != group_key for place in summary.places):
        raise ValueError("a summary may place only items of its own group")
    failures = []
    for failure in summary.failures:
        if not all(isinstance(item, Cited) for item in failure.items):
            raise TypeError("a groupwise failure must cite its items with CheckContext.cite")
        failures.append(
            [failure.detail, failure.near_miss, failure.absence, failure.values, failure.unestablished, failure.items]
        )
    return [failures, summary.data, [place.position for place in summary.places]]


def revived(group_key: str, population: int, rest: list[Any], sha256: str | None = None) -> GroupSummary:
    """A stored summary that is more than a count; ValueError or TypeError when it is damaged.

    With ``sha256`` (a part of a large file, ``EvidenceGroup.content``), the items the failures
    cite from the group carry that file digest, and ``rest`` is updated to match: it may have
    been worked out when the file had other bytes but the part the same items."""
    failures, data, positions = rest
    if not failures:  # most of them: keys or dates of a file that passes
        return GroupSummary(
            population=population, data=data, places=[Place(group_key, position) for position in positions] or ()
        )
    if sha256 is not None:
        for *_, items in failures:
            for item in items:
                if item[0] == group_key:
                    item[4] = sha256
    return GroupSummary(
        population=population,
        failures=[
            Failure(
                items=tuple(Cited(*item) for item in items),
                detail=detail,
                near_miss=near_miss,
                absence=absence,
                values=tuple(FailingValue(*value) for value in values),
                unestablished=unestablished,
            )
            for detail, near_miss, absence, values, unestablished, items in failures
        ]
        or (),
        data=data,
        places=[Place(group_key, position) for position in positions] or (),
    )


def group_digest(digest: str) -> str:
    """A group's digest as stored with each of its summaries: short, since every rule stores one per file."""
    return hashlib.blake2b(digest.encode(), digest_size=10).hexdigest()


# pydantic-core's JSON (Rust) reads and writes these documents faster than the json module, and faster
# still without caching strings (the keys and digests never repeat). Not compressed: a rescan reads
# and writes them for every rule it evaluates, and zlib would cost more than the bytes it saves.
def encode(stored: StoredRule) -> bytes:
    return pydantic_core.to_json(stored._asdict())


def decode(blob: bytes) -> StoredRule:
    """The stored summaries but for their rest; ValueError or TypeError when they are damaged."""
    decoded = pydantic_core.from_json(blob, cache_strings=False)
    if not isinstance(decoded, dict):
        raise ValueError("stored summaries are not an object")
    stored = StoredRule(**decoded)
    if not (
        isinstance(stored.keys, str)
        and isinstance(stored.digests, str)
        and isinstance(stored.populations, list)
        and isinstance(stored.findings, str)
        and isinstance(stored.cited, dict)
    ):
        raise TypeError("stored summaries are not two digests, a list, a digest and an object")
    if not set(map(type, stored.populations)) <= {int}:
        raise TypeError("a stored population is not a whole number")
    for cited in stored.cited.values():
        if not (
            isinstance(cited, list) and len(cited) == 2 and isinstance(cited[0], str) and isinstance(cited[1], list)
        ):
            raise TypeError("a cited group is not its digest and a list of the items cited")
    return stored


def encode_rest(entries: Iterable[tuple[int, Any]]) -> bytes:
    """``entries`` (slot, entry), by slot ascending, as a line of the slots and then one line per
    entry: a rescan reads the entries of the groups that changed without decoding the others
    (:class:`StoredRest`). JSON text holds no raw newline. Each entry is written as it comes, so
    a caller need not hold them all."""
    slots: list[int] = []
    lines: list[bytes] = [b""]
    for slot, entry in entries:
        if slots and slot <= slots[-1]:
            raise ValueError("entries of stored summaries come by slot, ascending")
        slots.append(slot)
        lines.append(pydantic_core.to_json(entry))
    lines[0] = pydantic_core.to_json(slots)
    return b"\n".join(lines)


#: What an entry that is not JSON reads as: not a list, so reviving it fails and its group is
#: summarised again (None would read as a summary that is only a count).
DAMAGED_ENTRY = "damaged"


#: What is written of a rule's rest: the whole of it (None: as stored), and the changes since.
RestUpdate = tuple[bytes | None, bytes]


class StoredRest:
    """The rest of a rule's stored summaries (:func:`encode_rest`), decoded as far as it is read:
    when the few groups that changed summarise as before, their entries are all a rescan needs of
    a rule that keeps an entry for each of 100k documents. ValueError or TypeError when its
    layout is damaged as a whole; an entry that is not JSON reads as DAMAGED_ENTRY.

    ``changes`` (encoded the same way; an entry ``null`` is a summary now only a count) are the
    entries replaced since the whole was written: a rescan that changes a few of 100k entries
    writes those (:meth:`with_entries`), not 17 MB, until they come to an eighth of the whole."""

    #: Changes are written on their own up to this many, or an eighth of the entries if more.
    CHANGES_AT_LEAST = 1000

    def __init__(self, blob: bytes, changes: bytes = b"") -> None:
        self._slots, self._lines = _split_rest(blob)
        changed_slots, changed_lines = _split_rest(changes) if changes else ([], [b""])
        #: As stored: what with_entries adds to.
        self._changes = dict(zip(changed_slots, changed_lines[1:], strict=True))
        self._current: tuple[list[int], list[bytes]] | None = None if self._changes else (self._slots, self._lines)
        self._all: dict[str, Any] | None = None
        self._entries: list[Any] | None = None

    def get(self, text: str) -> Any:
        """The entry of a slot (given as text), None when it has none (the summary was only a count)."""
        if self._all is not None:
            return self._all.get(text)
        slot = int(text)
        if slot in self._changes:
            return _entry(self._changes[slot])
        index = bisect.bisect_left(self._slots, slot)
        if index == len(self._slots) or self._slots[index] != slot:
            return None
        return _entry(self._lines[index + 1])

    def __contains__(self, text: str) -> bool:
        return self.get(text) is not None

    def all(self) -> dict[str, Any]:
        """Every entry by slot as text, decoded once."""
        if self._all is None:
            self._all = dict(zip(map(str, self._as_it_stands()[0]), self._decoded(), strict=True))
        return self._all

    def entries_except(self, slots: set[int]) -> list[Any]:
        """The entries of every slot but ``slots``, in slot order (no dictionary of 100k entries)."""
        decoded = self._decoded()
        return [entry for slot, entry in zip(self._as_it_stands()[0], decoded, strict=True) if slot not in slots]

    def _as_it_stands(self) -> tuple[list[int], list[bytes]]:
        """The slots, and the lines of their entries, with the changes applied."""
        if self._current is None:
            self._current = self._applied(self._changes)
        return self._current

    def _applied(self, changes: dict[int, bytes]) -> tuple[list[int], list[bytes]]:
        lines = dict(zip(self._slots, self._lines[1:], strict=True))
        for slot, line in changes.items():
            if line == b"null":
                lines.pop(slot, None)
            else:
                lines[slot] = line
        slots = sorted(lines)
        return slots, [b"", *(lines[slot] for slot in slots)]

    def _decoded(self) -> list[Any]:
        if self._entries is None:
            lines = self._as_it_stands()[1][1:]
            try:
                self._entries = pydantic_core.from_json(b"[" + b",".join(lines) + b"]", cache_strings=False)
            except ValueError:
                self._entries = [_entry(line) for line in lines]
        return self._entries

    def with_entries(self, changed: dict[int, Any]) -> RestUpdate:
        """What to write for the entries of the ``changed`` slots replaced (None: removed, the summary
        being only a count): the changes alone while they are few, else the whole (the other
        entries written back as they were read) and no changes."""
        changes = {**self._changes, **{slot: pydantic_core.to_json(entry) for slot, entry in changed.items()}}
        if len(changes) <= max(self.CHANGES_AT_LEAST, len(self._slots) // 8):
            slots = sorted(changes)
            return None, _joined(slots, [changes[slot] for slot in slots])
        slots, lines = self._applied(changes)
        return _joined(slots, lines[1:]), b""


def _joined(slots: list[int], lines: list[bytes]) -> bytes:
    """A rest as encode_rest writes it, from its slots and the lines of their entries."""
    return b"\n".join([pydantic_core.to_json(slots), *lines])


def _split_rest(blob: bytes) -> tuple[list[int], list[bytes]]:
    lines = blob.split(b"\n")
    slots = pydantic_core.from_json(lines[0])
    if not isinstance(slots, list) or not set(map(type, slots)) <= {int}:
        raise TypeError("the rest of the stored summaries does not start with a list of slots")
    if len(lines) != len(slots) + 1 or not all(map(operator.lt, slots, slots[1:])):
        raise ValueError("the rest of the stored summaries does not hold one entry per slot, in order")
    return slots, lines


def _entry(line: bytes) -> Any:
    try:
        return pydantic_core.from_json(line, cache_strings=False)
    except ValueError:
        return DAMAGED_ENTRY


def same_summary(group_key: str, summary: GroupSummary | None, stored: object) -> bool:
    """Whether a fresh summary that is more than a count (None: only a count) says what the
    stored entry (None: only a count) said."""
    if summary is None or stored is None:
        return summary is None and stored is None
    return pydantic_core.to_json(rest_of(group_key, summary)) == pydantic_core.to_json(stored)
