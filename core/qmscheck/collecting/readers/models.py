"""Result types shared by document and register readers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date


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
