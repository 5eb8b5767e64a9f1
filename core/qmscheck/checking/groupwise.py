"""Rules of :class:`~qmscheck.checking.primitives.base.Groupwise` primitives, evaluated one evidence group at a time.

Each group (one file's items, or a part of a large register's) is decoded, turned into engine
facts and summarised for every rule that reads it; then its items are dropped. Groups are
handed to the engine in batches (many one-document files make one batch), so the engine's
per-call cost and its projection dedupe work as on the whole collection. Memory holds one
batch of items plus the summaries, which keep only what a rule needs: counts, failing items,
keys. The summarising itself (:mod:`qmscheck.checking.summarising`) runs in worker processes when there
is much of it; this module plans what to summarise and makes the findings.

A group whose summary for a rule is stored with the group's current content digest
(:mod:`qmscheck.storage.stored_summaries`) is not decoded for that rule: a rescan decodes the files (or the
parts of a large register) that changed.
"""

from __future__ import annotations

import logging
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import pydantic_core

from qmscheck.checking.engine import Probe
from qmscheck.checking.grading import grade_failures
from qmscheck.checking.packs import LoadedRule
from qmscheck.checking.primitives.base import Groupwise, RuleContext, cite_item
from qmscheck.checking.summarising import Reader, Summariser, summarised
from qmscheck.model.collection import Collection
from qmscheck.model.evidence import EvidenceItem, Organisation
from qmscheck.model.groups import EvidenceGroup
from qmscheck.model.verdicts import Cited, Failure, GroupSummary, Place
from qmscheck.storage.results import ResultCache, StoredFindings
from qmscheck.storage.stored_summaries import (
    DAMAGED_ENTRY,
    CitedGroups,
    RestUpdate,
    SharedList,
    StoredRest,
    StoredRule,
    decode,
    decode_list,
    encode,
    encode_rest,
    group_digest,
    rest_of,
    revived,
    same_summary,
)
from qmscheck.support.executors import Executor
from qmscheck.support.gcpause import collector_paused
from qmscheck.support.tuning import Tuning

log = logging.getLogger(__name__)
_T = TypeVar("_T")
_B = TypeVar("_B")


@dataclass
class GroupwiseRule:
    loaded: LoadedRule
    primitive: Groupwise
    probes: list[Probe]
    #: The rule and the scan's settings (summaries.summary_digest).
    digest: str
    #: What the rule's findings are stored under (results.rule_digest), stored with its summaries.
    results_digest: str = ""
    types: frozenset[str] = field(init=False)
    #: The positions in the collection of the groups read (evidence order); a group's index in
    #: this list is its slot.
    groups: list[int] = field(default_factory=list, init=False)
    #: Per slot, the group's population (filled in for the groups summarised afresh).
    populations: list[int] = field(default_factory=list, init=False)
    #: By slot: the stored summaries that are more than a count, and every summary worked out afresh.
    summaries: dict[int, GroupSummary] = field(default_factory=dict, init=False)
    #: The population of the stored summaries that are only a count, which ``combine`` sees as one.
    counted: int = field(default=0, init=False)
    #: Stored entries reused as they are, by slot as text (summaries.encode_rest).
    rest: dict[str, list[Any]] = field(default_factory=dict, init=False)
    #: The keys of the groups read, and the digests of their content (summaries.group_digest), by slot.
    keys: SharedList = field(default=SharedList([], b"[]", ""), init=False)
    digests: SharedList = field(default=SharedList([], b"[]", ""), init=False)
    #: The slots summarised afresh.
    stale: list[int] = field(default_factory=list, init=False)
    #: What an earlier scan stored of the rule, if it still applies.
    stored: _Stored | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.types = frozenset(t for probe in self.probes for t in probe.types)

    @property
    def id(self) -> str:
        return self.loaded.rule.id

    @property
    def lists(self) -> tuple[str, str]:
        """The digests of the shared lists its stored summaries name: keys, then digests."""
        return self.keys.digest, self.digests.digest

    def combined(self) -> list[GroupSummary]:
        """What ``combine`` reads: the groups that only count as one summary (their population is
        all that a primitive may use of them), then the others in evidence order."""
        found = [self.summaries[slot] for slot in sorted(self.summaries)]
        return [GroupSummary(population=self.counted), *found] if self.counted else found


