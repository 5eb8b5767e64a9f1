"""The adapter between compiled rule conditions and the durable-rules engine.

The engine does per-item matching only: which facts satisfy which probe. Joins, counts and
absence are done by the check primitives with dicts and sets around it, because inside the
engine they grow as N². It is driven through its C core (``durable_rules_engine``)
directly: qmscheck needs only to know which facts matched which probe, so no Python action
runs and no host is created. Each sharp edge of the engine
(``shared/durable-rules-notes.md``) is handled here:

- the C core keeps one stored fact per 32-bit FNV-1a hash of its id within a session and
  drops a second fact with the same hash (status 2). The facts of one batch are asserted
  under ids of the adapter's own (:data:`ENGINE_IDS`), chosen so that no two of them, nor
  the session's state object, share a hash; a match is mapped back to the caller's fact by
  its position in the batch. Every status other than "handled" raises :class:`EngineError`,
  so a dropped fact can never pass unnoticed;
- a fact matching no rule makes its batch "not handled" -> every ruleset has a catch-all rule;
- the host's background timer threads crashed the interpreter -> no host, no thread; matches
  are read synchronously after each batch;
- exceptions in actions are swallowed, two-parameter actions turn asynchronous -> there are
  no Python actions: the adapter reads the pending matches and completes them itself; any
  error the C core reports is raised as :class:`EngineError`;
- the engine's own state object is matched like a fact, and a negative condition on it
  looped forever when actions updated the state -> every probe is guarded by the type;
- untyped comparisons -> facts are typed by key prefix (:mod:`qmscheck.checking.facts`);
- at most 64 rules per fact, ~512 rules per ruleset, 1024 sessions per ruleset -> probes are
  partitioned by evidence type into rulesets of at most :data:`PROBES_PER_RULESET`; one
  session id, whose state is deleted after every batch so memory stays flat;
- a ruleset holds memory until it is deleted, and compiled conditions name the scan date ->
  rulesets are named by the hash of their definition and reused, and at most
  :data:`MAX_RULESETS` are kept: the least recently used one is deleted, so a long-running
  process scanning as of many dates holds a bounded number of them.

Register rows are often identical as far as the probes can tell. So each ruleset is given one
fact per distinct *projection*: the fact reduced to the keys its expressions can read
(:mod:`qmscheck.checking.projection`); a match is mapped back to every fact with that
projection. This is sound because a rule here judges one fact by the keys it names and
nothing else (no joins, no state, no condition on the id); any construct the projection does
not recognise makes that ruleset take whole facts. So do facts that are nearly all distinct,
where projecting would cost more than it saves.

Most selections test nothing but the type ("every training record"). Such a probe matches
every fact of its type or none, so it is answered here without the engine.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from qmscheck.checking import pyeval_compat
from qmscheck.checking.facts import FACT_MARK, TYPE_KEY
from qmscheck.checking.projection import ID_KEY, Distinct, distinct, read_keys, reads_key, type_verdict
from qmscheck.errors import QmscheckError

PROBES_PER_RULESET = 40
BATCH_SIZE = 1000
#: Rulesets kept registered in the C core: each holds its own memory until it is deleted.
MAX_RULESETS = 64
#: Facts are deduplicated only when this many of the first ones share a projection on
#: average: projecting a fact costs a fair share of asserting it to a small ruleset, so facts
#: that are nearly all distinct go to the engine whole, as the cheaper way.
DEDUPE_MIN_SHARE = 2
DEDUPE_SAMPLE = 4 * BATCH_SIZE

#: The key the engine reads a fact's session from; facts carrying it would leave the session
#: the adapter deletes after each batch.
SESSION_KEY = "sid"
SESSION = "0"
#: The id the C core gives the session's state object, stored beside the facts of a batch.
STATE_ID = f"sid-{SESSION}"


class EngineError(QmscheckError):
    pass


@dataclass(frozen=True)
class Probe:
    """A named per-item condition: which facts of these types satisfy ``expression``."""

    key: str
    types: tuple[str, ...]
    expression: dict[str, Any]


def fact_hash(fact_id: str) -> int:
    """The 32-bit FNV-1a hash of an id, by which the C core tells the facts of a session apart."""
    value = 0x811C9DC5
    for byte in fact_id.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def _engine_ids(count: int) -> tuple[str, ...]:
    """``count`` ids ``e<n>`` whose hashes differ from each other's and from the state object's."""
    taken = {fact_hash(STATE_ID)}
    ids: list[str] = []
    number = 0
    while len(ids) < count:
        candidate = f"e{number}"
        value = fact_hash(candidate)
        if value not in taken:
            taken.add(value)
            ids.append(candidate)
        number += 1
    return tuple(ids)


#: The id of the fact at each position of a batch, as the engine is given it.
ENGINE_IDS = _engine_ids(BATCH_SIZE)
_POSITION = {engine_id: position for position, engine_id in enumerate(ENGINE_IDS)}

# The statuses the C core returns for a batch (rules.h); any other one raises in the core.
_HANDLED = 0
_STATUS_ERRORS = {
    1: "the rule engine did not handle a fact of a batch (not even its catch-all rule matched)",
    2: "the rule engine dropped a fact of a batch: another fact of its session had an id with the same hash",
    3: "the rule engine deferred a batch of facts to a message queue, which qmscheck never sets up",
}


def core() -> Any:
    """durable-rules' C core module, imported after what it needs on this Python (:mod:`.pyeval_compat`)."""
    try:
        pyeval_compat.load()
        import durable_rules_engine
    except ImportError as exc:  # pragma: no cover - depends on the interpreter
        raise EngineError(
            "the durable-rules engine could not be imported "
            f"({exc}); qmscheck needs Python 3.11, 3.12 or 3.13 with a C compiler to build durable-rules"
        ) from exc
    return durable_rules_engine


