"""The JSON Schema of ``qmscheck.toml``, for editors that check and complete TOML against one.

Generated from :class:`~qmscheck.config.scan_config.ScanConfig`, the model every file is read
with, so the schema and the reader cannot disagree on a key. Published as
``docs/qmscheck.schema.json``; ``qmscheck init`` writes a copy beside the file it drafts and names
it on the file's first line (``#:schema``, the directive Taplo, Even Better TOML and Tombi read).
Regenerate the published copy after changing the model::

    python -m qmscheck.config.schema > docs/qmscheck.schema.json

TOML dates (``[scan] as_of``) are strings of format ``date`` here, as editors hand them to a JSON
Schema validator.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from qmscheck.config.scan_config import CONFIG_NAME, ScanConfig

__all__ = ["SCHEMA_ID", "SCHEMA_NAME", "config_schema"]

SCHEMA_NAME = "qmscheck.schema.json"
SCHEMA_ID = "https://qmscheck.invalid/schema/qmscheck-toml-v1.json"


def config_schema() -> dict[str, Any]:
    schema = ScanConfig.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = CONFIG_NAME
    schema["description"] = (
        "The configuration of a qmscheck scan: the organisation, its own parameters, the evidence "
        "sources, classification overrides, scan options and audit planning inputs."
    )
    for key, description in _KEYS.items():
        schema["properties"][key]["description"] = description
    return schema


#: What each top-level table is for, shown by editors on the key (the models' docstrings are the
#: developers').
_KEYS = {
    "organisation": "The organisation: name, scope, sites, processes, edition and the requirements it "
    "declares not applicable ([[organisation.exclusions]]).",
    "parameters": "Frequencies and deadlines the organisation set itself, as ISO 8601 periods (P1M, P30D, "
    "P12M); a rule judges one only when it is stated.",
    "kept_elsewhere": "Kinds of record kept outside the scanned sources: rules needing them become checks on site.",
    "scan": "Scan options: as-of date, stage, edition, --fail-on threshold, rule packs and rule selection.",
    "sources": "Where the evidence is, one table per source; options other than connector and name belong "
    "to the connector (filesystem: path, max_file_size, storage_options, password_env).",
    "classify": "Say what files are: files whose path matches pattern (a glob) are of evidence type type.",
    "audit": "The inputs of audit planning (qmscheck plan): complexity, sites with personnel and shifts, adjustments.",
}


if __name__ == "__main__":  # python -m qmscheck.config.schema > docs/qmscheck.schema.json
    sys.stdout.write(json.dumps(config_schema(), indent=2, sort_keys=True) + "\n")
