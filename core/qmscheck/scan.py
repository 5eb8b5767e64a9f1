"""A whole scan: configuration, plugins, collect, check. The CLI and tests both call this."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from qmscheck.checking.packs import load_packs
from qmscheck.checking.run import CheckOptions, run_check
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import load_config
from qmscheck.model.report import Report
from qmscheck.plugins.manager import Plugins, load_plugins
from qmscheck.support.workers import start_fork_server


@dataclass(frozen=True)
class ScanRequest:
    target: Path
    as_of: date | None = None
    stage: int | None = None
    edition: str | None = None
    generated_at: str | None = None
    #: Index, --full, --jobs (for both stages), progress. The default caches nothing and works in this process.
    collect: CollectOptions = field(default_factory=CollectOptions)


def scan(request: ScanRequest, plugins: Plugins | None = None) -> Report:
    if request.collect.processes > 1:
        start_fork_server()  # the workers' imports, meanwhile
    plugins = plugins or load_plugins()
    config = load_config(request.target)
    # Rules are validated before any evidence is read: a broken pack fails fast.
    packs = load_packs(list(plugins.rule_packs))
    collection = collect(config, plugins, request.collect)
    organisation = config.organisation
    edition = request.edition or config.scan.edition or organisation.edition
    options = CheckOptions(
        as_of=request.as_of or config.scan.as_of or date.today(),
        stage=request.stage or config.scan.stage or 2,
        edition=edition,
        generated_at=request.generated_at,
        results=request.collect.index,
        full=request.collect.full,
        jobs=request.collect.processes,
        stats=request.collect.stats,  # one set of counters for the whole scan (--verbose)
    )
    return run_check(collection, packs, plugins, organisation, options)