@dataclass
class _Stored:
    """What an earlier scan stored of a rule besides the rest of its summaries (StoredRule)."""

    findings: str
    cited: CitedGroups
    #: Stored index -> slot, when the groups read are no longer the same (None: they are).
    slot_of: dict[int, int] | None
    #: The stored populations of the slots summarised afresh (when the groups are the same).
    populations: dict[int, int]


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
    #: Processes that summarise groups when there are many (qmscheck.checking.summarising).
    jobs: int = 1
    #: How the work is divided: batch sizes, when to start workers, citations kept decoded.
    tuning: Tuning = field(default_factory=Tuning)
    #: Where groups are summarised when not in this machine's processes: a Dask cluster.
    executor: Executor | None = None
    #: Groups decoded to summarise them, and to find what the findings cite.
    groups_read: int = 0
    groups_summarised: int = 0
    #: Rules whose findings stood: the groups summarised again said what they said before, or the
    #: primitive could tell that what they say now changes none of its failures (still_holds).
    kept: int = 0
    #: Of those, the rules whose findings cite groups that changed but summarise as before: the
    #: findings were brought up to date (the items' new digests) rather than made again.
    refreshed: int = 0

    def findings(self, collection: Collection) -> dict[str, StoredFindings]:
        """Every rule's findings: the groups whose stored summary no longer holds are summarised
        (for all the rules at once), then one rule at a time keeps its stored findings or
        combines its summaries (:meth:`GroupwiseRule.combined`) and grades the failures."""
        if not self.rules:
            return {}
        groups = collection.groups
        digests = [group_digest(group.content) for group in groups]
        by_types: dict[frozenset[str], list[int]] = defaultdict(list)
        for position, group in enumerate(groups):
            by_types[group.types].append(position)
        keys = [group.key for group in groups]
        # The loops below run once per group and rule (over a million times at 100k files), and
        # allocate: the collector stays paused until the findings are made.
        with collector_paused():
            headers = self.store.summaries({rule.id: rule.digest for rule in self.rules}) if self.reuse else {}
            # Rules reading the same groups (those holding the same evidence types) share one list
            # of keys and one of digests.
            read_by: dict[frozenset[frozenset[str]], tuple[list[int], SharedList, SharedList]] = {}
            lists = _StoredLists(self.store)
            pending: dict[int, _Pending] = {}
            for rule in self.rules:
                read = frozenset(types for types in by_types if not types.isdisjoint(rule.types))
                if read not in read_by:
                    positions = sorted(position for types in read for position in by_types[types])
                    read_by[read] = (
                        positions,
                        SharedList.of([keys[position] for position in positions]),
                        SharedList.of([digests[position] for position in positions]),
                    )
                rule.groups, rule.keys, rule.digests = read_by[read]
                rule.stale = self._plan(rule, self._stored(rule, headers.pop(rule.id, None)), lists)
                for slot in rule.stale:
                    position = rule.groups[slot]
                    pending.setdefault(position, _Pending(groups[position])).slots.append((rule, slot))
            self._summarise_all(pending)
            citations = Citations(groups, self.tuning.keep_cited_items)
            found = {rule.id: self._finish(rule, groups, lists, citations) for rule in self.rules}
            self.groups_read += citations.groups_read
        return found

    @staticmethod
    def _plan(rule: GroupwiseRule, old: StoredRule | None, lists: _StoredLists) -> list[int]:
        """Which stored summaries of the rule still hold (the rest is revived later, if at all);
        the slots to summarise afresh."""
        digests = rule.digests.items
        count = len(digests)
        afresh = list(range(count))
        rule.populations = [0] * count
        if old is None:
            return afresh
        slot_of: dict[int, int] | None = None
        if old.keys == rule.keys.digest:
            # The usual rescan: the same files, a few changed. Whole-list operations, no loop per
            # group, and those once for all the rules that read the same groups.
            if len(old.populations) != count:
                return afresh  # damaged
            changed = lists.changed(old.digests, rule.digests)
            if changed is None:
                return afresh
            stale = list(changed)
            rule.populations = list(old.populations)
        else:
            # Files added or removed: match the groups by key, if the stored keys are still kept.
            old_keys, old_digests = lists.get(old.keys), lists.get(old.digests)
            if old_keys is None or old_digests is None or not len(old_keys) == len(old_digests) == len(old.populations):
                return afresh
            where = {key: index for index, key in enumerate(old_keys)}
            sources = [where.get(key) for key in rule.keys.items]
            stale = [
                slot for slot, source in enumerate(sources) if source is None or old_digests[source] != digests[slot]
            ]
            rule.populations = [0 if source is None else old.populations[source] for source in sources]
            slot_of = {source: slot for slot, source in enumerate(sources) if source is not None}
        was = {slot: rule.populations[slot] for slot in stale} if slot_of is None else {}
        rule.stored = _Stored(old.findings, old.cited, slot_of, was)
        return stale

    def _finish(
        self, rule: GroupwiseRule, groups: Sequence[EvidenceGroup], lists: _StoredLists, citations: Citations
    ) -> StoredFindings:
        """The rule's findings, and what is stored of it for the next scan."""
        stored = rule.stored
        rest = None if stored is None else self._stored_rest(rule)
        if stored is not None and rest is None:
            # The stored summaries cannot be used after all: summarise the other groups too.
            stale = set(rule.stale)
            self._summarise_slots(rule, [slot for slot in range(len(rule.groups)) if slot not in stale], groups)
        elif stored is not None and rest is not None:
            kept = self._kept_findings(rule, stored, rest, groups, lists, citations)
            if kept is not None:
                return kept
            self._revive(rule, stored, rest.all(), groups)
        del rest
        # What is stored of the fresh summaries is written now, one rule at a time, an entry at a
        # time: built as they are worked out, it would be held for every rule at once. Stored before
        # combining, with the header to come: a 100k-document rule's rest is 20 MB of JSON, which
        # need not be held while combine builds its own tables. (Without its header, it reads as
        # damaged: were the scan to stop in between, the next would summarise again.)
        entries = (
            (slot, rule.rest.get(str(slot)) or rest_of(groups[rule.groups[slot]].key, summary))
            for slot, summary in sorted(rule.summaries.items())
        )
        self.store.put_summaries(rule.id, rule.digest, rule.lists, b"", (encode_rest(entries), b""))
        rule.rest = {}
        summaries = rule.combined()
        rule.summaries = {}  # held by `summaries` alone: freed as soon as the rule is graded
        context = RuleContext(
            rule=rule.loaded.rule, as_of=self.as_of, organisation=self.organisation, resolve=citations.cited
        )
        failures = rule.primitive.combine(context, summaries)
        population = sum(summary.population for summary in summaries)
        del summaries
        findings = grade_failures(
            rule.loaded.rule, rule.loaded.pack, failures, population, sites=self.organisation.sites
        )
        self._store(rule, lists, _cited(rule, failures, groups), None)
        return StoredFindings.of(findings)

    def _kept_findings(
        self,
        rule: GroupwiseRule,
        stored: _Stored,
        rest: StoredRest,
        groups: Sequence[EvidenceGroup],
        lists: _StoredLists,
        citations: Citations,
    ) -> StoredFindings | None:
        """The stored findings, if they stand (and the summaries stored for them); else None. They
        stand when the same groups are read and the groups summarised afresh say what they said,
        or say something the primitive can tell changes nothing. A changed group the findings cite
        is cited anew (its items' digests) when it summarises as before; otherwise it must be
        unchanged."""
        if stored.slot_of is not None:
            return None
        changed = self._changed_citations(rule, stored, groups)
        if changed is None:
            return None
        same = self._same_summaries(rule, stored, rest, groups)
        if not same and (changed or not self._still_holds(rule, stored, rest, groups)):
            return None
        kept = self.store.findings_of(rule.id, stored.findings)
        cited = stored.cited
        if kept is not None and changed:
            refreshed = _refreshed(rule, kept, cited, changed, groups, citations)
            if refreshed is None:
                return None
            kept, cited = refreshed
            self.refreshed += 1
        if kept is not None:
            self.kept += 1
            self._store(rule, lists, cited, None if same else self._updated(rule, rest, groups))
        return kept

    def _stored_rest(self, rule: GroupwiseRule) -> StoredRest | None:
        stored = self.store.summary_rest(rule.id, rule.digest)
        return _decoded(rule, stored, lambda blobs: StoredRest(*blobs))

    @staticmethod
    def _changed_citations(rule: GroupwiseRule, stored: _Stored, groups: Sequence[EvidenceGroup]) -> list[str] | None:
        """The slots (as text) of the groups the stored findings cite whose digest changed (a part of
        a large register may keep its content while its file, whose digest every item carries,
        changed); None when it cannot be told (an item cited from no group, a group no longer read)."""
        changed = []
        for text, (digest, _) in stored.cited.items():
            slot = int(text) if text.isdigit() else -1
            if not 0 <= slot < len(rule.groups):
                return None
            if group_digest(groups[rule.groups[slot]].digest) != digest:
                changed.append(text)
        return changed

    @staticmethod
    def _same_summaries(
        rule: GroupwiseRule, stored: _Stored, rest: StoredRest, groups: Sequence[EvidenceGroup]
    ) -> bool:
        """Whether the groups summarised afresh say what they said: then the findings stand."""
        for slot in rule.stale:
            if rule.populations[slot] != stored.populations[slot]:
                return False
            if not same_summary(groups[rule.groups[slot]].key, rule.summaries.get(slot), rest.get(str(slot))):
                return False
        return True

    def _still_holds(
        self, rule: GroupwiseRule, stored: _Stored, stored_rest: StoredRest, groups: Sequence[EvidenceGroup]
    ) -> bool:
        """Whether the primitive tells, from the changed groups' old and new summaries and the data
        of the others, that its failures are the same (Groupwise.still_holds)."""
        if sum(stored.populations.values()) != sum(rule.populations[slot] for slot in rule.stale):
            return False  # the rule's population is part of its grading
        try:
            removed = [
                GroupSummary(population=stored.populations[slot])
                if (entry := stored_rest.get(str(slot))) is None
                else revived(groups[rule.groups[slot]].key, stored.populations[slot], entry)
                for slot in rule.stale
            ]
            # Every other group's data: what a changed group's is weighed against.
            others = stored_rest.entries_except(set(rule.stale))
            if DAMAGED_ENTRY in others:
                return False  # damaged: combined again, where damage is mended
            kept = [entry[1] for entry in others if entry[1]]
        except (ValueError, TypeError, IndexError, KeyError):
            return False
        added = [rule.summaries.get(slot) or GroupSummary(population=rule.populations[slot]) for slot in rule.stale]
        context = RuleContext(
            rule=rule.loaded.rule, as_of=self.as_of, organisation=self.organisation, resolve=_no_citations
        )
        return rule.primitive.still_holds(context, kept, removed, added)

    @staticmethod
    def _updated(rule: GroupwiseRule, rest: StoredRest, groups: Sequence[EvidenceGroup]) -> RestUpdate:
        """The stored rest with the groups summarised afresh in place of what they said."""
        changed = {
            slot: None
            if (summary := rule.summaries.get(slot)) is None
            else rest_of(groups[rule.groups[slot]].key, summary)
            for slot in rule.stale
        }
        rule.summaries = {}
        return rest.with_entries(changed)

    def _revive(
        self, rule: GroupwiseRule, stored: _Stored, rest: dict[str, list[Any]], groups: Sequence[EvidenceGroup]
    ) -> None:
        """Take the stored summaries that still hold and are more than a count; a damaged one is
        summarised afresh."""
        count = len(rule.groups)
        fresh = set(rule.stale)
        # The groups only counted: every group not summarised afresh, but for those revived below.
        counted = sum(rule.populations) - sum(rule.populations[slot] for slot in rule.stale)
        damaged: list[int] = []
        for text, entry in rest.items():
            source = int(text) if text.isdigit() else -1
            slot = (source if source < count else None) if stored.slot_of is None else stored.slot_of.get(source)
            if slot is None or slot < 0 or slot in fresh:
                continue  # a group no longer read, changed, or a damaged entry
            counted -= rule.populations[slot]
            summary = _revived(groups[rule.groups[slot]], rule.populations[slot], entry)
            if summary is None:
                damaged.append(slot)
                continue
            rule.summaries[slot] = summary
            rule.rest[str(slot)] = entry  # stored again as it was: building it anew costs more
        rule.counted += counted
        self._summarise_slots(rule, damaged, groups)

    def _store(self, rule: GroupwiseRule, lists: _StoredLists, cited: CitedGroups, rest: RestUpdate | None) -> None:
        """Store the rule's summaries with its findings' digest; ``rest`` None: it is as stored."""
        lists.put(rule.keys)
        lists.put(rule.digests)
        header = StoredRule(rule.keys.digest, rule.digests.digest, rule.populations, rule.results_digest, cited)
        self.store.put_summaries(rule.id, rule.digest, rule.lists, encode(header), rest)

    @staticmethod
    def _stored(rule: GroupwiseRule, blob: bytes | None) -> StoredRule | None:
        return _decoded(rule, blob, decode)

    def _summarise_slots(self, rule: GroupwiseRule, slots: list[int], groups: Sequence[EvidenceGroup]) -> None:
        self._summarise_all({rule.groups[slot]: _Pending(groups[rule.groups[slot]], [(rule, slot)]) for slot in slots})

    def _summarise_all(self, pending: dict[int, _Pending]) -> None:
        """Summarise the pending groups in evidence order (qmscheck.checking.summarising)."""
        if not pending:
            return
        waiting = [pending.pop(position) for position in sorted(pending)]
        readers = tuple(Reader(rule.loaded.rule, rule.primitive, tuple(rule.probes)) for rule in self.rules)
        reader_of = {id(rule): at for at, rule in enumerate(self.rules)}
        work = [(group.group, [reader_of[id(rule)] for rule, _ in group.slots]) for group in waiting]
        found = summarised(
            Summariser(readers, self.as_of, self.organisation), work, self.jobs, self.tuning, self.executor
        )
        for group, summaries in zip(waiting, found, strict=True):
            for (rule, slot), summary in zip(group.slots, summaries, strict=True):
                if isinstance(summary, int):
                    rule.populations[slot] = summary
                    rule.counted += summary  # one number, not a summary per group, until combined
                else:
                    rule.populations[slot] = summary.population
                    rule.summaries[slot] = summary
        self.groups_read += len(waiting)
        self.groups_summarised += len(waiting)


