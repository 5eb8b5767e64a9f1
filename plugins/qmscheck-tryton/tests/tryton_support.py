"""The Tryton test server's handle, and its seed: the test database filled through Tryton's own API (proteus over XML-RPC), as a user would.

Dates are relative to ``as_of`` (T). Roles, with what the scan must say about them:

suppliers
  Northfield Metals   clean: sub-category of "Approved supplier", evaluations passed T-400 and T-60,
                      orders T-200 and T-40 each covered by a valid approval
  Keystone Plastics   clean: "Approved supplier", evaluation passed T-100, order T-20
  Rapid Castings      DEFECT: ordered from at T-30, never evaluated, not approved
  Bolt & Nut Co       DEFECT: approved, but its only evaluation (T-430) lapsed at T-65; order T-20
  Legacy Tools        clean: last (unapproved) order T-500, out of the 12-month window
  Quote Only Ltd      clean: a draft purchase only, so not a supplier in use
inspections
  passed              clean
  failed_alert        clean: failed, disposition written on its quality alert
  failed_note         clean: failed, disposition in a note on the inspection
  failed_bare         DEFECT: failed, its alert is empty and there is no note
complaints
  approved            clean: complaint date T-20, approved today
  rejected            clean: T-10, rejected today
  cancelled           clean: T-3, cancelled today
  open_recent         clean: T-5, still draft
  overdue             DEFECT: T-45, still waiting
  late                DEFECT: T-90, approved only today
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Seeded:
    """Ids and numbers of what the seed created, by role."""

    suppliers: dict[str, int] = field(default_factory=dict)  # party name -> id
    purchases: dict[str, tuple[int, str]] = field(default_factory=dict)  # role -> (id, number)
    evaluations: dict[str, tuple[int, str]] = field(default_factory=dict)
    inspections: dict[str, tuple[int, str]] = field(default_factory=dict)
    complaints: dict[str, tuple[int, str]] = field(default_factory=dict)


@dataclass
class TrytonServer:
    url: str  # http://127.0.0.1:<port>/
    port: int
    database: str
    small_database: str
    password: str
    folder: Path
    log: Path
    as_of: dt.date
    seeded: Seeded
    timings: dict[str, float]

    @property
    def server(self) -> str:
        return f"{self.url}{self.database}"

    def rpc(self, database: str | None = None) -> str:
        return f"{self.url}{database or self.database}/rpc/"


def _days(as_of: dt.date, n: int) -> dt.date:
    return as_of - dt.timedelta(days=n)


def _stamp(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 30))


def seed(rpc_url: str, user: str, password: str, as_of: dt.date) -> Seeded:
    from proteus import config as proteus_config
    from trytond.modules.company.tests.tools import create_company

    seeded = Seeded()
    with proteus_config.set_xmlrpc_session(rpc_url, user, password=password):
        create_company()
        _seed_reader()
        _seed_suppliers(as_of, seeded)
        _seed_inspections(seeded)
        _seed_complaints(as_of, seeded)
    return seeded


#: A user that may read, nothing more: what docs/connectors.md recommends for qmscheck.
READER = ("qms-reader", "Reader-Pass-2026!")
#: Models whose default access needs a group that could also write; the group grants read alone.
READ_ONLY_MODELS = ("purchase.purchase", "sale.complaint", "stock.shipment.in")


def _seed_reader() -> None:
    from proteus import Model

    Group = Model.get("res.group")
    Access = Model.get("ir.model.access")
    User = Model.get("res.user")
    Company = Model.get("company.company")
    group = Group(name="QMS read-only")
    group.save()
    for model in READ_ONLY_MODELS:
        Access(model=model, group=group, perm_read=True, perm_write=False, perm_create=False, perm_delete=False).save()
    (company,) = Company.find()
    reader = User(login=READER[0], name="QMS reader", password=READER[1])
    reader.groups.append(Group(group.id))
    reader.companies.append(Company(company.id))
    reader.company = Company(company.id)
    reader.save()
    outsider = User(login="no-rights", name="No rights", password=READER[1])
    outsider.companies.append(Company(company.id))
    outsider.company = Company(company.id)
    outsider.save()


def _purchase(party: Any, day: dt.date, confirm: bool = True) -> tuple[int, str]:
    from proteus import Model

    Purchase = Model.get("purchase.purchase")
    purchase = Purchase()
    purchase.party = party
    purchase.purchase_date = day
    purchase.lines.new(type="comment", description="Material as per drawing")
    purchase.save()
    if confirm:
        purchase.click("quote")
        purchase.click("confirm")
    else:
        purchase.reload()
    return purchase.id, purchase.number or str(purchase.id)


def _evaluation(control: Any, party: Any, day: dt.date, score: float) -> tuple[int, str]:
    from proteus import Model

    Inspection = Model.get("quality.inspection")
    inspection = Inspection()
    inspection.control = control
    inspection.reference = party.code
    inspection.points = {"score": score}
    inspection.processed_at = _stamp(day)
    inspection.save()
    inspection.click("process")
    return inspection.id, inspection.number


def _seed_suppliers(as_of: dt.date, seeded: Seeded) -> None:
    from proteus import Model

    Party = Model.get("party.party")
    Category = Model.get("party.category")
    Control = Model.get("quality.control")

    approved = Category(name="Approved supplier")
    approved.save()
    machining = Category(name="Machining", parent=approved)
    machining.save()

    evaluation = Control(name="Supplier evaluation")
    point = evaluation.points.new()
    point.name = "score"
    point.string = "Score"
    point.type_ = "float"
    point.tolerance_lower = 60
    evaluation.save()

    def party(name: str, *categories: Any) -> Any:
        record = Party(name=name)
        for category in categories:
            record.categories.append(Category(category.id))
        record.save()
        seeded.suppliers[name] = record.id
        return record

    northfield = party("Northfield Metals", machining)
    keystone = party("Keystone Plastics", approved)
    rapid = party("Rapid Castings")
    bolt = party("Bolt & Nut Co", approved)
    legacy = party("Legacy Tools")
    quote_only = party("Quote Only Ltd")

    seeded.evaluations["northfield_old"] = _evaluation(evaluation, northfield, _days(as_of, 400), 82)
    seeded.evaluations["northfield"] = _evaluation(evaluation, northfield, _days(as_of, 60), 88)
    seeded.evaluations["keystone"] = _evaluation(evaluation, keystone, _days(as_of, 100), 75)
    seeded.evaluations["bolt"] = _evaluation(evaluation, bolt, _days(as_of, 430), 70)

    seeded.purchases["northfield_old"] = _purchase(northfield, _days(as_of, 200))
    seeded.purchases["northfield"] = _purchase(northfield, _days(as_of, 40))
    seeded.purchases["keystone"] = _purchase(keystone, _days(as_of, 20))
    seeded.purchases["rapid"] = _purchase(rapid, _days(as_of, 30))
    seeded.purchases["bolt"] = _purchase(bolt, _days(as_of, 20))
    seeded.purchases["legacy"] = _purchase(legacy, _days(as_of, 500))
    seeded.purchases["quote_only"] = _purchase(quote_only, _days(as_of, 5), confirm=False)


def _seed_inspections(seeded: Seeded) -> None:
    from proteus import Model

    Control = Model.get("quality.control")
    Inspection = Model.get("quality.inspection")
    Alert = Model.get("quality.alert")
    Note = Model.get("ir.note")

    control = Control(name="Incoming dimensional check")
    point = control.points.new()
    point.name = "diameter"
    point.string = "Diameter (mm)"
    point.type_ = "float"
    point.tolerance_lower = 9.9
    point.tolerance_upper = 10.1
    control.save()

    def inspect(role: str, diameter: float) -> Any:
        inspection = Inspection()
        inspection.control = control
        inspection.points = {"diameter": diameter}
        inspection.save()
        inspection.click("process")
        seeded.inspections[role] = (inspection.id, inspection.number)
        return inspection

    inspect("passed", 10.0)
    with_alert = inspect("failed_alert", 10.4)
    assert with_alert.state == "failed"
    alert = Alert(with_alert.alerts[0].id)
    alert.title = "Rework"
    alert.description = "Bore re-machined and re-inspected at 10.05 mm; accepted by J. Smith"
    alert.save()
    with_note = inspect("failed_note", 9.2)
    note = Note()
    note.resource = with_note
    note.message = "Scrapped: 40 pcs, see scrap ticket 2211"
    note.save()
    bare = inspect("failed_bare", 9.5)
    assert bare.state == "failed" and len(bare.alerts) == 1


def _seed_complaints(as_of: dt.date, seeded: Seeded) -> None:
    from proteus import Model

    Party = Model.get("party.party")
    Complaint = Model.get("sale.complaint")
    ComplaintType = Model.get("sale.complaint.type")
    IrModel = Model.get("ir.model")

    customer = Party(name="Acme Retail")
    customer.save()
    kind = ComplaintType(name="Product quality")
    (kind.origin,) = IrModel.find([("name", "=", "sale.sale")])
    kind.save()

    def complaint(role: str, age: int, *buttons: str) -> None:
        record = Complaint()
        record.customer = customer
        record.type = kind
        record.date = _days(as_of, age)
        record.description = f"Seeded complaint '{role}'"
        record.save()
        for button in buttons:
            record.click(button)
        seeded.complaints[role] = (record.id, record.number)

    complaint("approved", 20, "wait", "approve")
    complaint("rejected", 10, "wait", "reject")
    complaint("cancelled", 3, "cancel")
    complaint("open_recent", 5)
    complaint("overdue", 45, "wait")
    complaint("late", 90, "wait", "approve")
