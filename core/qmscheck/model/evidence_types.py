"""The evidence types qmscheck knows, and whether each is a document or a record.

A *document* says what should happen; a *record* proves what happened. Packs add types in their
manifest (``[evidence_types]``); a scan that selects such a pack knows them too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from qmscheck.model.evidence import Kind

__all__ = ["EVIDENCE_TYPES", "kind_of", "pack_labels", "pack_types", "use_pack_types"]

#: The built-in evidence types and their kind. A selected pack adds its own (:func:`use_pack_types`).
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
    # An action register (action log, improvement log): what is to be done, by whom, by when, how far.
    "action_item": Kind.RECORD,
    # An action a management review decided or followed up, as a table of its minutes lists it.
    "review_action": Kind.RECORD,
    "public_document": Kind.DOCUMENT,
    "repository_file": Kind.DOCUMENT,
    "unclassified": Kind.DOCUMENT,
}


_pack_types: dict[str, Kind] = {}
_pack_labels: dict[str, tuple[str, ...]] = {}


def use_pack_types(types: Mapping[str, Kind], labels: Mapping[str, Sequence[str]] | None = None) -> None:
    """The evidence types the packs of this scan declare, with their kind and the fields that name
    an item of each (``labels``), from now on in this process (the scan's packs are chosen before
    any file is classified); empty: the built-in ones alone."""
    _pack_types.clear()
    _pack_types.update(types)
    _pack_labels.clear()
    _pack_labels.update((name, tuple(fields)) for name, fields in (labels or {}).items() if fields)


# Read-only views, made once: classification and the naming of every cited item ask for them.
_pack_types_view = MappingProxyType(_pack_types)
_pack_labels_view = MappingProxyType(_pack_labels)


def pack_types() -> Mapping[str, Kind]:
    """The evidence types the packs of this scan added (:func:`use_pack_types`)."""
    return _pack_types_view


def pack_labels() -> Mapping[str, tuple[str, ...]]:
    """Per evidence type a pack added, the fields that name one of its items, first present first."""
    return _pack_labels_view


def kind_of(evidence_type: str) -> Kind:
    """Document or record: as the type is declared; a type nobody declared is a record."""
    return EVIDENCE_TYPES.get(evidence_type) or _pack_types.get(evidence_type, Kind.RECORD)
