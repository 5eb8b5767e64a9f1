"""HTML pages (a website export, an intranet page saved from a wiki): title, headings, paragraphs and
tables, read as a Word document is (``docx_reader``): the first label/value table is the control
block, register tables become registers, revision histories and approval blocks anywhere count.

The standard library's parser reads the markup: it fetches nothing, runs no script, expands no
entity beyond HTML's own, and a page larger than the read limit is cut, with a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from .docx_reader import Block, metadata_of_blocks
from .fileio import read_text
from .models import DocumentMetadata
from .ooxml_props import OfficeProperties
from .textbuf import TEXT_LIMIT

_MAX_BYTES = 8 * TEXT_LIMIT
_HEADINGS = {f"h{level}": f"heading {level}" for level in range(1, 7)}
#: Elements that end a paragraph of text.
_BREAKS = frozenset({"p", "div", "li", "br", "tr", "section", "article", "header", "footer", "blockquote", "dd", "dt"})
_SKIPPED = frozenset({"script", "style", "template", "noscript", "head"})


def _style(name: str) -> Callable[[], str]:
    return lambda: name


class _Blocks(HTMLParser):
    """The page as the blocks the Word reader takes: (text, style) paragraphs and tables of rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title: str | None = None
        self._text: list[str] = []
        self._style = ""
        self._skipping = 0
        self._in_title = False
        self._tables: list[list[list[str]]] = []  # nested tables: the innermost is read
        self._cell: list[str] | None = None

    def _flush(self) -> None:
        line = " ".join("".join(self._text).split())
        self._text = []
        if line:
            self.blocks.append((line, _style(self._style)))
        self._style = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED and tag != "head":
            self._skipping += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "table":
            self._flush()
            self._tables.append([])
        elif tag == "tr" and self._tables:
            self._tables[-1].append([])
        elif tag in ("td", "th") and self._tables:
            self._cell = []
        elif tag in _HEADINGS and not self._tables:
            self._flush()
            self._style = _HEADINGS[tag]
        elif tag in _BREAKS and not self._tables:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and tag != "head":
            self._skipping = max(0, self._skipping - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in ("td", "th") and self._tables and self._cell is not None:
            if not self._tables[-1]:
                self._tables[-1].append([])
            self._tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._tables:
            rows = [row for row in self._tables.pop() if any(row)]
            if rows:
                self.blocks.append(rows)
        elif (tag in _HEADINGS or tag in _BREAKS) and not self._tables:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if self._in_title:
            self.title = " ".join(f"{self.title or ''} {data}".split()) or None
        elif self._cell is not None:
            self._cell.append(data)
        elif not self._tables:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def read_html(path: Path) -> DocumentMetadata:
    source = read_text(path, _MAX_BYTES)
    parser = _Blocks()
    parser.feed(source.text)
    parser.close()
    office = OfficeProperties(properties={"title": parser.title} if parser.title else {})
    if source.warning:
        office.warnings.append(source.warning)
    return metadata_of_blocks(parser.blocks, office)
