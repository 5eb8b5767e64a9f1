"""Markdown: a headline, a table per clause, evidence locators; evidence text cannot break the tables."""

from __future__ import annotations

import re

import pytest
from qmscheck.rendering.markdown import MarkdownRenderer, md
from test_render_golden import golden_report

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


@pytest.fixture(scope="module")
def rendered() -> str:
    return MarkdownRenderer().render(golden_report())


def test_headline_and_counts(rendered: str) -> None:
    lines = rendered.splitlines()
    assert lines[0] == r"# qmscheck report: Acme \<Precision\> \& Parts \| Ltd"
    assert "**Stage 2: Not ready: 2 major nonconformities and 4 minors; 1 evidence request to answer**" in lines
    assert "| 2 | 4 | 1 | 1 | 1 |" in lines


def test_one_section_per_clause_in_clause_order(rendered: str) -> None:
    headings = [line for line in rendered.splitlines() if line.startswith("## Clause")]
    assert headings == [
        "## Clause 4: Context of the organization",
        "## Clause 7: Support",
        "## Clause 8: Operation",
        "## Clause 9: Performance evaluation",
        "## Clause 10: Improvement",
    ]


def tables(rendered: str) -> list[list[str]]:
    found: list[list[str]] = []
    previous = ""
    for line in rendered.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                found.append([])
            found[-1].append(line)
        previous = line
    return found


def test_every_table_row_has_exactly_the_header_columns(rendered: str) -> None:
    all_tables = tables(rendered)
    assert len(all_tables) == 1 + 5 + 2 + 1  # counts, one per clause, passed and not run, not applicable
    for table in all_tables:
        header = len(UNESCAPED_PIPE.findall(table[0]))
        assert all(len(UNESCAPED_PIPE.findall(row)) == header for row in table), table
    finding_rows = [row for table in all_tables[1:6] for row in table[2:]]
    assert len(finding_rows) == len(golden_report().findings)


def test_pipes_in_titles_are_escaped(rendered: str) -> None:
    assert r"Controlled documents are reviewed \| re\-approved" not in rendered  # hyphens are left alone
    assert r"Controlled documents are reviewed \| re-approved by their due date" in rendered


def test_evidence_locators_hashes_and_absences_are_listed(rendered: str) -> None:
    assert r"04 Records/Training Matrix.xlsx \[Training\] row 15 (sha256 67872f356fc7)" in rendered
    assert "not found: no lessons learned log was found" in rendered
    assert "`https://erp.acme.test/odoo` res.partner/42" in rendered


def test_html_from_evidence_stays_text(rendered: str) -> None:
    # Only the renderer's own line breaks and folds are HTML; every "<" from the report is escaped.
    own = {"<br>", "<details>", "</details>", "<summary>", "</summary>"}
    assert set(re.findall(r"(?<!\\)<[^>]*>", rendered)) == own
    assert r"\<img src=x onerror=" in rendered
    assert r"\<script\>alert(1)\</script\>" in rendered


def test_manual_checks_are_listed_to_verify_on_site(rendered: str) -> None:
    section = rendered.split("## To verify on site (2)\n", 1)[1].split("\n## ", 1)[0]
    assert "<details><summary>7.3 People know the policy, their objectives and their part</summary>" in section
    assert "- Ask about \\<script\\>alert(1)\\</script\\> \\| pipes." in section
    assert section.index("10.3 The QMS") > section.index("7.3 People")
    assert section.count("<details>") == section.count("</details>") == 2


def test_passed_rules_and_rules_not_run_are_folded(rendered: str) -> None:
    passed = rendered.split("## Rules that passed (3)\n", 1)[1].split("\n## ", 1)[0]
    assert passed.lstrip().startswith("<details><summary>") and passed.rstrip().endswith("</details>")
    rows = [line for line in passed.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [row.split(" | ")[1] for row in rows] == ["POL001", "CAL003", "NCR002"]
    assert "corrective\\_action: none found, nothing to check" in passed
    not_run = rendered.split("## Rules that did not run (3)\n", 1)[1].split("\n## ", 1)[0]
    assert "| 9.2.2 | AUD009 | Audit programme reviewed at stage 1 | stage 1 only |" in not_run


def test_not_applicable_and_warnings(rendered: str) -> None:
    assert r"| 8.3 | No design \| development work | DES001, DES002 |" in rendered
    assert "## Evidence that could not be read (1)" in rendered


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a | b", r"a \| b"),
        ("*bold* _it_", r"\*bold\* \_it\_"),
        ("[x](y)", r"\[x\](y)"),
        ("line\nbreak", "line break"),
        ("a\\|b", r"a\\\|b"),
        ("&amp;", r"\&amp;"),
    ],
)
def test_md_escape(text: str, expected: str) -> None:
    assert md(text) == expected
