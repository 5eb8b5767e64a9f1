"""SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps) and SARIF viewers.

Each finding is a result pointing at the evidence it cites: the file (relative to the
source it was collected from), the row of a register as ``region.startLine`` and the
sheet as a logical location. A finding about something absent has no file to point at,
so it points at its clause as a logical location. The finding id is the partial
fingerprint, so dashboards track a finding across scans.

Only rules that raised a finding appear in ``tool.driver.rules``: the rules that passed are in
the JSON, HTML, Markdown and JUnit reports. The manual checks (to verify on site) are run
properties, never results: a dashboard would count a result as an alert.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from qmscheck.model.grades import Grade
from qmscheck.model.report import EvidenceRef, Finding, Report
from qmscheck.rendering.locators import LocatorParts, parse_locator
from qmscheck.rendering.readiness import sorted_findings

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

#: Nonconformities fail a pipeline; evidence requests and observations warn; opportunities for improvement inform.
LEVELS: dict[Grade, str] = {
    Grade.MAJOR: "error",
    Grade.MINOR: "error",
    Grade.REQUEST: "warning",
    Grade.OBSERVATION: "warning",
    Grade.OFI: "note",
}

FINGERPRINT_KEY = "qmscheckFindingId/v1"


def _pascal_name(title: str) -> str:
    """SARIF wants ``name`` to be an identifier-like, human-readable rule name."""
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def _rule(finding: Finding, grades: list[Grade]) -> dict[str, Any]:
    worst = min(grades, key=lambda grade: grade.severity)
    return {
        "id": finding.rule_id,
        "name": _pascal_name(finding.title) or finding.rule_id,
        "shortDescription": {"text": finding.title},
        "fullDescription": {"text": finding.why},
        "help": {"text": finding.fix},
        "defaultConfiguration": {"level": LEVELS[worst]},
        "properties": {
            "clause": finding.clause,
            # A rule's findings can be graded differently (near misses, systemic breakdowns): the worst leads.
            "grade": worst.value,
            "grades": [grade.value for grade in sorted(set(grades), key=lambda grade: grade.severity)],
            "pack": finding.pack,
            "tags": ["iso9001", f"clause-{finding.clause}"],
        },
    }


def _artifact_uri(parts: LocatorParts) -> str | None:
    if parts.url:
        return parts.url
    # Percent-encode spaces and the like: artifactLocation.uri must be a URI reference.
    return quote(parts.path, safe="/") if parts.path else None


def _evidence_location(ref: EvidenceRef) -> dict[str, Any]:
    parts = parse_locator(ref.locator)
    location: dict[str, Any] = {"message": {"text": f"{ref.label}: {ref.locator}"}}
    target = parts.path or parts.url
    uri = _artifact_uri(parts)
    if uri:
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        if parts.row is not None:
            physical["region"] = {"startLine": parts.row}
        location["physicalLocation"] = physical
    logical: list[dict[str, Any]] = []
    if parts.sheet is not None:
        logical.append({"name": parts.sheet, "kind": "sheet", "fullyQualifiedName": f"{target or ''}[{parts.sheet}]"})
    if parts.record:
        logical.append({"name": parts.record, "kind": "record"})
    if logical:
        location["logicalLocations"] = logical
    properties: dict[str, Any] = {"evidenceId": ref.id}
    if ref.sha256:
        properties["sha256"] = ref.sha256
    location["properties"] = properties
    return location


def _clause_location(finding: Finding) -> dict[str, Any]:
    return {
        "message": {"text": finding.absence or finding.title},
        "logicalLocations": [
            {"name": finding.clause, "kind": "clause", "fullyQualifiedName": f"ISO 9001/{finding.clause}"}
        ],
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    locations = [_evidence_location(ref) for ref in finding.evidence] or [_clause_location(finding)]
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.grade],
        "message": {"text": finding.statement},
        "locations": locations,
        "partialFingerprints": {FINGERPRINT_KEY: finding.id},
        "properties": {
            "findingId": finding.id,
            "grade": finding.grade.value,
            "clause": finding.clause,
            "pack": finding.pack,
            "stages": finding.stages,
            "evidenceSha256": sorted({ref.sha256 for ref in finding.evidence if ref.sha256}),
            **({"absence": finding.absence} if finding.absence else {}),
        },
    }


def _invocation(report: Report) -> dict[str, Any]:
    """Evidence that could not be read is a tool notification: the scan went on without it."""
    notifications: list[dict[str, Any]] = []
    for warning in sorted(report.warnings, key=lambda w: (w.locator, w.connector, w.message)):
        notification: dict[str, Any] = {
            "level": "warning",
            "message": {"text": warning.message},
            "properties": {"connector": warning.connector, "locator": warning.locator},
        }
        uri = _artifact_uri(parse_locator(warning.locator))
        if uri:
            notification["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": uri}}}]
        notifications.append(notification)
    return {"executionSuccessful": True, "toolExecutionNotifications": notifications}


class SarifRenderer:
    name = "sarif"
    extension = "sarif"

    def render(self, report: Report, *, color: bool = False) -> str:
        findings = sorted_findings(report)
        grades_by_rule: dict[str, list[Grade]] = {}
        first_by_rule: dict[str, Finding] = {}
        for finding in findings:
            grades_by_rule.setdefault(finding.rule_id, []).append(finding.grade)
            first_by_rule.setdefault(finding.rule_id, finding)
        rule_ids = sorted(first_by_rule)
        index = {rule_id: position for position, rule_id in enumerate(rule_ids)}
        run = {
            "tool": {
                "driver": {
                    "name": "qmscheck",
                    "version": report.tool_version,
                    "rules": [_rule(first_by_rule[rule_id], grades_by_rule[rule_id]) for rule_id in rule_ids],
                },
            },
            "results": [_result(finding, index[finding.rule_id]) for finding in findings],
            "invocations": [_invocation(report)],
            "properties": {
                "schemaVersion": report.schema_version,
                "organisation": report.organisation.name,
                "asOf": report.as_of.isoformat(),
                "stage": report.stage,
                "edition": report.edition,
                "evidenceCount": report.evidence_count,
                "rulesEvaluated": report.rules_evaluated,
                "packs": [{"name": pack.name, "version": pack.version} for pack in report.packs],
                "sources": [source.model_dump(mode="json") for source in report.sources],
                # To verify on site: run properties, not results, so no dashboard counts them as alerts.
                "manualChecks": [
                    {"clause": check.clause, "title": check.title, "status": "to verify on site"}
                    for check in report.manual_checks
                ],
            },
        }
        log = {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}
        return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
