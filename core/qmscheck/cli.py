"""The ``qmscheck`` command line.

Every command exits with one of :class:`~qmscheck.errors.ExitCode`: 0 nothing at or above
``--fail-on``, 1 findings at or above it, 2 a usage or configuration error, 3 an internal error
or a plugin failure. A CI gate can so tell real findings from a run that went wrong.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from qmscheck import API_VERSION, __version__
from qmscheck.auditing.audience import for_audience
from qmscheck.cli_audit.bundle import bundle_command, verify_command
from qmscheck.cli_audit.checklist import checklist_command
from qmscheck.cli_audit.diff import diff_command, history_command
from qmscheck.cli_audit.plan import plan_command
from qmscheck.cli_audit.sample import sample_command
from qmscheck.cli_init import init_command
from qmscheck.cli_pack import pack
from qmscheck.cli_portfolio import portfolio_command
from qmscheck.cli_support import (
    HELP_OPTIONS,
    color_choice,
    color_option,
    config_option,
    configured,
    echo_or_write,
    index_path,
    is_quiet,
    listed,
    load_plugins_for,
    note,
    read_saved_report,
    warn,
    write_output,
)
from qmscheck.config.choices import EDITIONS, FAIL_ON, STAGES, FailOn
from qmscheck.config.tomlfile import did_you_mean
from qmscheck.errors import ExitCode, QmscheckError
from qmscheck.i18n import checked_language
from qmscheck.model.collection import AS_OF_LOCATOR
from qmscheck.model.grades import Grade
from qmscheck.support.safe_text import safe_lines

if TYPE_CHECKING:
    from qmscheck.checking.packs import LoadedPacks, LoadedRule
    from qmscheck.model.report import Audience, Report
    from qmscheck.plugins.manager import Plugins
    from qmscheck.rendering.base import Renderer

    _ChoiceBase = click.Choice[str]
else:
    _ChoiceBase = click.Choice

THRESHOLDS: dict[FailOn, Grade | None] = {
    "major": Grade.MAJOR,
    "minor": Grade.MINOR,
    "request": Grade.REQUEST,
    "observation": Grade.OBSERVATION,
    "never": None,
}

#: ``--output-dir`` writes each format to this name plus the renderer's extension.
REPORT_BASENAME = "qmscheck-report"
#: The version of ``rules --format json``, MAJOR.MINOR as every JSON output of qmscheck states it.
RULES_SCHEMA_VERSION = "1.0"
#: Set (to anything but 0) to print the traceback of an internal error, as ``--debug`` does.
DEBUG_VARIABLE = "QMSCHECK_DEBUG"

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: ExitCode = ExitCode.USAGE_ERROR) -> NoReturn:
    click.echo(f"error: {safe_lines(message)}", err=True)
    sys.exit(code)


def _debugging(ctx: click.Context) -> bool:
    flag = bool(ctx.find_root().params.get("debug"))
    return flag or os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def _internal_error(ctx: click.Context, exc: Exception) -> NoReturn:
    """One paragraph: what failed and where, that it is a bug, and how to see the traceback."""
    command = ctx.command_path
    if ctx.invoked_subcommand:
        command += f" {ctx.invoked_subcommand}"
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (in {Path(frames[-1].filename).name}, line {frames[-1].lineno})" if frames else ""
    if _debugging(ctx):
        traceback.print_exception(exc)
        how = "please report it with the traceback above"
    else:
        how = f"run it again with --debug (or {DEBUG_VARIABLE}=1) to see the traceback, and report it with that"
    fail(
        f"internal error: `{command}` failed with {type(exc).__name__}: {exc}{where}. This is a bug in qmscheck "
        f"or in one of its plugins, not a problem with your evidence or configuration; {how}.",
        ExitCode.INTERNAL_ERROR,
    )


class _Group(click.Group):
    """Turns every error into a message and an exit code (:class:`ExitCode`), never a traceback.

    Click's own exceptions (usage errors: 2) and ``sys.exit`` pass through untouched.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except QmscheckError as exc:
            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            fail("interrupted", ExitCode.INTERRUPTED)
        except BrokenPipeError:
            # The reader stopped (`qmscheck rules | head`): nothing is wrong, and no more goes out.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(ExitCode.OK)
        except Exception as exc:
            _internal_error(ctx, exc)


