"""HTML: self-contained, escaped, with the verdicts, heat-map, gap analysis, findings table and provenance."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from qmscheck.model.grades import Grade
from qmscheck.rendering.gaps import ALL_GROUPS, TOPIC_GROUPS, gap_analysis, groups_of, topic_group
from qmscheck.rendering.html import HtmlRenderer
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
    hrefs = [attrs["href"] for _, attrs in page.tags if "href" in attrs]
    assert hrefs and all((href or "").startswith("#finding-") for href in hrefs)
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


def test_heatmap_shade_grows_with_the_count() -> None:
    template = golden_findings()[0]
    findings = [template.model_copy(update={"id": f"F{i}", "clause": "8.5.1", "grade": Grade.MAJOR}) for i in range(5)]
    html = HtmlRenderer().render(golden_report(findings))
    row = re.search(r'<tr data-clause="8">(.*?)</tr>', html)
    assert row and 'class="heat major h3" data-grade="major" data-count="5"' in row.group(1)


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


def test_findings_table_has_a_row_per_finding_with_locators_and_hashes(page: Page, html: str) -> None:
    rows = page.find("tr", **{"class": "finding"})
    assert [r["data-grade"] for r in rows] == [f.grade.value for f in golden_findings()]
    assert [r["id"] for r in rows] == [f"finding-{f.id}" for f in golden_findings()]
    assert f"sha256:{SHA_TRAINING}" in html
    assert "04 Records/Training Matrix.xlsx [Training] row 15" in html
    assert {a["value"] for a in page.find("input", type="checkbox")} == {g.value for g in Grade}
    assert page.find("input", type="search", id="filter-text")


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
