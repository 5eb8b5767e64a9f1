"""Zip packages (docx, xlsx, xlsm, xlsb, ods) checked before any parser opens them.

A workbook's members are inflated once, streaming, and counted as they come: calamine reads the
zip itself, so a member's declared size is only a claim, and the bytes actually produced are held
to the limits (``limits``), inflation stopping at the first byte over. A Word document is read by
Python's zipfile alone, which never yields more than the declared size (check_declared).

A workbook's sheets are scanned in the same pass for the area their cells span, since calamine
allocates every cell between the first and the last one before returning anything (two cells at
A1 and XFD1048576 ask for 512 GiB and abort the process).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from xml.etree import ElementTree

from .errors import ExtractionError
from .limits import (
    MAX_COMPRESSION_RATIO,
    MAX_PACKAGE_BYTES,
    MAX_PART_BYTES,
    MAX_PROPERTIES_BYTES,
    MAX_SHEET_CELLS,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_TEXT_BYTES,
    RATIO_FLOOR_BYTES,
    size_text,
)

_CHUNK = 1 << 20
#: A tag longer than this is no spreadsheet's: the scan of such a sheet is refused rather than
#: carried across chunks without bound.
_MAX_TAG_BYTES = 64 * 1024

# Cells written the usual way (Excel, LibreOffice, openpyxl) open with `<c r="B7"` followed by a
# space, `/` or `>`. Among them, columns from AA onwards (few in a register) are read exactly; rows
# are only told to be below 300,000, which with 26 columns keeps the area within MAX_SHEET_CELLS.
# Any cell written otherwise, in a way these searches do not fully understand, is settled by
# reading every cell (_exact_area): a reference that is not plain letters then digits (an entity,
# a space, a `$`, leading zeros, more letters or digits than a sheet has), a cell without one, a
# namespace prefix, or whitespace other than one space after the element's name.
_WIDE = re.compile(rb'<c r="([A-Za-z]{2,})\d')
_ROWS_BOUND = 299_999
_DEEP = re.compile(rb'<c r="[A-Za-z]*(?:[3-9]\d{5}|\d{7})')
_ODD_REFERENCE = re.compile(rb'<c r="(?![A-Za-z]{1,3}[1-9]\d{0,6}"[\s/>])')
_BARE_CELL = re.compile(rb"<c[\t\n\r/>]")
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
# A cell reference as a workbook parser reads it: letters, then digits (lower case allowed).
_REFERENCE = re.compile(r"([A-Za-z]+)(\d+)")
_SHARED_CELL = re.compile(rb"""\bt\s*=\s*["']s["'][^<>]*>\s*<(?:[\w.-]+:)?v>\s*(\d{1,10})\s*<""")
_SHARED_ITEM = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


class _SheetScan:
    """What one worksheet part's cells span, as far as a pass at memory speed tells."""

    def __init__(self) -> None:
        self.columns = 0  # the farthest column among references from AA onwards
        self.deep = False  # a reference at row 300,000 or beyond
        self.cells = 0
        self.referenced = 0
        self.unusual = False  # cells written without a plain `<c r="...`
        self.shared_cells = 0

    def feed(self, data: bytes) -> None:
        wide = _WIDE.findall(data)
        if wide:
            self.columns = max(self.columns, *map(_column_number, wide))
        self.deep = self.deep or _DEEP.search(data) is not None
        self.cells += data.count(b"<c ")
        self.referenced += data.count(b'<c r="')
        self.shared_cells += data.count(b't="s"') + data.count(b"t='s'")
        self.unusual = self.unusual or bool(
            _BARE_CELL.search(data) or _PREFIXED_CELL.search(data) or _ODD_REFERENCE.search(data)
        )


def inflate(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    fmt: str,
    budget: list[int],
    consume: Callable[[bytes], None] | None = None,
) -> None:
    """Inflate one member, holding the bytes it produces to the part, package and ratio limits.

    ``budget`` holds the bytes the package may still produce; ``consume`` sees the member's bytes
    cut at a tag boundary, so that no tag is split between two calls."""
    limit = MAX_PROPERTIES_BYTES if info.filename.startswith("docProps/") else MAX_PART_BYTES
    what = "document-properties part" if limit == MAX_PROPERTIES_BYTES else "part"
    if info.file_size > limit:
        raise ExtractionError(_too_big(fmt, info.filename, info.file_size, what, limit))
    produced = 0
    carry = b""
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            produced += len(chunk)
            if produced > limit:
                raise ExtractionError(_too_big(fmt, info.filename, produced, what, limit, "at least "))
            if produced > budget[0]:
                raise ExtractionError(_package_too_big(fmt))
            if produced > RATIO_FLOOR_BYTES and produced > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
                raise ExtractionError(_ratio(fmt, info, produced))
            if consume is not None:
                data = carry + chunk
                cut = data.rfind(b"<")
                if cut <= 0:
                    carry = data
                else:
                    consume(data[:cut])
                    carry = data[cut:]
                if len(carry) > _MAX_TAG_BYTES:
                    # Text or a tag this long holds no cell reference the scan could trust.
                    consume(carry)
                    carry = b""
    if consume is not None and carry:
        consume(carry)
    budget[0] -= produced


def _package_too_big(fmt: str) -> str:
    return (
        f"{fmt} package inflates to more than {size_text(MAX_PACKAGE_BYTES)} "
        "(the limit for one file's parts together): not read"
    )


def _ratio(fmt: str, info: zipfile.ZipInfo, produced: int) -> str:
    return (
        f"{fmt} part {info.filename} inflates more than {MAX_COMPRESSION_RATIO} times its "
        f"compressed size ({info.compress_size:,} bytes to at least {produced:,} bytes), "
        "beyond the compression-ratio limit: a zip bomb, not read"
    )


def _too_big(fmt: str, name: str, size: int, what: str, limit: int, at_least: str = "") -> str:
    return (
        f"{fmt} {what} {name} inflates to {at_least}{size:,} bytes, beyond the "
        f"{size_text(limit)} limit for one {what}: not read"
    )


def check_declared(archive: zipfile.ZipFile, fmt: str) -> None:
    """Hold every member's declared size to the limits, for a package only Python's zipfile reads
    (a Word document: our reader and python-docx). zipfile never yields more than a member's
    declared size, and a member whose data runs longer fails its CRC check, so the declared sizes
    bound what a parser meets, without inflating anything twice."""
    total = 0
    for info in archive.infolist():
        limit = MAX_PROPERTIES_BYTES if info.filename.startswith("docProps/") else MAX_PART_BYTES
        what = "document-properties part" if limit == MAX_PROPERTIES_BYTES else "part"
        if info.file_size > limit:
            raise ExtractionError(_too_big(fmt, info.filename, info.file_size, what, limit))
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise ExtractionError(_ratio(fmt, info, info.file_size))
        total += info.file_size
        if total > MAX_PACKAGE_BYTES:
            raise ExtractionError(_package_too_big(fmt))


def check_package(archive: zipfile.ZipFile, fmt: str) -> None:
    """Inflate every member within the limits; raises ExtractionError naming the limit exceeded."""
    budget = [MAX_PACKAGE_BYTES]
    for info in archive.infolist():
        if not info.is_dir():
            inflate(archive, info, fmt, budget)


def check_workbook(archive: zipfile.ZipFile, fmt: str) -> None:
    """check_package, and the area each sheet's cells span and the text its shared strings expand
    to, within the limits."""
    budget = [MAX_PACKAGE_BYTES]
    sheets: dict[str, _SheetScan] = {}
    shared_spans: list[int] = []
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = info.filename
        if name.lower().endswith("sharedstrings.xml"):
            spans = _SharedSpans(shared_spans)
            inflate(archive, info, fmt, budget, spans.feed)
            spans.finish()
        elif name.lower().endswith(".xml") and not name.startswith("docProps/"):
            scan = sheets[name] = _SheetScan()
            inflate(archive, info, fmt, budget, scan.feed)
        else:
            inflate(archive, info, fmt, budget)
    longest = max(shared_spans, default=0)
    for name, scan in sheets.items():
        _check_area(archive, name, scan, fmt)
        if scan.shared_cells * longest > MAX_SHEET_TEXT_BYTES:
            _check_text(archive, name, shared_spans, fmt)


def check_binary_workbook(archive: zipfile.ZipFile, fmt: str) -> None:
    """check_package, and the area each binary sheet's valued cells span, within the limits (an
    .xlsb workbook, whose parts are BIFF12 record streams rather than XML)."""
    budget = [MAX_PACKAGE_BYTES]
    sheets: dict[str, _BinarySheetScan] = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        if info.filename.lower().endswith(".bin"):
            scan = sheets[info.filename] = _BinarySheetScan()
            inflate(archive, info, fmt, budget, scan.feed)
        else:
            inflate(archive, info, fmt, budget)
    for name, scan in sheets.items():
        _refuse_area(name, scan.columns, scan.rows)


#: BIFF12 record types (MS-XLSB 2.3.2): a row's header (BrtRowHdr) gives the row of the cells that
#: follow it; cells count between BrtBeginSheetData and BrtEndSheetData.
_ROW_HEADER = 0x0000
_BEGIN_SHEET_DATA = 0x0091
_END_SHEET_DATA = 0x0092
#: The cell records calamine places (BrtCellRk to BrtFmlaError): a blank cell (BrtCellBlank) and the
#: short cells are skipped by it and not counted.
_VALUED_CELLS = range(0x0002, 0x000C)


class _BinarySheetScan:
    """The area a binary part's valued cells span, read record by record as calamine reads them.

    Every .bin part is walked, wherever the workbook's relationships place its sheets; only a
    worksheet holds sheet data. A record's header is a type (7 bits a byte, at most 2 bytes) and a
    size (at most 4 bytes); only the first 4 bytes of a payload matter here (the row of a row
    header, the column of a cell), so the rest is skipped as it streams past, never buffered."""

    def __init__(self) -> None:
        self.columns = 0  # 1-based, as for xlsx: the farthest valued cell's column
        self.rows = 0
        self._row = 0
        self._in_data = False
        self._pending = b""  # an incomplete record header, or the start of a payload still short
        self._skip = 0  # payload bytes still to pass over

    def feed(self, data: bytes) -> None:
        if self._skip:
            if len(data) <= self._skip:
                self._skip -= len(data)
                return
            data, self._skip = data[self._skip :], 0
        buffer = self._pending + data if self._pending else data
        position, end = 0, len(buffer)
        while position < end:
            kind = buffer[position]
            if kind < 0x80 and position + 1 < end and buffer[position + 1] < 0x80:
                # The common record: type and size a byte each.
                size, start = buffer[position + 1], position + 2
            else:
                header = _record_header(buffer, position, end)
                if header is None:
                    break
                kind, size, start = header
            if kind <= 0x0B or kind in (_BEGIN_SHEET_DATA, _END_SHEET_DATA):
                wanted = min(size, 4) if kind != 0x0001 else 0
                if start + wanted > end:
                    break
                self._record(kind, buffer[start : start + wanted])
            position = start + size
        if position > end:
            self._pending, self._skip = b"", position - end
        else:
            self._pending = buffer[position:]

    def _record(self, kind: int, head: bytes) -> None:
        if kind == _BEGIN_SHEET_DATA:
            self._in_data = True
        elif kind == _END_SHEET_DATA:
            self._in_data = False
        elif not self._in_data or len(head) < 4:
            return
        elif kind == _ROW_HEADER:
            self._row = int.from_bytes(head, "little")
        elif kind in _VALUED_CELLS:
            self.columns = max(self.columns, int.from_bytes(head, "little") + 1)
            self.rows = max(self.rows, self._row + 1)


def _record_header(buffer: bytes, position: int, end: int) -> tuple[int, int, int] | None:
    """(type, size, where the payload starts) of the record at ``position``, or None when the
    buffer ends inside its header."""
    values = []
    for width in (2, 4):
        value = shift = 0
        for _ in range(width):
            if position >= end:
                return None
            byte = buffer[position]
            position += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        values.append(value)
    return values[0], values[1], position


class _SharedSpans:
    """The bytes each shared string item spans (its text and markup), in order; ``finish`` once
    the part has been fed."""

    def __init__(self, spans: list[int]) -> None:
        self._spans = spans
        self._open: int | None = None  # bytes of the item being read; None before the first

    def feed(self, data: bytes) -> None:
        first, *items = _SHARED_ITEM.split(data)
        if self._open is not None:
            self._open += len(first)
        for item in items:
            if self._open is not None:
                self._spans.append(self._open)
            self._open = len(item)

    def finish(self) -> None:
        if self._open is not None:
            self._spans.append(self._open)
            self._open = None


def _sheet_label(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _refuse_area(name: str, columns: int, rows: int) -> None:
    if columns > MAX_SHEET_COLUMNS:
        raise ExtractionError(
            f"sheet '{_sheet_label(name)}' spans {columns:,} columns × {rows:,} rows, "
            f"beyond the {MAX_SHEET_COLUMNS:,}-column limit: not read"
        )
    if columns * rows > MAX_SHEET_CELLS:
        raise ExtractionError(
            f"sheet '{_sheet_label(name)}' spans {columns:,} columns × {rows:,} rows, "
            f"beyond the {MAX_SHEET_CELLS:,}-cell limit: not read"
        )


def _exceeds(columns: int, rows: int) -> bool:
    return columns > MAX_SHEET_COLUMNS or columns * rows > MAX_SHEET_CELLS


def _check_area(archive: zipfile.ZipFile, name: str, scan: _SheetScan, fmt: str) -> None:
    """Settle the sheet's area from the references outside the ordinary where they suffice, else
    (cells written unusually, or a bound over a limit) by reading every cell as the parser would:
    only that tells a valued cell from a styled empty one, which the parser skips."""
    bound_columns = max(scan.columns, 26) if scan.cells else 0
    if scan.unusual or scan.deep or scan.cells != scan.referenced or _exceeds(bound_columns, _ROWS_BOUND):
        _refuse_area(name, *_exact_area(archive, name, fmt))


def _exact_area(archive: zipfile.ZipFile, name: str, fmt: str) -> tuple[int, int]:
    """(columns, rows) the valued cells span, counted the way a workbook parser places them:
    a cell without a reference follows the one before it in its row."""
    columns = rows = 0
    row = column = 0
    with archive.open(name) as member:
        capped = _Capped(member, MAX_PART_BYTES, name, fmt)
        for event, element in ElementTree.iterparse(capped, events=("start", "end")):
            local = element.tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
            reference = element.get("r")
            if local == "row" and event == "start":
                row = _number(reference) if reference and reference.isdigit() else row + 1
                column = 0
            elif local == "c" and event == "start":
                if reference is None:
                    column += 1
                else:
                    match = _REFERENCE.fullmatch(reference)
                    if match is None:
                        raise ExtractionError(
                            f"sheet '{_sheet_label(name)}' has a cell reference {reference[:20]!r} that is not "
                            "a column and a row (like B7): not read"
                        )
                    letters = match.group(1)
                    column = _column_number(letters.encode()) if len(letters) <= 7 else _FAR
                    row = _number(match.group(2))
            elif local == "c" and event == "end":
                if len(element):
                    columns = max(columns, column)
                    rows = max(rows, row)
                element.clear()
            elif event == "end" and local == "row":
                element.clear()
    return columns, rows


#: Beyond any limit: a column or row number too long to be worth converting.
_FAR = 10**12


def _number(digits: str) -> int:
    return int(digits) if len(digits) <= 12 else _FAR


class _Capped:
    """A file-like view of a member that refuses to produce more than ``limit`` bytes."""

    def __init__(self, member: object, limit: int, name: str, fmt: str) -> None:
        self._member = member
        self._left = limit
        self._name = name
        self._fmt = fmt
        self._limit = limit

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._member.read(size if size >= 0 else _CHUNK)  # type: ignore[attr-defined]
        self._left -= len(data)
        if self._left < 0:
            raise ExtractionError(_too_big(self._fmt, self._name, self._limit + 1, "part", self._limit, "at least "))
        return data


def _check_text(archive: zipfile.ZipFile, name: str, spans: list[int], fmt: str) -> None:
    """Refuse a sheet whose cells refer to more shared-string text, counted once per cell, than
    the limit allows."""
    total = 0

    def feed(data: bytes) -> None:
        nonlocal total
        for index in _SHARED_CELL.findall(data):
            position = int(index)
            total += spans[position] if position < len(spans) else 0
        if total > MAX_SHEET_TEXT_BYTES:
            raise ExtractionError(
                f"sheet '{_sheet_label(name)}' refers to more than {size_text(MAX_SHEET_TEXT_BYTES)} of "
                "shared-string text (each string counted once per cell), beyond the sheet text limit: not read"
            )

    inflate(archive, archive.getinfo(name), fmt, [MAX_PART_BYTES], feed)


_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ROWS_REPEATED = f"{{{_TABLE_NS}}}number-rows-repeated"
_COLUMNS_REPEATED = f"{{{_TABLE_NS}}}number-columns-repeated"
_VALUE_TYPE = f"{{{_OFFICE_NS}}}value-type"
_ODS_CELLS = frozenset({f"{{{_TABLE_NS}}}table-cell", f"{{{_TABLE_NS}}}covered-table-cell"})


def _repeat(element: ElementTree.Element, attribute: str) -> int:
    value = element.get(attribute, "1")
    return int(value) if value.isdigit() and len(value) < 10 else 1


def check_opendocument(archive: zipfile.ZipFile, fmt: str) -> None:
    """check_package, and the area each table's valued cells span once repeated rows and cells
    (``number-rows-repeated``, ``number-columns-repeated``) are counted, within the limits.

    Trailing empty repeats (LibreOffice writes a row repeated a million times to style the rest
    of a sheet) hold no value and are not counted, as the workbook parser skips them."""
    check_package(archive, fmt)
    try:
        info = archive.getinfo("content.xml")
    except KeyError:
        return
    with archive.open(info) as member:
        capped = _Capped(member, MAX_PART_BYTES, info.filename, fmt)
        name = ""
        row = column = 0
        row_repeat = 1
        row_width = 0
        columns = rows = 0
        for event, element in ElementTree.iterparse(capped, events=("start", "end")):
            tag = element.tag
            if tag == f"{{{_TABLE_NS}}}table":
                if event == "start":
                    name = element.get(f"{{{_TABLE_NS}}}name", "")
                    row = columns = rows = 0
                else:
                    element.clear()
            elif tag == f"{{{_TABLE_NS}}}table-row":
                if event == "start":
                    row_repeat = _repeat(element, _ROWS_REPEATED)
                    column = row_width = 0
                else:
                    if row_width:
                        columns = max(columns, row_width)
                        rows = row + row_repeat
                        _refuse_area(name, columns, rows)
                    row += row_repeat
                    element.clear()
            elif tag in _ODS_CELLS and event == "end":
                repeat = _repeat(element, _COLUMNS_REPEATED)
                column += repeat
                if element.get(_VALUE_TYPE) is not None or len(element):
                    row_width = column
                    if column > MAX_SHEET_COLUMNS:
                        _refuse_area(name, column, row + row_repeat)
                element.clear()
