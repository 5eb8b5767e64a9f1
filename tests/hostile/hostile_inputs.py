"""The hostile corpus: files a share can hold that attack or break a reader, written at test time.

Nothing here is committed as a bomb: every case is a small function that writes its file (or
link, or pipe) into a scanned tree, so the repository holds only the recipe. Bombs are built from
a deflate stream whose middle block repeats, so a few megabytes on disk expand to gigabytes and
writing them costs one CRC pass, never the expansion itself.

Each case's file name carries a token (``h17-``) that stays readable however an output escapes
the rest of the name, so its warning is found by the token.
"""

from __future__ import annotations

import dataclasses
import io
import os
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

#: The folder of the scanned share that holds the corpus, beside the good files.
HOSTILE_DIR = "99 Hostile"
#: Written into the file outside the scanned root; it must never reach the index or a report.
CANARY = "CANARY-7f3c9b1e-outside-the-root"
#: What a YAML python tag would create if it were obeyed.
PWNED_NAME = "pwned-by-yaml"

MIB = 1 << 20
GIB = 1 << 30

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass(frozen=True)
class Pending:
    """A probe whose fix has not landed: the case is an expected failure (strict, so a fix shows)."""

    probe: str
    engineer: str
    #: The case stops the whole scan (a hang, an abort, the time limit): it is left out of the
    #: all-in-one scan and checked on its own under a short time limit until it is fixed.
    fatal: bool = False


@dataclass(frozen=True)
class Outside:
    """The folder beside the scanned root that nothing may read."""

    folder: Path

    @property
    def canary(self) -> Path:
        return self.folder / "canary.md"


@dataclass(frozen=True)
class Case:
    token: str
    name: str
    probe: str
    #: Each entry is a regular expression the warning naming the file must match (case-insensitive);
    #: ``None``: the file may be read without a warning (it is hostile, not broken), but never
    #: with more than one.
    words: tuple[str, ...] | None
    build: Callable[[Path, Outside], None]
    pending: Pending | None = None
    #: Extra facts about this case's effect on the outputs (see test_hostile_corpus).
    checks: tuple[str, ...] = field(default=())

    @property
    def filename(self) -> str:
        return f"{self.token}-{self.name}"

    def param(self) -> object:
        marks = []
        if self.pending is not None:
            reason = f"{self.pending.probe} fixed by {self.pending.engineer}"
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        return pytest.param(self, id=self.filename.encode("ascii", "backslashreplace").decode(), marks=marks)


# --- zip containers written by hand, so one member can be a repeating deflate stream -------------------


@dataclass(frozen=True)
class Bomb:
    """A zip member of ``prefix + chunk * count + suffix`` that is stored in a few megabytes."""

    prefix: bytes
    chunk: bytes
    count: int
    suffix: bytes

    @property
    def size(self) -> int:
        return len(self.prefix) + len(self.chunk) * self.count + len(self.suffix)


def _raw_deflate(data: bytes, final: bool) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def _member(data: bytes | Bomb) -> tuple[bytes, int, int]:
    """(deflated bytes, crc32, uncompressed size). A full flush empties the compressor's window, so the
    deflated chunk is the same bytes wherever it stands and can simply be repeated."""
    if isinstance(data, bytes):
        return _raw_deflate(data, final=True), zlib.crc32(data), len(data)
    assert data.size < 1 << 32, "no ZIP64 here"
    crc = zlib.crc32(data.prefix)
    for _ in range(data.count):
        crc = zlib.crc32(data.chunk, crc)
    crc = zlib.crc32(data.suffix, crc)
    deflated = (
        _raw_deflate(data.prefix, final=False)
        + _raw_deflate(data.chunk, final=False) * data.count
        + _raw_deflate(data.suffix, final=True)
    )
    return deflated, crc, data.size


