"""The organisation's own intervals and deadlines, read from its procedures where ``qmscheck.toml`` does not state them.

ISO 9001 sets no interval for re-evaluating suppliers or for management reviews, and no deadline
for closing a complaint; the organisation does, usually in a sentence of its purchasing procedure
or its manual ("Los proveedores que influyen en la calidad se evalúan una vez al año", "customer
complaints are closed within 30 days"). A rule judged against such a parameter runs
only when it is stated (``checking.parameters``), so reading it from the procedure is what lets a
zero-config scan hold the organisation to its own word, citing the sentence.

A sentence states a parameter when it names the parameter's subject (a supplier word and an
evaluation word; the management review; a complaint and its closing) and one frequency ("every 12
months", "jährlich") or, for a deadline, one time limit ("within 30 days", "binnen 4 Wochen"): the
``[topics]``, ``[frequencies]`` and ``[deadlines]`` tables of the vocabulary, in every language. Only current
procedures and manuals are read (not retired ones, not templates), and of procedures only those
whose file name says what they are about (suppliers, their evaluation, management review,
complaints): a
share of 100,000 files is not read again for it. A sentence with two different frequencies says nothing
certain, and neither does a subject stated with two different periods in the documents read: then
nothing is assumed. What ``qmscheck.toml`` states always wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import PurePosixPath

from qmscheck.checking.primitives.base import label
from qmscheck.checking.topics import Topics
from qmscheck.model.collection import Collection
from qmscheck.model.evidence import EvidenceItem, Organisation
from qmscheck.model.groups import PART_MARK, items_of
from qmscheck.vocabulary import RETIRED_STATES, builtin, normalise

#: Per parameter, the sets of topics of which a sentence must name every one.
SUBJECTS: dict[str, tuple[frozenset[str], ...]] = {
    "supplier_reevaluation_interval": (frozenset({"supplier_word", "evaluation_word"}),),
    "management_review_interval": (frozenset({"management_review_word"}),),
    "complaint_closure_time": (frozenset({"complaint_word", "closure_word"}),),
}
#: The parameters that are time limits ("within 30 days"), not how often something is done.
_DEADLINES = frozenset({"complaint_closure_time"})
#: A procedure's file name that says what it is about: these topics in its words ("PG-04 Compras y
#: evaluación de proveedores", "SOP-004 supplier management", "VA-06 Managementbewertung"). Folders
#: do not count: a "Purchasing" folder holds many procedures, and reading them all at every scan
#: would cost what a rescan is meant to save.
_NAMED = frozenset({"supplier_word", "evaluation_word", "management_review_word", "complaint_word"})
_READ = frozenset({"procedure", "quality_manual"})
_SENTENCE = re.compile(r"(?<=[.;!?])\s+|\n+")
_QUOTE = 160  # characters of the sentence cited


@lru_cache(maxsize=1)
def _subjects() -> Topics:
    """The subject topics alone: "evaluación de proveedores" names suppliers and their evaluation
    here, though among every topic it is the review input "supplier performance"."""
    return Topics(builtin(), only=_NAMED | {word for subjects in SUBJECTS.values() for s in subjects for word in s})


def _candidates(collection: Collection) -> list[EvidenceItem]:
    groups = []
    for group in collection.groups:
        if not group.types & _READ:
            continue
        stem = PurePosixPath(group.key.partition(PART_MARK)[0]).stem
        if "quality_manual" in group.types or _subjects().found(re.sub(r"[_.-]", " ", stem)) & _NAMED:
            groups.append(group)
    return [item for item in items_of(groups) if item.type in _READ and item.text and item.status not in RETIRED_STATES]


def _frequencies(sentence: str) -> set[str]:
    words = f" {normalise(sentence)} "
    return {period for phrase, period in builtin().frequencies.items() if f" {phrase} " in words}


@lru_cache(maxsize=1)
def _deadline_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each ``[deadlines]`` phrase as a pattern over normalised text, its ``#`` a number."""
    return tuple(
        (re.compile(" " + re.escape(phrase).replace("\\#", r"(\d{1,4})") + " "), unit)
        for phrase, unit in builtin().deadlines.items()
    )


def _deadlines(sentence: str) -> set[str]:
    words = f" {normalise(sentence)} "
    return {f"P{int(found[1])}{unit}" for pattern, unit in _deadline_patterns() if (found := pattern.search(words))}


def _statements(items: Iterable[EvidenceItem]) -> dict[str, dict[str, str]]:
    """Per parameter, per period found, where it is said (the first document and sentence)."""
    found: dict[str, dict[str, str]] = {}
    for item in items:
        for sentence in _SENTENCE.split(item.text or ""):
            topics = _subjects().found(sentence)
            wanted = [name for name, subjects in SUBJECTS.items() if any(s <= topics for s in subjects)]
            if not wanted:
                continue
            quote = " ".join(sentence.split())
            quote = quote if len(quote) <= _QUOTE else quote[: _QUOTE - 1] + "…"
            for name in wanted:
                periods = _deadlines(sentence) if name in _DEADLINES else _frequencies(sentence)
                if len(periods) == 1:
                    [period] = periods
                    found.setdefault(name, {}).setdefault(period, f"{label(item)} ({item.locator}): '{quote}'")
    return found


def with_stated_periods(organisation: Organisation, collection: Collection) -> Organisation:
    """The organisation with the intervals its procedures state added where it states none itself."""
    parameters = organisation.parameters
    missing = [name for name in SUBJECTS if parameters.stated(name) is None]
    if not missing or not collection.sources:
        return organisation
    found = _statements(_candidates(collection))
    update: dict[str, object] = {}
    stated_in = dict(parameters.stated_in)
    for name in missing:
        periods = found.get(name, {})
        if len(periods) == 1:
            period, where = next(iter(periods.items()))
            update[name] = period
            stated_in[name] = where
    if not update:
        return organisation
    update["stated_in"] = stated_in
    return organisation.model_copy(update={"parameters": parameters.model_copy(update=update)})
