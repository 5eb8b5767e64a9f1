"""Evidence items as JSON, written by the worker processes before their file is classified.

Building and validating a pydantic item per register row in the parent process would be the
slowest part of collecting a large share. The workers write each item as a JSON object lacking
only its classification (``kind`` and ``type``, which need the plugins that live in the parent);
the parent classifies the document or sheet and completes each object by putting those two
members in front. The result, compressed, is the payload the evidence index keeps for the
file (the index stores it as opaque bytes), and pydantic validates it in one pass when a check
first decodes the group.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import pydantic_core
from pydantic import BaseModel, TypeAdapter

from qmscheck.collecting.connectors.mapping import split_plain
from qmscheck.model.evidence import EvidenceItem


class _Payload(BaseModel):
    """``dates`` lists, per item position, the attributes that are dates: in JSON they are text,
    and would otherwise come back as text."""

    items: list[EvidenceItem]
    dates: dict[int, list[str]] = {}


def _json_value(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int:
        return value
    if isinstance(value, date):
        return value.isoformat()
    if kind is float and not math.isfinite(value):
        return str(value)  # JSON has no NaN or infinity
    return value


def unclassified_item(
    item_id: str,
    provenance: dict[str, Any],
    values: dict[str, Any],
    *,
    title: str | None,
    sha256: str,
    size: int,
    extra: dict[str, Any] | None = None,
    text: str | None = None,
) -> tuple[str, list[str]]:
    """One item as a JSON object without ``kind`` and ``type``, and the attributes that are dates.

    ``values`` are canonical field names from the extractor; ``extra`` are further attributes
    that never override them (document properties). Without a ``title``, a title field is used."""
    core, dates, attributes = split_plain(values)
    title_field = core.pop("title", None)
    if title is None:
        title = title_field
    if extra:
        _, _, extra_attributes = split_plain(extra)
        for key, value in extra_attributes.items():
            attributes.setdefault(key, value)
    data: dict[str, Any] = {"id": item_id}
    if title is not None:
        data["title"] = title
    data["provenance"] = provenance
    data["sha256"] = sha256
    data["size"] = size
    if dates:
        data["dates"] = {name: day.isoformat() for name, day in dates.items()}
    data.update(core)
    if attributes:
        data["attributes"] = {name: _json_value(value) for name, value in attributes.items()}
    if text is not None:
        data["text"] = text
    dated = [name for name, value in attributes.items() if isinstance(value, date)]
    # pydantic-core's JSON writer (Rust) rather than json.dumps: this runs once per register row.
    return pydantic_core.to_json(data).decode(), dated


class RowItems:
    """:func:`unclassified_item` for the rows of one sheet, giving the same text faster (a worker
    writes a million of them for a large share): what every row shares (its id's prefix, its
    provenance but for the row, the file's digest and size) is written as JSON once, and a row
    adds its number and fields."""

    def __init__(
        self, id_prefix: str, provenance: dict[str, Any], place: dict[str, Any], *, sha256: str, size: int
    ) -> None:
        self._id = '{"id":' + pydantic_core.to_json(id_prefix).decode()[:-1]
        located = pydantic_core.to_json({**provenance, "locator": {**place, "row": 0}}).decode()
        self._provenance = ',"provenance":' + located[: -len("0}}")]
        self._file = '}},"sha256":' + pydantic_core.to_json(sha256).decode() + f',"size":{size}'
        self._dated: dict[tuple[str, ...], list[str]] = {}

    def item(self, row: int, values: dict[str, Any]) -> tuple[str, list[str]]:
        """What ``unclassified_item(id_prefix + str(row), provenance with the row, values, title=None,
        sha256=..., size=...)`` gives."""
        core, dates, attributes = split_plain(values)
        title = core.pop("title", None)
        text = f'{self._id}{row}"'
        if title is not None:
            text += ',"title":' + pydantic_core.to_json(title).decode()
        text += f"{self._provenance}{row}{self._file}"
        # pydantic-core writes a date as isoformat() does.
        rest: dict[str, Any] = {"dates": dates} if dates else {}
        rest.update(core)
        dated: list[str] = []
        if attributes:
            for name, value in attributes.items():
                if isinstance(value, date):
                    dated.append(name)
                elif type(value) is float and not math.isfinite(value):
                    attributes[name] = str(value)  # JSON has no NaN or infinity
            rest["attributes"] = attributes
        # Rows of a sheet share a handful of lists of dated attributes: one object each, so that
        # sending them to the parent (pickle remembers objects) costs a reference per row.
        shared = self._dated.setdefault(tuple(dated), dated)
        return (text + "," + pydantic_core.to_json(rest).decode()[1:] if rest else text + "}"), shared


def classification_prefix(kind: str, evidence_type: str) -> str:
    """What completes a worker's item: put in front of it in place of its '{' (a JSON object always
    starts with '{' and has at least its id). The same for every row of a sheet."""
    return f'{{"kind":{json.dumps(kind)},"type":{json.dumps(evidence_type)},'


#: Items written at a time by payload_chunks: a 125k-row register's payload is never one 60 MB string.
CHUNK_ITEMS = 2048


def payload_chunks(items: list[str], dates: dict[int, list[str]]) -> Iterator[bytes]:
    """The payload, one item per line (JSON text holds no raw newline), so that a slice of a large
    register's items can be decoded without decoding the rest (:func:`decode_part`). In pieces, so
    a large register's payload is never held as one string and then again as its encoding."""
    yield b'{"items":[\n'
    for start in range(0, len(items), CHUNK_ITEMS):
        if start:
            yield b",\n"
        yield ",\n".join(items[start : start + CHUNK_ITEMS]).encode()
    # pydantic-core rather than json.dumps: the dates have one entry per dated row.
    yield b'\n],\n"dates":' + pydantic_core.to_json(dates) + b"}"


def compress(chunks: Iterable[bytes]) -> bytes:
    """The payload's chunks compressed, without joining them first (level 1: a rescan decompresses
    only what a check reads, a full scan compresses everything)."""
    compressor = zlib.compressobj(1)
    return b"".join([*(compressor.compress(chunk) for chunk in chunks), compressor.flush()])


def decompress(data: bytes) -> bytes | None:
    """None for a damaged payload: its file is then read again."""
    try:
        return zlib.decompress(data)
    except (zlib.error, TypeError):
        return None


def decode(data: bytes) -> list[EvidenceItem]:
    """Parsing and validating in one pass (pydantic-core) is the fastest way back to items."""
    payload = _Payload.model_validate_json(data)
    _restore_dates(payload.items, payload.dates, 0)
    return payload.items


def _restore_dates(items: list[EvidenceItem], dates: dict[int, list[str]], start: int) -> None:
    for position, keys in dates.items():
        if start <= position < start + len(items):
            attributes = items[position - start].attributes
            for key in keys:
                attributes[key] = date.fromisoformat(str(attributes[key]))


class PayloadLines:
    """A payload split into its lines once, for decoding slices of its items."""

    def __init__(self, data: bytes) -> None:
        self.lines = data.split(b"\n")
        # '{"items":[', one line per item, '],', '"dates":{...}}'
        if len(self.lines) < 3 or self.lines[0] != b'{"items":[' or not self.lines[-1].startswith(b'"dates":'):
            raise ValueError("not a payload of one item per line")
        self.count = 0 if self.lines[1] == b"" else len(self.lines) - 3
        self.dates = {int(position): keys for position, keys in json.loads(self.lines[-1][8:-1]).items()}


_ITEMS = TypeAdapter(list[EvidenceItem])


def decode_part(lines: PayloadLines, start: int, stop: int) -> list[EvidenceItem]:
    """Items ``start`` to ``stop`` of a payload written by :func:`payload_chunks`."""
    if not 0 <= start <= stop <= lines.count:
        raise IndexError(f"items {start} to {stop} of {lines.count}")
    chunk = b"\n".join(lines.lines[1 + start : 1 + stop]).rstrip(b",")
    items = _ITEMS.validate_json(b"[" + chunk + b"]")
    _restore_dates(items, lines.dates, start)
    return items
