"""The ``qmscheck`` command line."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from qmscheck import __version__
from qmscheck.errors import QmscheckError
from qmscheck.rulemodel import Grade

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

FAIL_ON = {"major": Grade.MAJOR, "minor": Grade.MINOR, "observation": Grade.OBSERVATION, "never": None}


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_ERROR)


class _Group(click.Group):
    """Turns qmscheck's own errors into a message and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QmscheckError as exc:
            fail(str(exc))


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="qmscheck")
def main() -> None:
    """Find where a quality management system falls short of ISO 9001, with the evidence."""


@main.command()
@click.argument("target", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "format_name", default="text", show_default=True, help="Output format (see `qmscheck plugins`).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to a file.")
@click.option("--fail-on", type=click.Choice(list(FAIL_ON)), default=None,
              help="Exit 1 when a finding is at or above this grade.  [default: major]")
@click.option("--stage", type=click.Choice(["1", "2"]), default=None,
              help="1: readiness and documentation review; 2: implementation.  [default: 2]")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Judge every date-relative check as of this day (YYYY-MM-DD).  [default: the config's, else today]")
@click.option("--edition", type=click.Choice(["2015", "2026"]), default=None, help="ISO 9001 edition.")
@click.option("--timestamp", is_flag=True, help="Record the wall-clock time in the report (off: reproducible output).")
def scan(target: Path, format_name: str, output: Path | None, fail_on: str | None, stage: str | None,
         as_of: datetime | None, edition: str | None, timestamp: bool) -> None:
    """Scan TARGET: a folder of evidence, or a qmscheck.toml naming sources, scope and options."""
    from qmscheck.config import load_config
    from qmscheck.plugins import load_plugins
    from qmscheck.scan import ScanRequest
    from qmscheck.scan import scan as run_scan

    plugins = load_plugins()
    renderer = plugins.renderers.get(format_name)
    for info in plugins.failed:
        click.echo(f"warning: plugin {info.name} {info.version} ({info.origin}) failed to load: {info.error}", err=True)
    request = ScanRequest(
        target=target,
        as_of=as_of.date() if as_of else None,
        stage=int(stage) if stage else None,
        edition=edition,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds") if timestamp else None,
    )
    report = run_scan(request, plugins)
    threshold_name = fail_on or load_config(target).scan.fail_on or "major"
    to_terminal = output is None and sys.stdout.isatty()
    rendered = renderer.render(report, color=to_terminal)
    if output:
        output.write_text(rendered, encoding="utf-8")
        click.echo(f"{report.summary.line()} - report written to {output}", err=True)
    else:
        click.echo(rendered, nl=False)
    sys.exit(EXIT_FINDINGS if report.exceeds(FAIL_ON[threshold_name]) else EXIT_OK)


@main.group(invoke_without_command=True)
@click.pass_context
def rules(ctx: click.Context) -> None:
    """List the rules of every loaded pack."""
    if ctx.invoked_subcommand is not None:
        return
    from qmscheck.plugins import load_plugins
    from qmscheck.report import clause_key
    from qmscheck.rulepack import load_packs

    loaded = load_packs(list(load_plugins().rule_packs))
    for item in sorted(loaded.rules, key=lambda r: (clause_key(r.rule.clause), r.rule.id)):
        rule = item.rule
        stages = ",".join(str(s) for s in rule.stages)
        click.echo(f"{rule.id:<8} {rule.clause:<9} {rule.grade.value:<11} stage {stages:<4} {rule.check.kind:<9} {rule.title}")
    click.echo(f"{len(loaded.rules)} rules in {len(loaded.packs)} pack(s)")


@main.command()
def plugins() -> None:
    """List loaded plugins with their versions, and what each registered."""
    from qmscheck.plugins import load_plugins

    loaded = load_plugins()
    for info in loaded.infos:
        status = f"FAILED: {info.error}" if info.error else "ok"
        click.echo(f"{info.name} {info.version} ({info.origin}) {status}")
    click.echo("")
    for label, registry in (("connectors", loaded.connectors), ("checks", loaded.checks),
                            ("renderers", loaded.renderers), ("rule packs", loaded.rule_packs)):
        entries = ", ".join(f"{name} [{registry.owner(name)}]" for name in registry.names())
        click.echo(f"{label}: {entries}")


