"""Exclusions declared in the documents (a scope statement, the manual's scope section) are read in
every supported language and judged like the ones configured in qmscheck.toml."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from qmscheck.checking.scope import declared_exclusions
from qmscheck.model.evidence import EvidenceItem, Organisation
from qmscheck.model.grades import Grade
from qmscheck.testing import check_items, item

AS_OF = date(2026, 3, 31)
DESIGN_RULE = """clause = "8.3"
title = "t"

[[rules]]
id = "TST001"
title = "Design records exist"
clause = "8.3.2"
stages = [1, 2]
source = "iso9001"
requirement = "design records are kept"
why = "w"
fix = "f"
evidence = "e"
select = { type = "design_project" }
check = { kind = "exists" }
"""


def manual(text: str, ref: str = "QM-01 Quality Manual.md") -> EvidenceItem:
    found = item("quality_manual", ref)
    return found.model_copy(update={"text": text})


@pytest.fixture
def design_pack(tmp_path: Path) -> Path:
    (tmp_path / "8.3.toml").write_text(DESIGN_RULE, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "text",
    [
        "## Scope\n\nClause 8.3 is not applicable because all labels are printed to the customer's own artwork.\n",
        "## 2.1 Requisitos no aplicables\n\n**Apartado 8.3 (Diseño y desarrollo): no aplicable.** Todas las piezas\n"
        "se fabrican según planos del cliente.\n",
        "1. Campo di applicazione\nIl requisito 8.3 (progettazione e sviluppo) non è applicabile: "
        "l'officina lavora solo su disegni del cliente.\n",
        "Geltungsbereich\nAbschnitt 8.3 (Entwicklung) ist nicht anwendbar, da wir ausschließlich nach "
        "Kundenzeichnung fertigen.\n",
        "Domaine d'application\nL'exigence 8.3 n'est pas applicable : nous fabriquons uniquement sur plan du client.\n",
    ],
)
def test_a_justified_exclusion_in_any_language_makes_the_design_rules_not_applicable(
    design_pack: Path, text: str
) -> None:
    report = check_items(design_pack, [manual(text)], as_of=AS_OF)
    assert report.findings == []
    (excluded,) = report.not_applicable
    assert excluded.clause == "8.3" and excluded.rule_ids == ["TST001"]
    assert "QM-01 Quality Manual.md" in excluded.justification


def test_the_declaration_cites_the_section_it_stands_under() -> None:
    text = "Quality Manual\nScope\nLabels for food producers. Clause 8.3 is not applicable because artwork is the customer's.\n"
    (declared,) = declared_exclusions([manual(text, "HL-QM-01.docx")])
    assert declared.where == "HL-QM-01.docx [Scope]"
    assert declared.exclusion.justification == "because artwork is the customer's"


def test_an_exclusion_without_a_reason_is_a_minor_finding_citing_the_manual(design_pack: Path) -> None:
    report = check_items(design_pack, [manual("## Scope\n\nClause 8.3 is not applicable.\n")], as_of=AS_OF)
    scope = [f for f in report.findings if f.rule_id == "SCOPE001"]
    assert [(f.grade, f.evidence[0].locator) for f in scope] == [(Grade.MINOR, "QM-01 Quality Manual.md")]
    assert "no adequate justification" in scope[0].statement and "declared in QM-01" in scope[0].statement
    # The exclusion is not valid, so the design rule still runs (and finds no design record).
    assert report.not_applicable == [] and any(f.rule_id == "TST001" for f in report.findings)


def test_a_clause_that_may_not_be_excluded_is_a_major_finding(design_pack: Path) -> None:
    text = "## Scope\n\nClause 7.1.5 does not apply, as our customers inspect every part themselves.\n"
    report = check_items(design_pack, [manual(text)], as_of=AS_OF)
    scope = [f for f in report.findings if f.rule_id == "SCOPE001"]
    assert [f.grade for f in scope] == [Grade.MAJOR] and "7.1.5 cannot be declared" in scope[0].statement


def test_settings_that_list_other_exclusions_conflict_with_the_manual(design_pack: Path) -> None:
    text = "## Scope\n\nClause 8.3 is not applicable because we only build to print.\n"
    settings = Organisation(exclusions=[])
    report = check_items(design_pack, [manual(text)], as_of=AS_OF, organisation=settings)
    scope = [f for f in report.findings if f.rule_id == "SCOPE001"]
    assert [f.grade for f in scope] == [Grade.OBSERVATION]
    assert "do not exclude it" in scope[0].statement and report.not_applicable == []


def test_configured_and_declared_exclusions_combine(design_pack: Path) -> None:
    text = "## Scope\n\nClause 8.3 is not applicable because we only build to print.\n"
    settings = Organisation(exclusions=[{"clause": "8.3", "justification": "We build only to customer drawings."}])
    report = check_items(design_pack, [manual(text)], as_of=AS_OF, organisation=settings)
    assert report.findings == []
    (excluded,) = report.not_applicable
    assert excluded.justification.startswith("We build only to customer drawings.")


@pytest.mark.parametrize(
    "text",
    [
        "## Scope\n\nAll requirements of ISO 9001 apply; none is excluded from the scope.\n",
        "## Policy\n\nWe meet applicable requirements. Reviewed on 10.01.2026, not applicable to visitors.\n",
        "| Clause | Applicability |\n|---|---|\n| 8.3 | not applicable |\n",
    ],
)
def test_text_that_excludes_no_clause_declares_nothing(text: str) -> None:
    assert declared_exclusions([manual(text)]) == []