class _StoredLists:
    """Lists of group keys and digests stored by earlier scans, decoded once each; which were
    stored in this one; and what changed between a stored list of digests and the current one."""

    def __init__(self, store: ResultCache) -> None:
        self._store = store
        self._decoded: dict[str, list[str] | None] = {}
        self._changed: dict[tuple[str, str], list[int] | None] = {}
        self._put: set[str] = set()

    def get(self, digest: str) -> list[str] | None:
        """None when the list is no longer kept, or damaged: the summaries naming it are worked out again."""
        if digest not in self._decoded:
            data = self._store.summary_list(digest)
            try:
                self._decoded[digest] = None if data is None else decode_list(data)
            except (ValueError, TypeError):
                self._decoded[digest] = None
        return self._decoded[digest]

    def changed(self, stored: str, current: SharedList) -> list[int] | None:
        """The indices at which the stored list of digests differs from the current one (of the same
        length); None when it is gone, damaged or of another length."""
        pair = (stored, current.digest)
        if pair not in self._changed:
            if stored == current.digest:
                self._changed[pair] = []
            else:
                was = self.get(stored)
                now = current.items
                self._changed[pair] = (
                    None
                    if was is None or len(was) != len(now)
                    else [index for index, (old, new) in enumerate(zip(was, now, strict=True)) if old != new]
                )
        return self._changed[pair]

    def put(self, shared: SharedList) -> None:
        if shared.digest not in self._put:
            self._store.put_summary_list(shared.digest, shared.json)
            self._put.add(shared.digest)


