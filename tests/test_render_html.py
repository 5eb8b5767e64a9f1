"""HTML: self-contained, escaped, with the verdicts, evidence understood, heat-map, gap analysis, findings
table and provenance. How the page behaves in a browser: tests/test_render_html_browser.py."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from qmscheck.model.grades import GRADE_ORDER, Grade
from qmscheck.model.report import Finding, NotUnderstood, Understanding
from qmscheck.rendering.gaps import ALL_GROUPS, TOPIC_GROUPS, gap_analysis, groups_of, topic_group
from qmscheck.rendering.html import SHORT_HASH, HtmlRenderer, evidence_href
from qmscheck.rendering.html_assets import SCRIPT, STYLE
from test_render_golden import SHA_TRAINING, XSS, XSS_FLAG, golden_findings, golden_report


class Page(HTMLParser):
    """Just enough of a DOM for assertions: tags with attributes, and text per element id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._raw: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._raw = tag

    def handle_endtag(self, tag: str) -> None:
        self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw == "script":
            self.scripts.append(data)
        elif self._raw == "style":
            self.styles.append(data)
        else:
            self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


@pytest.fixture(scope="module")
def html() -> str:
    return HtmlRenderer().render(golden_report())


@pytest.fixture(scope="module")
def page(html: str) -> Page:
    return Page(html)


def _csp_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_self_contained_nothing_loaded_from_anywhere(html: str, page: Page) -> None:
    assert not page.find("link") and not page.find("img") and not page.find("iframe")
    assert all("src" not in attrs for _, attrs in page.tags), "no element may load a resource"
    hrefs = [attrs["href"] or "" for _, attrs in page.tags if "href" in attrs]
    # Links within the page, and to evidence files relative to the page: no scheme, host or absolute path.
    assert {href for href in hrefs if href.startswith("#")} == {f"#finding-{f.id}" for f in golden_findings()}
    files = {href for href in hrefs if not href.startswith("#")}
    assert files and all(re.fullmatch(r"[\w%.\-~]+(/[\w%.\-~]+)*", href) for href in files), files
    assert not re.search(r"@import|url\(|@font-face", "".join(page.styles))
    assert page.scripts == [SCRIPT] and page.styles == [STYLE]


def test_content_security_policy_allows_only_the_inline_style_and_script(page: Page) -> None:
    (meta,) = page.find("meta", http_equiv="Content-Security-Policy")
    policy = meta["content"] or ""
    assert "default-src 'none'" in policy
    assert f"script-src {_csp_source(SCRIPT)};" in policy
    assert f"style-src {_csp_source(STYLE)};" in policy


def test_evidence_script_appears_only_escaped(html: str, page: Page) -> None:
    assert XSS not in html and XSS_FLAG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script>") == 1
    assert any(XSS in text for text in page.text)  # shown to the reader, as text
    assert not [attrs for _, attrs in page.tags if any(name.startswith("on") for name in attrs)]


def test_every_report_string_is_escaped_in_attributes_too() -> None:
    finding = golden_findings()[0].model_copy(update={"id": 'x" onmouseover="window.__xss=1'})
    rendered = HtmlRenderer().render(golden_report([finding]))
    assert 'onmouseover="' not in rendered
    assert not [attrs for _, attrs in Page(rendered).tags if "onmouseover" in attrs]


def test_readiness_verdict_for_each_stage(page: Page, html: str) -> None:
    assert page.find("div", data_stage="1")[0]["class"] == "verdict not-ready"
    assert 'Stage 1 audit</h2><p class="headline">Not ready: 1 major nonconformity and 4 minors</p>' in html
    assert (
        'Stage 2 audit</h2><p class="headline">Not ready: 2 major nonconformities and 4 minors; '
        "1 evidence request to answer</p>"
    ) in html
    assert "This scan ran the stage 2 rules" in html  # the stage 1 verdict says what it could not see


