"""Reports in the organisation's language: ``--lang``, ``[organisation] language``, qmscheck's own
catalogs and a pack's, and catalogs that never drift from their sources."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from qmscheck.checking.grading import _plural
from qmscheck.checking.packs import RulePack
from qmscheck.checking.phrases import field_words
from qmscheck.hookspecs import hookimpl
from qmscheck.i18n import LOCALE_DIR, available_languages, translator
from qmscheck.model.evidence_types import EVIDENCE_TYPES
from qmscheck.model.grades import Grade
from qmscheck.model.report import Report
from qmscheck.plugins.manager import load_plugins
from qmscheck.rendering.html import HtmlRenderer
from qmscheck.rendering.wording import TERMS, statement
from qmscheck.scan import ScanRequest, scan

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"
PACK_LOCALE = ROOT / "rules" / "iso9001" / "locale"
TRANSLATED = ("de", "es")


def qmscheck(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qmscheck", *map(str, args)], capture_output=True, text=True, timeout=300, check=False
    )


def page_text(html: str) -> str:
    """What a reader sees: the page without its style, script and tags, spaces collapsed."""
    body = re.sub(r"<(script|style)>.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def acme_scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    saved = tmp_path_factory.mktemp("acme") / "scan.json"
    result = qmscheck("scan", ACME, "--no-index", "--format", "json", "-o", saved, "-q")
    assert result.returncode == 1, result.stderr  # the sample has a major
    return saved


def rendered(saved: Path, *options: str, fmt: str = "html") -> str:
    result = qmscheck("report", saved, "--format", fmt, *options)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_lang_de_writes_the_html_report_in_german(acme_scan: Path) -> None:
    html = rendered(acme_scan, "--lang", "de")
    text = page_text(html)
    assert '<html lang="de">' in html
    for chrome in (
        "ISO 9001:2015 Auditbereitschaft: Acme Precision Parts Ltd",
        "Audit Stufe 2 Nicht bereit: 1 Hauptabweichung und 11 Nebenabweichungen",
        "Verstandene Nachweise",
        "Heatmap nach Normabschnitten",
        "Lückenanalyse",
        "Nachweis (Fundstelle, sha256)",
        "Herkunft",
    ):
        assert chrome in text
    # The base pack's statements: title, requirement and fix from its catalog, the frame from qmscheck's.
    assert "Verwendete Messmittel sind innerhalb ihres Kalibrierfälligkeitsdatums" in text
    assert (
        "ISO 9001 7.1.5 verlangt: jedes verwendete Messmittel ist vor seinem Fälligkeitsdatum kalibriert oder "
        "verifiziert. Gesichtete Nachweise: CAL-007 (04 Records/Calibration Log.xlsx [Instruments] row 8). "
        "Nicht erfüllt: es fehlt: ein Kalibrierfälligkeitsdatum, das noch nicht verstrichen ist "
        "(Fälligkeitsdatum 2026-01-15, 75 Tage überfällig)."
    ) in text
    assert "Abhilfe: Das Messmittel sperren oder sofort kalibrieren" in text
    assert "Support" not in text and "Unterstützung" in text  # clause 7's heading, from the pack's catalog
    # Evidence is never translated.
    assert "04 Records/Calibration Log.xlsx" in text and "Marek Nowak" in text


def test_lang_es_writes_the_html_report_in_spanish(acme_scan: Path) -> None:
    text = page_text(rendered(acme_scan, "--lang", "es"))
    assert "Auditoría de etapa 2 No preparada: 1 no conformidad mayor y 11 no conformidades menores" in text
    assert "Evidencia comprendida" in text and "Análisis de brechas" in text
    assert "ISO 9001 7.1.5 exige que todo equipo de medición en uso esté calibrado o verificado" in text
    assert "Instruments in use are within their calibration due date" not in text


def test_english_is_the_default_and_reads_as_written(acme_scan: Path) -> None:
    english = rendered(acme_scan)
    assert rendered(acme_scan, "--lang", "en") == english
    text = page_text(english)
    assert '<html lang="en">' in english
    assert "Stage 2 audit Not ready: 1 major nonconformity and 11 minors" in text
    assert (
        "ISO 9001 7.1.5 expects that every measuring instrument in use is calibrated or verified before its due date."
    ) in text
    assert rendered(acme_scan, fmt="text") == rendered(acme_scan, "--lang", "en", fmt="text")


def test_the_text_report_follows_the_language(acme_scan: Path) -> None:
    text = rendered(acme_scan, "--lang", "de", fmt="text")
    assert "Nicht bereit: 1 Hauptabweichung und 11 Nebenabweichungen" in text
    assert "1 Hauptabweichung, 11 Nebenabweichungen, 2 Beobachtungen, 1 VP" in text


def test_the_json_records_the_language_and_stays_english(tmp_path: Path) -> None:
    saved = tmp_path / "scan.json"
    qmscheck("scan", ACME, "--no-index", "--lang", "de", "--format", "json", "-o", saved, "-q")
    data = saved.read_text(encoding="utf-8")
    assert '"language": "de"' in data
    assert "Not ready: 1 major nonconformity and 11 minors" in data
    assert "Nicht bereit" not in data
    # A saved scan keeps its language when rendered again, unless --lang says otherwise.
    assert "Nicht bereit" in rendered(saved)
    assert "No preparada" in rendered(saved, "--lang", "es")


def test_the_organisation_language_in_qmscheck_toml(tmp_path: Path) -> None:
    site = tmp_path / "acme"
    shutil.copytree(ACME, site, ignore=shutil.ignore_patterns(".qmscheck"))
    config = site / "qmscheck.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[organisation]\n", '[organisation]\nlanguage = "de"\n', 1), encoding="utf-8")
    result = qmscheck("scan", site, "--no-index", "--format", "html")
    assert '<html lang="de">' in result.stdout, result.stderr
    assert "Nicht bereit: 1 Hauptabweichung" in page_text(result.stdout)
    # --lang wins over the config.
    result = qmscheck("scan", site, "--no-index", "--format", "html", "--lang", "es")
    assert '<html lang="es">' in result.stdout


def test_an_unknown_language_is_a_usage_error_listing_the_available_ones(acme_scan: Path, tmp_path: Path) -> None:
    result = qmscheck("report", acme_scan, "--lang", "fr")
    assert result.returncode == 2
    assert "--lang: no report language 'fr' (available: de, en, es)" in result.stderr
    assert "Traceback" not in result.stderr
    site = tmp_path / "share"
    site.mkdir()
    (site / "qmscheck.toml").write_text('[organisation]\nname = "X"\nlanguage = "klingon"\n', encoding="utf-8")
    result = qmscheck("scan", site, "--no-index")
    assert result.returncode == 2
    assert "organisation.language" in result.stderr and "available: de, en, es" in result.stderr


def test_the_shipped_languages() -> None:
    assert available_languages() == ("de", "en", "es")


def catalogs() -> list[tuple[Path, Path]]:
    """(template, catalog) of qmscheck's own messages and the base pack's, for each translated language."""
    pairs = []
    for template in (LOCALE_DIR / "qmscheck.pot", PACK_LOCALE / "iso9001.pot"):
        domain = template.stem
        pairs += [(template, template.parent / language / "LC_MESSAGES" / f"{domain}.po") for language in TRANSLATED]
    return pairs


@pytest.mark.parametrize(("template", "catalog"), catalogs(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_message_of_the_template_is_translated(template: Path, catalog: Path) -> None:
    with template.open("rb") as file:
        wanted = {(message.context, message.id) for message in read_po(file) if message.id}
    with catalog.open("rb") as file:
        translated = read_po(file)
    have = {(message.context, message.id) for message in translated if message.id}
    assert wanted - have == set(), "messages not in the catalog: run pybabel update (docs/i18n.md)"
    assert have - wanted == set(), "messages no longer in the template: run pybabel update (docs/i18n.md)"
    untranslated = [
        message.id
        for message in translated
        if message.id and (not message.string or (isinstance(message.string, tuple) and not all(message.string)))
    ]
    assert untranslated == []
    assert [message.id for message in translated if message.id and message.fuzzy] == []


@pytest.mark.parametrize(("template", "catalog"), catalogs(), ids=lambda path: str(path.relative_to(ROOT)))
def test_the_committed_mo_is_compiled_from_the_po(template: Path, catalog: Path) -> None:
    """Compared message by message, not byte by byte: Babel versions lay a .mo file out differently."""
    with catalog.open("rb") as file:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(file))
    compiled.seek(0)
    with catalog.with_suffix(".mo").open("rb") as committed:
        assert _messages(read_mo(committed)) == _messages(read_mo(compiled)), "run pybabel compile (docs/i18n.md)"


def _messages(catalog: Catalog) -> dict[tuple[object, str | None], object]:
    def plain(text: object) -> object:  # a plural's forms come as a list or a tuple
        return tuple(text) if isinstance(text, list | tuple) else text

    return {(plain(message.id), message.context): plain(message.string) for message in catalog if message.id}


def test_the_templates_hold_every_message_the_code_and_the_pack_have(tmp_path: Path) -> None:
    pot = tmp_path / "qmscheck.pot"
    extract = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg")]
    keywords = ["-k", "N_", "-k", "N_plural:1,2", "-k", "GapGroup:2", "--no-location", "--sort-output"]
    subprocess.run([*extract, *keywords, "--omit-header", "-o", str(pot), str(ROOT / "core" / "qmscheck")], check=True)
    with pot.open("rb") as fresh, (LOCALE_DIR / "qmscheck.pot").open("rb") as committed:
        assert {m.id for m in read_po(fresh)} == {m.id for m in read_po(committed)}
    pack = subprocess.run(
        [sys.executable, "-m", "qmscheck.packtools.messages", str(ROOT / "rules" / "iso9001" / "pack.toml")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert pack.stdout == (PACK_LOCALE / "iso9001.pot").read_text(encoding="utf-8")


TINY_PACK = """
[pack]
name = "tiny"
version = "1.0.0"
api = ">=2,<3"
translations = "locale"

