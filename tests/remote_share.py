"""What every network-share test asserts: a scan through the share equals a local scan of the same files."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import load_config
from qmscheck.model.collection import Collection
from qmscheck.plugins.manager import load_plugins
from qmscheck.scan import ScanRequest, scan
from qmscheck.testing import stop_process, wait_until_listening

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"


def acme_config(tmp_path: Path, source_lines: str) -> Path:
    """acme's qmscheck.toml in a new folder, its share read from where ``source_lines`` say."""
    folder = tmp_path / "org"
    folder.mkdir()
    text = (ACME / "qmscheck.toml").read_text()
    assert 'path = "share"' in text
    (folder / "qmscheck.toml").write_text(text.replace('path = "share"', source_lines))
    return folder / "qmscheck.toml"


def comparable(collection: Collection) -> list[dict[str, object]]:
    """Items as data, without the one field that names where they were read from."""
    items = []
    for item in collection.items:
        data = item.model_dump()
        data["provenance"].pop("source")
        items.append(data)
    return items


def assert_same_as_local(config_path: Path, location: str, index: Path, server_log: str = "") -> None:
    """A scan of acme's share through ``config_path`` (a served copy) gives acme's local evidence and
    findings, and a rescan through the share reuses every file (sizes and times come through intact)."""
    plugins = load_plugins(entry_points=False)
    remote = collect(load_config(config_path), plugins, CollectOptions(index=index, jobs=2))
    local = collect(load_config(ACME), plugins)
    assert remote.warnings == local.warnings == [], server_log[-800:]
    assert [(item.id, item.type) for item in remote.items] == [(item.id, item.type) for item in local.items]
    assert comparable(remote) == comparable(local)
    assert remote.sources[0].location == location
    assert remote.stats["extracted"] == remote.stats["files"] == len(local.sources) * local.stats["extracted"]

    rescan = collect(load_config(config_path), plugins, CollectOptions(index=index, jobs=1))
    assert (rescan.stats["reused"], rescan.stats["extracted"]) == (remote.stats["files"], 0)
    assert comparable(rescan) == comparable(local)

    remote_report = scan(ScanRequest(target=config_path), plugins)
    local_report = scan(ScanRequest(target=ACME), plugins)
    assert remote_report.summary == local_report.summary
    assert [(f.rule_id, f.grade, [e.locator for e in f.evidence]) for f in remote_report.findings] == [
        (f.rule_id, f.grade, [e.locator for e in f.evidence]) for f in local_report.findings
    ]


def qmscheck_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The command line, as a user runs it, in its own process with ``env``."""
    return subprocess.run(
        [sys.executable, "-m", "qmscheck", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@contextmanager
def served(
    name: str,
    command: list[str],
    port: int,
    log_path: Path,
    unavailable: Callable[[str], object],
    env: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` running as a server on 127.0.0.1:``port`` (its output in ``log_path``) until the block
    ends; ``unavailable`` (pytest.fail or pytest.skip) is told why when it does not start listening.
    The block gets the server's process (a test that drops connections finds its children)."""
    with log_path.open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            problem = wait_until_listening(process, port)
            if problem is not None:
                unavailable(f"{name}: {problem}: {log_path.read_text()[-800:]}")
            yield process
        finally:
            stop_process(process)
