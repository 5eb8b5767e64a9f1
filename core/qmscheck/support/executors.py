"""Where the CPU-bound work of a scan runs: parsing files (collect) and summarising evidence
groups (check). Both stages hand their tasks to an executor with one call,
:meth:`Executor.map`: ``function(task)`` for each task, with at most ``window`` in flight, the
results in task order or as they are done.

- :class:`LocalExecutor` (the default): worker processes of this machine
  (:mod:`qmscheck.support.workers`). Needs nothing beyond qmscheck.
- :class:`DaskExecutor`: the workers of a ``dask.distributed`` cluster (``qmscheck[dask]``),
  a scheduler's or a local cluster started for the scan. Dask is imported only here, and only
  when asked for, so qmscheck works without it.

What every task of a map shares (the words in use, a pickled summariser) is a :class:`Setup`,
run once in each worker process before its first task of that map, rather than sent with every
task. A task whose worker is lost (killed, or past its budget) is handed to ``lost`` with the
reason, which gives its result instead: the caller decides how to recover it (read its files
one at a time, or report them).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import resource
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from qmscheck.errors import QmscheckError
from qmscheck.support.workers import PRELOAD, Budget, WorkersLost, on_the_clock, pooled, process_pool

__all__ = ["DaskExecutor", "Executor", "LocalExecutor", "Setup", "dask_cluster"]

_Task = TypeVar("_Task")
_Result = TypeVar("_Result")

#: What installs Dask for qmscheck: named by the error when it is missing.
DASK_EXTRA = "qmscheck[dask]"


@dataclass(frozen=True)
class Setup:
    """``function(*args)``: what a worker process runs before its first task of a map."""

    function: Callable[..., object]
    args: tuple[Any, ...] = ()


class Executor(Protocol):
    #: How many tasks run at once: what windows are sized by.
    jobs: int

    def map(
        self,
        function: Callable[[_Task], _Result],
        tasks: Iterable[_Task],
        window: int,
        *,
        ordered: bool = True,
        setup: Setup | None = None,
        budget: Budget | None = None,
        lost: Callable[[_Task, str], _Result] | None = None,
    ) -> Iterator[_Result]:
        """``function(task)`` for each task, in task order or as they are done (``ordered=False``:
        a long task then holds up none of the others); at most ``window`` in flight. Each task
        runs under ``budget`` if given. A task whose worker was lost is given ``lost(task,
        reason)`` instead; without ``lost``, :class:`WorkersLost` is raised."""
        ...


class LocalExecutor:
    """``jobs`` worker processes on this machine, a pool started for each map (or ``pool``, one
    started ahead, for the first map). A worker lost breaks the pool: every task in flight is lost
    (which of them took it down is not known), and a new pool goes on with the rest."""

    def __init__(self, jobs: int, pool: Any = None) -> None:
        self.jobs = jobs
        self._pool = pool

    @classmethod
    def started(cls, jobs: int, setup: Setup | None, budget: Budget | None) -> LocalExecutor:
        """Its processes started now (they import what they run while the caller does other work);
        the first map must use the same ``setup`` and ``budget``."""
        return cls(jobs, cls._new_pool(jobs, setup, budget))

    @staticmethod
    def _new_pool(jobs: int, setup: Setup | None, budget: Budget | None) -> Any:
        memory = budget.memory if budget is not None else None
        if setup is None:
            return process_pool(jobs, memory=memory)
        return process_pool(jobs, setup.function, setup.args, memory=memory)

    def submit_now(self, function: Callable[[], object]) -> None:
        """Give each idle process of the pool started ahead ``function``, so that all of them start.
        Called from another thread: ``map`` may take the pool meanwhile, so it is read once."""
        pool = self._pool
        if pool is not None:
            for _ in range(self.jobs):
                pool.submit(function)

    def map(
        self,
        function: Callable[[_Task], _Result],
        tasks: Iterable[_Task],
        window: int,
        *,
        ordered: bool = True,
        setup: Setup | None = None,
        budget: Budget | None = None,
        lost: Callable[[_Task, str], _Result] | None = None,
    ) -> Iterator[_Result]:
        remaining = iter(tasks)
        seconds = budget.seconds if budget is not None else None
        while True:
            pool, self._pool = self._pool, None
            pool = pool or self._new_pool(self.jobs, setup, budget)
            try:
                yield from pooled(pool, function, remaining, window, ordered=ordered, seconds=seconds)
                return
            except WorkersLost as gone:
                if lost is None:
                    raise
                for task in gone.tasks:
                    yield lost(task, "a worker process stopped while it was in flight")

    def shutdown(self) -> None:
        """Stop the pool started ahead, if no map took it."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor:
    """The workers of a ``dask.distributed`` cluster, through ``client``. Each task runs in a
    worker under the budget; a task whose worker died (the scheduler reschedules it on another;
    after ``distributed.scheduler.allowed-failures`` deaths it is given up: ``KilledWorker``) or
    that ran out of memory is lost, the others go on.

    A worker runs one task of qmscheck's at a time (a lock), whatever its threads: a task's setup
    is process-wide, and parsing and summarising hold the GIL anyway."""

    def __init__(self, client: Any, description: str) -> None:
        self.client = client
        #: Where the work goes, for the user (the scheduler, and how many workers).
        self.description = description
        self.jobs = max(1, sum(client.nthreads().values()))

    def map(
        self,
        function: Callable[[_Task], _Result],
        tasks: Iterable[_Task],
        window: int,
        *,
        ordered: bool = True,
        setup: Setup | None = None,
        budget: Budget | None = None,
        lost: Callable[[_Task, str], _Result] | None = None,
    ) -> Iterator[_Result]:
        distributed = _distributed()
        client = self.client
        token = uuid.uuid4().hex
        # Sent once to every worker, then referred to by each task.
        shared = client.scatter(setup, broadcast=True, hash=False) if setup is not None else None
        pending: deque[tuple[Any, _Task]] = deque()
        # Results are fetched as tasks finish, in the client's own thread: no round trip per result.
        finished = distributed.as_completed(with_results=True, raise_errors=False)
        arrived: dict[Any, Any] = {}

        def submit(task: _Task) -> None:
            # Named by the function, so that the dashboard and the task stream tell the stages apart.
            key = f"{getattr(function, '__name__', 'task')}-{uuid.uuid4().hex}"
            future = client.submit(_on_worker, function, shared, token, budget, task, key=key)
            pending.append((future, task))
            finished.add(future)

        def result(future: Any, task: _Task) -> _Result:
            value = arrived.pop(future)
            if future.status == "finished":
                return value  # type: ignore[no-any-return]
            error = value[1] if isinstance(value, tuple) else value  # (type, exception, traceback)
            reason = _lost_reason(error, budget)
            if reason is None:
                raise error
            if lost is None:
                raise WorkersLost([task])
            return lost(task, reason)

        def done() -> Iterator[_Result]:
            if ordered:
                future, task = pending.popleft()
                while future not in arrived:
                    came, value = next(finished)
                    arrived[came] = value
                yield result(future, task)
                return
            came, value = next(finished)
            arrived[came] = value
            for position, (candidate, task) in enumerate(pending):
                if candidate is came:
                    del pending[position]
                    yield result(came, task)
                    return

        try:
            for task in tasks:
                submit(task)
                if len(pending) >= window:
                    yield from done()
            while pending:
                yield from done()
        finally:
            client.cancel([future for future, _ in pending])
            if shared is not None:
                client.cancel([shared])


