"""Rules of :class:`~qmscheck.checks.base.Groupwise` primitives, evaluated one evidence group at a time.

Each group (one file's items) is decoded, turned into engine facts and summarised for every
rule that reads it; then its items are dropped. Groups are handed to the engine in batches
(many one-document files make one batch), so the engine's per-call cost and its projection
dedupe work as on the whole collection. Memory holds one batch of items plus the summaries,
which keep only what a rule needs: counts, failing items, keys.

A group whose summaries for a rule are stored under the same digest (:mod:`qmscheck.summaries`)
is not decoded at all: a rescan decodes the files that changed.
"""

from __future__ import annotations

import gc
import logging
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from qmscheck.checks.base import CheckContext, Groupwise, Summary, positions_of
from qmscheck.collect import Collection
from qmscheck.engine import Probe, evaluate
from qmscheck.evidence import Organisation
from qmscheck.facts import to_fact
from qmscheck.groups import EvidenceGroup
from qmscheck.results import ResultCache
from qmscheck.rulepack import LoadedRule
from qmscheck.summaries import StoredSummaries, decode, encode, revived, stored

log = logging.getLogger(__name__)

#: Items decoded at once: enough small files that the engine sees thousands of facts per call.
BATCH_ITEMS = 20_000


@dataclass
class GroupwiseRule:
    loaded: LoadedRule
    primitive: Groupwise
    probes: list[Probe]
    #: The rule and the scan's settings (summaries.summary_digest).
    digest: str
    types: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.types = frozenset(t for probe in self.probes for t in probe.types)


@dataclass
class _Pending:
    """A group to decode, the rules it must be summarised for, and what is stored of it already."""

    index: int
    group: EvidenceGroup
    offset: int
    rules: list[GroupwiseRule]
    known: StoredSummaries


@dataclass
class GroupwiseRun:
    rules: list[GroupwiseRule]
    as_of: date
    organisation: Organisation
    store: ResultCache
    #: False: summaries stored by earlier scans are not read (--full).
    reuse: bool = True
    #: Per group (collection order), per rule id: its summary.
    _summaries: list[dict[str, Summary]] = field(default_factory=list)
    groups_read: int = 0

    def summaries(self, collection: Collection) -> dict[str, list[Summary]]:
        """Every rule's summaries, in evidence order."""
        groups = collection.groups
        self._summaries = [{} for _ in groups]
        if not self.rules:
            return {}
        saved = self.store.summaries() if self.reuse else {}
        batch: list[_Pending] = []
        batch_items = 0
        offset = 0
        with _collector_paused():
            for index, group in enumerate(groups):
                readers = [rule for rule in self.rules if group.reads(rule.types)]
                if readers:
                    known = self._stored(group, offset, saved)
                    missing = []
                    for rule in readers:
                        summary = _revived(known.get(rule.digest))
                        if summary is None:
                            missing.append(rule)
                        else:
                            self._summaries[index][rule.loaded.rule.id] = summary
                    if missing:
                        batch.append(_Pending(index, group, offset, missing, known))
                        batch_items += group.count
                        if batch_items >= BATCH_ITEMS:
                            self._summarise(batch)
                            batch, batch_items = [], 0
                offset += group.count
            self._summarise(batch)
        self.store.keep_summaries_of(group.key for group in groups)
        return {
            rule.loaded.rule.id: [found[rule.loaded.rule.id] for found in self._summaries
                                  if rule.loaded.rule.id in found]
            for rule in self.rules
        }

    @staticmethod
    def _stored(group: EvidenceGroup, offset: int, saved: dict[str, tuple[str, bytes]]) -> StoredSummaries:
        row = saved.get(group.key)
        if row is None or row[0] != group.digest:
            return {}
        try:
            return decode(row[1], offset)
        except (zlib.error, ValueError, TypeError) as exc:
            log.debug("stored summaries of %s are damaged (%s); summarising again", group.key, exc)
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
        wanted = {rule.loaded.rule.id: rule for pending in batch for rule in pending.rules}
        probes = [probe for rule in wanted.values() for probe in rule.probes]
        local = _split(evaluate(probes, facts), starts, len(facts))
        rows = []
        for slot, (pending, items) in enumerate(zip(batch, decoded, strict=True)):
            start = starts[slot]
            group_facts = facts[start : start + len(items)]
            positions = positions_of(items)
            indices = {key: found[slot] for key, found in local.items()}
            summaries = dict(pending.known)
            for rule in pending.rules:
                ctx = CheckContext(
                    rule=rule.loaded.rule, as_of=self.as_of, organisation=self.organisation, items=items,
                    facts=group_facts, positions=positions, offset=pending.offset, indices=indices,
                )
                summary = rule.primitive.summary(ctx)
                self._summaries[pending.index][rule.loaded.rule.id] = summary
                summaries[rule.digest] = stored(summary)
            rows.append((pending.group.key, pending.group.digest, encode(summaries, pending.offset)))
        self.store.put_summaries(rows)


def _revived(entry: list[Any] | None) -> Summary | None:
    if entry is None:
        return None
    try:
        return revived(entry)
    except (ValueError, TypeError):
        return None  # damaged: summarised again


def _split(matches: dict[str, set[str]], starts: Sequence[int], total: int) -> dict[str, list[list[int]]]:
    """Engine matches (fact ids over the batch) -> per probe, per group, sorted indices into the group."""
    owner: list[int] = []
    for slot, start in enumerate(starts):
        end = starts[slot + 1] if slot + 1 < len(starts) else total
        owner.extend([slot] * (end - start))
    result: dict[str, list[list[int]]] = {}
    for key, ids in matches.items():
        per_group: list[list[int]] = [[] for _ in starts]
        for index in sorted(int(fact_id[1:]) for fact_id in ids):
            slot = owner[index]
            per_group[slot].append(index - starts[slot])
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
