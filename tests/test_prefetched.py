"""The thread that drives the worker processes while the scan takes unchanged files from the index."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from qmscheck.collecting.connectors.worker import Outcome, Prefetched


def outcomes(count: int, closed: list[bool], fail_at: int | None = None) -> Iterator[Outcome]:
    try:
        for n in range(count):
            if n == fail_at:
                raise OSError("the share went away")
            yield Outcome(f"file {n}")
    finally:
        closed.append(True)


def test_outcomes_arrive_in_order_and_all_of_them() -> None:
    closed: list[bool] = []
    assert [o.relative for o in Prefetched(outcomes(1000, closed), ahead=8)] == [f"file {n}" for n in range(1000)]
    assert closed == [True]


def test_an_error_in_the_workers_reaches_the_reader() -> None:
    closed: list[bool] = []
    read = []
    with pytest.raises(OSError, match="the share went away"):
        for outcome in Prefetched(outcomes(100, closed, fail_at=40), ahead=8):
            read.append(outcome.relative)
    assert len(read) == 40 and closed == [True]


def test_the_workers_are_driven_before_the_first_outcome_is_asked_for() -> None:
    closed: list[bool] = []
    started = threading.Event()

    def source() -> Iterator[Outcome]:
        started.set()
        yield from outcomes(3, closed)

    reader = Prefetched(source())
    assert started.wait(5)  # a rescan's parent takes files from the index meanwhile
    assert [o.relative for o in reader] == ["file 0", "file 1", "file 2"] and closed == [True]


def test_a_reader_that_never_reads_still_stops_the_workers() -> None:
    closed: list[bool] = []
    Prefetched(outcomes(10_000, closed), ahead=4).close()
    assert closed == [True]
    assert not any(t.name == "qmscheck-workers" for t in threading.enumerate())


def test_a_reader_that_stops_early_stops_the_workers() -> None:
    closed: list[bool] = []
    reader = Prefetched(outcomes(10_000, closed), ahead=4)
    assert next(reader).relative == "file 0"
    reader.close()
    assert closed == [True]  # the source was closed, so its worker processes were shut down
    assert not any(t.name == "qmscheck-workers" for t in threading.enumerate())
