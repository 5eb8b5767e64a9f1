"""SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps) and SARIF viewers.

Each finding is a result pointing at the evidence it cites: the file, the row of a register as
``region.startLine`` and the sheet as a logical location. Paths are relative to ``%SRCROOT%``: the
root of the git repository holding the scanned folder when the scan found one (the report's
``sources[].repository_path``), else the scanned folder itself; never absolute, so a report does
not change with the clone's place and GitHub matches the paths against the repository.

GitHub code scanning rejects a result without a file location and an absolute URI of another scheme
than the checkout's (``file``). So a finding about something absent, or one citing only ERP records,
points first at the file that should answer it: the source's quality manual (line 1 of a text
file), else the scanned folder as a directory; the clause is its logical location and an ERP record
a logical location with its URL in the properties. A result cites at most ``MAX_LOCATIONS``
places (GitHub's limit), saying how many more the JSON report lists. Rule names and descriptions are
cut to GitHub's lengths.

The finding's fingerprint is the partial fingerprint, under the tool's own key and as GitHub's
``primaryLocationLineHash`` (the only one code scanning reads), so that dashboards track a finding
across scans and the upload action does not hash lines of a binary document to make one.

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

import hashlib
import json
import re
from pathlib import PurePosixPath
from typing import Any

from qmscheck.model.grades import Grade
from qmscheck.model.report import EvidenceRef, Finding, Report, SourceInfo, clause_key
from qmscheck.rendering.locators import parse_locator
from qmscheck.rendering.readiness import Standards, disposition_line, edition_name, sorted_findings, standard_order
from qmscheck.rendering.wording import absence_words, fix, requirement_words, statement, warning
from qmscheck.support.safe_text import url_path

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
#: The partial fingerprint GitHub code scanning matches alerts by.
LINE_HASH_KEY = "primaryLocationLineHash"
#: The base every file location is relative to: the repository root on GitHub.
SRCROOT = "%SRCROOT%"

# GitHub code scanning's limits ("SARIF support for code scanning"; "SARIF results exceed limit"):
# an upload over one is rejected, or its text cut.
MAX_LOCATIONS = 1000
MAX_RULE_NAME = 255
MAX_DESCRIPTION = 1024

#: Files whose line 1 is a place to show an alert at; a binary document gets no region.
TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".csv", ".html", ".htm"})


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


def _bounded(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis saying so."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _rule(finding: Finding, grades: list[Grade], taxonomies: _Taxonomies) -> dict[str, Any]:
    worst = min(grades, key=lambda grade: grade.severity)
    standards = taxonomies.standards
    info = standards.info(finding.standard)
    # The rule's words in the report's language: a rationale its pack does not translate is replaced
    # by the requirement it explains, which the pack does.
    title, advice = standards.title(finding), fix(finding, standards.tr)
    why = standards.tr.rule(finding.pack, finding.rule_id, finding.why)
    if why == finding.why and standards.tr.language != "en":
        why = requirement_words(finding, standards.tr) or why
    # GitHub requires every description and the help, none empty: an auditor's report has no fix.
    return {
        "id": finding.rule_id,
        "name": _bounded(_pascal_name(finding.title) or finding.rule_id, MAX_RULE_NAME),
        "shortDescription": {"text": _bounded(title or finding.rule_id, MAX_DESCRIPTION)},
        "fullDescription": {"text": _bounded(why or title or finding.rule_id, MAX_DESCRIPTION)},
        "help": {"text": advice or why or title or finding.rule_id},
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


def _uri(path: str) -> str:
    # Percent-encode spaces and the like: artifactLocation.uri must be a URI reference, and a name
    # that is not UTF-8 is its real bytes.
    return url_path(path)


def _relative(path: str | None) -> str | None:
    """A path a location can give relative to %SRCROOT%: none that is absolute or climbs out."""
    if not path or path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path):
        return None
    return None if ".." in PurePosixPath(path).parts else path


class _Places:
    """Where the report's files are from %SRCROOT%, and the file a finding with none of its own points at.

    Locators do not name their source: with one source in a git repository its paths are prefixed
    with its place there; otherwise they stay relative to the folder scanned."""

    def __init__(self, sources: list[SourceInfo]) -> None:
        located = [source for source in sources if source.repository_path is not None]
        self.prefix = ""
        if len(located) == 1 and sum(1 for s in sources if s.connector == located[0].connector) == 1:
            self.prefix = _folder(located[0])
        self.anchor = self._anchor(sources)

    def artifact(self, path: str) -> dict[str, Any]:
        return {"uri": _uri(self.prefix + path), "uriBaseId": SRCROOT}

    @staticmethod
    def _anchor(sources: list[SourceInfo]) -> dict[str, Any]:
        """The first source's quality manual, else the first folder in a repository as a directory,
        else the folder scanned ("./")."""
        for source in sources:
            manual = _relative(parse_locator(source.quality_manual).path) if source.quality_manual else None
            if manual:
                physical: dict[str, Any] = {
                    "artifactLocation": {"uri": _uri(_folder(source) + manual), "uriBaseId": SRCROOT}
                }
                if PurePosixPath(manual).suffix.lower() in TEXT_SUFFIXES:
                    physical["region"] = {"startLine": 1}
                return physical
        folder = next((_folder(source) for source in sources if source.repository_path is not None), "")
        return {"artifactLocation": {"uri": _uri(folder or "./"), "uriBaseId": SRCROOT}}


def _folder(source: SourceInfo) -> str:
    """A source's place in its repository as a path prefix ('' at the root or outside git)."""
    return f"{source.repository_path}/" if source.repository_path else ""


