"""Writing a file so that a failure never leaves half of it in place of what was there.

The bytes go to a temporary file in the same folder (so the rename stays on one filesystem),
which is flushed to disk and then renamed over the target: on a full disk, a kill or a power cut
the target holds either the previous file or the new one, never a truncated mix.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path: Path, data: str | bytes) -> str:
    """Replace ``path`` with ``data`` (text is written as UTF-8) and return the sha256 (hex) of the
    bytes written; OSError when it cannot be written, the previous file (if any) then left as it was."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    # Named after the target and hidden, so a folder listing shows what it is if a crash leaves it.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # 0o666 less the umask: the permissions a plain open(..., "w") would give a new report.
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
    try:
        try:
            view = memoryview(raw)
            while view:
                view = view[os.write(handle, view) :]
            os.fsync(handle)
            with contextlib.suppress(FileNotFoundError):  # a file replaced keeps the permissions it had
                os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
        finally:
            os.close(handle)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return hashlib.sha256(raw).hexdigest()
