"""Canonical field names and the header/label synonyms that map onto them."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Fields a controlled document carries; other labels found in a document go to
# DocumentMetadata.extra because their meaning depends on the document type.
DOCUMENT_FIELDS: frozenset[str] = frozenset(
    {
        "document_number",
        "revision",
        "status",
        "owner",
        "approver",
        "approved",
        "next_review",
        "last_reviewed",
        "issued",
        "completed",
        "due",
        "title",
    }
)

DATE_FIELDS: frozenset[str] = frozenset(
    {
        "approved",
        "next_review",
        "last_reviewed",
        "issued",
        "completed",
        "due",
        "responded",
        "last_used",
        "start_date",
    }
)

SYNONYMS: dict[str, tuple[str, ...]] = {
    "document_number": (
        "Document No",
        "Doc No",
        "Document Number",
        "Doc Number",
        "Document ID",
        "Doc ID",
        "Ref",
        "Reference",
        "Document",
        "Document Ref",
        "Document Reference",
        "Doc Ref",
        "Template ID",
        "Record ID",
        "Dokumentnummer",
        "Dok.-Nr.",
        "Dokument-Nr.",
        "N° de document",
        "No de document",
        "Numéro de document",
        "Référence",
    ),
    "revision": (
        "Revision",
        "Rev",
        "Version",
        "Issue",
        "Rev No",
        "Revision No",
        "Revision Number",
        "Version No",
        "Version Number",
        "Document Version",
        "Doc Version",
        "SOP Revision",
        "sop_version",
        "policy_version",
        "info_version",
        "template_version",
        "record_version",
        "Ausgabe",
        "Revisionsstand",
        "Änderungsstand",
        "Révision",
        "Indice",
    ),
    "status": ("Status", "Document Status", "State", "Statut", "Zustand"),
    "owner": (
        "Owner",
        "Document Owner",
        "Process Owner",
        "Responsible",
        "Verantwortlich",
        "Propriétaire",
        "Responsable",
    ),
    "approver": (
        "Approved by",
        "Approver",
        "Authorised by",
        "Authorized by",
        "Approval",
        "Freigegeben von",
        "Freigabe durch",
        "Approuvé par",
    ),
    "approved": (
        "Approval date",
        "Date approved",
        "Approved on",
        "Date of approval",
        "Effective date",
        "Release date",
        "Freigabedatum",
        "Freigegeben am",
        "Date d'approbation",
    ),
    "next_review": (
        "Next review",
        "Next review date",
        "Next review due",
        "Review due",
        "Review due date",
        "Review by",
        "Nächste Prüfung",
        "Nächste Überprüfung",
        "Prochaine revue",
        "Date de prochaine revue",
    ),
    "last_reviewed": (
        "Last reviewed",
        "Last review",
        "Last review date",
        "Review date",
        "Reviewed on",
        "Date reviewed",
        "Letzte Prüfung",
        "Dernière revue",
    ),
    "issued": (
        "Issue date",
        "Date issued",
        "Date of issue",
        "Date raised",
        "Date received",
        "Meeting date",
        "Raised",
        "Received",
        "Ausgabedatum",
        "Datum",
        "Date",
    ),
    "completed": (
        "Date completed",
        "Completed",
        "Completion date",
        "Last calibrated",
        "Calibration date",
        "Evaluation date",
        "Audit date",
        "Closed date",
        "Date closed",
        "Closed",
        "Abschlussdatum",
        "Date de clôture",
    ),
    "due": (
        "Due date",
        "Due",
        "Next due",
        "Target date",
        "Target",
        "Expiry date",
        "Expiry",
        "Expires",
        "Valid until",
        "Planned date",
        "Next calibration",
        "Next calibration date",
        "Calibration due",
        "Fällig",
        "Fälligkeitsdatum",
        "Gültig bis",
        "Échéance",
        "Date d'échéance",
    ),
    "title": ("Title", "Document title", "Titel", "Titre"),
    "person": (
        "Employee",
        "Name",
        "Staff",
        "Staff name",
        "Person",
        "Employee name",
        "Full name",
        "Mitarbeiter",
        "Name des Mitarbeiters",
        "Nom",
        "Employé",
        "Salarié",
    ),
    "role": (
        "Role",
        "Job title",
        "Position",
        "Job role",
        "Funktion",
        "Rolle",
        "Poste",
        "Fonction",
    ),
    "competence": (
        "Competence",
        "Competency",
        "Skill",
        "Training",
        "Course",
        "Qualification",
        "Kompetenz",
        "Schulung",
        "Compétence",
        "Formation",
    ),
    "instrument_id": (
        "Instrument ID",
        "Instrument",
        "Asset No",
        "Asset ID",
        "Gauge ID",
        "Equipment ID",
        "Prüfmittel",
        "Prüfmittel-Nr",
        "Prüfmittelnummer",
        "Instrument de mesure",
    ),
    "description": ("Description", "Details", "Beschreibung"),
    "location": ("Location", "Standort", "Emplacement"),
    "site": ("Site", "Werk", "Site de production"),
    "certificate": (
        "Certificate No",
        "Certificate",
        "Certificate Number",
        "Cert No",
        "Zertifikat",
        "Zertifikatsnummer",
        "Certificat",
    ),
    "supplier": (
        "Supplier",
        "Vendor",
        "Supplier name",
        "External provider",
        "Lieferant",
        "Fournisseur",
    ),
    "scope": ("Scope", "Geltungsbereich", "Périmètre"),
    "score": ("Score", "Rating", "Bewertung", "Note"),
    "result": ("Result", "Outcome", "Ergebnis", "Résultat"),
    "evaluator": ("Evaluator", "Evaluated by", "Bewerter", "Évaluateur"),
    "reference": (
        "NC No",
        "NCR No",
        "NC Number",
        "NCR Number",
        "Complaint No",
        "Complaint Number",
        "Report No",
        "Report Number",
        "CAPA No",
        "ID",
        "No",
        "Nr",
        "Nummer",
        "Numéro",
    ),
    "source": ("Source", "Quelle"),
    "disposition": ("Disposition", "Decision", "Verwendungsentscheid", "Décision"),
    "root_cause": ("Root cause", "Cause", "Ursache", "Cause racine"),
    "correction": ("Correction", "Immediate action", "Containment", "Sofortmaßnahme"),
    "corrective_action": ("Corrective action", "CAPA", "Korrekturmaßnahme", "Action corrective"),
    "effectiveness": (
        "Effectiveness check",
        "Effectiveness",
        "Effectiveness verified",
        "Wirksamkeit",
        "Wirksamkeitsprüfung",
        "Efficacité",
    ),
    "customer": ("Customer", "Client", "Kunde"),
    "process": ("Process", "Process audited", "Prozess", "Processus"),
    "auditor": ("Auditor", "Lead auditor", "Auditeur"),
    "objective": ("Objective", "Quality objective", "Ziel", "Objectif"),
    "current_value": ("Current value", "Actual", "Current", "Ist", "Valeur actuelle"),
    "responded": ("Response date", "Responded", "Date responded", "Antwortdatum"),
    "last_used": ("Last order date", "Last used", "Last purchase", "Letzte Bestellung"),
    "start_date": ("Start date", "Eintrittsdatum", "Date d'entrée"),
    "risk": ("Risk", "Risiko", "Risque"),
    "likelihood": ("Likelihood", "Probability", "Wahrscheinlichkeit"),
    "impact": ("Impact", "Severity", "Auswirkung"),
    "action": ("Action", "Maßnahme"),
}

# When several labels in one file feed the same field, the lowest number wins:
# in form templates "template_version" is the form's own revision while
# "sop_version" is the revision of the parent procedure.
_PRIORITY_LABELS: dict[str, int] = {
    "record version": 0,
    "record id": 0,
    "template version": 10,
    "template id": 10,
}
DEFAULT_PRIORITY = 50

# Labels whose column/value may legitimately hold something other than a date
# ("Target: 98 %", "Completed: yes"); they only mean the date field when the
# value is a date.
_WEAK_DATE_LABELS: frozenset[str] = frozenset(
    {
        "target",
        "date",
        "datum",
        "due",
        "completed",
        "closed",
        "raised",
        "received",
        "responded",
        "expiry",
        "expires",
    }
)

# Labels that name the approver or the approval date depending on the value.
_DATE_OR_NAME: dict[str, tuple[str, str]] = {
    "approval": ("approved", "approver"),
    "approved": ("approved", "approver"),
    "freigabe": ("approved", "approver"),
}

_LABEL_CACHE = 4096
_PARENTHETICAL = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*$")
_NON_WORD = re.compile(r"[\W_]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


# Labels and headers repeat across thousands of documents and registers: these lookups are
# pure, so each distinct label is worked out once per process (bounded, labels are short).
@lru_cache(maxsize=_LABEL_CACHE)
def normalise(label: str) -> str:
    """Lower-case, accent-free, punctuation-free form used for synonym lookup."""
    decomposed = unicodedata.normalize("NFKD", label.casefold())
    ascii_ish = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", ascii_ish).strip()


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name, labels in SYNONYMS.items():
        for key in {normalise(label) for label in labels}:
            previous = index.setdefault(key, name)
            if previous != name:
                raise AssertionError(f"synonym {key!r} maps to {previous} and {name}")
    # Canonical names double as labels (front matter "next_review: ..."), but
    # an explicit synonym wins: "Reference" is a document number, not `reference`.
    for name in SYNONYMS:
        index.setdefault(normalise(name), name)
    return index


_INDEX = _build_index()


@lru_cache(maxsize=_LABEL_CACHE)
def canonical_field(label: str) -> str | None:
    """Map a header or label to its canonical field name, or None."""
    key = normalise(label)
    found = _INDEX.get(key)
    if found is None:
        # "Score (1-5)" and "Due date [dd/mm/yyyy]" should still match.
        stripped = normalise(_PARENTHETICAL.sub("", label))
        if stripped != key:
            found = _INDEX.get(stripped)
    return found


@lru_cache(maxsize=_LABEL_CACHE)
def resolve_field(label: str, holds_dates: bool) -> str | None:
    """Canonical field for a label given whether its value(s) are dates.

    Unlike canonical_field this may return a non-canonical name: a weak date
    label whose values are not dates is named after the label ("Target" with
    "98 %" becomes "target") so the value does not masquerade as a date field.
    """
    key = normalise(_PARENTHETICAL.sub("", label)) or normalise(label)
    if key in _DATE_OR_NAME:
        as_date, as_name = _DATE_OR_NAME[key]
        return as_date if holds_dates else as_name
    found = canonical_field(label)
    if found in DATE_FIELDS and key in _WEAK_DATE_LABELS and not holds_dates:
        return snake(label)
    return found


def is_weak_date_label(label: str) -> bool:
    return normalise(_PARENTHETICAL.sub("", label)) in _WEAK_DATE_LABELS


def label_priority(label: str) -> int:
    return _PRIORITY_LABELS.get(normalise(label), DEFAULT_PRIORITY)


def snake(label: str) -> str:
    """snake_case key for a free-form label ("Process audited" -> "process_audited")."""
    spaced = _CAMEL.sub(" ", label.strip())
    return normalise(spaced).replace(" ", "_")
