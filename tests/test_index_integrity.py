"""An index that cannot lie and never stops a scan (issue 23, probes P15, P18-P20, P22, P28).

Each test runs real scans of the acme fixture in their own processes: an edited row, random bytes,
a full disk (a file size limit, which fails a write as a full disk does), a second scan holding the
index, a report that cannot be written, and reports written inside the scanned tree.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"
#: acme's findings, with the index or without it.
SCAN = [sys.executable, "-m", "qmscheck", "scan"]
SUMMARY = {"major": 1, "minor": 11, "request": 0, "observation": 2, "ofi": 1}


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    org = tmp_path / "acme"
    shutil.copytree(ACME, org, ignore=shutil.ignore_patterns(".qmscheck"))
    return org


def qmscheck(
    tmp_path: Path, *args: str | Path, limit: int | None = None, background: bool = False
) -> subprocess.CompletedProcess[str]:
    """A scan in its own process, with its own key folder; ``limit``: the largest file it may write."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def limited() -> None:
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), as on a full disk
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "qmscheck", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
        preexec_fn=limited,
    )


def scanned(tmp_path: Path, org: Path, index: Path, **kwargs: Any) -> dict[str, Any]:
    """The JSON report of a scan that must finish (exit 1: acme has findings) without a traceback."""
    out = tmp_path / "report.json"
    result = qmscheck(tmp_path, "scan", org, "--index", index, "--format", "json", "-o", out, **kwargs)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def index_warnings(report: dict[str, Any]) -> list[str]:
    return [w["message"] for w in report["warnings"] if w["connector"] == "qmscheck"]


def test_an_edited_result_is_not_trusted_and_the_findings_come_back(acme: Path, tmp_path: Path) -> None:
    # Before: both CAL001 findings were gone after this edit, without a word, until --full.
    index = tmp_path / "index.sqlite"
    first = scanned(tmp_path, acme, index)
    assert sum(f["rule_id"] == "CAL001" for f in first["findings"]) == 2
    with sqlite3.connect(index) as db:
        db.execute("UPDATE rule_results SET findings = ? WHERE rule_id = 'CAL001'", (zlib.compress(b"[]"),))
        db.execute("UPDATE files SET payload = ? WHERE location LIKE '%Calibration Log%'", (zlib.compress(b"[]"),))
    again = scanned(tmp_path, acme, index)
    assert sum(f["rule_id"] == "CAL001" for f in again["findings"]) == 2
    assert again["summary"] == SUMMARY
    said = index_warnings(again)
    assert len(said) == 2 and all("did not verify" in message for message in said), said
    assert said[0].startswith("1 file entries") and said[1].startswith("1 rule results")
    # Rebuilt: the next scan trusts the index again, and says nothing.
    assert index_warnings(scanned(tmp_path, acme, index)) == []


def test_an_index_sealed_with_another_key_is_not_trusted(acme: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    scanned(tmp_path, acme, index)
    (tmp_path / "cache" / "qmscheck" / "index.key").write_bytes(os.urandom(32))  # another user's, in effect
    again = scanned(tmp_path, acme, index)
    assert again["summary"] == SUMMARY
    files, rules = (m.split(" stored")[0] for m in index_warnings(again))
    assert files == "29 file entries" and rules.endswith(" rule results") and int(rules.split()[0]) > 80


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_in_the_index_never_stop_a_scan(acme: Path, tmp_path: Path, seed: int) -> None:
    # Before: a raw sqlite traceback, 5 seeds of 5.
    index = tmp_path / "index.sqlite"
    scanned(tmp_path, acme, index)
    scanned(tmp_path, acme, index)  # the report's findings stored too
    damage = random.Random(seed)
    size = index.stat().st_size
    with index.open("r+b") as file:
        for _ in range(50):
            file.seek(damage.randrange(size))
            file.write(bytes([damage.randrange(256)]))
    damaged = scanned(tmp_path, acme, index)
    assert damaged["summary"] == SUMMARY
    assert index_warnings(damaged), "the damage is said"
    assert scanned(tmp_path, acme, index)["summary"] == SUMMARY


def test_a_full_disk_under_the_index_never_stops_a_scan(acme: Path, tmp_path: Path) -> None:
    # Before: `database or disk is full` as an internal error, and no report.
    index = tmp_path / "index.sqlite"
    report = scanned(tmp_path, acme, index, limit=200_000)  # the index needs 300 KB, the report 80
    assert report["summary"] == SUMMARY
    # SQLite says "database or disk is full" on a full disk, "disk I/O error" past a size limit.
    (said,) = index_warnings(report)
    assert said.startswith("cannot write the evidence index (") and said.endswith("); this scan did not update it")
    # Nothing half-written was kept: with room again, the index is built and used.
    assert index_warnings(scanned(tmp_path, acme, index)) == []
    assert index_warnings(scanned(tmp_path, acme, index)) == []


def test_two_scans_of_one_index_both_finish(acme: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def start(name: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*SCAN, str(acme), "--index", str(index), "--format", "json", "-o", str(tmp_path / f"{name}.json")],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )

    scans = [start("one"), start("two")]
    for process in scans:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 1 and "Traceback" not in stderr, stderr
    for name in ("one", "two"):
        assert json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))["summary"] == SUMMARY


def test_a_scan_that_finds_the_index_held_by_another_goes_on_without_updating_it(acme: Path, tmp_path: Path) -> None:
    # Before: `database is locked` once the other scan held the index longer than 5 s.
    index = tmp_path / "index.sqlite"
    scanned(tmp_path, acme, index)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            f"db = sqlite3.connect({str(index)!r}); db.execute('BEGIN IMMEDIATE'); print('held', flush=True)\n"
            "time.sleep(20)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        report = scanned(tmp_path, acme, index)
    finally:
        holder.kill()
        holder.wait()
    assert report["summary"] == SUMMARY
    assert index_warnings(report) == [
        "the evidence index is in use by another scan (waited 5 s); this scan did not update it"
    ]


def test_a_report_that_cannot_be_written_leaves_the_previous_one(acme: Path, tmp_path: Path) -> None:
    # Before: a 40 KB truncated report in place of the previous one.
    report = tmp_path / "out" / "report.json"
    report.parent.mkdir()
    report.write_text("the previous report\n", encoding="utf-8")
    result = qmscheck(tmp_path, "scan", acme, "--no-index", "--format", "json", "-o", report, limit=40_000)
    assert result.returncode == 2 and f"cannot write {report}" in result.stderr, result.stderr
    assert report.read_text(encoding="utf-8") == "the previous report\n"
    assert sorted(path.name for path in report.parent.iterdir()) == ["report.json"]  # no temporary file left


def test_reports_written_into_the_scanned_tree_are_not_read_back(acme: Path, tmp_path: Path) -> None:
    # Before: the Markdown report was read back as a quality manual (12 minors and an evidence request).
    index = tmp_path / "index.sqlite"
    formats = ("--format", "json", "--format", "markdown", "--format", "html", "--format", "sarif")
    written = qmscheck(tmp_path, "scan", acme, "--index", index, *formats, "--output-dir", acme / "share" / "out")
    assert written.returncode == 1, written.stderr
    assert len(list((acme / "share" / "out").iterdir())) == 4
    again = scanned(tmp_path, acme, index)
    assert again["summary"] == SUMMARY
    assert again["understanding"]["files"] == 29 and again["understanding"]["not_understood"] == []
