"""The user's cache folder for qmscheck: what a scan keeps outside the evidence it reads."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/qmscheck``, else ``~/.cache/qmscheck``: the index of a folder whose
    configuration is not named, the key that seals every index, the record of reports written."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qmscheck"
