"""What a document holds besides its opening control block: revision histories and approval
blocks anywhere (often on the last page), tables that are registers, and top-level sections
that are evidence of their own (a manual's scope, policy or objectives chapter)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .control_table import APPROVALS, REGISTER, REVISIONS, approval_fields, revision_fields, table_role
from .field_collector import FieldCollector
from .fields import DEFAULT_PRIORITY, canonical_field
from .labels import inline_pairs, label_pairs
from .models import DocumentSection, DocumentTable
from .textbuf import TEXT_LIMIT

#: Below the control block and the label lines at the head of a document, above file properties:
#: a revision history fills what the header leaves empty, and a disagreement is reported.
LATER_PRIORITY = DEFAULT_PRIORITY + 5
#: A document is cut into sections only when it holds more than this many.
MIN_SECTIONS = 3


_CONTROL_LINE_CHARS = 300
_SENTENCE = re.compile(r"(?<=[.;])\s+(?=[^\W\d_])")


def control_line(line: str) -> list[tuple[str, str]]:
    """The pairs of a line made only of control data, wherever it is in a document ("Document
    HL-P-03. Owner: Ruth Adeyemi. Review due: 01/02/2025."); nothing for prose, in which a
    "Responsible: ..." sentence is no control data."""
    if len(line) > _CONTROL_LINE_CHARS or ":" not in line:
        return []
    pairs: list[tuple[str, str]] = []
    for sentence in _SENTENCE.split(line.strip()):
        piece = sentence.strip().rstrip(".;").strip()
        if not piece:
            continue
        found = label_pairs(piece)
        if found and all(canonical_field(label) is not None for label, _ in found):
            pairs += found
            continue
        inline = inline_pairs(piece)
        # "Document HL-P-03": the whole sentence is a number and its label.
        if len(inline) == 1 and len(inline[0][0]) + len(inline[0][1]) >= len(piece) - 3:
            pairs += inline
            continue
        return []
    return pairs if len(pairs) >= 2 else []


class DocumentTables:
    """The tables of one document, met in reading order: control tables feed its fields, register
    tables are kept with a name that is unique in the document."""

    def __init__(self, collector: FieldCollector) -> None:
        self._collector = collector
        self._count = 0
        self._names: set[str] = set()
        self.registers: list[DocumentTable] = []

    def add(self, rows: list[list[str]], heading: str | None, first_row: int) -> None:
        self._count += 1
        role = table_role(rows)
        if role == REVISIONS:
            for field, label, value in revision_fields(rows):
                self._later(label, value, "revision history", field)
        elif role == APPROVALS:
            for approval_field, label, value in approval_fields(rows):
                self._later(label, value, "approval block", approval_field)
        elif role == REGISTER:
            self.registers.append(DocumentTable(self._name(heading), rows, first_row))

    def _later(self, label: str, value: str, source: str, field: str | None) -> None:
        self._collector.add(label, value, source, field=field, priority=LATER_PRIORITY, report_conflict=True)

    def _name(self, heading: str | None) -> str:
        name = heading or f"table {self._count}"
        if name in self._names:
            name = f"{name} (table {self._count})"
        self._names.add(name)
        return name


@dataclass(frozen=True)
class Heading:
    position: int  # index of the heading among the document's lines or blocks
    level: int
    text: str


def sections(found: Sequence[Heading], end: int, text_between: Callable[[int, int], str]) -> list[DocumentSection]:
    """The top-level sections under the title, when there are more than two.

    A lone heading at the shallowest level is the title; the sections are then the headings of the
    next level found, each running to the next heading at its level or above (subsections
    included). ``text_between(start, stop)`` gives the text of positions start to stop - 1."""
    usable = [heading for heading in found if heading.text]
    if not usable:
        return []
    top = min(heading.level for heading in usable)
    if sum(1 for heading in usable if heading.level == top) == 1:
        rest = [heading for heading in usable if heading.level > top]
        if not rest:
            return []
        top = min(heading.level for heading in rest)
    starts = [index for index, heading in enumerate(usable) if heading.level == top]
    if len(starts) < MIN_SECTIONS:
        return []
    result: list[DocumentSection] = []
    for number, index in enumerate(starts):
        heading = usable[index]
        following = usable[starts[number + 1]].position if number + 1 < len(starts) else end
        # A heading above the sections' level (a second title) closes the last one early.
        following = min(
            [following, *(h.position for h in usable[index + 1 :] if h.level < top and h.position < following)]
        )
        body = text_between(heading.position + 1, following).strip()
        if not body:
            continue
        inner = tuple(h.text for h in usable[index + 1 :] if h.position < following)
        result.append(DocumentSection(heading.text, heading.position + 1, body[:TEXT_LIMIT], (heading.text, *inner)))
    return result
