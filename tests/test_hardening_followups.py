"""Follow-ups to the hostile-share work (issue 23): each test fails without its fix."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import parse_xml
from openpyxl import Workbook

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# ---- a Word table merged down thousands of rows ----

#: Rows of the vertically merged table: a walk up the merge from every row makes this millions of
#: steps (and deeper than Python's recursion limit).
MERGED_ROWS = 3000
MERGED_COLUMNS = 8


def _merged_table_docx(path: Path) -> None:
    """A table whose first MERGED_COLUMNS - 1 columns each run merged from the first row to the last;
    the last column holds each row's own text."""
    document = Document()
    table = document.add_table(rows=1, cols=MERGED_COLUMNS)
    tbl = table._tbl
    tbl.remove(tbl.tr_lst[0])

    def cell(text: str, merge: str | None) -> str:
        merged = f'<w:tcPr><w:vMerge w:val="{merge}"/></w:tcPr>' if merge else ""
        return f"<w:tc>{merged}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    for row in range(MERGED_ROWS):
        merge = "restart" if row == 0 else "continue"
        merged = "".join(cell(f"M{column}" if row == 0 else "", merge) for column in range(MERGED_COLUMNS - 1))
        tbl.append(parse_xml(f'<w:tr xmlns:w="{W_NS}">{merged}{cell(f"Row {row}", None)}</w:tr>'))
    document.save(str(path))


def test_a_table_merged_down_thousands_of_rows_is_read_in_bounded_time(tmp_path: Path) -> None:
    path = tmp_path / "merged.docx"
    _merged_table_docx(path)
    script = (
        "import sys; from pathlib import Path; from qmscheck.collecting.readers import read_document\n"
        "meta = read_document(Path(sys.argv[1]))\n"
        "lines = meta.text.splitlines()\n"
        "print(len(lines)); print(lines[0]); print(lines[-1])\n"
    )
    # Well above the time a linear read takes on a loaded machine, far below a walk up the merge
    # from every row.
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    count, first, last = done.stdout.splitlines()
    merged = "\t".join(f"M{column}" for column in range(MERGED_COLUMNS - 1))
    assert (count, first, last) == (str(MERGED_ROWS), f"{merged}\tRow 0", f"{merged}\tRow {MERGED_ROWS - 1}")


# ---- workbooks whose cells the reader must place exactly ----

# Reads one register the way a scan's worker does, under a 1 GiB address-space limit, and prints
# the sheets' sizes or the refusal: a reader that let calamine allocate a sheet's span dies here.
_READER = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from pathlib import Path
from qmscheck.collecting.readers import ExtractionError, read_register
try:
    print([sum(1 for _ in sheet.rows) for sheet in read_register(Path(sys.argv[1]))])
except ExtractionError as exc:
    print(exc)
