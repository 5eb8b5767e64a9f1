"""Progress for long scans: a rich bar on a terminal (stderr), silence elsewhere. A note names
files of the share: it is printed as one inert line (:func:`~qmscheck.support.safe_text.one_line`)."""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import Any, Protocol

from qmscheck.support.safe_text import one_line


class Progress(Protocol):
    def start(self, label: str, total: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...

    def note(self, message: str) -> None:
        """A line for --verbose."""
        ...

    def finish(self) -> None: ...


class NullProgress:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def note(self, message: str) -> None:
        pass

    def finish(self) -> None:
        pass


class LineProgress(NullProgress):
    """--verbose without a terminal: plain lines on stderr."""

    def note(self, message: str) -> None:
        print(one_line(message), file=sys.stderr, flush=True)


class BarProgress:
    """A rich progress bar on stderr; shown only for scans long enough to need one."""

    def __init__(self, verbose: bool = False, console: Any = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        self.console = console or Console(stderr=True)
        self.verbose = verbose
        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self._task: Any = None
        self._started = False

    def start(self, label: str, total: int) -> None:
        if not self._started:
            self._bar.start()
            self._started = True
        if self._task is not None:
            self._bar.remove_task(self._task)
        self._task = self._bar.add_task(label, total=total)

    def advance(self, count: int = 1) -> None:
        if self._task is not None:
            self._bar.advance(self._task, count)

    def note(self, message: str) -> None:
        if self.verbose:
            self.console.print(one_line(message), markup=False, highlight=False)

    def finish(self) -> None:
        if self._started:
            self._bar.stop()
            self._started = False

    def __enter__(self) -> BarProgress:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.finish()


def make_progress(quiet: bool = False, verbose: bool = False) -> Progress:
    """A bar on an interactive terminal (not in CI), lines for --verbose elsewhere, else nothing. A
    terminal that asked for plain output (``NO_COLOR``) gets no bar: it redraws itself with escape codes."""
    if quiet:
        return NullProgress()
    interactive = (
        sys.stderr.isatty()
        and not os.environ.get("CI")
        and os.environ.get("TERM") != "dumb"
        and not os.environ.get("NO_COLOR")
    )
    if interactive:
        return BarProgress(verbose=verbose)
    return LineProgress() if verbose else NullProgress()
