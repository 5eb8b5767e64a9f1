"""From Tryton records (as read over RPC) to evidence items. Pure functions: no server needed.

The mapping, in one place (``docs/connectors.md`` explains it for users):

- **supplier** (``party.party``): a party with at least one confirmed, processing or done
  purchase. ``status`` is ``approved`` when the party carries the approved-supplier
  category (or a sub-category of it), else ``not approved``. ``approved`` is the day of
  the latest passing supplier evaluation, ``next_review`` that day plus the approval
  validity, when the latest evaluation passed.
- **supplier_evaluation** (``quality.inspection`` of the evaluation control, whose
  ``reference`` is the supplier's party code or name): ``completed`` = processed day,
  ``status`` = pending / passed / failed.
- **purchase** (``purchase.purchase``): ``issued`` = purchase date, ``status`` = state,
  ``supplier_approved_until`` = end of the approval that was valid on the purchase date
  (from the evaluations), absent when there was none.
- **inspection** (other ``quality.inspection`` records): ``status`` = state, ``completed``
  = processed day, ``disposition`` = the text recorded on its quality alerts and notes.
- **complaint** (``sale.complaint``): ``issued`` = complaint date, ``status`` = state,
  ``completed`` = the day it was last answered or closed (entered approved, rejected, done
  or cancelled and stayed there), from Tryton's transition log, else its write date.

Every item carries ``erp = "tryton"``, the record's ``write_date`` and the sha256 of the
canonical JSON of the record's values as read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from qmscheck.api import (
    AttributeValue,
    Dates,
    EvidenceItem,
    Kind,
    Locator,
    Period,
    Provenance,
    values_sha256,
)
from qmscheck.api import canonical_json as values_json

Record = Mapping[str, Any]

ERP = "tryton"
#: Purchase states that commit the organisation to a supplier.
COMMITTED_PURCHASE_STATES = frozenset({"confirmed", "processing", "done"})
#: Complaint states in which a decision was sent to the customer.
ANSWERED_COMPLAINT_STATES = frozenset({"approved", "rejected", "done"})
#: Complaint states in which the customer has had an answer (or the complaint was withdrawn).
CLOSED_COMPLAINT_STATES = frozenset({"approved", "rejected", "done", "cancelled"})


# --- values ---------------------------------------------------------------------------


def canonical_json(record: Record) -> str:
    """The record's values as JSON with sorted keys: the same values always give the same text."""
    return values_json(record)


def record_sha256(record: Record) -> str:
    return values_sha256(record)


def day(value: Any) -> date | None:
    """A date from a Tryton Date or DateTime value (DateTimes are UTC)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def written(record: Record) -> str | None:
    """When the record was last written (or created), to the second, for the auditor."""
    stamp = record.get("write_date") or record.get("create_date")
    if isinstance(stamp, datetime):
        return stamp.replace(microsecond=0).isoformat()
    return None


def related(record: Record, field: str, name: str = "rec_name") -> Any:
    """A value read through a dotted field name: ``related(r, "party", "name")`` for ``party.name``."""
    sub = record.get(f"{field}.")
    if isinstance(sub, Mapping):
        return sub.get(name)
    return None


def text(value: Any) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(str(value).split())
    return cleaned or None


def number(value: Any) -> AttributeValue:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return None


def scores(points: Any) -> str | None:
    """Inspection points as ``name=value`` pairs in name order."""
    if not isinstance(points, Mapping) or not points:
        return None
    return ", ".join(f"{name}={points[name]}" for name in sorted(points))


# --- the source -----------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Which connector read which server: everything provenance needs, without credentials."""

    connector: str
    version: str
    server: str  # the server URL and database, e.g. http://host:8000/prod
    database: str

    def item_id(self, model: str, record_id: int) -> str:
        return f"tryton:{self.database}/{model}/{record_id}"

    def provenance(self, model: str, record_id: int) -> Provenance:
        return Provenance(
            connector=self.connector,
            connector_version=self.version,
            source=self.server,
            locator=Locator(model=model, record_id=str(record_id), url=self.server),
        )

    def item(
        self,
        model: str,
        record: Record,
        evidence_type: str,
        *,
        title: str | None,
        dates: Dates,
        status: str | None,
        attributes: dict[str, AttributeValue],
        body: str | None = None,
    ) -> EvidenceItem:
        record_id = int(record["id"])
        values: dict[str, AttributeValue] = {"erp": ERP, "write_date": written(record)}
        values.update(attributes)
        return EvidenceItem(
            id=self.item_id(model, record_id),
            kind=Kind.RECORD,
            type=evidence_type,
            title=title,
            provenance=self.provenance(model, record_id),
            sha256=record_sha256(record),
            dates=dates,
            status=status,
            attributes={name: value for name, value in values.items() if value is not None and value != ""},
            text=body,
        )


