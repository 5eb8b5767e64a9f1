"""The connector in process against the real server: what each seeded record becomes."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from qmscheck.api import CollectContext, Collected, CollectionWarning, EvidenceItem, Period
from qmscheck_tryton.client import TrytonClient
from qmscheck_tryton.connector import PURCHASE_FIELDS, TrytonConnector
from qmscheck_tryton.mapping import record_sha256
from tryton_support import TrytonServer

ENV = "QMSCHECK_TEST_TRYTON_CONNECTOR_PASSWORD"


@pytest.fixture
def password(tryton_server: TrytonServer) -> Iterator[str]:
    os.environ[ENV] = tryton_server.password
    yield tryton_server.password
    del os.environ[ENV]


def collect(server: TrytonServer, **options: object) -> list[Collected]:
    settings = {"url": server.url, "database": server.database, "user": "admin", "password_env": ENV, **options}
    context = CollectContext(classify=lambda candidate: None, base_dir=Path("."))
    return list(TrytonConnector().collect(settings, context))


def by_id(collected: list[Collected]) -> dict[str, EvidenceItem]:
    return {item.id: item for item in collected if isinstance(item, EvidenceItem)}


def test_collect_is_deterministic_and_sorted(tryton_server: TrytonServer, password: str) -> None:
    first, second = collect(tryton_server), collect(tryton_server)
    assert first == second
    assert not [c for c in first if isinstance(c, CollectionWarning)]
    keys = [(i.provenance.locator.model, int(i.provenance.locator.record_id or 0)) for i in by_id(first).values()]
    assert keys == sorted(keys)


def test_what_the_seeded_records_become(tryton_server: TrytonServer, password: str) -> None:
    items = by_id(collect(tryton_server))
    seeded, as_of = tryton_server.seeded, tryton_server.as_of
    db = tryton_server.database

    def get(model: str, record_id: int) -> EvidenceItem:
        return items[f"tryton:{db}/{model}/{record_id}"]

    year = Period(months=12)
    rapid = get("party.party", seeded.suppliers["Rapid Castings"])
    assert (rapid.type, rapid.status, rapid.attributes["evaluation_result"]) == (
        "supplier",
        "not approved",
        "not evaluated",
    )
    bolt = get("party.party", seeded.suppliers["Bolt & Nut Co"])
    lapsed = year.add_to(as_of - dt.timedelta(days=430))
    assert (bolt.status, bolt.dates.next_review) == ("approved", lapsed)
    northfield = get("party.party", seeded.suppliers["Northfield Metals"])
    assert northfield.status == "approved"  # through the sub-category Machining
    assert northfield.attributes["last_used"] == as_of - dt.timedelta(days=40)
    assert f"tryton:{db}/party.party/{seeded.suppliers['Quote Only Ltd']}" not in items  # drafts only

    bolt_order = get("purchase.purchase", seeded.purchases["bolt"][0])
    assert bolt_order.dates.issued == as_of - dt.timedelta(days=20)
    assert bolt_order.attributes["supplier_approved_until"] == lapsed
    old_order = get("purchase.purchase", seeded.purchases["northfield_old"][0])
    assert old_order.attributes["supplier_approved_until"] == year.add_to(as_of - dt.timedelta(days=400))

    evaluation = get("quality.inspection", seeded.evaluations["keystone"][0])
    assert (evaluation.type, evaluation.attributes["supplier"], evaluation.dates.completed) == (
        "supplier_evaluation",
        "Keystone Plastics",
        as_of - dt.timedelta(days=100),
    )

    with_alert = get("quality.inspection", seeded.inspections["failed_alert"][0])
    assert "Bore re-machined" in str(with_alert.attributes["disposition"])
    with_note = get("quality.inspection", seeded.inspections["failed_note"][0])
    assert with_note.attributes["disposition"] == "Scrapped: 40 pcs, see scrap ticket 2211"
    bare = get("quality.inspection", seeded.inspections["failed_bare"][0])
    assert "disposition" not in bare.attributes and bare.attributes["open_alerts"] == 1

    late = get("sale.complaint", seeded.complaints["late"][0])
    assert late.attributes["completed_from"] == "transition log"
    assert late.dates.issued == as_of - dt.timedelta(days=90)
    assert late.dates.completed is not None and abs((late.dates.completed - as_of).days) <= 1
    overdue = get("sale.complaint", seeded.complaints["overdue"][0])
    assert (overdue.status, overdue.dates.completed) == ("waiting", None)


def test_digest_is_over_the_record_as_read(tryton_server: TrytonServer, password: str) -> None:
    items = by_id(collect(tryton_server, collect=["purchases"]))
    record_id = tryton_server.seeded.purchases["rapid"][0]
    with TrytonClient(tryton_server.url, tryton_server.database, "admin", password, 30) as client:
        (record,) = client.read("purchase.purchase", [record_id], PURCHASE_FIELDS)
    item = items[f"tryton:{tryton_server.database}/purchase.purchase/{record_id}"]
    assert item.sha256 == record_sha256(record)
    assert {i.type for i in items.values()} == {"purchase"}  # collect limits what is read