def write_zip(path: Path, members: dict[str, bytes | Bomb]) -> None:
    local = io.BytesIO()
    central = io.BytesIO()
    for name, data in members.items():
        deflated, crc, size = _member(data)
        encoded = name.encode()
        offset = local.tell()
        # Version 20, no flags, deflate, 1980-01-01 00:00.
        local.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(deflated), size, len(encoded), 0)
        )
        local.write(encoded)
        local.write(deflated)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(deflated),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
        )
        central.write(encoded)
    directory = central.getvalue()
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), local.tell(), 0)
    path.write_bytes(local.getvalue() + directory + end)


def _parts(data: bytes) -> dict[str, bytes | Bomb]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# --- good files of every type, the material of the corrupt, encrypted and truncated cases ---------------


def docx_bytes() -> bytes:
    doc = Document()
    doc.add_heading("Control of Monitoring Equipment", level=1)
    doc.add_paragraph("Document No: QP-99  Revision: 2  Approved by: Quality Manager")
    doc.add_paragraph("Every gauge is calibrated against a traceable standard before use. " * 20)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Instrument ID", "Description", "Last Calibrated", "Due", "Status"])
    for number in range(1, 60):
        sheet.append([f"GA-{number:03}", "Vernier caliper", "2025-06-01", "2026-06-01", "In use"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def pdf_bytes(encrypt_with: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for line in range(40):
        pdf.cell(0, 6, f"Work instruction WI-99 step {line}: check the gauge before first-off inspection.")
        pdf.ln()
    data = bytes(pdf.output())
    if encrypt_with is None:
        return data
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=encrypt_with, owner_password=encrypt_with + "-owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
    ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)
ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Calibration">'
)
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def _ods_row(*cells: str) -> str:
    return (
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{c}</text:p></table:table-cell>' for c in cells
        )
        + "</table:table-row>"
    )


def ods_bytes(body: str | None = None) -> bytes:
    if body is None:
        body = _ods_row("Instrument ID", "Due") + "".join(_ods_row(f"GA-{n:03}", "2026-06-01") for n in range(40))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        archive.writestr("content.xml", ODS_HEAD + body + ODS_TAIL)
    return out.getvalue()


MARKDOWN = (
    "---\ntitle: Calibration procedure\ndocument_no: QP-99\nrevision: 2\n---\n\n# Calibration\n\n"
    "| Instrument | Due |\n|---|---|\n| GA-001 | 2026-06-01 |\n\n"
    + "Every gauge is calibrated — ‘traceably’ — before use. "
    * 30
)
HTML = (
    "<html><head><title>QP-99 Calibration</title></head><body><h1>Calibration</h1><p>"
    + "Gauges are calibrated — ‘traceably’. " * 40
    + "</p></body></html>"
)
CSV = "Instrument ID,Description,Due,Status\n" + "".join(
    f"GA-{n:03},Caliper – digital,2026-06-01,In use\n" for n in range(60)
)