class _Choice(_ChoiceBase):
    """A choice in any case (``--fail-on MINOR``) whose error also names the closest allowed value."""

    def __init__(self, choices: Sequence[str]) -> None:
        super().__init__(choices, case_sensitive=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            hint = did_you_mean(str(value).lower(), [str(choice) for choice in self.choices])
            if not hint:
                raise
            self.fail(exc.message.rstrip(".") + hint, param, ctx)


def quiet_option(command: F) -> F:
    """``-q``: stderr carries errors only (no progress, notes, warnings or summary line)."""
    return click.option(
        "--quiet", "-q", is_flag=True, help="Print nothing on stderr but errors: no progress, notes or summary."
    )(command)


def audience_option(command: F) -> F:
    """Who the report is for: the auditor's report gives no fix advice (qmscheck.auditing.audience)."""
    return click.option(
        "--audience",
        type=_Choice(["organisation", "auditor"]),
        default="organisation",
        show_default=True,
        help="auditor: statements and evidence only, no fix advice, as a certification body's report.",
    )(command)


def lang_option(command: F) -> F:
    """The language of the human-facing formats (qmscheck.i18n); the JSON records it."""
    from qmscheck.i18n import available_languages

    return click.option(
        "--lang",
        metavar="LANG",
        default=None,
        help=f"The report's language: {', '.join(available_languages())}.  "
        "[default: the config's [organisation] language, else en; a saved scan's own for report]",
    )(command)


def output_options(command: F) -> F:
    """The options every report-producing command shares, so ``scan`` and ``report`` never drift apart."""
    command = click.option(
        "--output-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help=f"Write each --format to DIR/{REPORT_BASENAME}.<extension> (needed for several formats).",
    )(command)
    command = click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write the report to a file.",
    )(command)
    command = click.option(
        "--format",
        "format_names",
        multiple=True,
        default=("text",),
        show_default=True,
        help="Output format, by name or file extension (see `qmscheck plugins`); repeat it with --output-dir "
        "for several.",
    )(command)
    return command


def _renderers(
    plugins: Plugins, format_names: tuple[str, ...], output: Path | None, output_dir: Path | None
) -> list[Renderer]:
    """Check the output options before any work is done: a typo must not cost a whole scan."""
    by_file_extension = {
        renderer.extension: renderer.name for renderer in plugins.renderers if renderer.extension != renderer.name
    }
    # A format may also be named by its file extension ('md' for markdown), in any case, as people type it.
    lowered = [name.lower() for name in format_names]
    resolved = [name if name in plugins.renderers else by_file_extension.get(name, name) for name in lowered]
    names = list(dict.fromkeys(resolved))  # repeated formats are written once, in the order given
    unknown = [name for name in names if name not in plugins.renderers]
    if unknown:
        from qmscheck.scan import plugin_failures_named

        known = plugins.renderers.names()
        aliases = {name: extension for extension, name in by_file_extension.items()}
        accepted = [f"{name} ({aliases[name]})" if name in aliases else name for name in known]
        with plugin_failures_named(plugins):
            raise QmscheckError(
                f"unknown format {', '.join(map(repr, unknown))} (known formats: "
                f"{', '.join(accepted)})" + did_you_mean(unknown[0], [*known, *by_file_extension])
            )
    renderers = [plugins.renderers.get(name) for name in names]
    if output and output_dir:
        raise QmscheckError("give either --output or --output-dir, not both")
    if len(renderers) > 1 and not output_dir:
        raise QmscheckError(f"several formats ({', '.join(names)}) need --output-dir DIR")
    by_extension: dict[str, str] = {}
    for renderer in renderers:
        taken = by_extension.setdefault(renderer.extension, renderer.name)
        if taken != renderer.name:
            raise QmscheckError(
                f"formats {taken!r} and {renderer.name!r} would both write {REPORT_BASENAME}.{renderer.extension}"
            )
    return renderers


