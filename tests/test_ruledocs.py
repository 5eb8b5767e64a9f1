"""The generated rule reference is current, and ``rules explain`` prints the same text."""

from __future__ import annotations

import ast
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from iso_clauses import ISO_9001_CLAUSES
from qmscheck.checking.explain import check_sentence, explain_text, find_rule
from qmscheck.checking.packs import LoadedPacks, base_pack, load_packs
from qmscheck.checking.ruledocs import TABLE_BEGIN, TABLE_END, load_base_pack, main, rule_page, with_grade_table, write
from qmscheck.cli import main as cli_main
from qmscheck.model.evidence import Organisation
from qmscheck.plugins.manager import load_plugins
from qmscheck.testing import check_items

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
REGENERATE = "run `python -m qmscheck.checking.ruledocs docs/rules` and commit the result"


@pytest.fixture(scope="module")
def packs() -> LoadedPacks:
    return load_base_pack()


def test_committed_rule_docs_are_current(tmp_path: Path, packs: LoadedPacks) -> None:
    shutil.copy(DOCS / "grading.md", tmp_path / "grading.md")
    write(tmp_path / "rules", packs, grading=tmp_path / "grading.md")
    fresh = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "rules").glob("*.md")}
    committed = {p.name: p.read_text(encoding="utf-8") for p in (DOCS / "rules").glob("*.md")}
    missing = sorted(set(fresh) - set(committed))
    extra = sorted(set(committed) - set(fresh))
    stale = sorted(name for name in set(fresh) & set(committed) if fresh[name] != committed[name])
    assert not (missing or extra or stale), (
        f"docs/rules is stale (missing {missing}, no longer generated {extra}, out of date {stale}): {REGENERATE}"
    )
    regenerated = (tmp_path / "grading.md").read_text(encoding="utf-8")
    committed_grading = (DOCS / "grading.md").read_text(encoding="utf-8")
    assert regenerated == committed_grading, f"the grade table in docs/grading.md is stale: {REGENERATE}"


def test_one_page_per_rule_and_an_index(packs: LoadedPacks) -> None:
    index = (DOCS / "rules" / "README.md").read_text(encoding="utf-8")
    for loaded in packs.rules:
        assert f"[{loaded.rule.id}]({loaded.rule.id}.md)" in index
    assert index.index("## 4.1 ") < index.index("## 7.1 ") < index.index("## 10.2 ")


def test_generation_is_deterministic_and_removes_stale_pages(tmp_path: Path, packs: LoadedPacks) -> None:
    out = tmp_path / "rules"
    out.mkdir()
    (out / "OLD999.md").write_text("gone", encoding="utf-8")
    write(out, packs)
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert "OLD999.md" not in first
    assert write(out, packs) == []
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first


def test_main_writes_pages_and_the_grade_table(tmp_path: Path) -> None:
    (tmp_path / "grading.md").write_text(f"intro\n{TABLE_BEGIN}\nold\n{TABLE_END}\nend\n", encoding="utf-8")
    assert main([str(tmp_path / "rules")]) == 0
    grading = (tmp_path / "grading.md").read_text(encoding="utf-8")
    assert "old" not in grading and "| [CAL001](rules/CAL001.md) | 7.1.5 | iso9001 | minor |" in grading
    assert grading.startswith("intro\n") and grading.endswith(f"{TABLE_END}\nend\n")
    assert (tmp_path / "rules" / "CAL001.md").is_file()


def test_grade_table_needs_markers() -> None:
    with pytest.raises(ValueError, match="markers"):
        with_grade_table("no markers here", "table")


def test_check_sentences_read_from_the_rule(packs: LoadedPacks) -> None:
    rules = {loaded.rule.id: loaded.rule for loaded in packs.rules}
    assert check_sentence(rules["CAL001"]) == (
        "Every calibration record whose status is not one of retired, out of service, scrapped, quarantined, "
        "disposed must have a due date on or after the scan date."
    )
    assert check_sentence(rules["POL001"]) == "There must be at least one quality policy."
    assert "12 months before the scan date" in check_sentence(rules["SUP001"])
    assert "within the organisation's complaint_closure_time of its issued date" in check_sentence(rules["CUS001"])
    assert check_sentence(rules["AUD001"]).startswith("Every process in the organisation's process list")