def _lost_reason(error: BaseException | None, budget: Budget | None) -> str | None:
    """Why a task was lost, or None when its error is a fault of its own (raised to the caller)."""
    from distributed.scheduler import KilledWorker

    if isinstance(error, MemoryError):
        return budget.over_memory() if budget is not None else "ran out of memory"
    if isinstance(error, KilledWorker):
        limit = f" (a worker ends itself after {budget.seconds:g} s on one task, the time budget)" if budget else ""
        return f"the cluster's worker processes ended each time they read it{limit}"
    return None


_lock = threading.Lock()
_current: str | None = None


def _on_worker(
    function: Callable[[_Task], _Result], setup: Setup | None, token: str, budget: Budget | None, task: _Task
) -> _Result:
    """A task on a Dask worker: the map's setup first, if this process has not run it yet, then
    ``function(task)`` under the budget: the process's address space capped meanwhile (restored
    after, as the worker is the cluster's), and the process ended if it runs out of time."""
    global _current
    with _lock:
        if _current != token:
            if setup is not None:
                setup.function(*setup.args)
            _current = token
        if budget is None:
            return function(task)
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = budget.memory if hard == resource.RLIM_INFINITY else min(budget.memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        try:
            return on_the_clock(function, budget.seconds, task)
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _import_work() -> None:
    for module in PRELOAD:
        if module != "__main__":
            importlib.import_module(module)


def _warm_up(client: Any) -> None:
    """Every worker imports what the tasks run, now, without waiting for it: meanwhile the driver
    loads the plugins and lists the share (as the local workers' fork server does)."""

    def run() -> None:
        with contextlib.suppress(Exception):  # a worker that cannot import them fails its first task instead
            client.run(_import_work)

    threading.Thread(target=run, name="qmscheck-warm-dask", daemon=True).start()


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise QmscheckError(f"--executor dask needs Dask: pip install '{DASK_EXTRA}'") from None
    return distributed


@contextmanager
def dask_cluster(scheduler: str | None, jobs: int) -> Iterator[DaskExecutor]:
    """A client of the scheduler at ``scheduler``, or of a local cluster of ``jobs`` worker
    processes (one thread each) on loopback started for the scan and stopped after it."""
    distributed = _distributed()
    if scheduler is not None:
        try:
            client = distributed.Client(scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise QmscheckError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        try:
            workers = len(client.scheduler_info()["workers"])
            if workers == 0:
                raise QmscheckError(f"the Dask scheduler at {scheduler} has no workers")
            _warm_up(client)
            yield DaskExecutor(client, f"the Dask scheduler at {scheduler} ({workers} workers)")
        finally:
            client.close()
        return
    import dask.config

    # The workers' profiler samples every thread 100 times a second, for the dashboard, which a
    # cluster started for one scan has none of: it costs the parsing its share of the GIL.
    with dask.config.set({"distributed.worker.profile.enabled": False}):
        cluster = _local_cluster(distributed, jobs)
    try:
        with distributed.Client(cluster) as client:
            _warm_up(client)
            description = f"a local Dask cluster of {jobs} worker processes at {cluster.scheduler_address}"
            yield DaskExecutor(client, description)
    finally:
        cluster.close()


def _local_cluster(distributed: Any, jobs: int) -> Any:
    return distributed.LocalCluster(
        n_workers=jobs,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        # Its workers' logs are the scan's own to keep quiet: stopping the cluster makes them complain.
        silence_logs=logging.CRITICAL,
    )
