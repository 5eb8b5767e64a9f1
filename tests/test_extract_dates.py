"""parse_date, canonical_field and snake: the vocabulary every reader relies on."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from qmscheck.collecting.readers import canonical_field, parse_date, snake
from qmscheck.collecting.readers.dates import is_ambiguous
from qmscheck.collecting.readers.fields import SYNONYMS, normalise, resolve_field


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 3, 12), date(2025, 3, 12)),
        (datetime(2025, 3, 12, 14, 30), date(2025, 3, 12)),
        ("2025-03-12", date(2025, 3, 12)),
        ("2025-03-12T14:30:00", date(2025, 3, 12)),
        ("2025-03-12 14:30", date(2025, 3, 12)),
        ("2025-03-12T14:30:00Z", date(2025, 3, 12)),
        ("12/03/2025", date(2025, 3, 12)),
        ("12.03.2025", date(2025, 3, 12)),
        ("12-03-2025", date(2025, 3, 12)),
        ("25/12/2025", date(2025, 12, 25)),
        ("12 March 2025", date(2025, 3, 12)),
        ("March 12, 2025", date(2025, 3, 12)),
        ("12 Mar 2025", date(2025, 3, 12)),
        ("12-Mar-2025", date(2025, 3, 12)),
        ("1st April 2026", date(2026, 4, 1)),
        ("12. März 2025", date(2025, 3, 12)),
        ("3 Dezember 2024", date(2024, 12, 3)),
        ("1er mars 2025", date(2025, 3, 1)),
        ("15 février 2025", date(2025, 2, 15)),
        ("20 août 2025", date(2025, 8, 20)),
        ("  7 octobre 2025 ", date(2025, 10, 7)),
        (45000, date(2023, 3, 15)),
        (45000.75, date(2023, 3, 15)),
        (44197, date(2021, 1, 1)),
    ],
)
def test_parse_date_supported_forms(value: object, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "n/a",
        "TBD",
        "dd/mm/yyyy",
        "31/02/2025",
        "2025",
        "08/2025",
        3,
        19999,
        80001,
        True,
        float("nan"),
        "12 Smarch 2025",
        ["2025-01-01"],
    ],
)
def test_parse_date_rejects_non_dates(value: object) -> None:
    assert parse_date(value) is None


def test_parse_date_dayfirst_only_matters_when_ambiguous() -> None:
    assert parse_date("03/04/2025") == date(2025, 4, 3)
    assert parse_date("03/04/2025", dayfirst=False) == date(2025, 3, 4)
    # A part above 12 fixes the order whatever the preference.
    assert parse_date("13/04/2025", dayfirst=False) == date(2025, 4, 13)
    assert parse_date("04/13/2025", dayfirst=True) == date(2025, 4, 13)


def test_is_ambiguous() -> None:
    assert is_ambiguous("03/04/2025")
    assert not is_ambiguous("13/04/2025")
    assert not is_ambiguous("04/04/2025")
    assert not is_ambiguous("2025-03-04")
    assert not is_ambiguous("03.04.2025")  # dotted dates are day-first by convention


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Doc. No.", "document_number"),
        ("doc no", "document_number"),
        ("DOCUMENT NUMBER:", "document_number"),
        ("**Document ID**", "document_number"),
        ("Dok.-Nr.", "document_number"),
        ("N° de document", "document_number"),
        ("Rev", "revision"),
        ("sop_version", "revision"),
        ("Indice", "revision"),
        ("Approved by", "approver"),
        ("Approuvé par", "approver"),
        ("Freigabedatum", "approved"),
        ("Nächste Prüfung", "next_review"),
        ("Naechste Pruefung", None),
        ("Prochaine revue", "next_review"),
        ("Due date (dd/mm/yyyy)", "due"),
        ("Échéance", "due"),
        ("Fällig", "due"),
        ("Name des Mitarbeiters", "person"),
        ("Salarié", "person"),
        ("Prüfmittel-Nr", "instrument_id"),
        ("NCR No.", "reference"),
        ("Reference", "document_number"),
        ("Sofortmaßnahme", "correction"),
        ("Maßnahme", "action"),
        ("Date de clôture", "completed"),
        ("Process audited", "process"),
        ("QMS Version", None),
        ("Favourite colour", None),
    ],
)
def test_canonical_field(label: str, expected: str | None) -> None:
    assert canonical_field(label) == expected


def test_synonyms_are_unambiguous() -> None:
    seen: dict[str, str] = {}
    for name, labels in SYNONYMS.items():
        for label in labels:
            key = normalise(label)
            assert seen.setdefault(key, name) == name, f"{label!r} maps to {seen[key]} and {name}"


def test_resolve_field_depends_on_values() -> None:
    assert resolve_field("Target", holds_dates=True) == "due"
    assert resolve_field("Target", holds_dates=False) == "target"
    assert resolve_field("Date", holds_dates=False) == "date"
    assert resolve_field("Approval", holds_dates=True) == "approved"
    assert resolve_field("Approval", holds_dates=False) == "approver"
    assert resolve_field("Target date", holds_dates=False) == "due"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Process audited", "process_audited"),
        ("  Chair: ", "chair"),
        ("CreationDate", "creation_date"),
        ("Prüfmittel-Nr.", "prufmittel_nr"),
        ("Straße", "strasse"),
        ("QMS Version", "qms_version"),
        ("sop_version", "sop_version"),
        ("% complete", "complete"),
    ],
)
def test_snake(label: str, expected: str) -> None:
    assert snake(label) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 de enero de 2026", date(2026, 1, 15)),
        ("1º de janeiro de 2026", date(2026, 1, 1)),
        ("3 maggio 2025", date(2025, 5, 3)),
        ("15 januari 2026", date(2026, 1, 15)),
        ("4 mei 2025", date(2025, 5, 4)),
        ("12 dic 2025", date(2025, 12, 12)),
        ("1er février 2026", date(2026, 2, 1)),
        ("7. Dezember 2025", date(2025, 12, 7)),
        ("9 maj 2025", date(2025, 5, 9)),
    ],
)
def test_month_names_in_every_supported_language(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_labels_in_other_languages() -> None:
    assert canonical_field("Asistentes") == "attendees"
    assert canonical_field("Presenti") == "attendees"
    assert canonical_field("Causas") == "root_cause"  # a plural of a listed label
    assert canonical_field("Datos") is None  # not "Date": only the plural ending is folded
    assert resolve_field("Aprobado", holds_dates=True) == "approved"
    assert resolve_field("Aprobado", holds_dates=False) == "approver"
    assert resolve_field("Meta", holds_dates=False) == "target"
