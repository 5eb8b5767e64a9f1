"""A worker reading a large file classifies and writes its items ahead of the parent process,
which takes them only when it classifies every unit the same way (connectors.unit_classes)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from qmscheck.collecting.classification import Candidate, Classification
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import load_config
from qmscheck.hookspecs import hookimpl
from qmscheck.model.evidence import Kind
from qmscheck.plugins.manager import load_plugins
from qmscheck.scan import ScanRequest, scan
from qmscheck.support.tuning import Tuning

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    org = tmp_path / "acme"
    shutil.copytree(ROOT / "fixtures" / "acme", org, ignore=shutil.ignore_patterns(".qmscheck"))
    return org


def _stored(index: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(index) as db:
        return db.execute(
            "SELECT location, sha256, payload, types, count, warnings, parts, ordering FROM files ORDER BY location"
        ).fetchall()


def test_what_workers_write_ahead_is_what_the_parent_writes(acme: Path, tmp_path: Path) -> None:
    # Every file the parent's to write, then every file ahead, documents and workbooks alike;
    # registers in parts (the workers are told the size).
    with (acme / "qmscheck.toml").open("a", encoding="utf-8") as config:  # the workers apply the tables too
        config.write('\n[[classify]]\npattern = "*Calibration*"\ntype = "maintenance_record"\n')
    reports, stats = [], []
    for name, ahead_bytes in (("parent", 2**62), ("ahead", 0)):
        tuning = Tuning(ahead_bytes=ahead_bytes, part_items=3)
        options = CollectOptions(index=tmp_path / f"index-{name}.sqlite", jobs=2, tuning=tuning)
        reports.append(scan(ScanRequest(target=acme, collect=options)).model_dump_json())
        stats.append(options.stats)
    assert stats[0]["classified_ahead"] == 0  # no file large enough: the parent classified and wrote each
    assert stats[1]["classified_ahead"] == stats[1]["extracted"] > 20
    assert reports[0] == reports[1]
    stored = _stored(tmp_path / "index-parent.sqlite")
    assert stored == _stored(tmp_path / "index-ahead.sqlite")
    assert any(parts != "[]" for *_, parts, _ in stored)  # some registers were stored in parts
    assert any("maintenance_record" in str(types) for _, _, _, types, *_ in stored)  # as the table says


class CalibrationAsMaintenance:
    """A classifier the workers do not have: registered in the parent process only."""

    @hookimpl(tryfirst=True)
    def qmscheck_classify(self, candidate: Candidate) -> Classification | None:
        if "calibration" in candidate.name.lower():
            return Classification("maintenance_record", Kind.RECORD, "test plugin")
        return None


def test_the_parent_reads_a_file_again_when_its_workers_classify_otherwise(acme: Path) -> None:
    config = load_config(acme)
    plugins = load_plugins([CalibrationAsMaintenance()])
    options = CollectOptions(jobs=2, tuning=Tuning(ahead_bytes=0))
    collection = collect(config, plugins, options)
    calibration = [item for item in collection.items if "Calibration" in item.id]
    assert calibration and {item.type for item in calibration} == {"maintenance_record"}
    assert 0 < options.stats["classified_ahead"] < options.stats["extracted"]
    alone = collect(config, plugins, CollectOptions(jobs=1))
    assert [item.model_dump_json() for item in collection.items] == [item.model_dump_json() for item in alone.items]
    assert collection.warnings == alone.warnings


def test_a_worker_that_cannot_write_ahead_leaves_the_file_to_the_parent() -> None:
    from qmscheck.collecting.connectors import worker
    from qmscheck.collecting.connectors.unit_classes import Ahead

    # A unit whose items and dated attributes disagree cannot be written: the parent reads it again.
    unit = worker.Unit("Calibration Log", True, None, ("Gauge ID",), ("gauge_id",), items=['{"id":"x"}'], dates=[])
    outcome = worker.Outcome("Calibration Log.csv", sha256="s", size=1, units=[unit])
    worker._prepare(outcome, Ahead((), "fp", 10))
    assert outcome.prepared is None and unit.items == ['{"id":"x"}']  # sent as read, for the parent
