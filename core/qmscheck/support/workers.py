"""Worker processes for the CPU-bound work of both stages: parsing files (collect) and summarising
evidence groups for the rules (check). The GIL keeps threads from helping either.

Tasks and their results are pickled, so they are plain values; a few tasks are in flight at a
time, so memory stays bounded however many there are.

Work on untrusted input (a file from a share) runs under a :class:`Budget`: a memory limit set on
the worker process (``RLIMIT_AS``) and a wall-clock limit per task. A pool's worker that runs past
the time ends itself, and one that runs out of memory may abort: either way the pool breaks, and
:func:`pooled` says which tasks were in flight (:class:`WorkersLost`). :class:`Watched` runs tasks
one at a time in a process of its own under the parent's watch, so it can tell which task was
stopped and why (:class:`Stopped`): the caller re-runs the lost tasks there.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import multiprocessing.forkserver
import os
import resource
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

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


#: A watched process's exit status when it ran out of memory and could not even say so.
OUT_OF_MEMORY = 75


@dataclass(frozen=True)
class Budget:
    """What one task may take: ``seconds`` of wall-clock time, and ``memory`` bytes of address
    space in the process that runs it."""

    seconds: float
    memory: int

    def over_time(self) -> str:
        return f"stopped after {self.seconds:g} s, the per-file time budget"

    def over_memory(self) -> str:
        return f"exceeded the {_size(self.memory)} per-file memory budget"


def _size(count: int) -> str:
    gib = count / 2**30
    return f"{gib:g} GiB" if gib >= 1 else f"{count / 2**20:g} MiB"


def limit_memory(memory: int) -> None:
    """Cap this process's address space at ``memory`` bytes: an allocation past it fails (a
    MemoryError in Python, an abort in most native code) instead of taking the machine."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (memory if hard == resource.RLIM_INFINITY else min(memory, hard), hard))


def _context() -> Any:
    # forkserver/spawn: forking a process that holds the rule engine's threads is unsafe.
    methods = multiprocessing.get_all_start_methods()
    context: Any = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        # The server imports what the workers run once, and forks each ready to work, rather than
        # every worker importing it again while a rescan's parent lists the share.
        # (Effective until the server starts: the first pool of a process starts it.)
        context.set_forkserver_preload(PRELOAD)
    return context


def _start_worker(memory: int | None, initializer: Callable[..., object] | None, initargs: tuple[Any, ...]) -> None:
    if memory is not None:
        limit_memory(memory)
    if initializer is not None:
        initializer(*initargs)


def process_pool(
    jobs: int,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
    *,
    memory: int | None = None,
) -> ProcessPoolExecutor:
    """``jobs`` processes; each runs ``initializer(*initargs)`` first (what every task shares is
    then pickled once per process, not once per task), with its address space capped at ``memory``
    bytes if given."""
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=_context(), initializer=_start_worker, initargs=(memory, initializer, initargs)
    )


class WorkersLost(Exception):
    """A worker process of the pool died (or ran out of memory) with ``tasks`` in flight: which of
    them took it down is not known, and none of their results were given."""

    def __init__(self, tasks: list[Any]) -> None:
        super().__init__(f"a worker process stopped with {len(tasks)} tasks in flight")
        self.tasks = tasks


_quiet: Any = None


def on_the_clock(function: Callable[[_Task], _Result], seconds: float, task: _Task) -> _Result:
    """``function(task)`` in a pool's worker, which ends itself once ``seconds`` have passed. The
    watch is faulthandler's: a thread of its own that needs no GIL, so it ends a parser stuck in
    native code or a regular expression too."""
    global _quiet
    if _quiet is None:
        _quiet = open(os.devnull, "w")  # noqa: SIM115 - the watch writes here until the process ends
    faulthandler.dump_traceback_later(seconds, exit=True, file=_quiet)
    try:
        return function(task)
    finally:
        faulthandler.cancel_dump_traceback_later()