# --- supplier approval ----------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """One supplier evaluation: an inspection of the evaluation control, tied to a party."""

    record: Record
    party_id: int | None
    supplier: str
    day: date | None
    state: str

    @property
    def decided(self) -> bool:
        return self.day is not None and self.state in ("passed", "failed")


def evaluation_order(evaluation: Evaluation) -> tuple[date, int]:
    return (evaluation.day or date.min, int(evaluation.record["id"]))


def latest_decided(evaluations: Iterable[Evaluation], on: date | None = None) -> Evaluation | None:
    """The newest passed or failed evaluation, processed on or before ``on`` when given."""
    decided = [e for e in evaluations if e.decided and (on is None or (e.day is not None and e.day <= on))]
    return max(decided, key=evaluation_order) if decided else None


def approved_until(evaluations: Iterable[Evaluation], on: date, validity: Period) -> date | None:
    """The end of the approval valid on ``on``: the latest evaluation before it passed, plus the validity."""
    latest = latest_decided(evaluations, on)
    if latest is None or latest.state != "passed" or latest.day is None:
        return None
    return validity.add_to(latest.day)


def category_names(category_ids: Sequence[int], categories: Mapping[int, Record]) -> list[str]:
    """The names of the categories and of all their parents (a sub-category counts as its parent)."""
    names: list[str] = []
    for category_id in category_ids:
        seen: set[int] = set()
        current: int | None = category_id
        while current is not None and current not in seen and current in categories:
            seen.add(current)
            category = categories[current]
            if category.get("name"):
                names.append(str(category["name"]))
            parent = category.get("parent")
            current = int(parent) if isinstance(parent, int) else None
    return names


def _fold(value: str) -> str:
    return " ".join(value.split()).casefold()


# --- items ----------------------------------------------------------------------------


def supplier_item(
    origin: Origin,
    party: Record,
    categories: Mapping[int, Record],
    purchases: Sequence[Record],
    evaluations: Sequence[Evaluation],
    approved_category: str,
    validity: Period,
) -> EvidenceItem:
    names = category_names(list(party.get("categories") or []), categories)
    on_list = _fold(approved_category) in {_fold(name) for name in names}
    dates_used = [d for d in (day(p.get("purchase_date")) for p in purchases) if d is not None]
    latest = latest_decided(evaluations)
    passed = latest if latest is not None and latest.state == "passed" else None
    return origin.item(
        "party.party",
        party,
        "supplier",
        title=text(party.get("name")),
        dates=Dates(
            approved=passed.day if passed else None,
            next_review=validity.add_to(passed.day) if passed and passed.day else None,
        ),
        status="approved" if on_list else "not approved",
        attributes={
            "supplier": text(party.get("name")),
            "party_code": text(party.get("code")),
            "categories": "; ".join(sorted(set(names), key=str.casefold)) or None,
            "last_used": max(dates_used) if dates_used else None,
            "purchases": len(purchases),
            "last_evaluated": latest.day if latest else None,
            "evaluation_result": latest.state if latest else "not evaluated",
            "evaluations": len(evaluations),
        },
    )


def evaluation_item(origin: Origin, evaluation: Evaluation) -> EvidenceItem:
    record = evaluation.record
    return origin.item(
        "quality.inspection",
        record,
        "supplier_evaluation",
        title=f"Supplier evaluation {record.get('number') or record['id']}: {evaluation.supplier}",
        dates=Dates(completed=evaluation.day, issued=day(record.get("create_date"))),
        status=text(record.get("state")),
        attributes={
            "reference": text(record.get("number")),
            "supplier": evaluation.supplier,
            "result": evaluation.state if evaluation.decided else None,
            "scores": scores(record.get("points")),
            "control": text(related(record, "control", "name")),
        },
    )


def purchase_item(
    origin: Origin,
    purchase: Record,
    supplier_status: str | None,
    evaluations: Sequence[Evaluation],
    validity: Period,
) -> EvidenceItem:
    ordered = day(purchase.get("purchase_date"))
    return origin.item(
        "purchase.purchase",
        purchase,
        "purchase",
        title=f"Purchase {purchase.get('number') or purchase['id']} from {related(purchase, 'party', 'name')}",
        dates=Dates(issued=ordered),
        status=text(purchase.get("state")),
        attributes={
            "reference": text(purchase.get("number")) or f"purchase {purchase['id']}",
            "supplier": text(related(purchase, "party", "name")),
            "party_code": text(related(purchase, "party", "code")),
            "supplier_reference": text(purchase.get("reference")),
            "total_amount": number(purchase.get("total_amount")),
            "currency": text(related(purchase, "currency", "code")),
            "supplier_status": supplier_status,
            "supplier_approved_until": approved_until(evaluations, ordered, validity) if ordered else None,
        },
        body=text(purchase.get("description")),
    )


