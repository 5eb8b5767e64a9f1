"""``unique``: no two selected items share a key, e.g. two current revisions of one document number."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import PurePosixPath

from qmscheck.checks.base import CheckContext, Failure, selection_probe
from qmscheck.engine import Probe
from qmscheck.evidence import EvidenceItem
from qmscheck.facts import fold
from qmscheck.rulemodel import Rule, UniqueCheck


def key_of(item: EvidenceItem, name: str) -> str | None:
    # A connector puts the digest on the item; hand-made items (cases, tests) may carry it as a field.
    value = item.sha256 if name == "sha256" and item.sha256 else item.field(name)
    if value is None or value == "":
        return None
    return fold(str(value))


def in_allowed_folder(item: EvidenceItem, words: list[str]) -> bool:
    folders = PurePosixPath(item.provenance.locator.path or "").parts[:-1]
    return any(fold(word) in fold(folder) for folder in folders for word in words)


class Unique:
    kind = "unique"
    description = (
        "No two selected items share a key (optionally: with different values of another field), "
        "except inside allowed folders such as an archive."
    )

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        return [selection_probe(rule, as_of)]

    def evaluate(self, ctx: CheckContext) -> list[Failure]:
        check = ctx.rule.check
        assert isinstance(check, UniqueCheck)
        groups: dict[str, list[EvidenceItem]] = defaultdict(list)
        for item in ctx.selected:
            if in_allowed_folder(item, check.ignore_folders):
                continue
            key = key_of(item, check.key)
            if key is not None:
                groups[key].append(item)
        failures = []
        for key in sorted(groups):
            items = groups[key]
            if check.key == "sha256":
                # Rows of one workbook share its digest: only copies in different files count.
                if len({item.provenance.locator.path for item in items}) < 2:
                    continue
            elif len(items) < 2:
                continue
            if check.distinct is not None:
                if len({key_of(item, check.distinct) for item in items}) < 2:
                    continue
                held = "; ".join(f"{check.distinct} {item.field(check.distinct)} at {item.locator}" for item in items)
            else:
                held = "; ".join(item.locator for item in items)
            name = (
                "the same content"
                if check.key == "sha256"
                else f"{check.key.replace('_', ' ')} '{items[0].field(check.key)}'"
            )
            detail = f"{name} is held by {len(items)} items: {held}"
            failures.append(Failure(items=tuple(items), detail=detail))
        return failures
