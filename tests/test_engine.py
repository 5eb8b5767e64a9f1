"""The durable-rules adapter: one regression test per sharp edge in shared/durable-rules-notes.md."""

from __future__ import annotations

from datetime import date

import pytest
from qmscheck import engine
from qmscheck.conditions import compile_condition
from qmscheck.engine import PROBES_PER_RULESET, EngineError, Probe, evaluate
from qmscheck.rulemodel import Condition

AS_OF = date(2026, 3, 31)


def fact(i: int, evidence_type: str = "calibration_record", **fields: object) -> dict[str, object]:
    return {"id": f"e{i}", "qf": 1, "t": evidence_type, **fields}


def test_no_fact_lost_at_200k_distinct_facts() -> None:
    # Without unique ids the engine dropped ~1 in 100k facts by hash collision.
    facts = [fact(i, n_score=i % 97, s_supplier=f"supplier {i}") for i in range(200_000)]
    probe = Probe("low", ("calibration_record",), {"$lt": {"n_score": 50}})
    matched = evaluate([probe], facts)["low"]
    assert len(matched) == sum(1 for i in range(200_000) if i % 97 < 50)


def test_facts_matching_no_probe_do_not_lose_the_batch() -> None:
    # One unmatched fact used to raise MessageNotHandledException for its whole batch.
    facts = [fact(0, n_score=10), fact(1, n_score=90), fact(2, "supplier", n_score=10)]
    probe = Probe("low", ("calibration_record",), {"$lt": {"n_score": 50}})
    assert evaluate([probe], facts) == {"low": {"e0"}}


def test_negative_condition_does_not_loop_on_engine_state() -> None:
    # $nex matched the engine's own state object and looped forever before probes were type-guarded.
    missing = compile_condition(Condition(field="root_cause", present=False), AS_OF).positive
    facts = [fact(0, s_root_cause="worn tool"), fact(1)]
    assert evaluate([Probe("no_root_cause", ("calibration_record",), missing)], facts) == {"no_root_cause": {"e1"}}


def test_more_probes_than_one_fact_may_match_are_partitioned() -> None:
    # A fact may match at most 64 rules of one ruleset; 150 probes all matching one fact must still fire.
    count = 150
    probes = [Probe(f"p{i}", ("calibration_record",), {"$gte": {"n_score": 0}}) for i in range(count)]
    result = evaluate(probes, [fact(0, n_score=5)])
    assert count > PROBES_PER_RULESET
    assert all(result[f"p{i}"] == {"e0"} for i in range(count))


def test_the_same_rulesets_can_be_evaluated_again() -> None:
    # A ruleset name registers once per process: identical definitions are reused, not re-registered.
    probe = Probe("low", ("calibration_record",), {"$lt": {"n_score": 50}})
    first = evaluate([probe], [fact(0, n_score=1)])
    second = evaluate([probe], [fact(0, n_score=1), fact(1, n_score=2)])
    assert first == {"low": {"e0"}}
    assert second == {"low": {"e0", "e1"}}


def test_typed_keys_keep_text_numbers_out_of_numeric_comparisons() -> None:
    # The engine compares untyped ('99' > 365 is true); a text score never lands under the n_ key.
    condition = Condition(field="score", at_least=365)
    compiled = compile_condition(condition, AS_OF)
    facts = [fact(0, s_score="99"), fact(1, n_score=400)]
    result = evaluate(
        [
            Probe("ok", ("calibration_record",), compiled.positive),
            Probe("bad", ("calibration_record",), compiled.negative),
        ],
        facts,
    )
    assert result == {"ok": {"e1"}, "bad": {"e0"}}


def test_engine_errors_are_raised_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    # durable-rules swallowed errors into the session state; the adapter runs no Python
    # action and turns every error of the C core into an EngineError.
    with pytest.raises(EngineError, match="refused a compiled rule"):
        evaluate([Probe("bad", ("calibration_record",), {"$bogus": {"n_score": 1}})], [fact(0, n_score=1)])
    instance = engine._ENGINE
    assert instance is not None

    class FailingCore:
        def __getattr__(self, name: str) -> object:
            return getattr(real_core, name)

        def complete_and_start_action(self, *args: object) -> object:
            raise RuntimeError("boom in the engine")

    real_core = instance._core
    probe = Probe("explodes", ("calibration_record",), {"$gte": {"n_score": 12345}})
    monkeypatch.setattr(instance, "_core", FailingCore())
    with pytest.raises(EngineError, match="boom in the engine"):
        evaluate([probe], [fact(0, n_score=12345)])
    monkeypatch.setattr(instance, "_core", real_core)
    # The failed batch's session was deleted: the same ruleset works again.
    assert evaluate([probe], [fact(0, n_score=12345)]) == {"explodes": {"e0"}}


def test_actions_run_synchronously_without_background_threads() -> None:
    import threading

    before = {t.name for t in threading.enumerate()}
    evaluate([Probe("low", ("calibration_record",), {"$lt": {"n_score": 50}})], [fact(0, n_score=1)])
    timers = [t for t in threading.enumerate() if isinstance(t, threading.Timer) and t.name not in before]
    assert timers == []


def test_parallel_evaluation_gives_the_same_matches_as_one_process() -> None:
    facts = [fact(i, "calibration_record" if i % 3 else "supplier", n_score=i % 97) for i in range(60_000)]
    probes = [
        Probe("cal_low", ("calibration_record",), {"$lt": {"n_score": 10}}),
        Probe("sup_high", ("supplier",), {"$gt": {"n_score": 90}}),
    ]
    assert evaluate(probes, facts, jobs=2) == evaluate(probes, facts, jobs=1)


def test_matches_are_read_off_the_engine_message() -> None:
    from qmscheck.engine import _match_of

    assert _match_of('{"p3":{"m":{"id": "e42", "qf": 1, "t": "x"}}}') == ("p3", "e42")
    # Anything in another shape still parses, through JSON.
    assert _match_of('{"catch_all": {"m": {"t": "x", "id": "e7"}}}') == ("catch_all", "e7")