#: An OLE compound file's signature: what an encrypted Office file (and a legacy .xls) starts with.
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def ole_bytes() -> bytes:
    """An OLE header as an encrypted OOXML file has it (version 3, 512-byte sectors), then noise."""
    header = OLE_MAGIC + bytes(16) + struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9) + struct.pack("<H", 6) + bytes(6)
    header += struct.pack("<IIIIIIII", 0, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    header = header.ljust(512, b"\xff")
    return header + random.Random(23).randbytes(3 * 512)


def good_bytes(suffix: str) -> bytes:
    if suffix == ".docx":
        return docx_bytes()
    if suffix in (".xlsx", ".xlsm", ".xlsb"):
        return xlsx_bytes()
    if suffix == ".pdf":
        return pdf_bytes()
    if suffix == ".ods":
        return ods_bytes()
    if suffix == ".xls":
        # No writer of BIFF8 is at hand: an OLE container is what the start of one looks like.
        return ole_bytes()
    if suffix in (".md", ".markdown"):
        return MARKDOWN.encode()
    if suffix in (".html", ".htm"):
        return HTML.encode()
    if suffix == ".csv":
        return CSV.encode()
    return ("Training record — ‘Operator’ — passed. " * 50).encode()


# --- builders --------------------------------------------------------------------------------------------


def _bytes(data: bytes | Callable[[], bytes]) -> Callable[[Path, Outside], None]:
    def build(path: Path, outside: Outside) -> None:
        path.write_bytes(data if isinstance(data, bytes) else data())

    return build


def _text(text: str) -> Callable[[Path, Outside], None]:
    return _bytes(text.encode())


def _xlsx_sheet(sheet: bytes | Bomb) -> Callable[[Path, Outside], None]:
    def build(path: Path, outside: Outside) -> None:
        parts = _parts(xlsx_bytes())
        parts["xl/worksheets/sheet1.xml"] = sheet
        write_zip(path, parts)

    return build


def _docx_with(parts_of: Callable[[Outside], dict[str, bytes | Bomb]]) -> Callable[[Path, Outside], None]:
    def build(path: Path, outside: Outside) -> None:
        parts = _parts(docx_bytes())
        parts.update(parts_of(outside))
        write_zip(path, parts)

    return build


def _sheet(rows: str, dimension: str = "A1") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{S_NS}">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _document(body: str, doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}<w:document xmlns:w="{W_NS}"><w:body>{body}'
        "</w:body></w:document>"
    ).encode()


def _around(template: bytes, filler: bytes) -> Bomb:
    """A GiB of ``filler`` where the template has its NUL."""
    head, tail = template.split(b"\0")
    return Bomb(head, filler * MIB, 1024, tail)


def _para(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(2, 10))
    + "]>"
)


def _xxe(outside: Outside, root: str) -> str:
    return f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{outside.canary}">]>'


def _sst(text: str, doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}<sst xmlns="{S_NS}" count="1" uniqueCount="1">'
        f"<si><t>{text}</t></si></sst>"
    ).encode()


def _sst_sheet() -> bytes:
    return _sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>0</v></c></row>', "A1:A2")


def _xlsx_sst(doctype_of: Callable[[Outside], str], text: str) -> Callable[[Path, Outside], None]:
    def build(path: Path, outside: Outside) -> None:
        parts = _parts(xlsx_bytes())
        parts["xl/sharedStrings.xml"] = _sst(text, doctype_of(outside))
        parts["xl/worksheets/sheet1.xml"] = _sst_sheet()
        content_types = parts["[Content_Types].xml"]
        assert isinstance(content_types, bytes)
        if b"sharedStrings" not in content_types:
            parts["[Content_Types].xml"] = content_types.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
            rels = parts["xl/_rels/workbook.xml.rels"]
            assert isinstance(rels, bytes)
            parts["xl/_rels/workbook.xml.rels"] = rels.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
            )
        write_zip(path, parts)

    return build


def _shared_string_bomb(path: Path, outside: Outside) -> None:
    build = _xlsx_sst(lambda _: "", "")
    build(path, outside)
    parts = _parts(path.read_bytes())
    parts["xl/sharedStrings.xml"] = _around(_sst("\0"), b"A")
    write_zip(path, parts)


