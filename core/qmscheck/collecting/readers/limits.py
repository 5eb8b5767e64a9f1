"""Every per-file limit the readers enforce, in one place, each with the reason for its value.

A share may hold files made to hurt the reader: a tiny workbook whose two cells span the whole
sheet, a zip member that inflates to gigabytes, YAML aliases that expand exponentially. Each limit
below refuses such a file quickly and cheaply, before a parser commits memory or time to it; the
file becomes an ExtractionError naming the limit (a warning in the report), never a crash. The
values sit well above anything a real quality system holds (the benchmark registers of 125,000
rows included), so ordinary files never meet them.
"""

from __future__ import annotations

_MIB = 1 << 20

#: Bytes one zip member (an Office or OpenDocument part) may inflate to. The largest part of a
#: real register is its sheet XML: a 125,000-row, 12-column register is 93 MB.
MAX_PART_BYTES = 256 * _MIB
#: Bytes all the members of one package may inflate to together: a few parts near the limit above.
MAX_PACKAGE_BYTES = 512 * _MIB
#: A member inflating to more than this many times its compressed size is a zip bomb: XML
#: compresses 5 to 30 times, while a bomb of repeated bytes compresses about 1,000 times.
MAX_COMPRESSION_RATIO = 200
#: Below this many inflated bytes a member is too small to matter, whatever its ratio (a short
#: part of repeated whitespace may legitimately compress very well).
RATIO_FLOOR_BYTES = 16 * _MIB
#: Bytes a document-properties part (docProps/core.xml, app.xml, custom.xml) may hold: they are a
#: few KB, and every parser that opens the package (ours and python-docx) reads them.
MAX_PROPERTIES_BYTES = 5 * _MIB

#: Columns a sheet's cells may span. Excel allows 16,384, and a workbook parser allocates a cell
#: for every position between the first and the last: two cells at A1 and XFD1048576 make 17
#: billion. No register has 1,000 columns.
MAX_SHEET_COLUMNS = 1_000
#: Cells (rows times columns) a sheet's used area may span: a workbook parser holds about 32 bytes
#: per cell, so this keeps one sheet near 320 MB; the 125,000-row benchmark register spans 1.5 million.
MAX_SHEET_CELLS = 10_000_000
#: Characters of text a sheet's cells may hold once shared strings are expanded into every cell
#: that refers to them (one long shared string referred to by a million cells is a bomb).
MAX_SHEET_TEXT_BYTES = 256 * _MIB
#: Columns of a CSV file's rows, for the same reason as MAX_SHEET_COLUMNS.
MAX_CSV_COLUMNS = MAX_SHEET_COLUMNS
#: Characters one CSV field may hold (the csv module's own default, which it enforces per field).
MAX_CSV_FIELD_CHARS = 128 * 1024

#: Bytes of YAML front matter read from a Markdown file: real front matter is under 2 KB.
MAX_FRONT_MATTER_BYTES = 64 * 1024
#: Nesting depth of YAML front matter (mappings and lists within each other): real front matter
#: nests two or three levels; deep nesting only serves to exhaust the parser's stack.
MAX_FRONT_MATTER_DEPTH = 20

#: Characters of a header or label matched against field labels; the longest label of the
#: vocabulary is under 60 characters, so a longer text names no field and is not examined.
MAX_LABEL_CHARS = 200
#: Characters of prose searched for inline document numbers and revisions ("Document No WI-07 Rev B"):
#: a subject property or a line is read this far.
MAX_INLINE_CHARS = 2_000

#: Pages of a PDF whose text is extracted: the extracted text is capped at TEXT_LIMIT characters
#: (textbuf) anyway, and a document of thousands of empty or image-only pages would otherwise cost
#: a page parse each for nothing.
MAX_PDF_PAGES = 2_000


def size_text(count: int) -> str:
    """A byte count as the limits above name it: "256 MiB", "64 KiB", "512 bytes"."""
    for unit, size in (("GiB", 1 << 30), ("MiB", _MIB), ("KiB", 1024)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count:,} bytes"