@pytest.mark.parametrize(
    ("grades", "headline", "status"),
    [
        ([Grade.MINOR, Grade.MINOR, Grade.MINOR, Grade.OFI], "Ready with 3 minors to close", "conditional"),
        ([Grade.OBSERVATION, Grade.OFI], "Ready: no nonconformities, 2 points to consider", "ready"),
        ([], "Ready: no nonconformities", "ready"),
        ([Grade.MAJOR], "Not ready: 1 major nonconformity", "not-ready"),
        (
            [Grade.REQUEST, Grade.MINOR],
            "Not established: 1 evidence request to answer, and 1 minor to close",
            "unconfirmed",
        ),
        ([Grade.REQUEST, Grade.MAJOR], "Not ready: 1 major nonconformity; 1 evidence request to answer", "not-ready"),
    ],
)
def test_verdict_wording(grades: list[Grade], headline: str, status: str) -> None:
    template = golden_findings()[0]
    findings = [template.model_copy(update={"grade": g, "id": f"F{i}", "stages": [1, 2]}) for i, g in enumerate(grades)]
    page = Page(HtmlRenderer().render(golden_report(findings)))
    for stage in ("1", "2"):
        (card,) = page.find("div", data_stage=stage)
        assert card["class"] == f"verdict {status}"
    assert f'<p class="headline">{headline}</p>' in HtmlRenderer().render(golden_report(findings))


def test_counts_per_grade(page: Page, html: str) -> None:
    assert [a["data-grade"] for a in page.find("div") if "count" in (a.get("class") or "").split()] == [
        "major",
        "minor",
        "request",
        "observation",
        "ofi",
    ]
    assert '<span class="n">2</span>Major nonconformity' in html
    assert '<span class="n">4</span>Minor nonconformity' in html


def test_heatmap_counts_each_clause_and_grade(html: str) -> None:
    rows = dict(re.findall(r'<tr data-clause="(\d+)">(.*?)</tr>', html))
    assert list(rows) == ["4", "5", "6", "7", "8", "9", "10"]

    def cells(clause: str) -> list[int]:
        return [int(n) for n in re.findall(r'data-count="(\d+)"', rows[clause])]

    # major, minor, evidence request, observation, ofi, total
    assert cells("4") == [0, 1, 0, 0, 0, 1]
    assert cells("5") == [0, 0, 0, 0, 0, 0]
    assert cells("7") == [1, 1, 0, 1, 1, 4]
    assert cells("9") == [1, 0, 1, 0, 0, 2]
    assert cells("10") == [0, 1, 0, 0, 0, 1]


def _heat_row(html: str, clause: str) -> list[tuple[str, str, int]]:
    """A heat-map row's cells: class, grade (the total's worst grade), count."""
    row = re.search(rf'<tr data-clause="{clause}">(.*?)</tr>', html)
    assert row
    cells = re.findall(r'<td class="heat ([\w-]+)" data-(?:grade|worst)="(\w*)" data-count="(\d+)"', row[1])
    return [(shade, grade, int(count)) for shade, grade, count in cells]


def test_heatmap_shades_by_the_worst_grade_not_the_count() -> None:
    """One major shades darker than four minors: the cell's class is its worst grade, whatever the count."""
    template = golden_findings()[0]
    findings = [
        template.model_copy(update={"id": f"F{i}", "clause": clause, "grade": grade})
        for i, (clause, grade) in enumerate(
            [("8.5.1", Grade.MAJOR)] + [("9.1.2", Grade.MINOR)] * 4 + [("10.2", Grade.OFI), ("10.3", Grade.MINOR)]
        )
    ]
    html = HtmlRenderer().render(golden_report(findings))
    assert _heat_row(html, "8") == [
        ("worst-major", "major", 1),
        ("none", "minor", 0),
        ("none", "request", 0),
        ("none", "observation", 0),
        ("none", "ofi", 0),
        ("worst-major", "major", 1),
    ]
    assert _heat_row(html, "9")[1] == ("worst-minor", "minor", 4) and _heat_row(html, "9")[5][:2] == (
        "worst-minor",
        "minor",
    )
    assert _heat_row(html, "10")[4] == ("worst-ofi", "ofi", 1)
    assert _heat_row(html, "10")[5] == ("worst-minor", "minor", 2)  # the total: the clause's worst grade
    assert _heat_row(html, "5")[5] == ("none", "", 0)


