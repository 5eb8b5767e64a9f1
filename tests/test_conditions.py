"""Compiled conditions agree with the plain-Python twin on random evidence (the engine's oracle)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qmscheck.checking.conditions import compile_condition, holds
from qmscheck.checking.engine import Probe, evaluate
from qmscheck.checking.rule_model import Condition
from qmscheck.model.periods import Anchor, Period, epoch_days

AS_OF = date(2026, 3, 31)

conditions = st.sampled_from(
    [
        Condition(field="due", on_or_after="as_of"),
        Condition(field="due", on_or_before="as_of+P30D"),
        Condition(field="completed", on_or_before="field:due"),
        Condition(field="completed", on_or_before="field:issued+P30D"),
        Condition(field="completed", on_or_after="as_of-P12M"),
        Condition(field="status", one_of=["closed", "done"]),
        Condition(field="status", not_one_of=["retired"]),
        Condition(field="status", not_one_of=["retired", "Open"]),
        Condition(field="status", equals="Closed"),
        Condition(field="score", equals=70),
        Condition(field="score", at_least=70),
        Condition(field="score", at_most=20),
        Condition(field="root_cause", present=True),
        Condition(field="root_cause", present=False),
        Condition(any=[Condition(field="due", present=False), Condition(field="due", on_or_after="as_of")]),
        Condition(
            all=[Condition(field="completed", present=False), Condition(field="issued", on_or_after="as_of-P30D")]
        ),
    ]
)

days = st.integers(min_value=epoch_days(AS_OF) - 500, max_value=epoch_days(AS_OF) + 100)
fact_fields = st.fixed_dictionaries(
    {},
    optional={
        "d_due": days,
        "d_completed": days,
        "d_issued": days,
        "s_status": st.sampled_from(["closed", "open", "retired", "done"]),
        "n_score": st.integers(min_value=0, max_value=100),
        "s_score": st.sampled_from(["n/a", "99"]),
        "s_root_cause": st.just("worn tool"),
    },
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(condition=conditions, fields=st.lists(fact_fields, min_size=1, max_size=30))
def test_engine_agrees_with_python(condition: Condition, fields: list[dict[str, object]]) -> None:
    facts = [{"id": f"e{i}", "qf": 1, "t": "x", **f} for i, f in enumerate(fields)]
    compiled = compile_condition(condition, AS_OF)
    result = evaluate([Probe("pos", ("x",), compiled.positive), Probe("neg", ("x",), compiled.negative)], facts)
    expected = {f["id"] for f in facts if holds(condition, f, AS_OF)}
    assert result["pos"] == expected
    assert result["neg"] == {f["id"] for f in facts} - expected


def test_missing_field_is_never_a_pass() -> None:
    assert not holds(Condition(field="due", on_or_after="as_of"), {"id": "e0"}, AS_OF)
    assert not holds(Condition(field="score", at_least=1), {"id": "e0"}, AS_OF)
    assert holds(Condition(field="due", present=False), {"id": "e0"}, AS_OF)


def test_periods_and_anchors() -> None:
    assert Period.parse("P12M").add_to(date(2026, 3, 31), -1) == date(2025, 3, 31)
    assert Period.parse("P1M").add_to(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert Period.parse("P2W").add_to(date(2026, 3, 31)) == date(2026, 3, 31) + timedelta(days=14)
    assert Anchor.parse("as_of-P12M").resolve(AS_OF) == date(2025, 3, 31)
    assert Anchor.parse("field:issued+P30D").offset_days == 30
