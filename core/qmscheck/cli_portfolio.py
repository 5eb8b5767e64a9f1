"""``qmscheck portfolio``: scan the organisations of a portfolio file side by side (:mod:`qmscheck.portfolio`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qmscheck.cli_support import color_choice, color_option, is_quiet, load_plugins_for, warn, write_output
from qmscheck.config.choices import FAIL_ON, FailOn
from qmscheck.errors import ExitCode, QmscheckError
from qmscheck.support.safe_text import one_line

if TYPE_CHECKING:
    from qmscheck.plugins.manager import Plugins
    from qmscheck.portfolio.report import OrganisationRow, PortfolioReport, ScanOutcome
    from qmscheck.portfolio.run import OrganisationJob

#: The grades at or above each --fail-on threshold, as the summary counts them.
_AT_OR_ABOVE: dict[FailOn, tuple[str, ...]] = {
    "major": ("major",),
    "minor": ("major", "minor"),
    "request": ("major", "minor", "request"),
    "observation": ("major", "minor", "request", "observation"),
    "never": (),
}
#: Each organisation's reports unless --format says otherwise.
DEFAULT_FORMATS = ("json", "html")


def _formats(plugins: Plugins, names: tuple[str, ...]) -> tuple[str, ...]:
    """The renderers named (by name or file extension), checked before anything is scanned."""
    from qmscheck.config.tomlfile import did_you_mean

    by_extension = {renderer.extension: renderer.name for renderer in plugins.renderers}
    resolved = [name if name in plugins.renderers else by_extension.get(name, name) for name in map(str.lower, names)]
    unknown = [name for name in resolved if name not in plugins.renderers]
    if unknown:
        known = plugins.renderers.names()
        raise QmscheckError(
            f"unknown format {', '.join(map(repr, unknown))} (known formats: {', '.join(known)})"
            + did_you_mean(unknown[0], [*known, *by_extension])
        )
    extensions = [plugins.renderers.get(name).extension for name in dict.fromkeys(resolved)]
    if len(set(extensions)) != len(extensions):
        raise QmscheckError(f"formats {', '.join(resolved)} would write two reports of one file name")
    return tuple(dict.fromkeys(resolved))


def _standard_packs(plugins: Plugins) -> dict[str, tuple[str, ...]]:
    """Each standard's packs: the pack named as the standard, if there is one, else all of its packs."""
    packs: dict[str, list[str]] = {}
    for pack in plugins.rule_packs:
        packs.setdefault(pack.standard.id, []).append(pack.name)
    return {standard: (standard,) if standard in names else tuple(sorted(names)) for standard, names in packs.items()}


def _fails(row: OrganisationRow, threshold: FailOn) -> bool:
    """An organisation fails the gate with findings at or above the threshold, or when it could not
    be judged (an error): an unknown readiness never passes. ``never``: nothing fails."""
    if threshold == "never":
        return False
    if row.error is not None or row.summary is None:
        return True
    return any(getattr(row.summary, grade) for grade in _AT_OR_ABOVE[threshold])


def _done_line(job: OrganisationJob, outcome: ScanOutcome) -> str:
    if outcome.error is not None:
        first = outcome.error.message.splitlines()[0] if outcome.error.message else ""
        return f"{job.name}: {outcome.error.kind}: {first}"
    verdicts = ", ".join(f"stage {v.stage} {v.status}" for v in outcome.verdicts)
    counts = outcome.summary.line() if outcome.summary is not None else ""
    return f"{job.name}: {verdicts}; {counts}"


def _table(report: PortfolioReport, color: bool) -> str:
    """The terminal's view: one line per organisation, the nearest audit first."""
    lines = [
        f"{'ORGANISATION':<32} {'NEXT AUDIT':<10} {'DAYS':>5} {'VERDICT':<12} {'MAJ':>4} {'MIN':>4} {'UNDERSTOOD':>10}"
    ]
    for row in report.organisations:
        audit = row.next_audit.date.isoformat() if row.next_audit else "-"
        days = "-" if row.days_until_audit is None else str(row.days_until_audit)
        verdict = row.error.kind if row.error is not None and row.summary is None else (row.audit_verdict or "-")
        summary = row.summary
        understood = f"{row.evidence.percent}%" if row.evidence and row.evidence.percent is not None else "-"
        line = (
            f"{one_line(row.name)[:32]:<32} {audit:<10} {days:>5} {verdict:<12} "
            f"{summary.major if summary else '-':>4} {summary.minor if summary else '-':>4} {understood:>10}"
        )
        if row.at_risk:
            line += "  " + click.style("AT RISK", fg="red", bold=True) if color else "  AT RISK"
        lines.append(line)
    totals = report.totals
    lines.append(
        f"{totals.organisations} organisations: {totals.scanned} scanned, {totals.failed} with errors, "
        f"{totals.at_risk} at risk"
    )
    return "\n".join(lines) + "\n"


