"""What each groupwise rule kept of each evidence group (:class:`qmscheck.checks.base.Summary`),
as stored between scans in the evidence index (:class:`qmscheck.results.ResultCache`).

A summary depends on the rule, the scan's settings and the group's items, nothing else; so it
is stored under the group's key and digest, and inside that under a digest of the rule and
settings (:func:`summary_digest`). A rescan decodes only the groups whose digest changed (or
that a changed rule reads) and combines their fresh summaries with the stored ones.

Positions of cited items are stored relative to their group, since inserting a file before
it moves the group but not its items' places within it.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from typing import Any

from qmscheck.checks.base import Cited, Failure, Summary

#: The one key of the JSON object a cited item is stored as.
CITED = "@"

#: Per rule (by :func:`summary_digest`): [population, failures, data], cited items as {"@": [...]}.
StoredSummaries = dict[str, list[Any]]


def summary_digest(settings: str, rule_json: str) -> str:
    return hashlib.sha256(f"{settings}\0{rule_json}".encode()).hexdigest()[:24]


def encode(summaries: StoredSummaries, offset: int) -> bytes:
    def cited(value: object) -> dict[str, list[Any]]:
        if isinstance(value, Cited):
            return {CITED: [value.position - offset, value.id, value.locator, value.sha256, value.label]}
        raise TypeError(f"a summary holds a {type(value).__name__}, which cannot be stored")

    return zlib.compress(json.dumps(summaries, default=cited, separators=(",", ":")).encode(), 1)


def decode(blob: bytes, offset: int) -> StoredSummaries:
    def revive(value: dict[str, Any]) -> Any:
        found = value.get(CITED)
        if found is not None and len(value) == 1:
            position, item_id, locator, sha256, label = found
            return Cited(offset + position, item_id, locator, sha256, label)
        return value

    decoded = json.loads(zlib.decompress(blob), object_hook=revive)
    if not isinstance(decoded, dict):
        raise ValueError("stored summaries are not an object")
    return decoded


def stored(summary: Summary) -> list[Any]:
    failures = [[failure.detail, failure.near_miss, failure.absence, list(failure.items)]
                for failure in summary.failures]
    for failure in summary.failures:
        if not all(isinstance(item, Cited) for item in failure.items):
            raise TypeError("a groupwise failure must cite its items as Cited (CheckContext.cite)")
    return [summary.population, failures, summary.data]


def revived(entry: list[Any]) -> Summary:
    population, failures, data = entry
    return Summary(
        population=population,
        failures=[Failure(items=tuple(items), detail=detail, near_miss=near_miss, absence=absence)
                  for detail, near_miss, absence, items in failures],
        data=data,
    )