def _evidence_location(ref: EvidenceRef, places: _Places) -> dict[str, Any]:
    parts = parse_locator(ref.locator)
    location: dict[str, Any] = {"message": {"text": f"{ref.label}: {ref.locator}"}}
    path = _relative(parts.path)
    if path:
        physical: dict[str, Any] = {"artifactLocation": places.artifact(path)}
        if parts.row is not None:
            physical["region"] = {"startLine": parts.row}
        location["physicalLocation"] = physical
    target = parts.path or parts.url
    logical: list[dict[str, Any]] = []
    if parts.sheet is not None:
        logical.append({"name": parts.sheet, "kind": "sheet", "fullyQualifiedName": f"{target or ''}[{parts.sheet}]"})
    if parts.record:
        logical.append({"name": parts.record, "kind": "record", "fullyQualifiedName": f"{target or ''} {parts.record}"})
    if logical:
        location["logicalLocations"] = logical
    properties: dict[str, Any] = {"evidenceId": ref.id}
    if parts.url:
        # An https URI in a location gets the upload rejected (its scheme is not the checkout's).
        properties["url"] = parts.url
    if ref.sha256:
        properties["sha256"] = ref.sha256
    location["properties"] = properties
    return location


def _clause_location(finding: Finding, standards: Standards, places: _Places) -> dict[str, Any]:
    """Where a finding with no file of its own is shown: the file that should answer it, and the clause."""
    standard = edition_name(standards.info(finding.standard))
    return {
        "message": {"text": absence_words(finding, standards.tr) or standards.title(finding)},
        "physicalLocation": places.anchor,
        "logicalLocations": [
            {"name": finding.clause, "kind": "clause", "fullyQualifiedName": f"{standard}/{finding.clause}"}
        ],
    }


def _suppressions(finding: Finding, standards: Standards) -> dict[str, Any]:
    """A finding set aside by a decision is suppressed outside the tool: by the decisions file."""
    if finding.counted or finding.disposition is None:
        return {}
    justification = disposition_line(finding, standards.tr) or ""
    return {"suppressions": [{"kind": "external", "status": "accepted", "justification": justification}]}


