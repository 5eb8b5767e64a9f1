from __future__ import annotations

from typing import Protocol

from qmscheck.model.report import Report


class Renderer(Protocol):
    """An output format. Register it through ``qmscheck_register_renderers``."""

    #: The ``--format`` value.
    name: str
    #: File extension for ``--output-dir`` (without the dot).
    extension: str

    def render(self, report: Report, *, color: bool = False) -> str:
        """The whole output. Must be deterministic for a given report; must not read the sources."""
        ...
