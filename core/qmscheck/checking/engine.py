"""The adapter between compiled rule conditions and the durable-rules engine.

The engine does per-item matching only; joins, counts and absence are done with dicts
and sets around it (inside the engine they grow as N²). It is driven through its C
core (``durable_rules_engine``) directly: qmscheck needs only to know which facts
matched which probe, so no Python action runs. Each sharp edge measured in
``shared/durable-rules-notes.md`` is handled here:

- facts are lost without a unique id -> every fact carries ``id`` = ``e<index>``;
- a fact matching no rule raises for its whole batch -> every ruleset has a catch-all rule;
- the host's background timer threads crashed the interpreter -> no host is created,
  so no thread is ever started; matches are read synchronously after each batch;
- exceptions in actions are swallowed, two-parameter actions turn asynchronous -> there
  are no Python actions: the adapter reads the pending matches and completes them itself;
  any error the C core reports is raised as :class:`EngineError`;
- the engine's own state object is matched like a fact, and a negative condition on it
  looped forever when actions updated the state -> every probe is guarded by the type;
- untyped comparisons -> facts are typed by key prefix (:mod:`qmscheck.checking.facts`);
- at most 64 rules per fact, ~512 rules per ruleset, a name registers once, 1024 sessions
  per ruleset -> probes are partitioned by evidence type into rulesets of at most
  :data:`PROBES_PER_RULESET`, named by the hash of their definition and reused; one
  session id, deleted after every batch so memory stays flat.

Register rows are often identical as far as the probes can tell, and each fact costs the
engine ~30 µs per ruleset. So each ruleset is given one fact per distinct *projection*:
the fact reduced to the keys its expressions can read (:mod:`qmscheck.checking.projection`), with
a fresh ``e<n>`` id; a match is mapped back to every fact with that projection. This is
sound because a rule here judges one fact by the keys it names and nothing else (no joins,
no state, no condition on the id); any construct the projection does not recognise makes
that ruleset take whole facts, as before. So do facts that are nearly all distinct, where
projecting would cost more than it saves.

Most selections test nothing but the type ("every training record"). Such a probe matches
every fact of its type or none, so it is answered here without the engine: a register of
125,000 rows read by five rules no longer costs the engine a match per row and rule.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from qmscheck.checking.facts import FACT_MARK, TYPE_KEY
from qmscheck.checking.projection import ID_KEY, Distinct, distinct, identity, read_keys, type_verdict
from qmscheck.errors import QmscheckError

PROBES_PER_RULESET = 40
BATCH_SIZE = 1000
#: Facts are deduplicated only when this many of the first ones share a projection on
#: average: projecting a fact costs about half of asserting it to a small ruleset (measured),
#: so facts that are nearly all distinct go to the engine whole, as the cheaper way.
DEDUPE_MIN_SHARE = 2
DEDUPE_SAMPLE = 4 * BATCH_SIZE


class EngineError(QmscheckError):
    pass


@dataclass(frozen=True)
class Probe:
    """A named per-item condition: which facts of these types satisfy ``expression``."""

    key: str
    types: tuple[str, ...]
    expression: dict[str, Any]


def _import_core() -> Any:
    try:
        import durable_rules_engine
    except ImportError as exc:  # pragma: no cover - depends on the interpreter
        raise EngineError(
            "the durable-rules engine could not be imported "
            f"({exc}); qmscheck needs Python 3.11 or 3.12 with a C compiler to build durable-rules"
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


SESSION = "0"


class _Engine:
    """Rulesets registered in the engine's C core for this process, driven synchronously."""

    def __init__(self) -> None:
        self._core = _import_core()
        self._rulesets: dict[str, tuple[int, dict[str, str]]] = {}  # name -> (handle, rule name -> probe key)
        self._lock = threading.Lock()
        #: Facts handed to the C core so far: what the projection dedupe saves shows here.
        self.asserted = 0

    def _ruleset(self, evidence_type: str, probes: Sequence[Probe]) -> tuple[int, dict[str, str]]:
        conditions = [[{"m": {"$and": [{TYPE_KEY: evidence_type}, probe.expression]}}] for probe in probes]
        keyed = [[probe.key, condition] for probe, condition in zip(probes, conditions, strict=True)]
        digest = hashlib.sha256(json.dumps(keyed, sort_keys=True).encode()).hexdigest()[:24]
        name = f"qms_{digest}"
        if name not in self._rulesets:
            definition: dict[str, Any] = {f"p{i}": {"all": condition} for i, condition in enumerate(conditions)}
            definition[CATCH_ALL] = {"all": [{"m": {"$ex": {FACT_MARK: 1}}}]}
            try:
                handle = self._core.create_ruleset(name, json.dumps(definition))
            except Exception as exc:
                raise EngineError(f"the rule engine refused a compiled rule: {exc}") from exc
            self._rulesets[name] = (handle, {f"p{i}": probe.key for i, probe in enumerate(probes)})
        return self._rulesets[name]

    def _assert(
        self,
        handle: int,
        rule_keys: dict[str, str],
        facts: list[dict[str, Any]],
        matches: dict[str, set[str]],
        reduced: Distinct | None,
    ) -> None:
        core = self._core
        self.asserted += len(facts)
        try:
            result = core.assert_facts(handle, json.dumps(facts))
            if result[0] == 1:
                raise EngineError("the rule engine did not handle a batch of facts (no catch-all match)")
            state = result[1]
            pending = core.start_action_for_state(handle, state)
            message = pending[1] if pending else None
            while message:
                rule_name, fact_id = _match_of(message)
                if rule_name != CATCH_ALL:
                    if reduced is None:
                        matches[rule_keys[rule_name]].add(fact_id)
                    else:
                        matches[rule_keys[rule_name]].update(reduced.expand(fact_id))
                message = core.complete_and_start_action(handle, state)
        except EngineError:
            raise
        except Exception as exc:
            raise EngineError(f"the rule engine failed: {exc}") from exc
        finally:
            core.delete_state(handle, SESSION)

    def _assert_all(
        self, evidence_type: str, probes: Sequence[Probe], typed: list[dict[str, Any]], matches: dict[str, set[str]]
    ) -> None:
        handle, rule_keys = self._ruleset(evidence_type, probes)
        reduced = _reduced(evidence_type, probes, typed)
        asserted = typed if reduced is None else reduced.facts
        for offset in range(0, len(asserted), BATCH_SIZE):
            self._assert(handle, rule_keys, asserted[offset : offset + BATCH_SIZE], matches, reduced)

    def run(self, probes: Sequence[Probe], facts: Sequence[dict[str, Any]]) -> dict[str, set[str]]:
        by_type = probes_by_type(probes)
        facts_by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for fact in facts:
            facts_by_type[fact[TYPE_KEY]].append(fact)
        matches: dict[str, set[str]] = {probe.key: set() for probe in probes}
        with self._lock:
            for evidence_type in sorted(by_type):
                typed = facts_by_type.get(evidence_type, [])
                if not typed:
                    continue
                group = _answered_by_type(by_type[evidence_type], evidence_type, typed, matches)
                for start in range(0, len(group), PROBES_PER_RULESET):
                    self._assert_all(evidence_type, group[start : start + PROBES_PER_RULESET], typed, matches)
        return matches


