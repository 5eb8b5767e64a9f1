"""Walking a real share: symlinks, loops, unreadable folders, vanishing files, size limits, and a folder of bad files."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fpdf import FPDF
from qmscheck.collecting.connectors.tree import Entry, LocalTree, Skipped
from qmscheck.collecting.connectors.worker import Task, process
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import ScanConfig, SourceConfig
from qmscheck.model.collection import Collection
from qmscheck.plugins.manager import load_plugins
from test_filesystem_connector import make_calibration_log, make_procedure


def run(root: Path, jobs: int = 1, limit: int | None = None, **options: object) -> Collection:
    source = SourceConfig.model_validate({"connector": "filesystem", "path": str(root), **options})
    config = ScanConfig(sources=[source], base_dir=root.parent)
    collect_options = CollectOptions(jobs=jobs)
    if limit is not None:
        collect_options.max_file_size = limit
    return collect(config, load_plugins(entry_points=False), collect_options)


def warnings_by_locator(collection: Collection) -> dict[str, str]:
    found: dict[str, str] = {}
    for warning in collection.warnings:
        assert warning.locator not in found, f"two warnings for {warning.locator}"
        assert "Traceback" not in warning.message
        found[warning.locator] = warning.message
    return found


def test_symlinks_stay_inside_the_root_and_loops_end(tmp_path: Path) -> None:
    root = tmp_path / "share"
    (root / "records").mkdir(parents=True)
    make_calibration_log(root / "records" / "Calibration Log.xlsx")
    secret = tmp_path / "outside"
    secret.mkdir()
    make_calibration_log(secret / "Calibration Secret.xlsx")
    (root / "escape").symlink_to(secret, target_is_directory=True)
    (root / "escape-file.xlsx").symlink_to(secret / "Calibration Secret.xlsx")
    (root / "records" / "loop").symlink_to(root, target_is_directory=True)
    (root / "dangling.docx").symlink_to(tmp_path / "nothing.docx")
    (root / "alias.xlsx").symlink_to(root / "records" / "Calibration Log.xlsx")  # inside: followed
    collection = run(root)
    warned = warnings_by_locator(collection)
    assert "outside the scanned folder" in warned["escape"]
    assert "outside the scanned folder" in warned["escape-file.xlsx"]
    assert "loop" in warned["records/loop"]
    assert "dangling.docx" in warned
    paths = {item.provenance.locator.path for item in collection.items}
    assert paths == {"records/Calibration Log.xlsx", "alias.xlsx"}
    assert not any("Secret" in (item.title or "") for item in collection.items)


def test_unlistable_folder_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "share"
    (root / "HR").mkdir(parents=True)
    make_calibration_log(root / "Calibration Log.xlsx")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if str(path).endswith("HR"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    # Tests may run as root, whom no permission bits keep out of a folder: the denial is simulated.
    monkeypatch.setattr(os, "scandir", scandir)
    collection = run(root)
    assert warnings_by_locator(collection) == {"HR": "skipped: cannot list folder: permission denied"}
    assert len(collection.items) == 2


def test_file_vanishing_mid_scan_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "share"
    root.mkdir()
    make_calibration_log(root / "Calibration Log.xlsx")
    make_procedure(root / "QP-01 Gone.docx", "QP-01", "2027-01-01")
    real_walk = LocalTree.walk

    def walk_then_delete(self: LocalTree) -> Iterator[Entry | Skipped]:
        yield from real_walk(self)
        (root / "QP-01 Gone.docx").unlink()  # after listing, before reading

    # The one moment that matters, between listing and reading, is reached only from inside the walk.
    monkeypatch.setattr(LocalTree, "walk", walk_then_delete)
    collection = run(root)
    assert warnings_by_locator(collection) == {"QP-01 Gone.docx": "skipped: the file vanished during the scan"}
    assert len(collection.items) == 2
    outcome = process(Task(LocalTree(root), "missing.pdf", ".pdf"))
    assert outcome.error == "skipped: the file vanished during the scan"


def encrypted_ooxml() -> bytes:
    """What Office writes for a password-protected .docx/.xlsx: an OLE container, not a zip."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + os.urandom(1024)


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Secret procedure")
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(bytes(pdf.output()))))
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def bad_files(root: Path) -> dict[str, str]:
    """File name -> a word the warning must contain."""
    root.mkdir(parents=True)
    files = {
        "QP-10 Corrupt.docx": (b"PK\x03\x04" + os.urandom(300), "not a valid"),
        "QP-11 Truncated.docx": (b"", "empty"),
        "QP-12 Encrypted.docx": (encrypted_ooxml(), "encrypted"),
        "Encrypted Register.xlsx": (encrypted_ooxml(), "encrypted"),
        "QP-13 Locked.pdf": (encrypted_pdf(), "encrypted"),
        "Corrupt Register.xlsx": (os.urandom(2048), "not a valid"),
        "Empty Log.csv": (b"", "empty"),
        "Broken.ods": (b"PK\x03\x04garbage", "not a valid"),
        "Garbage.pdf": (b"%PDF-1.4\n" + os.urandom(500), "not a valid"),
        "Huge Scan.pdf": (b"%PDF-1.4\n" + bytes(300_000), "size limit"),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/nothing.xml", "<x/>")
    files["QP-14 Zip Without Parts.docx"] = (buffer.getvalue(), "not a valid")
    for name, (data, _) in files.items():
        (root / name).write_bytes(data)
    make_calibration_log(root / "Calibration Log.xlsx")
    make_procedure(root / "QP-01 Good.docx", "QP-01", "2027-01-01")
    return {name: word for name, (_, word) in files.items()}


@pytest.mark.parametrize("jobs", [1, 2])
def test_folder_of_bad_files_gives_one_warning_each_and_no_crash(tmp_path: Path, jobs: int) -> None:
    root = tmp_path / "share"
    expected = bad_files(root)
    collection = run(root, jobs=jobs, limit=200_000)
    warned = warnings_by_locator(collection)
    assert set(warned) == set(expected)
    for name, word in expected.items():
        assert word in warned[name].lower(), (name, warned[name])
    paths = {item.provenance.locator.path for item in collection.items}
    assert paths == {"Calibration Log.xlsx", "QP-01 Good.docx"}
    assert collection.stats["failed"] == len(expected) - 1 and collection.stats["skipped"] == 1


def test_size_limit_as_a_source_option(tmp_path: Path) -> None:
    root = tmp_path / "share"
    root.mkdir()
    make_calibration_log(root / "Calibration Log.xlsx")
    size = (root / "Calibration Log.xlsx").stat().st_size
    collection = run(root, max_file_size="1KB")
    assert warnings_by_locator(collection) == {
        "Calibration Log.xlsx": f"skipped: {size} bytes is over the size limit of 1000 bytes (max_file_size)"
    }
    assert len(run(root, max_file_size="1MiB").items) == 2


def test_command_line_size_limit_wins_over_the_source_option(tmp_path: Path) -> None:
    root = tmp_path / "share"
    root.mkdir()
    make_calibration_log(root / "Calibration Log.xlsx")
    assert len(run(root, limit=1000, max_file_size="1MiB").warnings) == 1
    assert len(run(root, max_file_size="1MiB").warnings) == 0
