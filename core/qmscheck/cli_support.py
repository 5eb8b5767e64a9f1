"""What the commands share: loading the plugins a command relies on, reading a saved scan, where
a target's evidence index is, and options that may be repeated or comma-separated. The main
``qmscheck`` group (:mod:`qmscheck.cli`), ``qmscheck pack`` and the auditor's commands
(:mod:`qmscheck.cli_audit`) all use them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from qmscheck.config.tomlfile import json_path
from qmscheck.errors import PluginFailure, QmscheckError
from qmscheck.rendering.terminal import COLOR_CHOICES, ColorChoice
from qmscheck.support.safe_text import public_location, safe_lines
from qmscheck.support.user_cache import user_cache_dir

if TYPE_CHECKING:
    from qmscheck.config.scan_config import ScanConfig
    from qmscheck.model.report import Report
    from qmscheck.plugins.manager import PluginInfo, Plugins

__all__ = [
    "HELP_OPTIONS",
    "color_choice",
    "color_option",
    "config_note",
    "config_option",
    "configured",
    "echo_or_write",
    "index_path",
    "is_quiet",
    "listed",
    "load_plugins_for",
    "note",
    "plugin_failures",
    "read_saved_report",
    "warn",
    "write_output",
]


#: The help options of every command: ``-h`` as people type it, and ``--help``. Set on each group
#: that may run on its own (``pack``, ``checklist``), since click keeps a command's help option once made.
HELP_OPTIONS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}


def load_plugins_for(ctx: click.Context | None = None) -> Plugins:
    """The plugins, for a command that relies on what they register. A plugin that failed is named
    on stderr and left out: what it provides is missing, and a scan that needs it (a selected pack,
    a configured connector) ends with exit 3 naming it."""
    from qmscheck.plugins.manager import load_plugins

    try:
        plugins = load_plugins()
    except Exception as exc:
        raise PluginFailure(f"loading the plugins failed: {type(exc).__name__}: {exc}") from exc
    if plugins.failed:
        warn(plugin_failures(plugins.failed, (ctx or click.get_current_context()).command_path))
    return plugins


def is_quiet() -> bool:
    """Whether the running command was given ``-q``: then stderr carries errors only."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.params.get("quiet"))


def warn(message: str) -> None:
    if not is_quiet():
        click.echo(f"warning: {safe_lines(message)}", err=True)


def note(message: str) -> None:
    if not is_quiet():
        click.echo(f"note: {safe_lines(message)}", err=True)


def config_note(target: Path, config: ScanConfig) -> None:
    """Say which ``qmscheck.toml`` a scan of ``target`` runs with, whether it is trusted
    (docs/security.md), and, for a folder that is not the file's own, what of its evidence is read."""
    import os

    if config.file is None:
        note(f"no {target.name if target.is_file() else 'qmscheck.toml'} found: {target} is read as one file share")
        return
    shown = os.path.relpath(config.file) if config.file.is_absolute() else str(config.file)
    where = ""
    if not target.is_file() and config.file.parent.resolve() != target.resolve():
        sources = ", ".join(public_location(str(source.options().get("path", "."))) for source in config.sources)
        where = f" for {target} (evidence read: {sources})"
    if config.found_as == "named":
        status = "trusted, as named on the command line"
    elif config.trusted:
        status = "trusted with --trust-config"
    else:
        found = "in the scanned folder" if config.found_as == "own" else "above the scanned folder"
        status = f"found {found}, so not trusted: its settings apply, not its powers (docs/security.md)"
    note(f"using {shown}{where}; {status}")


def plugin_failures(failed: Sequence[PluginInfo], command: str) -> str:
    """Each failed plugin with its version and error, and how to run without it."""
    lines = [f"{info.name} {info.version or '(no version)'} ({info.origin}): {info.error}" for info in failed]
    names = ",".join(info.name for info in failed if info.origin not in ("builtin", "extra"))
    how = (
        f"run without {'it' if len(failed) == 1 else 'them'}: QMSCHECK_DISABLE_PLUGINS={names} {command} ..."
        if names
        else "this is a bug in qmscheck"
    )
    return (
        f"{len(failed)} plugin(s) failed to load and are left out, with what they provide:\n  "
        + "\n  ".join(lines)
        + f"\n{how}; `qmscheck plugins` lists every plugin."
    )


#: Where ``--trust-config`` leaves its value for :func:`configured`.
_TRUST_KEY = "qmscheck.trust_config"


