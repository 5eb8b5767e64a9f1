"""``qmscheck diff`` and ``qmscheck history``: how the findings moved between two scans, and the
scans kept in the evidence index, so that surveillance can show the trend.

- ``diff OLD.json NEW.json`` compares two saved scans finding by finding (new, resolved,
  re-graded, changed extent, persisting). Exit 0; with ``--fail-on-new GRADE``, 1 when a new
  finding is of that grade or worse; 2 on a usage error.
- ``history [TARGET]`` lists the scans the evidence index of TARGET keeps, oldest first, with
  their counts and what each changed from the one before. Exit 0; 2 on a usage error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qmscheck.cli_support import echo_or_write, index_path, read_saved_report
from qmscheck.errors import ExitCode
from qmscheck.model.grades import GRADE_ORDER, Grade
from qmscheck.model.report import ReportSummary

if TYPE_CHECKING:
    from qmscheck.storage.history import ScanRecord

__all__ = ["diff_command", "history_command"]

#: The formats of ``diff``; kept equal to qmscheck.auditing.diff.DIFF_FORMATS by a test.
FORMATS = ("text", "json", "markdown", "html")


@click.command("diff")
@click.argument("old_file", metavar="OLD.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new_file", metavar="NEW.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "format_name", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the comparison to a file.")
@click.option(
    "--fail-on-new",
    type=click.Choice([grade.value for grade in GRADE_ORDER]),
    default=None,
    help="Exit 1 when a new finding is of this grade or worse.",
)
def diff_command(
    old_file: Path, new_file: Path, format_name: str, output: Path | None, fail_on_new: str | None
) -> None:
    """Compare two saved scans (`scan --format json`): new, resolved, re-graded, changed and persisting findings."""
    from qmscheck.auditing.diff import diff_reports, render_diff

    diff = diff_reports(read_saved_report(old_file), read_saved_report(new_file))
    echo_or_write(render_diff(diff, format_name), output, f"{diff.counts.line()} - comparison")
    failed = fail_on_new is not None and diff.new_at_or_above(Grade(fail_on_new))
    sys.exit(ExitCode.FINDINGS if failed else ExitCode.OK)


@click.command("history")
@click.argument("target", default=".", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "format_name", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--index",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The evidence index that kept the scans.  [default: .qmscheck/index.sqlite beside qmscheck.toml]",
)
def history_command(target: Path, format_name: str, index: Path | None) -> None:
    """List the scans of TARGET kept in its evidence index, oldest first, with counts and the trend."""
    from qmscheck.storage.history import read_history

    path = index_path(target, index, no_index=False)
    assert path is not None  # an index is always named unless --no-index
    records = read_history(path)
    if format_name == "json":
        click.echo(json.dumps(_history_json(records), indent=2, sort_keys=True, ensure_ascii=False))
        return
    if not records:
        click.echo(f"no scans kept in {path}: a scan with an evidence index records itself there")
        return
    click.echo(f"{len(records)} scan{'s' if len(records) != 1 else ''} kept in {path}, oldest first")
    for line in _history_lines(records):
        click.echo(line)


def _trend(records: list[ScanRecord]) -> list[tuple[int, int, int] | None]:
    """(new, resolved, re-graded) fingerprints of each scan against the scan of the same stage before
    it (a Stage 1 scan runs fewer rules than a Stage 2 scan: comparing them would count the
    difference as findings); None for the first scan of its stage."""
    trend: list[tuple[int, int, int] | None] = []
    last: dict[int, ScanRecord] = {}
    for record in records:
        before = last.get(record.stage)
        if before is None:
            trend.append(None)
        else:
            now, then = record.findings, before.findings
            regraded = sum(1 for key in now.keys() & then.keys() if now[key] != then[key])
            trend.append((len(now.keys() - then.keys()), len(then.keys() - now.keys()), regraded))
        last[record.stage] = record
    return trend


def _history_lines(records: list[ScanRecord]) -> list[str]:
    lines = []
    for record, moved in zip(records, _trend(records), strict=True):
        counts = ReportSummary(**record.summary).line()
        since = ""
        if moved is not None:
            new, resolved, regraded = moved
            since = (
                f" ({new} new, {resolved} resolved, {regraded} re-graded since the stage {record.stage} scan before)"
            )
        lines.append(f"  {record.ran_at}  as of {record.as_of}  stage {record.stage}  {counts}{since}")
    return lines


def _history_json(records: list[ScanRecord]) -> list[dict[str, object]]:
    return [
        {
            "ran_at": record.ran_at,
            "organisation": record.organisation,
            "as_of": record.as_of.isoformat(),
            "stage": record.stage,
            "packs": list(record.packs),
            "summary": record.summary,
            "findings": record.findings,
            "new": None if moved is None else moved[0],
            "resolved": None if moved is None else moved[1],
            "regraded": None if moved is None else moved[2],
        }
        for record, moved in zip(records, _trend(records), strict=True)
    ]
