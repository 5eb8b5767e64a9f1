"""Whether a report printed on a stream is coloured, and how wide it is laid out.

Colour follows the conventions people set once for every tool: ``NO_COLOR`` (any non-empty value,
no-color.org) turns it off, ``FORCE_COLOR`` (any non-empty value, force-color.org) turns it on in
a pipe, ``NO_COLOR`` winning when both are set; ``--color always|never`` wins over both. Otherwise
a terminal gets colour, and a pipe, a file or ``TERM=dumb`` none. The width is the terminal's, and
a fixed :data:`PIPED_WIDTH` anywhere else, so that a saved or piped report does not depend on the
window it was made in.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from typing import Final, Literal, TextIO

from qmscheck.model.report import Report
from qmscheck.rendering.base import Renderer

#: The width of a report written to a file or a pipe.
PIPED_WIDTH: Final = 80
ColorChoice = Literal["auto", "always", "never"]
COLOR_CHOICES: Final[tuple[ColorChoice, ...]] = ("auto", "always", "never")
#: Narrower than this, a report's indents would leave too little room for its words.
MIN_WIDTH: Final = 40


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def use_color(choice: ColorChoice, stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether what is printed on ``stream`` is coloured (see the module's docstring)."""
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return _is_terminal(stream) and environ.get("TERM") != "dumb"


def output_width(stream: TextIO) -> int:
    """The terminal's columns (``COLUMNS`` when set, as for every program), else :data:`PIPED_WIDTH`."""
    if not _is_terminal(stream):
        return PIPED_WIDTH
    return max(MIN_WIDTH, shutil.get_terminal_size((PIPED_WIDTH, 24)).columns)


def render_for(renderer: Renderer, report: Report, stream: TextIO, choice: ColorChoice) -> tuple[str, bool]:
    """The report as printed on ``stream``, and whether it is coloured. The text report is laid out
    for the stream's width; every other format is the same wherever it goes."""
    from qmscheck.rendering.text import TextRenderer  # it loads rich: only when a report is printed

    color = use_color(choice, stream)
    if isinstance(renderer, TextRenderer):
        return renderer.render(report, color=color, width=output_width(stream)), color
    return renderer.render(report, color=color), color
