from __future__ import annotations

import json

from qmscheck.report import Report


class JsonRenderer:
    name = "json"
    extension = "json"

    def render(self, report: Report, *, color: bool = False) -> str:
        data = report.model_dump(mode="json")
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
