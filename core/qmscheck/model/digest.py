"""Digests of evidence that has no file of its own (an ERP record, a database row).

The sha256 is taken over canonical JSON of the values read: sorted keys, no spaces,
dates in ISO form, decimals and other exact types as text, bytes in base64, sets
sorted. The same values always give the same digest, so an auditor can verify a
record offline against the values the connector saw.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

__all__ = ["canonical_json", "values_sha256"]


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, tuple):
        return list(value)
    return str(value)


def canonical_json(values: Mapping[str, Any]) -> str:
    return json.dumps(dict(values), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def values_sha256(values: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(values).encode("utf-8")).hexdigest()
