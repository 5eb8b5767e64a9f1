"""Collecting and checking run with the cyclic garbage collector paused (qmscheck.support.gcpause): that is
only safe while they leave no reference cycles behind that grow with the share."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

from qmscheck.collecting.run import CollectOptions
from qmscheck.scan import ScanRequest, scan

ACME = Path(__file__).resolve().parents[1] / "fixtures" / "acme"


def cyclic_garbage_of_a_scan(org: Path, index: Path, jobs: int) -> int:
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        scan(ScanRequest(target=org, collect=CollectOptions(index=index, jobs=jobs)))
        gc.collect()
        return len(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_the_cycles_a_scan_leaves_do_not_grow_with_the_share(tmp_path: Path) -> None:
    org = tmp_path / "acme"
    shutil.copytree(ACME, org, ignore=shutil.ignore_patterns(".qmscheck"))
    cyclic_garbage_of_a_scan(org, tmp_path / "warm.sqlite", 1)  # imports and first-use caches
    small = [cyclic_garbage_of_a_scan(org, tmp_path / f"small-{jobs}.sqlite", jobs) for jobs in (1, 2)]
    for number in range(200):
        (org / "share" / f"WI-{number:03} Note.md").write_text(f"---\ntitle: Work instruction {number}\n---\nDo.\n")
    (org / "share" / "Broken.docx").write_bytes(b"PK\x03\x04 not a zip")  # a warning, through the error path
    large = [cyclic_garbage_of_a_scan(org, tmp_path / f"large-{jobs}.sqlite", jobs) for jobs in (1, 2)]
    # The plugin manager's few cycles, the same whatever is scanned; none per file, finding or rule.
    assert large == small and max(large) < 1000
