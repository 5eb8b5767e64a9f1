"""Property-based fuzzing of every reader and of the config, rule and manifest loaders.

Whatever bytes a file holds, a reader either returns a result (whose lazy rows can be iterated) or
raises ExtractionError; a loader either returns or raises its documented error (ConfigError,
RulePackError). Anything else escaping is a traceback a user would see. Inputs are random bytes,
real files with bytes flipped or cut, and text built from each format's own punctuation, which
reaches deeper than noise. Examples are few and bounded so the directory stays quick; hypothesis
keeps the failing examples it finds in its database and tries them first next time.
"""

from __future__ import annotations

import json
import math
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hostile_inputs import SUFFIXES, TEXT_SUFFIXES, good_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qmscheck.checking.manifest import load_manifest
from qmscheck.checking.packs import load_rule_file
from qmscheck.collecting.readers import (
    DocumentMetadata,
    DocumentTable,
    ExtractionError,
    read_document,
    read_register,
    read_table,
)
from qmscheck.collecting.readers.frontmatter import parse_front_matter
from qmscheck.collecting.readers.markdown_blocks import headings, outside_code, split_front_matter, tables
from qmscheck.config.scan_config import load_config
from qmscheck.errors import ConfigError, RulePackError

REPOSITORY = Path(__file__).resolve().parents[2]
REGISTER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv")
DOCUMENT_SUFFIXES = tuple(s for s in SUFFIXES if s not in (".xls", ".xlsb", ".ods", ".csv"))

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

GOOD = {suffix: good_bytes(suffix) for suffix in SUFFIXES}


@contextmanager
def written(name: str, data: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        yield path


@st.composite
def damaged(draw: st.DrawFn, suffix: str) -> bytes:
    """A good file of the type, cut short or with a few bytes changed, or noise."""
    data = bytearray(GOOD[suffix])
    how = draw(st.sampled_from(["cut", "flip", "noise"]))
    if how == "noise":
        return draw(st.binary(max_size=4096))
    if how == "cut":
        return bytes(data[: draw(st.integers(1, len(data)))])
    for position in draw(st.lists(st.integers(0, len(data) - 1), min_size=1, max_size=8)):
        data[position] = draw(st.integers(0, 255))
    return bytes(data)


def _lines(alphabet: list[str]) -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(alphabet), st.text(max_size=8))
    return st.lists(st.lists(piece, max_size=12).map("".join), max_size=30).map("\n".join)


MARKDOWN = _lines(
    [
        "# ",
        "## ",
        "|",
        "|---|",
        ":-:",
        "---",
        "```",
        "~~~",
        "  ",
        "*",
        "**",
        "_",
        ": ",
        "Revision",
        "Approved by",
        "Document No",
        "- ",
        "1. ",
        "\t",
        "<!--",
        "-->",
        "[",
        "](",
        ")",
        "\\",
    ]
)
YAML = _lines(
    [
        "---",
        ": ",
        "&a ",
        "*a",
        "- ",
        "[",
        "]",
        "{",
        "}",
        "!!python/object:os.system",
        "!!binary",
        "? ",
        "|",
        ">",
        "'",
        '"',
        "#",
        "  ",
        "%YAML 1.2",
        "<<: ",
    ]
)
CSV = _lines(
    [",", ";", "\t", '"', '""', "Status", "Due", "Instrument ID", "2025-01-02", "(", ")", "NC No", "Date raised", "\r"]
)
HTML = _lines(
    [
        "<p>",
        "</p>",
        "<h1>",
        "</h1>",
        "<table>",
        "<tr>",
        "<td>",
        "</td>",
        "<!DOCTYPE",
        "<!--",
        "&amp;",
        "&#x",
        ";",
        "<script>",
        "<br/>",
        "<title>",
        "</title>",
        "<meta name=",
        ">",
    ]
)


def _text_for(suffix: str) -> st.SearchStrategy[str]:
    return {".md": MARKDOWN, ".markdown": MARKDOWN, ".csv": CSV, ".html": HTML, ".htm": HTML}.get(suffix, st.text())


def _use(document: DocumentMetadata, suffix: str) -> None:
    """Everything a later stage reads of a document, tables as registers included."""
    for table in document.tables:
        sheet = read_table(table, suffix)
        if sheet is not None:
            list(sheet.rows)


def _read_everything(path: Path) -> None:
    suffix = path.suffix
    try:
        if suffix in DOCUMENT_SUFFIXES:
            _use(read_document(path), suffix)
        if suffix in REGISTER_SUFFIXES:
            for sheet in read_register(path):
                list(sheet.rows)
    except ExtractionError as exc:
        assert str(exc).strip()


@pytest.mark.parametrize("suffix", SUFFIXES)
@FUZZ
@given(data=st.data())
def test_every_reader_on_damaged_files(suffix: str, data: st.DataObject) -> None:
    with written(f"fuzz{suffix}", data.draw(damaged(suffix))) as path:
        _read_everything(path)


@pytest.mark.parametrize("suffix", sorted(TEXT_SUFFIXES))
@FUZZ
@given(data=st.data())
def test_text_readers_on_their_own_syntax(suffix: str, data: st.DataObject) -> None:
    text = data.draw(_text_for(suffix))
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    with written(f"fuzz{suffix}", text.encode(encoding, errors="replace")) as path:
        _read_everything(path)


@FUZZ
@given(source=YAML)
def test_front_matter(source: str) -> None:
    pairs, warnings = parse_front_matter(source)
    assert all(isinstance(key, str) and isinstance(value, str) for key, value in pairs)
    assert all(isinstance(warning, str) for warning in warnings)


