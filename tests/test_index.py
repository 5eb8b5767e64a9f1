"""The evidence index: a rescan re-reads only what changed, and gives exactly what a full scan gives."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import ClassifyOverride, ScanConfig, SourceConfig
from qmscheck.model.cached_files import FileEntry
from qmscheck.model.collection import Collection
from qmscheck.plugins.manager import load_plugins
from qmscheck.support.tuning import Tuning
from test_filesystem_connector import make_calibration_log, make_procedure

ROOT = Path(__file__).resolve().parents[1]
ACME_SHARE = ROOT / "fixtures" / "acme" / "share"


def build_share(tmp_path: Path) -> Path:
    root = tmp_path / "share"
    (root / "procs").mkdir(parents=True)
    make_procedure(root / "procs" / "QP-01 Document Control.docx", "QP-01", "2027-01-01")
    make_procedure(root / "procs" / "QP-02 Purchasing.docx", "QP-02", "2027-02-01")
    make_calibration_log(root / "Calibration Log.xlsx")
    (root / "Training Matrix.csv").write_text("Employee,Course,Completed\nA. Person,ISO 9001,2025-01-10\n")
    (root / "notes.md").write_text("---\ntitle: Quality Policy\nrevision: C\n---\nWe do quality.\n")
    (root / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    return root


def run(
    root: Path,
    index: Path | None,
    *,
    full: bool = False,
    jobs: int = 1,
    classify: list[ClassifyOverride] | None = None,
    tuning: Tuning | None = None,
) -> Collection:
    config = ScanConfig(
        sources=[SourceConfig(connector="filesystem", path=str(root))], classify=classify or [], base_dir=root.parent
    )
    options = CollectOptions(index=index, full=full, jobs=jobs, tuning=tuning or Tuning())
    return collect(config, load_plugins(entry_points=False), options)


#: Every share the index holds is large (acme is small): its workers start while it is listed, and
#: every file it lists is looked at before the listing.
AS_IF_LARGE = Tuning(warm_workers_at=1, early_bytes=1)


def same(a: Collection, b: Collection) -> None:
    assert [item.model_dump() for item in a.items] == [item.model_dump() for item in b.items]
    assert a.warnings == b.warnings
    assert a.sources == b.sources


def bump(path: Path) -> None:
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))


def test_rescan_reads_only_the_changed_file_and_equals_a_full_scan(tmp_path: Path) -> None:
    root = build_share(tmp_path)
    index = tmp_path / "state" / "index.sqlite"
    first = run(root, index)
    assert first.stats["extracted"] == 5 and first.stats["failed"] == 1 and first.stats["reused"] == 0
    assert index.is_file()

    second = run(root, index)
    assert (second.stats["reused"], second.stats["extracted"], second.stats["failed"]) == (5, 0, 1)
    same(first, second)

    make_procedure(root / "procs" / "QP-02 Purchasing.docx", "QP-02", "2028-02-01")
    bump(root / "procs" / "QP-02 Purchasing.docx")
    third = run(root, index)
    assert (third.stats["reused"], third.stats["extracted"]) == (4, 1)
    changed = next(item for item in third.items if item.id.endswith("QP-02 Purchasing.docx"))
    assert changed.dates.next_review is not None and changed.dates.next_review.year == 2028
    same(third, run(root, None))  # no index at all: the same evidence


def test_touched_but_unchanged_file_is_hashed_not_parsed(tmp_path: Path) -> None:
    root = build_share(tmp_path)
    index = tmp_path / "index.sqlite"
    first = run(root, index)
    bump(root / "Calibration Log.xlsx")
    second = run(root, index)
    assert (second.stats["rehashed"], second.stats["extracted"], second.stats["reused"]) == (1, 0, 4)
    same(first, second)
    third = run(root, index)  # the new mtime was remembered
    assert (third.stats["rehashed"], third.stats["reused"]) == (0, 5)


def test_deleted_and_added_files(tmp_path: Path) -> None:
    root = build_share(tmp_path)
    index = tmp_path / "index.sqlite"
    run(root, index)
    (root / "notes.md").unlink()
    make_procedure(root / "procs" / "QP-03 Audit.docx", "QP-03", "2027-03-01")
    rescan = run(root, index)
    assert (rescan.stats["reused"], rescan.stats["extracted"]) == (4, 1)
    ids = {item.id for item in rescan.items}
    assert "filesystem:notes.md" not in ids and "filesystem:procs/QP-03 Audit.docx" in ids
    same(rescan, run(root, None))


def test_full_and_changed_classification_read_everything_again(tmp_path: Path) -> None:
    root = build_share(tmp_path)
    index = tmp_path / "index.sqlite"
    run(root, index)
    assert run(root, index, full=True).stats["extracted"] == 5
    override = [ClassifyOverride(pattern="procs/QP-01*", type="work_instruction")]
    reclassified = run(root, index, classify=override)
    assert reclassified.stats["extracted"] == 5
    assert {i.type for i in reclassified.items if i.id.endswith("QP-01 Document Control.docx")} == {"work_instruction"}
    with sqlite3.connect(index) as db:  # the entries made under the other classification are gone
        assert db.execute("SELECT COUNT(DISTINCT fingerprint), COUNT(*) FROM files").fetchone() == (1, 5)
    assert run(root, index, classify=override).stats["reused"] == 5
    # A file deleted while the classification changes: its entry, made under the other one, goes too.
    (root / "notes.md").unlink()
    assert run(root, index).stats["extracted"] == 4
    with sqlite3.connect(index) as db:
        assert db.execute("SELECT COUNT(DISTINCT fingerprint), COUNT(*) FROM files").fetchone() == (1, 4)


def test_parallel_extraction_gives_the_same_evidence_in_the_same_order(tmp_path: Path) -> None:
    share = tmp_path / "acme"
    shutil.copytree(ACME_SHARE, share)
    in_process = run(share, None, jobs=1)
    parallel = run(share, None, jobs=2)
    same(in_process, parallel)
    assert len(in_process.items) > 50


def test_acme_rescan_from_the_index_equals_a_full_scan(tmp_path: Path) -> None:
    share = tmp_path / "acme"
    shutil.copytree(ACME_SHARE, share)
    index = tmp_path / "index.sqlite"
    full = run(share, index, jobs=2)
    rescan = run(share, index)
    assert rescan.stats["extracted"] == 0 and rescan.stats["reused"] == full.stats["extracted"]
    same(full, rescan)


def test_a_rescan_with_workers_started_while_listing_equals_a_full_scan(tmp_path: Path) -> None:
    share = tmp_path / "acme"
    shutil.copytree(ACME_SHARE, share)
    for number in range(20):
        (share / f"WI-{number:02} Note.md").write_text(f"---\ntitle: Work instruction {number}\n---\nSteps.\n")
    index = tmp_path / "index.sqlite"
    run(share, index, jobs=2)
    warm = Tuning(warm_workers_at=1)  # acme is small: start them all the same
    changed = sorted(share.glob("*.md"))
    for path in changed:
        path.write_text(path.read_text() + "\nRevised.\n")
    rescan = run(share, index, jobs=2, tuning=warm)
    assert rescan.stats["workers_started_warm"] == 1 and rescan.stats["extracted"] == len(changed) >= 20
    same(rescan, run(share, None))
    again = run(share, index, jobs=2, tuning=warm)  # workers started, none needed: shut down
    assert (again.stats["workers_started_warm"], again.stats["extracted"]) == (1, 0)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.mark.parametrize("with_config", [False, True])
def test_cli_never_writes_into_the_evidence_folder(tmp_path: Path, with_config: bool) -> None:
    org = tmp_path / "org"
    root = build_share(org)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    if with_config:
        (org / "qmscheck.toml").write_text('[[sources]]\nconnector = "filesystem"\npath = "share"\n')
    before = snapshot(root)
    target = org if with_config else root
    for extra in ([], ["--verbose"]):
        result = subprocess.run(
            [sys.executable, "-m", "qmscheck", "scan", str(target), "--format", "json", "--fail-on", "never", *extra],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env=env,
        )
        assert result.returncode == 0, result.stderr
    assert snapshot(root) == before
    assert "5 reused" in result.stderr and "0 extracted" in result.stderr
    # Nor beside a qmscheck.toml found in the scanned folder: that may be evidence too (docs/security.md).
    assert not (org / ".qmscheck").exists()
    assert list((tmp_path / "cache" / "qmscheck").glob(f"{'org' if with_config else 'share'}-*/index.sqlite"))


def test_cli_index_options(tmp_path: Path) -> None:
    root = build_share(tmp_path)
    index = tmp_path / "elsewhere" / "my.sqlite"

    def scan(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "qmscheck", "scan", str(root), "--fail-on", "never", "-v", *args],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    assert "5 extracted" in scan("--index", str(index)).stderr
    assert "5 reused" in scan("--index", str(index)).stderr
    assert "5 extracted" in scan("--index", str(index), "--full").stderr
    result = scan("--no-index", "--jobs", "1")
    assert "evidence index: off" in result.stderr and "5 extracted" in result.stderr
    both = scan("--no-index", "--index", str(index))
    assert both.returncode == 2 and "either --index or --no-index" in both.stderr
    bad = scan("--max-file-size", "lots")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    "damage",
    [
        "payload = x'00ff'",
        # Still zlib data, so only the checksum tells: a rescan does not decompress every entry.
        "payload = zlib_of_other_items",
        "payload = 'not bytes at all'",
        "seal = x'00'",
        "sha256 = 'another'",
        "size = size + 1",
        # Out of its place in evidence order, which a rescan takes from the index.
        "ordering = 'a'",
        "ordering = 5",
    ],
)
def test_damaged_index_entry_is_read_again(tmp_path: Path, damage: str) -> None:
    import sqlite3
    import zlib

    root = build_share(tmp_path)
    index = tmp_path / "index.sqlite"
    first = run(root, index)
    with sqlite3.connect(index) as db:
        other = db.execute("SELECT payload FROM files WHERE location = 'Training Matrix.csv'").fetchone()[0]
        assert zlib.decompress(other)
        db.execute(
            f"UPDATE files SET {damage.replace('zlib_of_other_items', '?')} WHERE location = 'notes.md'",
            (other,) if "zlib_of_other_items" in damage else (),
        )
    again = run(root, index)
    assert (again.stats["reused"], again.stats["extracted"]) == (4, 1)
    said = [w for w in again.warnings if w.connector == "qmscheck"]
    assert [w.message.split(" did not verify")[0] for w in said] == ["1 file entries stored in the evidence index"]
    again.warnings.remove(said[0])
    same(first, again)
    assert run(root, index).stats["reused"] == 5


@pytest.mark.parametrize("stamp", ["UPDATE meta SET value = '4'", "DELETE FROM meta"])
def test_an_index_of_another_layout_is_started_afresh(tmp_path: Path, stamp: str) -> None:
    import sqlite3

    root = build_share(tmp_path)
    index = tmp_path / "index.sqlite"
    first = run(root, index)
    with sqlite3.connect(index) as db:  # the layout of schema 4: no ordering
        db.execute("ALTER TABLE files DROP COLUMN ordering")
        db.execute(stamp)
    again = run(root, index)
    assert (again.stats["reused"], again.stats["extracted"]) == (0, 5)
    same(first, again)
    assert run(root, index).stats["reused"] == 5
    with sqlite3.connect(index) as db:
        assert "ordering" in {row[1] for row in db.execute("PRAGMA table_info(files)")}


def test_large_files_that_changed_are_read_before_the_share_is_listed(tmp_path: Path) -> None:
    share = tmp_path / "acme"
    shutil.copytree(ACME_SHARE, share)
    outside = tmp_path / "outside.md"
    outside.write_text("---\ntitle: Not part of the share\n---\n")
    index = tmp_path / "index.sqlite"
    run(share, index, jobs=2)
    documents = sorted(path for path in share.rglob("*.docx") if path.is_file())
    changed, vanished, linked = documents[0], documents[1], documents[2]
    changed.write_bytes(changed.read_bytes())  # same bytes, new mtime: rehashed, its entry reused
    bump(changed)
    registers = sorted(share.rglob("*.xlsx"))
    edited = registers[0]
    make_calibration_log(edited)
    vanished.unlink()
    linked.unlink()
    linked.symlink_to(outside)  # a link out of the share: never read, not even early
    rescan = run(share, index, jobs=2, tuning=AS_IF_LARGE)
    # Read early: the changed document and the edited register; not the vanished one, nor the link.
    assert (rescan.stats["read_early"], rescan.stats["rehashed"], rescan.stats["extracted"]) == (2, 1, 1)
    same(rescan, run(share, None))
    assert "Not part of the share" not in {item.title for item in rescan.items}
    # The early stat is what the index keeps: the next rescan reads nothing.
    again = run(share, index, jobs=2, tuning=AS_IF_LARGE)
    assert (again.stats["read_early"], again.stats["extracted"]) == (0, 0)


def test_a_file_read_early_but_no_longer_listed_is_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qmscheck.collecting.connectors.tree import LocalTree

    root = build_share(tmp_path)
    index = tmp_path / "index.sqlite"
    run(root, index, jobs=2)
    log = root / "Calibration Log.xlsx"
    make_calibration_log(log)
    bump(log)
    real_walk = LocalTree.walk

    def walk_without_the_log(self: LocalTree) -> object:
        # The log vanishes between the early look and the listing.
        return (found for found in real_walk(self) if found.relative != "Calibration Log.xlsx")

    # The one way to make a file vanish between two steps of one scan: the walk is the listing.
    monkeypatch.setattr(LocalTree, "walk", walk_without_the_log)
    rescan = run(root, index, jobs=2, tuning=AS_IF_LARGE)
    assert rescan.stats["read_early"] == 1
    assert rescan.stats["extracted"] == 0 and rescan.stats["files"] == 5
    assert not any("Calibration Log" in (item.provenance.locator.path or "") for item in rescan.items)


def test_a_trees_stat_answers_only_for_what_its_walk_lists(tmp_path: Path) -> None:
    from qmscheck.collecting.connectors.tree import LocalTree

    root = tmp_path / "root"
    (root / "folder").mkdir(parents=True)
    (root / "folder" / "file.txt").write_text("x")
    (tmp_path / "outside.txt").write_text("y")
    (root / "out").symlink_to(tmp_path / "outside.txt")
    (root / "in").symlink_to(root / "folder" / "file.txt")
    (root / "away").symlink_to(tmp_path)
    tree = LocalTree(root)
    listed = {found.relative: found for found in tree.walk()}
    assert tree.stat("folder/file.txt") == listed["folder/file.txt"]
    assert tree.stat("in") == listed["in"]
    for relative in ("out", "away/outside.txt", "folder", "missing.txt"):
        assert tree.stat(relative) is None, relative


def test_the_index_tells_whether_it_holds_enough_files_and_which_are_large(tmp_path: Path) -> None:
    from qmscheck.storage.index import EvidenceIndex

    index = EvidenceIndex(tmp_path / "index.sqlite")
    for number in range(3):
        index.put(FileEntry("src", f"f{number}.md", 1, 1, "sha", "fp", b"x", "[]", 1, "[]", "[]", "o"))
    index.put(FileEntry("src", "other.md", 1, 1, "sha", "another fingerprint", b"x", "[]", 1, "[]", "[]", "o"))
    index.flush()
    assert index.holds("src", "fp", 3) and not index.holds("src", "fp", 4)
    assert not index.holds("elsewhere", "fp", 1) and index.holds("src", "another fingerprint", 1)
    assert not EvidenceIndex(None).holds("src", "fp", 1)
    index.put(FileEntry("src", "large.csv", 5_000_000, 1, "sha", "fp", b"x", "[]", 1, "[]", "[]", "o"))
    index.flush()
    assert list(index.listing("src", "fp", at_least=4_000_000)) == ["large.csv"]
    assert len(index.listing("src", "fp")) == 4
    index.close()
