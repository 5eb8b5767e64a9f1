"""The Dask executor on a real cluster on loopback: a scan through it gives the local executor's
report, byte for byte, even when a worker is killed in the middle; without Dask installed,
asking for it is a usage error naming the extra."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from qmscheck.collecting.connectors.tree import FsspecTree
from qmscheck.collecting.connectors.worker import Task, run_tasks
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import ScanConfig, SourceConfig, load_config
from qmscheck.errors import ConfigError, QmscheckError
from qmscheck.plugins.manager import load_plugins
from qmscheck.rendering.json import JsonRenderer
from qmscheck.rendering.text import TextRenderer
from qmscheck.scan import ScanRequest, scan
from qmscheck.support.executors import DaskExecutor
from qmscheck.support.progress import NullProgress, Progress
from qmscheck.support.tuning import Tuning

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"
AS_OF = date(2026, 3, 31)
JSON_AS_OF = ("--as-of", "2026-03-31", "--format", "json")
#: Small sizes, so that a few hundred files take the paths of a large share: many batches of files,
#: and summarising in batches on the workers rather than in this process.
SMALL = Tuning(batch_items=20, parallel_items=0, small_batch=0, part_items=500)


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskExecutor]:
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local,
        distributed.Client(local) as client,
    ):
        yield DaskExecutor(client, "a test cluster")


@pytest.fixture(scope="module")
def share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated organisation of 300 documents and 3,000 register rows."""
    out = tmp_path_factory.mktemp("generated")
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(out), "--files", "300", "--rows", "3000"],
        check=True,
        capture_output=True,
    )
    return out


def _reports(target: Path, executor: DaskExecutor | None, progress: Progress | None = None) -> tuple[str, str]:
    options = CollectOptions(jobs=2, tuning=SMALL, executor=executor, progress=progress or NullProgress())
    report = scan(ScanRequest(target=target, as_of=AS_OF, collect=options))
    return JsonRenderer().render(report), TextRenderer().render(report)


@pytest.mark.parametrize("target", ["acme", "generated"])
def test_a_scan_on_dask_gives_the_local_report_byte_for_byte(
    cluster: DaskExecutor, share: Path, target: str, tmp_path: Path
) -> None:
    folder = tmp_path / target
    shutil.copytree(ACME if target == "acme" else share, folder)
    local = _reports(folder, None)
    with distributed.get_task_stream(client=cluster.client) as stream:
        remote = _reports(folder, cluster)
    assert remote[0] == local[0]  # JSON
    assert remote[1] == local[1]  # text
    # The work went to the cluster: both stages' tasks ran there (Dask's own record of them).
    ran = {str(event["key"]).rpartition("-")[0] for event in stream.data}
    assert {"_process_batch", "_summarise_task"} <= ran


def test_a_worker_killed_mid_scan_loses_nothing(cluster: DaskExecutor, share: Path, tmp_path: Path) -> None:
    folder = tmp_path / "generated"
    shutil.copytree(share, folder)
    local = _reports(folder, None)

    class KillAfter(NullProgress):
        """Kills one of the cluster's worker processes once some files have come back."""

        def __init__(self) -> None:
            self.done = 0
            self.killed: int | None = None

        def advance(self, count: int = 1) -> None:
            self.done += count
            if self.done == 40 and self.killed is None:
                pids = sorted(cluster.client.run(os.getpid).values())
                self.killed = pids[0]
                os.kill(self.killed, signal.SIGKILL)

    progress = KillAfter()
    remote = _reports(folder, cluster, progress)
    assert progress.killed is not None, "the scan read too few files for the test to kill a worker"
    assert remote == local
    # The killed worker is gone; the nanny started another in its place.
    cluster.client.wait_for_workers(2, timeout=60)
    assert progress.killed not in cluster.client.run(os.getpid).values()


