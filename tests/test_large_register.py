"""A register larger than one part (``Tuning.part_items`` rows) is checked part by part, with the same findings."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from qmscheck.collecting.connectors import filesystem
from qmscheck.collecting.run import CollectOptions
from qmscheck.model.report import Report
from qmscheck.scan import ScanRequest, scan
from qmscheck.support.tuning import Tuning

ROWS = 2_500
#: Parts of 1,000 rows: the log is three parts.
IN_PARTS = Tuning(part_items=1_000)
AS_OF = date(2026, 3, 31)


def write_share(root: Path, rows: int) -> None:
    (root / "share" / "Records").mkdir(parents=True, exist_ok=True)
    (root / "qmscheck.toml").write_text('[[sources]]\nconnector = "filesystem"\npath = "share"\n')
    lines = ["Gauge ID,Description,Status,Last Calibrated,Next Due,Certificate No"]
    for n in range(rows):
        # Every 97th instrument is overdue, in every part of the log; every 89th lacks a certificate.
        due = AS_OF - timedelta(days=10) if n % 97 == 0 else AS_OF + timedelta(days=200)
        certificate = "" if n % 89 == 0 else f"C-{n}"
        lines.append(
            f"G-{n:05d},Gauge {n},In use,{(due - timedelta(days=365)).isoformat()},{due.isoformat()},{certificate}"
        )
    (root / "share" / "Records" / "Calibration Log.csv").write_text("\n".join(lines) + "\n")


def run(root: Path, index: Path | None, tuning: Tuning = IN_PARTS) -> Report:
    return scan(ScanRequest(target=root, collect=CollectOptions(index=index, jobs=1, tuning=tuning), as_of=AS_OF))


def whole(root: Path) -> Report:
    """The report of a scan that reads the log in one piece, without an index."""
    return run(root, None, Tuning(part_items=10 * ROWS))


@pytest.fixture
def share(tmp_path: Path) -> Path:
    root = tmp_path / "org"
    write_share(root, ROWS)
    return root


def test_a_register_in_parts_gives_the_findings_it_gives_whole(share: Path, tmp_path: Path) -> None:
    in_one_piece = whole(share)
    cited = {ref.id for finding in in_one_piece.findings for ref in finding.evidence}
    assert len(cited) > 40  # overdue and uncertified instruments from every part of the log
    options = CollectOptions(index=tmp_path / "index.sqlite", jobs=1, tuning=IN_PARTS)
    in_parts = scan(ScanRequest(target=share, collect=options, as_of=AS_OF))
    assert options.stats["groups_summarised"] == 3  # 2,500 rows in parts of 1,000
    assert in_parts.model_dump_json() == in_one_piece.model_dump_json()
    # Cached parts (a rescan) and a log that grew by a row: still what a scan of it in one piece gives.
    assert run(share, tmp_path / "index.sqlite").model_dump_json() == in_one_piece.model_dump_json()
    write_share(share, ROWS + 1)
    options = CollectOptions(index=tmp_path / "index.sqlite", jobs=1, tuning=IN_PARTS)
    grown = scan(ScanRequest(target=share, collect=options, as_of=AS_OF))
    # Only the last part has other items: the first two keep their summaries, and what they cite
    # carries the log's new sha256 (the comparison below would show a stale one).
    assert options.stats["groups_summarised"] == 1
    assert grown.model_dump_json() == whole(share).model_dump_json()


def test_an_index_written_in_parts_of_another_size_is_read_afresh(share: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    run(share, index)
    # 2,500 rows are three parts of 1,000 and of 900 alike: the stored parts are not those of 900.
    options = CollectOptions(index=index, jobs=1, tuning=Tuning(part_items=900))
    other = scan(ScanRequest(target=share, collect=options, as_of=AS_OF))
    assert (options.stats["extracted"], options.stats["reused"]) == (1, 0)
    assert other.model_dump_json() == whole(share).model_dump_json()


def test_findings_citing_a_register_whose_rows_stand_cite_its_new_digest_without_being_made_again(
    share: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index.sqlite"
    first = run(share, index)
    log = share / "share" / "Records" / "Calibration Log.csv"
    with log.open("a") as handle:
        handle.write("\n")  # other bytes, the same rows
    options = CollectOptions(index=index, jobs=1, tuning=IN_PARTS)
    again = scan(ScanRequest(target=share, collect=options, as_of=AS_OF))
    assert options.stats["groups_summarised"] == 0 and options.stats["rules_refreshed"] >= 2
    assert options.stats["rules_kept"] == options.stats["rules_evaluated"]  # none made again
    digests = {ref.sha256 for finding in again.findings for ref in finding.evidence}
    assert len(digests) == 1 and digests != {ref.sha256 for finding in first.findings for ref in finding.evidence}
    assert again.model_dump_json() == whole(share).model_dump_json()


def test_a_damaged_part_says_how_to_recover() -> None:
    from qmscheck.errors import QmscheckError

    with pytest.raises(QmscheckError, match="scan again with --full"):
        filesystem._load_part("k", b"not zlib", 0, 10)


@pytest.mark.parametrize("parts", ['["one digest too few"]', "not json", "[1, 2, 3]"])
def test_damaged_content_digests_of_parts_make_the_register_read_again(share: Path, tmp_path: Path, parts: str) -> None:
    import sqlite3

    index = tmp_path / "index.sqlite"
    first = run(share, index)
    with sqlite3.connect(index) as db:
        assert len(db.execute("SELECT parts FROM files").fetchone()[0]) > 40  # three digests stored
        db.execute("UPDATE files SET parts = ?", (parts,))
    options = CollectOptions(index=index, jobs=1, tuning=IN_PARTS)
    again = scan(ScanRequest(target=share, collect=options, as_of=AS_OF))
    assert (options.stats["extracted"], options.stats["reused"]) == (1, 0)
    # The damaged entry's seal no longer verifies: the report says so, and is otherwise the full scan's.
    said = [w for w in again.warnings if "file entries stored in the evidence index did not verify" in w.message]
    assert len(said) == 1, again.warnings
    rest = again.model_copy(update={"warnings": [w for w in again.warnings if w not in said]})
    assert rest.model_dump_json() == first.model_dump_json()
