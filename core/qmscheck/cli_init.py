"""``qmscheck init``: draft the ``qmscheck.toml`` of a folder of evidence (:mod:`qmscheck.initialise`)."""

from __future__ import annotations

from pathlib import Path

import click

from qmscheck.cli_support import load_plugins_for


@click.command("init")
@click.argument("folder", metavar="PATH", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the draft here instead of PATH/qmscheck.toml (never over an existing file).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Processes for parsing files (1: in this process).  [default: one per CPU]",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary on stderr.")
def init_command(folder: Path, output: Path | None, jobs: int | None, quiet: bool) -> None:
    """Draft PATH/qmscheck.toml from what the evidence in PATH says: the organisation's name, sites
    and processes, the exclusions its documents declare, its own frequencies and [[classify]]
    suggestions for files not recognised, each commented with where it was found. An existing
    qmscheck.toml is never replaced."""
    from qmscheck.collecting.run import default_jobs
    from qmscheck.initialise import initialise
    from qmscheck.support.progress import make_progress

    written, draft = initialise(
        folder,
        load_plugins_for(),
        output=output,
        jobs=jobs or default_jobs(),
        progress=make_progress(quiet=quiet, verbose=False),
    )
    if quiet:
        return
    said = [
        f"organisation {draft.name.value!r} (from {draft.name.where})",
        f"{len(draft.sites)} site(s)",
        f"{len(draft.processes)} process(es)",
        f"{len(draft.exclusions)} exclusion(s)",
        f"{len(draft.parameters) + len(draft.read_by_scan)} parameter(s)",
        f"{len(draft.suggestions) + draft.more_suggestions} [[classify]] suggestion(s)",
    ]
    click.echo(f"{written} written: {', '.join(said)}; check each value against your documents", err=True)
