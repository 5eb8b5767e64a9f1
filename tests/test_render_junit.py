"""JUnit XML: well-formed, one suite per standard and top-level clause, one testcase per rule (failing, passing
or skipped), one failure per finding, and the manual checks as skipped testcases of a suite of their own."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from qmscheck.model.report import clause_key
from qmscheck.rendering.junit import MANUAL_SUITE, JunitRenderer
from test_render_golden import XSS, golden_report


@pytest.fixture(scope="module")
def root() -> ET.Element:
    return ET.fromstring(JunitRenderer().render(golden_report()))


def suite(root: ET.Element, name: str) -> ET.Element:
    found = root.find(f"testsuite[@name='{name}']")
    assert found is not None, [s.get("name") for s in root]
    return found


SUPPORT = "ISO 9001:2015 clause 7: Support"


def rule_cases(root: ET.Element) -> list[ET.Element]:
    suites = [element for element in root.findall("testsuite") if element.get("name") != MANUAL_SUITE]
    return [case for element in suites for case in element.findall("testcase")]


def test_is_well_formed_with_one_suite_per_standard_and_clause(root: ET.Element) -> None:
    assert root.tag == "testsuites"
    assert [s.get("name") for s in root.findall("testsuite")] == [
        "ISO 9001:2015 clause 4: Context of the organization",
        "ISO 9001:2015 clause 5: Leadership",
        SUPPORT,
        "ISO 9001:2015 clause 8: Operation",
        "ISO 9001:2015 clause 9: Performance evaluation",
        "ISO 9001:2015 clause 10: Improvement",
        MANUAL_SUITE,
    ]
    properties = [(p.get("name"), p.get("value")) for p in suite(root, SUPPORT).iter("property")]
    assert properties == [("standard", "iso9001"), ("clause", "7"), ("pack", "iso9001 0.1.0")]
    # SCOPE001 comes from another pack: the suite names both.
    context = suite(root, "ISO 9001:2015 clause 4: Context of the organization")
    assert [p.get("value") for p in context.iter("property") if p.get("name") == "pack"] == ["qmscheck"]


def test_each_rule_is_a_testcase_named_by_clause_rule_and_title(root: ET.Element) -> None:
    failing = [(c.get("classname"), c.get("name")) for c in rule_cases(root) if c.find("failure") is not None]
    assert failing == [
        ("4.3", "SCOPE001 Exclusions from the QMS scope are allowed and justified"),
        ("7.1.5", "CAL001 Instruments in use are within their calibration due date"),
        ("7.1.6", "KNW001 Organisational knowledge is captured"),
        ("7.2", "CMP001 Competence records are current"),
        ("7.5.2", "DOC002 Controlled documents are reviewed | re-approved by their due date"),
        ("8.4.1", "SUP002 Suppliers in use are approved"),
        ("9.2.2", "AUD002 Internal audit reports are kept"),
        ("9.3.1", "MRV001 A management review was held in the last 12 months"),
        ("10.2.2", "NCR001 Closed nonconformities show root cause"),
    ]


def test_each_finding_is_a_failure_typed_by_grade_with_the_statement(root: ET.Element) -> None:
    failures = {f.id: f for f in golden_report().findings}
    seen = []
    for failure in root.iter("failure"):
        matching = [f for f in failures.values() if failure.text and f"({f.id})" in failure.text]
        assert len(matching) == 1
        finding = matching[0]
        assert failure.get("type") == finding.grade.value
        assert failure.get("message") == finding.statement.replace("\x07", "\ufffd")
        seen.append(finding.id)
    assert sorted(seen) == sorted(failures)


def test_evidence_locators_and_hashes_are_in_the_failure_body(root: ET.Element) -> None:
    case = suite(root, SUPPORT).find("testcase[@classname='7.2']")
    assert case is not None
    body = case.find("failure").text or ""  # type: ignore[union-attr]
    assert "evidence: 04 Records/Training Matrix.xlsx [Training] row 15 sha256:67872f35" in body
    assert "fix: Fix for CMP001" in body


def test_rules_not_run_are_skipped_with_their_reason(root: ET.Element) -> None:
    skipped = {c.get("name"): skip.get("message") for c in rule_cases(root) if (skip := c.find("skipped")) is not None}
    assert skipped == {
        "DES001 Design rule DES001": "not applicable: clause 8.3 declared not applicable",
        "DES002 Design rule DES002": "not applicable: clause 8.3 declared not applicable",
        "AUD009 Audit programme reviewed at stage 1": "stage 1 only",
    }


def test_passed_rules_are_passing_testcases_that_say_what_they_read(root: ET.Element) -> None:
    passing = {
        c.get("name"): c.findtext("system-out")
        for c in rule_cases(root)
        if c.find("failure") is None and c.find("skipped") is None
    }
    assert set(passing) == {
        "CAL003 Calibration is traceable and dated",
        "POL001 A quality policy is documented",
        "NCR002 Open nonconformities are not overdue",
    }
    assert passing["CAL003 Calibration is traceable and dated"] == (
        "calibration_record: 4 files, 57 items (filesystem:04 Records/Calibration Log.xlsx, "
        "filesystem:04 Records/Gauges <script>alert(1)</script> | 2025.xlsx, filesystem:04 Records/Gauges 2026.xlsx, "
        "...)"
    )
    assert passing["NCR002 Open nonconformities are not overdue"] == "corrective_action: none found, nothing to check"
    assert root.find(".//testcase[@name='rules without findings']") is None


def test_testcases_are_in_clause_order(root: ET.Element) -> None:
    classnames = [c.get("classname") or "" for c in rule_cases(root)]
    assert classnames == sorted(classnames, key=clause_key)


def test_manual_checks_are_skipped_testcases_of_their_own_suite(root: ET.Element) -> None:
    manual = suite(root, MANUAL_SUITE)
    cases = manual.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("7.3", "7.3 People know the policy, their objectives and their part"),
        ("10.3", "10.3 The QMS keeps getting better"),
    ]
    assert all(c.find("skipped") is not None and c.find("failure") is None for c in cases)
    body = cases[1].findtext("system-out") or ""
    assert body.splitlines() == [
        "Ask:",
        "- Ask how top management judges improvement.",
        "Request:",
        "- Key indicators over two years.",
        "- Completed improvement actions.",
    ]
    assert (manual.get("tests"), manual.get("skipped"), manual.get("failures")) == ("2", "2", "0")


def test_counts_add_up(root: ET.Element) -> None:
    for element in [root, *root.findall("testsuite")]:
        cases = list(element.iter("testcase"))
        assert element.get("tests") == str(len(cases))
        assert element.get("failures") == str(len(list(element.iter("failure"))))
        assert element.get("skipped") == str(sum(1 for c in cases if c.find("skipped") is not None))
        assert element.get("errors") == "0"


def test_hostile_text_is_escaped_and_control_characters_do_not_break_the_xml() -> None:
    rendered = JunitRenderer().render(golden_report())
    assert XSS not in rendered
    assert "\x07" not in rendered
    ET.fromstring(rendered)