def _emit(report: Report, renderers: list[Renderer], output: Path | None, output_dir: Path | None) -> None:
    """Write the rendered report(s); the one-line summary goes to stderr whatever the format (unless
    ``-q``), but once only on a terminal, where the text report ends with it."""
    from qmscheck.i18n import translator
    from qmscheck.rendering.readiness import summary_line
    from qmscheck.rendering.terminal import render_for

    tr = translator(report.language)
    summary = summary_line(report, tr)
    quiet = is_quiet()
    if output_dir:
        paths = [output_dir / f"{REPORT_BASENAME}.{renderer.extension}" for renderer in renderers]
        for renderer, path in zip(renderers, paths, strict=True):
            write_output(path, renderer.render(report, color=False))
        if not quiet:
            written = tr.gettext("{summary} - reports written to {paths}")
            click.echo(written.format(summary=summary, paths=", ".join(str(p) for p in paths)), err=True)
    elif output:
        write_output(output, renderers[0].render(report, color=False))
        if not quiet:
            written = tr.gettext("{summary} - report written to {path}")
            click.echo(written.format(summary=summary, path=output), err=True)
    else:
        text, color = render_for(renderers[0], report, sys.stdout, color_choice())
        click.echo(text, nl=False, color=color)
        if not quiet and not (renderers[0].name == "text" and sys.stdout.isatty() and sys.stderr.isatty()):
            click.echo(summary, err=True)


def _exit_code(report: Report, threshold: FailOn) -> ExitCode:
    return ExitCode.FINDINGS if report.exceeds(THRESHOLDS[threshold]) else ExitCode.OK


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """The version, the pack API it offers and every installed rule pack (loading the plugins is quick)."""
    if not value or ctx.resilient_parsing:
        return
    from qmscheck.plugins.manager import load_plugins

    click.echo(f"qmscheck {__version__} (pack API {API_VERSION})")
    try:
        packs = sorted(load_plugins().rule_packs, key=lambda pack: pack.name)
    except Exception as exc:  # a broken plugin must not hide the version
        click.echo(f"rule packs: unknown (loading the plugins failed: {type(exc).__name__}: {exc})")
    else:
        click.echo(f"rule packs: {', '.join(f'{pack.name} {pack.version}' for pack in packs) or 'none'}")
    ctx.exit()


@click.group(cls=_Group, context_settings=HELP_OPTIONS)
@click.option(
    "--version",
    "-V",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version, the pack API and the installed rule packs, and exit.",
)
@click.option("--debug", is_flag=True, help=f"Show the traceback of an internal error (as {DEBUG_VARIABLE}=1 does).")
def main(debug: bool) -> None:
    """Find where a quality management system falls short of ISO 9001, with the evidence.

    Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 a usage or
    configuration error; 3 an internal error or a plugin failure.
    """


def collect_options(command: F) -> F:
    """Options for reading evidence, shared by ``scan`` and ``inventory``."""
    for option in reversed(
        [
            click.option(
                "--jobs",
                "-j",
                type=click.IntRange(min=1),
                default=None,
                help="Processes for parsing files and checking many of them (1: in this process).  "
                "[default: one per CPU]",
            ),
            click.option(
                "--max-file-size",
                default=None,
                metavar="SIZE",
                help="Skip (with a warning) files larger than this, e.g. 50MB; wins over a source's "
                "max_file_size.  [default: the source's, else 200MB]",
            ),
            quiet_option,
            config_option,
            click.option("--verbose", "-v", is_flag=True, help="Say what is read and what the index reused."),
        ]
    ):
        command = option(command)
    return command


def _max_file_size(value: str | None) -> int | None:
    from qmscheck.config.scan_config import parse_size

    if value is None:
        return None
    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--max-file-size") from None