def probes_by_type(probes: Sequence[Probe]) -> dict[str, list[Probe]]:
    """The probes of each evidence type they name, in their order."""
    by_type: dict[str, list[Probe]] = defaultdict(list)
    for probe in probes:
        for evidence_type in probe.types:
            by_type[evidence_type].append(probe)
    return by_type


def _answered_by_type(
    probes: Sequence[Probe], evidence_type: str, typed: list[dict[str, Any]], matches: dict[str, set[str]]
) -> list[Probe]:
    """Record the matches of the probes that test only the type (every fact, or none, of
    ``typed``); the others, left for the engine."""
    left: list[Probe] = []
    ids: set[str] | None = None
    for probe in probes:
        verdict = type_verdict(probe.expression, evidence_type)
        if verdict is None:
            left.append(probe)
        elif verdict:
            if ids is None:
                try:
                    # As a match of the engine is reported (Distinct.expand): the id as text.
                    ids = {str(fact[ID_KEY]) for fact in typed}
                except KeyError:  # a fact without an id: the engine's own handling stands
                    left.append(probe)
                    continue
            matches[probe.key].update(ids)
    return left


def _reduced(evidence_type: str, probes: Sequence[Probe], typed: list[dict[str, Any]]) -> Distinct | None:
    """One fact per distinct projection, or None to assert whole facts (unsure, or not worth it)."""
    keys = read_keys(probe.expression for probe in probes)
    if keys is None:
        return None
    keys_by_type = {evidence_type: keys}
    sample = typed[:DEDUPE_SAMPLE]
    if len(sample) < DEDUPE_MIN_SHARE * len(_distinct(sample, keys_by_type, BATCH_SIZE).facts):
        return None
    return _distinct(typed, keys_by_type, BATCH_SIZE)


