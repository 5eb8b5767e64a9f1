"""``qmscheck plan``: audit time, the sites to visit and a draft agenda, from ``qmscheck.toml`` and a scan."""

from __future__ import annotations

from pathlib import Path

import click

from qmscheck.auditing.plan import AUDITS, PLAN_FORMATS, AuditKind, make_plan, render_plan
from qmscheck.cli_support import config_option, configured, echo_or_write, read_saved_report


@click.command("plan")
@click.argument("target", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--report",
    "report_file",
    metavar="SCAN.json",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A saved `scan --format json` of TARGET to weight the agenda by; without it TARGET is scanned.",
)
@click.option("--audit", type=click.Choice(AUDITS), default="initial", show_default=True, help="The audit to plan.")
@click.option("--format", "format_name", type=click.Choice(PLAN_FORMATS), default="md", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout.")
@config_option
def plan_command(
    target: Path,
    report_file: Path | None,
    audit: AuditKind,
    format_name: str,
    output: Path | None,
    config_file: Path | None,
) -> None:
    """Plan a certification audit of TARGET (a folder with qmscheck.toml, or the file): audit time per
    IAF MD 5, the sites to visit per IAF MD 1 and a draft agenda weighted by the scan's findings.
    A planning aid: the certification body sets the final figures. TARGET's qmscheck.toml needs an
    [audit] table with an [[audit.sites]] entry (name, personnel) per site."""
    config = configured(target, config_file)
    if report_file is not None:
        report = read_saved_report(report_file)
    else:
        from qmscheck.scan import ScanRequest, scan

        report = scan(ScanRequest(target=target), config=config)
    echo_or_write(render_plan(make_plan(config, report, audit), format_name), output, "plan")