def config_option(command: F) -> F:
    """``--config FILE``: the settings for a TARGET folder that has no qmscheck.toml of its own, and
    ``--trust-config``: the powers for a qmscheck.toml found rather than named (:func:`configured`)."""

    def remember(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        ctx.meta[_TRUST_KEY] = value
        return value

    command = click.option(
        "--trust-config",
        is_flag=True,
        expose_value=False,
        callback=remember,
        help="Trust the qmscheck.toml found in or above TARGET: let it read outside its folder, remote shares "
        "and secrets from the environment (a named config is trusted already; docs/security.md).",
    )(command)
    return click.option(
        "--config",
        "config_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="Read the organisation, scope and options from this file, and TARGET's evidence.  "
        "[default: TARGET's qmscheck.toml, else the nearest one above it]",
    )(command)


def configured(target: Path, config_file: Path | None) -> ScanConfig:
    """The configuration of a command with :func:`config_option`, named on stderr (:func:`config_note`)."""
    from qmscheck.config.scan_config import load_config

    ctx = click.get_current_context(silent=True)
    trust = bool(ctx is not None and ctx.meta.get(_TRUST_KEY))
    config = load_config(target, config_file, trust=trust)
    config_note(target, config)
    return config


def index_path(target: Path, index: Path | None, no_index: bool, config_file: Path | None = None) -> Path | None:
    """``--index``, else .qmscheck/index.sqlite beside a qmscheck.toml named on the command line
    (TARGET itself, or ``config_file`` given with --config). A qmscheck.toml found rather than named
    (TARGET's own, or the nearest above it) may be part of evidence someone else wrote, so its index,
    like a bare folder's, is kept in the user's cache, one per folder (the config's, else TARGET):
    nothing is written into a scanned tree, and no index planted there is read (docs/security.md)."""
    import hashlib

    from qmscheck.config.scan_config import CONFIG_NAME, find_config
    from qmscheck.storage.index import INDEX_NAME, default_index_path

    if no_index:
        return None
    if index is not None:
        return index
    named = config_file or (target if target.is_file() else None)
    if named is not None:
        return default_index_path(named.parent)
    found = target / CONFIG_NAME if (target / CONFIG_NAME).is_file() else find_config(target)
    folder = (found.parent if found else target).resolve()
    cache = user_cache_dir()
    key = hashlib.sha256(str(folder).encode()).hexdigest()[:16]
    return cache / f"{folder.name}-{key}" / INDEX_NAME


def listed(values: tuple[str, ...]) -> tuple[str, ...]:
    """Repeated options whose values may also be comma-separated: ``--ignore CTX002,KNW``."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def read_saved_report(path: Path) -> Report:
    """A saved ``--format json`` scan, checked against the report model; errors name the bad field."""
    from pydantic import ValidationError

    from qmscheck.model.report import READABLE_SCHEMA_VERSIONS, Report

    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except OSError as exc:
        raise QmscheckError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise QmscheckError(f"{path} is not UTF-8 text; expected a `qmscheck scan --format json` report") from None
    except RecursionError:
        raise QmscheckError(f"{path}: arrays or objects nested too deeply to read") from None
    except json.JSONDecodeError as exc:
        raise QmscheckError(
            f"{path} is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
            "expected a `qmscheck scan --format json` report"
        ) from None
    if not isinstance(data, dict) or "findings" not in data:
        raise QmscheckError(f"{path} is not a qmscheck report: expected a `qmscheck scan --format json` report")
    version = data.get("schema_version")
    if version not in READABLE_SCHEMA_VERSIONS:
        readable = " or ".join(repr(v) for v in READABLE_SCHEMA_VERSIONS)
        raise QmscheckError(f"{path} has report schema_version {version!r}; this qmscheck reads {readable}")
    try:
        return Report.model_validate_json(text)
    except ValidationError as exc:
        problems = [f"{json_path(error['loc'])}: {error['msg']}" for error in exc.errors()]
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise QmscheckError(f"{path} is not a valid qmscheck report: {'; '.join(problems[:5])}{more}") from None


def write_output(path: Path, data: str | bytes) -> None:
    """Write a report, plan or worksheet whole or not at all (a full disk leaves the previous one in
    place); a path that cannot be written is the user's to fix. The file is recorded as qmscheck's
    own, so a scan of a folder holding it does not read it back as evidence (support/written.py)."""
    from qmscheck.support.atomic import write_atomically
    from qmscheck.support.written import remember

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = write_atomically(path, data)
    except OSError as exc:
        raise QmscheckError(f"cannot write {path}: {exc.strerror or exc}") from None
    remember(path, digest)


def echo_or_write(data: str | bytes, output: Path | None, written: str) -> None:
    """``data`` on stdout, or into ``output`` with ``written`` (what it is) said on stderr."""
    if output is None:
        click.echo(data.decode() if isinstance(data, bytes) else data, nl=False)
        return
    write_output(output, data)
    if not is_quiet():
        click.echo(f"{written} written to {output}", err=True)


F = TypeVar("F", bound=Callable[..., Any])
#: Where ``--color`` leaves its value for :func:`color_choice`.
_COLOR_KEY = "qmscheck.color"


def color_option(command: F) -> F:
    """``--color auto|always|never``, which wins over ``NO_COLOR`` and ``FORCE_COLOR``
    (:mod:`qmscheck.rendering.terminal`); the command reads it with :func:`color_choice`."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str) -> str:
        ctx.meta[_COLOR_KEY] = value
        return value

    return click.option(
        "--color",
        type=click.Choice(COLOR_CHOICES, case_sensitive=False),
        default="auto",
        show_default=True,
        expose_value=False,
        callback=remember,
        help="Colour the report on stdout. auto: on a terminal, or wherever FORCE_COLOR is set; never where "
        "NO_COLOR is.",
    )(command)


def color_choice() -> ColorChoice:
    """The running command's ``--color``; ``auto`` for a command without the option."""
    ctx = click.get_current_context(silent=True)
    value = ctx.meta.get(_COLOR_KEY) if ctx is not None else None
    return next((choice for choice in COLOR_CHOICES if choice == value), "auto")