@main.command()
@click.argument("target", type=click.Path(exists=True, path_type=Path))
@output_options
@color_option
@click.option(
    "--fail-on",
    type=_Choice(FAIL_ON),
    default=None,
    help="Exit 1 when a finding is at or above this grade.  [default: the config's, else major]",
)
@click.option(
    "--stage",
    type=_Choice([str(stage) for stage in STAGES]),
    default=None,
    help="1: readiness and documentation review; 2: implementation.  [default: the config's, else 2]",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Judge every date-relative check as of this day (YYYY-MM-DD), leaving out evidence issued, approved "
    "or completed after it (a warning says how many).  [default: the config's, else today]",
)
@click.option(
    "--edition",
    type=_Choice(EDITIONS),
    default=None,
    help="ISO 9001 edition.  [default: the config's, else 2015]",
)
@click.option(
    "--pack",
    "pack_names",
    multiple=True,
    metavar="NAME",
    help="A rule pack that applies (repeat it; its dependencies come with it).  "
    "[default: the config's [scan] packs, else iso9001]",
)
@click.option(
    "--select",
    multiple=True,
    metavar="RULES",
    help="Run only these rules: ids, id prefixes (SUP), clauses (8.4, iso13485:7.4) or tags; "
    "comma-separated or repeated.",
)
@click.option("--ignore", multiple=True, metavar="RULES", help="Leave these rules out (as for --select).")
@click.option(
    "--decisions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The decisions file (waivers, on-site verifications, regrades).  "
    "[default: qmscheck.decisions.toml beside qmscheck.toml, if there is one]",
)
@audience_option
@lang_option
@click.option("--timestamp", is_flag=True, help="Record the wall-clock time in the report (off: reproducible output).")
@click.option(
    "--index",
    "index",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The evidence index (SQLite) that makes rescans read only changed files.  "
    "[default: .qmscheck/index.sqlite beside qmscheck.toml]",
)
@click.option("--no-index", is_flag=True, help="Neither use nor write an evidence index.")
@click.option("--full", is_flag=True, help="Read every file again, ignoring (and refreshing) the index.")
@click.option(
    "--executor",
    type=_Choice(["local", "dask"]),
    default=None,
    help="Where files are parsed and evidence summarised: local processes (--jobs of them), or a Dask "
    "cluster (needs qmscheck[dask]; docs/scale-out.md).  [default: the config's, else local]",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="The Dask scheduler to send the work to, e.g. tcp://10.0.0.5:8786 (implies --executor dask); "
    "without it, --executor dask starts a local cluster of --jobs workers.  [default: the config's]",
)
@collect_options
def scan(
    target: Path,
    format_names: tuple[str, ...],
    output: Path | None,
    output_dir: Path | None,
    fail_on: FailOn | None,
    stage: str | None,
    as_of: datetime | None,
    edition: str | None,
    pack_names: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    decisions: Path | None,
    audience: Audience,
    lang: str | None,
    timestamp: bool,
    index: Path | None,
    no_index: bool,
    full: bool,
    executor: str | None,
    scheduler: str | None,
    jobs: int | None,
    max_file_size: str | None,
    quiet: bool,
    config_file: Path | None,
    verbose: bool,
) -> None:
    """Scan TARGET: a folder of evidence, or a qmscheck.toml naming sources, scope and options.

    A folder without a qmscheck.toml of its own is read with the nearest one above it (or --config)."""
    from qmscheck.collecting.run import CollectOptions, default_jobs
    from qmscheck.scan import ScanRequest
    from qmscheck.scan import scan as run_scan
    from qmscheck.support.executors import dask_cluster
    from qmscheck.support.progress import make_progress
    from qmscheck.support.workers import start_fork_server

    if executor is None and scheduler is None and (jobs if jobs is not None else default_jobs()) > 1:
        start_fork_server()  # the workers' imports, while the plugins load
    plugins = load_plugins_for()
    renderers = _renderers(plugins, format_names, output, output_dir)
    language = checked_language(lang, "--lang") if lang is not None else None
    if index is not None and no_index:
        raise QmscheckError("give either --index or --no-index, not both")
    config = configured(target, config_file)
    executor = executor or ("dask" if scheduler else config.scan.executor) or "local"
    if executor == "local" and scheduler is not None:
        raise QmscheckError("--scheduler sends the work to a Dask cluster: it goes with --executor dask")
    scheduler = scheduler or config.scan.scheduler
    progress = make_progress(quiet=quiet, verbose=verbose)
    options = CollectOptions(
        index=index_path(target, index, no_index, config_file),
        full=full,
        jobs=jobs,
        max_file_size=_max_file_size(max_file_size),
        progress=progress,
    )
    request = ScanRequest(
        target=target,
        as_of=as_of.date() if as_of else None,
        stage=next((s for s in STAGES if str(s) == stage), None),
        edition=next((e for e in EDITIONS if e == edition), None),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds") if timestamp else None,
        packs=listed(pack_names) or None,
        select=listed(select),
        ignore=listed(ignore),
        decisions=decisions,
        collect=options,
        as_it_stood=as_of is not None,
    )
    if executor == "dask":
        with dask_cluster(scheduler, options.processes) as cluster:
            note(f"parsing and summarising on {cluster.description}")
            request.collect.executor = cluster
            found = run_scan(request, plugins, config)
    else:
        found = run_scan(request, plugins, config)
    report = for_audience(found, audience)
    report = report.model_copy(update={"language": language or config.organisation.language})
    for warning in report.warnings:
        if warning.locator == AS_OF_LOCATOR:
            warn(warning.message)
    if verbose and not quiet:
        stats = request.collect.stats
        click.echo(
            "evidence index: "
            + (str(options.index) if options.index else "off")
            + "; files: "
            + ", ".join(
                f"{stats[key]} {key}"
                for key in ("files", "reused", "rehashed", "extracted", "failed", "skipped", "unsupported")
            )
            + f"; rules: {stats['rules_reused']} reused, {stats['rules_evaluated']} evaluated"
            + f" ({stats['rules_kept']} of them kept their findings, {stats['rules_refreshed']} citing changed"
            + f" files anew; {stats['groups_read']} files decoded)",
            err=True,
        )
    _emit(report, renderers, output, output_dir)
    understanding = report.understanding
    if understanding is not None and understanding.recognised == 0:
        # Nothing to judge: a wrong path or a share in words qmscheck does not know yet. Exit as a
        # usage error, so that a gate never passes on a scan that understood nothing.
        raise QmscheckError(
            f"no quality-system evidence recognised in {target} ({understanding.line()}): check the path, "
            "or say what the files are with [[classify]] tables in qmscheck.toml (docs/connectors.md)"
        )
    sys.exit(_exit_code(report, fail_on or config.scan.fail_on or "major"))


