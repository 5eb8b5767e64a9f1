"""Reading the TOML files users and pack authors write, with errors that name the file and the JSON path."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from qmscheck.errors import QmscheckError


def json_path(location: tuple[Any, ...] | list[Any]) -> str:
    path = "$"
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def read_toml(source: Path, error: type[QmscheckError]) -> dict[str, Any]:
    """The parsed file, or ``error`` with a message naming the file and what is wrong with it."""
    try:
        return tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{source}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: not valid TOML: {exc}") from exc
