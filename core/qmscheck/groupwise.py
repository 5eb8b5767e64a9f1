"""Rules of :class:`~qmscheck.checks.base.Groupwise` primitives, evaluated one evidence group at a time.

Each group (one file's items, or a part of a large register's) is decoded, turned into engine
facts and summarised for every rule that reads it; then its items are dropped. Groups are
handed to the engine in batches (many one-document files make one batch), so the engine's
per-call cost and its projection dedupe work as on the whole collection. Memory holds one
batch of items plus the summaries, which keep only what a rule needs: counts, failing items,
keys.

A group whose summary for a rule is stored with the group's current digest
(:mod:`qmscheck.summaries`) is not decoded for that rule: a rescan decodes the files that
changed.
"""

from __future__ import annotations

import gc
import logging
import zlib
from collections import OrderedDict, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from qmscheck.checks.base import CheckContext, Cited, Groupwise, Place, Summary, cite_item, positions_of
from qmscheck.collect import Collection
from qmscheck.engine import Probe, evaluate
from qmscheck.evidence import EvidenceItem, Organisation
from qmscheck.facts import to_fact
from qmscheck.groups import EvidenceGroup
from qmscheck.results import ResultCache
from qmscheck.rulepack import LoadedRule
from qmscheck.summaries import StoredSummaries, counted, decode, encode, group_digest, revived, stored

log = logging.getLogger(__name__)

#: Items decoded at once: enough small files that the engine sees thousands of facts per call.
BATCH_ITEMS = 10_000