"""


def _read_register(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _READER, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def _xlsx(path: Path, sheet_data: str) -> Path:
    """A workbook (openpyxl's) whose first sheet's cells are ``sheet_data``, written as given."""
    workbook = Workbook()
    workbook.active["A1"] = "Title"
    written = io.BytesIO()
    workbook.save(written)
    source = zipfile.ZipFile(written)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start, end = text.index("<sheetData>") + len("<sheetData>"), text.index("</sheetData>")
                data = (text[:start] + sheet_data + text[end:]).encode()
            archive.writestr(info, data)
    return path


_FIRST = '<c r="A1" t="inlineStr"><is><t>Title</t></is></c>'


@pytest.mark.parametrize(
    ("name", "far_cell", "limit"),
    [
        # Whitespace other than one space between the element's name and its reference.
        ("tab", '<c\tr="XFD1048576"><v>1</v></c>', "column limit"),
        ("newline", '<c\nr="XFD1048576"><v>1</v></c>', "column limit"),
        # Leading zeros, and more letters or digits than a sheet has.
        ("zeros", '<c r="XFD00001048576"><v>1</v></c>', "column limit"),
        ("four-letters", '<c r="AAAA1048576"><v>1</v></c>', "column limit"),
        ("long-row", '<c r="B4294967290"><v>1</v></c>', "cell limit"),
        # Not a reference at all: calamine cannot read it either.
        ("dollar", '<c r="$XFD$1048576"><v>1</v></c>', "not a column and a row"),
    ],
)
def test_a_far_cell_written_unusually_is_still_placed(tmp_path: Path, name: str, far_cell: str, limit: str) -> None:
    path = _xlsx(tmp_path / f"{name}.xlsx", f'<row r="1">{_FIRST}{far_cell}</row>')
    assert limit in _read_register(path)


def test_a_workbook_written_the_usual_way_is_still_read(tmp_path: Path) -> None:
    rows = "".join(
        f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>R{row}</t></is></c><c r="AB{row}"><v>{row}</v></c></row>'
        for row in range(2, 50)
    )
    path = _xlsx(tmp_path / "usual.xlsx", f'<row r="1">{_FIRST}</row>{rows}')
    # Read, not refused: a list of the sheet's row count rather than a limit's message.
    assert _read_register(path).startswith("[")


# ---- binary workbooks (.xlsb): BIFF12 records written here, as no writer of them is at hand ----


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        out.append((value & 0x7F) | (0x80 if value > 0x7F else 0))
        value >>= 7
        if not value:
            return bytes(out)


def _record(kind: int, payload: bytes = b"") -> bytes:
    return _varint(kind) + _varint(len(payload)) + payload


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


_XLSB_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
    '<Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/></Types>'
)
_RELATIONSHIPS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" '
    'Target="{target}"/></Relationships>'
)


def _xlsb(path: Path, cells: dict[tuple[int, int], str | float | None]) -> Path:
    """A one-sheet binary workbook with these cells by (row, column), 0-based; None is a blank
    (styled, valueless) cell."""
    records = [_record(0x81), _record(0x94, bytes(16)), _record(0x91)]  # BeginSheet, WsDim, BeginSheetData
    row = None
    for (at_row, column), value in sorted(cells.items()):
        if at_row != row:
            row = at_row
            records.append(_record(0x00, struct.pack("<IIHHBI", row, 0, 300, 0, 0, 0)))  # RowHdr
        head = struct.pack("<II", column, 0)
        if value is None:
            records.append(_record(0x01, head))  # CellBlank
        elif isinstance(value, str):
            records.append(_record(0x06, head + _wide(value)))  # CellSt
        else:
            records.append(_record(0x05, head + struct.pack("<d", value)))  # CellReal
    records += [_record(0x92), _record(0x82)]  # EndSheetData, EndSheet
    sheet = _record(0x9C, struct.pack("<II", 0, 1) + _wide("rId1") + _wide("Log"))  # BundleSh
    book = _record(0x83) + _record(0x8F) + sheet + _record(0x90) + _record(0x84)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _XLSB_TYPES)
        archive.writestr("_rels/.rels", _RELATIONSHIPS.format(kind="officeDocument", target="xl/workbook.bin"))
        archive.writestr("xl/workbook.bin", book)
        archive.writestr(
            "xl/_rels/workbook.bin.rels", _RELATIONSHIPS.format(kind="worksheet", target="worksheets/sheet1.bin")
        )
        archive.writestr("xl/worksheets/sheet1.bin", b"".join(records))
    return path


_LOG: dict[tuple[int, int], str | float | None] = {
    (0, 0): "Record No",
    (0, 1): "Date",
    (1, 0): "NC-1",
    (1, 1): 45000.0,
    (2, 0): "NC-2",
    (2, 1): 45001.0,
}


@pytest.mark.parametrize(
    ("name", "far", "limit"),
    [
        ("far-corner", {(1_048_575, 16_383): 1.0}, "1,000-column limit"),
        ("far-column", {(3, 4_000_000_000): 1.0}, "1,000-column limit"),
        ("far-row", {(4_000_000_000, 0): "x"}, "10,000,000-cell limit"),
    ],
)
def test_an_xlsb_sheet_spanning_too_far_is_refused(
    tmp_path: Path, name: str, far: dict[tuple[int, int], str | float | None], limit: str
) -> None:
    assert limit in _read_register(_xlsb(tmp_path / f"{name}.xlsb", {**_LOG, **far}))


def test_an_ordinary_xlsb_is_read_and_a_far_blank_cell_does_not_count(tmp_path: Path) -> None:
    # calamine skips a blank cell, so it allocates nothing for one far out.
    assert _read_register(_xlsb(tmp_path / "log.xlsb", {**_LOG, (1_048_575, 16_383): None})) == "[2]"


# ---- a bundle hashes what was listed ----

# Lists a share, swaps its two files for a link out of it and a FIFO, then hashes both as a bundle
# does: a link swapped in must be refused (not followed to the file outside), and a FIFO must not
# be waited on. In a child process with a time limit, since a FIFO opened for reading blocks.
_SWAP = """
import os, sys
from pathlib import Path
from qmscheck.auditing.bundle import _hash_file
from qmscheck.collecting.connectors.tree import open_tree
root, outside = Path(sys.argv[1]), Path(sys.argv[2])
tree = open_tree(str(root), root)
listed = sorted(entry.relative for entry in tree.walk())
(root / "a.md").unlink()
(root / "a.md").symlink_to(outside)
(root / "b.md").unlink()
os.mkfifo(root / "b.md")
print(listed, _hash_file(tree, "a.md"), _hash_file(tree, "b.md"))
"""


def test_a_bundle_refuses_a_link_or_fifo_swapped_in_after_listing(tmp_path: Path) -> None:
    root, outside = tmp_path / "share", tmp_path / "outside.md"
    root.mkdir()
    outside.write_text("secret outside the share\n", encoding="utf-8")
    for name in ("a.md", "b.md"):
        (root / name).write_text(f"# {name}\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _SWAP, str(root), str(outside)], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "['a.md', 'b.md'] None None"


# ---- links to a file whose name is not UTF-8 ----


def test_html_and_sarif_link_a_name_that_is_not_utf8_by_its_real_bytes(tmp_path: Path) -> None:
    share, out = tmp_path / "share", tmp_path / "out"
    share.mkdir()
    (share / "quality-policy.md").write_text("# Quality Policy\n\nWe commit.\n", encoding="utf-8")
    # Cited (as unreadable) by the findings it leaves unsettled, and named in a warning.
    with open(os.fsencode(share) + b"/bad\xff.docx", "wb") as handle:
        handle.write(b"not a zip")
    command = [sys.executable, "-m", "qmscheck", "scan", str(share), "--format", "sarif", "--format", "html"]
    command += ["--output-dir", str(out), "--no-index", "--fail-on", "never", "-q"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    html = (out / "qmscheck-report.html").read_text(encoding="utf-8")
    uris = {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for run in json.loads((out / "qmscheck-report.sarif").read_text(encoding="utf-8"))["runs"]
        for result in run["results"]
        for location in result.get("locations", [])
        if "physicalLocation" in location
    }
    # The file on disk is bad<0xFF>.docx: %FF, not the escape's backslash (%5C) or a folder "bad/".
    assert 'href="bad%FF.docx"' in html and "bad/xff" not in html
    assert "bad%FF.docx" in uris and not any("%5C" in uri for uri in uris)