@FUZZ
@given(text=MARKDOWN, limit=st.integers(1, 50))
def test_markdown_blocks(text: str, limit: int) -> None:
    front, body = split_front_matter(text)
    if front is not None:
        parse_front_matter(front)
    lines = body.splitlines()
    plain = outside_code(lines)
    assert len(plain) == len(lines)
    headings(lines, plain)
    tables(lines, plain, limit)


@FUZZ
@given(
    rows=st.lists(st.lists(st.text(max_size=20), max_size=12), max_size=20),
    name=st.text(max_size=20),
    first=st.integers(1, 10_000),
)
def test_document_tables_as_registers(rows: list[list[str]], name: str, first: int) -> None:
    sheet = read_table(DocumentTable(name=name, rows=rows, first_row=first), ".md")
    if sheet is not None:
        list(sheet.rows)


# --- configuration, rule files and pack manifests ---------------------------------------------------------


def toml_value(value: object) -> str:
    """Just enough of a TOML writer for generated data (no writer is a dependency)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, date)):
        return str(value) if isinstance(value, int) else value.isoformat()
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=True)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{json.dumps(str(key))} = {toml_value(item)}" for key, item in value.items()) + "}"


def toml_document(data: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(str(key))} = {toml_value(value)}\n" for key, value in data.items())


SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.dates(),
    st.text(max_size=30).filter(lambda s: not any(0xD800 <= ord(c) <= 0xDFFF for c in s)),
    st.sampled_from(
        [
            "",
            ".",
            "..",
            "/",
            "../../etc",
            "share",
            "filesystem",
            "smb://host/share",
            "simplecache::file:///",
            "P1M",
            "2015",
            "8.3",
            "iso9001",
            "50MB",
            "major",
            "never",
            "2026-03-31",
            "9999-12-31",
        ]
    ),
)


def _values(keys: list[str]) -> st.SearchStrategy[object]:
    return st.recursive(
        SCALARS,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(keys), inner, max_size=5)),
        max_leaves=12,
    )


CONFIG_KEYS = [
    "organisation",
    "name",
    "scope",
    "sites",
    "processes",
    "edition",
    "exclusions",
    "clause",
    "justification",
    "parameters",
    "scan",
    "as_of",
    "stage",
    "packs",
    "fail_on",
    "sources",
    "connector",
    "path",
    "password_env",
    "max_file_size",
    "include",
    "exclude",
    "classify",
    "type",
    "audit",
    "complexity",
    "index",
    "language",
]


@FUZZ
@given(data=st.dictionaries(st.sampled_from(CONFIG_KEYS), _values(CONFIG_KEYS), max_size=6))
def test_config_loader(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "qmscheck.toml"
        path.write_text(toml_document(data), encoding="utf-8")
        (Path(folder) / "share").mkdir()
        try:
            load_config(path)
        except ConfigError as exc:
            assert str(exc).strip()


@FEW
@given(text=st.text(max_size=400))
def test_config_loader_on_any_text(text: str) -> None:
    with written("qmscheck.toml", text.encode("utf-8", errors="surrogateescape")) as path:
        try:
            load_config(path)
        except ConfigError as exc:
            assert str(exc).strip()


@st.composite
def mutated(draw: st.DrawFn, original: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """The document with a few values somewhere inside it replaced, removed or added."""
    document: dict[str, Any] = json.loads(json.dumps(original, default=str))
    for _ in range(draw(st.integers(1, 4))):
        node: Any = document
        while True:
            children = (
                list(node.items())
                if isinstance(node, dict)
                else list(enumerate(node))
                if isinstance(node, list)
                else []
            )
            if not children or draw(st.booleans()):
                break
            key, child = draw(st.sampled_from(children))
            if not isinstance(child, (dict, list)):
                if isinstance(node, dict):
                    action = draw(st.sampled_from(["replace", "remove"]))
                    if action == "remove":
                        del node[key]
                    else:
                        node[key] = draw(_values(keys))
                else:
                    node[key] = draw(_values(keys))
                break
            node = child
        if isinstance(node, dict):
            node[draw(st.sampled_from(keys))] = draw(_values(keys))
    return document


def _loader_fuzz(original: Path, load: Callable[[Path], object], data: st.DataObject) -> None:
    parsed = tomllib.loads(original.read_text(encoding="utf-8"))
    keys = sorted(set(_all_keys(parsed)))
    document = data.draw(mutated(parsed, keys))
    with tempfile.TemporaryDirectory() as folder:
        # Beside what a manifest names, so that the manifest's own checks run too.
        for sibling in original.parent.iterdir():
            if sibling != original:
                (Path(folder) / sibling.name).symlink_to(sibling)
        target = Path(folder) / original.name
        target.write_text(toml_document(document), encoding="utf-8")
        try:
            load(target)
        except RulePackError as exc:
            assert str(exc).strip()


def _all_keys(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _all_keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _all_keys(item)


RULE_FILES = sorted((REPOSITORY / "rules" / "iso9001" / "rules").glob("*.toml"))


@pytest.mark.parametrize(
    "original", [RULE_FILES[0], RULE_FILES[len(RULE_FILES) // 2], RULE_FILES[-1]], ids=lambda p: p.name
)
@FEW
@given(data=st.data())
def test_rule_file_loader(original: Path, data: st.DataObject) -> None:
    _loader_fuzz(original, load_rule_file, data)


@FUZZ
@given(data=st.data())
def test_manifest_loader(data: st.DataObject) -> None:
    _loader_fuzz(REPOSITORY / "rules" / "iso9001" / "pack.toml", load_manifest, data)