@dataclass
class GroupwiseRule:
    loaded: LoadedRule
    primitive: Groupwise
    probes: list[Probe]
    #: The rule and the scan's settings (summaries.summary_digest).
    digest: str
    types: frozenset[str] = field(init=False)
    #: Per group read (collection order): its summary, None until worked out.
    summaries: list[Summary | None] = field(default_factory=list, init=False)
    #: The positions in the collection of the groups read, parallel to ``summaries``.
    groups: list[int] = field(default_factory=list, init=False)
    #: Stored entries reused as they are (by slot), for all but count-only summaries.
    kept: dict[int, list[Any]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.types = frozenset(t for probe in self.probes for t in probe.types)

    @property
    def id(self) -> str:
        return self.loaded.rule.id


@dataclass
class _Pending:
    """A group to decode, and for each rule that needs it, where its summary goes."""

    group: EvidenceGroup
    slots: list[tuple[GroupwiseRule, int]] = field(default_factory=list)


@dataclass
class GroupwiseRun:
    rules: list[GroupwiseRule]
    as_of: date
    organisation: Organisation
    store: ResultCache
    #: False: summaries stored by earlier scans are not read (--full).
    reuse: bool = True
    groups_read: int = 0

    def summaries(self, collection: Collection) -> dict[str, list[Summary]]:
        """Every rule's summaries of the groups it reads, in evidence order.

        One rule's stored summaries are decoded at a time (at 100k files they take hundreds of
        megabytes as Python objects); what is reused is kept as summaries, which for the common
        count-only kind are shared objects."""
        if not self.rules:
            return {}
        groups = collection.groups
        digests = [group_digest(group.content) for group in groups]
        by_types: dict[frozenset[str], list[int]] = defaultdict(list)
        for position, group in enumerate(groups):
            by_types[group.types].append(position)
        keys = [group.key for group in groups]
        pending: dict[int, _Pending] = {}
        # Every loop below runs once per group and rule (over a million times at 100k files), and
        # allocates: the collector stays paused until the summaries are stored.
        with _collector_paused():
            blobs = self.store.summaries({rule.id: rule.digest for rule in self.rules}) if self.reuse else {}
            for rule in self.rules:
                found = self._stored(rule, blobs.pop(rule.id, None))
                rule.groups = sorted(position for types, positions in by_types.items()
                                     if not types.isdisjoint(rule.types) for position in positions)
                append = rule.summaries.append
                for slot, position in enumerate(rule.groups):
                    entry: Any = found.get(keys[position])
                    if entry.__class__ is list and len(entry) == 2 and entry[0] == digests[position]:
                        # The common case, a count, without a call to _revived.
                        summary = counted(entry[1]) if entry[1].__class__ is int else None
                    else:
                        summary = _revived(groups[position], digests[position], entry)
                        if summary is not None:
                            # Stored again as it was: building the entry anew from the summary costs more.
                            rule.kept[slot] = entry
                    if summary is None:
                        pending.setdefault(position, _Pending(groups[position])).slots.append((rule, slot))
                    append(summary)
                del found
            batch: list[_Pending] = []
            batch_items = 0
            for position in sorted(pending):
                batch.append(pending.pop(position))
                batch_items += batch[-1].group.count
                if batch_items >= BATCH_ITEMS:
                    self._summarise(batch)
                    batch, batch_items = [], 0
            self._summarise(batch)
            result: dict[str, list[Summary]] = {}
            for rule in self.rules:
                done = [summary for summary in rule.summaries if summary is not None]
                assert len(done) == len(rule.summaries), "every group read was summarised"
                self.store.put_summaries([(rule.id, rule.digest, encode(self._entries(rule, keys, digests, done)))])
                result[rule.id] = done
        return result

    @staticmethod
    def _entries(rule: GroupwiseRule, keys: list[str], digests: list[str], done: list[Summary]) -> StoredSummaries:
        kept = rule.kept
        entries: StoredSummaries = {}
        for slot, (position, summary) in enumerate(zip(rule.groups, done, strict=True)):
            entry = kept.get(slot)
            if entry is None:
                if summary.failures or summary.data is not None or summary.places:
                    entry = stored(keys[position], digests[position], summary)
                else:
                    entry = [digests[position], summary.population]  # what stored() gives, without the call
            entries[keys[position]] = entry
        kept.clear()
        return entries

    @staticmethod
    def _stored(rule: GroupwiseRule, blob: bytes | None) -> StoredSummaries:
        if blob is None:
            return {}
        try:
            return decode(blob)
        except (zlib.error, ValueError, TypeError) as exc:
            log.debug("stored summaries of %s are damaged (%s); summarising again", rule.id, exc)
            return {}

    def _summarise(self, batch: list[_Pending]) -> None:
        if not batch:
            return
        decoded = [pending.group.decoded() for pending in batch]
        self.groups_read += len(batch)
        starts: list[int] = []
        facts: list[dict[str, Any]] = []
        for items in decoded:
            start = len(facts)
            starts.append(start)
            facts.extend([to_fact(start + i, item) for i, item in enumerate(items)])
        wanted = {rule.id: rule for pending in batch for rule, _ in pending.slots}
        probes = [probe for rule in wanted.values() for probe in rule.probes]
        local = _split(evaluate(probes, facts), starts, len(facts))
        for position, (pending, items) in enumerate(zip(batch, decoded, strict=True)):
            start = starts[position]
            group_facts = facts[start : start + len(items)]
            positions = positions_of(items)
            indices = {key: found[position] for key, found in local.items()}
            group = pending.group
            for rule, slot in pending.slots:
                ctx = CheckContext(
                    rule=rule.loaded.rule, as_of=self.as_of, organisation=self.organisation, items=items,
                    facts=group_facts, positions=positions, group=group.key, indices=indices,
                )
                summary = rule.primitive.summary(ctx)
                rule.summaries[slot] = summary


class Citations:
    """Finds placed items again when a rule's failures cite them, decoding their group. Failures
    cite few items, mostly from few groups: the last groups decoded are kept."""

    KEEP = 4

    def __init__(self, groups: Sequence[EvidenceGroup]) -> None:
        self._groups = {group.key: group for group in groups}
        self._decoded: OrderedDict[str, list[EvidenceItem]] = OrderedDict()
        self.groups_read = 0

    def cited(self, place: Place) -> Cited:
        items = self._decoded.get(place.group)
        if items is None:
            group = self._groups.get(place.group)
            if group is None:
                raise LookupError(f"no evidence group {place.group}")
            items = self._decoded[place.group] = group.decoded()
            self.groups_read += 1
            if len(self._decoded) > self.KEEP:
                self._decoded.popitem(last=False)
        else:
            self._decoded.move_to_end(place.group)
        return cite_item(place.group, place.position, items[place.position])


def _revived(group: EvidenceGroup, digest: str, entry: object) -> Summary | None:
    """The stored summary of a group when it was worked out on the group's content as it is now."""
    if not isinstance(entry, list) or not entry or entry[0] != digest:
        return None
    try:
        return revived(group.key, entry, group.sha256)
    except (ValueError, TypeError):
        return None  # damaged: summarised again


def _split(matches: dict[str, set[str]], starts: Sequence[int], total: int) -> dict[str, list[list[int]]]:
    """Engine matches (fact ids over the batch) -> per probe, per group, sorted indices into the group."""
    owner: list[int] = []
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else total
        owner.extend([position] * (end - start))
    result: dict[str, list[list[int]]] = {}
    for key, ids in matches.items():
        per_group: list[list[int]] = [[] for _ in starts]
        for index in sorted(int(fact_id[1:]) for fact_id in ids):
            position = owner[index]
            per_group[position].append(index - starts[position])
        result[key] = per_group
    return result


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Decoding makes millions of short-lived objects, freed by reference counting: a cyclic garbage
    collection every few thousand of them would walk the long-lived summaries again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
