"""JUnit XML, so a CI server shows the QMS checks next to the unit tests.

One testsuite per rule pack. One testcase per rule that raised findings (classname =
clause, name = rule id and title) with one ``<failure>`` per finding (type = grade,
message = statement). Rules declared not applicable are skipped testcases. The report
counts the rules that passed but does not name them, so they appear as one passing
"rules without findings" testcase per pack.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from qmscheck.model.report import Finding, Report, clause_key
from qmscheck.rendering.readiness import sorted_findings

# Characters XML 1.0 cannot carry at all: evidence text scraped from files may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


@dataclass
class _Suite:
    name: str
    version: str = ""
    findings_by_rule: dict[str, list[Finding]] = field(default_factory=dict)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (clause, rule id, justification)
    declared_rules: int | None = None

    @property
    def without_findings(self) -> int:
        if self.declared_rules is None:
            return 0
        return max(self.declared_rules - len(self.findings_by_rule) - len(self.skipped), 0)


def _suites(report: Report) -> list[_Suite]:
    suites = {pack.name: _Suite(pack.name, pack.version, declared_rules=pack.rules) for pack in report.packs}
    for finding in sorted_findings(report):
        suite = suites.setdefault(finding.pack, _Suite(finding.pack))
        suite.findings_by_rule.setdefault(finding.rule_id, []).append(finding)
    # Not-applicable rules are not tagged with their pack; with one pack there is no doubt.
    home = report.packs[0].name if len(report.packs) == 1 else "not applicable"
    for excluded in report.not_applicable:
        for rule_id in excluded.rule_ids:
            suites.setdefault(home, _Suite(home)).skipped.append((excluded.clause, rule_id, excluded.justification))
    return [suites[name] for name in sorted(suites)]


def _failure_body(finding: Finding) -> str:
    lines = [f"{finding.grade.label} ({finding.id})", finding.statement]
    lines += [f"evidence: {ref.locator}" + (f" sha256:{ref.sha256}" if ref.sha256 else "") for ref in finding.evidence]
    if finding.absence:
        lines.append(f"not found: {finding.absence}")
    lines.append(f"fix: {finding.fix}")
    return "\n".join(lines)


def _suite_element(suite: _Suite) -> ET.Element:
    element = ET.Element("testsuite", name=_text(suite.name))
    if suite.version:
        properties = ET.SubElement(element, "properties")
        ET.SubElement(properties, "property", name="version", value=_text(suite.version))
    tests = failures = 0
    ordered = sorted(suite.findings_by_rule.items(), key=lambda item: (clause_key(item[1][0].clause), item[0]))
    for rule_id, findings in ordered:
        first = findings[0]
        case = ET.SubElement(element, "testcase", classname=_text(first.clause), name=_text(f"{rule_id} {first.title}"))
        for finding in findings:
            failure = ET.SubElement(case, "failure", type=finding.grade.value, message=_text(finding.statement))
            failure.text = _text(_failure_body(finding))
            failures += 1
        tests += 1
    for clause, rule_id, justification in sorted(suite.skipped, key=lambda s: (clause_key(s[0]), s[1])):
        case = ET.SubElement(element, "testcase", classname=_text(clause), name=_text(rule_id))
        ET.SubElement(case, "skipped", message=_text(f"not applicable: {justification}"))
        tests += 1
    if suite.without_findings:
        case = ET.SubElement(element, "testcase", classname=_text(suite.name), name="rules without findings")
        ET.SubElement(case, "system-out").text = f"{suite.without_findings} rules evaluated without findings"
        tests += 1
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", "0")
    element.set("skipped", str(len(suite.skipped)))
    return element


class JunitRenderer:
    name = "junit"
    extension = "xml"

    def render(self, report: Report, *, color: bool = False) -> str:
        root = ET.Element("testsuites", name=_text(f"qmscheck {report.tool_version}: {report.organisation.name}"))
        suites = [_suite_element(suite) for suite in _suites(report)]
        root.extend(suites)
        for attribute in ("tests", "failures", "errors", "skipped"):
            root.set(attribute, str(sum(int(suite.get(attribute, "0")) for suite in suites)))
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
