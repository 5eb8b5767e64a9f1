"""`qmscheck inventory`: every file with its classification, or why it is not recognised or was skipped."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from qmscheck.collecting.classification import Candidate
from qmscheck.collecting.connectors.base import CollectContext, Collected, Inventoried
from qmscheck.collecting.inventory import NOT_RECOGNISED, RECOGNISED, SKIPPED, UNREADABLE, inventory
from qmscheck.config.scan_config import load_config
from qmscheck.hookspecs import hookimpl
from qmscheck.plugins.manager import load_plugins
from test_filesystem_connector import make_calibration_log, make_procedure

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"
CORPUS = ROOT.parent / "shared" / "corpora" / "gstt-csc-qms-template"


def qmscheck(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qmscheck", *args], capture_output=True, text=True, timeout=300, check=False
    )


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_acme_lists_every_file_with_its_classification() -> None:
    result = qmscheck("inventory", str(ACME), "--format", "json", "--quiet")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    entries = data["entries"]
    assert {entry["path"] for entry in entries} == files_under(ACME / "share")
    assert all(
        entry["status"] == RECOGNISED and entry["type"] and entry["kind"] and entry["reason"] for entry in entries
    )
    by_place = {(entry["path"], entry["sheet"]): entry for entry in entries}
    training = by_place[("04 Records/Training Matrix.xlsx", "Training")]
    assert (training["type"], training["kind"], training["rows"]) == ("training_record", "record", 14)
    assert by_place[("01 Policies and Manual/Quality Policy.docx", None)]["type"] == "quality_policy"
    assert data["counts"] == {RECOGNISED: len(entries), NOT_RECOGNISED: 0, UNREADABLE: 0, SKIPPED: 0}

    text = qmscheck("inventory", str(ACME), "--quiet")
    assert text.returncode == 0
    for path in files_under(ACME / "share"):
        assert path in text.stdout
    assert f"{len(entries)} recognised, 0 not recognised" in text.stdout


def test_unrecognised_unreadable_and_skipped_items_say_why(tmp_path: Path) -> None:
    root = tmp_path / "share"
    root.mkdir()
    make_procedure(root / "QP-01 Document Control.docx", "QP-01", "2027-01-01")
    make_procedure(root / "Meeting notes.docx", "N-1", "2027-01-01")
    make_calibration_log(root / "Calibration Log.xlsx")
    (root / "Stuff.csv").write_text("Widget,Colour,Next Due\nA,red,2025-01-01\n")
    (root / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (root / "broken.pdf").write_bytes(b"%PDF-1.4 nothing")
    (root / "~$Document Control.docx").write_bytes(b"lock")
    (root / ".hidden").mkdir()
    (root / "escape").symlink_to(tmp_path, target_is_directory=True)
    result = inventory(load_config(root), load_plugins(entry_points=False))
    by_path = {(entry.path, entry.sheet): entry for entry in result.entries}
    assert by_path[("QP-01 Document Control.docx", None)].type == "procedure"
    meeting = by_path[("Meeting notes.docx", None)]
    assert meeting.status == NOT_RECOGNISED and "no document pattern" in meeting.reason
    stuff = by_path[("Stuff.csv", None)]
    assert stuff.status == NOT_RECOGNISED and stuff.columns == ("Widget", "Colour", "Next Due") and stuff.rows == 1
    calibration = by_path[("Calibration Log.xlsx", "Instruments")]
    assert (calibration.status, calibration.type, calibration.rows) == (RECOGNISED, "calibration_record", 2)
    assert "unsupported file type .jpg" in by_path[("photo.jpg", None)].reason
    assert by_path[("broken.pdf", None)].status == UNREADABLE
    assert by_path[("~$Document Control.docx", None)].reason == "office lock file"
    assert by_path[(".hidden", None)].status == SKIPPED
    assert "outside the scanned folder" in by_path[("escape", None)].reason
    assert len(result.entries) == 9

    text = qmscheck("inventory", str(root), "--quiet", "--jobs", "2")
    assert text.returncode == 0
    assert "[[classify]]" in text.stdout and "columns found: Widget, Colour, Next Due" in text.stdout


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "qmscheck.toml"
    config.write_text('[[sources]]\nconnector = "filesystem"\npath = "nowhere"\n')
    result = qmscheck("inventory", str(config))
    assert result.returncode == 2 and "does not exist" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"real corpus not present at {CORPUS}")
def test_real_docs_as_code_corpus() -> None:
    result = qmscheck("inventory", str(CORPUS), "--format", "json", "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no parser noise
    entries = json.loads(result.stdout)["entries"]
    listed = {entry["path"] for entry in entries}
    # Every file is listed: directly, or under a skipped (hidden) folder.
    skipped_folders = [entry["path"] + "/" for entry in entries if entry["status"] == SKIPPED]
    for path in files_under(CORPUS):
        assert path in listed or any(path.startswith(folder) for folder in skipped_folders), path
    types = {entry["path"]: entry["type"] for entry in entries}
    assert sum(1 for t in types.values() if t == "procedure") >= 20
    assert any(t == "form" for t in types.values())
    assert "CSC-PL-001-Quality-Manual.md" in types
    assert all(entry["reason"] for entry in entries)


def test_the_inventory_skips_what_a_scan_skips_and_says_so_alike(tmp_path: Path) -> None:
    root = tmp_path / "share"
    root.mkdir()
    make_procedure(root / "QP-01 Document Control.docx", "QP-01", "2027-01-01")
    make_calibration_log(root / "Calibration Log.xlsx")
    size = (root / "Calibration Log.xlsx").stat().st_size
    listed = qmscheck("inventory", str(root), "--format", "json", "--quiet", "--max-file-size", "1KB")
    assert listed.returncode == 0, listed.stderr
    by_path = {entry["path"]: entry for entry in json.loads(listed.stdout)["entries"]}
    calibration = by_path["Calibration Log.xlsx"]
    assert calibration["status"] == SKIPPED
    assert calibration["reason"] == f"{size} bytes is over the size limit of 1000 bytes (max_file_size)"
    scanned = qmscheck("scan", str(root), "--format", "json", "--no-index", "--max-file-size", "1KB", "--quiet")
    warnings = {warning["locator"]: warning["message"] for warning in json.loads(scanned.stdout)["warnings"]}
    assert warnings["Calibration Log.xlsx"] == f"skipped: {calibration['reason']}"


class Unlisted:
    """A connector without ``inventory``: its sources are named as not inventoried."""

    name = "unlisted"
    version = "1"

    def describe(self, options: dict[str, Any]) -> str:
        return "memory"

    def collect(self, options: dict[str, Any], context: CollectContext) -> Iterator[Collected]:
        return iter(())


class Register(Unlisted):
    """A connector of one in-memory register: it can list itself, as any connector may."""

    name = "memory"

    def inventory(self, options: dict[str, Any], context: CollectContext) -> Iterator[Inventoried]:
        headers = ("gauge_id", "next_due")
        yield Inventoried("gauges", Candidate("gauges", sheet="Gauges", headers=headers, is_register=True), rows=3)
        yield Inventoried("notes", passed="skipped", reason="not a table")


@hookimpl
def qmscheck_register_connectors(register: Callable[[object], None]) -> None:
    register(Register())
    register(Unlisted())


def test_a_connector_that_lists_itself_is_inventoried_with_the_scan_classifiers(tmp_path: Path) -> None:
    config = tmp_path / "qmscheck.toml"
    config.write_text(
        '[[sources]]\nconnector = "memory"\n\n[[sources]]\nconnector = "unlisted"\n\n'
        '[[classify]]\npattern = "gauges"\ntype = "calibration_record"\n'
    )
    result = inventory(load_config(config), load_plugins([sys.modules[__name__]], entry_points=False))
    gauges, notes = result.entries
    assert (gauges.status, gauges.type, gauges.sheet, gauges.rows) == (RECOGNISED, "calibration_record", "Gauges", 3)
    assert gauges.reason == "configured pattern 'gauges'"
    assert (notes.status, notes.reason) == (SKIPPED, "not a table")
    assert result.not_inventoried == ["unlisted: memory"]


def test_each_entry_has_its_lifecycle_and_template_status(tmp_path: Path) -> None:
    """In JSON and in text; a file that is not read still has what its folders say."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "meta.yaml").write_text("status: Draft\n", encoding="utf-8")
    (tmp_path / "Obsolete").mkdir()
    (tmp_path / "Obsolete" / "QP-02 Purchasing rev A.md").write_text(
        "# QP-02 Purchasing procedure\n\nRevision: A\nStatus: Released\n\n## Purpose\nBuying.\n", encoding="utf-8"
    )
    result = qmscheck("inventory", str(tmp_path), "--format", "json", "--quiet")
    assert result.returncode == 0, result.stderr
    entries = {entry["path"]: entry for entry in json.loads(result.stdout)["entries"]}
    unread = entries["templates/meta.yaml"]
    assert (unread["status"], unread["template"], unread["template_reason"]) == (
        NOT_RECOGNISED,
        True,
        "folder 'templates'",
    )
    retired = entries["Obsolete/QP-02 Purchasing rev A.md"]
    assert (retired["type"], retired["lifecycle"], retired["lifecycle_reason"], retired["template"]) == (
        "procedure",
        "obsolete",
        "folder 'Obsolete'",
        False,
    )
    text = qmscheck("inventory", str(tmp_path), "--quiet")
    assert "obsolete (folder 'Obsolete')" in text.stdout
    assert "unfilled template (folder 'templates')" in text.stdout


def test_qmschecks_own_files_in_the_share_are_not_evidence(tmp_path: Path) -> None:
    """A qmscheck.toml or decisions file kept inside the share is listed as skipped, never as evidence
    that was not recognised."""
    from qmscheck.collecting.connectors.tree import hidden_reason

    assert (
        hidden_reason("qmscheck.toml")
        == hidden_reason("qmscheck.decisions.toml")
        == ("qmscheck's own settings, not evidence")
    )
    assert hidden_reason("qmscheck-report.html") == "a qmscheck report, not evidence"
    assert hidden_reason("QP-01 Quality Manual.docx") is None
