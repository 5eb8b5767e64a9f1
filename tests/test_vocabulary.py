"""The vocabulary files: every language loads, its words mean one thing, and plugins extend it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from qmscheck import vocabulary
from qmscheck.collecting.classification import Candidate, classify_by_name
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import load_config
from qmscheck.hookspecs import hookimpl
from qmscheck.model.evidence_types import EVIDENCE_TYPES
from qmscheck.model.groups import items_of
from qmscheck.plugins.manager import load_plugins
from qmscheck.scan import ScanRequest, scan
from qmscheck.support.tuning import Tuning
from qmscheck.vocabulary import LANGUAGES, VocabularyError, VocabularyFile, builtin

ISSUE_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "sv")


def test_every_language_the_issue_asks_for_is_shipped_with_every_part() -> None:
    words = builtin()
    assert set(ISSUE_LANGUAGES) <= set(LANGUAGES)
    for file in words.files:
        data = file.data
        for table in ("documents", "registers", "fields", "status", "answers", "months", "codes", "sections"):
            assert data.get(table), f"{file.name} has no [{table}]"
        assert data.get("stopwords"), file.name
        assert sorted(int(month) for month in data["months"]) == list(range(1, 13)), file.name
        assert {"draft", "approved", "superseded", "obsolete", "withdrawn", "archived"} <= set(data["status"]), (
            file.name
        )


def test_terms_name_known_evidence_types() -> None:
    for file in builtin().files:
        for table in ("documents", "registers", "codes", "sections"):
            unknown = set(file.data.get(table, {})) - set(EVIDENCE_TYPES)
            assert not unknown, f"{file.name} [{table}]: {sorted(unknown)}"


@pytest.mark.parametrize(
    ("word", "month"),
    [("enero", 1), ("février", 2), ("März", 3), ("aprile", 4), ("mei", 5), ("junho", 6), ("juli", 7), ("août", 8)],
)
def test_month_names_of_every_language(word: str, month: int) -> None:
    assert builtin().months[vocabulary.normalise(word)] == month


def test_normalising_folds_case_accents_hyphens_and_plurals() -> None:
    assert vocabulary.words("Non-Conformités") == vocabulary.words("non conformite")
    assert vocabulary.words("Proveedores_homologados") == vocabulary.words("proveedor homologado")
    assert vocabulary.words("QualityManual") == vocabulary.words("quality manual")


def test_a_label_with_two_meanings_is_refused_naming_both_files() -> None:
    clash = VocabularyFile("clash.toml", 'language = "en"\n[fields]\nowner = ["Due date"]\n')
    with pytest.raises(VocabularyError, match=r"clash\.toml.*'due date' means 'owner' here and 'due'"):
        vocabulary.Vocabulary([*builtin().files, clash])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('language = "english"\n', "language code"),
        ('language = "en"\n[status]\nfinished = ["done"]\n', "not a lifecycle state"),
        ('language = "en"\n[documents]\nprocedure = "SOP"\n', "list of non-empty strings"),
        ('language = "en"\nwords = []\n', "unknown key 'words'"),
        ("language = ", "not valid TOML"),
    ],
)
def test_a_faulty_file_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(VocabularyError, match=message):
        VocabularyFile("bad.toml", text)


def test_a_plugin_adds_a_language_for_classification(tmp_path: Path) -> None:
    path = tmp_path / "pl.toml"
    path.write_text(
        'language = "pl"\nstopwords = ["i", "w", "na"]\n[documents]\nquality_manual = ["księga jakości"]\n',
        encoding="utf-8",
    )

    class Polish:
        @hookimpl
        def qmscheck_register_vocabulary(self, register):  # type: ignore[no-untyped-def]
            register(VocabularyFile.from_path(path))

    candidate = Candidate("docs/KJ-01.md", title="Księga jakości")
    assert classify_by_name(candidate) is None
    try:
        load_plugins([Polish()], entry_points=False)
        found = classify_by_name(candidate)
        assert found is not None and found.type == "quality_manual" and "(pl)" in found.reason
    finally:
        load_plugins(entry_points=False)
    assert classify_by_name(candidate) is None


def test_a_plugin_may_not_add_months_or_status_words() -> None:
    class Months:
        @hookimpl
        def qmscheck_register_vocabulary(self, register):  # type: ignore[no-untyped-def]
            register(VocabularyFile("months.toml", 'language = "pl"\n[months]\n1 = ["styczeń"]\n'))

    try:
        plugins = load_plugins([Months()], entry_points=False)
        failed = {info.name: info.error for info in plugins.failed}
        assert "file readers" in (failed.get("Months") or "")
    finally:
        load_plugins(entry_points=False)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_plugins_column_headers_name_fields_in_worker_processes_too(tmp_path: Path, jobs: int) -> None:
    class Labels:
        @hookimpl
        def qmscheck_register_vocabulary(self, register):  # type: ignore[no-untyped-def]
            register(VocabularyFile("labels.toml", 'language = "pl"\n[fields]\nowner = ["Opiekun szkolenia"]\n'))

    share = tmp_path / "share"
    share.mkdir()
    (share / "Training Records.csv").write_text(
        "Employee,Course,Completed,Opiekun szkolenia\nAnna Nowak,Forklift,2026-01-10,Jan Kowalski\n", encoding="utf-8"
    )
    try:
        plugins = load_plugins([Labels()], entry_points=False)
        # Parsed in worker processes with jobs=2, however few the files.
        options = CollectOptions(jobs=jobs, tuning=Tuning(small_batch=0))
        report = scan(ScanRequest(target=share, as_of=date(2026, 3, 31), collect=options), plugins)
        assert report.understanding is not None and report.understanding.recognised == 1
        collection = collect(load_config(share), plugins, options)
        (record,) = [item for item in items_of(collection.groups) if item.type == "training_record"]
        assert record.owner == "Jan Kowalski"
    finally:
        load_plugins(entry_points=False)


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("date_application", "approved"),  # front matter: "Date d'application" without its article
        ("Date de la réunion", "issued"),
        ("Antwort an Kunde", "response"),
        ("Durchgeführt am", "completed"),
        ("Dernière évaluation", "completed"),
    ],
)
def test_labels_match_without_their_articles_and_prepositions(label: str, field: str) -> None:
    assert builtin().field(label) == field


@pytest.mark.parametrize(
    ("label", "field"),
    [("Stand 03/2026", "current_value"), ("Suivi T1 2026", "current_value"), ("Note /20", "score")],
)
def test_a_period_or_scale_after_a_header_does_not_hide_it(label: str, field: str) -> None:
    from qmscheck.collecting.readers.fields import canonical_field

    assert canonical_field(label) == field
    assert canonical_field("2026") is None


def test_a_postal_address_names_a_site_in_any_language() -> None:
    from qmscheck.checking.topics import topics_in

    assert "sites" in topics_in("Gewerbestraße 14, 78549 Spaichingen, Halle 1 und 2")
    assert "sites" in topics_in("Unit 4, Canal Road, Bradford BD1 4SJ")
    assert "sites" not in topics_in("Im Jahr 2025 wurden 1500 Teile geliefert.")