def _distinct(facts: Sequence[dict[str, Any]], keys_by_type: dict[str, tuple[str, ...]], batch_size: int) -> Distinct:
    try:
        return distinct(facts, keys_by_type, batch_size)
    except (KeyError, TypeError, ValueError) as exc:
        # The same errors whole facts met when they were serialised for the engine.
        raise EngineError(f"the rule engine failed: {exc}") from exc


_ENGINE: _Engine | None = None
_ENGINE_LOCK = threading.Lock()

#: Below this many facts, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 20_000
#: Facts per unit of parallel work: big enough to amortise pickling, small enough to balance.
PARALLEL_CHUNK = 25_000


def _engine() -> _Engine:
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = _Engine()
    return _ENGINE


def _evaluate_chunk(probes: Sequence[Probe], facts: Sequence[dict[str, Any]]) -> dict[str, set[str]]:
    """A worker process's share: its own engine, the same rulesets, a slice of the facts."""
    return _engine().run(probes, facts)


def _chunks(facts: Sequence[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    # Facts of one type stay together so each worker registers only the rulesets it needs.
    ordered = sorted(facts, key=lambda fact: str(fact[TYPE_KEY]))
    return [list(ordered[start : start + size]) for start in range(0, len(ordered), size)]


def evaluate(probes: Sequence[Probe], facts: Iterable[dict[str, Any]], *, jobs: int = 1) -> dict[str, set[str]]:
    """Return, for each probe key, the ids of the facts that satisfy it.

    With ``jobs`` > 1, large inputs are split across that many worker processes (the
    engine's C core holds the GIL, so threads would not help). Measured on 2 busy cores,
    pickling the facts cost more than the second process saved, so one process is the
    default. The result does not depend on how the work was split.
    """
    facts = list(facts)
    if jobs <= 1 or len(facts) < PARALLEL_THRESHOLD:
        return _engine().run(probes, facts)
    reduced = _reduced_for_workers(probes, facts)
    if reduced is None:
        return _in_processes(probes, facts, jobs)
    if len(reduced.facts) < PARALLEL_THRESHOLD:
        partial = _engine().run(probes, reduced.facts)
    else:
        partial = _in_processes(probes, reduced.facts, jobs)
    return {key: {owner for fact_id in ids for owner in reduced.expand(fact_id)} for key, ids in partial.items()}


def _reduced_for_workers(probes: Sequence[Probe], facts: Sequence[dict[str, Any]]) -> Distinct | None:
    """The facts reduced once, before pickling, onto the keys all probes of their type read.

    Each worker's rulesets read a subset of those keys, so their own dedupe stays sound.
    """
    keys_by_type: dict[str, tuple[str, ...]] = {}
    for evidence_type, group in probes_by_type(probes).items():
        keys = read_keys(probe.expression for probe in group)
        if keys is None:
            return None
        keys_by_type[evidence_type] = keys
    probed = [fact for fact in facts if fact[TYPE_KEY] in keys_by_type]
    # With a repeated id, the workers' batch boundaries decide which fact the engine
    # ignores; reducing first would move them, so such input is split as before.
    try:
        if len({identity(fact) for fact in probed}) != len(probed):
            return None
    except KeyError:
        return None
    return _distinct(probed, keys_by_type, max(len(probed), 1))


def _in_processes(probes: Sequence[Probe], facts: Sequence[dict[str, Any]], jobs: int) -> dict[str, set[str]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    matches: dict[str, set[str]] = {probe.key: set() for probe in probes}
    # spawn, not fork: a worker must not inherit the parent's engine state mid-use.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        chunks = _chunks(facts, PARALLEL_CHUNK)
        for partial in pool.map(_evaluate_chunk, [probes] * len(chunks), chunks):
            for key, ids in partial.items():
                matches[key] |= ids
    return matches
