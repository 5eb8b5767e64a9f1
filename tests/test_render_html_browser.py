"""The HTML report in a real headless Chromium: heat-map and table present, filters work, evidence never runs.

Needs Debian's ``chromium`` package (``/usr/bin/chromium``) and the ``playwright`` Python
package; Playwright drives the system browser, it never downloads one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, sync_playwright
from qmscheck.rendering.html import HtmlRenderer
from test_render_golden import XSS, golden_findings, golden_report
from test_render_standards import two_standard_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Watched:
    """A page plus everything it tried to do that a report must never do."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dismiss)
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)

    def _dismiss(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def visible_grades(self) -> list[str]:
        rows = self.page.locator("#findings-table tbody tr.finding:visible")
        return [rows.nth(i).get_attribute("data-grade") or "" for i in range(rows.count())]


@pytest.fixture
def opened(browser: Browser, tmp_path: Path) -> Iterator[Watched]:
    path = tmp_path / "qmscheck-report.html"
    path.write_text(HtmlRenderer().render(golden_report()), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watched = Watched(page)
    page.goto(path.as_uri())
    yield watched
    page.screenshot(path=str(tmp_path / "qmscheck-report.png"), full_page=True)
    page.close()
    assert (tmp_path / "qmscheck-report.png").stat().st_size > 10_000


def test_heatmap_and_findings_table_are_shown(opened: Watched) -> None:
    page = opened.page
    assert page.locator("table.heatmap tbody tr").count() == 7
    assert page.locator("table.heatmap").is_visible()
    assert len(opened.visible_grades()) == len(golden_findings())
    assert page.locator("#shown-count").inner_text() == "9 of 9 findings shown"
    assert page.locator(".verdict[data-stage='2'] .headline").inner_text().startswith("Not ready")


def test_grade_checkboxes_hide_rows(opened: Watched) -> None:
    page = opened.page
    page.uncheck("#filters input[value='major']")
    assert "major" not in opened.visible_grades()
    assert len(opened.visible_grades()) == 7
    page.uncheck("#filters input[value='minor']")
    assert sorted(opened.visible_grades()) == ["observation", "ofi", "request"]
    assert page.locator("#shown-count").inner_text() == "3 of 9 findings shown"
    page.check("#filters input[value='major']")
    assert sorted(opened.visible_grades()) == ["major", "major", "observation", "ofi", "request"]


def test_text_filter_hides_rows(opened: Watched) -> None:
    page = opened.page
    page.fill("#filter-text", "training MATRIX")
    assert opened.visible_grades() == ["major"]
    # A clause's heading stays only while one of its findings is shown.
    assert page.locator("#findings-table tr.group:visible").all_inner_texts() == ["Clause 7: Support"]
    page.fill("#filter-text", "no such evidence anywhere")
    assert opened.visible_grades() == []
    assert page.locator("#shown-count").inner_text() == "0 of 9 findings shown"
    page.fill("#filter-text", "")
    assert len(opened.visible_grades()) == 9
    assert page.locator("#findings-table tr.group:visible").count() == 5


def test_script_from_evidence_does_not_run_and_nothing_is_fetched(opened: Watched, tmp_path: Path) -> None:
    page = opened.page
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert opened.dialogs == []
    assert page.get_by_text(XSS).count() >= 1  # shown as text instead
    assert opened.requests == [(tmp_path / "qmscheck-report.html").as_uri()]
    assert opened.errors == []  # a blocked inline script or style would be reported here by the CSP


def test_the_xss_probe_would_notice_a_payload_that_runs(browser: Browser) -> None:
    """Guards the test above: the same probe sees an unescaped payload execute."""
    page = browser.new_page()
    try:
        watched = Watched(page)
        page.set_content('<p>x</p><img src="data:," onerror="window.__xss=1"><script>alert(1)</script>')
        page.wait_for_function("window.__xss === 1")
        assert watched.dialogs == ["1"]
    finally:
        page.close()


def test_passed_rules_and_manual_checks_are_folded_until_opened(opened: Watched) -> None:
    page = opened.page
    passed_rows = page.locator("#rules-passed tbody tr")
    assert passed_rows.count() == 3 and not passed_rows.first.is_visible()
    page.locator("#rules-passed summary").click()
    assert passed_rows.first.is_visible() and "calibration_record" in page.locator("#rules-passed").inner_text()
    manual = page.locator("#manual-checks details")
    assert manual.count() == 2
    question = manual.first.locator("li").first
    assert not question.is_visible()
    manual.first.locator("summary").click()
    assert question.is_visible() and question.inner_text() == "Ask staff what the policy means for their work."
    assert len(opened.visible_grades()) == len(golden_findings())  # the findings filter leaves these alone
    assert opened.errors == [] and opened.dialogs == []


def test_a_report_of_two_standards_shows_a_heatmap_each_and_filters_within_them(
    browser: Browser, tmp_path: Path
) -> None:
    path = tmp_path / "two-standards.html"
    path.write_text(HtmlRenderer().render(two_standard_report()), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        watched = Watched(page)
        page.goto(path.as_uri())
        captions = page.locator("table.heatmap caption")
        assert captions.all_inner_texts() == ["ISO 9001:2015", "ISO 13485:2016"]
        assert page.locator("table.heatmap[data-standard='iso13485'] tbody tr").count() == 3
        page.fill("#filter-text", "reportability")
        assert watched.visible_grades() == ["major"]
        groups = page.locator("#findings-table tr.group:visible").all_inner_texts()
        assert groups == ["ISO 13485:2016 clause 8: Measurement, analysis and improvement"]
        assert watched.errors == []
    finally:
        page.close()
