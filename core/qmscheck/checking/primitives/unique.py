"""``unique``: no two selected items share a key, e.g. two current revisions of one document number."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from qmscheck.checking.engine import Probe
from qmscheck.checking.facts import fold
from qmscheck.checking.primitives.base import CheckContext, Groupwise, RuleContext, selection_probe
from qmscheck.checking.rule_model import Rule, UniqueCheck
from qmscheck.model.evidence import EvidenceItem
from qmscheck.model.verdicts import Failure, GroupSummary, Place


def key_of(item: EvidenceItem, name: str) -> str | None:
    # A connector puts the digest on the item; hand-made items (cases, tests) may carry it as a field.
    value = item.sha256 if name == "sha256" and item.sha256 else item.field(name)
    if value is None or value == "":
        return None
    return fold(str(value))


def in_allowed_folder(item: EvidenceItem, words: list[str]) -> bool:
    if not words:
        return False
    path = item.provenance.locator.path or ""
    folders = _folded_folders(path[: path.rfind("/") + 1])
    return any(fold(word) in folder for folder in folders for word in words)


@lru_cache(maxsize=4096)
def _folded_folders(directory: str) -> tuple[str, ...]:
    """The folders of a directory, case-folded: asked once per selected item, and a share's
    100,000 documents sit in a few thousand folders."""
    return tuple(fold(folder) for folder in PurePosixPath(directory).parts)


class Unique(Groupwise):
    kind = "unique"
    description = (
        "No two selected items share a key (optionally: with different values of another field), "
        "except inside allowed folders such as an archive."
    )

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        return [selection_probe(rule, as_of)]

    def summarise(self, ctx: CheckContext) -> GroupSummary:
        """Each selected item with a key (outside the allowed folders): the key, how the key and the
        ``distinct`` field read, the file it is in, and the item."""
        check = ctx.rule.check
        assert isinstance(check, UniqueCheck)
        keyed, places = [], []
        for item in ctx.selected:
            if in_allowed_folder(item, check.ignore_folders):
                continue
            key = key_of(item, check.key)
            if key is not None:
                distinct = (
                    None if check.distinct is None else [key_of(item, check.distinct), f"{item.field(check.distinct)}"]
                )
                # The file matters only for copies of the same content (key sha256), which are not
                # shown by their key: 100k documents would each keep a copy of their digest.
                if check.key == "sha256":
                    keyed.append([key, None, distinct, item.provenance.locator.path])
                else:
                    keyed.append([key, f"{item.field(check.key)}", distinct, None])
                places.append(ctx.place(item))
        return GroupSummary(data=keyed, places=places)

    def still_holds(
        self, ctx: RuleContext, kept: Iterable[Any], removed: Sequence[GroupSummary], added: Sequence[GroupSummary]
    ) -> bool:
        """Failures come only from keys held more than once: they are the same when no key the
        changed groups held or hold is held twice among them, nor by any other group."""
        before = [entry[0] for summary in removed for entry in summary.data or ()]
        after = [entry[0] for summary in added for entry in summary.data or ()]
        if len(set(before)) < len(before) or len(set(after)) < len(after):
            return False
        touched = {*before, *after}
        return not any(entry[0] in touched for data in kept for entry in data)

    def combine(self, ctx: RuleContext, summaries: Sequence[GroupSummary]) -> list[Failure]:
        check = ctx.rule.check
        assert isinstance(check, UniqueCheck)
        groups: dict[str, list[tuple[list[Any], Place]]] = defaultdict(list)
        for summary in summaries:
            for entry, place in zip(summary.data or (), summary.places, strict=True):
                groups[entry[0]].append((entry, place))
        failures = []
        # Most keys are held once: only the others are sorted and looked at.
        for key in sorted(key for key, entries in groups.items() if len(entries) > 1):
            entries = groups[key]
            # Rows of one workbook share its digest: only copies in different files count.
            if check.key == "sha256" and len({entry[3] for entry, _ in entries}) < 2:
                continue
            if check.distinct is not None and len({entry[2][0] for entry, _ in entries}) < 2:
                continue
            cited = [ctx.cited(place) for _, place in entries]
            if check.distinct is not None:
                held = "; ".join(
                    f"{check.distinct} {entry[2][1]} at {one.locator}"
                    for (entry, _), one in zip(entries, cited, strict=True)
                )
            else:
                held = "; ".join(one.locator for one in cited)
            shown = entries[0][0][1]
            name = "the same content" if check.key == "sha256" else f"{check.key.replace('_', ' ')} '{shown}'"
            detail = f"{name} is held by {len(entries)} items: {held}"
            failures.append(Failure(items=tuple(cited), detail=detail))
        return failures
