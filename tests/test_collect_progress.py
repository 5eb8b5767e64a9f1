"""Progress: a bar on a terminal, nothing in CI or a pipe, lines with --verbose, nothing with --quiet."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import load_config
from qmscheck.plugins.manager import load_plugins
from qmscheck.support.progress import BarProgress, LineProgress, NullProgress, make_progress

ACME = Path(__file__).resolve().parents[1] / "fixtures" / "acme"


def test_choice_of_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert isinstance(make_progress(), NullProgress) and type(make_progress()) is NullProgress
    assert isinstance(make_progress(verbose=True), LineProgress)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert isinstance(make_progress(), BarProgress)
    assert type(make_progress(quiet=True, verbose=True)) is NullProgress
    monkeypatch.setenv("CI", "true")
    assert type(make_progress()) is NullProgress


def test_bar_counts_every_file() -> None:
    from rich.console import Console

    terminal = io.StringIO()
    bar = BarProgress(console=Console(file=terminal, force_terminal=True, width=100))
    options = CollectOptions(progress=bar)
    collect(load_config(ACME), load_plugins(entry_points=False), options)
    shown = terminal.getvalue()
    files = options.stats["files"]
    # The last count the bar drew is every file of the share.
    assert files > 20 and re.findall(r"\d+/\d+", shown)[-1] == f"{files}/{files}"
    # Stopped when collection ended: the cursor it hid on starting is shown again.
    assert "\x1b[?25h" in shown.rsplit("\x1b[?25l", 1)[1]


def test_verbose_and_quiet_on_the_command_line(tmp_path: Path) -> None:
    def scan(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "qmscheck",
                "scan",
                str(ACME / "share"),
                "--no-index",
                "--fail-on",
                "never",
                "--format",
                "json",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    verbose = scan("--verbose")
    assert "read 04 Records/Calibration Log.xlsx" in verbose.stderr and "evidence index: off" in verbose.stderr
    quiet = scan("--quiet")
    assert "read " not in quiet.stderr and "evidence index" not in quiet.stderr
    assert quiet.stdout == verbose.stdout
