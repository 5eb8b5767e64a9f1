"""More follow-ups to the hostile-share work (issue 23): each test fails without its fix."""

from __future__ import annotations

import json
import os
import random
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cli_process import qmscheck as run_qmscheck
from qmscheck.collecting.readers import ExtractionError, read_register
from qmscheck.collecting.readers.boundary import translated_errors
from qmscheck.collecting.readers.register import read_headers
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import load_config
from qmscheck.plugins.manager import load_plugins
from remote_share import qmscheck_cli
from test_sftp import ENV, PASSPHRASE, sftp_config, sshd_serving

# ---- a remote name that is not UTF-8 ----

NOT_UTF8 = b"bad\xff.md"
ACME = Path(__file__).resolve().parents[1] / "fixtures" / "acme"


def test_an_sftp_name_that_is_not_utf8_is_listed_escaped_and_read_by_its_real_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sshd (as test_sftp.py starts it: skipped where it cannot run) serves a file whose name is not
    UTF-8. It is one item, listed as ``bad\\xff.md`` and read (its title), and the JSON report is
    valid UTF-8. Before: paramiko's strict decoding failed the whole folder's listing."""
    with sshd_serving(tmp_path / "sshd") as server:
        fd = os.open(os.fsencode(server.share) + b"/" + NOT_UTF8, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, b"# Remote document control procedure\n\nHow documents are approved.\n")
        os.close(fd)
        monkeypatch.setenv(ENV, PASSPHRASE)
        config_path = sftp_config(tmp_path, server)
        plugins = load_plugins(entry_points=False)
        collected = collect(load_config(config_path), plugins, CollectOptions(index=tmp_path / "index.sqlite", jobs=1))
        assert collected.warnings == []
        titles = {item.provenance.locator.path: item.title for item in collected.items}
        assert titles.get("bad\\xff.md") == "Remote document control procedure", sorted(titles.items(), key=str)
        # A rescan reaches the file again by its real name (stat and fetch), under the same key.
        again = collect(load_config(config_path), plugins, CollectOptions(index=tmp_path / "index.sqlite", jobs=1))
        assert again.stats["extracted"] == 0 and "bad\\xff.md" in {i.provenance.locator.path for i in again.items}

        result = qmscheck_cli(
            "scan", str(config_path), "--no-index", "--format", "json", "--fail-on", "never", "-q", env=dict(os.environ)
        )
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout.encode("utf-8"))  # text=True decoded it; re-encoding proves UTF-8
        assert not [w for w in report.get("warnings", []) if "bad" in json.dumps(w)]


# ---- a Rust parser's panic ----


def _damaged_ole() -> bytes:
    """An OLE header (version 3, 512-byte sectors, the rest of the header 0xff), then noise, cut to
    1024 bytes (as tests/hostile's fuzzing cuts its .xls)."""
    header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIIIIII", 0, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    return (header.ljust(512, b"\xff") + random.Random(23).randbytes(3 * 512))[:1024]


def test_a_calamine_panic_is_an_extraction_error_at_the_readers_boundary(tmp_path: Path) -> None:
    """On :func:`_damaged_ole` calamine panics (cfb.rs, index out of bounds), and pyo3 raises a PanicException, a
    BaseException. Before: it escaped read_register; only the worker's last boundary caught it."""
    path = tmp_path / "damaged.xls"
    path.write_bytes(_damaged_ole())
    with pytest.raises(ExtractionError, match=r"^not a valid \.xls file: the spreadsheet parser failed on it \(.+\)$"):
        read_register(path)
    # The headers' first look goes through the same boundary.
    with pytest.raises(ExtractionError, match="the spreadsheet parser failed on it"):
        read_headers(path, 5)


def test_the_readers_boundary_lets_an_interrupt_pass() -> None:
    for interrupt in (KeyboardInterrupt(), SystemExit(2)):
        with pytest.raises(type(interrupt)), translated_errors(".xls"):
            raise interrupt


# ---- a report written with -o inside the scanned folder ----

#: acme's findings (tests/test_index_integrity.py), and its files.
ACME_SUMMARY = {"major": 1, "minor": 11, "request": 0, "observation": 2, "ofi": 1}
ACME_FILES = 29


def _cli(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """qmscheck in its own process, with its own user cache (where the record of reports is kept)."""
    return run_qmscheck(*args, cache=tmp_path / "cache")


def _scanned(tmp_path: Path, org: Path) -> dict[str, Any]:
    out = tmp_path / "report.json"
    result = _cli(tmp_path, "scan", org, "--format", "json", "-o", out, "-q")
    assert result.returncode == 1, result.stderr
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def _inventoried(tmp_path: Path, org: Path, name: str) -> dict[str, Any]:
    result = _cli(tmp_path, "inventory", org, "--format", "json", "-q")
    assert result.returncode == 0, result.stderr
    entries = [e for e in json.loads(result.stdout)["entries"] if e["path"] == name]
    assert len(entries) == 1, entries
    entry: dict[str, Any] = entries[0]
    return entry


def test_a_report_written_with_o_into_the_share_is_not_evidence_but_a_file_planted_under_its_name_is(
    tmp_path: Path,
) -> None:
    org = tmp_path / "acme"
    shutil.copytree(ACME, org, ignore=shutil.ignore_patterns(".qmscheck"))
    report = org / "share" / "out.md"
    written = _cli(tmp_path, "scan", org, "--format", "markdown", "-o", report, "-q")
    assert written.returncode == 1 and report.is_file(), written.stderr

    # Before: the Markdown report was read back (a 30th file, understood as a document).
    again = _scanned(tmp_path, org)
    assert again["summary"] == ACME_SUMMARY
    assert again["understanding"]["files"] == ACME_FILES
    entry = _inventoried(tmp_path, org, "out.md")
    assert (entry["status"], entry["reason"]) == ("skipped", "a report qmscheck wrote here, not evidence")

    # The share cannot hide a document by giving it a report's name: other bytes are evidence.
    report.write_text("# Calibration procedure\n\nDocument No: QP-99\n\nHow instruments are calibrated.\n")
    planted = _scanned(tmp_path, org)
    assert planted["understanding"]["files"] == ACME_FILES + 1
    entry = _inventoried(tmp_path, org, "out.md")
    assert entry["status"] != "skipped" and entry["title"] == "Calibration procedure", entry
