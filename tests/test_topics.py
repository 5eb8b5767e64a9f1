"""Topics: the words of every supported language that say a text addresses what a rule looks for."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from qmscheck.checking.explain import explain_text, find_rule
from qmscheck.checking.packs import RulePack, load_packs
from qmscheck.checking.ruledocs import load_base_pack
from qmscheck.checking.topics import Topics, builtin_topics, topics_in
from qmscheck.errors import RulePackError
from qmscheck.hookspecs import hookimpl
from qmscheck.plugins.manager import load_plugins
from qmscheck.testing import check_items, item
from qmscheck.vocabulary import LANGUAGES, Vocabulary, VocabularyError, VocabularyFile, builtin

AS_OF = date(2026, 3, 31)
RULE = (
    'clause = "9.3"\ntitle = "t"\n\n[[rules]]\nid = "TST001"\ntitle = "t"\nclause = "9.3"\n'
    'requirement = "r"\nwhy = "w"\nfix = "f"\ngrade = "minor"\nselect = {{ type = "management_review_minutes" }}\n'
    'check = {{ kind = "mentions", topics = {topics} }}\n'
)


def pack(tmp_path: Path, topics: str) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir(exist_ok=True)
    (folder / "9.3.toml").write_text(RULE.format(topics=topics), encoding="utf-8")
    return folder


def test_every_topic_has_words_in_every_shipped_language() -> None:
    topics = builtin_topics()
    assert topics.ids
    for topic in sorted(topics.ids):
        assert topics.languages(topic) == LANGUAGES, topic


@pytest.mark.parametrize(
    "text,topic",
    [
        ("### Adecuación de los recursos\nSe necesita un segundo operario.", "adequacy_of_resources"),
        ("Prestazioni dei fornitori esterni: tutti valutati.", "supplier_performance"),
        ("Satisfacción del cliente: encuesta 8,1 sobre 10.", "customer_satisfaction"),
        ("Kundenzufriedenheit: Befragung 2025.", "customer_satisfaction"),
        ("Les résultats des audits internes", "audit_results"),
        ("La politique est affichée dans l'atelier.", "policy_communication"),
        ("3. Ruoli, responsabilità e autorità", "responsibilities_and_authorities"),
        ("Cambio climático: episodios de calor", "climate_change"),
    ],
)
def test_a_topic_is_found_in_any_language(text: str, topic: str) -> None:
    assert topic in builtin_topics().found(text)


def test_a_phrase_counts_for_its_own_topic_not_for_the_words_inside_it() -> None:
    found = builtin_topics().found
    # An input of the review, and the policy's commitment: neither is a decision to improve.
    assert "improvement_decisions" not in found("Opportunities for improvement: automate inspection.")
    assert "improvement_opportunities" in found("Opportunities for improvement: automate inspection.")
    assert "improvement_decisions" not in found("We commit to continual improvement.")
    assert "improvement_decisions" not in found("### Oportunidades de mejora\nAutomatizar el registro.")


@pytest.mark.parametrize(
    "text",
    [
        "Improvement: inline camera on the digital press",
        "| Improvement: automate release evidence | Dan Okoro |",
        "| Objetivo 2026 de chatarra de láser ≤ 4 % (mejora) | Pilar Gimeno |",
        "Miglioramento: misura in macchina sul centro 4",
    ],
)
def test_a_word_that_must_stand_on_its_own_counts_as_a_label_cell_or_tag(text: str) -> None:
    assert "improvement_decisions" in builtin_topics().found(text)


def test_a_heading_counts_without_its_numbering_and_a_passing_word_does_not() -> None:
    found = builtin_topics().found
    assert "processes_and_their_interaction" in found("## 3. Processes\n\nSales, prepress, printing.")
    assert "processes_and_their_interaction" in found("Processes\nSales and order entry (Jo Pickles)")
    assert "processes_and_their_interaction" not in found("Our processes are described in the procedures.")


def test_minutes_in_spanish_and_italian_cover_the_review_and_miss_only_what_is_missing(tmp_path: Path) -> None:
    topics = '["supplier_performance", "adequacy_of_resources", "improvement_opportunities", "customer_satisfaction"]'
    rules = pack(tmp_path, topics)
    spanish = item(
        "management_review_minutes",
        "es",
        issued=date(2025, 12, 12),
        text="### Satisfacción del cliente\nEncuesta 8,1.\n### Adecuación de los recursos\nUn operario más.\n"
        "### Oportunidades de mejora\nAutomatizar el registro.",
    )
    report = check_items(rules, [spanish], as_of=AS_OF)
    assert [finding.statement.split(": ")[-1] for finding in report.findings] == ["supplier performance."]
    italian = item(
        "management_review_minutes",
        "it",
        issued=date(2026, 1, 12),
        text="Soddisfazione del cliente e reclami\nPrestazioni dei fornitori esterni\nAdeguatezza delle risorse\n"
        "Opportunità di miglioramento",
    )
    assert check_items(rules, [spanish, italian], as_of=AS_OF).findings == []


def test_an_unknown_topic_fails_the_pack_naming_the_rule_and_the_closest_topic(tmp_path: Path) -> None:
    folder = pack(tmp_path, '["supplier_performence"]')
    with pytest.raises(RulePackError) as raised:
        load_packs([RulePack("test", "1", folder, api=">=2")])
    message = str(raised.value)
    assert "rule TST001" in message and "unknown topic 'supplier_performence'" in message
    assert "did you mean 'supplier_performance'" in message


def test_explain_shows_the_english_words_and_the_other_languages() -> None:
    loaded = find_rule(load_base_pack(), "MRV002")
    assert loaded is not None
    text = explain_text(loaded)
    assert "- supplier performance (`supplier_performance`): any of 'performance of external providers'" in text
    assert "and its equivalents in German, French, Spanish, Italian, Portuguese, Dutch and Swedish" in text


def test_a_faulty_topic_term_is_a_clear_error() -> None:
    file = VocabularyFile("short.toml", 'language = "en"\n[topics]\nresource_needs = ["re*"]\n')
    with pytest.raises(VocabularyError, match=r"resource_needs: 're\*': a prefix needs at least 4 letters"):
        Topics(Vocabulary([*builtin().files, file]))


def test_a_plugins_topics_are_found_once_its_words_are_in_use() -> None:
    class Words:
        @hookimpl
        def qmscheck_register_vocabulary(self, register):  # type: ignore[no-untyped-def]
            register(VocabularyFile("topics.toml", 'language = "pl"\n[topics]\nsites = ["zakład"]\n'))

    try:
        plugins = load_plugins([Words()], entry_points=False)
        assert not plugins.failed
        assert "sites" in topics_in("Nasz zakład w Gdańsku")
    finally:
        load_plugins(entry_points=False)
    assert "sites" not in topics_in("Nasz zakład w Gdańsku")
