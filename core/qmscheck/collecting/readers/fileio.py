"""Opening files safely: readability checks and text encoding fallback."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import ExtractionError

_CHUNK = 1 << 20
# Windows tools (Excel "CSV", Notepad) save in cp1252 when not UTF-8.
FALLBACK_ENCODING = "cp1252"


def format_name(path: Path) -> str:
    return path.suffix.lower() or "(no suffix)"


def check_readable(path: Path) -> None:
    """Raise ExtractionError for missing, non-regular, unreadable or empty files."""
    if not path.exists():
        raise ExtractionError("file not found")
    if not path.is_file():
        raise ExtractionError("not a regular file")
    with opening(path), path.open("rb") as handle:
        handle.read(1)
    if path.stat().st_size == 0:
        raise ExtractionError(f"empty file (0 bytes): not a valid {format_name(path)} file")


@contextmanager
def opening(path: Path) -> Iterator[None]:
    """Turn OS errors into user-facing ExtractionErrors."""
    try:
        yield
    except PermissionError as exc:
        raise ExtractionError("cannot read file: permission denied") from exc
    except OSError as exc:
        raise ExtractionError(f"cannot read file: {exc.strerror or exc}") from exc


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class Encoding:
    name: str
    errors: str
    warning: str | None


def detect_encoding(path: Path) -> Encoding:
    """utf-8-sig, else cp1252; streams the file so big CSVs are not loaded."""
    with opening(path):
        if _decodes(path, "utf-8-sig"):
            return Encoding("utf-8-sig", "strict", None)
        if _decodes(path, FALLBACK_ENCODING):
            return Encoding(FALLBACK_ENCODING, "strict", None)
    return Encoding(
        FALLBACK_ENCODING,
        "replace",
        "text is neither UTF-8 nor cp1252; undecodable bytes were replaced",
    )


@dataclass(frozen=True)
class TextFile:
    text: str
    truncated: bool
    warning: str | None


def read_text(path: Path, max_bytes: int) -> TextFile:
    """Decode at most max_bytes of a text file."""
    with opening(path), path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    truncated = len(data) > max_bytes
    data = data[:max_bytes]
    try:
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        # final=not truncated: a cut in the middle of a UTF-8 sequence is not an error.
        return TextFile(decoder.decode(data, final=not truncated), truncated, None)
    except UnicodeDecodeError:
        pass
    try:
        return TextFile(data.decode(FALLBACK_ENCODING), truncated, None)
    except UnicodeDecodeError:
        text = data.decode(FALLBACK_ENCODING, errors="replace")
        warning = "text is neither UTF-8 nor cp1252; undecodable bytes were replaced"
        return TextFile(text, truncated, warning)
