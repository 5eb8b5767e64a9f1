"""The reports qmscheck wrote, so that a scan does not read one back as evidence.

A report written with ``-o`` inside the scanned folder would otherwise be evidence on the next scan
(its title, its dates, the findings it quotes). A marker inside the report cannot tell it apart: the
share could plant the same marker to hide a real document. So the record is kept where the share
cannot write, in the user's cache beside the index key (``$XDG_CACHE_HOME/qmscheck/written.json``,
as storage/guarded.py places the key): each file's resolved path and the sha256 of the bytes
written. A scan passes over a file only when both match, so a file planted under a report's name,
or a report edited since, is read as evidence like any other.

The record holds the files that still exist (it is pruned on every write), a few hundred bytes each.
Two commands writing at once may each keep only their own new entry; the report left out is then
read as evidence, as it would be without the record.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from pathlib import Path

from qmscheck.support.atomic import write_atomically
from qmscheck.support.user_cache import user_cache_dir

__all__ = ["is_written_report", "recorded", "remember"]

RECORD_NAME = "written.json"


def _record_path() -> Path:
    return user_cache_dir() / RECORD_NAME


def recorded() -> dict[str, str]:
    """Resolved path -> sha256 of every report recorded (empty when there is no readable record)."""
    try:
        data = json.loads(_record_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {path: digest for path, digest in data.items() if isinstance(path, str) and isinstance(digest, str)}


def remember(path: Path, sha256: str) -> None:
    """Record that ``path`` holds the report whose bytes have ``sha256``. A record that cannot be
    written is no error: the report is then evidence on the next scan, as any file is."""
    entries = {known: digest for known, digest in recorded().items() if os.path.isfile(known)}
    entries[os.path.realpath(path)] = sha256
    with contextlib.suppress(OSError):
        record = _record_path()
        record.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(record, json.dumps(entries, indent=0, sort_keys=True))


def is_written_report(real_path: str, reports: dict[str, str]) -> bool:
    """Whether the file at ``real_path`` (resolved) is a report of ``reports`` (:func:`recorded`),
    byte for byte: only a recorded path is read to be hashed."""
    digest = reports.get(real_path)
    if digest is None:
        return False
    sha = hashlib.sha256()
    try:
        # Without blocking and judged on the handle: a FIFO swapped in since the listing is not waited on.
        handle = os.open(real_path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return False
        while block := os.read(handle, 1 << 20):
            sha.update(block)
    except OSError:
        return False
    finally:
        os.close(handle)
    return sha.hexdigest() == digest