class Citations:
    """Finds placed items again when a rule's failures cite them, decoding their group. Failures
    cite few items, mostly from few groups: the last groups decoded are kept, up to ``keep_items``
    items (``Tuning.keep_cited_items``)."""

    def __init__(self, groups: Sequence[EvidenceGroup], keep_items: int) -> None:
        self._keep_items = keep_items
        self._groups = {group.key: group for group in groups}
        self._decoded: OrderedDict[str, list[EvidenceItem]] = OrderedDict()
        self._kept = 0
        self.groups_read = 0

    def cited(self, place: Place) -> Cited:
        items = self._decoded.get(place.group)
        if items is None:
            group = self._groups.get(place.group)
            if group is None:
                raise LookupError(f"no evidence group {place.group}")
            alone = group.item(place.position)
            if alone is not None:  # a part of a large register: the row alone is decoded
                return cite_item(place.group, place.position, alone)
            items = self._decoded[place.group] = group.decoded()
            self._kept += len(items)
            self.groups_read += 1
            while self._kept > self._keep_items and len(self._decoded) > 1:
                self._kept -= len(self._decoded.popitem(last=False)[1])
        else:
            self._decoded.move_to_end(place.group)
        return cite_item(place.group, place.position, items[place.position])


def _cited(rule: GroupwiseRule, failures: list[Failure], groups: Sequence[EvidenceGroup]) -> CitedGroups:
    """By slot as text, each group the failures cite: its digest (what ``_changed_citations``
    checks) and the places and ids of the items cited from it (what ``_refreshed`` cites anew)."""
    by_group: dict[str | None, set[tuple[int, str]]] = defaultdict(set)
    for failure in failures:
        for item in failure.items:
            if isinstance(item, Cited):
                by_group[item.group].add((item.position, item.id))
            else:
                by_group[None].add((0, item.id))
    if not by_group:
        return {}
    if None in by_group:  # an item not placed in a group: nothing tells whether it changed
        return {"unplaced": ["", []]}
    found = {
        str(slot): [group_digest(groups[rule.groups[slot]].digest), sorted(by_group[key])]
        for slot, key in enumerate(rule.keys.items)
        if key in by_group
    }
    return found if len(found) == len(by_group) else {"unplaced": ["", []]}


