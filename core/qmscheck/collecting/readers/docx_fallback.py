"""Word documents through python-docx, for packages docx_package does not handle.

docx_package reads ordinary documents much faster; anything damaged or unusual
comes here so that python-docx decides what it means (or which error it is).
Blocks are generated lazily, in python-docx's order, so a failure surfaces at
the same point as it always did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from .docx_package import HeaderPart

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph


def open_document(path: Path) -> Document:
    import docx

    return docx.Document(str(path))


def _table_rows(table: Table) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            # A horizontally merged cell is reported once per grid column.
            if cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(cell.text.strip())
        rows.append(cells)
    return rows


def _style_name(paragraph: Paragraph) -> str:
    try:
        style = paragraph.style
    except (KeyError, ValueError):
        return ""
    return (style.name or "").casefold() if style is not None else ""


def blocks(document: Document) -> Iterator[tuple[str, Callable[[], str]] | list[list[str]]]:
    from docx.table import Table

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            yield _table_rows(block)
        else:
            yield block.text, partial(_style_name, block)


def header_parts(document: Document) -> list[HeaderPart]:
    parts: list[HeaderPart] = []
    for section in document.sections:
        for source, part in (
            ("header", section.header),
            ("header", section.first_page_header),
            ("header", section.even_page_header),
            ("footer", section.footer),
            ("footer", section.first_page_footer),
            ("footer", section.even_page_footer),
        ):
            # An unlinked part has its own content; a linked one repeats a part
            # already read (or, in the first section, does not exist).
            if part.is_linked_to_previous:
                continue
            parts.append(
                HeaderPart(
                    source,
                    [paragraph.text for paragraph in part.paragraphs],
                    [_table_rows(table) for table in part.tables],
                )
            )
    return parts
