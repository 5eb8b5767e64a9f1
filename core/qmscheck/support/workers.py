"""Worker processes for the CPU-bound work of both stages: parsing files (collect) and summarising
evidence groups for the rules (check). The GIL keeps threads from helping either.

Tasks and their results are pickled, so they are plain values; a few tasks are in flight at a
time, so memory stays bounded however many there are.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

#: Imported once by the fork server, before it forks any worker ("__main__", as by default, so that
#: a script's own functions can be sent to workers).
PRELOAD = ["__main__", "qmscheck.collecting.connectors.worker", "qmscheck.checking.summarising"]

_Task = TypeVar("_Task")
_Result = TypeVar("_Result")


_fork_server_started = False


def start_fork_server() -> None:
    """Start the fork server now, in a thread: it imports what the workers run, and a
    scan that will want workers calls this first, so that they start at once when wanted (a
    rescan's changed register is read while the parent loads its plugins, rules and index).
    Does nothing where processes are spawned, not forked."""
    global _fork_server_started
    if _fork_server_started or "forkserver" not in multiprocessing.get_all_start_methods():
        return
    _fork_server_started = True  # the CLI asks, and then scan() asks again
    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
    threading.Thread(target=multiprocessing.forkserver.ensure_running, name="qmscheck-fork-server", daemon=True).start()


def process_pool(
    jobs: int, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """``jobs`` processes; each runs ``initializer(*initargs)`` first (what every task shares is
    then pickled once per process, not once per task)."""
    # forkserver/spawn: forking a process that holds the rule engine's threads is unsafe.
    methods = multiprocessing.get_all_start_methods()
    context: Any = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        # The server imports what the workers run once, and forks each ready to work, rather than
        # every worker importing it again while a rescan's parent lists the share.
        # (Effective until the server starts: the first pool of a process starts it.)
        context.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=initializer, initargs=initargs)


def pooled(
    executor: ProcessPoolExecutor,
    function: Callable[[_Task], _Result],
    tasks: Iterable[_Task],
    window: int,
    *,
    ordered: bool = True,
) -> Iterator[_Result]:
    """``function(task)`` for each task, run by ``executor``: results in task order, or as they are
    done with ``ordered=False`` (then a long task holds up none of the others). At most ``window``
    tasks are in flight. The executor is shut down when the results end, or the reader stops."""
    pending: deque[Future[_Result]] = deque()

    def done() -> Iterator[_Result]:
        nonlocal pending
        if ordered:
            yield pending.popleft().result()
            return
        finished, unfinished = wait(pending, return_when=FIRST_COMPLETED)
        pending = deque(future for future in pending if future in unfinished)
        for future in finished:
            yield future.result()

    try:
        for task in tasks:
            pending.append(executor.submit(function, task))
            if len(pending) >= window:
                yield from done()
        while pending:
            yield from done()
    finally:
        for future in pending:
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)
