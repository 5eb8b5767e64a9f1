"""The per-file budget of parsing (issue 23.2): a file that runs past the time or memory a worker
may spend on it is stopped and becomes a warning naming the limit, the files beside it are read,
and the scan goes on; a worker killed from outside costs no file."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import ScanConfig, SourceConfig
from qmscheck.model.collection import Collection
from qmscheck.plugins.manager import load_plugins
from qmscheck.support.tuning import Tuning

#: Both ways a scan reads: one watched worker process, and a pool of two (small_batch=1 sends even
#: a handful of files to the pool).
WAYS = [pytest.param(1, {}, id="one-worker"), pytest.param(2, {"small_batch": 1}, id="pool")]
SMALL = 8


def share(tmp_path: Path, rows: int) -> Path:
    """A training register of ``rows`` rows (a few seconds' parsing per 100,000 rows, and memory
    to match) beside a few small procedures."""
    root = tmp_path / "share"
    root.mkdir()
    with (root / "Training Matrix.csv").open("w") as handle:
        handle.write("Employee,Course,Completed,Trainer,Notes\n")
        handle.writelines(
            f"Person {n},ISO 9001 course {n % 50},2025-01-{n % 28 + 1:02},Trainer {n % 7},note {n}\n"
            for n in range(rows)
        )
    for number in range(SMALL):
        (root / f"QP-{number:02} Procedure.md").write_text(
            f"---\ntitle: Procedure {number}\nrevision: A\n---\nSteps.\n"
        )
    return root


def scan(root: Path, jobs: int, tuning: Tuning) -> Collection:
    config = ScanConfig(sources=[SourceConfig(connector="filesystem", path=str(root))], base_dir=root.parent)
    return collect(config, load_plugins(entry_points=False), CollectOptions(index=None, jobs=jobs, tuning=tuning))


def procedures(collection: Collection) -> list[str]:
    return sorted(item.title or "" for item in collection.items if (item.title or "").startswith("Procedure"))


@pytest.mark.parametrize(("jobs", "tuning"), WAYS)
def test_a_file_past_the_time_budget_is_stopped_and_the_others_are_read(
    tmp_path: Path, jobs: int, tuning: dict[str, int]
) -> None:
    root = share(tmp_path, 300_000)
    started = time.monotonic()
    collection = scan(root, jobs, Tuning(file_seconds=1, **tuning))
    assert time.monotonic() - started < 30  # the register alone takes longer than that to parse
    assert procedures(collection) == [f"Procedure {n}" for n in range(SMALL)]
    assert not any(item.locator.startswith("Training Matrix.csv") for item in collection.items)
    assert {w.locator: w.message for w in collection.warnings} == {
        "Training Matrix.csv": "stopped after 1 s, the per-file time budget"
    }


@pytest.mark.parametrize(("jobs", "tuning"), WAYS)
def test_a_file_past_the_memory_budget_is_stopped_and_the_others_are_read(
    tmp_path: Path, jobs: int, tuning: dict[str, int]
) -> None:
    root = share(tmp_path, 300_000)
    collection = scan(root, jobs, Tuning(file_memory=192 * 1024**2, **tuning))
    assert procedures(collection) == [f"Procedure {n}" for n in range(SMALL)]
    [warning] = collection.warnings
    assert warning.locator == "Training Matrix.csv" and warning.unread
    assert "192 MiB per-file memory budget" in warning.message


@pytest.mark.parametrize(("jobs", "tuning"), WAYS)
def test_a_worker_killed_mid_scan_costs_no_file(tmp_path: Path, jobs: int, tuning: dict[str, int]) -> None:
    """SIGKILL to every worker process while the register is being parsed: what was in flight is
    read again, and the scan gives everything."""
    root = share(tmp_path, 100_000)
    killed: list[int] = []

    def kill_workers() -> None:
        deadline = time.monotonic() + 20
        while not killed and time.monotonic() < deadline:
            time.sleep(0.5)
            for child in multiprocessing.active_children():
                os.kill(child.pid or 0, signal.SIGKILL)
                killed.append(child.pid or 0)

    killer = threading.Thread(target=kill_workers)
    killer.start()
    collection = scan(root, jobs, Tuning(**tuning))
    killer.join()
    assert killed
    assert collection.warnings == []
    assert procedures(collection) == [f"Procedure {n}" for n in range(SMALL)]
    rows = [item for item in collection.items if item.locator.startswith("Training Matrix.csv")]
    assert len(rows) == 100_000
