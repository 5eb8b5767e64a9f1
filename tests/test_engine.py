"""The durable-rules adapter: one regression test per sharp edge in shared/durable-rules-notes.md,
and the projection dedupe giving the verdicts whole facts give."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from qmscheck.checking.conditions import compile_condition, holds
from qmscheck.checking.engine import PROBES_PER_RULESET, EngineError, Probe, evaluate
from qmscheck.checking.projection import read_keys, type_verdict
from qmscheck.checking.rule_model import Condition
from qmscheck.model.periods import epoch_days

AS_OF = date(2026, 3, 31)


def fact(i: int, evidence_type: str = "calibration_record", **fields: object) -> dict[str, object]:
    return {"id": f"e{i}", "qf": 1, "t": evidence_type, **fields}


def copied(facts: list[dict[str, object]], copies: int = 3) -> list[dict[str, object]]:
    """Each fact ``copies`` times under fresh ids: enough shared projections for the dedupe to pay."""
    return [{**f, "id": f"{f['id']}c{n}"} for n in range(copies) for f in facts]


def both_ways(probes: list[Probe], facts: list[dict[str, object]]) -> dict[str, set[str]]:
    """The matches with the projection dedupe, checked equal to those of whole facts."""
    deduped = evaluate(probes, facts)
    assert deduped == evaluate(probes, facts, dedupe=False)
    return deduped


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


def test_a_fact_whose_id_is_not_its_first_key_is_still_reported() -> None:
    probe = Probe("low", ("calibration_record",), {"$lt": {"n_score": 50}})
    facts = [{"qf": 1, "t": "calibration_record", "n_score": 1, "id": 7}, fact(1, n_score=99)]
    assert evaluate([probe], facts) == {"low": {"7"}}


def test_an_expression_the_engine_refuses_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match="refused a compiled rule"):
        evaluate([Probe("bad", ("calibration_record",), {"$bogus": {"n_score": 1}})], [fact(0, n_score=1)])


def test_actions_run_synchronously_without_background_threads() -> None:
    import threading

    before = {t.name for t in threading.enumerate()}
    evaluate([Probe("low", ("calibration_record",), {"$lt": {"n_score": 50}})], [fact(0, n_score=1)])
    timers = [t for t in threading.enumerate() if isinstance(t, threading.Timer) and t.name not in before]
    assert timers == []


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ([fact(0), fact(0)], "share an id: e0"),
        ([{**fact(0), "id": "5"}, {**fact(1), "id": 5}], "share an id: 5"),
        ([{"qf": 1, "t": "calibration_record"}], "has no 'id'"),
        ([{"id": "e0", "qf": 1}], "has no 't'"),
        ([{**fact(0), "sid": "1"}], "may not carry the key 'sid'"),
    ],
)
@pytest.mark.parametrize("dedupe", [True, False])
def test_facts_the_engine_cannot_tell_apart_are_refused(
    facts: list[dict[str, object]], message: str, dedupe: bool
) -> None:
    probe = Probe("low", ("calibration_record",), {"$lt": {"n_score": 50}})
    with pytest.raises(EngineError, match=message):
        evaluate([probe], facts, dedupe=dedupe)


@pytest.mark.parametrize("expression", [{"id": "e1"}, {"$lt": {"n_score": {"$m": "id"}}}, {"$ex": {"sid": 1}}])
def test_a_probe_on_the_id_is_refused(expression: dict[str, object]) -> None:
    # The engine is given ids of the adapter's own: a test of the caller's id could not hold.
    with pytest.raises(EngineError, match="tests a fact's 'id' or 'sid'"):
        evaluate([Probe("by_id", ("calibration_record",), expression)], [fact(1)])


# --- one fact per distinct projection ---------------------------------------------------


TYPES = ("calibration_record", "supplier")
dedupe_conditions = st.sampled_from(
    [
        Condition(field="due", on_or_after="as_of"),
        Condition(field="completed", on_or_before="field:due"),
        Condition(field="completed", on_or_before="field:issued+P30D"),
        Condition(field="status", one_of=["closed", "done"]),
        Condition(field="status", not_one_of=["retired"]),
        Condition(field="score", at_least=70),
        Condition(field="root_cause", present=False),
        Condition(any=[Condition(field="due", present=False), Condition(field="score", at_most=20)]),
    ]
)
# Few values per field, so many facts share a projection; the s_row and n_line fields
# are read by no probe and differ on every fact.
few_days = st.sampled_from([epoch_days(AS_OF) + offset for offset in (-400, -10, 0, 25)])
dedupe_fields = st.fixed_dictionaries(
    {"t": st.sampled_from(TYPES), "k": st.sampled_from(["record", "register_row"])},
    optional={
        "d_due": few_days,
        "d_completed": few_days,
        "d_issued": few_days,
        "s_status": st.sampled_from(["closed", "open", "retired"]),
        "n_score": st.sampled_from([10, 70, 90]),
        "s_score": st.just("99"),
        "s_root_cause": st.just("worn tool"),
    },
)


SIDES = st.sampled_from([("pos",), ("neg",), ("pos", "neg")])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chosen=st.lists(st.tuples(dedupe_conditions, st.sampled_from([TYPES[:1], TYPES]), SIDES), min_size=1, max_size=2),
    rows=st.lists(dedupe_fields, min_size=1, max_size=60),
    copies=st.integers(min_value=1, max_value=40),
)
@example(  # a lone comparison: its key is read by no other probe of the ruleset
    chosen=[(Condition(field="score", at_least=70), TYPES[:1], ("pos",))],
    rows=[{"t": TYPES[0], "k": "record", "n_score": 10}, {"t": TYPES[0], "k": "record", "n_score": 90}],
    copies=3,
)
def test_engine_agrees_with_python_on_many_duplicate_projections(
    chosen: list[tuple[Condition, tuple[str, ...], tuple[str, ...]]], rows: list[dict[str, object]], copies: int
) -> None:
    facts = [
        {"id": f"e{i}", "qf": 1, "s_row": f"row {i}", "n_line": i, **rows[i % len(rows)]}
        for i in range(len(rows) * copies)
    ]
    # A probe alone in its ruleset reads fewest keys: a key the projection missed shows there.
    probes: list[Probe] = []
    expected: dict[str, set[str]] = {}
    for number, (condition, types, sides) in enumerate(chosen):
        compiled = compile_condition(condition, AS_OF)
        typed = [f for f in facts if f["t"] in types]
        met = {str(f["id"]) for f in typed if holds(condition, f, AS_OF)}
        if "pos" in sides:
            probes.append(Probe(f"pos{number}", types, compiled.positive))
            expected[f"pos{number}"] = met
        if "neg" in sides:
            probes.append(Probe(f"neg{number}", types, compiled.negative))
            expected[f"neg{number}"] = {str(f["id"]) for f in typed} - met
    probes.append(Probe("rows", TYPES, {"k": "register_row"}))
    expected["rows"] = {str(f["id"]) for f in facts if f["k"] == "register_row"}
    # Probes testing only the type are answered without the engine, beside those that are not.
    probes.append(Probe("first_type", TYPES, {"$or": [{"t": TYPES[0]}, {"t": "employee"}]}))
    expected["first_type"] = {str(f["id"]) for f in facts if f["t"] == TYPES[0]}
    probes.append(Probe("no_type", TYPES, {"$and": [{"t": TYPES[1]}, {"t": "employee"}]}))
    expected["no_type"] = set()
    assert both_ways(probes, facts) == expected


@pytest.mark.parametrize(
    ("expression", "verdict"),
    [
        ({"t": "supplier"}, True),
        ({"t": "employee"}, False),
        ({"$or": [{"t": "employee"}, {"t": "supplier"}]}, True),
        ({"$and": [{"t": "supplier"}, {"$or": [{"t": "employee"}]}]}, False),
        ({"$and": [{"t": "supplier"}, {"s_status": "open"}]}, None),
        ({"$or": [{"t": "supplier"}, {"s_status": "open"}]}, None),
        ({"t": 1}, None),
        ({"$or": []}, None),
        ({"$nex": {"t": 1}}, None),
        ({"t": "supplier", "s_status": "open"}, None),
    ],
)
def test_type_verdict_answers_only_expressions_that_read_nothing_but_the_type(
    expression: dict[str, object], verdict: bool | None
) -> None:
    assert type_verdict(expression, "supplier") is verdict


def test_probes_testing_only_the_type_are_answered_for_every_fact_of_the_type() -> None:
    facts = [fact(i, "supplier" if i % 2 else "calibration_record", n_score=i) for i in range(3000)]
    probes = [
        Probe("suppliers", ("supplier", "calibration_record"), {"t": "supplier"}),
        Probe("none", ("calibration_record",), {"$and": [{"t": "supplier"}, {"t": "calibration_record"}]}),
    ]
    assert both_ways(probes, facts) == {"suppliers": {f"e{i}" for i in range(1, 3000, 2)}, "none": set()}


def test_a_match_is_reported_for_every_fact_with_the_projection() -> None:
    facts = [fact(i, n_score=(10, 60, 90)[i % 3], s_supplier=f"supplier {i}") for i in range(5000)]
    probe = Probe("low", ("calibration_record",), {"$lt": {"n_score": 50}})
    assert both_ways([probe], facts) == {"low": {f"e{i}" for i in range(0, 5000, 3)}}


def test_read_keys_names_every_key_a_probe_can_read() -> None:
    on_time = compile_condition(Condition(field="completed", on_or_before="field:issued+P30D"), AS_OF)
    assert read_keys([on_time.positive, {"k": "record"}]) == ("d_completed", "d_issued", "k", "qf", "t")
    # The engine matches "a.b" as a key and as a path into an object under "a": both are read.
    assert read_keys([{"$lt": {"a.b": 1}}]) == ("a", "a.b", "qf", "t")


@pytest.mark.parametrize(
    "expression",
    [
        {"id": "e1"},  # fresh ids would change the verdict
        {"$iany": {"tags": {"$i": "x"}}},
        {"$and": [{"n_score": 1}, {"$s": 1}]},
        {"$gt": {"n_score": {"first": "n_score"}}},
        {"$gt": {"n_score": [1, 2]}},
        {"$and": []},
        {},
    ],
)
def test_read_keys_gives_up_on_what_it_does_not_know(expression: dict[str, object]) -> None:
    assert read_keys([{"$lt": {"n_score": 1}}, expression]) is None


def test_unknown_constructs_give_the_verdicts_of_whole_facts() -> None:
    facts = copied([fact(0, n_score=1), fact(1, n_score=7), fact(2, tags=["x", "y"]), fact(3, tags=["z"])])
    unknown = {"$or": [{"$lt": {"n_score": 5}}, {"$iany": {"tags": {"$i": "x"}}}]}
    assert read_keys([unknown]) is None
    assert both_ways([Probe("small", ("calibration_record",), unknown)], facts)["small"] == {
        f"e{i}c{n}" for i in (0, 2) for n in range(3)
    }


def test_nested_and_dotted_keys_are_not_merged() -> None:
    facts = copied([fact(0, a={"b": 1}), fact(1, a={"b": 9}), {**fact(2), "a.b": 1}, {**fact(3), "a.b": 9}])
    small = both_ways([Probe("small", ("calibration_record",), {"$lt": {"a.b": 5}})], facts)["small"]
    assert small == {f"e{i}c{n}" for i in (0, 2) for n in range(3)}


@pytest.mark.parametrize("dedupe", [True, False])
def test_a_value_json_cannot_carry_is_an_engine_error_even_where_no_probe_reads_it(dedupe: bool) -> None:
    probe = Probe("low", ("calibration_record",), {"$lt": {"n_score": 50}})
    with pytest.raises(EngineError, match="not JSON serializable"):
        evaluate([probe], copied([fact(0, n_score=1, s_when=AS_OF)]), dedupe=dedupe)


def test_values_equal_in_python_but_not_in_json_are_not_merged() -> None:
    # True == 1 == 1.0 and 0.0 == -0.0 in Python, but the engine is given their JSON text.
    values: list[object] = [1, True, 1.0, 0.0, -0.0, "1", "'1'", None, [1], {"a": 1}]
    facts = [fact(i, n_score=value) for i, value in enumerate(values)]
    # The same scores again beside a list, which makes a differently built key.
    facts += [fact(len(values) + i, n_score=value, s_extra=[i]) for i, value in enumerate(values)]
    probes = [
        Probe(name, ("calibration_record",), {"n_score": value})
        for name, value in (("one", 1), ("true", True), ("zero", 0), ("text", "1"), ("none", None))
    ]
    both_ways(probes, copied(facts))
