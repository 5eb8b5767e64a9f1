"""The report model as JSON: the machine-readable record of a scan, and what ``qmscheck report`` reads back.

Versioned by ``schema_version``; its JSON Schema (``docs/report.schema.json``) is generated
from the pydantic model. Regenerate it after changing :mod:`qmscheck.model.report`::

    python -m qmscheck.rendering.json > docs/report.schema.json
"""

from __future__ import annotations

import json
from typing import Any

from qmscheck.model.report import Report


class JsonRenderer:
    name = "json"
    extension = "json"

    def render(self, report: Report, *, color: bool = False) -> str:
        data = report.model_dump(mode="json")
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema of a saved scan: exactly what ``qmscheck report`` accepts, and the verdicts a
    scan writes (read-only: reading a report recomputes them, and one without them is read too)."""
    schema = Report.model_json_schema(mode="serialization")
    schema["required"].remove("verdicts")
    # pydantic writes draft 2020-12; saying so lets validators pick the right dialect.
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def report_json_schema_text() -> str:
    return json.dumps(report_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(report_json_schema_text(), end="")
