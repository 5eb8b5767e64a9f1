"""The mapping from Tryton records to evidence, on records shaped like the server's answers."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal

import pytest
from qmscheck.api import ConnectorError, Period
from qmscheck_tryton.mapping import (
    Evaluation,
    Origin,
    approved_until,
    canonical_json,
    category_names,
    closed_since,
    complaint_item,
    disposition,
    purchase_item,
    supplier_item,
)
from qmscheck_tryton.options import parse_options

ORIGIN = Origin("tryton", "0.1.0", "http://erp.example:8000/prod", "prod")
YEAR = Period(months=12)


def evaluation(record_id: int, day: date | None, state: str, party_id: int = 7) -> Evaluation:
    return Evaluation(record={"id": record_id}, party_id=party_id, supplier="S", day=day, state=state)


def test_canonical_json_is_independent_of_key_order_and_types_are_explicit() -> None:
    a = {"b": Decimal("1.50"), "a": date(2026, 1, 2), "c": datetime(2026, 1, 2, 3, 4, 5), "d": None}
    b = dict(reversed(list(a.items())))
    assert (
        canonical_json(a) == canonical_json(b) == ('{"a":"2026-01-02","b":"1.50","c":"2026-01-02T03:04:05","d":null}')
    )


def test_item_digest_is_the_sha256_of_the_canonical_json() -> None:
    record = {
        "id": 12,
        "number": "P12",
        "state": "done",
        "purchase_date": date(2026, 2, 1),
        "party.": {"name": "Northfield Metals", "code": "S1", "id": 7},
        "write_date": None,
        "create_date": datetime(2026, 2, 1, 8, 0),
    }
    item = purchase_item(ORIGIN, record, "approved", [], YEAR)
    assert item.sha256 == hashlib.sha256(canonical_json(record).encode()).hexdigest()
    assert item.id == "tryton:prod/purchase.purchase/12"
    assert str(item.provenance.locator) == "http://erp.example:8000/prod purchase.purchase/12"
    assert item.attributes["write_date"] == "2026-02-01T08:00:00"
    assert item.attributes["supplier"] == "Northfield Metals"
    assert item.dates.issued == date(2026, 2, 1)


def test_approval_valid_on_a_day_comes_from_the_latest_evaluation_before_it() -> None:
    history = [
        evaluation(1, date(2024, 6, 1), "passed"),
        evaluation(2, date(2025, 3, 1), "failed"),
        evaluation(3, date(2025, 9, 1), "passed"),
        evaluation(4, None, "pending"),
    ]
    assert approved_until(history, date(2024, 5, 31), YEAR) is None  # before any evaluation
    assert approved_until(history, date(2024, 12, 1), YEAR) == date(2025, 6, 1)
    assert approved_until(history, date(2025, 4, 1), YEAR) is None  # the re-evaluation failed
    assert approved_until(history, date(2026, 1, 1), YEAR) == date(2026, 9, 1)


def test_supplier_status_comes_from_the_category_or_a_parent_of_it() -> None:
    categories = {
        1: {"id": 1, "name": "Approved supplier", "parent": None},
        2: {"id": 2, "name": "Machining", "parent": 1},
        3: {"id": 3, "name": "Blocked", "parent": None},
    }
    assert category_names([2], categories) == ["Machining", "Approved supplier"]
    party = {"id": 7, "name": "Northfield  Metals", "code": "S1", "categories": [2]}
    purchases = [{"id": 1, "purchase_date": date(2026, 1, 5)}, {"id": 2, "purchase_date": date(2026, 3, 2)}]
    history = [evaluation(1, date(2025, 9, 1), "passed")]
    item = supplier_item(ORIGIN, party, categories, purchases, history, "approved  SUPPLIER", YEAR)
    assert item.status == "approved"
    assert item.attributes["supplier"] == "Northfield Metals"
    assert item.attributes["last_used"] == date(2026, 3, 2)
    assert item.dates.approved == date(2025, 9, 1)
    assert item.dates.next_review == date(2026, 9, 1)
    other = supplier_item(ORIGIN, {**party, "categories": [3]}, categories, purchases, [], "Approved supplier", YEAR)
    assert other.status == "not approved"
    assert other.dates.next_review is None
    assert other.attributes["evaluation_result"] == "not evaluated"


def test_a_failed_latest_evaluation_leaves_no_valid_approval() -> None:
    party = {"id": 7, "name": "S", "categories": []}
    history = [evaluation(1, date(2025, 9, 1), "passed"), evaluation(2, date(2026, 1, 9), "failed")]
    item = supplier_item(ORIGIN, party, {}, [], history, "Approved supplier", YEAR)
    assert item.attributes["evaluation_result"] == "failed"
    assert item.dates.next_review is None and item.dates.approved is None


def log(target: str, day: date) -> dict[str, object]:
    return {"id": day.toordinal(), "target": target, "create_date": datetime.combine(day, datetime.min.time())}


def test_complaint_closure_is_when_it_last_entered_a_closed_state() -> None:
    rows = [
        log("state:waiting", date(2026, 1, 6)),
        log("state:approved", date(2026, 1, 10)),
        log("state:done", date(2026, 1, 11)),  # still closed: the answer was given on the 10th
    ]
    assert closed_since(rows, "done") == date(2026, 1, 10)
    reopened = [
        *rows,
        log("state:draft", date(2026, 2, 1)),
        log("state:waiting", date(2026, 2, 2)),
        log("state:rejected", date(2026, 2, 20)),
    ]
    assert closed_since(reopened, "rejected") == date(2026, 2, 20)
    assert closed_since(reopened[:4], "draft") is None  # open now: no closure, whatever happened before


def test_complaint_without_a_log_falls_back_to_its_write_date() -> None:
    record = {
        "id": 3,
        "number": "C3",
        "state": "done",
        "date": date(2026, 1, 2),
        "write_date": datetime(2026, 1, 20, 10, 0),
        "customer.": {"name": "Acme Retail"},
    }
    item = complaint_item(ORIGIN, record, [])
    assert item.dates.completed == date(2026, 1, 20)
    assert item.attributes["completed_from"] == "write date"
    assert item.attributes["reference"] == "C3"


def test_disposition_is_the_text_on_alerts_and_notes() -> None:
    empty_alert = {"id": 1, "number": "A1", "state": "open", "title": None, "description": "  "}
    assert disposition([empty_alert], []) is None
    worded = {"id": 2, "number": "A2", "state": "resolved", "title": "Scrap", "description": "40 pcs"}
    assert disposition([empty_alert, worded], ["see ticket 9"]) == "A2 (resolved): Scrap - 40 pcs | see ticket 9"


def options(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "url": "https://erp.example.com/tryton",
        "database": "prod",
        "user": "qms",
        "password_env": "ERP_PW",
    }
    base.update(overrides)
    return base


def test_options_normalise_the_url_and_refuse_credentials_in_it() -> None:
    parsed = parse_options(options())
    assert parsed.url == "https://erp.example.com/tryton/"
    assert parsed.server == "https://erp.example.com/tryton/prod"
    with pytest.raises(ConnectorError, match="must not contain a user or password"):
        parse_options(options(url="https://qms:secret@erp.example.com/"))


def test_options_name_every_problem() -> None:
    with pytest.raises(ConnectorError) as raised:
        parse_options(options(collect=["stock"], approval_validity="12 months", databse="x"))
    message = str(raised.value)
    assert "collect.0" in message and "approval_validity" in message and "databse" in message


def test_password_comes_from_the_named_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ERP_PW", raising=False)
    with pytest.raises(ConnectorError, match=r"ERP_PW \(password_env\) is not set"):
        parse_options(options()).password()
    monkeypatch.setenv("ERP_PW", "s3cret")
    assert parse_options(options()).password() == "s3cret"
