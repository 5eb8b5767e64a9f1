"""PDF documents: info dictionary, first-page labels and page text."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ExtractionError
from .field_collector import FieldCollector, make_metadata
from .fields import snake
from .labels import label_pairs
from .limits import MAX_PDF_PAGES
from .models import DocumentMetadata
from .propfields import feed_properties
from .textbuf import TextBuffer

if TYPE_CHECKING:
    from pypdf import PdfReader

# pypdf logs repairs of damaged files ("Ignoring wrong pointing object") to stderr through
# logging's last-resort handler; they would litter a scan's output. Unreadable files still
# raise and become warnings.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

_LABEL_LINES = 40
# Same names as Office properties so callers need not care about the format.
_INFO_NAMES = {"/CreationDate": "created", "/ModDate": "modified"}
_PDF_DATE = re.compile(
    r"^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
    r"(?:(Z)|([+-])(\d{2})'?(\d{2})?'?)?"
)


def pdf_date(text: str) -> str:
    """'D:20260101000000Z' -> '2026-01-01T00:00:00+00:00'; unknown forms unchanged."""
    match = _PDF_DATE.match(text.strip())
    if match is None:
        return text.strip()
    year, month, day, hour, minute, second = (int(g) if g else None for g in match.groups()[:6])
    tz = None
    if match.group(7):
        tz = UTC
    elif match.group(8):
        offset = timedelta(hours=int(match.group(9)), minutes=int(match.group(10) or 0))
        tz = timezone(offset if match.group(8) == "+" else -offset)
    try:
        stamp = datetime(year or 1, month or 1, day or 1, hour or 0, minute or 0, second or 0, tzinfo=tz)
    except ValueError:
        return text.strip()
    return stamp.isoformat()


def _open(path: Path, warnings: list[str]) -> PdfReader:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    reader = PdfReader(path)
    if not reader.is_encrypted:
        return reader
    try:
        # Permission-only encryption (empty user password) opens in any viewer.
        opened = reader.decrypt("")
    except DependencyError as exc:
        raise ExtractionError("encrypted PDF: decrypting it needs the 'cryptography' package") from exc
    if not opened:
        raise ExtractionError("encrypted PDF: a password is required to open it")
    warnings.append("encrypted PDF opened with an empty password")
    return reader


def _properties(reader: PdfReader) -> dict[str, str]:
    properties: dict[str, str] = {}
    info = reader.metadata
    if info is None:
        return properties
    for key, value in info.items():
        text = str(value).strip()
        if not text:
            continue
        name = _INFO_NAMES.get(key) or snake(key.lstrip("/"))
        if name in ("created", "modified"):
            text = pdf_date(text)
        if name:
            properties[name] = text
    return properties


def read_pdf(path: Path) -> DocumentMetadata:
    warnings: list[str] = []
    reader = _open(path, warnings)
    properties = _properties(reader)
    collector = FieldCollector()
    text = TextBuffer()
    first_page_lines: list[str] = []
    for number, page in enumerate(reader.pages, start=1):
        if text.full:
            text.truncated = True
            break
        if number > MAX_PDF_PAGES:
            warnings.append(f"only the first {MAX_PDF_PAGES:,} pages read (the page limit)")
            break
        try:
            page_text = page.extract_text() or ""
        except Exception as exc:  # one bad page must not lose the rest
            warnings.append(f"page {number}: text could not be extracted ({type(exc).__name__})")
            continue
        lines = [line.strip() for line in page_text.splitlines() if line.strip()]
        if number == 1:
            first_page_lines = lines
        for line in lines:
            text.add(line)
    if not text.text():
        warnings.append("no extractable text (scanned or image-only PDF?)")
    for line in first_page_lines[:_LABEL_LINES]:
        collector.add_pairs(label_pairs(line), "first page")
    feed_properties(collector, properties, [])
    title = properties.get("title") or (first_page_lines[0] if first_page_lines else None)
    return make_metadata(title, collector, properties, text, warnings)
