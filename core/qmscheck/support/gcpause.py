"""Stages that build many long-lived objects run with the cyclic garbage collector paused.

Collecting and checking a large share make millions of objects that live until the report
is made (groups, stored summaries) and millions of short-lived ones, freed by reference
counting as soon as they are dropped. Every few thousand allocations the collector would walk
the long-lived ones again, for nothing: neither stage makes reference cycles in bulk, and
whatever few they make are collected once the collector runs again. (What it costs at 100k
files is in benchmarks/README.md.)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block (nested pauses keep it paused until the outermost ends)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