CATCH_ALL = "catch_all"
# The engine echoes a fact as it was asserted, and facts are built with their id first:
# reading the rule name and the id off the front is much cheaper than parsing the JSON.
_MATCH = re.compile(r'^\{"(\w+)":\{"m":\{"id": ?"(e\d+)"')


def _match_of(message: str) -> tuple[str, str]:
    found = _MATCH.match(message)
    if found:
        return found[1], found[2]
    ((rule_name, matched),) = json.loads(message).items()
    return str(rule_name), str(matched["m"]["id"])


@dataclass(frozen=True)
class _Ruleset:
    name: str
    handle: int
    rule_keys: dict[str, str]  # rule name -> probe key


class _Engine:
    """Rulesets registered in the engine's C core for this process, driven synchronously."""

    def __init__(self) -> None:
        self._core = core()
        self._rulesets: OrderedDict[str, _Ruleset] = OrderedDict()
        self._lock = threading.Lock()

    def _ruleset(self, evidence_type: str, probes: Sequence[Probe]) -> _Ruleset:
        conditions = [[{"m": {"$and": [{TYPE_KEY: evidence_type}, probe.expression]}}] for probe in probes]
        keyed = [[probe.key, condition] for probe, condition in zip(probes, conditions, strict=True)]
        name = "qms_" + hashlib.sha256(json.dumps(keyed, sort_keys=True).encode()).hexdigest()[:24]
        found = self._rulesets.get(name)
        if found is not None:
            self._rulesets.move_to_end(name)
            return found
        definition: dict[str, Any] = {f"p{i}": {"all": condition} for i, condition in enumerate(conditions)}
        definition[CATCH_ALL] = {"all": [{"m": {"$ex": {FACT_MARK: 1}}}]}
        try:
            handle = self._core.create_ruleset(name, json.dumps(definition))
        except Exception as exc:
            raise EngineError(f"the rule engine refused a compiled rule: {exc}") from exc
        while len(self._rulesets) >= MAX_RULESETS:
            _, oldest = self._rulesets.popitem(last=False)
            self._core.delete_ruleset(oldest.handle)
        ruleset = self._rulesets[name] = _Ruleset(name, handle, {f"p{i}": probe.key for i, probe in enumerate(probes)})
        return ruleset

    def _assert(self, name: str, facts: list[dict[str, Any]]) -> list[tuple[str, int]]:
        """The rules each fact of a batch matched, as (rule name, position in the batch)."""
        core = self._core
        handle = self._rulesets[name].handle
        try:
            payload = json.dumps(facts)
        except (TypeError, ValueError) as exc:
            raise EngineError(f"the rule engine failed: {exc}") from exc
        found: list[tuple[str, int]] = []
        try:
            status, state = core.assert_facts(handle, payload)
            # Every pending match is completed before the session is deleted, whatever the
            # status: deleting a session with matches pending can abort the interpreter.
            pending = core.start_action_for_state(handle, state)
            message = pending[1] if pending else None
            while message:
                rule_name, engine_id = _match_of(message)
                if rule_name != CATCH_ALL:
                    found.append((rule_name, _POSITION[engine_id]))
                message = core.complete_and_start_action(handle, state)
            core.delete_state(handle, SESSION)
        except Exception as exc:
            # The session's state is unknown: the whole ruleset goes, and is built again when needed.
            self._abandon(name)
            raise EngineError(f"the rule engine failed: {exc}") from exc
        if status != _HANDLED:
            raise EngineError(
                _STATUS_ERRORS.get(status, f"the rule engine returned an unknown status {status} for a batch")
            )
        return found

    def _abandon(self, name: str) -> None:
        ruleset = self._rulesets.pop(name)
        with contextlib.suppress(Exception):
            self._core.delete_ruleset(ruleset.handle)

    def _assert_all(
        self,
        evidence_type: str,
        probes: Sequence[Probe],
        typed: list[dict[str, Any]],
        ids: list[str],
        matches: dict[str, set[str]],
        dedupe: bool,
    ) -> None:
        ruleset = self._ruleset(evidence_type, probes)
        reduced = _reduced(evidence_type, probes, typed) if dedupe else None
        asserted = typed if reduced is None else reduced.facts
        for offset in range(0, len(asserted), BATCH_SIZE):
            batch = asserted[offset : offset + BATCH_SIZE]
            if reduced is None:
                sent = [{**fact, ID_KEY: engine_id} for fact, engine_id in zip(batch, ENGINE_IDS, strict=False)]
            else:
                sent = [{ID_KEY: engine_id, **fact} for fact, engine_id in zip(batch, ENGINE_IDS, strict=False)]
            for rule_name, position in self._assert(ruleset.name, sent):
                matched = matches[ruleset.rule_keys[rule_name]]
                if reduced is None:
                    matched.add(ids[offset + position])
                else:
                    matched.update(ids[owner] for owner in reduced.owners[offset + position])

    def run(self, probes: Sequence[Probe], facts: Sequence[dict[str, Any]], dedupe: bool) -> dict[str, set[str]]:
        by_type = probes_by_type(probes)
        facts_by_type, ids_by_type = _by_type(facts)
        matches: dict[str, set[str]] = {probe.key: set() for probe in probes}
        with self._lock:
            for evidence_type in sorted(by_type):
                typed = facts_by_type.get(evidence_type, [])
                if not typed:
                    continue
                ids = ids_by_type[evidence_type]
                group = _answered_by_type(by_type[evidence_type], evidence_type, ids, matches)
                for start in range(0, len(group), PROBES_PER_RULESET):
                    part = group[start : start + PROBES_PER_RULESET]
                    self._assert_all(evidence_type, part, typed, ids, matches, dedupe)
        return matches