@click.command("portfolio")
@click.argument(
    "portfolio_file", metavar="PORTFOLIO.toml", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--output-dir",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("qmscheck-portfolio"),
    show_default=True,
    help="Write the portfolio report here (portfolio.html, .json, .csv) and each organisation's reports to "
    "DIR/<organisation>/.",
)
@click.option(
    "--format",
    "format_names",
    multiple=True,
    default=DEFAULT_FORMATS,
    show_default=True,
    help="Each organisation's report formats, by name or file extension (repeat it).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Organisations scanned at a time, each in a process of its own.  [default: one per CPU]",
)
@click.option(
    "--scan-jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes each organisation's scan uses for parsing and checking.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON, case_sensitive=False),
    default="major",
    show_default=True,
    help="Exit 1 when an organisation has a finding at or above this grade, or could not be scanned.",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"], case_sensitive=False),
    default=None,
    help="Where each organisation's scan parses files and summarises evidence: local processes (--scan-jobs), "
    "or a Dask cluster (docs/scale-out.md).  [default: each config's, else local]",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="The Dask scheduler every organisation's scan sends its work to (implies --executor dask).",
)
@click.option("--no-index", is_flag=True, help="Neither use nor write the organisations' evidence indexes.")
@color_option
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on stderr but errors.")
def portfolio_command(
    portfolio_file: Path,
    output_dir: Path,
    format_names: tuple[str, ...],
    jobs: int | None,
    scan_jobs: int,
    fail_on: str,
    executor: str | None,
    scheduler: str | None,
    no_index: bool,
    quiet: bool,
) -> None:
    """Scan every organisation of PORTFOLIO.toml, each in a process of its own with its own index and
    decisions, and write each one's reports and a portfolio report (HTML, JSON, CSV): readiness per
    organisation and stage, the days to its next audit and whether it is at risk, the findings shared
    across organisations, and the organisations that could not be scanned (docs/portfolio.md).

    Exit codes: 0 no organisation at or above --fail-on; 1 one is, or one could not be scanned;
    2 a usage error or an invalid portfolio file; 3 an internal error."""
    from qmscheck.collecting.run import default_jobs
    from qmscheck.portfolio.model import load_portfolio
    from qmscheck.portfolio.render import (
        PORTFOLIO_BASENAME,
        render_csv,
        render_findings_csv,
        render_html,
        render_json,
    )
    from qmscheck.portfolio.report import build_report
    from qmscheck.portfolio.run import jobs_of, run_jobs
    from qmscheck.rendering.terminal import use_color

    threshold = next(choice for choice in FAIL_ON if choice == fail_on.lower())
    if executor is not None and executor.lower() == "local" and scheduler is not None:
        raise QmscheckError("--scheduler sends the work to a Dask cluster: it goes with --executor dask")
    portfolio = load_portfolio(portfolio_file)
    plugins = load_plugins_for()
    formats = _formats(plugins, format_names)
    portfolio.check_packs((pack.name, pack.standard.id) for pack in plugins.rule_packs)
    planned = jobs_of(
        portfolio,
        output_dir,
        formats,
        scan_jobs=scan_jobs,
        use_index=not no_index,
        standard_packs=_standard_packs(plugins),
        executor=executor.lower() if executor else None,
        scheduler=scheduler,
    )
    total = len(planned)
    finished = 0

    def done(job: OrganisationJob, outcome: ScanOutcome) -> None:
        nonlocal finished
        finished += 1
        if not is_quiet():
            click.echo(one_line(f"[{finished}/{total}] {_done_line(job, outcome)}"), err=True)

    outcomes = run_jobs(planned, min(jobs or default_jobs(), total), done)
    report = build_report(portfolio, outcomes)
    written = []
    for suffix, text in (
        (".json", render_json(report)),
        (".csv", render_csv(report)),
        ("-findings.csv", render_findings_csv(report)),
        (".html", render_html(report)),
    ):
        path = output_dir / f"{PORTFOLIO_BASENAME}{suffix}"
        write_output(path, text)
        written.append(str(path))
    color = use_color(color_choice(), sys.stdout)
    click.echo(_table(report, color), nl=False, color=color)
    for row in report.organisations:
        if row.error is not None:
            warn(f"{row.name} ({row.error.kind}): {row.error.message}")
    if not quiet:
        click.echo(f"portfolio report written to {', '.join(written)}", err=True)
    failing = any(_fails(row, threshold) for row in report.organisations)
    sys.exit(ExitCode.FINDINGS if failing else ExitCode.OK)
