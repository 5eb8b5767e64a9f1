"""``references``: the document numbers a controlled document names in its text ("record on F-07",
"see WI-12") are the numbers of documents that exist.

Only numbers of the organisation's own scheme are judged: those starting with the letters of a
number some ``by`` document has ("QP-" when QP-01 exists), so "ISO 9001", a standard's clause or a
customer's part number is never taken for a missing document. Numbers compare whatever their
separators and leading zeros (:mod:`qmscheck.model.document_numbers`).

Each group keeps only numbers: those its ``by`` documents have, and per selected document the
numbers its text names that are not its own. The text is read once, where the group is summarised;
the engine never sees it (facts carry no text), and a rescan reads only the files that changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import PurePosixPath

from qmscheck.checking.engine import Probe
from qmscheck.checking.primitives.base import CheckContext, Groupwise, RuleContext, selection_probe
from qmscheck.checking.rule_model import ReferencesCheck, Rule
from qmscheck.model.document_numbers import number_key, number_prefix, numbers_in, numbers_in_name
from qmscheck.model.evidence import EvidenceItem
from qmscheck.model.verdicts import Failure, GroupSummary


def _keys(numbers: Iterable[str]) -> set[str]:
    return {key for key in map(number_key, numbers) if key is not None}


def own_numbers(item: EvidenceItem) -> tuple[set[str], set[str]]:
    """The keys of the numbers a document goes by: its document number, and the numbers in its title
    and file name (a form filed as 'CSC-F-009 ...' whose control block gives another)."""
    path = item.provenance.locator.path or ""
    named = _keys([*numbers_in(item.title or ""), *numbers_in_name(PurePosixPath(path).stem)])
    return _keys([item.document_number] if item.document_number else []), named


class References(Groupwise):
    kind = "references"
    description = (
        "Every document number a selected document's text names, in the organisation's own numbering scheme, "
        "is the number of a document that exists."
    )

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        check = rule.check
        assert isinstance(check, ReferencesCheck)
        probes = [selection_probe(rule, as_of), selection_probe(rule, as_of, check.by, name="by")]
        if check.known is not None:
            probes.append(selection_probe(rule, as_of, check.known, name="known"))
        return probes

    def summarise(self, ctx: CheckContext) -> GroupSummary:
        """The numbers the group's ``by`` documents go by, and for each selected document the numbers
        its text names that are neither its own nor one of those (as written, with their keys). The
        parts of one file (its sections) name what the whole names: each number counts once per file."""
        check = ctx.rule.check
        assert isinstance(check, ReferencesCheck)
        numbers: set[str] = set()
        also: set[str] = set()
        for item in ctx.matched("by"):
            numbered, named_by = own_numbers(item)
            numbers |= numbered
            also |= named_by
        if check.known is not None:
            for item in ctx.matched("known"):
                also = also.union(*own_numbers(item))
        known = numbers | also
        named, places = [], []
        said: dict[str, set[str]] = {}  # per file, the keys already kept
        for item in ctx.selected:
            if not item.text:
                continue
            own = set.union(*own_numbers(item))
            seen = said.setdefault(item.provenance.locator.path or item.id, set())
            found = []
            for number in numbers_in(item.text):
                key = number_key(number)
                if key is None or key in own or key in known or key in seen:
                    continue
                seen.add(key)
                found.append([key, number])
            if found:
                named.append(found)
                places.append(ctx.place(item))
        # The numbers in titles and file names exist, but only document numbers say what the scheme is
        # (a title may name a standard: "Risk management to ISO-14971").
        data: dict[str, object] = {"numbers": sorted(numbers), "also": sorted(also - numbers)}
        if named:
            data["named"] = named
        return GroupSummary(data=data, places=places)

    def combine(self, ctx: RuleContext, summaries: Sequence[GroupSummary]) -> list[Failure]:
        parts = [summary for summary in summaries if summary.data]
        numbers = {key for part in parts for key in part.data["numbers"]}
        known = numbers.union(*(part.data["also"] for part in parts))
        scheme = {number_prefix(key) for key in numbers}
        failures = []
        for part in parts:
            for found, place in zip(part.data.get("named", ()), part.places, strict=True):
                missing = [number for key, number in found if key not in known and number_prefix(key) in scheme]
                if missing:
                    these = "this number" if len(missing) == 1 else "these numbers"
                    detail = f"refers to {', '.join(missing)}: no document in the share has {these}"
                    failures.append(Failure(items=(ctx.cited(place),), detail=detail))
        return failures
