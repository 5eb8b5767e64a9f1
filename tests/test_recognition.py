"""Recognition from content in every supported language: titles, headings, document numbers,
sheet names and columns, and content beating a misleading file name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from qmscheck.collecting.classification import Candidate, candidate_language, classify_by_name, template_for

ROOT = Path(__file__).resolve().parents[1]


def _type(candidate: Candidate) -> str | None:
    found = classify_by_name(candidate)
    return None if found is None else found.type


@pytest.mark.parametrize(
    ("language", "path", "title", "expected"),
    [
        ("en", "docs/QM-01.docx", "Quality Manual", "quality_manual"),
        ("en", "docs/doc7.docx", "Internal Audit Report IA-25-03", "internal_audit_report"),
        ("de", "QM/VA-07.docx", "Verfahrensanweisung Lenkung von Dokumenten", "procedure"),
        ("de", "QM/Protokoll 2025.docx", "Protokoll der Managementbewertung 2025", "management_review_minutes"),
        ("fr", "SMQ/doc.docx", "Manuel qualité", "quality_manual"),
        ("fr", "SMQ/audit.docx", "Rapport d'audit interne n° 4", "internal_audit_report"),
        ("es", "calidad/doc.md", "Manual de Calidad", "quality_manual"),
        ("es", "calidad/acta.md", "Acta de la revisión por la dirección 2025", "management_review_minutes"),
        ("es", "calidad/pol.md", "Política de calidad", "quality_policy"),
        ("it", "qualita/doc.docx", "Manuale della Qualità", "quality_manual"),
        ("it", "qualita/verbale.docx", "Verbale del riesame della direzione", "management_review_minutes"),
        ("it", "qualita/rai.docx", "Rapporto di audit interno RAI-2025-02", "internal_audit_report"),
        ("pt", "sgq/mq.docx", "Manual da Qualidade", "quality_manual"),
        ("pt", "sgq/ata.docx", "Ata da revisão pela direção", "management_review_minutes"),
        ("nl", "kms/hb.docx", "Kwaliteitshandboek", "quality_manual"),
        ("nl", "kms/dir.docx", "Verslag directiebeoordeling 2025", "management_review_minutes"),
        ("sv", "ks/km.docx", "Kvalitetsmanual", "quality_manual"),
        ("sv", "ks/lg.docx", "Protokoll ledningens genomgång", "management_review_minutes"),
    ],
)
def test_key_documents_of_each_language_from_their_title(language: str, path: str, title: str, expected: str) -> None:
    found = classify_by_name(Candidate(path, title=title))
    assert found is not None and found.type == expected, found
    assert f"({language})" in found.reason


@pytest.mark.parametrize(
    ("path", "sheet", "columns", "headers", "expected"),
    [
        (
            "Registros/Equipos.xlsx",
            "Calibraciones",
            ("Equipo", "Última calibración", "Próxima calibración"),
            ("instrument_id", "completed", "due"),
            "calibration_record",
        ),
        ("Registri/Albo.xlsx", "Fornitori", ("Fornitore", "Stato"), ("supplier", "status"), "supplier"),
        ("Registri/Albo.xlsx", "Fornitori", ("Fornitore", "Punteggio"), ("supplier", "score"), "supplier_evaluation"),
        ("Register/Reklamationen.xlsx", "Tabelle1", ("Kunde", "Antwortdatum"), ("customer", "responded"), "complaint"),
        (
            "Registros/Registro.xlsx",
            "Hoja1",
            ("Causa raíz", "Tratamiento"),
            ("root_cause", "disposition"),
            "nonconformity",
        ),
    ],
)
def test_registers_from_sheet_names_and_columns(
    path: str, sheet: str, columns: tuple[str, ...], headers: tuple[str, ...], expected: str
) -> None:
    candidate = Candidate(path, sheet=sheet, columns=columns, headers=headers, is_register=True)
    assert _type(candidate) == expected


def test_document_number_says_a_procedure_whatever_its_topic() -> None:
    assert _type(Candidate("02 Procedures/HL-P-03 Calibration.docx", title="Calibration")) == "procedure"
    assert _type(Candidate("Procedure/PQ-03 Non conformità e azioni correttive.docx")) == "procedure"


def test_content_beats_a_misleading_file_name() -> None:
    candidate = Candidate(
        "records/quality-manual-training-log-example.md",
        title="Training log",
        headings=("Training log", "Trainee", "Course", "Training completed"),
    )
    found = classify_by_name(candidate)
    assert found is not None and found.type == "training_record"
    assert "outweighs file name says 'quality manual'" in found.reason


def test_a_template_is_a_form_whatever_it_is_a_template_for() -> None:
    candidate = Candidate("Plantillas/F-02 Informe de auditoría interna (plantilla).md", title="Informe de auditoría")
    assert _type(candidate) == "form"
    assert template_for(candidate) == "internal_audit_report"


def test_placeholders_make_a_form_of_what_its_title_calls_minutes() -> None:
    """No template word anywhere: the placeholders say it is blank."""
    text = "**Chair:** {{ chair }}\n**Attendees:** {{ attendees }}\n| Inputs | [TODO] |\n| Actions | [TODO] |"
    candidate = Candidate("records/2026-02-management-review.md", title="Management Review Minutes", text=text)
    found = classify_by_name(candidate)
    assert found is not None and found.type == "form"
    assert found.reason == "form: a template (placeholders {{ }} ×2, [TODO] ×2)"
    assert template_for(candidate) == "management_review_minutes"
    filled = Candidate(candidate.path, title=candidate.title, text="**Chair:** A. Moss\n**Attendees:** B. Lee")
    assert _type(filled) == "management_review_minutes"


def test_a_readme_in_a_procedures_folder_is_not_a_procedure() -> None:
    found = classify_by_name(Candidate("procedures/README.md", title="README", headings=("How to edit",)))
    assert found is not None and found.type == "repository_file"
    # A file that only names itself after a readme is read for what it is.
    named = classify_by_name(Candidate("procedures/readme-first-procedure.md", title="Document control procedure"))
    assert named is not None and named.type == "procedure"


def test_a_section_of_the_manual_is_what_its_heading_says() -> None:
    section = Candidate(
        "01 Manual/MC-01 Manual de Calidad.md", title="4. Política de calidad", sheet="4. Política de calidad"
    )
    assert _type(section) == "quality_policy"
    assert _type(Candidate("01 Manual/MC-01 Manual de Calidad.md", sheet="1. Presentación de la empresa")) is None


@pytest.mark.parametrize(
    ("candidate", "language"),
    [
        (
            Candidate("a.md", title="Acta de la revisión", text="Las acciones de la revisión anterior están cerradas."),
            "es",
        ),
        (
            Candidate("a.md", title="Verbale", text="Tutte le azioni del riesame precedente sono chiuse e verificate."),
            "it",
        ),
        (Candidate("a.md", text="Die Maßnahmen aus der letzten Bewertung sind abgeschlossen und wirksam."), "de"),
        (Candidate("a.xlsx", sheet="Hoja1", columns=("Fecha de cierre", "Causa raíz"), is_register=True), "es"),
        (Candidate("a.md", title="1234"), None),
    ],
)
def test_the_language_of_a_file(candidate: Candidate, language: str | None) -> None:
    assert candidate_language(candidate) == language


def test_inventory_reports_each_files_language() -> None:
    folder = ROOT / "fixtures" / "orgs" / "talleres-ebro"
    result = subprocess.run(
        [sys.executable, "-m", "qmscheck", "inventory", str(folder), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    entries = {entry["path"]: entry for entry in json.loads(result.stdout)["entries"] if entry["sheet"] is None}
    assert entries["01 Manual/MC-01 Manual de Calidad.md"]["language"] == "es"
    assert entries["01 Manual/MC-01 Manual de Calidad.md"]["type"] == "quality_manual"
    text = subprocess.run(
        [sys.executable, "-m", "qmscheck", "inventory", str(folder)], capture_output=True, text=True, check=False
    ).stdout
    assert "quality_manual (document) [es]  01 Manual/MC-01 Manual de Calidad.md" in text
