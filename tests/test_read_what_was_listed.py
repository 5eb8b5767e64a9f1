"""A scan reads what it listed, or nothing (issue 23.3, probes P12-P14): a file swapped for a link
out of the root, a FIFO or a device after the listing is refused without hanging, and the sha256 a
finding cites is the digest of the very bytes its items were parsed from."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import ScanConfig, SourceConfig
from qmscheck.model.collection import Collection
from qmscheck.plugins.manager import load_plugins
from qmscheck.support.progress import NullProgress
from qmscheck.support.tuning import Tuning

#: Both ways a scan reads: one watched worker process, and a pool of two (small_batch=1 sends even
#: a handful of files to the pool).
WAYS = [pytest.param(1, Tuning(), id="one-worker"), pytest.param(2, Tuning(small_batch=1), id="pool")]


class AfterListing(NullProgress):
    """Progress that runs ``change`` when the reading starts: the share is listed, nothing read."""

    def __init__(self, change: Callable[[], object]) -> None:
        self._change = change

    def start(self, label: str, total: int) -> None:
        if label.startswith("reading"):
            self._change()


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail, rather than hang the test run, if the block takes longer than ``seconds``."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def scan(root: Path, jobs: int, tuning: Tuning, change: Callable[[], object] = lambda: None) -> Collection:
    config = ScanConfig(sources=[SourceConfig(connector="filesystem", path=str(root))], base_dir=root.parent)
    options = CollectOptions(index=None, jobs=jobs, tuning=tuning, progress=AfterListing(change))
    with deadline(120):
        return collect(config, load_plugins(entry_points=False), options)


def document(title: str, body: str = "Steps.") -> str:
    return f"---\ntitle: {title}\nrevision: A\n---\n{body}\n"


def share(tmp_path: Path) -> Path:
    root = tmp_path / "share"
    (root / "sub").mkdir(parents=True)
    (root / "a.md").write_text(document("Procedure A"))
    (root / "sub" / "b.md").write_text(document("Procedure B"))
    (root / "c.md").write_text(document("Procedure C"))
    return root


def warnings_of(collection: Collection) -> dict[str, str]:
    return {warning.locator: warning.message for warning in collection.warnings}


def swap(path: Path, make: Callable[[Path], None]) -> None:
    path.unlink()
    make(path)


@pytest.mark.parametrize(("jobs", "tuning"), WAYS)
def test_a_file_or_folder_swapped_for_a_link_out_of_the_root_after_listing_is_not_read(
    tmp_path: Path, jobs: int, tuning: Tuning
) -> None:
    root = share(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(document("Outside secret", "TOPSECRET"))
    (outside / "b.md").write_text(document("Outside B", "TOPSECRET"))

    def change() -> None:
        swap(root / "a.md", lambda path: path.symlink_to(outside / "secret.md"))
        (root / "sub" / "b.md").unlink()
        (root / "sub").rmdir()
        (root / "sub").symlink_to(outside)

    collection = scan(root, jobs, tuning, change)
    assert not any("TOPSECRET" in item.model_dump_json() for item in collection.items)
    assert [item.title for item in collection.items] == ["Procedure C"]
    warnings = warnings_of(collection)
    assert "link" in warnings["a.md"] and "not followed" in warnings["a.md"]
    assert "link" in warnings["sub/b.md"] and "not followed" in warnings["sub/b.md"]


@pytest.mark.parametrize(("jobs", "tuning"), WAYS)
def test_a_fifo_or_a_device_swapped_in_is_refused_without_hanging(tmp_path: Path, jobs: int, tuning: Tuning) -> None:
    root = share(tmp_path)
    (root / ".fifo").mkdir()
    os.mkfifo(root / ".fifo" / "pipe")  # hidden: never listed itself

    def change() -> None:
        swap(root / "a.md", os.mkfifo)
        swap(root / "sub" / "b.md", lambda path: path.symlink_to("/dev/zero"))
        swap(root / "c.md", lambda path: path.symlink_to(root / ".fifo" / "pipe"))  # a link inside the root

    started = time.monotonic()
    collection = scan(root, jobs, tuning, change)
    assert time.monotonic() - started < 60
    assert collection.items == []
    warnings = warnings_of(collection)
    assert "not a regular file" in warnings["a.md"] and "not a regular file" in warnings["c.md"]
    assert "link out of the scanned folder" in warnings["sub/b.md"]


def test_a_file_changed_after_listing_is_cited_with_the_digest_of_what_was_read(tmp_path: Path) -> None:
    root = share(tmp_path)
    revised = document("Procedure A revised", "New steps, longer than before.")

    collection = scan(root, 1, Tuning(), lambda: (root / "a.md").write_text(revised))
    [item] = [item for item in collection.items if item.title and item.title.startswith("Procedure A")]
    assert item.title == "Procedure A revised"
    assert item.sha256 == hashlib.sha256(revised.encode()).hexdigest()
    assert item.size == len(revised.encode())


FLIPPER = """
import os, sys, time
folder, count = sys.argv[1], int(sys.argv[2])
contents = [open(os.path.join(folder, f"{side}.txt"), "rb").read() for side in "AB"]
end = time.monotonic() + 60
turn = 0
open(os.path.join(folder, "started"), "w").close()
while time.monotonic() < end and not os.path.exists(os.path.join(folder, "stop")):
    for number in range(count):
        target = os.path.join(folder, "share", f"doc{number:02}.md")
        with open(target + ".tmp", "wb") as handle:
            handle.write(contents[(turn + number) % 2])
        os.replace(target + ".tmp", target)
    turn += 1
"""


def test_files_rewritten_throughout_the_scan_are_cited_with_the_digest_of_the_bytes_parsed(tmp_path: Path) -> None:
    """Another process replaces each file over and over while the scan reads: whatever version of a
    file an item was parsed from, its sha256 is that version's."""
    count = 40
    versions = {side: document(f"Version {side}", f"Body of version {side}.").encode() for side in "AB"}
    digests = {f"Version {side}": hashlib.sha256(data).hexdigest() for side, data in versions.items()}
    root = tmp_path / "share"
    root.mkdir()
    for side, data in versions.items():
        (tmp_path / f"{side}.txt").write_bytes(data)
    for number in range(count):
        (root / f"doc{number:02}.md").write_bytes(versions["A"])
    flipper = subprocess.Popen([sys.executable, "-c", FLIPPER, str(tmp_path), str(count)])
    try:
        while not (tmp_path / "started").exists():
            time.sleep(0.01)
        cited = []
        for _ in range(5):
            collection = scan(root, 1, Tuning())
            cited += [(item.title, item.sha256) for item in collection.items]
    finally:
        (tmp_path / "stop").touch()
        flipper.wait(30)
    assert {title for title, _ in cited} == set(digests)  # the files did change
    assert [(title, sha256) for title, sha256 in cited if digests.get(title or "") != sha256] == []
