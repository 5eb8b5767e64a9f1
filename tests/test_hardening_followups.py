"""Follow-ups to the hostile-share work (issue 23): each test fails without its fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml

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