def test_explain_prints_the_rule(packs: LoadedPacks) -> None:
    result = CliRunner().invoke(cli_main, ["rules", "explain", "cal001"])
    assert result.exit_code == 0, result.output
    loaded = next(loaded for loaded in packs.rules if loaded.rule.id == "CAL001")
    assert result.output == explain_text(loaded)
    for part in (
        "# CAL001: Instruments in use are within their calibration due date",
        "ISO 9001 7.1.5",
        "minor (Minor nonconformity)",
        "become one major nonconformity",
        "within 30 days is an observation",
        "stage 2",
        "2015, 2026",
        "## Why it matters",
        "## Evidence expected",
        "- Passing: CAL-001",
        "- Failing: CAL-007",
        "`overdue_instrument_in_use`",
        "## How to fix",
    ):
        assert part in result.output
    assert rule_page(loaded).count(result.output) == 1


def test_explain_unknown_rule_suggests_close_matches() -> None:
    result = CliRunner().invoke(cli_main, ["rules", "explain", "CAL01"])
    assert result.exit_code == 2
    assert "no rule with id 'CAL01'" in result.output
    assert "CAL001" in result.output and "CAL002" in result.output


def test_explain_unknown_rule_without_matches() -> None:
    result = CliRunner().invoke(cli_main, ["rules", "explain", "ZZZZ"])
    assert result.exit_code == 2
    assert "qmscheck rules" in result.output


def test_every_clause_has_a_rule_or_a_documented_reason() -> None:
    import re

    root = Path(__file__).resolve().parents[1]
    packs = load_packs([base_pack()])
    ruled = {loaded.rule.clause for loaded in packs.rules}
    grading = (root / "docs" / "grading.md").read_text(encoding="utf-8")
    section = grading.split("## Clauses without an evidence check", 1)[1].split("\n## ", 1)[0]
    explained = {
        c
        for row in section.splitlines()
        if row.startswith("| ")
        for c in re.findall(r"\b\d+(?:\.\d+)+\b", row.split("|")[1])
    }

    def covered(clause: str) -> bool:
        return any(clause == r or clause.startswith(r + ".") for r in ruled) or clause in explained

    assert [c for c in ISO_9001_CLAUSES if not covered(c)] == []
    assert len(packs.rules) >= 50


# --- every finding a scan can emit is explainable ----------------------------------------------

CORE = REPO / "core" / "qmscheck"
RULE_ID = re.compile(r"^[A-Z]{2,8}[0-9]{3}$")


def _calls_to(tree: ast.AST, name: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) == name or getattr(node.func, "attr", None) == name)
    ]


def test_findings_take_their_rule_id_from_a_rule() -> None:
    """No code makes up a rule id for a finding: each comes from a rule some pack declares."""
    literal = [
        f"{path.relative_to(REPO)}:{call.lineno}"
        for path in sorted(CORE.rglob("*.py"))
        for call in _calls_to(ast.parse(path.read_text(encoding="utf-8")), "Finding")
        for keyword in call.keywords
        if keyword.arg == "rule_id" and isinstance(keyword.value, ast.Constant)
    ]
    assert not literal, f"findings with a rule id written in code: {literal}"


def test_every_rule_id_named_in_the_code_is_explainable(packs: LoadedPacks) -> None:
    named = {
        node.value
        for path in sorted(CORE.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and RULE_ID.match(node.value)
    }
    assert "SCOPE001" in named
    assert sorted(rule_id for rule_id in named if find_rule(packs, rule_id) is None) == []


def test_scope_findings_are_explained_by_the_rule_that_grades_them(packs: LoadedPacks) -> None:
    organisation = Organisation(
        exclusions=[{"clause": "7.1.5", "justification": "We do not think it matters."}, {"clause": "8.3"}]
    )
    report = check_items(
        list(load_plugins(entry_points=False).rule_packs), [], as_of=date(2026, 3, 31), organisation=organisation
    )
    scope = [finding for finding in report.findings if finding.rule_id == "SCOPE001"]
    assert sorted(finding.grade.value for finding in scope) == ["major", "minor"]
    assert all(find_rule(packs, finding.rule_id) is not None for finding in report.findings)
    rule = find_rule(packs, "SCOPE001")
    assert rule is not None and all(finding.why == " ".join(rule.rule.why.split()) for finding in scope)
    result = CliRunner().invoke(cli_main, ["rules", "explain", "SCOPE001"])
    assert result.exit_code == 0 and "major (Major nonconformity) when the excluded requirement" in result.output
