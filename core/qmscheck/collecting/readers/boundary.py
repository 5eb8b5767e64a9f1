"""The one place where library exceptions become ExtractionError."""

from __future__ import annotations

import zipfile
from types import TracebackType

from .errors import ExtractionError


class translated_errors:
    """Wrap anything a parser raises so no traceback reaches the user.

    Parsers (zip, lxml, pypdf, calamine) raise a zoo of exception types for
    damaged files; the user only needs to know the file is unreadable and why.

    A class rather than a ``@contextmanager`` generator: on Python 3.13 an exception thrown
    into the generator keeps a reference cycle through contextlib's frame, which would hold
    each damaged file's reading context until the paused cyclic collector runs.
    """

    def __init__(self, fmt: str) -> None:
        self._fmt = fmt

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        # The error boundary: nothing but an ExtractionError may escape, and no BaseException but a
        # parser's panic is caught (KeyboardInterrupt, SystemExit and GeneratorExit pass).
        if isinstance(exc, Exception) and not isinstance(exc, ExtractionError):
            raise ExtractionError(_message(exc, self._fmt)) from exc
        if exc is not None and _is_panic(exc):
            detail = str(exc).strip().partition("\n")[0] or "no details"
            raise ExtractionError(
                f"not a valid {self._fmt} file: the spreadsheet parser failed on it ({detail})"
            ) from exc


def _is_panic(exc: BaseException) -> bool:
    """A Rust parser's panic (calamine's, on some damaged files): pyo3 raises it as
    ``pyo3_runtime.PanicException``, a BaseException so that ``except Exception`` lets it pass, in
    a module that cannot be imported, so it is known by its class's module and name."""
    return any(cls.__name__ == "PanicException" and cls.__module__ == "pyo3_runtime" for cls in type(exc).__mro__)


def _message(exc: Exception, fmt: str) -> str:
    if isinstance(exc, zipfile.BadZipFile):
        return f"not a valid {fmt} file (bad zip: {exc})"
    if isinstance(exc, PermissionError):
        return "cannot read file: permission denied"
    if isinstance(exc, OSError):
        return f"cannot read file: {exc.strerror or exc}"
    if isinstance(exc, RecursionError):
        return f"not a valid {fmt} file (structure nested too deeply)"
    detail = str(exc).strip() or "no details"
    return f"not a valid {fmt} file ({type(exc).__name__}: {detail})"
