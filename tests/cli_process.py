"""The qmscheck command line run as a user runs it: a separate process, its output as text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def qmscheck(*args: str | Path, cache: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``cache``: the user's cache folder the process uses (the index key, the record of reports written)."""
    env = None if cache is None else {**os.environ, "XDG_CACHE_HOME": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "qmscheck", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )


def inventory_entries(folder: Path) -> list[dict[str, Any]]:
    """``qmscheck inventory --format json`` of the folder, in one process."""
    result = qmscheck("inventory", str(folder), "--format", "json", "--quiet", "-j", "1")
    assert result.returncode == 0, result.stderr
    entries: list[dict[str, Any]] = json.loads(result.stdout)["entries"]
    return entries


def scan_report(folder: Path, out_dir: Path) -> dict[str, Any]:
    """``qmscheck scan --format json`` of the folder as of 2026-03-31, in one process, never failing on
    findings; the report as a dict."""
    out = out_dir / "report.json"
    result = qmscheck(
        "scan", str(folder), "--format", "json", "--as-of", "2026-03-31", "--no-index", "--fail-on", "never",
        "-q", "-j", "1", "--output", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report
