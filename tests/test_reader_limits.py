"""Hostile files meet the readers' limits (collecting/readers/limits.py): each is refused quickly, in
bounded memory, with a message naming the limit, and ordinary files are read as before.

Every file is generated here (no bombs are committed). Each read runs in a child process under a
1 GiB address-space limit and a time limit, so a reader that tried to allocate the span of a sheet
or to expand a bomb would die or time out there instead of passing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    f'<?xml version="1.0"?><workbook xmlns="{_SHEET_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Log" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_MIB = 1 << 20

# Reads one file the way a scan's worker does, under a 1 GiB address-space limit, and prints what
# came of it: the sheets' headers and row counts and the warnings, or the refusal.
_READER = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from pathlib import Path
from qmscheck.collecting.readers import ExtractionError, read_document, read_register
path, kind = Path(sys.argv[1]), sys.argv[2]
try:
    if kind == "register":
        sheets = [
            {"headers": list(sheet.headers), "rows": sum(1 for _ in sheet.rows), "warnings": sheet.warnings}
            for sheet in read_register(path)
        ]
        print(json.dumps({"sheets": sheets}))
    else:
        document = read_document(path)
        print(json.dumps({"title": document.title, "warnings": list(document.warnings)}))
except ExtractionError as exc:
    print(json.dumps({"error": str(exc)}))
"""


