"""The one place where library exceptions become ExtractionError."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import ExtractionError


@contextmanager
def translated_errors(fmt: str) -> Iterator[None]:
    """Wrap anything a parser raises so no traceback reaches the user.

    Parsers (zip, lxml, pypdf, calamine) raise a zoo of exception types for
    damaged files; the user only needs to know the file is unreadable and why.
    """
    try:
        yield
    except ExtractionError:
        raise
    except zipfile.BadZipFile as exc:
        raise ExtractionError(f"not a valid {fmt} file (bad zip: {exc})") from exc
    except PermissionError as exc:
        raise ExtractionError("cannot read file: permission denied") from exc
    except OSError as exc:
        raise ExtractionError(f"cannot read file: {exc.strerror or exc}") from exc
    except RecursionError as exc:
        raise ExtractionError(f"not a valid {fmt} file (structure nested too deeply)") from exc
    except Exception as exc:  # the error boundary: nothing else may escape
        detail = str(exc).strip() or "no details"
        raise ExtractionError(f"not a valid {fmt} file ({type(exc).__name__}: {detail})") from exc
