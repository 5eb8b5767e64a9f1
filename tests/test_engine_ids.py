"""No fact is lost to the C core's 32-bit id hash, and every status it returns is handled."""

from __future__ import annotations

import json
from typing import Any

import pytest
from qmscheck.checking import engine
from qmscheck.checking.engine import BATCH_SIZE, ENGINE_IDS, STATE_ID, EngineError, Probe, evaluate, fact_hash

# Through the adapter, which first provides what the C core needs on this Python.
durable_rules_engine = engine.core()

# Two ids with one FNV-1a hash: the C core keeps only the first of them in a session.
COLLIDING = ("e522789", "e739192")
ANY_SCORE = Probe("scored", ("x",), {"$gte": {"n_score": 0}})


def fact(fact_id: str, score: int = 1) -> dict[str, object]:
    return {"id": fact_id, "qf": 1, "t": "x", "n_score": score}


def raw_status(ids: tuple[str, ...]) -> int:
    """The status the C core itself returns for facts with these ids in one session."""
    definition = {"r": {"all": [{"m": {"$ex": {"qf": 1}}}]}}
    handle = durable_rules_engine.create_ruleset(f"raw_{'_'.join(ids)}", json.dumps(definition))
    try:
        status, state = durable_rules_engine.assert_facts(handle, json.dumps([fact(i) for i in ids]))
        pending = durable_rules_engine.start_action_for_state(handle, state)
        while pending:
            pending = durable_rules_engine.complete_and_start_action(handle, state)
        durable_rules_engine.delete_state(handle, "0")
    finally:
        durable_rules_engine.delete_ruleset(handle)
    return int(status)


def test_the_hash_is_the_one_the_core_tells_facts_apart_by() -> None:
    assert fact_hash(COLLIDING[0]) == fact_hash(COLLIDING[1])
    assert raw_status(COLLIDING) == 2  # the second fact dropped
    assert fact_hash("e0") != fact_hash("e1")
    assert raw_status(("e0", "e1")) == 0


def test_facts_whose_ids_share_a_hash_both_match() -> None:
    assert evaluate([ANY_SCORE], [fact(COLLIDING[0]), fact(COLLIDING[1])]) == {"scored": set(COLLIDING)}
    assert evaluate([ANY_SCORE], [fact(i) for i in COLLIDING], dedupe=False) == {"scored": set(COLLIDING)}


def test_the_ids_of_a_batch_share_no_hash_with_each_other_or_the_session_state() -> None:
    hashes = {fact_hash(engine_id) for engine_id in ENGINE_IDS} | {fact_hash(STATE_ID)}
    assert len(ENGINE_IDS) == BATCH_SIZE
    assert len(hashes) == BATCH_SIZE + 1


def test_no_fact_lost_at_a_million_distinct_facts() -> None:
    count = 1_000_000
    facts = [fact(f"e{i}", i % 97) for i in range(count)]
    low = Probe("low", ("x",), {"$lt": {"n_score": 50}})
    high = Probe("high", ("x",), {"$gte": {"n_score": 50}})
    matched = evaluate([low, high], facts, dedupe=False)
    # Every fact matched exactly one of the two probes, the right one.
    assert matched["low"] == {f"e{i}" for i in range(count) if i % 97 < 50}
    assert matched["high"] == {f"e{i}" for i in range(count) if i % 97 >= 50}


class StatusCore:
    """The real C core, reporting ``status`` for every batch it is given."""

    def __init__(self, core: Any, status: int) -> None:
        self._core = core
        self._status = status

    def __getattr__(self, name: str) -> Any:
        return getattr(self._core, name)

    def assert_facts(self, handle: int, facts: str) -> tuple[int, int]:
        _, state = self._core.assert_facts(handle, facts)
        return self._status, state


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (1, "did not handle a fact"),
        (2, "dropped a fact of a batch: another fact of its session had an id with the same hash"),
        (3, "deferred a batch"),
        (7, "unknown status 7"),
    ],
)
def test_every_status_but_handled_is_an_engine_error(
    monkeypatch: pytest.MonkeyPatch, status: int, message: str
) -> None:
    # Status 2 cannot happen with the adapter's ids: a stand-in core reports it.
    instance = engine._engine()
    monkeypatch.setattr(instance, "_core", StatusCore(durable_rules_engine, status))
    with pytest.raises(EngineError, match=message):
        evaluate([ANY_SCORE], [fact("a"), fact("b")], dedupe=False)
    monkeypatch.undo()
    # The failed batch's session was deleted: the same ruleset works again.
    assert evaluate([ANY_SCORE], [fact("a")], dedupe=False) == {"scored": {"a"}}


class FailingCore(StatusCore):
    def complete_and_start_action(self, *args: object) -> object:
        raise RuntimeError("boom in the engine")


def test_an_error_of_the_core_is_an_engine_error(monkeypatch: pytest.MonkeyPatch) -> None:
    instance = engine._engine()
    monkeypatch.setattr(instance, "_core", FailingCore(durable_rules_engine, 0))
    with pytest.raises(EngineError, match="boom in the engine"):
        evaluate([ANY_SCORE], [fact("a")], dedupe=False)
    monkeypatch.undo()
    assert evaluate([ANY_SCORE], [fact("a")], dedupe=False) == {"scored": {"a"}}