def test_heatmap_legend_names_each_shade(page: Page, html: str) -> None:
    legend = [a["data-grade"] for a in page.find("li") if a.get("data-grade")]
    assert legend == [grade.value for grade in GRADE_ORDER]
    assert [a["class"] for a in page.find("span") if "swatch" in (a.get("class") or "")] == [
        f"swatch worst-{grade.value}" for grade in GRADE_ORDER
    ]
    assert "shaded by the worst grade among its findings, however many there are" in html
    for grade in GRADE_ORDER:  # every shade the legend shows is styled
        assert f".worst-{grade.value} {{ background: #" in STYLE


def test_each_heatmap_count_is_a_button_for_its_clause_and_grade(page: Page) -> None:
    buttons = [a for a in page.find("button") if a.get("class") == "cell"]
    # Clause 7: one each of major, minor, observation and OFI, and its total; clause 9: a major, a request, the total.
    seven = [(a["data-filter-grade"], a["data-label"]) for a in buttons if a["data-filter"] == "iso9001:7"]
    assert seven == [
        ("major", "Clause 7: Support, major nonconformities"),
        ("minor", "Clause 7: Support, minor nonconformities"),
        ("observation", "Clause 7: Support, observations"),
        ("ofi", "Clause 7: Support, opportunities for improvement"),
        ("", "Clause 7: Support"),
    ]
    assert len([a for a in buttons if a["data-filter"] == "iso9001:9"]) == 3
    assert not [a for a in buttons if a["data-filter"] == "iso9001:5"]  # nothing to list: no button
    assert all(a["type"] == "button" and a["aria-pressed"] == "false" for a in buttons)
    # Read out as what it counts, not as a bare number.
    assert [a["aria-label"] for a in buttons if a["data-filter"] == "iso9001:9"] == [
        "Clause 9: Performance evaluation: 1 major nonconformity; list them in the findings table",
        "Clause 9: Performance evaluation: 1 evidence request; list them in the findings table",
        "Clause 9: Performance evaluation: 2 findings, the worst graded Major; list them",
    ]
    groups = {a["data-group"] for a in page.find("tr", **{"class": "finding"})}
    assert {a["data-filter"] for a in buttons} == groups  # every button names a group of rows


@pytest.mark.parametrize(
    ("rule_id", "clause", "group"),
    [
        ("DOC002", "7.5.2", "weak-records"),
        ("CAL001", "7.1.5", "weak-records"),
        ("OBJ002", "6.2.2", "unclear-responsibilities"),
        ("OBJ001", "6.2.1", "uncontrolled-processes"),
        ("NCR003", "8.7.2", "uncontrolled-processes"),
        ("CMP001", "7.2", "training-gaps"),
        ("SUP001", "8.4.1", "supplier-control-gaps"),
        ("AUD001", "9.2.2", "internal-audit-evidence"),
        ("MRV002", "9.3.2", "management-review-evidence"),
        ("NCR001", "10.2.2", "corrective-action"),
        ("VND001", "5.3", "unclear-responsibilities"),  # an outside pack: grouped by clause
        ("VND002", "8.4.2", "supplier-control-gaps"),
        ("VND003", "3.1", "other"),
        ("CMPL001", "9.1.2", "uncontrolled-processes"),  # another pack's CMPL is not CMP: grouped by clause
    ],
)
def test_gap_topic_by_rule_prefix_then_clause(rule_id: str, clause: str, group: str) -> None:
    finding = golden_findings()[0].model_copy(update={"rule_id": rule_id, "clause": clause})
    assert topic_group(finding).key == group


def test_absent_evidence_is_also_a_missing_document() -> None:
    finding = next(f for f in golden_findings() if f.rule_id == "AUD002")
    assert [g.key for g in groups_of(finding)] == ["missing-documents", "internal-audit-evidence"]


def test_gap_analysis_section_lists_every_group(page: Page) -> None:
    groups = {a["id"]: int(a["data-count"] or 0) for a in page.find("div") if (a.get("id") or "").startswith("gap-")}
    expected = {
        f"gap-{group.key}": len(members) for group, members in gap_analysis(golden_findings()) if group.key != "other"
    }
    assert groups == expected
    assert groups["gap-missing-documents"] == 2
    assert groups["gap-training-gaps"] == 1
    assert [g.key for g in ALL_GROUPS][:1] == ["missing-documents"]


