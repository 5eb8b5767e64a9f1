"""What every format says besides the findings: the manual checks to verify on site (never passed, never a
finding), the rules that passed with the evidence they read, and the rules that did not run."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from qmscheck.model.grades import Grade
from qmscheck.model.report import Report, summarise
from qmscheck.rendering.html import HtmlRenderer
from qmscheck.rendering.readiness import verdict
from qmscheck.rendering.sarif import SarifRenderer
from qmscheck.rendering.text import TextRenderer
from test_render_golden import XSS, builtin_renderers, golden_manual_checks, golden_report


class Sections(HTMLParser):
    """The text of each <section id=...>, and the <details> inside each, with the text of their <summary>."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text: dict[str, str] = {}
        self.details: dict[str, list[str]] = {}
        self.rows: dict[str, int] = {}
        self._section: str | None = None
        self._summary = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self._section = dict(attrs).get("id") or ""
            self.text[self._section] = ""
            self.details[self._section] = []
            self.rows[self._section] = 0
        elif self._section is not None and tag == "summary":
            self._summary = True
            self.details[self._section].append("")
        elif self._section is not None and tag == "tr":
            self.rows[self._section] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = None
        elif tag == "summary":
            self._summary = False

    def handle_data(self, data: str) -> None:
        if self._section is None:
            return
        self.text[self._section] += data
        if self._summary:
            self.details[self._section][-1] += data


@pytest.fixture(scope="module")
def page() -> Sections:
    return Sections(HtmlRenderer().render(golden_report()))


def test_html_lists_each_manual_check_folded_with_its_questions_and_evidence(page: Sections) -> None:
    assert page.details["manual-checks"] == [
        "7.3 People know the policy, their objectives and their part",
        "10.3 The QMS keeps getting better",
    ]
    text = page.text["manual-checks"]
    assert text.startswith("To verify on site (2)")
    assert f"Ask about {XSS} | pipes." in text  # as text: the page escapes it
    assert "Key indicators over two years." in text


def test_html_folds_the_passed_rules_and_those_that_did_not_run(page: Sections) -> None:
    assert page.details["rules-passed"] == ["Ran and found nothing; the evidence each read"]
    assert page.rows["rules-passed"] == 1 + 3
    assert (
        "calibration_record: 4 files, 57 items (filesystem:04 Records/Calibration Log.xlsx" in page.text["rules-passed"]
    )
    assert page.details["rules-not-run"] == ["Not applicable, or for another audit stage"]
    assert page.rows["rules-not-run"] == 1 + 3
    assert "stage 1 only" in page.text["rules-not-run"]


def test_html_escapes_what_the_new_sections_show() -> None:
    rendered = HtmlRenderer().render(golden_report())
    assert XSS not in rendered and "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered


def test_text_lists_what_to_verify_on_site_and_counts_the_rules() -> None:
    lines = TextRenderer().render(golden_report()).splitlines()
    start = lines.index("To verify on site (2) - no evidence rule checks these")
    assert lines[start + 1 : start + 3] == [
        "  7.3 People know the policy, their objectives and their part",
        "  10.3 The QMS keeps getting better",
    ]
    assert "Rules: 3 passed, 3 not run (named in the json, html, markdown and junit reports)" in lines


def test_sarif_keeps_manual_checks_out_of_the_results() -> None:
    run = json.loads(SarifRenderer().render(golden_report()))["runs"][0]
    assert run["properties"]["manualChecks"] == [
        {
            "standard": "iso9001",
            "clause": "7.3",
            "title": golden_manual_checks()[0].title,
            "status": "to verify on site",
        },
        {
            "standard": "iso9001",
            "clause": "10.3",
            "title": "The QMS keeps getting better",
            "status": "to verify on site",
        },
    ]
    assert {result["properties"]["clause"] for result in run["results"]}.isdisjoint({"7.3", "10.3"})


def _only_manual_checks() -> Report:
    report = golden_report([])
    assert report.manual_checks and report.summary == summarise([])
    return report


def test_manual_checks_change_neither_the_verdict_nor_the_exit_threshold() -> None:
    report = _only_manual_checks()
    assert [verdict(report, stage).status for stage in (1, 2)] == ["ready", "ready"]
    assert not report.exceeds(Grade.OFI)


@pytest.mark.parametrize("name", ["text", "markdown", "html", "junit"])
def test_manual_checks_are_never_called_passed_or_findings(name: str) -> None:
    rendered = builtin_renderers()[name].render(_only_manual_checks())
    assert "to verify on site" in rendered.lower()
    if name == "junit":
        root = ET.fromstring(rendered)
        assert root.get("failures") == "0"
        manual = [case for case in root.iter("testcase") if case.get("classname") in {"7.3", "10.3"}]
        assert len(manual) == 2 and all(case.find("skipped") is not None for case in manual)
    else:
        assert re.search(r"no findings|0 major", rendered, re.IGNORECASE)
