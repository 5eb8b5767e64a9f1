"""Deciding what a file, sheet or table holds: an evidence type and whether it is a document or a record."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import PurePosixPath

from qmscheck.config.scan_config import ClassifyOverride
from qmscheck.model.evidence import Kind


@dataclass(frozen=True)
class Candidate:
    """What a connector knows about an unclassified source of evidence."""

    path: str  # inside the source, with forward slashes
    title: str | None = None
    sheet: str | None = None  # set for one sheet of a workbook (a register)
    headers: tuple[str, ...] = ()  # canonical field names of the sheet's columns
    is_register: bool = False
    headings: tuple[str, ...] = ()  # a document's section headings, in reading order
    text: str = ""  # the start of a document's body text

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name


@dataclass(frozen=True)
class Classification:
    type: str
    kind: Kind
    reason: str = ""


#: Default evidence types and their kind. Packs may add types; unknown types default to record.
EVIDENCE_TYPES: dict[str, Kind] = {
    "quality_policy": Kind.DOCUMENT,
    "quality_manual": Kind.DOCUMENT,
    "scope_statement": Kind.DOCUMENT,
    "context_analysis": Kind.DOCUMENT,
    "quality_objective": Kind.DOCUMENT,
    "procedure": Kind.DOCUMENT,
    "work_instruction": Kind.DOCUMENT,
    "form": Kind.DOCUMENT,
    "master_document_list": Kind.DOCUMENT,
    "audit_programme_entry": Kind.RECORD,
    "internal_audit_report": Kind.RECORD,
    "management_review_minutes": Kind.RECORD,
    "employee": Kind.RECORD,
    "training_record": Kind.RECORD,
    "calibration_record": Kind.RECORD,
    "supplier": Kind.RECORD,
    "supplier_evaluation": Kind.RECORD,
    "nonconformity": Kind.RECORD,
    "corrective_action": Kind.RECORD,
    "complaint": Kind.RECORD,
    "risk": Kind.RECORD,
    "lessons_learned": Kind.RECORD,
    "purchase": Kind.RECORD,
    "inspection": Kind.RECORD,
    "quality_plan": Kind.DOCUMENT,
    "kpi_report": Kind.RECORD,
    "contract_review": Kind.RECORD,
    "design_project": Kind.RECORD,
    "design_change": Kind.RECORD,
    "qms_change": Kind.RECORD,
    "process_change": Kind.RECORD,
    "maintenance_record": Kind.RECORD,
    "traceability_record": Kind.RECORD,
    "customer_property": Kind.RECORD,
    "release_record": Kind.RECORD,
    "unclassified": Kind.DOCUMENT,
}


def kind_of(evidence_type: str) -> Kind:
    return EVIDENCE_TYPES.get(evidence_type, Kind.RECORD)


@dataclass(frozen=True)
class Pattern:
    words: tuple[str, ...]
    type: str
    needs_headers: tuple[str, ...] = ()
    lacks_headers: tuple[str, ...] = ()


# Order matters: the first match wins. Words are matched in the lower-cased file name and title.
DOCUMENT_PATTERNS: tuple[Pattern, ...] = (
    Pattern(("quality policy", "qualitätspolitik", "politique qualité"), "quality_policy"),
    Pattern(("quality manual", "qualitätshandbuch", "manuel qualité"), "quality_manual"),
    Pattern(("scope statement",), "scope_statement"),
    # A document numbered as a procedure is one, whatever its topic ('CSC-PR-011 Management Review').
    Pattern(("work instruction", "wi-", "wi "), "work_instruction"),
    Pattern(("procedure", "sop-", "sop ", "qp-", "-pr-", "verfahrensanweisung"), "procedure"),
    Pattern(("context", "swot", "pestle", "interested parties"), "context_analysis"),
    # An audit report of the management review process is an audit report, not review minutes.
    Pattern(("internal audit report", "audit report"), "internal_audit_report"),
    Pattern(("management review",), "management_review_minutes"),
    Pattern(("kpi report", "quality report", "performance report"), "kpi_report"),
    Pattern(("quality plan", "control plan", "inspection plan"), "quality_plan"),
    Pattern(("master document list", "document register", "master list"), "master_document_list"),
    Pattern((" form", "template", "-f-"), "form"),
    Pattern(("lessons learned", "lessons-learned", "knowledge"), "lessons_learned"),
)

REGISTER_PATTERNS: tuple[Pattern, ...] = (
    Pattern(("training", "competence", "skills", "schulung"), "employee", lacks_headers=("competence",)),
    Pattern(("training", "competence", "skills", "schulung"), "training_record"),
    Pattern(("calibration", "gauge", "instrument", "kalibrier", "étalonnage"), "calibration_record"),
    Pattern(
        ("supplier", "vendor", "provider", "lieferant", "fournisseur"), "supplier_evaluation", needs_headers=("score",)
    ),
    Pattern(("supplier", "vendor", "provider", "lieferant", "fournisseur"), "supplier"),
    Pattern(("capa", "nonconform", "nc ", "ncr", "nc-", "abweichung"), "nonconformity"),
    Pattern(("complaint", "reklamation", "réclamation"), "complaint"),
    Pattern(("audit programme", "audit program", "audit plan", "audit schedule"), "audit_programme_entry"),
    Pattern(("objective", "qualitätsziel", "objectif"), "quality_objective"),
    Pattern(("risk", "risiko", "risque"), "risk"),
    Pattern(("lessons learned", "knowledge"), "lessons_learned"),
    Pattern(("master document list", "document register", "master list"), "master_document_list"),
    Pattern(("kpi", "performance report", "quality report"), "kpi_report"),
    Pattern(("contract review", "order review"), "contract_review"),
    Pattern(("design change", "engineering change"), "design_change"),
    Pattern(("design project", "design and development", "design register"), "design_project"),
    Pattern(("management of change", "qms change"), "qms_change"),
    Pattern(("process change", "production change", "change request"), "process_change"),
    Pattern(("maintenance", "work order"), "maintenance_record"),
    Pattern(("traceability", "lot register", "batch register", "serial register"), "traceability_record"),
    Pattern(("customer property", "customer-owned", "free-issue"), "customer_property"),
    Pattern(("release", "final inspection", "certificate of conformity"), "release_record"),
)


def _matches(pattern: Pattern, haystack: str, headers: tuple[str, ...]) -> bool:
    if not any(word in haystack for word in pattern.words):
        return False
    if any(header not in headers for header in pattern.needs_headers):
        return False
    return not any(header in headers for header in pattern.lacks_headers)


def classify_by_name(candidate: Candidate) -> Classification | None:
    """The built-in classifier: names and titles, and for registers the columns found."""
    raw = f" {candidate.name} {candidate.title or ''} {candidate.sheet or ''} ".lower()
    # Names like 'CSC-PL-001-Quality-Manual.md' join words with hyphens; match both spellings.
    haystack = f"{raw} {raw.replace('-', ' ').replace('_', ' ')} "
    patterns = REGISTER_PATTERNS if candidate.is_register else DOCUMENT_PATTERNS
    for pattern in patterns:
        if _matches(pattern, haystack, candidate.headers):
            return Classification(pattern.type, kind_of(pattern.type), f"name matches '{pattern.type}' pattern")
    return None


@dataclass
class Overrides:
    """``[[classify]]`` tables from the config, tried before any plugin."""

    rules: list[ClassifyOverride] = field(default_factory=list)

    def classify(self, candidate: Candidate) -> Classification | None:
        for rule in self.rules:
            if rule.sheet is not None and rule.sheet != candidate.sheet:
                continue
            if fnmatch(candidate.path, rule.pattern) or fnmatch(candidate.name, rule.pattern):
                kind = Kind(rule.kind) if rule.kind else kind_of(rule.type)
                return Classification(rule.type, kind, f"configured pattern '{rule.pattern}'")
        return None
