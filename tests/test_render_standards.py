"""A report of two standards in every format: titled with both, grouped by standard then top-level
clause under each standard's own headings, a heat-map per standard, SARIF and JUnit naming the
standard, the packs with their overlays, and no ISO 9001 text on an ISO 13485 finding."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from qmscheck.model.grades import Grade
from qmscheck.model.report import (
    EvidenceSeen,
    Finding,
    ManualCheck,
    NotApplicable,
    PackInfo,
    PassedRule,
    Report,
    StandardInfo,
    finding_sort_key,
    summarise,
)
from qmscheck.rendering.gaps import OTHER, topic_group
from test_render_golden import (
    ISO_9001,
    _finding,
    _ref,
    builtin_renderers,
    golden_findings,
    golden_manual_checks,
    golden_passed,
    golden_report,
)
from test_render_sarif import assert_valid_sarif

ISO_13485 = StandardInfo(
    id="iso13485",
    name="ISO 13485",
    title="Medical devices: quality management systems for regulatory purposes",
    edition="2016",
    clauses={
        "4": "Quality management system",
        "4.2.3": "Medical device file",
        "7": "Product realization",
        "7.3": "Design and development",
        "7.4.1": "Purchasing process",
        "8": "Measurement, analysis and improvement",
        "8.2.2": "Complaint handling",
    },
)
OVERLAY = "SUP002: grade set (ISO 13485 7.4.1 asks for supplier control proportionate to risk)"


def _md(rule_id: str, clause: str, grade: Grade, title: str, statement: str, **kwargs: Any) -> Finding:
    finding = _finding(rule_id, clause, grade, title, statement, pack="iso13485", **kwargs)
    return finding.model_copy(update={"standard": "iso13485"})


def md_findings() -> list[Finding]:
    return [
        _md(
            "MDCMP001",
            "8.2.2",
            Grade.MAJOR,
            "Complaints carry a reportability decision",
            "ISO 13485 8.2.2 expects a decision on reporting to authorities. Not met: C-17 has none.",
            evidence=[_ref("fs:Complaints.xlsx#Log:4", "Complaints.xlsx [Log] row 4", "C-17")],
        ),
        _md(
            "MDSUP001",
            "7.4.1",
            Grade.MINOR,
            "Supplier controls are proportionate to risk",
            "ISO 13485 7.4.1 expects risk-based supplier control. Not met: no risk class for Sterilpack.",
        ),
        _md(
            "MDMDF001",
            "4.2.3",
            Grade.MINOR,
            "Each device family has a medical device file",
            "ISO 13485 4.2.3 expects a medical device file. Not met: no file for family HK.",
            absence="no medical device file for HK was found",
        ),
    ]


def two_standard_report() -> Report:
    base = golden_report()
    findings = sorted([*golden_findings(), *md_findings()], key=finding_sort_key)
    return base.model_copy(
        update={
            "findings": findings,
            "summary": summarise(findings),
            "packs": [
                PackInfo(name="iso13485", version="0.2.0", rules=25, standard="iso13485", overlays=[OVERLAY]),
                PackInfo(name="iso9001", version="0.1.0", rules=20),
            ],
            "standards": [ISO_13485, ISO_9001],
            "not_applicable": [
                *base.not_applicable,
                NotApplicable(
                    standard="iso13485", clause="7.3", justification="Makes to customer designs", rule_ids=["MDDES001"]
                ),
            ],
            "rules_passed": [
                *golden_passed(),
                PassedRule(
                    rule_id="MDQM001",
                    standard="iso13485",
                    clause="4.2.2",
                    title="A quality manual covers the device families",
                    pack="iso13485",
                    evidence=EvidenceSeen(types=["quality_manual"], files=1, items=1, sample=["fs:QM.docx"]),
                ),
            ],
            "manual_checks": [
                *golden_manual_checks(),
                ManualCheck(
                    standard="iso13485",
                    clause="7.3",
                    title="Design transfer is verified",
                    questions=["Ask how a design reaches production."],
                    evidence=["Transfer records."],
                ),
            ],
        }
    )


@pytest.fixture(scope="module")
def report() -> Report:
    return two_standard_report()


def render(name: str, report: Report) -> str:
    return builtin_renderers()[name].render(report)


BOTH = "ISO 9001:2015 and ISO 13485:2016"


def test_text_names_both_standards_and_groups_by_standard_then_clause(report: Report) -> None:
    text = render("text", report)
    assert f"stage 2 view - {BOTH} - " in text
    # Grade by grade, most severe first; within a grade, by standard, then clause.
    minors = text.split("\nMinor nonconformities (6)\n")[1].split("\nEvidence requests (1)\n")[0]
    headings = [line.strip() for line in minors.splitlines() if " clause " in line]
    assert headings == [
        "ISO 9001:2015 clause 4: Context of the organization",
        "ISO 9001:2015 clause 7: Support",
        "ISO 9001:2015 clause 8: Operation",
        "ISO 9001:2015 clause 10: Improvement",
        "ISO 13485:2016 clause 4: Quality management system",
        "ISO 13485:2016 clause 7: Product realization",
    ]
    assert text.index("ISO 13485:2016 clause 8: Measurement") < text.index("Minor nonconformities (6)")
    assert "  ISO 13485:2016 7.3: Makes to customer designs (1 rules)" in text
    assert "  ISO 13485:2016 7.3 Design transfer is verified" in text


def test_markdown_sections_per_standard_and_clause_and_the_packs_with_overlays(report: Report) -> None:
    markdown = render("markdown", report)
    assert f"As of 2026-03-31, {BOTH}, " in markdown
    sections = [line for line in markdown.splitlines() if line.startswith("## ISO")]
    assert sections[4:] == [
        "## ISO 9001:2015 clause 10: Improvement",
        "## ISO 13485:2016 clause 4: Quality management system",
        "## ISO 13485:2016 clause 7: Product realization",
        "## ISO 13485:2016 clause 8: Measurement, analysis and improvement",
    ]
    assert "| ISO 13485:2016 7.3 | Makes to customer designs | MDDES001 |" in markdown
    assert "| ISO 13485:2016 4.2.2 | MDQM001 | A quality manual covers the device families |" in markdown
    assert "| ISO 9001:2015 7.1.5 | CAL003 |" in markdown
    packs = markdown.split("## Rule packs", 1)[1].split("Summary:")[0].strip().splitlines()
    assert packs == [
        "- iso13485 0.2.0: ISO 13485:2016, 25 rules",
        "  - SUP002: grade set (ISO 13485 7.4.1 asks for supplier control proportionate to risk)",
        "- iso9001 0.1.0: ISO 9001:2015, 20 rules",
    ]


def test_html_title_heatmap_per_standard_and_grouped_findings(report: Report) -> None:
    html = render("html", report)
    assert f"<title>{BOTH} readiness: Acme" in html and f"<h1>{BOTH} readiness: Acme" in html
    tables = dict(re.findall(r'<table class="heatmap" data-standard="(\w+)">(.*?)</table>', html))
    assert list(tables) == ["iso9001", "iso13485"]
    md_rows = {
        clause: (heading, cells)
        for clause, heading, cells in re.findall(
            r'<tr data-clause="(\d+)"><th scope="row">\d+ ([^<]*)</th>(.*?)</tr>', tables["iso13485"]
        )
    }
    # The 13485 heat-map's rows are its own top-level clauses, with its own headings.
    assert {clause: row[0] for clause, row in md_rows.items()} == {
        "4": "Quality management system",
        "7": "Product realization",
        "8": "Measurement, analysis and improvement",
    }
    counts = [int(n) for n in re.findall(r'data-count="(\d+)"', md_rows["8"][1])]
    assert counts == [1, 0, 0, 0, 0, 1]
    assert "Support" not in tables["iso13485"] and "<caption>ISO 13485:2016</caption>" in tables["iso13485"]
    # A finding's clause is cited with its standard, its top-level clause's heading on hover.
    groups = set(re.findall(r'data-group="(iso13485:\d+)"[^>]*><td>.*?</td><td title="([^"]*)">ISO 13485:2016 ', html))
    assert groups == {
        ("iso13485:4", "ISO 13485:2016 clause 4: Quality management system"),
        ("iso13485:7", "ISO 13485:2016 clause 7: Product realization"),
        ("iso13485:8", "ISO 13485:2016 clause 8: Measurement, analysis and improvement"),
    }
    assert re.search(r'id="finding-MDSUP001-[^"]*" class="finding" data-grade="minor" data-group="iso13485:7"', html)
    assert '<li>iso13485 0.2.0: ISO 13485:2016 (25 rules)<ul class="overlays"><li>SUP002: grade set' in html
    assert "<li>ISO 13485:2016: Medical devices: quality management systems for regulatory purposes</li>" in html


def test_sarif_names_the_standard_of_each_rule_and_result(report: Report) -> None:
    log = json.loads(render("sarif", report))
    assert_valid_sarif(log)
    run = log["runs"][0]
    taxonomies = {component["name"]: component for component in run["taxonomies"]}
    assert [(c["name"], c["version"]) for c in run["taxonomies"]] == [("ISO 9001", "2015"), ("ISO 13485", "2016")]
    assert [taxon["id"] for taxon in taxonomies["ISO 13485"]["taxa"]] == ["4.2.3", "7.4.1", "8.2.2"]
    assert taxonomies["ISO 13485"]["taxa"][1] == {
        "id": "7.4.1",
        "name": "ISO 13485:2016 7.4.1",
        "shortDescription": {"text": "Purchasing process"},
    }
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    supplier = rules["MDSUP001"]
    assert supplier["properties"]["tags"] == ["iso13485", "clause-7.4.1"]
    assert supplier["properties"]["citation"] == "ISO 13485:2016 7.4.1"
    target = supplier["relationships"][0]["target"]
    assert target["toolComponent"] == {"name": "ISO 13485", "index": 1}
    assert taxonomies["ISO 13485"]["taxa"][target["index"]]["id"] == target["id"] == "7.4.1"
    assert rules["SUP002"]["properties"]["tags"] == ["iso9001", "clause-8.4.1"]
    result = next(r for r in run["results"] if r["ruleId"] == "MDSUP001")
    assert result["taxa"] == [target] and result["properties"]["standard"] == "iso13485"
    location = result["locations"][0]["logicalLocations"][0]
    assert location["fullyQualifiedName"] == "ISO 13485:2016/7.4.1"
    assert run["properties"]["packs"][0] == {
        "name": "iso13485",
        "version": "0.2.0",
        "standard": "iso13485",
        "overlays": [OVERLAY],
    }
    # Nothing about an ISO 13485 result or rule calls it ISO 9001.
    for entry in [result, supplier, *(r for r in run["results"] if r["properties"]["standard"] == "iso13485")]:
        assert "9001" not in json.dumps(entry)


def test_junit_suites_per_standard_and_clause(report: Report) -> None:
    root = ET.fromstring(render("junit", report))
    names = [suite.get("name") for suite in root.findall("testsuite")]
    assert names[-4:] == [
        "ISO 13485:2016 clause 4: Quality management system",
        "ISO 13485:2016 clause 7: Product realization",
        "ISO 13485:2016 clause 8: Measurement, analysis and improvement",
        "to verify on site",
    ]
    product = root.find("testsuite[@name='ISO 13485:2016 clause 7: Product realization']")
    assert product is not None
    assert [(p.get("name"), p.get("value")) for p in product.iter("property")] == [
        ("standard", "iso13485"),
        ("clause", "7"),
        ("pack", "iso13485 0.2.0"),
    ]
    assert [(case.get("classname"), case.get("name")) for case in product.findall("testcase")] == [
        ("ISO 13485:2016 7.3", "MDDES001"),
        ("ISO 13485:2016 7.4.1", "MDSUP001 Supplier controls are proportionate to risk"),
    ]
    support = root.find("testsuite[@name='ISO 9001:2015 clause 7: Support']")
    assert support is not None and all(
        (case.get("classname") or "").startswith("ISO 9001:2015 ") for case in support.findall("testcase")
    )
    manual = [case.get("classname") for case in root.iter("testcase") if case.find("skipped") is not None]
    assert "ISO 13485:2016 7.3" in manual


@pytest.mark.parametrize("name", ["text", "markdown", "html", "junit"])
def test_no_iso_9001_text_on_a_13485_finding(name: str, report: Report) -> None:
    """Whatever a format prints on the lines of an ISO 13485 finding names ISO 13485, never ISO 9001."""
    rendered = render(name, report)
    # The HTML report puts a section on one line: its rows and list items stand for lines.
    lines_of = re.split(r"\n|(?=<tr )|(?=<li>)", rendered)
    for finding in md_findings():
        lines = [line for line in lines_of if finding.rule_id in line]
        assert lines, finding.rule_id
        assert not [line for line in lines if "9001" in line], (finding.rule_id, lines)


def test_a_13485_finding_is_placed_by_no_iso_9001_topic() -> None:
    """ISO 9001's topics are named by its clauses: 13485's 7.4.1 is not ISO 9001's 7.4 (communication)."""
    assert {topic_group(finding) for finding in md_findings()} == {OTHER}


def test_a_report_of_one_standard_keeps_clause_numbers_bare() -> None:
    markdown = render("markdown", golden_report())
    assert "## Clause 7: Support" in markdown and "ISO 9001:2015 clause" not in markdown
    assert "| 7.1.5 | CAL003 |" in markdown


def test_a_report_before_standards_were_named_reads_as_iso_9001() -> None:
    """A 1.1 report has no standards: its findings default to ISO 9001, named by the report's edition."""
    old = golden_report().model_copy(update={"standards": [], "schema_version": "1.1"})
    html = render("html", old)
    assert "<title>ISO 9001:2015 readiness: Acme" in html
    assert len(re.findall(r'<table class="heatmap"', html)) == 1
    assert "ISO 9001:2015/4.3" in render("sarif", old)
