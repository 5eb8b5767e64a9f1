"""Merge label/value pairs from several places in a document into fields.

A document can state its revision in the control table, a page header, the
file properties and front matter.  The first (highest-precedence) source wins;
a disagreeing value of equal standing is a conflict, because inconsistent
document identification is itself a QMS finding.  A revision history lower down
stands below the document's control block, yet a disagreement with it is a
conflict too: the header's value is kept.

A conflict is a read warning naming both values, and an attribute of the document
(``<field>_conflict``, e.g. ``revision_conflict = "'C' (control table 'Revision')
vs 'D' (revision history 'Rev')"``) that a rule can fault.  The attribute is left
out where a value does not read as the field at all (a revision history's cell
holding a sentence): that is a misread table, which the warning still shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from qmscheck.model.document_numbers import NUMBER_IN_TEXT, number_key

from .dates import is_ambiguous, parse_date
from .fields import DATE_FIELDS, DOCUMENT_FIELDS, label_priority, resolve_field, snake
from .models import DocumentMetadata, DocumentSection, DocumentTable
from .textbuf import TEXT_LIMIT, TextBuffer

#: What a revision or a document number looks like: a label word at most ("Rev.", "Issue"), then one
#: identifier ("C", "03", "2.0.1", "HL-P-03"). A conflict with anything else is a misread cell.
_IDENTIFIER = re.compile(r"^(?:[^\W\d_]{1,12}\.?\s+)?(?P<identifier>\w[\w./-]{0,19})$")
#: The fields whose conflicts are checked for looking like an identifier.
_IDENTIFIERS = frozenset({"revision", "document_number"})


@dataclass(frozen=True)
class _Candidate:
    field: str
    label: str
    value: str | date
    source: str
    priority: int
    order: int
    keep_as_extra: bool
    report_conflict: bool = False


def _as_text(value: str | date) -> str:
    return value.isoformat() if isinstance(value, date) else value


def _stated(candidate: _Candidate) -> str:
    """A value and where it was read: "'C' (control table 'Revision')"."""
    return f"'{_as_text(candidate.value)}' ({candidate.source} '{candidate.label}')"


def _readable(field: str, value: str | date) -> bool:
    """Whether a value reads as the field: any value does, but a revision or a number only when it
    looks like one. A number has digits and a revision digits or one or two letters: a template's
    placeholder ("AI-AAAA-NN", "X.Y") is neither."""
    if field not in _IDENTIFIERS:
        return True
    found = _IDENTIFIER.match(_as_text(value))
    if found is None:
        return False
    identifier = found.group("identifier")
    if field == "document_number":
        return number_key(identifier) is not None
    return any(ch.isdigit() for ch in identifier) or (identifier.isalpha() and len(identifier) <= 2)


def _comparable(field: str, value: str | date) -> object:
    if field in DATE_FIELDS:
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
    return " ".join(_as_text(value).split()).casefold()


class FieldCollector:
    def __init__(self) -> None:
        self._candidates: list[_Candidate] = []
        self._extra: dict[str, str] = {}
        self.warnings: list[str] = []

    def add(
        self,
        label: str,
        value: str | date | None,
        source: str,
        *,
        extra: bool = True,
        field: str | None = None,
        priority: int | None = None,
        report_conflict: bool = False,
    ) -> None:
        """Offer one pair.

        extra=False is for file properties, which already appear in
        DocumentMetadata.properties; field forces the target when the label is
        a property name rather than a human label; priority overrides the
        label's standing (properties only fill gaps left by the document body);
        report_conflict warns when this value disagrees with the one kept although it
        stands lower.
        """
        label = " ".join(label.split())
        if not label:
            return
        if value is None:
            value = ""
        if isinstance(value, str):
            value = " ".join(value.split())
        name = field or resolve_field(label, parse_date(value) is not None)
        if name in DOCUMENT_FIELDS and value != "":
            if priority is None:
                priority = label_priority(label)
            order = len(self._candidates)
            self._candidates.append(_Candidate(name, label, value, source, priority, order, extra, report_conflict))
            return
        # A label outside the document fields keeps the field it names in any language ("Asistentes",
        # "Presieduta da" and "Chaired by" are `attendees` and `chair`), else its own name.
        key = name if name is not None and name not in DOCUMENT_FIELDS else snake(label)
        if key and extra:
            self._extra.setdefault(key, _as_text(value))

    def add_pairs(self, pairs: list[tuple[str, str]], source: str) -> None:
        for label, value in pairs:
            self.add(label, value, source)

    def _field_value(self, winner: _Candidate) -> str | date:
        if winner.field not in DATE_FIELDS or isinstance(winner.value, date):
            return winner.value
        parsed = parse_date(winner.value)
        if parsed is None:
            self.warnings.append(f"cannot parse date '{winner.value}' for '{winner.label}'")
            return winner.value
        if is_ambiguous(winner.value):
            self.warnings.append(f"ambiguous date '{winner.value}' for '{winner.label}'")
        return parsed

    def result(self) -> tuple[dict[str, str | date], dict[str, str]]:
        """(fields, extra); appends conflict and date warnings, so call it once."""
        fields: dict[str, str | date] = {}
        extra = dict(self._extra)
        by_field: dict[str, list[_Candidate]] = {}
        for candidate in self._candidates:
            by_field.setdefault(candidate.field, []).append(candidate)
        for name, candidates in by_field.items():
            ranked = sorted(candidates, key=lambda c: (c.priority, c.order))
            winner = ranked[0]
            fields[name] = self._field_value(winner)
            reported: set[object] = {_comparable(name, winner.value)}
            conflicts: list[str] = []
            for other in ranked[1:]:
                key = snake(other.label)
                if other.keep_as_extra and key not in (snake(winner.label), name):
                    extra.setdefault(key, _as_text(other.value))
                seen = _comparable(name, other.value)
                if (other.priority == winner.priority or other.report_conflict) and seen not in reported:
                    reported.add(seen)
                    self.warnings.append(f"conflicting {name}: {_stated(winner)} vs {_stated(other)}")
                    if _readable(name, winner.value) and _readable(name, other.value):
                        conflicts.append(_stated(other))
            if conflicts:
                extra[f"{name}_conflict"] = " vs ".join([_stated(winner), *conflicts])
        return fields, extra


def make_metadata(
    title: str | None,
    collector: FieldCollector,
    properties: dict[str, str],
    text: TextBuffer,
    warnings: list[str],
    *,
    headings: tuple[str, ...] = (),
    tables: tuple[DocumentTable, ...] = (),
    sections: tuple[DocumentSection, ...] = (),
) -> DocumentMetadata:
    fields, extra = collector.result()
    if "document_number" not in fields and title:
        # "Internal Audit Report IA-25-01": with no control block, the title carries the number.
        code = NUMBER_IN_TEXT.search(title)
        if code is not None:
            fields["document_number"] = code.group(0)
    all_warnings = [*warnings, *collector.warnings]
    if text.truncated:
        all_warnings.append(f"text truncated to {TEXT_LIMIT} characters")
    clean_title = " ".join(title.split()) if title else None
    return DocumentMetadata(
        title=clean_title or None,
        fields=fields,
        extra=extra,
        properties=properties,
        text=text.text(),
        warnings=tuple(all_warnings),
        headings=headings,
        tables=tables,
        sections=sections,
    )
