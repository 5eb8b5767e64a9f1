"""A whole scan: configuration, plugins, collect, check. The CLI and tests both call this."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from qmscheck.auditing.decisions import apply_decisions, decisions_for, untrusted_decisions
from qmscheck.checking.packs import BASE_PACK, RulePack, load_packs, select_packs, use_pack_words
from qmscheck.checking.run import CheckOptions, run_check
from qmscheck.checking.scope import excludable_of
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.choices import EDITIONS, STAGES, Edition, Stage, as_of_problem
from qmscheck.config.scan_config import ScanConfig, StandardScope, load_config
from qmscheck.config.tomlfile import did_you_mean
from qmscheck.errors import ConfigError, PluginFailure, QmscheckError
from qmscheck.model.evidence import CollectionWarning
from qmscheck.model.report import Report
from qmscheck.plugins.manager import Plugins, load_plugins
from qmscheck.storage.history import record_scan
from qmscheck.support.workers import start_fork_server

__all__ = ["ScanRequest", "plugin_failures_named", "scan", "selected_packs"]


@dataclass(frozen=True)
class ScanRequest:
    """What to scan and how; ``None`` takes the config's value, else the default.

    Stage and edition are checked here, the one way in for callers other than the config file,
    so the check stage only ever sees a stage and an edition its rules know.
    """

    target: Path
    as_of: date | None = None
    stage: Stage | None = None
    edition: Edition | None = None
    generated_at: str | None = None
    #: The rule packs that apply (--pack); None: the config's, else the base pack.
    packs: tuple[str, ...] | None = None
    #: Rules chosen by id, prefix, clause or tag (--select, --ignore), with the config's.
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    #: Index, --full, --jobs (for both stages), progress. The default caches nothing and works in this process.
    collect: CollectOptions = field(default_factory=CollectOptions)
    #: The decisions file (--decisions); None: qmscheck.decisions.toml beside the config, if there is one.
    decisions: Path | None = None
    #: Leave out evidence dated after ``as_of`` (--as-of): it did not exist then. Off by default, as
    #: it decodes every group, which a rescan otherwise avoids (Collection.as_it_stood).
    as_it_stood: bool = False

    def __post_init__(self) -> None:
        for name, value, allowed in (("stage", self.stage, STAGES), ("edition", self.edition, EDITIONS)):
            if value is not None and value not in allowed:
                raise ConfigError(
                    f"{name} {value!r} is not one of {', '.join(map(repr, allowed))}{did_you_mean(value, allowed)}"
                )
        problem = as_of_problem(self.as_of) if self.as_of is not None else None
        if problem:
            raise ConfigError(f"as of: {problem}")


@contextmanager
def plugin_failures_named(plugins: Plugins) -> Iterator[None]:
    """Something asked for is missing (a pack, a connector, a format): when a plugin failed to load it
    may be that plugin's, so the error names the failures and is theirs (exit 3), not the user's."""
    try:
        yield
    except QmscheckError as exc:
        if not plugins.failed:
            raise
        failures = "; ".join(f"{info.name} {info.version} ({info.origin}): {info.error}" for info in plugins.failed)
        raise PluginFailure(f"{exc}\nplugins that failed to load: {failures}") from None


def selected_packs(plugins: Plugins, names: Sequence[str] | None) -> list[RulePack]:
    """The packs named (the base pack when none is), with their dependencies."""
    with plugin_failures_named(plugins):
        return select_packs(plugins.rule_packs, names or [BASE_PACK])


def scan(request: ScanRequest, plugins: Plugins | None = None, config: ScanConfig | None = None) -> Report:
    """Scan ``request.target``, whose configuration the caller may have loaded already (``config``)."""
    if request.collect.processes > 1 and request.collect.executor is None:
        start_fork_server()  # the workers' imports, meanwhile
    plugins = plugins or load_plugins()
    config = config or load_config(request.target)
    with plugin_failures_named(plugins):
        config.check_connectors(plugins.connectors.names())
    # Rules are validated before any evidence is read: a broken pack fails fast.
    selected = selected_packs(plugins, request.packs or config.scan.packs)
    packs = load_packs(selected, plugins.checks)
    trees = {pack.standard.id: frozenset(pack.clauses) for pack in selected}
    config.check_exclusions(
        [
            StandardScope(entry.standard.id, entry.standard.name, entry.clauses, trees[entry.standard.id])
            for entry in excludable_of(selected)
        ]
    )
    # A broken file fails before evidence is read.
    decisions = decisions_for(config.file, request.decisions, trusted=config.trusted)
    unapplied = None if request.decisions else untrusted_decisions(config.file, trusted=config.trusted)
    use_pack_words(selected, plugins.accepted_vocabularies)
    collection = collect(config, plugins, request.collect)
    if request.as_it_stood and request.as_of:
        collection = collection.as_it_stood(request.as_of)
    organisation = config.organisation
    options = CheckOptions(
        as_of=request.as_of or config.scan.as_of or date.today(),
        stage=request.stage or config.scan.stage or 2,
        edition=request.edition or config.scan.edition or organisation.edition,
        generated_at=request.generated_at,
        results=request.collect.index,
        full=request.collect.full,
        jobs=request.collect.processes,
        executor=request.collect.executor,
        tuning=request.collect.tuning,
        stats=request.collect.stats,  # one set of counters for the whole scan (--verbose)
        select=(*config.scan.select, *request.select),
        ignore=(*config.scan.ignore, *request.ignore),
    )
    report = run_check(collection, packs, plugins, organisation, options)
    report = apply_decisions(report, decisions, options.as_of) if decisions is not None else report
    unrecorded = [w for w in record_scan(request.collect.index, report) if w not in report.warnings]
    # A plugin left out may have changed what was found: the report says so wherever it is read.
    failed = [
        CollectionWarning(connector="qmscheck", locator=f"plugin {info.name} {info.version}", message=str(info.error))
        for info in plugins.failed
    ]
    if unapplied is not None:
        failed.append(
            CollectionWarning(
                connector="qmscheck",
                locator=unapplied.name,
                message=f"{unapplied.name} was not applied: it sits beside a configuration found in the scanned "
                "folder, which is not trusted, and its waivers and regrades would change the verdict; name it "
                "with --decisions or add --trust-config (docs/security.md)",
            )
        )
    if failed or unrecorded:
        return report.model_copy(update={"warnings": [*failed, *report.warnings, *unrecorded]})
    return report
