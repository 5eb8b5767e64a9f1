"""JUnit XML, so a CI server shows the QMS checks next to the unit tests.

One testsuite per standard and top-level clause ("ISO 9001:2015 clause 7: Support"), in standard
then clause order, its properties naming the standard, the clause and the packs (with versions)
whose rules it holds. One testcase per rule (classname = clause, qualified by its standard in a
report of several, name = rule id and title), in clause order:

- a rule that raised findings fails, with one ``<failure>`` per finding (type = grade,
  message = statement); a finding a decision set aside (waived, refuted) is no failure: a rule
  with only such findings is skipped, the decision its message;
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

from qmscheck.i18n import N_, Translator
from qmscheck.model.report import Finding, ManualCheck, Report, StandardInfo, clause_key
from qmscheck.rendering.readiness import (
    Cited,
    Standards,
    cited_order,
    disposition_line,
    evidence_line,
    sorted_findings,
    standard_order,
    top_clause,
)
from qmscheck.rendering.wording import fix, reason, statement

# Characters XML 1.0 cannot carry at all: evidence text scraped from files may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

#: The suite of the manual checks.
MANUAL_SUITE = N_("to verify on site")


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


@dataclass
class _Case:
    clause: str
    classname: str
    name: str
    failures: list[Finding] = field(default_factory=list)
    #: Findings a decision set aside: shown, never failing.
    set_aside: list[Finding] = field(default_factory=list)
    skipped: str | None = None
    out: str | None = None

    @property
    def key(self) -> tuple[object, ...]:
        return clause_key(self.clause), self.name


@dataclass
class _Suite:
    name: str
    standard: StandardInfo
    clause: str
    #: The packs whose rules the suite holds, with their versions.
    packs: set[tuple[str, str]] = field(default_factory=set)
    cases: dict[str, _Case] = field(default_factory=dict)


def _suites(standards: Standards) -> list[_Suite]:
    report, tr = standards.report, standards.tr
    versions = {pack.name: pack.version for pack in report.packs}
    suites: dict[tuple[str, str], _Suite] = {}

    def case(pack: str | None, rule_id: str, cited: Cited, title: str) -> _Case:
        clause = top_clause(cited.clause)
        suite = suites.get((cited.standard, clause))
        if suite is None:
            info = standards.info(cited.standard)
            # Next to unit-test suites a bare "Clause 7" says nothing: the suite always names its standard.
            name = standards.section_title(info, clause, qualified=True)
            suite = suites[cited.standard, clause] = _Suite(name, info, clause)
        if pack is not None:
            suite.packs.add((pack, versions.get(pack, "")))
        label = standards.label(cited)
        return suite.cases.setdefault(rule_id, _Case(cited.clause, label, f"{rule_id} {title}".rstrip()))

    for finding in sorted_findings(report):
        found = case(finding.pack, finding.rule_id, finding, standards.title(finding))
        (found.failures if finding.counted else found.set_aside).append(finding)
    for passed in report.rules_passed:
        case(passed.pack, passed.rule_id, passed, standards.title(passed)).out = evidence_line(passed.evidence, tr)
    for not_run in report.rules_not_run:
        case(not_run.pack, not_run.rule_id, not_run, standards.title(not_run)).skipped = reason(not_run.reason, tr)
    # A report that lists no rule that did not run (saved by an older qmscheck) still names the
    # not-applicable ones, though not their pack.
    listed = {not_run.rule_id for not_run in report.rules_not_run}
    for excluded in report.not_applicable:
        for rule_id in excluded.rule_ids:
            if rule_id not in listed:
                skipped = tr.gettext("not applicable: {why}").format(why=excluded.justification)
                case(None, rule_id, excluded, "").skipped = skipped
    return [suites[key] for key in sorted(suites, key=lambda key: (standard_order(key[0]), clause_key(key[1])))]


def _failure_body(finding: Finding, tr: Translator) -> str:
    lines = [f"{tr.gettext(finding.grade.label)} ({finding.id})"]
    decided = disposition_line(finding, tr)
    if decided:
        lines.append(tr.gettext("decision: {decision}").format(decision=decided))
    lines.append(statement(finding, tr))
    evidence = tr.gettext("evidence: {locator}")
    lines += [
        evidence.format(locator=ref.locator) + (f" sha256:{ref.sha256}" if ref.sha256 else "")
        for ref in finding.evidence
    ]
    if finding.absence:
        lines.append(tr.gettext("not found: {absence}").format(absence=finding.absence))
    if finding.fix:
        lines.append(tr.gettext("fix: {fix}").format(fix=fix(finding, tr)))
    return "\n".join(lines)


def _finish(element: ET.Element, tests: int, failures: int, skipped: int) -> ET.Element:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", "0")
    element.set("skipped", str(skipped))
    return element


def _suite_element(suite: _Suite, tr: Translator) -> ET.Element:
    element = ET.Element("testsuite", name=_text(suite.name))
    properties = ET.SubElement(element, "properties")
    ET.SubElement(properties, "property", name="standard", value=_text(suite.standard.id))
    ET.SubElement(properties, "property", name="clause", value=_text(suite.clause))
    for pack, version in sorted(suite.packs):
        ET.SubElement(properties, "property", name="pack", value=_text(f"{pack} {version}".rstrip()))
    failures = skipped = 0
    cases = sorted(suite.cases.values(), key=lambda case: case.key)
    for case in cases:
        testcase = ET.SubElement(element, "testcase", classname=_text(case.classname), name=_text(case.name))
        for finding in case.failures:
            message = _text(statement(finding, tr))
            failure = ET.SubElement(testcase, "failure", type=finding.grade.value, message=message)
            failure.text = _text(_failure_body(finding, tr))
            failures += 1
        if case.set_aside and not case.failures:
            message = "; ".join(disposition_line(finding, tr) or "" for finding in case.set_aside)
            ET.SubElement(testcase, "skipped", message=_text(message))
            skipped += 1
        elif case.skipped is not None and not case.failures:
            ET.SubElement(testcase, "skipped", message=_text(case.skipped))
            skipped += 1
        out = [case.out] if case.out is not None and not case.failures else []
        out += [_failure_body(finding, tr) for finding in case.set_aside]
        if out:
            ET.SubElement(testcase, "system-out").text = _text("\n\n".join(out))
    return _finish(element, len(cases), failures, skipped)


def _manual_body(check: ManualCheck, tr: Translator) -> str:
    lines = [tr.gettext("Ask:"), *(f"- {question}" for question in check.questions), tr.gettext("Request:")]
    lines += [f"- {evidence}" for evidence in check.evidence]
    return "\n".join(lines)


def _manual_suite(standards: Standards, checks: list[ManualCheck]) -> ET.Element:
    suite = standards.tr.gettext(MANUAL_SUITE)
    element = ET.Element("testsuite", name=suite)
    for check in checks:
        label = standards.label(check)
        testcase = ET.SubElement(element, "testcase", classname=_text(label), name=_text(f"{label} {check.title}"))
        ET.SubElement(testcase, "skipped", message=suite)
        ET.SubElement(testcase, "system-out").text = _text(_manual_body(check, standards.tr))
    return _finish(element, len(checks), 0, len(checks))


class JunitRenderer:
    name = "junit"
    extension = "xml"

    def render(self, report: Report, *, color: bool = False) -> str:
        root = ET.Element("testsuites", name=_text(f"qmscheck {report.tool_version}: {report.organisation.name}"))
        standards = Standards.of(report)
        suites = [_suite_element(suite, standards.tr) for suite in _suites(standards)]
        if report.manual_checks:
            suites.append(_manual_suite(standards, sorted(report.manual_checks, key=cited_order)))
        root.extend(suites)
        for attribute in ("tests", "failures", "errors", "skipped"):
            root.set(attribute, str(sum(int(suite.get(attribute, "0")) for suite in suites)))
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