def _read(path: Path, kind: str = "register", timeout: float = 60) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _READER, str(path), kind], capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _xlsx(path: Path, sheet_data: str, extra: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0"?><worksheet xmlns="{_SHEET_NS}"><sheetData>{sheet_data}</sheetData></worksheet>',
        )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def _text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _bomb_member(archive: zipfile.ZipFile, name: str, head: bytes, filler: bytes, size: int, tail: bytes) -> None:
    """A member of `size` bytes, written in blocks so that the test never holds it whole."""
    block = filler * (_MIB // len(filler))
    with archive.open(name, "w", force_zip64=True) as member:
        member.write(head)
        for _ in range(size // len(block)):
            member.write(block)
        member.write(tail)


# ---- P2: a sheet whose two cells span the whole grid ----


def test_cells_at_a1_and_xfd1048576_are_refused_by_the_column_limit(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "span.xlsx",
        f'<row r="1">{_text_cell("A1", "x")}</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    )
    assert path.stat().st_size < 2048
    result = _read(path)
    assert result["error"] == (
        "sheet 'sheet1.xml' spans 16,384 columns × 1,048,576 rows, beyond the 1,000-column limit: not read"
    )
    # The workbook read as a document meets the same limit.
    assert "1,000-column limit" in str(_read(path, "document")["error"])


def test_a_narrow_sheet_spanning_a_million_rows_is_refused_by_the_cell_limit(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "tall.xlsx",
        f'<row r="1">{_text_cell("A1", "x")}</row><row r="1048576"><c r="Z1048576"><v>1</v></c></row>',
    )
    assert "beyond the 10,000,000-cell limit" in str(_read(path)["error"])


def test_cells_without_references_are_placed_as_the_parser_places_them(tmp_path: Path) -> None:
    # A cell without r="..." follows the one before it; a prefixed element is a cell all the same.
    wide = "".join("<x:c><x:v>1</x:v></x:c>" for _ in range(1_200))
    path = tmp_path / "unreferenced.xlsx"
    _xlsx(path, f'<row r="1" xmlns:x="{_SHEET_NS}">{wide}</row>')
    assert "spans 1,200 columns × 1 rows, beyond the 1,000-column limit" in str(_read(path)["error"])


def test_styled_empty_cells_far_out_do_not_count(tmp_path: Path) -> None:
    # Excel writes formatted empty cells; they hold no value, so the parser allocates nothing for them.
    rows = "".join(
        f'<row r="{row}">{_text_cell(f"A{row}", "Owner" if row == 1 else f"P{row}")}'
        f"{_text_cell(f'AD{row}', 'Status' if row == 1 else 'Open')}</row>"
        for row in range(1, 41)
    )
    path = _xlsx(tmp_path / "styled.xlsx", rows + '<row r="1048576"><c r="XFD1048576" s="1"/></row>')
    result = _read(path)
    assert "error" not in result, result
    sheets = result["sheets"]
    assert isinstance(sheets, list) and sheets[0]["rows"] == 39


# ---- P3-P6: zip bombs ----


def test_a_sheet_inflating_past_the_part_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "whitespace.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        _bomb_member(archive, "xl/worksheets/sheet1.xml", b"<worksheet>", b" ", 300 * _MIB, b"</worksheet>")
    assert path.stat().st_size < 3 * _MIB
    assert "beyond the 256 MiB limit for one part: not read" in str(_read(path)["error"])


def test_a_part_inflating_hundreds_of_times_its_size_is_refused_by_the_ratio_limit(tmp_path: Path) -> None:
    path = tmp_path / "ratio.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", _RELS)
        _bomb_member(archive, "xl/worksheets/sheet1.xml", b"<worksheet>", b" ", 40 * _MIB, b"</worksheet>")
    error = str(_read(path)["error"])
    assert "inflates more than 200 times its compressed size" in error
    assert "compression-ratio limit" in error


def test_one_huge_shared_string_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "string.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", _RELS)
        _bomb_member(archive, "xl/sharedStrings.xml", b"<sst><si><t>", b"a", 300 * _MIB, b"</t></si></sst>")
    assert "xl/sharedStrings.xml inflates to 3" in str(_read(path)["error"])


def test_a_long_shared_string_in_every_cell_is_refused_by_the_sheet_text_limit(tmp_path: Path) -> None:
    # 1 MiB of text, once in the package, but copied into each of the 1,000 cells that refer to it.
    cells = "".join(f'<row r="{row}"><c r="A{row}" t="s"><v>0</v></c></row>' for row in range(1, 1_001))
    strings = f'<sst xmlns="{_SHEET_NS}"><si><t>{"a" * _MIB}</t></si></sst>'
    path = _xlsx(tmp_path / "expanding.xlsx", cells, {"xl/sharedStrings.xml": strings})
    assert "beyond the sheet text limit" in str(_read(path)["error"])


def _docx_types() -> str:
    return (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/></Types>'
    )


def test_a_docx_body_inflating_past_the_part_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "body.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _docx_types())
        _bomb_member(
            archive,
            "word/document.xml",
            b"<w:document><w:body><w:p><w:r><w:t>",
            b"a",
            300 * _MIB,
            b"</w:t></w:r></w:p></w:body></w:document>",
        )
    assert "word/document.xml inflates to" in str(_read(path, "document")["error"])


def test_document_properties_past_their_limit_are_refused_for_every_parser(tmp_path: Path) -> None:
    # docProps/core.xml is read by the properties reader, by the Word reader and by python-docx:
    # the package check refuses it before any of them.
    path = tmp_path / "props.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _docx_types())
        archive.writestr(
            "docProps/core.xml", "<cp:coreProperties xmlns:cp='x'><t>" + "a" * (6 * _MIB) + "</t></cp:coreProperties>"
        )
    error = str(_read(path, "document")["error"])
    assert "document-properties part docProps/core.xml" in error
    assert "beyond the 5 MiB limit" in error


def test_repeated_cells_of_an_ods_table_are_counted(tmp_path: Path) -> None:
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    content = (
        f'<office:document-content xmlns:office="{office}" xmlns:table="{table}"><office:body><office:spreadsheet>'
        '<table:table table:name="Log"><table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/>'
        "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / "repeated.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    assert "sheet 'Log' spans 16,384 columns" in str(_read(path)["error"])


# ---- P7: YAML front matter ----


def _warnings(result: dict[str, object]) -> list[object]:
    warnings = result["warnings"]
    assert isinstance(warnings, list)
    return warnings


def test_yaml_aliases_in_front_matter_are_not_expanded(tmp_path: Path) -> None:
    lines = ["a0: &a0 {x: 1}"]
    lines += [f"a{i}: &a{i} {{{', '.join(f'k{j}: *a{i - 1}' for j in range(6))}}}" for i in range(1, 12)]
    path = tmp_path / "aliases.md"
    path.write_text("---\n" + "\n".join(lines) + "\n---\n# Procedure\n")
    assert path.stat().st_size < 800
    result = _read(path, "document", timeout=30)
    assert result["title"] == "Procedure"
    assert any("front matter uses YAML aliases" in str(w) for w in _warnings(result))


def test_deeply_nested_or_oversized_front_matter_is_not_built(tmp_path: Path) -> None:
    deep = tmp_path / "deep.md"
    deep.write_text("---\na: " + "[" * 30 + "]" * 30 + "\n---\n# Deep\n")
    assert any("20-level limit" in str(w) for w in _warnings(_read(deep, "document")))
    large = tmp_path / "large.md"
    large.write_text("---\n" + "".join(f"key{i}: {'v' * 200}\n" for i in range(400)) + "---\n# Large\n")
    assert any("64 KiB limit" in str(w) for w in _warnings(_read(large, "document")))


def test_front_matter_without_aliases_is_read() -> None:
    from qmscheck.collecting.readers.frontmatter import parse_front_matter

    assert parse_front_matter("owner: Ruth\nreview:\n  due: 2026-03-01\n") == (
        [("owner", "Ruth"), ("review due", "2026-03-01")],
        [],
    )


# ---- P8-P9: patterns that backtracked and loops that were quadratic ----
# Each input below took minutes before (the heading 25 s at 3,000 spaces and over 150 s at 10,000;
# the separator 87 s); the time limit leaves room for a slow machine.


def test_a_heading_with_a_long_run_of_spaces_reads_quickly(tmp_path: Path) -> None:
    path = tmp_path / "heading.md"
    path.write_text("# a" + " " * 10_000 + "b\n\nText.\n")
    result = _read(path, "document", timeout=20)
    assert str(result["title"]).startswith("a") and str(result["title"]).endswith("b")


def test_a_table_separator_of_spaces_reads_quickly(tmp_path: Path) -> None:
    path = tmp_path / "separator.md"
    path.write_text("# Log\n\n| a | b |\n|-" + " " * 100_000 + "x\n")
    assert _read(path, "document", timeout=20)["title"] == "Log"


def test_a_csv_header_of_brackets_reads_quickly(tmp_path: Path) -> None:
    path = tmp_path / "brackets.csv"
    path.write_text("(" * 80_000 + ",Owner\n1,Ruth\n")
    result = _read(path, timeout=20)
    assert result["sheets"][0]["rows"] == 1  # type: ignore[index]


def test_quotes_and_delimiters_do_not_stall_the_dialect_sniffer(tmp_path: Path) -> None:
    # The csv module's sniffer took 46 s over a 64 KB sample of these lines.
    path = tmp_path / "quotes.csv"
    path.write_text((',"a' * 900 + "\n") * 24)
    assert "sheets" in _read(path, timeout=20)


def test_many_duplicate_headers_are_numbered_in_linear_time(tmp_path: Path) -> None:
    path = tmp_path / "duplicates.csv"
    path.write_text(",".join(["Owner"] * 1_000) + "\n" + ",".join(["x"] * 1_000) + "\n")
    sheet = _read(path, timeout=20)["sheets"][0]  # type: ignore[index]
    assert len(sheet["headers"]) == 1_000
    assert sheet["warnings"].count("csv: duplicate column 'Owner'") == 999


def test_a_csv_wider_than_the_column_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["Owner"] * 40_000) + "\n")
    assert _read(path, timeout=20)["error"] == "csv line 1 has 40,000 columns, beyond the 1,000-column limit: not read"


def test_a_csv_field_longer_than_the_field_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "field.csv"
    path.write_text('Owner,Notes\nRuth,"' + "a" * 200_000 + '"\n')
    assert "longer than the 131,072-character limit" in str(_read(path)["error"])


@pytest.mark.parametrize("label", ["(" * 50_000, " " * 50_000 + "(x)", "Owner" + " " * 50_000 + "x"])
def test_field_labels_are_matched_in_bounded_time(label: str) -> None:
    from qmscheck.collecting.readers.fields import canonical_field, is_weak_date_label, resolve_field

    # Before, each of these took seconds; a label this long names no field.
    assert canonical_field(label) is None
    assert resolve_field(label, True) is None
    assert not is_weak_date_label(label)


@pytest.mark.parametrize(
    ("label", "field"),
    [("Owner (name)", "owner"), ("Due date [dd/mm/yyyy]", "due"), ("Revision", "revision"), ("Owner  ", "owner")],
)
def test_field_labels_with_notes_still_match(label: str, field: str) -> None:
    from qmscheck.collecting.readers.fields import canonical_field

    assert canonical_field(label) == field