def test_findings_table_lists_the_majors_first_then_by_clause(page: Page) -> None:
    rule_of = {f"finding-{f.id}": (f.grade.value, f.clause, f.rule_id) for f in golden_findings()}
    assert [rule_of[row["id"] or ""] for row in page.find("tr", **{"class": "finding"})] == [
        ("major", "7.2", "CMP001"),
        ("major", "9.2.2", "AUD002"),
        ("minor", "4.3", "SCOPE001"),
        ("minor", "7.5.2", "DOC002"),
        ("minor", "8.4.1", "SUP002"),
        ("minor", "10.2.2", "NCR001"),
        ("request", "9.3.1", "MRV001"),
        ("observation", "7.1.5", "CAL001"),
        ("ofi", "7.1.6", "KNW001"),
    ]
    assert {a["value"] for a in page.find("input", type="checkbox")} == {g.value for g in Grade}
    assert page.find("input", type="search", id="filter-text")


@pytest.mark.parametrize(
    ("column", "key"),
    [
        ("grade", lambda f: f.grade.severity),
        ("clause", lambda f: [int(n) for n in f.clause.split(".")]),
        ("rule", lambda f: (re.sub(r"\d+", "", f.rule_id), int(re.sub(r"\D", "", f.rule_id)))),
        ("title", lambda f: f.title.lower()),
    ],
)
def test_each_row_carries_its_rank_under_each_sortable_column(
    page: Page, column: str, key: Callable[[Finding], Any]
) -> None:
    """The script sorts by these ranks: they must put the rows in the column's natural order, ties in
    the table's first order (severity first)."""
    rows = page.find("tr", **{"class": "finding"})
    by_id = {f"finding-{f.id}": f for f in golden_findings()}
    ranked = sorted(rows, key=lambda row: int(row[f"data-by-{column}"] or ""))
    shown = [by_id[row["id"] or ""] for row in rows]
    assert [by_id[row["id"] or ""] for row in ranked] == sorted(shown, key=key)
    assert sorted(int(row[f"data-by-{column}"] or "") for row in rows) == list(range(len(rows)))


def test_sortable_headers_are_buttons_and_the_first_order_is_announced(page: Page) -> None:
    headers = [a for a in page.find("th") if "data-sort" in a]
    assert [a["data-sort"] for a in headers] == ["grade", "clause", "rule", "title"]
    assert [a.get("aria-sort") for a in headers] == ["ascending", None, None, None]
    assert len([a for a in page.find("button") if a.get("class") == "sort"]) == 4


def test_evidence_shows_a_short_hash_the_full_one_on_hover_and_a_copy_button(page: Page, html: str) -> None:
    full = f"sha256:{SHA_TRAINING}"
    assert f'<code class="sha256" title="{full}">sha256:{SHA_TRAINING[:SHORT_HASH]}</code>' in html
    assert f">{full}<" not in html  # the full hash is never the text shown
    copies = [a for a in page.find("button") if a.get("class") == "copy"]
    assert [a["data-copy"] for a in copies].count(full) == 3
    assert all(a["type"] == "button" for a in copies)


def test_evidence_files_link_to_their_path_without_sheet_or_row(page: Page, html: str) -> None:
    links = {(a["href"]) for a in page.find("a", **{"class": "locator"})}
    assert links == {
        "04%20Records/Training%20Matrix.xlsx",
        "02%20Procedures/QP-05%20Calibration.docx",
        "04%20Records/NC%20and%20CAPA%20Log.xlsx",
        "04%20Records/Calibration%20Log.xlsx",
        "05%20Broken/Corrupt%20Register.xlsx",
    }
    assert '<a class="locator" href="04%20Records/Training%20Matrix.xlsx">04 Records/Training Matrix.xlsx ' in html
    # An ERP record is no file: shown, not linked.
    assert '<span class="locator">https://erp.acme.test/odoo res.partner/42</span>' in html