def _by_type(
    facts: Sequence[dict[str, Any]],
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[str]]]:
    """The facts of each type and their ids as matches report them, each id checked unique."""
    facts_by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    ids_by_type: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for fact in facts:
        try:
            fact_id, evidence_type = str(fact[ID_KEY]), fact[TYPE_KEY]
        except KeyError as exc:
            raise EngineError(f"a fact for the rule engine has no {exc.args[0]!r}: {fact!r:.200}") from exc
        if SESSION_KEY in fact:
            raise EngineError(f"a fact for the rule engine may not carry the key {SESSION_KEY!r}: {fact!r:.200}")
        seen.add(fact_id)
        facts_by_type[evidence_type].append(fact)
        ids_by_type[evidence_type].append(fact_id)
    if len(seen) != len(facts):
        counts: dict[str, int] = defaultdict(int)
        for ids in ids_by_type.values():
            for fact_id in ids:
                counts[fact_id] += 1
        repeated = sorted(fact_id for fact_id, count in counts.items() if count > 1)
        raise EngineError(f"facts for the rule engine share an id: {', '.join(repeated[:5])}")
    return facts_by_type, ids_by_type


def probes_by_type(probes: Sequence[Probe]) -> dict[str, list[Probe]]:
    """The probes of each evidence type they name, in their order."""
    by_type: dict[str, list[Probe]] = defaultdict(list)
    for probe in probes:
        for evidence_type in probe.types:
            by_type[evidence_type].append(probe)
    return by_type


def _answered_by_type(
    probes: Sequence[Probe], evidence_type: str, ids: list[str], matches: dict[str, set[str]]
) -> list[Probe]:
    """Record the matches of the probes that test only the type (every fact of the type, or
    none); the others, left for the engine."""
    left: list[Probe] = []
    for probe in probes:
        verdict = type_verdict(probe.expression, evidence_type)
        if verdict is None:
            left.append(probe)
        elif verdict:
            matches[probe.key].update(ids)
    return left


def _reduced(evidence_type: str, probes: Sequence[Probe], typed: list[dict[str, Any]]) -> Distinct | None:
    """One fact per distinct projection, or None to assert whole facts (unsure, or not worth it)."""
    keys = read_keys(probe.expression for probe in probes)
    if keys is None:
        return None
    sample = typed[:DEDUPE_SAMPLE]
    if len(sample) < DEDUPE_MIN_SHARE * len(_distinct(sample, keys).facts):
        return None
    return _distinct(typed, keys)


def _distinct(facts: Sequence[dict[str, Any]], keys: tuple[str, ...]) -> Distinct:
    try:
        return distinct(facts, keys)
    except (TypeError, ValueError) as exc:
        # The same errors whole facts meet when they are serialised for the engine.
        raise EngineError(f"the rule engine failed: {exc}") from exc


_ENGINE: _Engine | None = None
_ENGINE_LOCK = threading.Lock()


def _engine() -> _Engine:
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = _Engine()
    return _ENGINE


def evaluate(probes: Sequence[Probe], facts: Iterable[dict[str, Any]], *, dedupe: bool = True) -> dict[str, set[str]]:
    """Return, for each probe key, the ids (as text) of the facts that satisfy it.

    Every fact needs a unique ``id`` and its type under ``t``; no probe may test the id, which
    the engine never sees. ``dedupe=False`` sends every fact to the engine whole rather than
    one per distinct projection: the verdicts are the same either way.
    """
    for probe in probes:
        if reads_key(probe.expression, ID_KEY) or reads_key(probe.expression, SESSION_KEY):
            raise EngineError(f"probe {probe.key} tests a fact's {ID_KEY!r} or {SESSION_KEY!r}, which the engine sets")
    return _engine().run(probes, list(facts), dedupe)
