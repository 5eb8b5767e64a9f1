"""Summarising evidence groups for groupwise rules: decode a batch of groups, turn the items into
engine facts, run the rules' probes over them at once, and let each rule's primitive summarise
each group it reads.

Summarising is most of what a full scan's check stage does, and each batch is independent of
the others: with ``jobs`` > 1 and enough items to make it worth starting processes
(``Tuning.parallel_items``), batches of about ``Tuning.batch_items`` items are
summarised in worker processes, or by a Dask cluster's workers (:mod:`qmscheck.support.executors`).
The groups travel to them still compressed, the rules once per
process, and only the summaries come back; the results do not depend on where a batch ran.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from qmscheck import vocabulary
from qmscheck.checking.engine import Probe, evaluate, probes_by_type
from qmscheck.checking.facts import FactKeys, WholeFacts, read_fact, to_fact
from qmscheck.checking.primitives.base import CheckContext, Groupwise, positions_of
from qmscheck.checking.projection import read_keys
from qmscheck.checking.rule_model import Rule
from qmscheck.model.evidence import Kind, Organisation
from qmscheck.model.evidence_types import pack_labels, pack_types, use_pack_types
from qmscheck.model.groups import PART_MARK, EvidenceGroup
from qmscheck.model.verdicts import GroupSummary
from qmscheck.storage.stored_summaries import only_counts
from qmscheck.support.executors import Executor, LocalExecutor, Setup
from qmscheck.support.gcpause import collector_paused
from qmscheck.support.tuning import Tuning

log = logging.getLogger(__name__)

#: A group, and the readers (by index) that summarise it.
Batch = list[tuple[EvidenceGroup, list[int]]]
#: Per group of a batch, per reader named: its summary, or only its population (the summary was
#: nothing more, and an int pickles and stores cheaper).
Summaries = list[list[GroupSummary | int]]


@dataclass(frozen=True)
class Reader:
    """What summarising a group for one rule takes."""

    rule: Rule
    primitive: Groupwise
    probes: tuple[Probe, ...]


@dataclass(frozen=True)
class Summariser:
    readers: tuple[Reader, ...]
    as_of: date
    organisation: Organisation

    def summarise(self, batch: Batch) -> Summaries:
        decoded = [group.decoded() for group, _ in batch]
        wanted = sorted({reader for _, readers in batch for reader in readers})
        probes = [probe for reader in wanted for probe in self.readers[reader].probes]
        reads = _reads_by_type(probes)
        unread = FactKeys.of(())
        starts: list[int] = []
        facts: list[dict[str, Any]] = []
        for items in decoded:
            start = len(facts)
            starts.append(start)
            for offset, item in enumerate(items):
                keys = reads.get(item.type, unread)
                facts.append(to_fact(start + offset, item) if keys is None else read_fact(start + offset, item, keys))
        local = _split(evaluate(probes, facts), starts, len(facts))
        result: Summaries = []
        for position, ((group, readers), items) in enumerate(zip(batch, decoded, strict=True)):
            group_facts = WholeFacts(items)
            positions = positions_of(items)
            indices = {key: found[position] for key, found in local.items()}
            summaries: list[GroupSummary | int] = []
            for reader in readers:
                rule = self.readers[reader].rule
                ctx = CheckContext(
                    rule=rule,
                    as_of=self.as_of,
                    organisation=self.organisation,
                    items=items,
                    facts=group_facts,
                    positions=positions,
                    group=group.key,
                    indices=indices,
                )
                summary = self.readers[reader].primitive.summary(ctx)
                summaries.append(summary.population if only_counts(summary) else summary)
            result.append(summaries)
        return result


def summarised(
    summariser: Summariser,
    work: Sequence[tuple[EvidenceGroup, list[int]]],
    jobs: int,
    tuning: Tuning,
    executor: Executor | None = None,
) -> Iterator[list[GroupSummary | int]]:
    """For each group of ``work`` (a group and the readers that summarise it) in order, its summaries:
    when there is enough to do, by ``executor`` (a Dask cluster), else in ``jobs`` worker processes."""
    batches = list(_batches(work, tuning.batch_items))
    items = sum(group.count for group, _ in work)
    executor = executor or LocalExecutor(jobs)
    parallel = executor.jobs > 1 and items >= tuning.parallel_items and len(batches) >= 2
    pickled = _pickled(summariser) if parallel else None
    if pickled is None:
        for batch in batches:
            yield from summariser.summarise(batch)
        return
    words = (vocabulary.extra_files(), dict(pack_types()), dict(pack_labels()))
    setup = Setup(_adopt, (pickled, words))
    for results in executor.map(_summarise_task, _tasks(batches), executor.jobs * 2, setup=setup):
        for found in results:
            yield from found


def _pickled(summariser: Summariser) -> bytes | None:
    """The summariser as every worker gets it (pickled once for all); None when the rules and their
    primitives cannot be sent to workers (a plugin's primitive holding a lambda or an open file),
    and are then summarised in this process."""
    try:
        return pickle.dumps(summariser)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        log.warning("summarising in one process: a rule's check primitive cannot be sent to worker processes (%s)", exc)
        return None


def _reads_by_type(probes: Sequence[Probe]) -> dict[str, FactKeys | None]:
    """Per evidence type, the fact keys its probes can read; None (whole facts) when unsure."""
    result: dict[str, FactKeys | None] = {}
    for evidence_type, typed in probes_by_type(probes).items():
        keys = read_keys(probe.expression for probe in typed)
        result[evidence_type] = None if keys is None else FactKeys.of(keys)
    return result


def _batches(work: Iterable[tuple[EvidenceGroup, list[int]]], batch_items: int) -> Iterator[Batch]:
    """Groups of at most about ``batch_items`` items; a large register's parts are batched apart from
    other files' groups (see _tasks)."""
    batch: Batch = []
    items = 0
    for group, readers in work:
        if batch and (items >= batch_items or _register_of(group) != _register_of(batch[-1][0])):
            yield batch
            batch, items = [], 0
        batch.append((group, readers))
        items += group.count
    if batch:
        yield batch


def _tasks(batches: Iterable[Batch]) -> Iterator[list[Batch]]:
    """The batches, those of one large register's parts together: its parts share one compressed
    payload, which then travels to a worker once, and the worker splits it into rows once."""
    task: list[Batch] = []
    for batch in batches:
        register = _register_of(batch[0][0])
        if task and (register is None or register != _register_of(task[-1][0][0])):
            yield task
            task = []
        task.append(batch)
    if task:
        yield task


def _register_of(group: EvidenceGroup) -> str | None:
    """The file a group is a part of; None for a file's only group."""
    key, mark, _ = group.key.partition(PART_MARK)
    return key if mark else None


_adopted: Summariser | None = None


def _adopt(
    pickled: bytes,
    words: tuple[Sequence[vocabulary.VocabularyFile], Mapping[str, Kind], Mapping[str, Sequence[str]]],
) -> None:
    """A worker's initializer: the summariser every task of the scan uses, and the words and
    evidence types in use here (a selected pack's topics are found, and its items named, in a
    worker as in this process)."""
    global _adopted
    files, types, labels = words
    vocabulary.use(files)
    use_pack_types(types, labels)
    _adopted = pickle.loads(pickled)


def _summarise_task(task: list[Batch]) -> list[Summaries]:
    assert _adopted is not None, "a summarising worker is started with its summariser"
    with collector_paused():  # as in the parent: summarising allocates millions of objects, no cycles
        return [_adopted.summarise(batch) for batch in task]


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
