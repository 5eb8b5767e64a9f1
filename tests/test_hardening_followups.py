"""Follow-ups to the hostile-share work (issue 23): each test fails without its fix."""

from __future__ import annotations

import io
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
