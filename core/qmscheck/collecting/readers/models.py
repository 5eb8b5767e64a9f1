"""Result types shared by document and register readers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class DocumentTable:
    """A table inside a document whose header row names register fields: its rows are records."""

    #: The heading the table sits under, or "table N" (its position among the document's tables).
    name: str
    #: Cell texts, header first; an empty row stands for a line that is no row (a separator).
    rows: list[list[str]]
    #: The line (markdown) or table row (docx) the first row is on, 1-based, for citing rows.
    first_row: int = 1


@dataclass(frozen=True)
class DocumentSection:
    """One top-level section of a document that holds several: evidence of its own (a manual's
    scope, policy or objectives chapter)."""

    heading: str
    #: The line (markdown) or paragraph (docx) the heading is on, 1-based.
    line: int
    text: str
    #: The section's heading and those of its subsections, in reading order.
    headings: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentMetadata:
    title: str | None
    fields: dict[str, str | date]
    extra: dict[str, str]
    properties: dict[str, str]
    text: str
    warnings: tuple[str, ...]
    #: The document's section headings in reading order, for recognising it from its content.
    headings: tuple[str, ...] = ()
    #: Tables that read as registers, wherever they are in the document.
    tables: tuple[DocumentTable, ...] = ()
    #: The document's top-level sections, when it has more than two.
    sections: tuple[DocumentSection, ...] = ()


@dataclass(frozen=True)
class RegisterRow:
    sheet: str | None
    row: int
    values: dict[str, object]
    raw: dict[str, object]


@dataclass(frozen=True)
class RegisterSheet:
    sheet: str | None
    header_row: int
    headers: tuple[str, ...]
    canonical: tuple[str | None, ...]
    rows: Iterator[RegisterRow] | list[RegisterRow]
    warnings: list[str] = field(default_factory=list)
