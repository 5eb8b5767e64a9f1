"""The content of a Word document, read straight from the zip with lxml.

python-docx parses every XML part of the package (styles.xml alone is ~350 KB in
Word's default template) and wraps each element in a proxy class, which makes it
the slowest part of reading a share of Word files.  Here only the parts the metadata needs are parsed and the
styles are cached per process, since most documents of an organisation share a
template.

The results must match what python-docx returns.  Where python-docx's behaviour
gets intricate (a damaged or unusual package, odd attribute values) this module
raises `Unusual` and the caller reads the file with python-docx instead, so
python-docx keeps the final say on anything out of the ordinary.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field

# lxml comes with python-docx (untyped: no stubs installed).
from lxml import etree  # type: ignore[import-untyped]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_CT_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_DOCUMENT_TYPE = _CT_WML + "document.main+xml"
_STYLES_TYPE = _CT_WML + "styles+xml"
_HEADER_TYPES = {"header": _CT_WML + "header+xml", "footer": _CT_WML + "footer+xml"}
# Parts python-docx parses on opening although the metadata does not use them;
# they are parsed here too so that a damaged one fails the same way.
_ALSO_PARSED = frozenset(
    {
        _CT_WML + "numbering+xml",
        _CT_WML + "settings+xml",
        _CT_WML + "comments+xml",
        "application/vnd.openxmlformats-package.core-properties+xml",
    }
)
# python-docx's parser: blank text between elements is dropped, entities are not resolved.
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)
_ON = ("1", "true", "on")
_OFF = ("0", "false", "off")
_STYLE_TYPES = frozenset({"paragraph", "character", "table", "numbering"})
# The order in which python-docx's Section yields header and footer definitions.
_HDRFTR_KINDS = (
    ("header", "default"),
    ("header", "first"),
    ("header", "even"),
    ("footer", "default"),
    ("footer", "first"),
    ("footer", "even"),
)


class Unusual(Exception):
    """The package needs python-docx's own handling (damaged or out of the ordinary)."""


@dataclass
class Paragraph:
    element: etree._Element  # w:p; the style is resolved only for non-empty lines
    text: str


@dataclass
class HeaderPart:
    source: str  # "header" or "footer"
    paragraphs: list[str]
    tables: list[list[list[str]]]


@dataclass
class DocxContent:
    blocks: list[Paragraph | list[list[str]]] = field(default_factory=list)  # body, in order
    header_parts: list[HeaderPart] = field(default_factory=list)


def _parse(archive: zipfile.ZipFile, partname: str) -> etree._Element:
    return etree.fromstring(archive.read(partname.lstrip("/")), _PARSER)


def _content_types(archive: zipfile.ZipFile) -> tuple[dict[str, str], dict[str, str]]:
    root = _parse(archive, "[Content_Types].xml")
    defaults = {e.get("Extension", "").lower(): e.get("ContentType", "") for e in root.iter(_CT + "Default")}
    overrides = {e.get("PartName", "").lower(): e.get("ContentType", "") for e in root.iter(_CT + "Override")}
    return defaults, overrides


def _content_type(partname: str, types: tuple[dict[str, str], dict[str, str]]) -> str:
    defaults, overrides = types
    found = overrides.get(partname.lower()) or defaults.get(posixpath.splitext(partname)[1][1:].lower())
    if found is None:
        raise Unusual(f"no content type for {partname}")
    return found


