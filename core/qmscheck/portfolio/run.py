"""Scanning a portfolio's organisations, each in a process of its own, several at a time.

Each organisation is scanned as ``qmscheck scan`` scans it (:func:`qmscheck.scan.scan`), in a child
process, with its own evidence index and decisions file: a crash (a parser taking its process down,
memory run out) or an error in one organisation ends that organisation's scan alone, and is reported
in its row of the portfolio report. The child writes the organisation's reports and hands back the
portfolio's view of it (:class:`~qmscheck.portfolio.report.ScanOutcome`), so the parent never holds
a whole report.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import signal
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from qmscheck.config.choices import Edition, Stage
from qmscheck.errors import ExitCode, QmscheckError
from qmscheck.portfolio.model import PortfolioFile
from qmscheck.portfolio.report import OrganisationError, ScanOutcome
from qmscheck.support.user_cache import user_cache_dir

__all__ = ["REPORT_BASENAME", "OrganisationJob", "index_for", "jobs_of", "run_jobs"]

#: Each organisation's reports are written to ``<slug>/qmscheck-report.<extension>``, the names
#: ``qmscheck scan --output-dir`` gives them.
REPORT_BASENAME = "qmscheck-report"


@dataclass(frozen=True)
class OrganisationJob:
    """One organisation's scan, as the child process runs it: plain values, pickled to it."""

    name: str
    slug: str
    #: Its qmscheck.toml (named, so trusted) or its folder (scanned as `qmscheck scan FOLDER`).
    target: Path
    as_of: date | None
    stage: Stage | None
    edition: Edition | None
    packs: tuple[str, ...] | None
    decisions: Path | None
    index: Path | None
    #: Processes for this organisation's own scan (--scan-jobs).
    jobs: int
    #: The organisation's folder of reports, and the formats written there.
    output_dir: Path
    formats: tuple[str, ...]
    #: --executor and --scheduler, as ``qmscheck scan`` takes them (None: the config's, else local).
    executor: str | None = None
    scheduler: str | None = None


def index_for(target: Path, slug: str, named: bool) -> Path:
    """Where an organisation's evidence index is: beside its qmscheck.toml when the portfolio names
    one (as a config named on the command line keeps it), else in the user's cache, one per
    organisation and folder, so that nothing is written into the scanned tree."""
    from qmscheck.storage.index import INDEX_NAME, default_index_path

    if named:
        return default_index_path(target.parent)
    cache = user_cache_dir() / "portfolio"
    key = hashlib.sha256(str(target.resolve()).encode()).hexdigest()[:16]
    return cache / f"{slug}-{key}" / INDEX_NAME


def jobs_of(
    portfolio: PortfolioFile,
    output_dir: Path,
    formats: Sequence[str],
    *,
    scan_jobs: int,
    use_index: bool,
    standard_packs: dict[str, tuple[str, ...]],
    executor: str | None = None,
    scheduler: str | None = None,
) -> list[OrganisationJob]:
    """One job per organisation, in the file's order. ``standard_packs``: the installed packs of each
    standard, for an organisation that names its standard and no packs."""
    jobs = []
    for entry, slug in zip(portfolio.organisations, portfolio.slugs(), strict=True):
        named = entry.config is not None
        target = portfolio.resolve(entry.config or entry.source or ".")
        packs = tuple(entry.packs) if entry.packs else None
        if packs is None and entry.standard is not None:
            packs = standard_packs[entry.standard]
        jobs.append(
            OrganisationJob(
                name=entry.name,
                slug=slug,
                target=target,
                as_of=entry.as_of or portfolio.portfolio.as_of,
                stage=entry.next_audit.stage if entry.next_audit is not None else None,
                edition=entry.edition,
                packs=packs,
                decisions=portfolio.resolve(entry.decisions) if entry.decisions is not None else None,
                index=index_for(target, slug, named) if use_index else None,
                jobs=scan_jobs,
                output_dir=output_dir / slug,
                formats=tuple(formats),
                executor=executor,
                scheduler=scheduler,
            )
        )
    return jobs


