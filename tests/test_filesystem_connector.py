"""The filesystem connector on real files, including corrupt ones: one warning per bad file, the scan goes on."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

import docx
import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st
from qmscheck.collecting.classification import Overrides
from qmscheck.collecting.run import collect
from qmscheck.config.scan_config import ClassifyOverride, ScanConfig, SourceConfig
from qmscheck.plugins.manager import load_plugins


def make_procedure(path: Path, number: str, next_review: str) -> None:
    document = docx.Document()
    document.add_paragraph(path.stem, style="Title")
    table = document.add_table(rows=0, cols=2)
    for label, value in [
        ("Document No", number),
        ("Revision", "B"),
        ("Status", "Released"),
        ("Approved by", "A. Person"),
        ("Approval date", "2025-01-10"),
        ("Next review", next_review),
    ]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_paragraph("How we do things.")
    document.save(str(path))


def make_calibration_log(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Instruments"
    sheet.append(["Gauge ID", "Description", "Status", "Last Calibrated", "Next Due"])
    sheet.append(["G-1", "Caliper", "In use", date(2025, 6, 1), date(2026, 6, 1)])
    sheet.append(["G-2", "Micrometer", "In use", date(2025, 1, 1), date(2026, 1, 1)])
    workbook.save(str(path))


def share(tmp_path: Path) -> Path:
    root = tmp_path / "share"
    (root / "procs").mkdir(parents=True)
    make_procedure(root / "procs" / "QP-01 Document Control.docx", "QP-01", "2027-01-01")
    make_calibration_log(root / "Calibration Log.xlsx")
    (root / "procs" / "QP-02 Broken.docx").write_bytes(b"PK\x03\x04 this is not really a zip")
    (root / "Empty Register.xlsx").write_bytes(b"")
    (root / "garbage.pdf").write_bytes(b"%PDF-1.4\n garbage without xref")
    (root / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    return root


def test_real_files_become_evidence_and_corrupt_ones_warnings(tmp_path: Path) -> None:
    root = share(tmp_path)
    config = ScanConfig(sources=[SourceConfig(connector="filesystem", path=str(root))], base_dir=tmp_path)
    collection = collect(config, load_plugins(entry_points=False))
    by_id = {item.id: item for item in collection.items}
    procedure = by_id["filesystem:procs/QP-01 Document Control.docx"]
    assert procedure.type == "procedure" and procedure.kind.value == "document"
    assert (procedure.document_number, procedure.revision, procedure.approver) == ("QP-01", "B", "A. Person")
    assert procedure.dates.next_review == date(2027, 1, 1) and procedure.dates.approved == date(2025, 1, 10)
    gauge = by_id["filesystem:Calibration Log.xlsx#Instruments!3"]
    assert gauge.type == "calibration_record" and gauge.kind.value == "record"
    assert gauge.attributes["instrument_id"] == "G-2" and gauge.dates.due == date(2026, 1, 1)
    assert gauge.provenance.locator.sheet == "Instruments" and gauge.provenance.locator.row == 3
    assert len(gauge.sha256 or "") == 64
    warned = sorted(w.locator for w in collection.warnings)
    assert warned == ["Empty Register.xlsx", "garbage.pdf", "procs/QP-02 Broken.docx"]
    assert all(w.message and "Traceback" not in w.message for w in collection.warnings)


def test_classification_override_from_config(tmp_path: Path) -> None:
    root = share(tmp_path)
    overrides = [ClassifyOverride(pattern="procs/QP-01*", type="work_instruction")]
    config = ScanConfig(
        sources=[SourceConfig(connector="filesystem", path=str(root))], classify=overrides, base_dir=tmp_path
    )
    collection = collect(config, load_plugins(entry_points=False))
    assert {i.type for i in collection.items if i.id.endswith("QP-01 Document Control.docx")} == {"work_instruction"}
    assert Overrides(overrides).rules[0].pattern == "procs/QP-01*"


def test_scan_of_a_folder_with_corrupt_files_reports_warnings_and_exits_by_findings(tmp_path: Path) -> None:
    root = share(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "qmscheck",
            "scan",
            str(root),
            "--format",
            "json",
            "--as-of",
            "2026-03-31",
            "--fail-on",
            "never",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["warnings"]) == 3
    # The overdue gauge is found (alone, or within the one 7.1.5 finding that cites it with a sister rule's gap).
    assert any(
        "CAL001" in [f["rule_id"], *f["also_reported_by"]] and "G-2" in [e["label"] for e in f["evidence"]]
        for f in report["findings"]
    )


def test_symlink_loops_are_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "share"
    root.mkdir()
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "outside").symlink_to(tmp_path, target_is_directory=True)
    make_calibration_log(root / "Calibration Log.xlsx")
    config = ScanConfig(sources=[SourceConfig(connector="filesystem", path=str(root))], base_dir=tmp_path)
    collection = collect(config, load_plugins(entry_points=False))
    assert len(collection.items) == 2


def test_names_with_hyphens_and_document_numbers_classify_sensibly() -> None:
    from qmscheck.collecting.classification import Candidate, classify_by_name

    def kind(name: str, title: str | None = None) -> str | None:
        found = classify_by_name(Candidate(path=f"docs/{name}", title=title))
        return found.type if found else None

    assert kind("CSC-PL-001-Quality-Manual.md") == "quality_manual"
    assert kind("CSC-PR-011-Management-Review.md", "Management Review") == "procedure"
    assert kind("Management Review Minutes 2025-10.docx") == "management_review_minutes"
    assert kind("IA-2025-07 Internal Audit Report - Management Review.docx") == "internal_audit_report"
    assert kind("Context and Interested Parties.docx") == "context_analysis"


def test_a_classifier_naming_an_impossible_type_gives_a_warning_not_a_crash(tmp_path: Path) -> None:
    from qmscheck.collecting.classification import Candidate, Classification
    from qmscheck.hookspecs import hookimpl
    from qmscheck.model.evidence import Kind

    class Careless:
        @hookimpl(tryfirst=True)
        def qmscheck_classify(self, candidate: Candidate) -> Classification | None:
            if candidate.name.startswith("QP-01"):
                return Classification("Purchasing Procedure", Kind.DOCUMENT, "careless plugin")
            return None

    root = share(tmp_path)
    config = ScanConfig(sources=[SourceConfig(connector="filesystem", path=str(root))], base_dir=tmp_path)
    collection = collect(config, load_plugins([Careless()], entry_points=False))
    bad = [w for w in collection.warnings if "QP-01" in w.locator]
    assert len(bad) == 1 and "'Purchasing Procedure', which is not an evidence type name" in bad[0].message
    assert not any("QP-01" in item.id for item in collection.items)
    assert any(item.type == "calibration_record" for item in collection.items)


# natural_key and _suffix are written for speed: they must agree with a plain reference on any string.
_RUNS = st.text(alphabet="az/._- 0123456789٣３²①~#!", max_size=40)  # ٣ ３: int() digits; ² ①: isdigit() only


def _natural_key_reference(text: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part)


def _outcome(function: Callable[[str], object], text: str) -> object:
    try:
        return function(text)
    except ValueError as exc:
        return ("ValueError", str(exc))


@given(st.one_of(_RUNS, st.text(max_size=40)))
@settings(max_examples=2000, deadline=None)
def test_natural_key_agrees_with_the_plain_reference(text: str) -> None:
    from qmscheck.model.evidence import natural_key

    assert _outcome(natural_key, text) == _outcome(_natural_key_reference, text)
    assert _outcome(natural_key, text) == _outcome(natural_key, text)  # a second time: from the cache


def test_natural_key_orders_numbers_as_numbers_and_odd_digits_as_the_reference() -> None:
    from qmscheck.model.evidence import natural_key

    names = ["filesystem:F/batch-10/x 2.md", "filesystem:F/batch-9/x 10.md", "filesystem:F/batch-9/x 9.md", "", "7"]
    assert sorted(names, key=natural_key) == sorted(names, key=_natural_key_reference)
    assert natural_key("row ٣ and ３") == ((1, "row "), (0, 3), (1, " and "), (0, 3))
    for odd in ("x²", "²", "1²2", "①"):
        assert _outcome(natural_key, odd) == _outcome(_natural_key_reference, odd)


def _sign(a: Any, b: Any) -> int:  # keys of any shape: a TypeError from comparing them fails the test
    return int(a > b) - int(a < b)


@given(st.one_of(_RUNS, st.text(max_size=40)), st.one_of(_RUNS, st.text(max_size=40)))
@settings(max_examples=3000, deadline=None)
def test_order_key_sorts_as_natural_key_does(first: str, second: str) -> None:
    from qmscheck.model.evidence import natural_key, order_key

    keys = _outcome(natural_key, first), _outcome(natural_key, second)
    if any(isinstance(key, tuple) and key[:1] == ("ValueError",) for key in keys):
        order_key(first), order_key(second)  # where natural_key gives up, order_key still orders
        return
    assert _sign(order_key(first), order_key(second)) == _sign(*keys)


def test_order_key_orders_numbers_as_numbers_ties_as_natural_key_and_nul_after_numbers() -> None:
    from qmscheck.model.evidence import order_key

    names = ["a/b10", "a/b9", "a/b", "a-2/x", "a/b09", "a\x00", "a1", "a٣", "a3"]
    assert sorted(names, key=order_key) == ["a1", "a٣", "a3", "a\x00", "a-2/x", "a/b", "a/b9", "a/b09", "a/b10"]


def _suffix_reference(relative: str) -> str:
    name = relative.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


@given(st.text(alphabet="aB/.x", max_size=12))
@settings(max_examples=1000, deadline=None)
def test_suffix_agrees_with_the_plain_reference(relative: str) -> None:
    from qmscheck.collecting.connectors.filesystem import _suffix

    assert _suffix(relative) == _suffix_reference(relative)
    if all(part not in ("", ".") for part in relative.split("/")):  # a path as the walk gives them
        assert _suffix(relative) == PurePosixPath(relative).suffix.lower()


def test_walk_order_links_and_repeated_folders(tmp_path: Path) -> None:
    """Real paths of folders are worked out as the walk descends (realpath() only for links): a link to a
    folder the walk has already met is still recognised, also when the root itself is reached through a link."""
    from qmscheck.collecting.connectors.tree import Entry, LocalTree, Skipped

    real = tmp_path / "real"
    (real / "b" / "sub").mkdir(parents=True)
    (real / "b" / "sub" / "Doc 10.md").write_text("x")
    (real / "b" / "sub" / "Doc 9.md").write_text("xy")
    (real / "a.md").write_text("a")
    (real / ".hidden.md").write_text("h")
    (real / "~$lock.docx").write_text("l")
    (real / "a-link").symlink_to(real / "b", target_is_directory=True)  # met before b: followed
    (real / "c-link").symlink_to(real / "b" / "sub", target_is_directory=True)  # met before b/sub: followed
    (real / "b" / "up").symlink_to(real, target_is_directory=True)
    (real / "d").mkdir()
    (real / "d" / "e-link").symlink_to(real / "b" / "sub", target_is_directory=True)  # b/sub was met: a repeat
    (tmp_path / "via").symlink_to(real, target_is_directory=True)
    repeat = "symlink loop or repeated folder; not followed again"
    for root in (real, tmp_path / "via"):
        found = [
            (type(f).__name__, f.relative, f.reason if isinstance(f, Skipped) else f.size)
            for f in LocalTree(root).walk()
            if isinstance(f, Entry | Skipped)
        ]
        assert found == [
            ("Skipped", ".hidden.md", "hidden file or folder"),
            ("Entry", "a.md", 1),
            ("Skipped", "~$lock.docx", "office lock file"),
            ("Skipped", "a-link/up", repeat),
            ("Entry", "a-link/sub/Doc 10.md", 1),
            ("Entry", "a-link/sub/Doc 9.md", 2),
            ("Skipped", "b/up", repeat),
            ("Entry", "b/sub/Doc 10.md", 1),
            ("Entry", "b/sub/Doc 9.md", 2),
            ("Entry", "c-link/Doc 10.md", 1),
            ("Entry", "c-link/Doc 9.md", 2),
            ("Skipped", "d/e-link", repeat),
        ], root
