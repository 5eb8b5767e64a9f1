"""The adapter between compiled rule conditions and the durable-rules engine.

The engine does per-item matching only; joins, counts and absence are done with dicts
and sets around it (inside the engine they grow as N²). Each sharp edge measured in
``shared/durable-rules-notes.md`` is handled here:

- facts are lost without a unique id -> every fact carries ``id`` = ``e<index>``;
- the engine's state object is matched like a fact, and a negative condition on it loops
  forever -> every probe is guarded by the fact's type;
- a fact matching no rule raises for its whole batch -> every ruleset has a catch-all rule;
- background timer threads crashed the interpreter -> the host never starts them and is
  driven synchronously; one host per process, created on first use;
- exceptions in actions are swallowed into the state -> checked after every batch;
- two-parameter actions turn asynchronous -> actions take exactly one parameter;
- untyped comparisons -> facts are typed by key prefix (:mod:`qmscheck.facts`);
- at most 64 rules per fact, ~512 rules per ruleset, a name registers once, 1024 sessions
  per ruleset -> probes are partitioned by evidence type into rulesets of at most
  :data:`PROBES_PER_RULESET`, named by the hash of their definition and reused; one
  session id, deleted after every batch so memory stays flat.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from qmscheck.errors import QmscheckError
from qmscheck.facts import FACT_MARK, TYPE_KEY

PROBES_PER_RULESET = 40
BATCH_SIZE = 1000


class EngineError(QmscheckError):
    pass


@dataclass(frozen=True)
class Probe:
    """A named per-item condition: which facts of these types satisfy ``expression``."""

    key: str
    types: tuple[str, ...]
    expression: dict[str, Any]


def _import_durable() -> Any:
    try:
        from durable import engine as durable_engine
    except ImportError as exc:  # pragma: no cover - depends on the interpreter
        raise EngineError(
            "the durable-rules engine could not be imported "
            f"({exc}); qmscheck needs Python 3.11 or 3.12 with a C compiler to build durable-rules"
        ) from exc
    return durable_engine


class _Engine:
    """One synchronous durable-rules host for the process."""

    def __init__(self) -> None:
        durable_engine = _import_durable()

        class SynchronousHost(durable_engine.Host):  # type: ignore[misc, name-defined]
            def _run(self) -> None:
                """No dispatch timers: actions run inside assert_facts, on the caller's thread."""

        self._host = SynchronousHost()
        self._registered: dict[str, list[str]] = {}
        self._sink: list[tuple[str, str]] | None = None
        self._lock = threading.Lock()

    def _action(self, probe_key: str) -> Any:
        def action(c: Any) -> None:  # exactly one parameter: two would make it asynchronous
            assert self._sink is not None
            self._sink.append((probe_key, c.m["id"]))

        return action

    def _ruleset(self, evidence_type: str, probes: Sequence[Probe]) -> str:
        # The type guard also keeps the engine's own state object (which has no type) from
        # matching a negative condition such as $nex, which loops forever.
        conditions = [[{"m": {"$and": [{TYPE_KEY: evidence_type}, probe.expression]}}] for probe in probes]
        keyed = [[probe.key, condition] for probe, condition in zip(probes, conditions, strict=True)]
        digest = hashlib.sha256(json.dumps(keyed, sort_keys=True).encode()).hexdigest()[:24]
        name = f"qms_{digest}"
        if name not in self._registered:
            rules: dict[str, Any] = {}
            for i, (probe, condition) in enumerate(zip(probes, conditions, strict=True)):
                rules[f"p{i}"] = {"all": condition, "run": self._action(probe.key)}
            rules["catch_all"] = {"all": [{"m": {"$ex": {FACT_MARK: 1}}}], "run": _ignore}
            self._host.register_rulesets({name: rules})
            self._registered[name] = [probe.key for probe in probes]
        return name

    def _assert(self, ruleset: str, facts: list[dict[str, Any]]) -> None:
        try:
            self._host.assert_facts(ruleset, facts)
            state = self._host.get_state(ruleset)
        except Exception as exc:
            raise EngineError(f"rule engine failed on ruleset {ruleset}: {exc}") from exc
        finally:
            self._host.delete_state(ruleset)
        if state and state.get("exception"):
            raise EngineError(f"a rule action failed in ruleset {ruleset}: {state['exception']}")

    def run(self, probes: Sequence[Probe], facts: Sequence[dict[str, Any]]) -> dict[str, set[str]]:
        by_type: dict[str, list[Probe]] = defaultdict(list)
        for probe in probes:
            for evidence_type in probe.types:
                by_type[evidence_type].append(probe)
        facts_by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for fact in facts:
            facts_by_type[fact[TYPE_KEY]].append(fact)
        matches: dict[str, set[str]] = {probe.key: set() for probe in probes}
        with self._lock:
            self._sink = []
            try:
                for evidence_type in sorted(by_type):
                    typed = facts_by_type.get(evidence_type, [])
                    if not typed:
                        continue
                    group = by_type[evidence_type]
                    for start in range(0, len(group), PROBES_PER_RULESET):
                        ruleset = self._ruleset(evidence_type, group[start : start + PROBES_PER_RULESET])
                        for offset in range(0, len(typed), BATCH_SIZE):
                            self._assert(ruleset, typed[offset : offset + BATCH_SIZE])
                for key, fact_id in self._sink:
                    matches[key].add(fact_id)
            finally:
                self._sink = None
        return matches


def _ignore(c: Any) -> None:
    """The catch-all rule's action: facts no probe wants must not fail the batch."""


_ENGINE: _Engine | None = None
_ENGINE_LOCK = threading.Lock()


def evaluate(probes: Sequence[Probe], facts: Iterable[dict[str, Any]]) -> dict[str, set[str]]:
    """Return, for each probe key, the ids of the facts that satisfy it."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = _Engine()
    return _ENGINE.run(probes, list(facts))
