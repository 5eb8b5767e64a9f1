"""SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps) and SARIF viewers.

Each finding is a result pointing at the evidence it cites: the file (relative to the
source it was collected from), the row of a register as ``region.startLine`` and the
sheet as a logical location. A finding about something absent has no file to point at,
so it points at its clause as a logical location. The finding id is the partial
fingerprint, so dashboards track a finding across scans.

Every clause is named with its standard: each standard a finding cites is a taxonomy
(``runs[].taxonomies``, e.g. "ISO 13485" version "2016") whose taxa are the clauses cited; a rule
relates to its clause's taxon, a result names it in ``taxa``, a clause location's
``fullyQualifiedName`` is "ISO 13485:2016/7.4.1", and a rule's tags hold the standard id.

Only rules that raised a finding appear in ``tool.driver.rules``: the rules that passed are in
the JSON, HTML, Markdown and JUnit reports. The manual checks (to verify on site) are run
properties, never results: a dashboard would count a result as an alert.

A finding a decision set aside (waived, refuted) is still a result, with an external suppression
whose justification is the decision: dashboards show it as suppressed, not as an alert. Every
decision is in the result's ``disposition`` property.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from qmscheck.model.grades import Grade
from qmscheck.model.report import EvidenceRef, Finding, Report, clause_key
from qmscheck.rendering.locators import LocatorParts, parse_locator
from qmscheck.rendering.readiness import Standards, disposition_line, edition_name, sorted_findings, standard_order

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

FINGERPRINT_KEY = "qmscheckFingerprint/v1"


def _pascal_name(title: str) -> str:
    """SARIF wants ``name`` to be an identifier-like, human-readable rule name."""
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


class _Taxonomies:
    """A taxonomy per standard the findings cite, its taxa the clauses cited, in standard and clause order."""

    def __init__(self, standards: Standards, findings: list[Finding]) -> None:
        self.standards = standards
        cited: dict[str, set[str]] = {}
        for finding in findings:
            cited.setdefault(finding.standard, set()).add(finding.clause)
        self.order = sorted(cited, key=standard_order)
        self.clauses = {standard: sorted(clauses, key=clause_key) for standard, clauses in cited.items()}

    def reference(self, finding: Finding) -> dict[str, Any]:
        """A reference to the taxon of the finding's clause."""
        index = self.order.index(finding.standard)
        return {
            "id": finding.clause,
            "index": self.clauses[finding.standard].index(finding.clause),
            "toolComponent": {"name": self.standards.info(finding.standard).name, "index": index},
        }

    def components(self) -> list[dict[str, Any]]:
        components = []
        for standard in self.order:
            info = self.standards.info(standard)
            taxa = []
            for clause in self.clauses[standard]:
                taxon: dict[str, Any] = {"id": clause, "name": info.cite(clause)}
                if clause in info.clauses:
                    taxon["shortDescription"] = {"text": info.clauses[clause]}
                taxa.append(taxon)
            component: dict[str, Any] = {"name": info.name, "version": info.edition, "taxa": taxa}
            if info.title:
                component["fullName"] = f"{edition_name(info)} {info.title}"
            components.append(component)
        return components


def _rule(finding: Finding, grades: list[Grade], taxonomies: _Taxonomies) -> dict[str, Any]:
    worst = min(grades, key=lambda grade: grade.severity)
    info = taxonomies.standards.info(finding.standard)
    return {
        "id": finding.rule_id,
        "name": _pascal_name(finding.title) or finding.rule_id,
        "shortDescription": {"text": finding.title},
        "fullDescription": {"text": finding.why},
        **({"help": {"text": finding.fix}} if finding.fix else {}),
        "defaultConfiguration": {"level": LEVELS[worst]},
        "relationships": [{"target": taxonomies.reference(finding), "kinds": ["relevant"]}],
        "properties": {
            "standard": finding.standard,
            "clause": finding.clause,
            "citation": info.cite(finding.clause),
            # A rule's findings can be graded differently (near misses, systemic breakdowns): the worst leads.
            "grade": worst.value,
            "grades": [grade.value for grade in sorted(set(grades), key=lambda grade: grade.severity)],
            "pack": finding.pack,
            "tags": [finding.standard, f"clause-{finding.clause}"],
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


def _clause_location(finding: Finding, standards: Standards) -> dict[str, Any]:
    standard = edition_name(standards.info(finding.standard))
    return {
        "message": {"text": finding.absence or finding.title},
        "logicalLocations": [
            {"name": finding.clause, "kind": "clause", "fullyQualifiedName": f"{standard}/{finding.clause}"}
        ],
    }


def _suppressions(finding: Finding) -> dict[str, Any]:
    """A finding set aside by a decision is suppressed outside the tool: by the decisions file."""
    if finding.counted or finding.disposition is None:
        return {}
    return {
        "suppressions": [{"kind": "external", "status": "accepted", "justification": disposition_line(finding) or ""}]
    }


def _result(finding: Finding, rule_index: int, taxonomies: _Taxonomies) -> dict[str, Any]:
    locations = [_evidence_location(ref) for ref in finding.evidence] or [
        _clause_location(finding, taxonomies.standards)
    ]
    disposition = finding.disposition
    return {
        **_suppressions(finding),
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.grade],
        "message": {"text": finding.statement},
        "locations": locations,
        # The finding's identity from scan to scan (the requirement and its context), so that code
        # scanning follows one alert while what it cites changes; a report before 1.2 has only its id.
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint or finding.id},
        "taxa": [taxonomies.reference(finding)],
        "properties": {
            "findingId": finding.id,
            "grade": finding.grade.value,
            "standard": finding.standard,
            "clause": finding.clause,
            "pack": finding.pack,
            "stages": finding.stages,
            "evidenceSha256": sorted({ref.sha256 for ref in finding.evidence if ref.sha256}),
            **({"absence": finding.absence} if finding.absence else {}),
            **({"fingerprint": finding.fingerprint} if finding.fingerprint else {}),
            **({"disposition": disposition.model_dump(mode="json", exclude_none=True)} if disposition else {}),
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
        standards = Standards.of(report)
        taxonomies = _Taxonomies(standards, findings)
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
                    "rules": [
                        _rule(first_by_rule[rule_id], grades_by_rule[rule_id], taxonomies) for rule_id in rule_ids
                    ],
                },
            },
            "taxonomies": taxonomies.components(),
            "results": [_result(finding, index[finding.rule_id], taxonomies) for finding in findings],
            "invocations": [_invocation(report)],
            "properties": {
                "schemaVersion": report.schema_version,
                "organisation": report.organisation.name,
                "asOf": report.as_of.isoformat(),
                "stage": report.stage,
                "edition": report.edition,
                "evidenceCount": report.evidence_count,
                "rulesEvaluated": report.rules_evaluated,
                "audience": report.audience,
                "staleDecisions": [
                    stale.model_dump(mode="json", exclude_none=True) for stale in report.stale_decisions
                ],
                "standards": [
                    {"id": info.id, "name": info.name, "edition": info.edition, "title": info.title}
                    for info in standards.infos
                ],
                "packs": [
                    {"name": pack.name, "version": pack.version, "standard": pack.standard, "overlays": pack.overlays}
                    for pack in report.packs
                ],
                "sources": [source.model_dump(mode="json") for source in report.sources],
                # To verify on site: run properties, not results, so no dashboard counts them as alerts.
                "manualChecks": [
                    {
                        "standard": check.standard,
                        "clause": check.clause,
                        "title": check.title,
                        "status": "to verify on site",
                    }
                    for check in report.manual_checks
                ],
            },
        }
        log = {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}
        return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