def _line_hash(identity: str) -> str:
    """GitHub's ``primaryLocationLineHash`` form (16 hex digits, then the occurrence) of the finding's identity."""
    return f"{hashlib.sha256(identity.encode()).hexdigest()[:16]}:1"


def _result(finding: Finding, rule_index: int, taxonomies: _Taxonomies, places: _Places) -> dict[str, Any]:
    cited = finding.evidence[:MAX_LOCATIONS]
    locations = [_evidence_location(ref, places) for ref in cited]
    if not any("physicalLocation" in location for location in locations):
        # GitHub shows a result at its first location, and rejects one with no file to show it at.
        locations.insert(0, _clause_location(finding, taxonomies.standards, places))
        del locations[MAX_LOCATIONS:]
    else:
        # The first file cited leads: GitHub reads only the first location.
        locations.sort(key=lambda location: "physicalLocation" not in location)
    omitted = len(finding.evidence) - sum(1 for location in locations if "properties" in location)
    tr = taxonomies.standards.tr
    message = statement(finding, tr) or taxonomies.standards.title(finding)
    if omitted:
        message += tr.gettext(
            " ({count} more evidence items are not located here: the JSON report lists them all.)"
        ).format(count=omitted)
    disposition = finding.disposition
    identity = finding.fingerprint or finding.id
    return {
        **_suppressions(finding, taxonomies.standards),
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.grade],
        "message": {"text": message},
        "locations": locations,
        # The finding's identity from scan to scan (the requirement and its context), so that code
        # scanning follows one alert while what it cites changes; a report before 1.2 has only its id.
        "partialFingerprints": {FINGERPRINT_KEY: identity, LINE_HASH_KEY: _line_hash(identity)},
        "taxa": [taxonomies.reference(finding)],
        "properties": {
            "findingId": finding.id,
            "grade": finding.grade.value,
            "standard": finding.standard,
            "clause": finding.clause,
            "pack": finding.pack,
            "stages": finding.stages,
            "evidenceSha256": sorted({ref.sha256 for ref in finding.evidence if ref.sha256}),
            **({"locationsOmitted": omitted} if omitted else {}),
            **({"absence": finding.absence} if finding.absence else {}),
            **({"fingerprint": finding.fingerprint} if finding.fingerprint else {}),
            **({"disposition": disposition.model_dump(mode="json", exclude_none=True)} if disposition else {}),
        },
    }


def _invocation(report: Report, places: _Places, standards: Standards) -> dict[str, Any]:
    """Evidence that could not be read is a tool notification: the scan went on without it."""
    notifications: list[dict[str, Any]] = []
    for entry in sorted(report.warnings, key=lambda w: (w.locator, w.connector, w.message)):
        notification: dict[str, Any] = {
            "level": "warning",
            "message": {"text": warning(entry.message, standards.tr)},
            "properties": {"connector": entry.connector, "locator": entry.locator},
        }
        path = _relative(parse_locator(entry.locator).path)
        if path:
            notification["locations"] = [{"physicalLocation": {"artifactLocation": places.artifact(path)}}]
        notifications.append(notification)
    return {"executionSuccessful": True, "toolExecutionNotifications": notifications}


class SarifRenderer:
    name = "sarif"
    extension = "sarif"

    def render(self, report: Report, *, color: bool = False) -> str:
        findings = sorted_findings(report)
        standards = Standards.of(report)
        taxonomies = _Taxonomies(standards, findings)
        places = _Places(report.sources)
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
            "originalUriBaseIds": {
                SRCROOT: {
                    "description": {
                        "text": standards.tr.gettext(
                            "The root of the git repository holding the scanned folder (of the folder "
                            "itself when it is in none): every file location is relative to it."
                        )
                    }
                }
            },
            "results": [_result(finding, index[finding.rule_id], taxonomies, places) for finding in findings],
            "invocations": [_invocation(report, places, standards)],
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
