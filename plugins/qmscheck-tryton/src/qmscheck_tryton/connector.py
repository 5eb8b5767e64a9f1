"""The ``tryton`` connector: reads a running Tryton server over RPC, read-only.

Order of work: validate the options, log in, check the modules the requested datasets
need, read (search_read only), map, yield items sorted by model and id. The mapping
itself lives in :mod:`qmscheck_tryton.mapping`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from qmscheck.api import CollectContext, Collected, CollectionWarning, EvidenceItem

from qmscheck_tryton import __version__
from qmscheck_tryton.client import Record, TrytonClient
from qmscheck_tryton.mapping import (
    COMMITTED_PURCHASE_STATES,
    Evaluation,
    Origin,
    category_names,
    complaint_item,
    day,
    evaluation_item,
    evaluation_order,
    inspection_item,
    purchase_item,
    related,
    supplier_item,
    text,
)
from qmscheck_tryton.options import MODULES, TrytonOptions, parse_options

PURCHASE_FIELDS = (
    "number",
    "reference",
    "description",
    "purchase_date",
    "state",
    "party",
    "party.name",
    "party.code",
    "total_amount",
    "currency.code",
    "write_date",
    "create_date",
)
PARTY_FIELDS = ("name", "code", "categories", "write_date", "create_date")
CATEGORY_FIELDS = ("name", "parent")
INSPECTION_FIELDS = (
    "number",
    "reference",
    "state",
    "processed_at",
    "control",
    "control.name",
    "origin",
    "points",
    "alerts",
    "processed_by.rec_name",
    "passed_by.rec_name",
    "failed_by.rec_name",
    "write_uid.rec_name",
    "write_date",
    "create_date",
)
ALERT_FIELDS = ("number", "title", "description", "state", "origin", "write_date")
COMPLAINT_FIELDS = (
    "number",
    "reference",
    "date",
    "customer",
    "customer.name",
    "type.name",
    "state",
    "description",
    "origin",
    "write_date",
    "create_date",
)


@dataclass
class _Read:
    """Everything read from the server for one scan, keyed by id."""

    purchases: list[Record] = field(default_factory=list)
    parties: dict[int, Record] = field(default_factory=dict)
    categories: dict[int, Record] = field(default_factory=dict)
    evaluations: list[Evaluation] = field(default_factory=list)
    evaluation_controls: list[int] | None = None  # ids of the evaluation control(s), once looked up
    warnings: list[CollectionWarning] = field(default_factory=list)


def _reference(value: Any) -> tuple[str, int] | None:
    """``"model,id"`` (Tryton's Reference field) as a pair."""
    if not isinstance(value, str) or "," not in value:
        return None
    model, _, raw_id = value.partition(",")
    try:
        record_id = int(raw_id)
    except ValueError:
        return None
    return (model, record_id) if record_id >= 0 else None


def _item_order(item: EvidenceItem) -> tuple[str, int, str]:
    """Items by model, then record id as a number, then type."""
    locator = item.provenance.locator
    return (locator.model or "", int(locator.record_id or 0), item.type)


class TrytonConnector:
    name = "tryton"
    version = __version__

    def describe(self, options: dict[str, Any]) -> str:
        url = str(options.get("url", "?")).rstrip("/")
        return f"{url}/{options.get('database', '?')}"

    def collect(self, options: dict[str, Any], context: CollectContext) -> Iterator[Collected]:
        settings = parse_options(options)
        origin = Origin(self.name, self.version, settings.server, settings.database)
        client = TrytonClient(settings.url, settings.database, settings.user, settings.password(), settings.timeout)
        with client:
            client.require_modules({dataset: MODULES[dataset] for dataset in settings.collect})
            # Everything is read before anything is yielded: a server failing half-way is one
            # clear error, never a half-collected source.
            collected = list(self._collect(client, settings, origin))
        yield from collected

    def _collect(self, client: TrytonClient, settings: TrytonOptions, origin: Origin) -> Iterator[Collected]:
        wanted = set(settings.collect)
        read = _Read()
        if wanted & {"suppliers", "purchases"}:
            read.purchases = client.search_read("purchase.purchase", [], PURCHASE_FIELDS)
            self._read_suppliers(client, settings, read)
        items: list[EvidenceItem] = []
        if "suppliers" in wanted:
            items += self._supplier_items(settings, origin, read)
        if "purchases" in wanted:
            items += self._purchase_items(settings, origin, read)
        if "inspections" in wanted:
            items += self._inspection_items(client, settings, origin, read)
        if "complaints" in wanted:
            items += self._complaint_items(client, origin)
        yield from sorted(read.warnings, key=lambda w: (w.locator, w.message))
        yield from sorted(items, key=_item_order)

    # --- suppliers and their evaluations ----------------------------------------------

    def _read_suppliers(self, client: TrytonClient, settings: TrytonOptions, read: _Read) -> None:
        supplier_ids = {int(p["party"]) for p in read.purchases if isinstance(p.get("party"), int)}
        read.parties = {int(p["id"]): p for p in client.read("party.party", sorted(supplier_ids), PARTY_FIELDS)}
        self._read_categories(client, read)
        if not client.activated_modules(["quality"]):
            read.warnings.append(
                CollectionWarning(
                    connector="tryton",
                    locator=settings.server,
                    message="module quality is not activated: supplier evaluations cannot be read",
                )
            )
            return
        controls = self._evaluation_controls(client, settings, read)
        if not controls:
            if supplier_ids:
                read.warnings.append(
                    CollectionWarning(
                        connector="tryton",
                        locator=settings.server,
                        message=f"no quality control named '{settings.evaluation_control}' (evaluation_control): "
                        "no supplier evaluation can be read",
                    )
                )
            return
        inspections = client.search_read("quality.inspection", [("control", "in", controls)], INSPECTION_FIELDS)
        self._link_evaluations(client, settings, read, inspections)

    @staticmethod
    def _evaluation_controls(client: TrytonClient, settings: TrytonOptions, read: _Read) -> list[int]:
        if read.evaluation_controls is None:
            # 'ilike' without wildcards: the name, ignoring case.
            found = client.search_read("quality.control", [("name", "ilike", settings.evaluation_control)], ["name"])
            read.evaluation_controls = [int(c["id"]) for c in found]
        return read.evaluation_controls

    def _read_categories(self, client: TrytonClient, read: _Read) -> None:
        pending = {int(c) for party in read.parties.values() for c in party.get("categories") or []}
        while pending:
            found = client.read("party.category", sorted(pending), CATEGORY_FIELDS)
            read.categories.update({int(c["id"]): c for c in found})
            pending = {int(c["parent"]) for c in found if isinstance(c.get("parent"), int)} - set(read.categories)

    def _link_evaluations(
        self, client: TrytonClient, settings: TrytonOptions, read: _Read, inspections: Sequence[Record]
    ) -> None:
        references = sorted({ref for ref in (text(i.get("reference")) for i in inspections) if ref})
        by_code: dict[str, Record] = {}
        by_name: dict[str, list[Record]] = defaultdict(list)
        if references:
            for found in client.search_read("party.party", [("code", "in", references)], PARTY_FIELDS):
                by_code[str(found["code"])] = found
            for found in client.search_read("party.party", [("name", "in", references)], PARTY_FIELDS):
                by_name[" ".join(str(found["name"]).split()).casefold()].append(found)
        for inspection in inspections:
            reference = text(inspection.get("reference"))
            party: Record | None = by_code.get(reference or "")
            if party is None and reference:
                named = by_name.get(reference.casefold(), [])
                party = named[0] if len(named) == 1 else None
                if len(named) > 1:
                    read.warnings.append(
                        self._warning(
                            settings,
                            "quality.inspection",
                            inspection,
                            f"supplier evaluation reference '{reference}' matches {len(named)} parties by name; "
                            "use the party code",
                        )
                    )
                    continue
            if party is None:
                read.warnings.append(
                    self._warning(
                        settings,
                        "quality.inspection",
                        inspection,
                        f"supplier evaluation reference '{reference or ''}' is no party code or name; "
                        "the evaluation is not linked to a supplier",
                    )
                )
            read.evaluations.append(
                Evaluation(
                    record=inspection,
                    party_id=int(party["id"]) if party else None,
                    supplier=(text(party.get("name")) if party else reference) or "?",
                    day=day(inspection.get("processed_at")),
                    state=str(inspection.get("state") or ""),
                )
            )
        read.evaluations.sort(key=evaluation_order)

    @staticmethod
    def _warning(settings: TrytonOptions, model: str, record: Record, message: str) -> CollectionWarning:
        return CollectionWarning(
            connector="tryton", locator=f"{settings.server} {model}/{record['id']}", message=message
        )

    def _evaluations_by_party(self, read: _Read) -> dict[int, list[Evaluation]]:
        grouped: dict[int, list[Evaluation]] = defaultdict(list)
        for evaluation in read.evaluations:
            if evaluation.party_id is not None:
                grouped[evaluation.party_id].append(evaluation)
        return grouped

    def _supplier_items(self, settings: TrytonOptions, origin: Origin, read: _Read) -> list[EvidenceItem]:
        committed: dict[int, list[Record]] = defaultdict(list)
        for purchase in read.purchases:
            if purchase.get("state") in COMMITTED_PURCHASE_STATES and isinstance(purchase.get("party"), int):
                committed[int(purchase["party"])].append(purchase)
        evaluations = self._evaluations_by_party(read)
        items = [
            supplier_item(
                origin,
                read.parties[party_id],
                read.categories,
                committed[party_id],
                evaluations.get(party_id, []),
                settings.approved_category,
                settings.validity,
            )
            for party_id in sorted(committed)
            if party_id in read.parties
        ]
        items += [evaluation_item(origin, evaluation) for evaluation in read.evaluations]
        return items

    def _purchase_items(self, settings: TrytonOptions, origin: Origin, read: _Read) -> list[EvidenceItem]:
        evaluations = self._evaluations_by_party(read)
        approved = {
            party_id: settings.approved_category.casefold()
            in {n.casefold() for n in category_names(list(party.get("categories") or []), read.categories)}
            for party_id, party in read.parties.items()
        }
        items = []
        for purchase in read.purchases:
            party_id = purchase.get("party")
            status = None
            if isinstance(party_id, int) and party_id in approved:
                status = "approved" if approved[party_id] else "not approved"
            party_evaluations = evaluations.get(party_id, []) if isinstance(party_id, int) else []
            items.append(purchase_item(origin, purchase, status, party_evaluations, settings.validity))
        return items

    # --- inspections ------------------------------------------------------------------

    def _inspection_items(
        self, client: TrytonClient, settings: TrytonOptions, origin: Origin, read: _Read
    ) -> list[EvidenceItem]:
        controls = self._evaluation_controls(client, settings, read)
        # Supplier evaluations are inspections too, of their own control; they are not product inspections.
        domain: list[Any] = [("control", "not in", controls)] if controls else []
        inspections = client.search_read("quality.inspection", domain, INSPECTION_FIELDS)
        alert_ids = sorted({int(a) for i in inspections for a in i.get("alerts") or []})
        alerts = {int(a["id"]): a for a in client.read("quality.alert", alert_ids, ALERT_FIELDS)}
        failed = [f"quality.inspection,{i['id']}" for i in inspections if i.get("state") == "failed"]
        notes: dict[int, list[str]] = defaultdict(list)
        if failed:
            for note in client.search_read("ir.note", [("resource", "in", failed)], ["message", "resource"]):
                target = _reference(note.get("resource"))
                if target and note.get("message"):
                    notes[target[1]].append(str(note["message"]))
        names, suppliers = self._origins(client, inspections)
        items = []
        for inspection in inspections:
            own_alerts = [alerts[int(a)] for a in sorted(inspection.get("alerts") or []) if int(a) in alerts]
            target = _reference(inspection.get("origin"))
            items.append(
                inspection_item(
                    origin,
                    inspection,
                    own_alerts,
                    notes.get(int(inspection["id"]), []),
                    names.get(target) if target else None,
                    suppliers.get(target) if target else None,
                )
            )
        return items

    def _origins(
        self, client: TrytonClient, inspections: Sequence[Record]
    ) -> tuple[dict[tuple[str, int], str], dict[tuple[str, int], str]]:
        """What each inspection was done on (a shipment, a production), and the supplier of incoming shipments."""
        by_model: dict[str, set[int]] = defaultdict(set)
        for inspection in inspections:
            target = _reference(inspection.get("origin"))
            if target:
                by_model[target[0]].add(target[1])
        names: dict[tuple[str, int], str] = {}
        suppliers: dict[tuple[str, int], str] = {}
        for model in sorted(by_model):
            fields = ["rec_name", "supplier.name"] if model == "stock.shipment.in" else ["rec_name"]
            for row in client.read(model, sorted(by_model[model]), fields):
                key = (model, int(row["id"]))
                names[key] = str(row.get("rec_name") or f"{model},{row['id']}")
                supplier = related(row, "supplier", "name")
                if supplier:
                    suppliers[key] = str(supplier)
        return names, suppliers

    # --- complaints -------------------------------------------------------------------

    def _complaint_items(self, client: TrytonClient, origin: Origin) -> list[EvidenceItem]:
        complaints = client.search_read("sale.complaint", [], COMPLAINT_FIELDS)
        transitions: dict[int, list[Record]] = defaultdict(list)
        resources = [f"sale.complaint,{c['id']}" for c in complaints]
        for start in range(0, len(resources), 500):
            rows = client.search_read(
                "ir.model.log",
                [("resource", "in", resources[start : start + 500]), ("event", "=", "transition")],
                ["resource", "target", "create_date"],
            )
            for row in rows:
                target = _reference(row.get("resource"))
                if target:
                    transitions[target[1]].append(row)
        for rows in transitions.values():
            rows.sort(key=lambda r: (r.get("create_date") is None, r.get("create_date"), int(r["id"])))
        return [complaint_item(origin, c, transitions.get(int(c["id"]), [])) for c in complaints]
