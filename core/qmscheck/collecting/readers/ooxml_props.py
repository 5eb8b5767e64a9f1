"""Core, app and custom properties of Office Open XML files (docx, xlsx).

Read straight from the zip: python-docx does not expose custom.xml, and
openpyxl would parse the whole workbook just to get at the properties.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree import ElementTree

from .fields import snake

# Property parts are a few KB; anything huge is damaged or hostile.
_MAX_PART_BYTES = 5 << 20

# python-docx's attribute names, so properties look the same for every format.
_CORE_NAMES = {
    "creator": "author",
    "description": "comments",
    "lastModifiedBy": "last_modified_by",
    "lastPrinted": "last_printed",
    "contentStatus": "content_status",
}


@dataclass
class OfficeProperties:
    properties: dict[str, str] = field(default_factory=dict)
    custom: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def iso_timestamp(text: str) -> str:
    """Normalise W3CDTF/ISO timestamps; leave anything else untouched."""
    try:
        return datetime.fromisoformat(text.strip()).isoformat()
    except ValueError:
        return text.strip()


def _read_part(archive: zipfile.ZipFile, name: str, props: OfficeProperties) -> ElementTree.Element | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_PART_BYTES:
        props.warnings.append(f"{name} is implausibly large; properties ignored")
        return None
    try:
        return ElementTree.fromstring(archive.read(info))
    except ElementTree.ParseError as exc:
        props.warnings.append(f"{name} is not valid XML ({exc}); properties ignored")
        return None


def _leaf_text(element: ElementTree.Element) -> str | None:
    if len(element) or element.text is None:
        return None
    return element.text.strip()


def _core(root: ElementTree.Element, props: OfficeProperties) -> None:
    for element in root:
        text = _leaf_text(element)
        if not text:
            continue
        local = _local(element.tag)
        key = _CORE_NAMES.get(local, snake(local))
        if local in ("created", "modified", "lastPrinted"):
            text = iso_timestamp(text)
        props.properties[key] = text


def _app(root: ElementTree.Element, props: OfficeProperties) -> None:
    for element in root:
        text = _leaf_text(element)
        if text:
            props.properties.setdefault(snake(_local(element.tag)), text)


def _custom(root: ElementTree.Element, props: OfficeProperties) -> None:
    for prop in root:
        name = (prop.get("name") or "").strip()
        if not name or not len(prop):
            continue
        value_element = prop[0]
        value = (value_element.text or "").strip()
        if _local(value_element.tag) in ("filetime", "date"):
            value = iso_timestamp(value)
        props.custom.append((name, value))
        key = snake(name)
        if key:
            props.properties.setdefault(key, value)


def read_office_properties(archive: zipfile.ZipFile) -> OfficeProperties:
    props = OfficeProperties()
    for part, reader in (
        ("docProps/core.xml", _core),
        ("docProps/app.xml", _app),
        ("docProps/custom.xml", _custom),
    ):
        root = _read_part(archive, part, props)
        if root is not None:
            reader(root, props)
    return props
