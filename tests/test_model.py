from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError
from qmscheck.evidence import EvidenceItem, Kind, Locator, Provenance, natural_key
from qmscheck.facts import to_fact


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


def test_natural_sort() -> None:
    assert sorted(["r!15", "r!5", "r!100"], key=natural_key) == ["r!5", "r!15", "r!100"]
    assert Provenance(connector="x", locator=Locator(path="p")).locator.path == "p"
