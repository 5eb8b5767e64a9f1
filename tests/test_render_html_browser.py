"""The HTML report in a real headless Chromium: heat-map and table present, filters work, evidence never runs;
the heat-map shades by the worst grade (read back from the rendered pixels), its cells filter the table,
the columns sort, hashes copy, and printing shows every finding without the controls.

Needs Debian's ``chromium`` package (``/usr/bin/chromium``) and the ``playwright`` Python
package; Playwright drives the system browser, it never downloads one.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, sync_playwright
from qmscheck.model.grades import GRADE_ORDER, Grade
from qmscheck.model.report import Report
from qmscheck.rendering.html import HtmlRenderer
from test_render_golden import SHA_TRAINING, XSS, golden_findings, golden_report
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
    page.fill("#filter-text", "no such evidence anywhere")
    assert opened.visible_grades() == []
    assert page.locator("#shown-count").inner_text() == "0 of 9 findings shown"
    page.fill("#filter-text", "")
    assert len(opened.visible_grades()) == 9


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
        clause = page.locator("#findings-table tr.finding:visible td:nth-child(2)")
        assert clause.inner_text() == "ISO 13485:2016 8.2.2"
        assert clause.get_attribute("title") == "ISO 13485:2016 clause 8: Measurement, analysis and improvement"
        # The 13485 heat-map's cells list its own clause 8, not ISO 9001's.
        page.fill("#filter-text", "")
        page.click("table.heatmap[data-standard='iso13485'] tr[data-clause='8'] td[data-worst] button")
        assert watched.visible_grades() == ["major"]
        assert page.locator("#findings-table tr.finding:visible").get_attribute("data-group") == "iso13485:8"
        assert watched.errors == []
    finally:
        page.close()


# What the heat-map shows, read back from the browser: a single major and four minors.


def _one_major_four_minors() -> Report:
    template = golden_findings()[0]
    placed = [("8.5.1", Grade.MAJOR)] + [("9.1.2", Grade.MINOR)] * 4 + [("10.3", Grade.OFI)]
    findings = [
        template.model_copy(update={"id": f"F{i}", "clause": clause, "grade": grade})
        for i, (clause, grade) in enumerate(placed)
    ]
    return golden_report(findings)


def _luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG relative luminance: 0 black, 1 white."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _css_rgb(value: str) -> tuple[int, int, int]:
    assert value.startswith("rgb"), value
    red, green, blue = (int(float(part)) for part in value[value.index("(") + 1 : -1].split(",")[:3])
    return red, green, blue


def _png_pixels(data: bytes) -> tuple[int, list[bytes]]:
    """Width and rows of an 8-bit RGB or RGBA PNG, as Chromium writes screenshots (not interlaced)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    step = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(b"".join(chunks)), width * step
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - step] if x >= step else 0
            up, corner = previous[x], previous[x - step] if x >= step else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))
                line[x] = (line[x] + near[2]) & 0xFF
        rows.append(bytes(line[i] for x in range(0, stride, step) for i in range(x, x + 3)))
        previous = line
    return width, rows


