"""Installed but not selected, the pack changes nothing: a scan of the main repository's ISO 9001
sample organisation (``fixtures/acme``) gives byte-identical JSON and text reports with the pack
installed and with it disabled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ACME = Path(__file__).parents[3] / "fixtures" / "acme" / "qmscheck.toml"

pytestmark = pytest.mark.skipif(not ACME.is_file(), reason="runs from a checkout of qmscheck (fixtures/acme)")


def _scan(tmp_path: Path, name: str, disabled: str) -> dict[str, bytes]:
    env = {**os.environ, "QMSCHECK_DISABLE_PLUGINS": disabled}
    reports = {}
    for format_name in ("json", "text"):
        out = tmp_path / f"{name}.{format_name}"
        command = [sys.executable, "-m", "qmscheck", "scan", str(ACME), "--no-index", "--fail-on", "never"]
        command += ["-q", "-j", "1", "--format", format_name, "--output", str(out)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        reports[format_name] = out.read_bytes()
    return reports


def test_the_pack_is_installed() -> None:
    # Else the comparison below would compare two scans without it.
    assert "iso13485" in {ep.name for ep in metadata.entry_points(group="qmscheck")}


def test_acme_scan_is_byte_identical_with_the_pack_installed_and_disabled(tmp_path: Path) -> None:
    installed = _scan(tmp_path, "installed", "")
    disabled = _scan(tmp_path, "disabled", "iso13485")
    assert json.loads(installed["json"])["findings"], "the scan found nothing: the comparison says little"
    assert [pack["name"] for pack in json.loads(installed["json"])["packs"]] == ["iso9001"]
    assert installed["json"] == disabled["json"]
    assert installed["text"] == disabled["text"]