def scan_organisation(job: OrganisationJob) -> ScanOutcome:
    """Scan one organisation as ``qmscheck scan TARGET --format json --format html`` would (with
    ``--as-of``, ``--stage``, ``--edition``, ``--pack`` and ``--decisions`` as its entry says), write
    its reports, and return the portfolio's view of it. Errors are the caller's to report."""
    from qmscheck.auditing.audience import for_audience
    from qmscheck.collecting.run import CollectOptions
    from qmscheck.config.scan_config import load_config
    from qmscheck.plugins.manager import load_plugins
    from qmscheck.portfolio.report import outcome_of
    from qmscheck.scan import ScanRequest, scan
    from qmscheck.support.atomic import write_atomically

    plugins = load_plugins()
    config = load_config(job.target)
    request = ScanRequest(
        target=job.target,
        as_of=job.as_of,
        stage=job.stage,
        edition=job.edition,
        packs=job.packs,
        decisions=job.decisions,
        collect=CollectOptions(index=job.index, jobs=job.jobs),
        as_it_stood=job.as_of is not None,
    )
    # As `qmscheck scan` chooses: --executor, else dask with --scheduler, else the config's (docs/scale-out.md).
    executor = job.executor or ("dask" if job.scheduler else config.scan.executor) or "local"
    if executor == "dask":
        from qmscheck.support.executors import dask_cluster

        with dask_cluster(job.scheduler or config.scan.scheduler, job.jobs) as cluster:
            request.collect.executor = cluster
            scanned = scan(request, plugins, config)
    else:
        scanned = scan(request, plugins, config)
    report = for_audience(scanned, "organisation")
    report = report.model_copy(update={"language": config.organisation.language})
    written = []
    for name in job.formats:
        renderer = plugins.renderers.get(name)
        path = job.output_dir / f"{REPORT_BASENAME}.{renderer.extension}"
        try:
            job.output_dir.mkdir(parents=True, exist_ok=True)
            write_atomically(path, renderer.render(report, color=False))
        except OSError as exc:
            raise QmscheckError(f"cannot write {path}: {exc.strerror or exc}") from None
        written.append(f"{job.slug}/{path.name}")
    return outcome_of(report, written)


def _child(connection: Connection, job: OrganisationJob) -> None:
    """The child process: the outcome, or the error that ended the scan, sent as JSON."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it ends the children
    try:
        outcome = scan_organisation(job)
    except QmscheckError as exc:
        kind = "internal" if exc.exit_code == ExitCode.INTERNAL_ERROR else "configuration"
        outcome = ScanOutcome(error=OrganisationError(kind=kind, message=str(exc)))
    except Exception as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        where = f" (in {Path(frames[-1].filename).name}, line {frames[-1].lineno})" if frames else ""
        message = f"{type(exc).__name__}: {exc}{where}; a bug in qmscheck or a plugin, please report it"
        outcome = ScanOutcome(error=OrganisationError(kind="internal", message=message))
    connection.send_bytes(outcome.model_dump_json().encode())
    connection.close()


def _context() -> Any:
    # forkserver/spawn, never fork: the parent may hold threads (the fork server's starter).
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _ended(process: Any) -> str:
    process.join()
    code = process.exitcode
    how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit status {code}"
    return f"the process scanning it ended without a result ({how})"


def run_jobs(
    jobs: Sequence[OrganisationJob], parallel: int, done: Callable[[OrganisationJob, ScanOutcome], None] | None = None
) -> list[ScanOutcome]:
    """Each job's outcome, in the jobs' order, with at most ``parallel`` organisations scanned at a
    time; ``done`` is told of each as it ends. Each runs in a process of its own (not daemonic: a
    scan starts worker processes of its own); all are ended if this one is interrupted."""
    context = _context()
    waiting = deque(enumerate(jobs))
    running: dict[Connection, tuple[int, Any]] = {}
    outcomes: dict[int, ScanOutcome] = {}
    try:
        while waiting or running:
            while waiting and len(running) < parallel:
                number, job = waiting.popleft()
                ours, theirs = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(theirs, job), name=f"qmscheck-portfolio-{job.slug}")
                process.start()
                theirs.close()
                running[ours] = (number, process)
            for ready in wait(list(running)):
                assert isinstance(ready, Connection)
                number, process = running.pop(ready)
                try:
                    outcome = ScanOutcome.model_validate_json(ready.recv_bytes())
                    process.join()
                except EOFError:
                    outcome = ScanOutcome(error=OrganisationError(kind="crashed", message=_ended(process)))
                ready.close()
                outcomes[number] = outcome
                if done is not None:
                    done(jobs[number], outcome)
    finally:
        for connection, (_, process) in running.items():
            process.kill()
            process.join()
            connection.close()
    return [outcomes[number] for number in range(len(jobs))]