def _refreshed(
    rule: GroupwiseRule,
    kept: StoredFindings,
    cited: CitedGroups,
    changed: list[str],
    groups: Sequence[EvidenceGroup],
    citations: Citations,
) -> tuple[StoredFindings, CitedGroups] | None:
    """The stored findings citing the ``changed`` groups' items anew, with what is stored of the
    groups they cite; None when an item cited no longer reads as it did (another id, locator or
    label: the findings are made again).

    The groups summarise as before, so the rule fails the same items for the same reasons: only
    what each cited item carries of its file may differ, which is its digest. A part of a large
    register whose rows are as they were (not summarised afresh) holds the items it held, now
    carrying the file's new digest, and is not decoded; an item of any other changed group is
    read again (one row of a register's part, or a small file)."""
    afresh = set(rule.stale)
    digest_of: dict[str, str | None] = {}
    now: dict[str, Cited] = {}
    updated = dict(cited)
    try:
        for text in changed:
            slot = int(text)
            group = groups[rule.groups[slot]]
            places = [(int(position), str(item_id)) for position, item_id in cited[text][1]]
            if slot not in afresh and group.sha256 is not None:
                digest_of.update((item_id, group.sha256) for _, item_id in places)
            else:
                for position, item_id in places:
                    item = citations.cited(Place(group.key, position))
                    if item.id != item_id:
                        return None
                    now[item_id] = item
            updated[text] = [group_digest(group.digest), cited[text][1]]
    except (ValueError, TypeError, IndexError, LookupError):
        return None  # damaged, or the item is gone: made again
    for item_id, item in now.items():
        digest_of[item_id] = item.sha256
    # As JSON, not as models: copying thousands of findings as models costs more than making them again.
    findings = pydantic_core.from_json(kept.json())
    for finding in findings:
        for ref in finding["evidence"]:
            if ref["id"] not in digest_of:
                continue
            read = now.get(ref["id"])
            if read is not None and (read.locator, read.label) != (ref["locator"], ref["label"]):
                return None
            ref["sha256"] = digest_of[ref["id"]]
    return StoredFindings.of_json(pydantic_core.to_json(findings)), updated


def _decoded(rule: GroupwiseRule, blob: _B | None, decoder: Callable[[_B], _T]) -> _T | None:
    """What a rule's stored blob decodes to; None when there is none, or it is damaged (the groups
    it covered are then summarised again)."""
    if blob is None:
        return None
    try:
        return decoder(blob)
    except (ValueError, TypeError) as exc:
        log.debug("stored summaries of %s are damaged (%s); summarising again", rule.id, exc)
        return None


def _no_citations(place: Place) -> Cited:
    raise LookupError("still_holds may not cite items: it answers whether combine would fail them")


def _revived(group: EvidenceGroup, population: int, rest: object) -> GroupSummary | None:
    """A stored summary that is more than a count; None when it is damaged (it is summarised again)."""
    try:
        if not isinstance(rest, list):
            raise TypeError("not a list")
        return revived(group.key, population, rest, group.sha256)
    except (ValueError, TypeError):
        return None