def _pdf(objects: list[str], trailer: str = "/Root 1 0 R", prev_loop: bool = False) -> bytes:
    """A PDF from its objects (numbered from 1), with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body.encode("latin-1") + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010} 00000 n \n".encode())
    prev = f" /Prev {xref}" if prev_loop else ""
    out.write(f"trailer\n<< /Size {len(objects) + 1} {trailer}{prev} >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _pdf_page_objects(contents: str = "4 0 R") -> list[str]:
    return [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {contents} /Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 720 Td (Work instruction) Tj ET\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def _pdf_flate_bomb(path: Path, outside: Outside) -> None:
    # A content stream of 1 GiB: 4 MB of FlateDecode on disk.
    deflate = zlib.compressobj(9)
    chunk = b" " * MIB
    head = b"BT /F1 12 Tf 72 720 Td (bomb) Tj ET\n"
    stream = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = zlib.compressobj(9, zlib.DEFLATED, -15)
    repeated = block.compress(chunk) + block.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    adler = zlib.adler32(head)
    for _ in range(1024):
        adler = zlib.adler32(chunk, adler)
    stream += repeated * 1024 + tail.flush(zlib.Z_FINISH) + struct.pack(">I", adler)
    objects = _pdf_page_objects()
    objects[3] = (
        f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n" + stream.decode("latin-1") + "\nendstream"
    )
    path.write_bytes(_pdf(objects))


def _pdf_pages_loop() -> bytes:
    objects = _pdf_page_objects()
    objects[1] = "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>"
    objects[2] = objects[2].replace("/Type /Page ", "/Type /Pages /Kids [2 0 R] ")
    return _pdf(objects)


def _pdf_deep_nesting() -> bytes:
    objects = _pdf_page_objects()
    objects[4] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Widths " + "[" * 200_000 + "]" * 200_000 + " >>"
    return _pdf(objects)


def _pdf_reference_cycle() -> bytes:
    # Each object's contents is the next object, the last the first: a resolver that follows
    # references without remembering them never returns.
    objects = _pdf_page_objects("6 0 R")
    objects.extend(["7 0 R", "8 0 R", "6 0 R"])
    return _pdf(objects)


def _pdf_huge_length() -> bytes:
    objects = _pdf_page_objects()
    objects[3] = objects[3].replace("/Length 44", "/Length 99999999999999")
    return _pdf(objects)


def _symlink(target_of: Callable[[Path, Outside], Path | str]) -> Callable[[Path, Outside], None]:
    def build(path: Path, outside: Outside) -> None:
        path.symlink_to(target_of(path, outside))

    return build


def _loop(path: Path, outside: Outside) -> None:
    path.symlink_to(path.name)


def _fifo(path: Path, outside: Outside) -> None:
    os.mkfifo(path)


def _planted_config(path: Path, outside: Outside) -> None:
    path.mkdir()
    (path / "qmscheck.toml").write_text(
        f'[organisation]\nname = "Planted"\n\n[[sources]]\nconnector = "filesystem"\npath = "{outside.folder}"\n'
        f'\n[[sources]]\nconnector = "filesystem"\npath = "../../../../outside"\n',
        encoding="utf-8",
    )
    (path / "Planted Procedure.md").write_text("# Planted procedure\n\nReviewed.\n", encoding="utf-8")


def _yaml_python_tag(path: Path, outside: Outside) -> None:
    marker = outside.folder / PWNED_NAME
    path.write_text(
        f'---\ntitle: !!python/object/apply:os.system ["touch {marker}"]\n'
        f'owner: !!python/object/new:pathlib.Path ["{marker}"]\n---\n\n# Procedure\n\nText.\n',
        encoding="utf-8",
    )


def _yaml_alias_bomb() -> str:
    # Nine mappings of nine aliases of the one before: 9**9 keys once expanded, in 700 bytes.
    keys = [f"k{n}" for n in range(9)]
    lines = ["a: &a {" + ", ".join(f"{k}: lol" for k in keys) + "}"]
    for previous, letter in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{letter}: &{letter} {{" + ", ".join(f"{k}: *{previous}" for k in keys) + "}")
    return "---\n" + "\n".join(lines) + "\n---\n\n# Procedure\n\nText.\n"


def _csv_header(cells: list[str]) -> str:
    return ",".join(cells) + "\n" + ",".join("x" for _ in cells) + "\n"


# Words a limit or budget warning names (the readers' and the worker's wording may differ).
LIMIT = r"limit|exceed|too (large|big|long|many|deep)|budget|larger than|more than"
TIME = r"time|took|seconds|\d+ ?s\b|budget|limit"
UNREADABLE = r"not a valid|corrupt|damaged|unreadable|cannot read|invalid"
SKIPPED_LINK = r"link"

BR = "bounded-readers"
WI = "worker-isolation"
NS = "names-secrets"


def _hostile() -> list[Case]:
    cases = [
        Case(
            "h01",
            "cell-range.xlsx",
            "P2",
            (r"cell|range|dimension|column|row", LIMIT),
            _xlsx_sheet(
                _sheet(
                    f'<row r="1">{_inline("A1", "Reference")}</row><row r="1048576">{_inline("XFD1048576", "x")}</row>',
                    "A1:XFD1048576",
                )
            ),
        ),
        Case(
            "h02",
            "repeated-cells.ods",
            "P2",
            (r"cell|range|column|row|repeat", LIMIT),
            _bytes(
                lambda: ods_bytes(
                    _ods_row("Instrument ID", "Due")
                    + '<table:table-row table:number-rows-repeated="1048575"><table:table-cell office:value-type="string" table:number-columns-repeated="16384"><text:p>x</text:p></table:table-cell></table:table-row>'
                )
            ),
        ),
        Case(
            "h41",
            "repeated-cells-under-cap.ods",
            "P2",
            (r"cell|range|column|row|repeat", LIMIT),
            _bytes(
                lambda: ods_bytes(
                    _ods_row("Instrument ID", "Due")
                    + '<table:table-row table:number-rows-repeated="999999"><table:table-cell office:value-type="string" table:number-columns-repeated="99"><text:p>x</text:p></table:table-cell></table:table-row>'
                )
            ),
        ),
        Case(
            "h03",
            "whitespace-bomb.xlsx",
            "P3",
            (r"expand|inflat|uncompress|size|large|bomb|memory", LIMIT),
            _xlsx_sheet(
                Bomb(
                    _sheet("").split(b"</sheetData>")[0],
                    b" " * MIB,
                    3 * 1024,
                    b'<row r="1">' + _inline("A1", "x").encode() + b"</row></sheetData></worksheet>",
                )
            ),
        ),
        Case(
            "h04",
            "shared-string-bomb.xlsx",
            "P4",
            (r"string|expand|inflat|uncompress|size|large|memory", LIMIT),
            _shared_string_bomb,
        ),
        Case(
            "h05",
            "document-bomb.docx",
            "P5",
            (r"expand|inflat|uncompress|size|large|memory|document", LIMIT),
            _docx_with(lambda o: {"word/document.xml": _around(_document(_para("\0")), b"a")}),
        ),
        Case(
            "h06",
            "core-properties-bomb.docx",
            "P6",
            (r"core|propert|expand|inflat|uncompress|size|large|memory", LIMIT),
            _docx_with(
                lambda o: {
                    "docProps/core.xml": Bomb(
                        b'<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>',
                        b"T" * MIB,
                        1024,
                        b"</dc:title></cp:coreProperties>",
                    )
                }
            ),
        ),
        Case(
            "h07",
            "alias-bomb.md",
            "P7",
            (r"alias|expan|front matter|yaml", LIMIT + r"|alias"),
            _text(_yaml_alias_bomb()),
        ),
        Case("h08", "python-tag.md", "P7", None, _yaml_python_tag, checks=("no-pwned",)),
        Case("h09", "backtracking-heading.md", "P8", None, _text("# a" + " " * 10_000 + "b\n\nText.\n")),
        Case(
            "h10",
            "backtracking-table.md",
            "P8",
            None,
            _text("# Register\n\n| a | b |\n" + " " * 100_000 + "x\n"),
        ),
        Case(
            "h11",
            "parenthesis-header.csv",
            "P8",
            None,
            _text("(" * 20_000 + ",Due\nGA-1,2026-01-01\n"),
        ),
        Case(
            "h12",
            "duplicate-headers.csv",
            "P9",
            (r"header|column|duplicate", LIMIT + "|" + TIME),
            _text(_csv_header(["Status"] * 40_000)),
        ),
        Case(
            "h13",
            "duplicate-headers.xlsx",
            "P9",
            (r"header|column|duplicate", LIMIT + "|" + TIME),
            _xlsx_sheet(
                _sheet(
                    '<row r="1">'
                    + "".join(f'<c r="{_column(n)}1" t="inlineStr"><is><t>Status</t></is></c>' for n in range(16_000))
                    + "</row>"
                )
            ),
        ),
        Case(
            "h14",
            "xxe.docx",
            "XXE",
            None,
            _docx_with(lambda o: {"word/document.xml": _document(_para("&xxe;"), _xxe(o, "w:document"))}),
            checks=("no-canary",),
        ),
        Case(
            "h15",
            "billion-laughs.docx",
            "XXE",
            None,
            _docx_with(lambda o: {"word/document.xml": _document(_para("&lol9;"), LAUGHS)}),
        ),
        Case("h16", "xxe.xlsx", "XXE", None, _xlsx_sst(lambda o: _xxe(o, "sst"), "&xxe;"), checks=("no-canary",)),
        Case("h17", "billion-laughs.xlsx", "XXE", None, _xlsx_sst(lambda o: LAUGHS, "&lol9;")),
        Case(
            "h18",
            "deep-nesting.docx",
            "P5",
            None,
            _docx_with(
                lambda o: {"word/document.xml": _document("<w:p>" + "<w:r>" * 100_000 + "</w:r>" * 100_000 + "</w:p>")}
            ),
        ),
        Case(
            "h19",
            "deep-nesting.html",
            "P8",
            None,
            _text("<html><body>" + "<div>" * 100_000 + "text" + "</div>" * 100_000 + "</body></html>"),
        ),
        Case("h20", "flate-bomb.pdf", "P23", (LIMIT + r"|decompress|memory|size|stream|not a valid",), _pdf_flate_bomb),
        Case("h21", "pages-loop.pdf", "P23", (UNREADABLE + r"|loop|cycle|recurs|page",), _bytes(_pdf_pages_loop)),
        Case("h22", "xref-loop.pdf", "P23", None, _bytes(lambda: _pdf(_pdf_page_objects(), prev_loop=True))),
        Case("h23", "deep-nesting.pdf", "P23", None, _bytes(_pdf_deep_nesting)),
        Case("h24", "reference-cycle.pdf", "P23", None, _bytes(_pdf_reference_cycle)),
        Case("h25", "huge-length.pdf", "P23", None, _bytes(_pdf_huge_length)),
        Case("h26", "long-line.txt", "P8", None, _bytes(b"x" * (20 * MIB))),
        Case("h27", "link-out.md", "P12", (SKIPPED_LINK,), _symlink(lambda p, o: o.canary), checks=("no-canary",)),
        Case("h28", "link-out-dir", "P12", (SKIPPED_LINK,), _symlink(lambda p, o: o.folder), checks=("no-canary",)),
        Case("h29", "link-loop.md", "P12", (SKIPPED_LINK + r"|loop",), _loop),
        Case("h30", "link-to-parent", "P12", (SKIPPED_LINK + r"|loop",), _symlink(lambda p, o: "..")),
        Case("h31", "fifo.csv", "P13", None, _fifo),
        Case(
            "h32",
            "dev-zero.txt",
            "P13",
            (SKIPPED_LINK + r"|regular|special|device",),
            _symlink(lambda p, o: "/dev/zero"),
        ),
        Case("h33", "planted-config", "P1", None, _planted_config, checks=("no-canary",)),
        Case("h34", "bad-\udcff\udcfe-utf8.md", "P10", (r"empty",), _bytes(b"")),
        Case("h35", "\x1b[31mred\x1b[0m-ansi.md", "P16", (r"empty",), _bytes(b""), checks=("no-control",)),
        Case("h36", "\x1b]0;owned title\x07-osc.md", "P16", (r"empty",), _bytes(b""), checks=("no-control",)),
        Case("h37", "first line\nSECOND LINE-newline.md", "P16", (r"empty",), _bytes(b""), checks=("no-control",)),
        Case("h38", "carriage\rreturn\x08-backspace.md", "P16", (r"empty",), _bytes(b""), checks=("no-control",)),
        Case(
            "h39",
            "encrypted.pdf",
            "encrypted",
            (r"encrypt|password",),
            _bytes(lambda: pdf_bytes(encrypt_with="s3cret")),
        ),
        Case(
            "h40",
            "nested-table.md",
            "P8",
            None,
            _text("# T\n\n" + "| a " * 20_000 + "|\n" + "|---" * 20_000 + "|\n" + ("| x " * 20_000 + "|\n") * 20),
        ),
    ]
    return cases


def _column(number: int) -> str:
    name = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


SUFFIXES = (
    ".docx",
    ".pdf",
    ".md",
    ".markdown",
    ".txt",
    ".html",
    ".htm",
    ".xlsx",
    ".xlsm",
    ".xls",
    ".xlsb",
    ".ods",
    ".csv",
)
TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".html", ".htm", ".csv"})
OOXML_SUFFIXES = frozenset({".docx", ".xlsx", ".xlsm", ".xlsb"})


def _corrupt(suffix: str) -> bytes:
    noise = random.Random(suffix).randbytes(4096)
    if suffix in TEXT_SUFFIXES:
        # Control bytes and NULs a text reader must not take for text.
        return b"\x00\x01\x02\xfe\xff" * 8 + noise
    if suffix == ".pdf":
        return b"%PDF-1.7\n" + noise
    if suffix == ".xls":
        return OLE_MAGIC + noise
    return b"PK\x03\x04" + noise


def _truncated(suffix: str) -> bytes:
    data = good_bytes(suffix)
    if suffix in TEXT_SUFFIXES:
        # Cut inside a UTF-8 sequence: the end of the file is half a character.
        cut = data.rindex(b"\xe2") + 1
        return data[:cut]
    return data[: len(data) // 2]


def _typed() -> list[Case]:
    cases = []
    for index, suffix in enumerate(SUFFIXES):
        stem = suffix.lstrip(".")
        text = suffix in TEXT_SUFFIXES
        cases.append(Case(f"t{index:02}a", f"empty{suffix}", "empty", (r"empty",), _bytes(b"")))
        cases.append(
            Case(
                f"t{index:02}b",
                f"corrupt{suffix}",
                "corrupt",
                (UNREADABLE + r"|binary|undecodable|neither",),
                _bytes(_corrupt(suffix)),
            )
        )
        encrypted_words = (
            (r"encrypt|password",)
            if suffix in OOXML_SUFFIXES
            else (UNREADABLE + r"|encrypt|password|binary|undecodable|neither",)
        )
        cases.append(
            Case(f"t{index:02}c", f"encrypted-{stem}{suffix}", "encrypted", encrypted_words, _bytes(ole_bytes()))
        )
        # A text file cut short is still text: it is read, with or without a word about its end.
        cases.append(
            Case(
                f"t{index:02}d",
                f"truncated{suffix}",
                "truncated",
                None if text else (UNREADABLE + r"|truncat",),
                _bytes(_truncated(suffix)),
            )
        )
    return cases


#: The probes whose fixes have not landed, by case token: each is an expected failure until its
#: line is deleted here.
PENDING: dict[str, Pending] = {}

CASES: list[Case] = [dataclasses.replace(case, pending=PENDING.get(case.token)) for case in _hostile() + _typed()]


def build_corpus(share: Path, outside: Outside, cases: list[Case]) -> None:
    """Every case's file in ``share/99 Hostile``, and the canary beside the root, outside it."""
    outside.folder.mkdir(parents=True, exist_ok=True)
    outside.canary.write_text(
        f"---\ntitle: {CANARY}\n---\n\n# {CANARY}\n\n{CANARY} Document No: QP-{CANARY}\n", encoding="utf-8"
    )
    folder = share / HOSTILE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for case in cases:
        case.build(folder / case.filename, outside)
