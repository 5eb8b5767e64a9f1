"""Names and secrets from a hostile share (issue 23, probes P10, P16, P17 and the Markdown part of P28).

- P10: a file name that is not valid UTF-8 crashed every scan (``UnicodeEncodeError ... surrogates
  not allowed``, exit 3, a 0-byte report). It is listed as ``bad\\xff.md``, opened by its real
  name, and every output is valid UTF-8; the index keeps it and a rescan reuses it.
- P16: ESC/OSC sequences, BEL, newlines and bidi overrides in names and titles reached the
  Markdown report, ``--verbose`` and ``inventory`` raw (a newline split their lines) and the
  HTML file raw. No output carries them now, and no name splits a line.
- P17: a password with ``#``, ``/`` or ``?`` in a URL was half printed (``Port could not be cast
  to integer value as 'p'``, exit 3). It is refused with a clear message that prints none of it,
  and a password elsewhere never reaches any output.
- P28: a leading ``#`` and bare URLs in warnings became a heading and links in the Markdown report.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from cli_process import qmscheck
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import ScanConfig, SourceConfig
from qmscheck.plugins.manager import load_plugins
from qmscheck.rendering.markdown import md
from qmscheck.support.safe_text import escape_name, one_line, public_location, unescape_name

#: Raw bytes no output may hold: C0 controls but tab and newline, DEL, and (UTF-8) C1 controls.
UNSAFE = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
#: What no output read by a person may hold either: the bidi embeddings, overrides and isolates. The
#: machine formats (JSON, SARIF, JUnit) carry the real name, in their own escapes.
BIDI = re.compile(rb"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")
MACHINE = ("json", "sarif", "junit")
#: The names of the hostile share, as bytes on disk.
NOT_UTF8 = b"bad\xff.md"
ESCAPES = b"evil\x1b]0;pwned\x07\x1b[31mred\nnext line.md"
HEADING = b"# heading [x](y) www.evil.example.md"
BROKEN = b"broken\x1b[31m\xe2\x80\xaeevil.docx"
FORMATS = ("text", "markdown", "json", "html", "sarif", "junit")
EXTENSIONS = {"text": "txt", "markdown": "md", "json": "json", "html": "html", "sarif": "sarif", "junit": "xml"}


def _write(folder: Path, name: bytes, content: bytes) -> None:
    handle = os.open(os.fsencode(folder) + b"/" + name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(handle, content)
    finally:
        os.close(handle)


@pytest.fixture
def share(tmp_path: Path) -> Path:
    root = tmp_path / "share"
    root.mkdir()
    _write(root, b"quality-policy.md", b"# Quality Policy\n\nWe commit to customer satisfaction.\n")
    _write(root, NOT_UTF8, b"# Document control procedure\n\nHow documents are approved.\n")
    _write(root, ESCAPES, b"# Title \x1b[2J with \xe2\x80\xae escape\n\ntext\n")
    _write(root, HEADING, b"# Doc\n\ntext\n")
    _write(root, BROKEN, b"not a zip")
    return root


def _safe(data: bytes, where: str) -> str:
    text = data.decode("utf-8")  # valid UTF-8, or this raises
    found = UNSAFE.findall(data) + ([] if where in MACHINE else BIDI.findall(data))
    assert not found, f"{where}: {found[:5]}"
    if where in (*MACHINE, "html"):
        return text  # their newlines are data, not the lines a person reads
    # The newline in a name never splits a line: what follows it is on the same line.
    for line in text.splitlines():
        if "pwned" in line:
            assert "next line.md" in line or "next" in line.split("pwned", 1)[1], f"{where}: {line!r}"
    return text


def test_every_report_of_a_hostile_share_is_valid_utf8_without_a_control_character(share: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    formats = [arg for name in FORMATS for arg in ("--format", name)]
    result = qmscheck(
        "scan", str(share), *formats, "--output-dir", str(out), "--no-index", "--fail-on", "never", "-j", "1", "-v"
    )  # fmt: skip
    assert result.returncode == 0, result.stderr  # before: 3 (UnicodeEncodeError), a 0-byte report
    _safe(result.stderr.encode("utf-8", "surrogateescape"), "--verbose stderr")
    assert "read bad\\xff.md" in result.stderr and "\\x1b]0;pwned\\x07" in result.stderr
    reports = {name: _safe((out / f"qmscheck-report.{EXTENSIONS[name]}").read_bytes(), name) for name in FORMATS}
    assert "bad\\xff.md" in reports["text"] and "\\u202e" in reports["text"]
    data = json.loads(reports["json"])
    locators = {ref["locator"] for finding in data["findings"] for ref in finding["evidence"]}
    locators |= {warning["locator"] for warning in data["warnings"]}
    assert "broken\x1b[31m\u202eevil.docx" in locators  # JSON keeps the real name, escaped its own way
    json.loads(reports["sarif"])
    # Markdown: the name that starts with '#' is no heading, the bare www. name no link.
    markdown = reports["markdown"]
    assert not re.search(r"^\s*(?:[-*]\s+)?#+ heading", markdown, re.M)
    assert "\\# heading" in markdown and "`www.evil.example.md`" in markdown


def test_a_coloured_report_on_a_terminal_carries_only_its_own_colour_codes(share: Path) -> None:
    result = qmscheck("scan", str(share), "--color", "always", "--no-index", "--fail-on", "never", "-j", "1")
    assert result.returncode == 0, result.stderr
    without_colour = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    _safe(without_colour.encode(), "terminal")
    assert "\x1b]" not in result.stdout and "\x07" not in result.stdout


def test_inventory_lists_each_hostile_name_on_one_inert_line(share: Path) -> None:
    result = qmscheck("inventory", str(share), "-j", "1", "-v")
    assert result.returncode == 0, result.stderr
    text = _safe(result.stdout.encode(), "inventory")
    entries = [line for line in text.splitlines() if line.startswith(("recognised", "not recognised", "unreadable"))]
    assert len(entries) == 5, text  # before: the name with a newline took two lines
    assert any("evil\\x1b]0;pwned\\x07\\x1b[31mred next line.md" in line for line in entries)
    _safe(result.stderr.encode(), "inventory stderr")
    listed = qmscheck("inventory", str(share), "--format", "json", "-j", "1", "-q")
    paths = {entry["path"] for entry in json.loads(listed.stdout)["entries"]}
    assert {"bad\\xff.md", ESCAPES.decode()} <= paths


def test_a_rescan_finds_the_file_whose_name_is_not_utf8_under_the_same_key(share: Path, tmp_path: Path) -> None:
    index = tmp_path / "state" / "index.sqlite"
    config = ScanConfig(sources=[SourceConfig(connector="filesystem", path=str(share))], base_dir=tmp_path)
    plugins = load_plugins(entry_points=False)
    first = collect(config, plugins, CollectOptions(index=index, jobs=1))
    second = collect(config, plugins, CollectOptions(index=index, jobs=1))
    assert first.stats["extracted"] == 4 and first.stats["failed"] == 1  # before: UnicodeEncodeError in the index
    assert (second.stats["reused"], second.stats["extracted"]) == (4, 0)
    assert [item.model_dump() for item in first.items] == [item.model_dump() for item in second.items]
    assert "bad\\xff.md" in {item.provenance.locator.path for item in second.items}
    stored = {row[0] for row in sqlite3.connect(index).execute("SELECT location FROM files")}
    assert "bad\\xff.md" in stored


def test_a_name_that_looks_like_an_escape_and_the_name_it_escapes_are_both_read(tmp_path: Path) -> None:
    root = tmp_path / "share"
    root.mkdir()
    _write(root, b"a\\xff.md", b"# Literal backslash\n")
    _write(root, b"b\xff.md", b"# Real byte\n")
    config = ScanConfig(sources=[SourceConfig(connector="filesystem", path=str(root))], base_dir=tmp_path)
    collected = collect(config, load_plugins(entry_points=False), CollectOptions(index=None, jobs=1))
    titles = {item.provenance.locator.path: item.title for item in collected.items}
    assert titles == {"a\\xff.md": "Literal backslash", "b\\xff.md": "Real byte"}


@pytest.mark.parametrize(
    "name",
    ["plain.md", "ünïcode.md", "bad\udcff.md", "a\\b\udcfe", "\udc80\\x80", "x\\\\y\udcff"],
)
def test_the_name_escape_is_valid_utf8_and_reversible(name: str) -> None:
    escaped = escape_name(name)
    escaped.encode("utf-8")
    assert (unescape_name(escaped) or escaped) == name


def test_one_line_neutralises_every_control_and_bidi_character() -> None:
    text = "a\x1b[2Jb\x07c\nd\re\x85f\u202eg\u2066h\x7fi\udcffj\u2028k"
    assert one_line(text) == "a\\x1b[2Jb\\x07c d e f\\u202eg\\u2066h\\x7fi\\xffj k"


def test_markdown_escapes_block_starts_and_bare_links() -> None:
    assert md("# heading") == "\\# heading"
    assert md("1. not a list") == "1\\. not a list"
    assert md("- not a list") == "\\- not a list"
    assert md("see https://evil.example/x, or mail a@b.example.") == (
        "see `https://evil.example/x`, or mail `a@b.example`."
    )


# --- secrets ----------------------------------------------------------------------------------

PASSWORDS = ["p#ss/w?rd", "pa/ss?w#rd:x@y", "s3cr/et", "p@ss#word", "x?y/z@w#v:u"]


@pytest.mark.parametrize("password", PASSWORDS)
def test_public_location_never_shows_a_password_full_of_url_metacharacters(password: str) -> None:
    for scheme in ("smb", "sftp", "s3"):
        shown = public_location(f"{scheme}://user:{password}@127.0.0.1:445/share/folder")
        assert shown == f"{scheme}://127.0.0.1:445/share/folder"
        assert not any(piece in shown for piece in re.split(r"[#/?@:]", password) if len(piece) > 1)


def _pieces(password: str) -> list[str]:
    return [password, *(piece for piece in re.split(r"[#/?@:]", password) if len(piece) > 2)]


@pytest.mark.parametrize("password", PASSWORDS[:3])
def test_a_password_in_a_url_reaches_no_output(password: str, tmp_path: Path) -> None:
    folder = tmp_path / "qms"
    folder.mkdir()
    config = folder / "qmscheck.toml"
    config.write_text(f'[[sources]]\nconnector = "filesystem"\npath = "smb://user:{password}@127.0.0.1:1/share"\n')
    for command in (["scan", str(config), "--no-index", "-j", "1", "-v"], ["inventory", str(config), "-j", "1", "-v"]):
        result = qmscheck(*command)
        # before: exit 3, "Port could not be cast to integer value as 'p'" (half of the password)
        assert result.returncode == 2, result.stderr
        assert "percent-encode" in result.stderr and "smb://127.0.0.1:1/share" in result.stderr
        for piece in _pieces(password):
            assert piece not in result.stdout + result.stderr


def test_a_password_in_storage_options_or_percent_encoded_reaches_no_output(tmp_path: Path) -> None:
    folder = tmp_path / "qms"
    folder.mkdir()
    secret = "St0rage#Pass/word?"
    config = folder / "qmscheck.toml"
    config.write_text(
        '[[sources]]\nconnector = "filesystem"\npath = "smb://user:Url%23Pass%2Fword@127.0.0.1:1/share"\n'
        f'storage_options = {{ password = "{secret}" }}\n'
    )
    result = qmscheck("scan", str(config), "--no-index", "-j", "1", "-v")
    assert result.returncode == 2, result.stderr
    output = result.stdout + result.stderr
    assert "smb://127.0.0.1:1/share" in output
    for piece in ("Url%23Pass", "Url#Pass", secret, "St0rage"):
        assert piece not in output
