from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from qmscheck.checking.facts import FactKeys, WholeFacts, read_fact, to_fact
from qmscheck.model.evidence import EvidenceItem, Kind, Locator, Provenance, natural_key


def make(**overrides: object) -> EvidenceItem:
    data: dict[str, object] = {
        "id": "fs:a.xlsx#Log!2",
        "kind": "record",
        "type": "nonconformity",
        "provenance": {"connector": "filesystem", "locator": {"path": "a.xlsx", "sheet": "Log", "row": 2}},
        "dates": {"due": "2026-01-31"},
        "status": "Closed",
        "attributes": {"root_cause": "Worn  tool", "score": 7},
    }
    data.update(overrides)
    return EvidenceItem.model_validate(data)


def test_item_fields_and_locator() -> None:
    item = make()
    assert item.kind is Kind.RECORD and item.dates.due == date(2026, 1, 31)
    assert item.field("status") == "Closed" and item.field("due") == date(2026, 1, 31)
    assert item.field("root_cause") == "Worn  tool" and item.field("missing") is None
    assert item.locator == "a.xlsx [Log] row 2"
    assert str(Locator(model="purchase.purchase", record_id="12")) == "purchase.purchase/12"


def test_model_rejects_bad_input() -> None:
    with pytest.raises(ValidationError):
        make(kind="memo")
    with pytest.raises(ValidationError):
        make(sha256="not-a-digest")
    with pytest.raises(ValidationError, match="clash"):
        make(attributes={"due": "x"})
    with pytest.raises(ValidationError):
        make(type="Bad Type")


def test_facts_are_typed_and_skip_empty_values() -> None:
    fact = to_fact(7, make(owner=""))
    assert fact["id"] == "e7" and fact["t"] == "nonconformity" and fact["k"] == "record"
    assert fact["d_due"] == (date(2026, 1, 31) - date(1970, 1, 1)).days
    assert fact["s_root_cause"] == "worn tool" and fact["n_score"] == 7 and fact["s_status"] == "closed"
    assert "s_owner" not in fact


BASE_KEYS = ("id", "qf", "t", "k")
FACT_KEYS = [
    "d_due",
    "d_issued",
    "n_due",
    "s_status",
    "s_owner",
    "s_title",
    "s_root_cause",
    "n_root_cause",
    "n_score",
    "s_score",
    "b_score",
    "d_score",
    "d_when",
    "s_when",
    "s_missing",
]


@given(
    keys=st.sets(st.sampled_from(FACT_KEYS)),
    score=st.one_of(st.none(), st.integers(-3, 3), st.floats(allow_nan=False), st.booleans(), st.text(max_size=3)),
    when=st.one_of(st.none(), st.dates(), st.just(" ")),
    title=st.one_of(st.none(), st.just(""), st.just("  Calibration  LOG ")),
)
def test_a_fact_read_for_some_keys_is_the_whole_fact_on_those_keys(
    keys: set[str], score: object, when: object, title: str | None
) -> None:
    item = make(title=title, attributes={"root_cause": "Worn  tool", "score": score, "when": when})
    whole = to_fact(3, item)
    expected = {key: value for key, value in whole.items() if key in keys or key in BASE_KEYS}
    assert read_fact(3, item, FactKeys.of(keys)) == expected


def test_whole_facts_are_built_when_asked_for() -> None:
    items = [make(id=f"fs:a.xlsx#Log!{row}", status=f"S{row}") for row in range(3)]
    facts = WholeFacts(items)
    assert len(facts) == 3 and facts[-1] == to_fact(2, items[2]) and facts[1]["s_status"] == "s1"
    assert list(facts[0:2]) == [to_fact(0, items[0]), to_fact(1, items[1])]
    with pytest.raises(IndexError):
        facts[3]


def test_natural_sort() -> None:
    assert sorted(["r!15", "r!5", "r!100"], key=natural_key) == ["r!5", "r!15", "r!100"]
    assert Provenance(connector="x", locator=Locator(path="p")).locator.path == "p"
