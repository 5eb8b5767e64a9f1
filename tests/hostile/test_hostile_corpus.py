"""A share full of hostile and broken files, scanned as a user scans it, under a memory and a time limit.

Acme's share (whose findings are known) holds a folder of every case of hostile_inputs.py, and a
canary file sits beside the scanned root. One scan of it all, in its own process limited to 4 GiB of
address space and a few minutes, must finish with exit 0 under ``--fail-on never``, give Acme the
findings a scan of Acme alone gives, read nothing outside the root, and warn once about each bad
file, naming its fault or the limit it hit (one test per case, so each is its own test id).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hostile_inputs import CANARY, CASES, HOSTILE_DIR, PWNED_NAME, Case, Outside, build_corpus

ACME = Path(__file__).resolve().parents[2] / "fixtures" / "acme"
#: The address space of the scan and of each of its workers: the bombs expand to more than this.
MEMORY_LIMIT = 4 << 30
#: The whole corpus; a scan that needs longer has let one file take it.
TIME_LIMIT = 300
#: A case that stops the whole scan is scanned alone, with the good file beside it, for this long.
SOLO_TIME_LIMIT = 20


@dataclass(frozen=True)
class Scan:
    root: Path
    returncode: int | None  # None: killed at the time limit
    seconds: float
    stdout: bytes
    stderr: bytes
    report: dict[str, Any] | None
    outputs: dict[str, bytes]  # every file the scan wrote, by name
    index: Path

    def warnings_of(self, case: Case) -> list[dict[str, Any]]:
        assert self.report is not None
        return [w for w in self.report["warnings"] if f"{case.token}-" in w["locator"]]

    def problem(self) -> str | None:
        if self.returncode is None:
            return f"the scan did not finish within {TIME_LIMIT} s"
        if self.returncode != 0 or self.report is None:
            return f"the scan exited {self.returncode}: {self.stderr.decode(errors='replace')[-2000:]}"
        return None


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def scan(root: Path, work: Path, time_limit: int) -> Scan:
    """``qmscheck scan`` of root's qmscheck.toml in a process of its own (and its workers' process
    group), JSON and text reports and an index written outside the root."""
    out = work / "out"
    index = work / "index.sqlite"
    command = [
        sys.executable, "-m", "qmscheck", "scan", str(root / "qmscheck.toml"), "--format", "json", "--format", "text",
        "--output-dir", str(out), "--index", str(index), "--fail-on", "never", "-j", "2", "-v",
    ]  # fmt: skip
    env = {**os.environ, "NO_COLOR": "1"}
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limit_memory,
        start_new_session=True,
        env=env,
    )
    returncode: int | None
    try:
        stdout, stderr = process.communicate(timeout=time_limit)
        returncode = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        returncode = None
    seconds = time.monotonic() - started
    outputs = {path.name: path.read_bytes() for path in out.iterdir()} if out.is_dir() else {}
    report_bytes = outputs.get("qmscheck-report.json")
    report = json.loads(report_bytes.decode("utf-8")) if report_bytes else None
    return Scan(root, returncode, seconds, stdout, stderr, report, outputs, index)


def _acme(root: Path) -> None:
    shutil.copytree(ACME / "share", root / "share")
    shutil.copy(ACME / "qmscheck.toml", root / "qmscheck.toml")


def _in_corpus(case: Case) -> bool:
    return case.pending is None or not case.pending.fatal


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Scan]:
    """The good files alone, and the good files beside the corpus (but the cases that stop a scan)."""
    base = tmp_path_factory.mktemp("hostile")
    good = base / "good"
    _acme(good / "root")
    corpus = base / "corpus"
    _acme(corpus / "root")
    build_corpus(corpus / "root" / "share", Outside(corpus / "outside"), [c for c in CASES if _in_corpus(c)])
    return {"good": scan(good / "root", good, TIME_LIMIT), "corpus": scan(corpus / "root", corpus, TIME_LIMIT)}


def _index_texts(index: Path) -> Iterator[str]:
    """Every value in the index, its compressed payloads expanded."""
    with sqlite3.connect(index) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if isinstance(value, bytes):
                        with contextlib.suppress(zlib.error):
                            value = zlib.decompress(value)
                        yield value.decode("utf-8", errors="replace")
                    else:
                        yield str(value)


def _good_files_read(index: Path) -> dict[str, int]:
    """How many evidence items the index holds for each of Acme's files."""
    with sqlite3.connect(index) as connection:
        rows = connection.execute("SELECT location, count FROM files").fetchall()
    return {location: count for location, count in rows if HOSTILE_DIR not in location}


