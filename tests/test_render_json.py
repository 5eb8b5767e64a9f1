"""JSON: versioned, described by the committed JSON Schema, and read back by ``qmscheck report``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from qmscheck.model.report import REPORT_SCHEMA_VERSION, Report
from qmscheck.rendering.json import JsonRenderer, report_json_schema, report_json_schema_text
from test_render_golden import golden_report

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "report.schema.json"


def committed_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def validator() -> jsonschema.protocols.Validator:
    schema = committed_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def test_committed_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == report_json_schema_text(), (
        "docs/report.schema.json is stale: run `python -m qmscheck.rendering.json > docs/report.schema.json`"
    )


def test_schema_is_generated_from_the_report_model() -> None:
    schema = report_json_schema()
    assert schema["title"] == "Report"
    versions = schema["properties"]["schema_version"]
    assert versions["default"] == REPORT_SCHEMA_VERSION and REPORT_SCHEMA_VERSION in versions["enum"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_rendered_json_is_versioned_and_validates_against_the_committed_schema() -> None:
    data = json.loads(JsonRenderer().render(golden_report()))
    assert data["schema_version"] == REPORT_SCHEMA_VERSION
    validator().validate(data)


def test_rendered_json_round_trips_to_the_same_report() -> None:
    report = golden_report()
    assert Report.model_validate_json(JsonRenderer().render(report)) == report


@pytest.mark.parametrize(
    ("path", "bad_value"),
    [
        (("findings", 0, "grade"), "critical"),
        (("schema_version",), "2.0"),
        (("findings", 1, "evidence", 0, "extra"), "not allowed"),
        (("as_of",), "31/03/2026"),
    ],
    ids=["unknown grade", "other schema version", "unknown field", "date not ISO"],
)
def test_schema_rejects_what_the_model_rejects(path: tuple[str | int, ...], bad_value: str) -> None:
    data = json.loads(JsonRenderer().render(golden_report()))
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = bad_value
    assert not validator().is_valid(data)
    with pytest.raises(ValueError):
        Report.model_validate(data)


def test_json_keeps_unicode_and_hostile_text_verbatim() -> None:
    rendered = JsonRenderer().render(golden_report())
    assert "<script>alert(1)</script>" in json.loads(rendered)["warnings"][0]["message"]
    assert "Acme <Precision> & Parts | Ltd" in rendered
