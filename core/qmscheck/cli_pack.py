"""``qmscheck pack``: the vendor's commands, for a pack folder that need not be installed.

- ``pack new NAME [--dir DIR]`` writes a working pack distribution (``qmscheck-NAME`` by default).
- ``pack check PATH`` lists every problem of a pack, one a line naming file, rule id and key path.
- ``pack test PATH`` runs every case of the pack and names each that fails, with what differs.
- ``pack docs PATH OUT_DIR`` writes a page per rule of the pack and an index, as docs/rules/ for the base pack.

Exit codes (:class:`~qmscheck.errors.ExitCode`): 0 no problem and every case passes, 1 problems or
failing cases, 2 a usage error (no pack at PATH, a pack that does not load for ``test``).
A qmscheck error becomes its message and exit code here, as under every ``qmscheck`` command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from qmscheck.cli_support import HELP_OPTIONS
from qmscheck.errors import ExitCode, QmscheckError

__all__ = ["pack"]


class _PackGroup(click.Group):
    """A pack that does not load, or a name that cannot be a pack's, is a message, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QmscheckError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_PackGroup, context_settings=HELP_OPTIONS)
def pack() -> None:
    """Write, lint and test a rule pack (a folder with a pack.toml)."""


@pack.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the distribution (default: ./qmscheck-NAME).",
)
def new_command(name: str, folder: Path | None) -> None:
    """Write a working pack distribution: manifest, one rule, its cases, a test and packaging."""
    from qmscheck.packtools.scaffold import new_pack

    folder = folder or Path(f"qmscheck-{name}")
    written = new_pack(name, folder)
    for path in written:
        click.echo(f"wrote {path}")
    package = next(path.parent for path in written if path.name == "pack.toml")
    click.echo(f"next: qmscheck pack check {package} && qmscheck pack test {package}")


@pack.command("check")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def check_command(path: Path) -> None:
    """Lint a pack: manifest, rule files, dependencies and overlays, vocabulary, crosswalk, a passing
    and a failing case for every rule, and the rule docs."""
    from qmscheck.packtools.check import check_pack

    problems = check_pack(path)
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} problem(s)", err=True)
        sys.exit(ExitCode.FINDINGS)
    click.echo(f"{path}: no problem")


@pack.command("test")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--quiet", "-q", is_flag=True, help="Print only the cases that fail.")
def test_command(path: Path, quiet: bool) -> None:
    """Run every case of a pack: its rule alone over its items must raise exactly the findings it expects."""
    from qmscheck.packtools.test import run_pack_cases

    results = run_pack_cases(path)
    for result in results:
        if not (quiet and result.passed):
            click.echo(result.describe())
    failed = sum(not result.passed for result in results)
    click.echo(f"{len(results) - failed} passed, {failed} failed")
    if failed or not results:
        if not results:
            click.echo("no case to run: every rule needs a passing and a failing case", err=True)
        sys.exit(ExitCode.FINDINGS)


@pack.command("docs")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
def docs_command(path: Path, out_dir: Path) -> None:
    """Write the rule reference of a pack: a page per rule (what `qmscheck rules explain` prints) and an index."""
    from qmscheck.checking.ruledocs import write
    from qmscheck.packtools.under_test import open_pack

    under = open_pack(path)
    changed = write(out_dir, under.load(), pack=under.pack.name)
    click.echo(f"{len(changed)} file(s) written to {out_dir}")