def _judged_good_files(report: dict[str, Any]) -> set[tuple[str, str, tuple[str, ...]]]:
    """What each rule found wrong with Acme's files, leaving out what the corpus's readable files
    add (a truncated register is still rows) and the populations they enlarge."""
    judged: set[tuple[str, str, tuple[str, ...]]] = set()
    for finding in report["findings"]:
        if not finding["instances"]:
            judged.add((finding["rule_id"], finding["absence"] or "", ()))
        for instance in finding["instances"]:
            if not any(HOSTILE_DIR in evidence for evidence in instance["evidence"]):
                judged.add((finding["rule_id"], instance["detail"], tuple(instance["evidence"])))
    return judged


def test_the_whole_corpus_is_scanned_within_the_limits(scans: dict[str, Scan]) -> None:
    good, corpus = scans["good"], scans["corpus"]
    assert good.problem() is None, good.problem()
    assert corpus.problem() is None, corpus.problem()
    assert corpus.seconds < TIME_LIMIT
    assert b"Traceback" not in corpus.stderr
    assert good.report is not None and corpus.report is not None
    # Every good file beside the corpus still read, to the same evidence, and judged the same.
    assert _good_files_read(corpus.index) == _good_files_read(good.index)
    assert len(_good_files_read(good.index)) == sum(1 for p in (ACME / "share").rglob("*") if p.is_file())
    assert _judged_good_files(corpus.report) == _judged_good_files(good.report)


def test_nothing_outside_the_root_is_read(scans: dict[str, Scan]) -> None:
    corpus = scans["corpus"]
    assert corpus.problem() is None, corpus.problem()
    for name, data in [*corpus.outputs.items(), ("stdout", corpus.stdout), ("stderr", corpus.stderr)]:
        assert CANARY.encode() not in data, name
    assert not any(CANARY in text for text in _index_texts(corpus.index))
    # The planted config's sources, the links out and the external entities all point at the
    # canary's folder: nothing of it is evidence, and no YAML tag ran.
    assert corpus.report is not None
    assert not any("outside" in w["locator"] for w in corpus.report["warnings"])
    assert not (corpus.root.parent / "outside" / PWNED_NAME).exists()


def test_outputs_are_valid_utf8_without_control_characters(scans: dict[str, Scan]) -> None:
    corpus = scans["corpus"]
    assert corpus.problem() is None, corpus.problem()
    for name, data in [*corpus.outputs.items(), ("stdout", corpus.stdout), ("stderr", corpus.stderr)]:
        text = data.decode("utf-8")  # strict: a name's invalid bytes are escaped, never written raw
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text), name


def _solo(case: Case, tmp_path: Path) -> Scan:
    """A case that stops a whole scan, beside one good file, under a short time limit."""
    root = tmp_path / "root"
    (root / "share").mkdir(parents=True)
    shutil.copy(ACME / "qmscheck.toml", root / "qmscheck.toml")
    shutil.copy(ACME / "share" / "01 Policies and Manual" / "Quality Policy.docx", root / "share")
    build_corpus(root / "share", Outside(tmp_path / "outside"), [case])
    return scan(root, tmp_path, SOLO_TIME_LIMIT)


@pytest.mark.parametrize("case", [case.param() for case in CASES])
def test_each_bad_file_is_one_warning_naming_its_fault(case: Case, scans: dict[str, Scan], tmp_path: Path) -> None:
    result = scans["corpus"] if _in_corpus(case) else _solo(case, tmp_path)
    assert result.problem() is None, result.problem()
    warnings = result.warnings_of(case)
    messages = [w["message"] for w in warnings]
    # One warning (a reader may add a second that explains it, as for a PDF page that failed).
    assert len(warnings) <= 2, messages
    if case.words is not None:
        assert warnings, "no warning names the file"
        for word in case.words:
            assert re.search(word, " ".join(messages), re.IGNORECASE), f"{word!r} not in {messages!r}"
    if "no-control" in case.checks:
        # The raw name (escape sequences, a line break) reaches no output.
        raw = case.filename.encode("utf-8", "surrogateescape")
        for name, data in [*result.outputs.items(), ("stderr", result.stderr)]:
            assert raw not in data, name
