"""What a groupwise rule kept of each evidence group (:class:`qmscheck.checks.base.Summary`), as
stored between scans in the evidence index (:class:`qmscheck.results.ResultCache`).

A summary depends on the rule, the scan's settings and the group's items, nothing else. So a
rule's summaries are stored together under a digest of the rule and the settings
(:func:`summary_digest`), each with the digest of the group it summarises: a rescan trusts
the entries whose group digest is unchanged and summarises the other groups again.

One JSON document per rule, in columns: the groups' digests and populations as two lists in
evidence order (their keys as one list shared by the rules that read the same groups), and the
rest of the summaries that hold more than a count (failures, data, places) by their index in
those lists. A rule evaluated again on a rescan compares two lists of digests and sums a list
of numbers for the groups that only count, instead of building an object per group: at
100,000 files that is the difference between a few milliseconds and half a second per rule.
A failure's items are tuples (:class:`~qmscheck.checks.base.Cited`), stored as plain JSON
arrays; placed items are stored as their position in the group the entry is for.
"""

from __future__ import annotations

import hashlib
from typing import Any, NamedTuple

import pydantic_core

from qmscheck.checks.base import Cited, Failure, Place, Summary


class StoredRule(NamedTuple):
    """A rule's stored summaries: per group read (evidence order), the digest of the content it
    was summarised from (``EvidenceGroup.content``, shortened by :func:`group_digest`) and its
    population; ``rest`` holds, by index as text, [failures, data, positions of the places] of
    the summaries that are more than a count. ``keys`` is the digest of the list of the groups'
    keys (:class:`GroupKeys`), stored once for all the rules that read the same groups: at 100k
    files the list is megabytes, and a dozen rules read it."""

    keys: str
    digests: list[str]
    populations: list[int]
    rest: dict[str, list[Any]]


class GroupKeys(NamedTuple):
    """The keys of the groups a rule reads, as JSON (as stored) and the digest of that JSON."""

    keys: list[str]
    json: bytes
    digest: str

    @classmethod
    def of(cls, keys: list[str]) -> GroupKeys:
        data = pydantic_core.to_json(keys)
        return cls(keys, data, hashlib.sha256(data).hexdigest())


def decode_keys(data: bytes) -> list[str]:
    """A stored list of group keys; ValueError or TypeError when it is damaged."""
    keys = pydantic_core.from_json(data)
    if not isinstance(keys, list) or not set(map(type, keys)) <= {str}:
        raise TypeError("stored group keys are not a list of text")
    return keys


def summary_digest(settings: str, rule_json: str) -> str:
    return hashlib.sha256(f"{settings}\0{rule_json}".encode()).hexdigest()


def only_counts(summary: Summary) -> bool:
    """A summary that holds nothing but its population: stored as a number."""
    return not summary.failures and summary.data is None and not summary.places


def rest_of(group_key: str, summary: Summary) -> list[Any]:
    """What is stored of a summary besides its population: [failures, data, positions]."""
    if any(place.group != group_key for place in summary.places):
        raise ValueError("a summary may place only items of its own group")
    failures = []
    for failure in summary.failures:
        if not all(isinstance(item, Cited) for item in failure.items):
            raise TypeError("a groupwise failure must cite its items with CheckContext.cite")
        failures.append([failure.detail, failure.near_miss, failure.absence, failure.items])
    return [failures, summary.data, [place.position for place in summary.places]]


def revived(group_key: str, population: int, rest: list[Any], sha256: str | None = None) -> Summary:
    """A stored summary that is more than a count; ValueError or TypeError when it is damaged.

    With ``sha256`` (a part of a large file, ``EvidenceGroup.content``), the items the failures
    cite from the group carry that file digest, and ``rest`` is updated to match: it may have
    been worked out when the file had other bytes but the part the same items."""
    failures, data, positions = rest
    if not failures:  # most of them: keys or dates of a file that passes
        return Summary(population=population, data=data,
                       places=[Place(group_key, position) for position in positions] or ())
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
# Not compressed: zlib took ~0.9 s of a rescan of 100k files that evaluated 13 rules again.
def encode(stored: StoredRule) -> bytes:
    return pydantic_core.to_json(stored._asdict())


def decode(blob: bytes) -> StoredRule:
    """The stored summaries; ValueError or TypeError when they are damaged."""
    decoded = pydantic_core.from_json(blob)
    if not isinstance(decoded, dict):
        raise ValueError("stored summaries are not an object")
    stored = StoredRule(**decoded)
    if not (isinstance(stored.keys, str) and isinstance(stored.digests, list)
            and isinstance(stored.populations, list) and isinstance(stored.rest, dict)):
        raise TypeError("stored summaries are not a digest, two lists and an object")
    if len(stored.digests) != len(stored.populations):
        raise ValueError("stored summaries have lists of different lengths")
    if not set(map(type, stored.populations)) <= {int}:
        raise TypeError("a stored population is not a whole number")
    return stored