@main.command("inventory")
@click.argument("target", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "format_name", type=_Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the inventory to a file.")
@click.option(
    "--pack",
    "pack_names",
    multiple=True,
    metavar="NAME",
    help="Recognise files with the words and evidence types of this pack too, as a scan selecting it would.  "
    "[default: the config's [scan] packs, else iso9001]",
)
@collect_options
def inventory_command(
    target: Path,
    format_name: str,
    output: Path | None,
    pack_names: tuple[str, ...],
    jobs: int | None,
    max_file_size: str | None,
    quiet: bool,
    config_file: Path | None,
    verbose: bool,
) -> None:
    """List every file under TARGET (a folder or qmscheck.toml) with what it was recognised as,
    or why not, and what was skipped: the starting point for [[classify]] overrides."""
    from qmscheck.checking.packs import use_pack_words
    from qmscheck.collecting.inventory import inventory, render_text
    from qmscheck.collecting.run import default_jobs
    from qmscheck.scan import selected_packs
    from qmscheck.support.progress import make_progress

    plugins = load_plugins_for()
    config = configured(target, config_file)
    config.check_connectors(plugins.connectors.names())
    use_pack_words(selected_packs(plugins, listed(pack_names) or config.scan.packs), plugins.accepted_vocabularies)
    result = inventory(
        config,
        plugins,
        jobs=jobs or default_jobs(),
        progress=make_progress(quiet, verbose),
        max_file_size=_max_file_size(max_file_size),
    )
    text = json.dumps(result.as_json(), indent=2) + "\n" if format_name == "json" else render_text(result)
    echo_or_write(text, output, "inventory")


@main.command("report")
@click.argument("scan_file", metavar="SCAN.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_options
@color_option
@click.option(
    "--fail-on",
    type=_Choice(FAIL_ON),
    default="never",
    show_default=True,
    help="Exit 1 when a finding is at or above this grade (re-rendering alone never fails).",
)
@click.option(
    "--decisions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Apply this decisions file (waivers, on-site verifications, regrades) to the saved scan.",
)
@audience_option
@lang_option
@quiet_option
def report_command(
    scan_file: Path,
    format_names: tuple[str, ...],
    output: Path | None,
    output_dir: Path | None,
    fail_on: FailOn,
    decisions: Path | None,
    audience: Audience,
    lang: str | None,
    quiet: bool,
) -> None:
    """Re-render a saved JSON scan (`scan --format json`) in other formats, without reading the sources."""
    from qmscheck.auditing.decisions import apply_decisions, load_decisions

    renderers = _renderers(load_plugins_for(), format_names, output, output_dir)
    language = checked_language(lang, "--lang") if lang is not None else None
    report = read_saved_report(scan_file)
    if language is not None:
        report = report.model_copy(update={"language": language})
    if decisions is not None:
        report = apply_decisions(report, load_decisions(decisions), report.as_of)
    report = for_audience(report, audience)
    _emit(report, renderers, output, output_dir)
    sys.exit(_exit_code(report, fail_on))


def _installed_packs(plugins: Plugins) -> LoadedPacks:
    """Every installed pack that loads; one that does not is named on stderr and left out."""
    from qmscheck.checking.packs import load_installed

    installed = load_installed(plugins.rule_packs, plugins.checks)
    for name, version, error in installed.failed:
        warn(f"rule pack {name} {version} is left out: {error}")
    return installed.loaded


#: The columns of ``qmscheck rules``, named by its header line.
_RULE_COLUMNS = "{:<8} {:<18} {:<11} {:<6} {:<10} {}"


def _under(clause: str, wanted: tuple[str, ...], standard: str) -> bool:
    """Whether ``clause`` (of ``standard``) is one of ``wanted`` or below one: 7.1 holds 7.1.5.2;
    ``iso13485:7.4`` names another standard's clause."""
    for entry in wanted:
        named, _, number = entry.rpartition(":")
        if (not named or named.lower() == standard) and (clause == number or clause.startswith(number + ".")):
            return True
    return False


@main.group(invoke_without_command=True, context_settings=HELP_OPTIONS)
@click.option(
    "--pack",
    "pack_names",
    multiple=True,
    metavar="NAME",
    help="List the rules a scan selecting this pack runs (repeat it).  [default: iso9001]",
)
@click.option(
    "--clause",
    "clauses",
    multiple=True,
    metavar="CLAUSE",
    help="Only the rules of these clauses and the clauses below them (7.1 holds 7.1.5.2; iso13485:7.4 "
    "for another standard's); comma-separated or repeated.",
)
@click.option("--format", "format_name", type=_Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def rules(ctx: click.Context, pack_names: tuple[str, ...], clauses: tuple[str, ...], format_name: str) -> None:
    """List the rules a scan applies (the base pack's unless --pack says), then every ISO 9001
    clause as checked by evidence rules or manual."""
    if ctx.invoked_subcommand is not None:
        return
    from qmscheck.checking.manual import bundled_manual_checks, clause_coverage, coverage_lines
    from qmscheck.checking.packs import load_packs
    from qmscheck.model.report import clause_key
    from qmscheck.scan import selected_packs

    plugins = load_plugins_for(ctx)
    loaded = load_packs(selected_packs(plugins, listed(pack_names)), plugins.checks)
    wanted = listed(clauses)

    def shown(items: list[LoadedRule]) -> list[LoadedRule]:
        chosen = [item for item in items if not wanted or _under(item.rule.clause, wanted, item.standard.id)]
        return sorted(chosen, key=lambda r: (r.standard.id, clause_key(r.rule.clause), r.rule.id))

    listed_rules, skipped = shown(loaded.rules), shown(loaded.skipped)
    base = [item for item in loaded.rules if item.standard.id == "iso9001"]
    coverage = [
        entry
        for entry in clause_coverage(base, bundled_manual_checks())
        if not wanted or _under(entry.clause, wanted, "iso9001")
    ]
    if format_name == "json":
        listing = {
            "schema_version": RULES_SCHEMA_VERSION,
            "packs": [{"name": p.name, "version": p.version, "standard": p.standard.name} for p in loaded.packs],
            "rules": [
                {
                    "id": item.rule.id,
                    "standard": item.standard.name,
                    "clause": item.rule.clause,
                    "grade": item.rule.grade.value,
                    "stages": list(item.rule.stages),
                    "check": item.rule.check.kind,
                    "source": item.rule.source,
                    "status": item.rule.status,
                    "title": item.rule.title,
                    "skipped_by": [o.pack for o in item.overlays if o.change == "skipped"],
                }
                for item in [*listed_rules, *skipped]
            ],
            "clauses": [
                {"clause": e.clause, "title": e.title, "rules": list(e.rule_ids), "manual": e.manual} for e in coverage
            ],
        }
        click.echo(json.dumps(listing, indent=2, ensure_ascii=False))
        return
    click.echo(_RULE_COLUMNS.format("ID", "CLAUSE", "GRADE", "STAGES", "CHECK", "TITLE"))
    for item in listed_rules:
        rule = item.rule
        stages = ",".join(str(s) for s in rule.stages)
        click.echo(
            _RULE_COLUMNS.format(
                rule.id, f"{item.standard.name} {rule.clause}", rule.grade.value, stages, rule.check.kind, rule.title
            )
        )
    for item in skipped:
        reasons = "; ".join(f"skipped by {o.pack}" for o in item.overlays if o.change == "skipped")
        click.echo(f"{item.rule.id:<8} {item.standard.name + ' ' + item.rule.clause:<18} ({reasons}) {item.rule.title}")
    under = f" under {', '.join(wanted)}" if wanted else ""
    click.echo(f"{len(listed_rules)} rules{under} in {len(loaded.packs)} pack(s)")
    click.echo("packs: " + ", ".join(f"{p.name} {p.version} ({p.standard.name})" for p in loaded.packs))
    others = sorted(set(plugins.rule_packs.names()) - {p.name for p in loaded.packs})
    if others:
        click.echo(f"also installed, not selected: {', '.join(others)} (--pack NAME lists a selection with it)")
    if coverage:
        click.echo("")
        click.echo("\n".join(coverage_lines(coverage)))


@rules.command("explain")
@click.argument("rule_id")
@click.pass_context
def explain(ctx: click.Context, rule_id: str) -> None:
    """Explain one rule: what it checks, how it grades, why it matters and how to fix it.

    Rendered on a terminal; Markdown as written when piped or redirected."""
    from qmscheck.checking.explain import close_matches, explain_text, find_rule

    plugins = load_plugins_for(ctx)
    packs = _installed_packs(plugins)
    loaded = find_rule(packs, rule_id)
    if loaded is None:
        matches = close_matches(packs, rule_id)
        hint = f" Did you mean: {', '.join(matches)}?" if matches else " Run 'qmscheck rules' to list them."
        fail(f"no rule with id {rule_id!r}.{hint}")
    text = explain_text(loaded)
    if not sys.stdout.isatty():
        click.echo(text, nl=False)
        return
    from rich.console import Console
    from rich.markdown import Markdown

    Console().print(Markdown(text))


@main.command()
def plugins() -> None:
    """List every plugin with its version, and what each registered; failed ones are marked and exit 0."""
    from qmscheck.plugins.manager import load_plugins

    loaded = load_plugins()
    for info in loaded.infos:
        status = f"FAILED: {info.error}" if info.error else "ok"
        click.echo(f"{info.name} {info.version} ({info.origin}) {status}")
    click.echo("")
    for label, registry in (
        ("connectors", loaded.connectors),
        ("checks", loaded.checks),
        ("renderers", loaded.renderers),
        ("vocabularies", loaded.vocabularies),
    ):
        entries = ", ".join(f"{name} [{registry.owner(name)}]" for name in registry.names())
        click.echo(f"{label}: {entries or 'none'}")
    classifiers = [name for name, plugin in loaded.manager.list_name_plugin() if hasattr(plugin, "qmscheck_classify")]
    click.echo(f"classifiers (asked in this order): {', '.join(reversed(classifiers)) or 'none'}")
    packs = [
        f"{pack.name} {pack.version} ({pack.standard.name}; API {pack.api or 'undeclared'}) "
        f"[{loaded.rule_packs.owner(pack.name)}]"
        for pack in loaded.rule_packs
    ]
    click.echo(f"rule packs: {', '.join(packs) or 'none'}; a scan applies iso9001 unless --pack or [scan] packs says")


# The vendor's commands, and the certification auditor's (issue 20): each in a module of its own.
for command in (
    pack,
    sample_command,
    bundle_command,
    verify_command,
    diff_command,
    history_command,
    plan_command,
    checklist_command,
    init_command,
    portfolio_command,
):
    main.add_command(command)
