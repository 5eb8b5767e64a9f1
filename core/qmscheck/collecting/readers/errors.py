"""The single exception type the extraction layer lets escape."""

from __future__ import annotations


class ExtractionError(Exception):
    """A file could not be read: corrupt, encrypted, wrong format, unreadable.

    The message is user-facing and names the problem (not a traceback).
    """
