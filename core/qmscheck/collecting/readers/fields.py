"""Canonical field names and the header/label synonyms that map onto them.

The synonyms are data: the ``[fields]`` tables of the vocabulary files, one per language
(``vocabulary``). Readers use the built-in vocabulary only: they run in worker
processes that load no plugins, and a file must read the same whatever the number of processes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from qmscheck.vocabulary import Vocabulary, active, builtin
from qmscheck.vocabulary import normalise as normalise

from .limits import MAX_LABEL_CHARS

# Fields a controlled document carries; other labels found in a document go to
# DocumentMetadata.extra because their meaning depends on the document type.
DOCUMENT_FIELDS: frozenset[str] = frozenset(
    {
        "document_number",
        "revision",
        "status",
        "owner",
        "approver",
        "approved",
        "next_review",
        "last_reviewed",
        "issued",
        "completed",
        "due",
        "title",
    }
)

DATE_FIELDS: frozenset[str] = frozenset(
    {
        "approved",
        "next_review",
        "last_reviewed",
        "issued",
        "completed",
        "due",
        "responded",
        "last_used",
        "start_date",
        "certificate_expiry",
        "action_date",
        "effectiveness_date",
    }
)

#: Per canonical field, the labels and column headers that name it, in every supported language:
#: the ``[fields]`` tables of the vocabulary files (``vocabulary``).
SYNONYMS: Mapping[str, tuple[str, ...]] = builtin().field_labels

# When several labels in one file feed the same field, the lowest number wins:
# in form templates "template_version" is the form's own revision while
# "sop_version" is the revision of the parent procedure.
_PRIORITY_LABELS: dict[str, int] = {
    "record version": 0,
    "record id": 0,
    "template version": 10,
    "template id": 10,
}
DEFAULT_PRIORITY = 50

# Labels whose column/value may legitimately hold something other than a date
# ("Target: 98 %", "Completed: yes"); they only mean the date field when the
# value is a date. The vocabulary files list them per language.
_WEAK_DATE_LABELS: frozenset[str] = builtin().weak_date_labels

# Labels that name the approver or the approval date depending on the value; any label of
# the approver ("Aprobado", "Approvazione") with a date for its value is the approval date.
_DATE_OR_NAME: dict[str, tuple[str, str]] = {
    "approval": ("approved", "approver"),
    "approved": ("approved", "approver"),
    "freigabe": ("approved", "approver"),
}

_LABEL_CACHE = 4096
#: A period or a scale after a header's words: "Stand 03/2026", "Actual 2025", "Suivi T1 2026", "Note /20".
# (?<!\s): a match starts where a run of spaces does, not at each of its spaces, which keeps the
# search linear in the run's length.
_TRAILING_PERIOD = re.compile(r"(?<!\s)(?:\s*/\s*\d{1,3}|\s+(?:[QTHS][1-4][-/ ]?)?\d{1,4}(?:[./-]\d{1,4}){0,2})\s*$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _without_parenthetical(label: str) -> str:
    """The label without a bracketed note at its end ("Score (1-5)", "Due [dd/mm/yyyy]"): the
    bracket opened first after the last closing bracket before the final one, and the spaces
    before it. Plain code: a pattern for it backtracks over runs of brackets or spaces."""
    text = label.rstrip()
    if not text.endswith((")", "]")):
        return label
    body = text[:-1]
    after = max(body.rfind(")"), body.rfind("]")) + 1
    openers = [found for found in (body.find("(", after), body.find("[", after)) if found >= 0]
    if not openers:
        return label
    return label[: min(openers)].rstrip()


def canonical_field(label: str) -> str | None:
    """Map a header or label to its canonical field name, or None: by the words in use, the
    built-in ones and those a selected pack adds (``vocabulary.active``)."""
    return _canonical_field(active(), label)


@lru_cache(maxsize=_LABEL_CACHE)
def _canonical_field(vocabulary: Vocabulary, label: str) -> str | None:
    if len(label) > MAX_LABEL_CHARS:
        return None
    found = vocabulary.field(label)
    if found is None:
        # "Score (1-5)", "Due date [dd/mm/yyyy]" and "Stand 03/2026" should still match.
        stripped = _TRAILING_PERIOD.sub("", _without_parenthetical(label))
        if stripped != label and stripped.strip():
            found = vocabulary.field(stripped)
    return found


def resolve_field(label: str, holds_dates: bool) -> str | None:
    """Canonical field for a label given whether its value(s) are dates (see :func:`_resolve_field`)."""
    return _resolve_field(active(), label, holds_dates)


@lru_cache(maxsize=_LABEL_CACHE)
def _resolve_field(vocabulary: Vocabulary, label: str, holds_dates: bool) -> str | None:
    """Canonical field for a label given whether its value(s) are dates.

    Unlike canonical_field this may return a non-canonical name: a weak date
    label whose values are not dates is named after the label ("Target" with
    "98 %" becomes "target") so the value does not masquerade as a date field.
    """
    if len(label) > MAX_LABEL_CHARS:
        return None
    key = normalise(_without_parenthetical(label)) or normalise(label)
    if key in _DATE_OR_NAME:
        as_date, as_name = _DATE_OR_NAME[key]
        return as_date if holds_dates else as_name
    found = _canonical_field(vocabulary, label)
    if found == "approver" and holds_dates:
        return "approved"
    # "Antwort an Kunde" over dates is when the customer was answered, over text what they were told.
    if found == "response" and holds_dates:
        return "responded"
    if found in DATE_FIELDS and key in _WEAK_DATE_LABELS and not holds_dates:
        return snake(label)
    return found


_DATE_WORDS: frozenset[str] = frozenset(label for label in _WEAK_DATE_LABELS if " " not in label)


@lru_cache(maxsize=_LABEL_CACHE)
def names_a_date(label: str) -> bool:
    """True when a header names a date: a date field, or a word such as "Date", "Fecha", "Datum"
    in it ("Fecha homologación")."""
    return canonical_field(label) in DATE_FIELDS or not _DATE_WORDS.isdisjoint(normalise(label).split())


def is_weak_date_label(label: str) -> bool:
    return len(label) <= MAX_LABEL_CHARS and normalise(_without_parenthetical(label)) in _WEAK_DATE_LABELS


def label_priority(label: str) -> int:
    return _PRIORITY_LABELS.get(normalise(label), DEFAULT_PRIORITY)


def snake(label: str) -> str:
    """snake_case key for a free-form label ("Process audited" -> "process_audited")."""
    spaced = _CAMEL.sub(" ", label.strip())
    return normalise(spaced).replace(" ", "_")
