"""What a groupwise rule kept of each evidence group (:class:`qmscheck.checks.base.Summary`), as
stored between scans in the evidence index (:class:`qmscheck.results.ResultCache`).

A summary depends on the rule, the scan's settings and the group's items, nothing else. So a
rule's summaries are stored together under a digest of the rule and the settings
(:func:`summary_digest`), each with the digest of the group it summarises: a rescan trusts
the entries whose group digest is unchanged and summarises the other groups again.

One JSON object per rule, not a row per group: a rule evaluated again needs every group's
summary, and one parse of 100,000 entries costs a fraction of 100,000 small ones. A failure's
items are tuples (:class:`~qmscheck.checks.base.Cited`), stored as plain JSON arrays; placed
items are stored as their position in the group the entry is for.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

import pydantic_core

from qmscheck.checks.base import Cited, Failure, Place, Summary

#: Group key -> [group digest, population] for a summary with nothing else in it, else
#: [group digest, population, failures, data, positions of the places].
StoredSummaries = dict[str, list[Any]]


def summary_digest(settings: str, rule_json: str) -> str:
    return hashlib.sha256(f"{settings}\0{rule_json}".encode()).hexdigest()


def stored(group_key: str, group_digest: str, summary: Summary) -> list[Any]:
    if not summary.failures and summary.data is None and not summary.places:
        return [group_digest, summary.population]
    if any(place.group != group_key for place in summary.places):
        raise ValueError("a summary may place only items of its own group")
    failures = []
    for failure in summary.failures:
        if not all(isinstance(item, Cited) for item in failure.items):
            raise TypeError("a groupwise failure must cite its items with CheckContext.cite")
        failures.append([failure.detail, failure.near_miss, failure.absence, failure.items])
    return [group_digest, summary.population, failures, summary.data, [place.position for place in summary.places]]


# Summaries that only count are by far the most common, and nothing changes a stored summary:
# one object per population size serves them all.
_COUNTED: dict[int, Summary] = {}


def counted(population: int) -> Summary:
    """The shared summary of ``population`` items and nothing else."""
    found = _COUNTED.get(population)
    if found is None:
        found = _COUNTED[population] = Summary(population=population)
    return found


def revived(group_key: str, entry: list[Any], sha256: str | None = None) -> Summary:
    """A stored entry as a summary; ValueError or TypeError when it is damaged.

    With ``sha256`` (a part of a large file, ``EvidenceGroup.content``), the items the failures
    cite from the group carry that file digest, and the entry is updated to match: it may have
    been worked out when the file had other bytes but the part the same items."""
    if len(entry) == 2:
        population = entry[1]
        if not isinstance(population, int):
            raise TypeError("a stored population is not a number")
        return counted(population)
    _, population, failures, data, positions = entry
    if sha256 is not None:
        for *_, items in failures:
            for item in items:
                if item[0] == group_key:
                    item[4] = sha256
    return Summary(
        population=population,
        failures=[Failure(items=tuple(Cited(*item) for item in items), detail=detail, near_miss=near_miss,
                          absence=absence) for detail, near_miss, absence, items in failures] or (),
        data=data,
        places=[Place(group_key, position) for position in positions] or (),
    )


def group_digest(digest: str) -> str:
    """A group's digest as stored with each of its summaries: short, since every rule stores one per file."""
    return hashlib.blake2b(digest.encode(), digest_size=10).hexdigest()


# pydantic-core's JSON (Rust) reads and writes these documents about twice as fast as the json module.
def encode(entries: StoredSummaries) -> bytes:
    return zlib.compress(pydantic_core.to_json(entries), 1)


def decode(blob: bytes) -> StoredSummaries:
    decoded = pydantic_core.from_json(zlib.decompress(blob))
    if not isinstance(decoded, dict):
        raise ValueError("stored summaries are not an object")
    return decoded
