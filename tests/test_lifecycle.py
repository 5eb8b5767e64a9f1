"""Lifecycle: superseded and obsolete documents are told from current ones, in every language, and
leave the currency checks; a retired document kept among the current ones is a finding."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from cli_process import inventory_entries, scan_report
from qmscheck.collecting.lifecycle import lifecycle_of, status_state

ROOT = Path(__file__).resolve().parents[1]
ORGS = ROOT / "fixtures" / "orgs"
OBSOLETO = "02 Procedimientos/Obsoletos/PG-03 No conformidades y acciones correctivas - Ed 2 OBSOLETO.md"


def inventory_of(folder: Path) -> dict[str, dict[str, Any]]:
    return {entry["path"]: entry for entry in inventory_entries(folder) if entry["sheet"] is None}


def cited(report: dict[str, Any], rule: str) -> set[str]:
    return {
        ref["locator"] for finding in report["findings"] if finding["rule_id"] == rule for ref in finding["evidence"]
    }


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("Obsoleto", "obsolete"),
        ("Superata", "superseded"),
        ("Freigegeben", "approved"),
        ("En vigor", "approved"),
        ("Entwurf", "draft"),
        ("Zur Freigabe", "in_review"),
        ("Released", "approved"),
        ("Withdrawn (see QP-09)", "withdrawn"),
        ("{{ meta-handbook.status }}", None),
    ],
)
def test_a_status_field_is_read_in_every_language(status: str, state: str | None) -> None:
    assert status_state(status) == state


def test_the_reason_names_every_signal_and_a_retired_state_outweighs_a_current_status() -> None:
    found = lifecycle_of(
        "02 Procedures/Obsolete/HL-P-02 Internal Audit issue 3 (superseded).docx",
        "HL-P-02 Internal Audit",
        "OBSOLETE - superseded by issue 4.\nMethod",
        "Approved",
    )
    assert (found.state, found.kept_apart) == ("superseded", True)
    assert found.reason == "file name says 'superseded'; text says 'OBSOLETE'; folder 'Obsolete'"


def test_a_status_word_inside_a_title_is_no_marker() -> None:
    """ "Control of obsolete product" is a procedure about obsolete product, not an obsolete one;
    "Records archive procedure" is current."""
    assert lifecycle_of("SOP-09 Control of obsolete product.md", "Control of obsolete product", "", None).state is None
    assert lifecycle_of("02 Procedures/Records archive.md", "Records archive procedure", "", None).state is None
    draft = lifecycle_of("02 Procedures/SOP-10 Records (DRAFT).md", "SOP-10 Records", "", None)
    assert (draft.state, draft.reason, draft.kept_apart) == ("draft", "file name says 'DRAFT'", False)


def test_inventory_gives_each_document_its_lifecycle_and_why() -> None:
    entries = inventory_of(ORGS / "talleres-ebro")
    obsolete = entries[OBSOLETO]
    assert obsolete["lifecycle"] == "obsolete"
    assert "folder 'Obsoletos'" in obsolete["lifecycle_reason"]
    assert "status says 'Obsoleto'" in obsolete["lifecycle_reason"]
    current = entries["02 Procedimientos/PG-04 Compras y evaluación de proveedores.md"]
    assert (current["lifecycle"], current["lifecycle_reason"]) == ("approved", "status says 'En vigor'")
    rossi = inventory_of(ORGS / "officina-rossi" / "share")
    superseded = rossi["Archivio/PQ-03 Non conformità e azioni correttive rev 2 - SUPERATA.docx"]
    assert superseded["lifecycle"] == "superseded"
    assert "file name says 'SUPERATA'" in superseded["lifecycle_reason"]
    assert "folder 'Archivio'" in superseded["lifecycle_reason"]


def test_retired_documents_leave_the_currency_checks(tmp_path: Path) -> None:
    report = scan_report(ORGS / "talleres-ebro", tmp_path)
    for rule in ("DOC001", "DOC002", "DOC003", "DOC004", "DOC008"):
        assert OBSOLETO not in cited(report, rule), rule
    # The current revision past its review date is still found.
    assert "02 Procedimientos/PG-04 Compras y evaluación de proveedores.md" in cited(report, "DOC002")


def test_a_retired_document_among_the_current_ones_is_a_finding(tmp_path: Path) -> None:
    share = tmp_path / "share"
    shutil.copytree(ORGS / "talleres-ebro", share)
    moved = share / "02 Procedimientos" / Path(OBSOLETO).name
    (share / OBSOLETO).rename(moved)
    report = scan_report(share, tmp_path)
    assert cited(report, "DOC008") == {f"02 Procedimientos/{moved.name}"}
    assert f"02 Procedimientos/{moved.name}" not in cited(report, "DOC002")
