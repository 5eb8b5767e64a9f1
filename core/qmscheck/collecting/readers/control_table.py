"""Recognise a document-control table and read its label/value pairs.

Two layouts are common: label/value rows ("Document No | QP-01", possibly
two pairs per row) and a row of labels above a single row of values.
"""

from __future__ import annotations

import re
from datetime import date

from .dates import parse_date
from .fields import DATE_FIELDS, canonical_field, normalise

_MAX_LABEL_CHARS = 60
_HAS_LETTER = re.compile(r"[^\W\d_]")


def clean_label(text: str) -> str:
    return " ".join(text.split()).strip("*_` ").rstrip(":").strip("*_` ")


def _label_like(text: str) -> bool:
    return len(text) <= _MAX_LABEL_CHARS and _HAS_LETTER.search(text) is not None and parse_date(text) is None


def _hits(labels: list[str]) -> int:
    return sum(1 for label in labels if canonical_field(label) is not None)


def _vertical(rows: list[list[str]]) -> tuple[int, list[tuple[str, str]]]:
    pairs: list[tuple[str, str]] = []
    for row in rows:
        if len(row) < 2 or len(row) % 2:
            continue
        for index in range(0, len(row), 2):
            label = clean_label(row[index])
            if label:
                pairs.append((label, row[index + 1].strip()))
    if not pairs:
        return 0, []
    labels = [label for label, _ in pairs]
    label_like = sum(1 for label in labels if _label_like(label))
    # Data tables such as "Date | Status" have dates in the first column.
    if label_like < 0.8 * len(labels):
        return 0, []
    return _hits(labels), pairs


def _horizontal(rows: list[list[str]]) -> tuple[int, list[tuple[str, str]]]:
    if len(rows) != 2 or len(rows[0]) != len(rows[1]) or len(rows[0]) < 2:
        return 0, []
    labels = [clean_label(cell) for cell in rows[0]]
    hits = _hits(labels)
    if hits < 2:
        return 0, []
    pairs = [(label, value.strip()) for label, value in zip(labels, rows[1], strict=True) if label]
    return hits, pairs


def table_pairs(rows: list[list[str]]) -> list[tuple[str, str]] | None:
    """The table's label/value pairs if it looks like a control table."""
    non_empty = [row for row in rows if any(cell.strip() for cell in row)]
    vertical_hits, vertical = _vertical(non_empty)
    horizontal_hits, horizontal = _horizontal(non_empty)
    if horizontal_hits > vertical_hits:
        return horizontal
    if vertical_hits >= 1:
        return vertical
    return None


# What a table inside a document is, besides a control table at its head.
REGISTER = "register"
REVISIONS = "revision history"
APPROVALS = "approval block"
LABELS = "label/value table"
OTHER = "other"

_HEADER_SEARCH_ROWS = 3
# The first cell of an approval block's rows: who prepared, reviewed and approved the document.
# TODO(vocabulary): these role words belong with the per-language field labels.
_SIGN_OFF = re.compile(
    r"^(prepared|written|drafted|compiled|created|reviewed|checked|verified|approved|authori[sz]ed|released"
    r"|elaborad[oa]|revisad[oa]|aprobad[oa]|redatt[oa]|verificat[oa]|approvat[oa]|erstellt|gepruft|freigegeben"
    r"|redige|verifie|approuve|elaborado|aprovado|opgesteld|gecontroleerd|goedgekeurd|utarbeidet|godkjent"
    r"|upprattad|granskad|godkand)( (by|por|da|von|par|door|av))?$"
)
_APPROVAL_ROLE = re.compile(
    r"^(approved|authori[sz]ed|released|aprobad[oa]|approvat[oa]|freigegeben|approuve|aprovado|goedgekeurd"
    r"|godkjent|godkand)\b"
)


def _header(rows: list[list[str]]) -> tuple[int, list[str | None]] | None:
    """Index and canonical fields of the first of the opening rows that names two fields or more."""
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        fields = [canonical_field(clean_label(cell)) if cell.strip() else None for cell in row]
        if len({field for field in fields if field}) >= 2:
            return index, fields
    return None


def _role_word(cell: str) -> str:
    return normalise(clean_label(cell))


def table_role(rows: list[list[str]]) -> str:
    """REGISTER for a table whose header names register fields and whose rows are records; the
    control tables (label/value blocks, revision histories, approval blocks) and anything else
    are not registers."""
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    header = _header(rows)
    if header is None:
        return OTHER
    index, fields = header
    data = rows[index + 1 :]
    if not data:
        return OTHER
    firsts = [clean_label(row[0]) if row else "" for row in data]
    if any(_SIGN_OFF.match(_role_word(first)) for first in firsts):
        return APPROVALS
    # "Document No | QP-01 | Revision | C": labels down the first column, not records.
    if 2 * sum(1 for first in firsts if first and canonical_field(first) is not None) >= len(data):
        return LABELS
    named = set(fields)
    # "Document No | Revision | Approved by" over one row of values: the document's own control block.
    if len(data) == 1 and "document_number" in named:
        return LABELS
    if "revision" in named and not named & {"document_number", "title"}:
        return REVISIONS
    return REGISTER


def _latest(rows: list[list[str]], fields: list[str | None]) -> list[str]:
    """The row of the latest revision: the latest date where the rows are dated, else the last."""
    dated_columns = [i for i, field in enumerate(fields) if field in DATE_FIELDS]
    best: tuple[date, int] | None = None
    for position, row in enumerate(rows):
        for column in dated_columns:
            day = parse_date(row[column]) if column < len(row) else None
            if day is not None and (best is None or (day, position) > best):
                best = (day, position)
    return rows[best[1] if best is not None else -1]


def revision_fields(rows: list[list[str]]) -> list[tuple[str, str, str]]:
    """(field, label, value) from a revision history's latest row: its revision, its date (the
    approval date when the table names an approver, else the issue date) and its approver."""
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    header = _header(rows)
    if header is None or len(rows) <= header[0] + 1:
        return []
    index, fields = header
    labels = [clean_label(cell) for cell in rows[index]]
    latest = _latest(rows[index + 1 :], fields)
    has_approver = "approver" in fields
    found: list[tuple[str, str, str]] = []
    for column, field in enumerate(fields):
        value = latest[column].strip() if column < len(latest) else ""
        if not value or field is None:
            continue
        if field in DATE_FIELDS:
            if parse_date(value) is not None:
                found.append(("approved" if has_approver else "issued", labels[column], value))
        elif field in ("revision", "approver", "status"):
            found.append((field, labels[column], value))
    return found


def approval_fields(rows: list[list[str]]) -> list[tuple[str | None, str, str]]:
    """(field, label, value) from an approval block: the approving row's name and date become
    approver and approval date; the other sign-offs (prepared, reviewed) stay labels of their own."""
    found: list[tuple[str | None, str, str]] = []
    for row in rows:
        if len(row) < 2:
            continue
        role = clean_label(row[0])
        word = _role_word(role)
        if not _SIGN_OFF.match(word):
            continue
        cells = [cell.strip() for cell in row[1:] if cell.strip()]
        day = next((cell for cell in cells if parse_date(cell) is not None), None)
        name = next((cell for cell in cells if parse_date(cell) is None), None)
        approving = _APPROVAL_ROLE.match(word) is not None
        if name:
            found.append(("approver" if approving else None, role, name))
        if day:
            found.append(("approved" if approving else None, f"{role} date", day))
    return found