[standard]
id = "tiny"
name = "TINY 1"
title = "A tiny standard"
editions = ["2020"]

[clauses]
"7" = "Resources"
"7.1" = "Instruments"

[evidence_types.gauge_register]
kind = "record"
fields = ["gauge"]
label = ["gauge"]
"""

TINY_RULES = """
clause = "7.1"
title = "Instruments"

[[rules]]
id = "TNY001"
title = "A gauge register is kept"
clause = "7.1"
source = "standard"
requirement = "a register of gauges is kept"
why = "w"
fix = "Start a gauge register."
select = { type = "gauge_register" }
check = { kind = "exists" }
"""

TINY_DE = """
msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"

msgctxt "TNY001"
msgid "A gauge register is kept"
msgstr "Ein Lehrenverzeichnis wird geführt"

msgctxt "TNY001"
msgid "Start a gauge register."
msgstr "Ein Lehrenverzeichnis anlegen."

msgctxt "tiny"
msgid "Resources"
msgstr "Ressourcen"
"""


def test_a_pack_ships_its_own_translations(tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    (folder / "rules").mkdir(parents=True)
    (folder / "pack.toml").write_text(TINY_PACK, encoding="utf-8")
    (folder / "rules" / "7.1.toml").write_text(TINY_RULES, encoding="utf-8")
    messages = folder / "locale" / "de" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    with (messages / "tiny.mo").open("wb") as file:
        write_mo(file, read_po(io.BytesIO(TINY_DE.encode())))
    pack = RulePack.from_manifest(folder / "pack.toml")

    class Tiny:
        @hookimpl
        def qmscheck_register_rule_packs(self, register):  # type: ignore[no-untyped-def]
            register(pack)

    share = tmp_path / "share"
    share.mkdir()
    (share / "notes.md").write_text("# Notes\n\nNothing about gauges.\n", encoding="utf-8")
    plugins = load_plugins([Tiny()], entry_points=False)
    report = scan(ScanRequest(target=share, packs=("tiny",)), plugins)
    assert [finding.rule_id for finding in report.findings if finding.pack == "tiny"] == ["TNY001"]
    german = page_text(HtmlRenderer().render(report.model_copy(update={"language": "de"})))
    assert "Ein Lehrenverzeichnis wird geführt" in german
    assert "Abhilfe: Ein Lehrenverzeichnis anlegen." in german
    assert "7 Ressourcen" in german  # the heat-map's row of clause 7, headed from the pack's catalog
    # A text the pack's catalog leaves out stays as written, inside the translated frame.
    assert "verlangt: a register of gauges is kept." in german
    english = page_text(HtmlRenderer().render(report))
    assert "A gauge register is kept" in english and "Ein Lehrenverzeichnis" not in english


def test_the_markdown_report_follows_the_language(acme_scan: Path) -> None:
    german = rendered(acme_scan, "--lang", "de", fmt="markdown")
    assert german.startswith("# qmscheck-Bericht: Acme Precision Parts Ltd\n")
    assert "**Stufe 2: Nicht bereit: 1 Hauptabweichung und 11 Nebenabweichungen**" in german
    assert "| Einstufung | Abschnitt | Regel | Feststellung | Nachweis |" in german
    assert "*Abhilfe:* Das Messmittel sperren oder sofort kalibrieren" in german
    assert "## Vor Ort zu verifizieren (16)" in german
    assert "nicht anwendbar: Abschnitt 8.3 für nicht anwendbar erklärt" in german  # why a rule did not run
    assert "Zusammenfassung: 1 Hauptabweichung, 11 Nebenabweichungen, 2 Beobachtungen, 1 VP" in german
    for english in ("Stage 2", "expects that", "Evidence seen", "Not met", "Fix:", "Summary:", "To verify on site"):
        assert english not in german
    spanish = rendered(acme_scan, "--lang", "es", fmt="markdown")
    assert "**Etapa 2: No preparada: 1 no conformidad mayor y 11 no conformidades menores**" in spanish
    assert "ISO 9001 7.1.5 exige que todo equipo de medición en uso esté calibrado o verificado" in spanish
    assert "Not met" not in spanish and "Evidence seen" not in spanish


def sarif_of(saved: Path, language: str) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(rendered(saved, "--lang", language, fmt="sarif"))
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(log)
    return log


def test_the_sarif_texts_follow_the_language_and_the_rule_ids_do_not(acme_scan: Path) -> None:
    english, german, spanish = (sarif_of(acme_scan, language) for language in ("en", "de", "es"))
    run_en, run_de, run_es = (log["runs"][0] for log in (english, german, spanish))
    assert [rule["id"] for rule in run_de["tool"]["driver"]["rules"]] == [
        rule["id"] for rule in run_en["tool"]["driver"]["rules"]
    ]
    assert [result["ruleId"] for result in run_es["results"]] == [result["ruleId"] for result in run_en["results"]]
    rules = {rule["id"]: rule for rule in run_de["tool"]["driver"]["rules"]}
    calibration = rules["CAL001"]
    assert (
        calibration["shortDescription"]["text"]
        == "Verwendete Messmittel sind innerhalb ihres Kalibrierfälligkeitsdatums"
    )
    assert calibration["fullDescription"]["text"].startswith("ISO 9001 7.1.5 verlangt: jedes verwendete Messmittel")
    assert calibration["help"]["text"].startswith("Das Messmittel sperren oder sofort kalibrieren")
    messages = [result["message"]["text"] for result in run_de["results"]]
    assert all("expects that" not in message and " Not met" not in message for message in messages)
    assert any("Kein Nachweis gefunden" in message or "kein Nachweis gefunden" in message for message in messages)
    knowledge = next(result for result in run_de["results"] if result["ruleId"] == "KNW001")
    assert knowledge["locations"][0]["message"]["text"] == "kein Nachweis gefunden (Lessons learned)"
    spanish_rules = {rule["id"]: rule for rule in run_es["tool"]["driver"]["rules"]}
    assert "Instruments in use" not in spanish_rules["CAL001"]["shortDescription"]["text"]


def test_the_junit_messages_follow_the_language(acme_scan: Path) -> None:
    root = ET.fromstring(rendered(acme_scan, "--lang", "de", fmt="junit").encode())
    suites = [suite.get("name") for suite in root.iter("testsuite")]
    assert "ISO 9001:2015 Abschnitt 7: Unterstützung" in suites and "vor Ort zu verifizieren" in suites
    failures = {failure.get("message", "") for failure in root.iter("failure")}
    assert any(message.startswith("ISO 9001 7.1.5 verlangt:") for message in failures)
    bodies = "\n".join(failure.text or "" for failure in root.iter("failure"))
    assert "Hauptabweichung (CMP001-" in bodies and "Abhilfe: " in bodies and "Nachweis: 04 Records/" in bodies
    assert "fix: " not in bodies and "evidence: " not in bodies
    skipped = {element.get("message") for element in root.iter("skipped")}
    assert "veraltet" in skipped and "deprecated" not in skipped
    names = [case.get("name", "") for case in root.iter("testcase")]
    assert "CAL001 Verwendete Messmittel sind innerhalb ihres Kalibrierfälligkeitsdatums" in names
    spanish = ET.fromstring(rendered(acme_scan, "--lang", "es", fmt="junit").encode())
    assert any((f.get("message") or "").startswith("ISO 9001 7.1.5 exige que") for f in spanish.iter("failure"))


#: CAL001's near miss at Acme, in German: everything but the evidence (the label CAL-004, the
#: locator, the dates) is the catalogs' words.
CAL001_NEAR_MISS_DE = (
    "ISO 9001 7.1.5 verlangt: jedes verwendete Messmittel ist vor seinem Fälligkeitsdatum kalibriert oder "
    "verifiziert. Gesichtete Nachweise: CAL-004 (04 Records/Calibration Log.xlsx [Instruments] row 5). Nicht "
    "erfüllt: bis 2026-04-30 wird fehlen: ein Kalibrierfälligkeitsdatum, das noch nicht verstrichen ist "
    "(Fälligkeitsdatum 2026-04-15). 1 von 7 geprüft (Kalibriernachweise)."
)
#: Words of the English statements none of the German ones may keep (evidence text aside).
ENGLISH_WORDS = re.compile(
    r"\b(?:expects|Evidence seen|Not met|lacks|will lack|matching|was found|checked|instances|days past|due date|"
    r"training records?|calibration records?|employees|is listed|held by|does not address|newest|late against|"
    r"one being due|its own|Also \()"
)


def test_a_german_statement_keeps_no_english_but_the_evidence(acme_scan: Path) -> None:
    report = Report.model_validate_json(acme_scan.read_text(encoding="utf-8"))
    load_plugins()  # the base pack's catalog
    german = translator("de")
    near = next(f for f in report.findings if f.rule_id == "CAL001" and f.grade is Grade.OBSERVATION)
    assert statement(near, german) == CAL001_NEAR_MISS_DE
    for finding in report.findings:
        text = statement(finding, german)
        for ref in finding.evidence:
            text = text.replace(ref.locator, "").replace(ref.label, "")
        # The organisation's own words: the source an interval or deadline is stated in.
        text = re.sub(r"Acme's quality objectives and KPI plan \([^)]*\)", "", text)
        assert ENGLISH_WORDS.findall(text) == [], finding.rule_id


def test_the_terms_hold_every_built_in_type_field_and_topic() -> None:
    vocabulary = tomllib.loads((ROOT / "core" / "qmscheck" / "vocabulary" / "en.toml").read_text(encoding="utf-8"))
    wanted = {
        words for name in EVIDENCE_TYPES for words in (name.replace("_", " "), _plural(name.replace("_", " "), 2))
    }
    wanted |= {field_words(name) for name in vocabulary["fields"]}
    wanted |= {name.replace("_", " ") for name in vocabulary["topics"] if not name.endswith("_word")}
    assert wanted - set(TERMS) == set()


def test_the_stderr_summary_follows_the_language(acme_scan: Path, tmp_path: Path) -> None:
    result = qmscheck("report", acme_scan, "--lang", "de", "--format", "markdown", "-o", tmp_path / "bericht.md")
    assert result.returncode == 0, result.stderr
    assert (
        f"1 Hauptabweichung, 11 Nebenabweichungen, 2 Beobachtungen, 1 VP - Bericht geschrieben nach "
        f"{tmp_path / 'bericht.md'}"
    ) in result.stderr
    result = qmscheck("report", acme_scan, "--lang", "es", "--format", "json")
    assert result.stderr.strip().endswith("1 mayor, 11 menores, 2 observaciones, 1 OM")
    assert "major" not in qmscheck("report", acme_scan, "--lang", "de", "--format", "sarif").stderr


def test_every_format_is_the_same_twice_in_each_language(acme_scan: Path) -> None:
    saved = acme_scan.read_text(encoding="utf-8")
    plugins = load_plugins()
    for language in TRANSLATED:
        for name in ("markdown", "sarif", "junit", "text"):
            renderer = plugins.renderers.get(name)
            first, second = (
                renderer.render(Report.model_validate_json(saved).model_copy(update={"language": language}))
                for _ in range(2)
            )
            assert first == second