def test_a_file_that_kills_its_workers_becomes_a_warning_and_the_others_are_read(tmp_path: Path) -> None:
    """The per-file time budget on Dask workers: a worker still parsing after it ends itself; the
    file, given up by the scheduler (``allowed-failures``: here at the first death), is a warning."""
    root = tmp_path / "share"
    root.mkdir()
    with (root / "Training Matrix.csv").open("w") as handle:  # several seconds' parsing
        handle.write("Employee,Course,Completed,Trainer,Notes\n")
        handle.writelines(
            f"Person {n},ISO 9001 course {n % 50},2025-01-{n % 28 + 1:02},T,n {n}\n" for n in range(300_000)
        )
    for number in range(8):
        (root / f"QP-{number:02} Procedure.md").write_text(
            f"---\ntitle: Procedure {number}\nrevision: A\n---\nSteps.\n"
        )
    config = ScanConfig(sources=[SourceConfig(connector="filesystem", path=str(root))], base_dir=tmp_path)
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local,
        distributed.Client(local) as client,
    ):
        options = CollectOptions(
            jobs=2, tuning=Tuning(file_seconds=1, small_batch=1), executor=DaskExecutor(client, "")
        )
        collection = collect(config, load_plugins(entry_points=False), options)
    titles = sorted(item.title or "" for item in collection.items)
    assert titles == [f"Procedure {n}" for n in range(8)]
    [warning] = collection.warnings
    assert warning.locator == "Training Matrix.csv"
    assert "after 1 s on one task, the time budget" in warning.message


def test_a_share_opened_with_a_password_is_not_sent_to_the_workers(cluster: DaskExecutor) -> None:
    """Its password would travel, pickled inside every task, to every worker."""
    tree = FsspecTree("memory://share", {"password": "correct-horse-battery"})
    with pytest.raises(QmscheckError, match="password or keys would travel"):
        list(run_tasks([Task(tree, "a.md", ".md")], 1, Tuning(), workers=cluster))


def test_asking_for_dask_without_it_installed_is_a_usage_error_naming_the_extra(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    shutil.copytree(ACME, folder)
    blocked = "import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None; "
    command = blocked + "from qmscheck.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", command, "scan", str(folder), "--no-index", "--executor", "dask"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "qmscheck[dask]" in result.stderr
    assert "Traceback" not in result.stderr


def test_importing_qmscheck_needs_no_dask() -> None:
    blocked = "import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None; "
    command = blocked + "import qmscheck.scan, qmscheck.cli, qmscheck.support.executors; print('ok')"
    result = subprocess.run([sys.executable, "-c", command], capture_output=True, text=True, check=False)
    assert result.stdout.strip() == "ok", result.stderr


def test_a_scheduler_is_a_power_an_untrusted_config_lacks(tmp_path: Path) -> None:
    (tmp_path / "qmscheck.toml").write_text(
        '[organisation]\nname = "Planted"\n\n[scan]\nscheduler = "tcp://203.0.113.9:8786"\n\n'
        '[[sources]]\nconnector = "filesystem"\npath = "."\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"scan\.scheduler"):
        load_config(tmp_path)
    assert load_config(tmp_path / "qmscheck.toml").scan.scheduler == "tcp://203.0.113.9:8786"  # named: trusted


def test_the_cli_sends_the_scan_to_a_scheduler(cluster: DaskExecutor, tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    shutil.copytree(ACME, folder)
    address = cluster.client.scheduler.address
    outputs = {}
    for name, extra in (("local", ["--jobs", "2"]), ("dask", ["--scheduler", address])):
        out = tmp_path / f"{name}.json"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "qmscheck",
                "scan",
                str(folder),
                "--no-index",
                *JSON_AS_OF,
                "-o",
                str(out),
                *extra,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode in (0, 1), result.stderr
        outputs[name] = out.read_bytes()
        if name == "dask":
            assert f"on the Dask scheduler at {address}" in result.stderr
    assert outputs["dask"] == outputs["local"]