def _relationships(archive: zipfile.ZipFile, source: str) -> list[tuple[str, str, str]]:
    """(rId, type, absolute partname) of the internal relationships of `source`."""
    base, name = posixpath.split(source)
    try:
        root = _parse(archive, posixpath.join(base, "_rels", name + ".rels"))
    except KeyError:
        return []
    rels = []
    for rel in root.iter(_RELS + "Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = posixpath.abspath(posixpath.join(base or "/", rel.get("Target", "")))
        rels.append((rel.get("Id", ""), rel.get("Type", ""), target))
    return rels


def _only(rels: list[tuple[str, str, str]], kind: str) -> str:
    matches = [target for _, rel_type, target in rels if rel_type == _RT + kind]
    if len(matches) != 1:
        raise Unusual(f"{len(matches)} {kind} relationships")
    return matches[0]


# ---- text, as python-docx's Paragraph.text and _Cell.text compute it ----


def _run_text(run: etree._Element) -> str:
    parts = []
    for child in run:
        tag = child.tag
        if tag == _W + "t":
            parts.append(child.text or "")
        elif tag in (_W + "tab", _W + "ptab"):
            parts.append("\t")
        elif tag == _W + "br":
            # Page and column breaks have no text equivalent.
            parts.append("\n" if child.get(_W + "type", "textWrapping") == "textWrapping" else "")
        elif tag == _W + "cr":
            parts.append("\n")
        elif tag == _W + "noBreakHyphen":
            parts.append("-")
    return "".join(parts)


def paragraph_text(p: etree._Element) -> str:
    parts = []
    for child in p:
        if child.tag == _W + "r":
            parts.append(_run_text(child))
        elif child.tag == _W + "hyperlink":
            parts.extend(_run_text(run) for run in child.iterchildren(_W + "r"))
    return "".join(parts)


def _int_val(parent: etree._Element | None, tag: str, default: int) -> int:
    element = parent.find(_W + tag) if parent is not None else None
    if element is None:
        return default
    value = element.get(_W + "val")
    if value is None:
        raise Unusual(f"w:{tag} without w:val")
    return int(value)


def _grid_span(tc: etree._Element) -> int:
    return _int_val(tc.find(_W + "tcPr"), "gridSpan", 1)


def _continues_above(tc: etree._Element) -> bool:
    tcPr = tc.find(_W + "tcPr")
    merge = tcPr.find(_W + "vMerge") if tcPr is not None else None
    return merge is not None and merge.get(_W + "val", "continue") == "continue"


def table_rows(tbl: etree._Element) -> list[list[str]]:
    """Each row's cell texts, a merged cell's once, as python-docx gives them.

    A vertically merged cell shows the content of the cell that starts its merge, found at the same
    grid offset in the row above (python-docx's _tc_above). Each row maps the grid offset where each
    of its cells starts to the cell holding that cell's content, so a merge running down thousands
    of rows costs one look-up per row instead of a walk up the whole chain from every row.
    """
    rows: list[list[str]] = []
    above: dict[int, etree._Element] | None = None  # grid offset -> content cell, in the row above
    texts: dict[etree._Element, str] = {}
    for tr in tbl.iterchildren(_W + "tr"):
        cells: list[str] = []
        starts: dict[int, etree._Element] = {}
        offset = _int_val(tr.find(_W + "trPr"), "gridBefore", 0)
        previous = None
        for tc in tr.iterchildren(_W + "tc"):
            span = _grid_span(tc)
            if span < 1:
                raise Unusual("w:gridSpan below 1")
            content = tc
            if _continues_above(tc):
                if above is None:
                    raise Unusual("vertical merge continues from above the first row")
                if offset not in above:
                    raise Unusual("no cell above a vertically merged cell")
                content = above[offset]
            starts[offset] = content
            offset += span
            # A horizontally merged cell is reported once per grid column.
            if content is previous:
                continue
            previous = content
            if content not in texts:
                texts[content] = "\n".join(paragraph_text(p) for p in content.iterchildren(_W + "p")).strip()
            cells.append(texts[content])
        rows.append(cells)
        above = starts
    return rows


# ---- styles ----


@dataclass(frozen=True)
class _Style:
    style_id: str | None
    type: str | None
    default: str | None
    name: str | None  # w:name/@w:val; "" stands for a w:name without w:val


class Styles:
    """Paragraph style names by style id, resolved the way python-docx does."""

    def __init__(self, root: etree._Element) -> None:
        self._styles = []
        for style in root.iterchildren(_W + "style"):
            name = style.find(_W + "name")
            self._styles.append(
                _Style(
                    style.get(_W + "styleId"),
                    style.get(_W + "type"),
                    style.get(_W + "default"),
                    None if name is None else name.get(_W + "val", ""),
                )
            )
        self._names: dict[str | None, str] = {}

    @staticmethod
    def _name(style: _Style) -> str:
        if style.name == "":
            raise Unusual("w:name without w:val")
        return (style.name or "").casefold()

    def _default(self) -> str:
        found = None
        for style in self._styles:
            if style.type is not None and style.type not in _STYLE_TYPES:
                return ""  # python-docx raises ValueError, which the reader treats as no style
            if style.type == "paragraph" and style.default is not None:
                if style.default not in _ON + _OFF:
                    raise Unusual("invalid w:default")
                if style.default in _ON:
                    found = style
        return "" if found is None else self._name(found)

    def _lookup(self, style_id: str | None) -> str:
        if not style_id:
            return self._default()
        if '"' in style_id:
            raise Unusual("quote in a style id")  # breaks python-docx's XPath
        style = next((s for s in self._styles if s.style_id == style_id), None)
        if style is None:
            return self._default()
        if style.type is not None and style.type not in _STYLE_TYPES:
            return ""
        return self._name(style) if style.type == "paragraph" else self._default()

    def paragraph_style(self, p: etree._Element) -> str:
        """Case-folded name of the paragraph's style, "" when it has none."""
        pPr = p.find(_W + "pPr")
        pStyle = pPr.find(_W + "pStyle") if pPr is not None else None
        style_id = None
        if pStyle is not None:
            style_id = pStyle.get(_W + "val")
            if style_id is None:
                raise Unusual("w:pStyle without w:val")
        if style_id not in self._names:
            self._names[style_id] = self._lookup(style_id)
        return self._names[style_id]


_STYLES_BY_CHECKSUM: dict[tuple[int, int, int], Styles] = {}


def _styles(archive: zipfile.ZipFile, partname: str) -> Styles:
    # Documents made from one template share styles.xml byte for byte; the zip
    # directory's CRC and sizes identify it without decompressing or parsing it.
    info = archive.getinfo(partname.lstrip("/"))
    key = (info.CRC, info.file_size, info.compress_size)
    styles = _STYLES_BY_CHECKSUM.get(key)
    if styles is None:
        styles = Styles(_parse(archive, partname))
        if len(_STYLES_BY_CHECKSUM) >= 64:
            _STYLES_BY_CHECKSUM.clear()
        _STYLES_BY_CHECKSUM[key] = styles
    return styles


# ---- the package ----


def _header_parts(
    archive: zipfile.ZipFile,
    document: etree._Element,
    rels: list[tuple[str, str, str]],
    types: tuple[dict[str, str], dict[str, str]],
) -> list[HeaderPart]:
    targets = {rel_id: target for rel_id, _, target in rels}
    parsed: dict[str, etree._Element] = {}
    parts: list[HeaderPart] = []
    sections = document.xpath("./w:body/w:p/w:pPr/w:sectPr | ./w:body/w:sectPr", namespaces={"w": _W[1:-1]})
    for sectPr in sections:
        for source, kind in _HDRFTR_KINDS:
            reference = next(
                (r for r in sectPr.iterchildren(_W + source + "Reference") if r.get(_W + "type") == kind),
                None,
            )
            # Without a reference the part is linked to the previous section's.
            if reference is None:
                continue
            rel_id = reference.get(_R_ID)
            if rel_id is None or rel_id not in targets:
                raise Unusual("header or footer reference without a part")
            partname = targets[rel_id]
            if _content_type(partname, types) != _HEADER_TYPES[source]:
                raise Unusual("header or footer of another content type")
            if partname not in parsed:
                parsed[partname] = _parse(archive, partname)
            root = parsed[partname]
            parts.append(
                HeaderPart(
                    source,
                    [paragraph_text(p) for p in root.iterchildren(_W + "p")],
                    [table_rows(tbl) for tbl in root.iterchildren(_W + "tbl")],
                )
            )
    return parts


def read_content(archive: zipfile.ZipFile) -> tuple[DocxContent, Styles]:
    """Body blocks and header/footer parts; raises Unusual or a parser error otherwise."""
    types = _content_types(archive)
    package_rels = _relationships(archive, "/")
    main = _only(package_rels, "officeDocument")
    if _content_type(main, types) != _DOCUMENT_TYPE:
        raise Unusual("not a Word document content type")
    rels = _relationships(archive, main)
    document = _parse(archive, main)
    body = document.find(_W + "body")
    if document.tag != _W + "document" or body is None:
        raise Unusual("no w:document/w:body")
    styles_part = _only(rels, "styles")
    if _content_type(styles_part, types) != _STYLES_TYPE:
        raise Unusual("styles part of another content type")
    styles = _styles(archive, styles_part)
    for _, _, target in package_rels + rels:
        if target != main and _content_type(target, types) in _ALSO_PARSED:
            _parse(archive, target)

    content = DocxContent()
    for child in body:
        if child.tag == _W + "p":
            content.blocks.append(Paragraph(child, paragraph_text(child)))
        elif child.tag == _W + "tbl":
            content.blocks.append(table_rows(child))
    content.header_parts = _header_parts(archive, document, rels, types)
    return content, styles
