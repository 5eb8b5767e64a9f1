"""JUnit XML, so a CI server shows the QMS checks next to the unit tests.

One testsuite per rule pack, with one testcase per rule (classname = clause, name = rule id
and title), in clause order:

- a rule that raised findings fails, with one ``<failure>`` per finding (type = grade,
  message = statement);
- a rule that ran and found nothing passes; its ``<system-out>`` says what evidence it read;
- a rule the scan did not run (not applicable, the other audit stage, another edition) is
  skipped, with the reason.

The manual checks, requirements to verify on site, are skipped testcases of a suite of their
own: never passed, never failed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from qmscheck.model.report import Finding, ManualCheck, Report, clause_key
from qmscheck.rendering.readiness import evidence_line, sorted_findings

# Characters XML 1.0 cannot carry at all: evidence text scraped from files may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

#: The suite of the manual checks.
MANUAL_SUITE = "to verify on site"


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


@dataclass
class _Case:
    clause: str
    name: str
    failures: list[Finding] = field(default_factory=list)
    skipped: str | None = None
    out: str | None = None

    @property
    def key(self) -> tuple[object, ...]:
        return clause_key(self.clause), self.name


@dataclass
class _Suite:
    name: str
    version: str = ""
    cases: dict[str, _Case] = field(default_factory=dict)


def _suites(report: Report) -> list[_Suite]:
    suites = {pack.name: _Suite(pack.name, pack.version) for pack in report.packs}

    def case(pack: str, rule_id: str, clause: str, title: str) -> _Case:
        cases = suites.setdefault(pack, _Suite(pack)).cases
        return cases.setdefault(rule_id, _Case(clause, f"{rule_id} {title}".rstrip()))

    for finding in sorted_findings(report):
        case(finding.pack, finding.rule_id, finding.clause, finding.title).failures.append(finding)
    for passed in report.rules_passed:
        case(passed.pack, passed.rule_id, passed.clause, passed.title).out = evidence_line(passed.evidence)
    for not_run in report.rules_not_run:
        case(not_run.pack, not_run.rule_id, not_run.clause, not_run.title).skipped = not_run.reason
    # A report that lists no rule that did not run (saved by an older qmscheck) still names the
    # not-applicable ones, though not their pack; with one pack there is no doubt.
    listed = {not_run.rule_id for not_run in report.rules_not_run}
    home = report.packs[0].name if len(report.packs) == 1 else "not applicable"
    for excluded in report.not_applicable:
        for rule_id in excluded.rule_ids:
            if rule_id not in listed:
                case(home, rule_id, excluded.clause, "").skipped = f"not applicable: {excluded.justification}"
    return [suites[name] for name in sorted(suites)]


def _failure_body(finding: Finding) -> str:
    lines = [f"{finding.grade.label} ({finding.id})", finding.statement]
    lines += [f"evidence: {ref.locator}" + (f" sha256:{ref.sha256}" if ref.sha256 else "") for ref in finding.evidence]
    if finding.absence:
        lines.append(f"not found: {finding.absence}")
    lines.append(f"fix: {finding.fix}")
    return "\n".join(lines)


def _finish(element: ET.Element, tests: int, failures: int, skipped: int) -> ET.Element:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", "0")
    element.set("skipped", str(skipped))
    return element


def _suite_element(suite: _Suite) -> ET.Element:
    element = ET.Element("testsuite", name=_text(suite.name))
    if suite.version:
        properties = ET.SubElement(element, "properties")
        ET.SubElement(properties, "property", name="version", value=_text(suite.version))
    failures = skipped = 0
    cases = sorted(suite.cases.values(), key=lambda case: case.key)
    for case in cases:
        testcase = ET.SubElement(element, "testcase", classname=_text(case.clause), name=_text(case.name))
        for finding in case.failures:
            failure = ET.SubElement(testcase, "failure", type=finding.grade.value, message=_text(finding.statement))
            failure.text = _text(_failure_body(finding))
            failures += 1
        if case.skipped is not None and not case.failures:
            ET.SubElement(testcase, "skipped", message=_text(case.skipped))
            skipped += 1
        if case.out is not None and not case.failures:
            ET.SubElement(testcase, "system-out").text = _text(case.out)
    return _finish(element, len(cases), failures, skipped)


def _manual_body(check: ManualCheck) -> str:
    lines = ["Ask:", *(f"- {question}" for question in check.questions), "Request:"]
    lines += [f"- {evidence}" for evidence in check.evidence]
    return "\n".join(lines)


def _manual_suite(checks: list[ManualCheck]) -> ET.Element:
    element = ET.Element("testsuite", name=MANUAL_SUITE)
    for check in checks:
        testcase = ET.SubElement(
            element, "testcase", classname=_text(check.clause), name=_text(f"{check.clause} {check.title}")
        )
        ET.SubElement(testcase, "skipped", message=MANUAL_SUITE)
        ET.SubElement(testcase, "system-out").text = _text(_manual_body(check))
    return _finish(element, len(checks), 0, len(checks))


class JunitRenderer:
    name = "junit"
    extension = "xml"

    def render(self, report: Report, *, color: bool = False) -> str:
        root = ET.Element("testsuites", name=_text(f"qmscheck {report.tool_version}: {report.organisation.name}"))
        suites = [_suite_element(suite) for suite in _suites(report)]
        if report.manual_checks:
            suites.append(_manual_suite(sorted(report.manual_checks, key=lambda check: clause_key(check.clause))))
        root.extend(suites)
        for attribute in ("tests", "failures", "errors", "skipped"):
            root.set(attribute, str(sum(int(suite.get(attribute, "0")) for suite in suites)))
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
