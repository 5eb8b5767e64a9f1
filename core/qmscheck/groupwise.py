"""Rules of :class:`~qmscheck.checks.base.Groupwise` primitives, evaluated one evidence group at a time.

Each group (one file's items, or a part of a large register's) is decoded, turned into engine
facts and summarised for every rule that reads it; then its items are dropped. Groups are
handed to the engine in batches (many one-document files make one batch), so the engine's
per-call cost and its projection dedupe work as on the whole collection. Memory holds one
batch of items plus the summaries, which keep only what a rule needs: counts, failing items,
keys.

A group whose summary for a rule is stored with the group's current content digest
(:mod:`qmscheck.summaries`) is not decoded for that rule: a rescan decodes the files (or the
parts of a large register) that changed.
"""

from __future__ import annotations

import gc
import logging
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
from qmscheck.summaries import (
    GroupKeys,
    StoredRule,
    decode,
    decode_keys,
    encode,
    group_digest,
    only_counts,
    rest_of,
    revived,
)

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
    #: The positions in the collection of the groups read (evidence order); a group's index in
    #: this list is its slot.
    groups: list[int] = field(default_factory=list, init=False)
    #: Per slot, the group's population (filled in for the groups summarised afresh).
    populations: list[int] = field(default_factory=list, init=False)
    #: By slot: the stored summaries that are more than a count, and every summary worked out afresh.
    summaries: dict[int, Summary] = field(default_factory=dict, init=False)
    #: The population of the stored summaries that are only a count, which ``combine`` sees as one.
    counted: int = field(default=0, init=False)
    #: Stored entries reused as they are, by slot as text (summaries.StoredRule.rest).
    rest: dict[str, list[Any]] = field(default_factory=dict, init=False)
    #: The keys of the groups read, by slot.
    keys: GroupKeys = field(default=GroupKeys([], b"[]", ""), init=False)

    def __post_init__(self) -> None:
        self.types = frozenset(t for probe in self.probes for t in probe.types)

    @property
    def id(self) -> str:
        return self.loaded.rule.id

    def combined(self) -> list[Summary]:
        """What ``combine`` reads: the groups that only count as one summary (their population is
        all that a primitive may use of them), then the others in evidence order."""
        found = [self.summaries[slot] for slot in sorted(self.summaries)]
        return [Summary(population=self.counted), *found] if self.counted else found


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
        """Every rule's summaries of the groups it reads, for its ``combine``
        (:meth:`GroupwiseRule.combined`).

        One rule's stored summaries are decoded at a time; the groups whose stored summary still
        holds and is only a count are kept as one number."""
        if not self.rules:
            return {}
        groups = collection.groups
        digests = [group_digest(group.content) for group in groups]
        by_types: dict[frozenset[str], list[int]] = defaultdict(list)
        for position, group in enumerate(groups):
            by_types[group.types].append(position)
        keys = [group.key for group in groups]
        pending: dict[int, _Pending] = {}
        # The loops below run once per group and rule (over a million times at 100k files), and
        # allocate: the collector stays paused until the summaries are stored.
        with collector_paused():
            blobs = self.store.summaries({rule.id: rule.digest for rule in self.rules}) if self.reuse else {}
            # Rules reading the same evidence types read the same groups: one list of keys for all.
            read_by: dict[frozenset[str], tuple[list[int], GroupKeys, list[str]]] = {}
            stored_keys = _StoredKeys(self.store)
            for rule in self.rules:
                if rule.types not in read_by:
                    positions = sorted(position for types, positions in by_types.items()
                                       if not types.isdisjoint(rule.types) for position in positions)
                    read_by[rule.types] = (positions, GroupKeys.of([keys[position] for position in positions]),
                                           [digests[position] for position in positions])
                rule.groups, rule.keys, rule_digests = read_by[rule.types]
                old = self._stored(rule, blobs.pop(rule.id, None))
                stale = self._reuse(rule, old, groups, stored_keys, rule_digests)
                del old
                for slot in stale:
                    position = rule.groups[slot]
                    pending.setdefault(position, _Pending(groups[position])).slots.append((rule, slot))
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
                # What is stored of the fresh summaries is built now, one rule at a time: built as
                # they are worked out, it would be held for every rule at once.
                rest = rule.rest
                for slot, summary in rule.summaries.items():
                    if str(slot) not in rest:
                        rest[str(slot)] = rest_of(keys[rule.groups[slot]], summary)
                if rule.keys.digest not in stored_keys.put:
                    self.store.put_summary_keys(rule.keys.digest, rule.keys.json)
                    stored_keys.put.add(rule.keys.digest)
                stored_rule = StoredRule(rule.keys.digest, read_by[rule.types][2], rule.populations, rest)
                self.store.put_summaries([(rule.id, rule.digest, encode(stored_rule))])
                del stored_rule
                rule.rest = {}
                result[rule.id] = rule.combined()
                rule.summaries = {}  # held by the result alone: freed as soon as the rule is combined
        return result

    @staticmethod
    def _reuse(rule: GroupwiseRule, old: StoredRule | None, groups: Sequence[EvidenceGroup],
               stored_keys: _StoredKeys, digests: list[str]) -> list[int]:
        """Take what still holds of the rule's stored summaries; the slots to summarise afresh."""
        count = len(digests)
        afresh = list(range(count))
        slot_of: dict[int, int] | None = None
        if old is None:
            stale = afresh
        elif old.keys == rule.keys.digest:
            # The usual rescan: the same files, a few changed. Whole-list operations, no loop per group.
            if len(old.digests) != count:
                stale = afresh  # damaged
            else:
                stale = [slot for slot, (was, now) in enumerate(zip(old.digests, digests, strict=True)) if was != now]
                rule.populations = list(old.populations)
        else:
            # Files added or removed: match the groups by key, if the stored keys are still kept.
            old_keys = stored_keys.get(old.keys)
            if old_keys is None or len(old_keys) != len(old.digests):
                stale = afresh
            else:
                where = {key: index for index, key in enumerate(old_keys)}
                sources = [where.get(key) for key in rule.keys.keys]
                stale = [slot for slot, source in enumerate(sources)
                         if source is None or old.digests[source] != digests[slot]]
                rule.populations = [0 if source is None else old.populations[source] for source in sources]
                slot_of = {source: slot for slot, source in enumerate(sources) if source is not None}
        if old is None or stale is afresh:
            rule.populations = [0] * count
            return afresh
        fresh = set(stale)
        counted_total = sum(rule.populations) - sum(rule.populations[slot] for slot in stale)
        for text, rest in old.rest.items():
            source = int(text) if text.isdigit() else -1
            slot = (source if source < count else None) if slot_of is None else slot_of.get(source)
            if slot is None or slot < 0 or slot in fresh:
                continue  # a group no longer read, changed, or a damaged entry
            counted_total -= rule.populations[slot]
            summary = _revived(groups[rule.groups[slot]], rule.populations[slot], rest)
            if summary is None:
                stale.append(slot)
                continue
            rule.summaries[slot] = summary
            rule.rest[str(slot)] = rest  # stored again as it was: building it anew costs more
        rule.counted = counted_total
        return sorted(stale)

    @staticmethod
    def _stored(rule: GroupwiseRule, blob: bytes | None) -> StoredRule | None:
        if blob is None:
            return None
        try:
            return decode(blob)
        except (ValueError, TypeError) as exc:
            log.debug("stored summaries of %s are damaged (%s); summarising again", rule.id, exc)
            return None

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
                rule.populations[slot] = summary.population
                if only_counts(summary):
                    rule.counted += summary.population  # one number, not a summary per group, until combined
                else:
                    rule.summaries[slot] = summary


class _StoredKeys:
    """Lists of group keys stored by earlier scans, decoded once each; which were stored in this one."""

    def __init__(self, store: ResultCache) -> None:
        self._store = store
        self._decoded: dict[str, list[str] | None] = {}
        self.put: set[str] = set()

    def get(self, digest: str) -> list[str] | None:
        """None when the list is no longer kept, or damaged: the summaries referring to it are worked out again."""
        if digest not in self._decoded:
            data = self._store.summary_keys(digest)
            try:
                self._decoded[digest] = None if data is None else decode_keys(data)
            except (ValueError, TypeError):
                self._decoded[digest] = None
        return self._decoded[digest]


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


def _revived(group: EvidenceGroup, population: int, rest: object) -> Summary | None:
    """A stored summary that is more than a count; None when it is damaged (it is summarised again)."""
    try:
        if not isinstance(rest, list):
            raise TypeError("not a list")
        return revived(group.key, population, rest, group.sha256)
    except (ValueError, TypeError):
        return None


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
def collector_paused() -> Iterator[None]:
    """Decoding makes millions of short-lived objects, freed by reference counting: a cyclic garbage
    collection every few thousand of them would walk the long-lived summaries again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