@pytest.fixture
def shaded(browser: Browser, tmp_path: Path) -> Iterator[Watched]:
    path = tmp_path / "shaded.html"
    path.write_text(HtmlRenderer().render(_one_major_four_minors()), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    watched = Watched(page)
    page.goto(path.as_uri())
    yield watched
    page.close()


def _cell(clause: str, grade: str) -> str:
    column = f"[data-grade='{grade}']" if grade != "total" else "[data-worst]"
    return f"table.heatmap tr[data-clause='{clause}'] td{column}"


def test_a_single_major_is_shaded_darker_than_four_minors(shaded: Watched) -> None:
    page = shaded.page
    assert page.locator(_cell("8", "major")).inner_text() == "1"
    assert page.locator(_cell("9", "minor")).inner_text() == "4"
    background = "(selector) => getComputedStyle(document.querySelector(selector)).backgroundColor"
    major = _css_rgb(page.evaluate(background, _cell("8", "major")))
    minors = _css_rgb(page.evaluate(background, _cell("9", "minor")))
    assert _luminance(major) < _luminance(minors) / 2
    # The total shades by the clause's worst grade: clause 8's total as its major, 9's as its minors.
    assert _css_rgb(page.evaluate(background, _cell("8", "total"))) == major
    assert _css_rgb(page.evaluate(background, _cell("9", "total"))) == minors
    # The legend's shades darken with the grade: major darkest, then minor, request, observation, OFI.
    swatches = [
        _luminance(_css_rgb(page.evaluate(background, f".legend li[data-grade='{grade.value}'] .swatch")))
        for grade in GRADE_ORDER
    ]
    assert swatches == sorted(swatches) and len(set(swatches)) == len(swatches)
    assert shaded.errors == []


def test_the_heatmap_screenshot_shows_the_shades_where_the_cells_are(shaded: Watched, tmp_path: Path) -> None:
    """The pixels, not only the styles: a screenshot of the heat-map, sampled inside each cell away from its
    number. Robust to fonts: only the shade around the digits is compared."""
    page = shaded.page
    table = page.locator("table.heatmap")
    shot = table.screenshot(path=str(tmp_path / "heatmap.png"), animations="disabled")
    width, rows = _png_pixels(shot)
    origin = table.bounding_box()
    assert origin is not None and abs(width - round(origin["width"])) <= 1

    def pixel(selector: str) -> tuple[int, int, int]:
        box = page.locator(selector).bounding_box()
        assert box is not None
        x, y = round(box["x"] - origin["x"]) + 4, round(box["y"] - origin["y"] + box["height"] / 2)
        red, green, blue = rows[y][x * 3 : x * 3 + 3]
        return red, green, blue

    major, minors, ofi, empty = (
        pixel(_cell("8", "major")),
        pixel(_cell("9", "minor")),
        pixel(_cell("10", "ofi")),
        pixel(_cell("8", "minor")),
    )
    assert major[0] > 120 and major[1] < 60 and major[2] < 60, major  # dark red
    assert minors[0] > 200 and 80 < minors[1] < 160 and minors[2] < 60, minors  # orange
    assert min(ofi) > 200 and ofi[2] > ofi[0], ofi  # pale blue
    assert empty == (255, 255, 255)  # nothing found: no shade
    assert _luminance(major) < _luminance(minors) < _luminance(ofi)
    background = "(selector) => getComputedStyle(document.querySelector(selector)).backgroundColor"
    for selector, seen in ((_cell("8", "major"), major), (_cell("9", "minor"), minors)):
        expected = _css_rgb(page.evaluate(background, selector))
        assert all(abs(a - b) <= 2 for a, b in zip(seen, expected, strict=True)), (selector, seen, expected)


def test_clicking_a_heatmap_cell_lists_its_findings_until_cleared(opened: Watched) -> None:
    page = opened.page
    shown = page.locator("#shown-count")
    page.click(_cell("7", "minor") + " button")
    assert opened.visible_grades() == ["minor"]
    assert shown.inner_text() == "1 of 9 findings shown"
    assert page.locator("#cell-filter").is_visible()
    assert page.locator("#cell-filter-label").inner_text() == "Clause 7: Support, minor nonconformities"
    assert page.locator(_cell("7", "minor") + " button").get_attribute("aria-pressed") == "true"
    # The clause's total lists every grade of it; the keyboard works as the mouse does.
    page.focus(_cell("7", "total") + " button")
    page.keyboard.press("Enter")
    assert opened.visible_grades() == ["major", "minor", "observation", "ofi"]
    assert shown.inner_text() == "4 of 9 findings shown"
    assert page.locator(_cell("7", "minor") + " button").get_attribute("aria-pressed") == "false"
    # With the grade boxes and the text filter alike.
    page.uncheck("#filters input[value='major']")
    assert opened.visible_grades() == ["minor", "observation", "ofi"]
    page.check("#filters input[value='major']")
    page.click("#clear-cell")
    assert len(opened.visible_grades()) == 9 and not page.locator("#cell-filter").is_visible()
    # Clicking a chosen cell again clears it too.
    page.click(_cell("9", "major") + " button")
    assert opened.visible_grades() == ["major"]
    page.click(_cell("9", "major") + " button")
    assert len(opened.visible_grades()) == 9
    assert opened.errors == []


def test_sorting_by_a_column_and_back_to_grade_puts_the_majors_first(opened: Watched) -> None:
    page = opened.page
    rule_ids = page.locator("#findings-table tr.finding td:nth-child(3)")
    grade = page.locator("#findings-table th[data-sort='grade']")
    assert opened.visible_grades()[:2] == ["major", "major"] and grade.get_attribute("aria-sort") == "ascending"
    page.click("#findings-table th[data-sort='rule'] button")
    assert rule_ids.all_inner_texts() == sorted(f.rule_id for f in golden_findings())
    assert page.locator("#findings-table th[data-sort='rule']").get_attribute("aria-sort") == "ascending"
    assert grade.get_attribute("aria-sort") is None
    page.click("#findings-table th[data-sort='rule'] button")
    assert rule_ids.all_inner_texts() == sorted((f.rule_id for f in golden_findings()), reverse=True)
    assert page.locator("#findings-table th[data-sort='rule']").get_attribute("aria-sort") == "descending"
    clause = page.locator("#findings-table tr.finding td:nth-child(2)")
    page.focus("#findings-table th[data-sort='clause'] button")
    page.keyboard.press("Enter")  # a header is a button: the keyboard sorts too
    assert clause.all_inner_texts()[:3] == ["4.3", "7.1.5", "7.1.6"]
    page.click("#findings-table th[data-sort='grade'] button")
    assert opened.visible_grades() == [
        "major",
        "major",
        "minor",
        "minor",
        "minor",
        "minor",
        "request",
        "observation",
        "ofi",
    ]
    assert clause.all_inner_texts()[:2] == ["7.2", "9.2.2"]  # ties keep the clause order
    page.focus("#findings-table th[data-sort='grade'] button")
    page.keyboard.press(" ")
    assert opened.visible_grades()[0] == "ofi" and grade.get_attribute("aria-sort") == "descending"
    assert opened.errors == []


def test_a_hash_shows_short_with_the_full_one_on_hover_and_copies_whole(browser: Browser, tmp_path: Path) -> None:
    path = tmp_path / "copy.html"
    path.write_text(HtmlRenderer().render(golden_report()), encoding="utf-8")
    context = browser.new_context()
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = context.new_page()
        watched = Watched(page)
        page.goto(path.as_uri())
        code = page.locator("#findings-table code.sha256").first
        assert code.inner_text() == f"sha256:{SHA_TRAINING[:12]}"
        assert code.get_attribute("title") == f"sha256:{SHA_TRAINING}"
        button = page.locator("#findings-table button.copy").first
        button.click()
        page.wait_for_function("document.querySelector('#findings-table button.copy').textContent === 'Copied'")
        assert page.evaluate("navigator.clipboard.readText()") == f"sha256:{SHA_TRAINING}"
        # Where the clipboard API refuses (an older browser, a policy), the page copies through a selection.
        page.evaluate("navigator.clipboard.writeText('something else')")
        page.evaluate("() => { navigator.clipboard.writeText = () => Promise.reject(new Error('refused')); }")
        page.locator("#findings-table button.copy").nth(1).click()
        page.wait_for_function("document.querySelectorAll('#findings-table button.copy')[1].textContent === 'Copied'")
        assert page.evaluate("navigator.clipboard.readText()") == f"sha256:{SHA_TRAINING}"
        assert page.locator("textarea").count() == 0  # the helper is gone
        assert watched.errors == []
    finally:
        context.close()


def test_evidence_links_open_the_file_beside_the_report(opened: Watched, tmp_path: Path) -> None:
    """Saved at the root of the scanned share, the report links each evidence file by its path there."""
    link = opened.page.locator("#findings-table a.locator").first
    assert link.inner_text() == "04 Records/Training Matrix.xlsx [Training] row 5"
    resolved = opened.page.evaluate("(a) => a.href", link.element_handle())
    assert resolved == (tmp_path / "04 Records" / "Training Matrix.xlsx").as_uri()


def test_printing_shows_every_finding_and_no_controls(opened: Watched) -> None:
    page = opened.page
    page.uncheck("#filters input[value='major']")
    page.click(_cell("7", "minor") + " button")
    assert opened.visible_grades() == ["minor"]
    page.emulate_media(media="print")
    assert len(opened.visible_grades()) == 9  # printed: every finding, whatever the filters
    for control in ("#filters", "#cell-filter", "#findings-table button.copy"):
        assert not page.locator(control).first.is_visible(), control
    style = "(element) => { const s = getComputedStyle(element); return [s.borderTopStyle, s.cursor]; }"
    for button in (_cell("7", "minor") + " button", "#findings-table th[data-sort='grade'] button"):
        assert page.locator(button).evaluate(style) == ["none", "auto"], button  # plain text on paper
    assert page.locator(_cell("7", "minor")).inner_text() == "1"
    # Paper has no hover: the hash prints whole.
    printed_hash = "getComputedStyle(document.querySelector('code.sha256'), '::after').content"
    assert page.evaluate(printed_hash) == f'"sha256:{SHA_TRAINING}"'
    # Folded sections print unfolded.
    assert page.locator("#manual-checks details li").first.is_visible()
    assert page.locator("#rules-passed tbody tr").first.is_visible()
    page.emulate_media(media="screen")
    assert opened.visible_grades() == ["minor"] and page.locator("#filters").is_visible()
    assert not page.locator("#manual-checks details li").first.is_visible()