def disposition(alerts: Sequence[Record], notes: Sequence[str]) -> str | None:
    """What was decided about a failed inspection, as written on its alerts and notes."""
    parts: list[str] = []
    for alert in alerts:
        words = [w for w in (text(alert.get("title")), text(alert.get("description"))) if w]
        if words:
            parts.append(f"{alert.get('number') or alert['id']} ({alert.get('state')}): {' - '.join(words)}")
    parts += [n for n in (text(note) for note in notes) if n]
    return " | ".join(parts) or None


def inspector(inspection: Record) -> str | None:
    """Who processed an inspection: the employee Tryton records, else the user who processed it.

    Tryton fills the employee fields only for users linked to an employee; the user who
    last wrote a processed inspection is the one who passed or failed it.
    """
    for field in ("processed_by", "passed_by", "failed_by", "write_uid"):
        name = text(related(inspection, field))
        if name:
            return name
    return None


def inspection_item(
    origin: Origin,
    inspection: Record,
    alerts: Sequence[Record],
    notes: Sequence[str],
    origin_name: str | None,
    supplier: str | None,
) -> EvidenceItem:
    state = text(inspection.get("state"))
    open_alerts = [a for a in alerts if a.get("state") in ("open", "processing", "deferred")]
    return origin.item(
        "quality.inspection",
        inspection,
        "inspection",
        title=f"Inspection {inspection.get('number') or inspection['id']}: {related(inspection, 'control', 'name')}",
        dates=Dates(completed=day(inspection.get("processed_at")), issued=day(inspection.get("create_date"))),
        status=state,
        attributes={
            "reference": text(inspection.get("number")) or f"inspection {inspection['id']}",
            "control": text(related(inspection, "control", "name")),
            "result": state if state in ("passed", "failed") else None,
            "inspector": inspector(inspection) if state in ("passed", "failed") else None,
            "passed": {"passed": True, "failed": False}.get(state or ""),
            "scores": scores(inspection.get("points")),
            "origin": origin_name,
            "supplier": supplier,
            "alerts": len(alerts),
            "open_alerts": len(open_alerts),
            "disposition": disposition(alerts, notes),
        },
    )


def closed_since(transitions: Sequence[Record], state: str | None) -> date | None:
    """The day a complaint entered the closed states for the last time, from its transition log.

    ``transitions`` are ``ir.model.log`` rows (``target`` like ``state:done``), oldest first.
    """
    if state not in CLOSED_COMPLAINT_STATES:
        return None
    since: date | None = None
    for row in transitions:
        target = str(row.get("target") or "")
        new_state = target.partition(":")[2] if target.startswith("state:") else ""
        if new_state in CLOSED_COMPLAINT_STATES:
            if since is None:
                since = day(row.get("create_date"))
        elif new_state:
            since = None
    return since


def complaint_item(origin: Origin, complaint: Record, transitions: Sequence[Record]) -> EvidenceItem:
    state = text(complaint.get("state"))
    closed = closed_since(transitions, state)
    source = "transition log" if closed else None
    if closed is None and state in CLOSED_COMPLAINT_STATES:
        closed, source = day(complaint.get("write_date") or complaint.get("create_date")), "write date"
    return origin.item(
        "sale.complaint",
        complaint,
        "complaint",
        title=f"Complaint {complaint.get('number') or complaint['id']} from {related(complaint, 'customer', 'name')}",
        dates=Dates(issued=day(complaint.get("date")), completed=closed),
        status=state,
        attributes={
            "reference": text(complaint.get("number")) or f"complaint {complaint['id']}",
            "customer": text(related(complaint, "customer", "name")),
            "description": text(complaint.get("description")),
            # Approving or rejecting a complaint is the answer the customer gets.
            "responded": closed if state in ANSWERED_COMPLAINT_STATES else None,
            "complaint_type": text(related(complaint, "type", "name")),
            "customer_reference": text(complaint.get("reference")),
            "origin": text(complaint.get("origin")),
            "completed_from": source,
        },
        body=text(complaint.get("description")),
    )