@pytest.mark.parametrize(
    ("locator", "href"),
    [
        ("04 Records/Log.xlsx [Log] row 6", "04%20Records/Log.xlsx"),
        ("Quality Manual.docx", "Quality%20Manual.docx"),
        ("javascript:alert(1)", "javascript%3Aalert%281%29"),  # a file name, never a scheme
        ("a#b?c%d.pdf", "a%23b%3Fc%25d.pdf"),
        ("sub\\dir\\file.docx", "sub/dir/file.docx"),
        ("/srv/share/file.docx", None),
        ("//server/share/file.docx", None),
        ("C:\\share\\file.docx", None),
        ("https://erp.acme.test/odoo res.partner/42", None),
        ("?", None),
    ],
)
def test_evidence_href(locator: str, href: str | None) -> None:
    assert evidence_href(locator) == href


def _understood(files: int, recognised: int, not_understood: list[NotUnderstood]) -> str:
    understanding = Understanding(files=files, recognised=recognised, not_understood=not_understood)
    return HtmlRenderer().render(golden_report().model_copy(update={"understanding": understanding}))


def test_evidence_understood_stands_beside_the_verdicts() -> None:
    html = _understood(
        31,
        28,
        [
            NotUnderstood(locator="05 Broken/Corrupt Register.xlsx", reason="not a zip file"),
            NotUnderstood(locator="07 Misc/Notes <b>.txt", reason="not recognised"),
            NotUnderstood(locator="07 Misc/Photo.jpg", reason="not recognised"),
        ],
    )
    verdicts = Page(html.split('<section id="verdicts"', 1)[1].split("</section>", 1)[0])
    (card,) = verdicts.find("div", id="understood")
    assert card["class"] == "verdict understood conditional"
    text = " ".join(verdicts.text)
    assert "Evidence understood 90% 28 of 31 files recognised; 2 not recognised, 1 could not be read" in text
    assert verdicts.find("a", href="#not-understood")
    section = html.split('<section id="not-understood">', 1)[1].split("</section>", 1)[0]
    assert "Files not understood (3)" in section and "07 Misc/Notes &lt;b&gt;.txt" in section


@pytest.mark.parametrize(
    ("files", "recognised", "figure", "status"),
    [(29, 29, "100%", "ready"), (200, 199, "99%", "conditional"), (3, 0, "0%", "not-ready"), (0, 0, "-", "ready")],
)
def test_evidence_understood_figure(files: int, recognised: int, figure: str, status: str) -> None:
    """Rounded down: 100% means every file."""
    page = Page(_understood(files, recognised, []))
    (card,) = page.find("div", id="understood")
    assert card["class"] == f"verdict understood {status}"
    assert figure in page.text


def test_no_understanding_figure_for_evidence_given_directly(page: Page) -> None:
    assert not page.find("div", id="understood") and not page.find("section", id="not-understood")


def test_the_print_stylesheet_hides_the_controls() -> None:
    printed = STYLE.split("@media print", 1)[1]
    for control in (".filters", "button.copy", ".cell-filter"):
        assert control in printed.split("{ display: none !important; }", 1)[0]


def test_provenance(page: Page) -> None:
    text = " ".join(page.text)
    for fact in (
        "filesystem: share (42 items)",
        "odoo: https://erp.acme.test/odoo (7 items)",
        "Evidence items 49",
        "iso9001 0.1.0: ISO 9001:2015 (20 rules)",
        "ISO 9001:2015: Quality management systems: requirements",
        "ISO 9001:2015",
        "As of 2026-03-31",
        "Audit stage scanned 2",
    ):
        assert fact in " ".join(text.split()), fact


def test_not_applicable_and_warnings_sections(page: Page, html: str) -> None:
    assert page.find("section", id="not-applicable") and page.find("section", id="warnings")
    assert "not a zip file &lt;script&gt;" in html


def test_empty_report_still_renders() -> None:
    html = HtmlRenderer().render(golden_report([]))
    assert "0 findings" in html and "No findings." in html


def test_docs_show_the_gap_mapping_the_module_uses() -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "report.md").read_text(encoding="utf-8")
    for group in TOPIC_GROUPS:
        row = f"| {group.title} | {', '.join(group.rule_prefixes)} | {', '.join(group.clause_prefixes)} |"
        assert row in docs, f"docs/report.md gap table is out of date: {row}"