def pooled(
    executor: ProcessPoolExecutor,
    function: Callable[[_Task], _Result],
    tasks: Iterable[_Task],
    window: int,
    *,
    ordered: bool = True,
    seconds: float | None = None,
) -> Iterator[_Result]:
    """``function(task)`` for each task, run by ``executor``: results in task order, or as they are
    done with ``ordered=False`` (then a long task holds up none of the others). At most ``window``
    tasks are in flight. A task still running after ``seconds`` ends its worker. The executor is
    shut down when the results end, the reader stops, or a worker is lost: then
    :class:`WorkersLost` names the tasks whose results were not given (the tasks not yet taken
    from ``tasks`` are left there)."""
    pending: deque[tuple[Future[_Result], _Task]] = deque()

    def done() -> Iterator[_Result]:
        nonlocal pending
        if ordered:
            result = pending[0][0].result()
            pending.popleft()
            yield result
            return
        finished, _ = wait([future for future, _ in pending], return_when=FIRST_COMPLETED)
        for future in finished:
            result = future.result()
            pending = deque(pair for pair in pending if pair[0] is not future)
            yield result

    def submit(task: _Task) -> None:
        future = (
            executor.submit(function, task)
            if seconds is None
            else executor.submit(on_the_clock, function, seconds, task)
        )
        pending.append((future, task))

    try:
        for task in tasks:
            try:
                submit(task)
            except BrokenProcessPool:
                pending.append((Future(), task))
                raise
            if len(pending) >= window:
                yield from done()
        while pending:
            yield from done()
    except (BrokenProcessPool, MemoryError):
        raise WorkersLost([task for _, task in pending]) from None
    finally:
        for future, _ in pending:
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)


class Stopped(Exception):
    """The task was stopped: the message says which limit it reached (or how its process ended)."""


class _Died(Exception):
    """A watched process ended in the middle of a task; ``explained`` when its end tells why."""

    def __init__(self, message: str, *, explained: bool) -> None:
        super().__init__(message)
        self.explained = explained


def _serve(
    connection: Connection, function: Callable[[Any], Any], memory: int, initializer: Any, initargs: Any
) -> None:
    """A watched process: ``function(task)`` for each task received, one at a time, until None."""
    _start_worker(memory, initializer, initargs)
    while (task := connection.recv()) is not None:
        # The answer is sent once the except block has let go of the exception and the frames that
        # hold the task's allocations: sent inside it, it can run out of memory itself.
        try:
            answer = (True, function(task))
        except MemoryError:
            answer = (False, None)
        try:
            connection.send(answer)
        except MemoryError:
            os._exit(OUT_OF_MEMORY)


class Watched(Generic[_Task, _Result]):
    """``function(task)`` for one task at a time, in a worker process of its own under this one's
    watch: a task that runs past the budget's time is stopped (its process killed); one that runs
    out of memory, or whose process dies, is reported as such. Either way :meth:`run` raises
    :class:`Stopped` naming the limit, and the next task gets a new process. The process starts
    with the first task, so one that is never needed costs nothing."""

    def __init__(
        self,
        function: Callable[[_Task], _Result],
        budget: Budget,
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        self._function = function
        self._budget = budget
        self._initializer = initializer
        self._initargs = initargs
        self._process: Any = None
        self._connection: Connection | None = None

    def run(self, task: _Task) -> _Result:
        """``function(task)``; :class:`Stopped` if it ran past the budget or its process died twice
        (once may be the process, killed from outside: the task is run again in a new one)."""
        for attempt in (1, 2):
            try:
                return self._run(task)
            except _Died as died:
                if attempt == 2 or died.explained:
                    raise Stopped(str(died)) from None
        raise AssertionError("unreachable")

    def _run(self, task: _Task) -> _Result:
        if self._process is None or not self._process.is_alive():
            self._start()
        connection = self._connection
        assert connection is not None
        try:
            connection.send(task)
            if not connection.poll(self._budget.seconds):
                self.close()
                raise Stopped(self._budget.over_time())
            succeeded, result = connection.recv()
        except (EOFError, OSError):  # the process died
            raise self._died() from None
        if not succeeded:
            self.close()
            raise Stopped(self._budget.over_memory())
        return result  # type: ignore[no-any-return]

    def _start(self) -> None:
        self.close()
        context = _context()
        self._connection, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve,
            args=(theirs, self._function, self._budget.memory, self._initializer, self._initargs),
            name="qmscheck-watched",
            daemon=True,
        )
        self._process.start()
        theirs.close()

    def _died(self) -> _Died:
        process = self._process
        process.join(5)
        code = process.exitcode
        self.close()
        if code == OUT_OF_MEMORY:
            return _Died(self._budget.over_memory(), explained=True)
        if code == -signal.SIGABRT:  # what native code does when an allocation fails
            memory = _size(self._budget.memory)
            return _Died(f"the parser aborted, most likely past the {memory} per-file memory budget", explained=True)
        reason = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit status {code}"
        return _Died(f"the parser's process ended unexpectedly ({reason})", explained=False)

    def close(self) -> None:
        """End the process (killed: it may be stuck), if there is one."""
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._process = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
