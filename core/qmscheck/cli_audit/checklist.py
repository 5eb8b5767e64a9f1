"""``qmscheck checklist``: the on-site checklist of a scan, and its answers recorded back as decisions."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from qmscheck.auditing.checklist import CHECKLIST_FORMATS, import_answers, make_checklist, render_checklist
from qmscheck.cli_support import HELP_OPTIONS, echo_or_write, read_saved_report
from qmscheck.errors import QmscheckError
from qmscheck.model.evidence import EvidenceItem


class _ChecklistGroup(click.Group):
    """``qmscheck checklist SCAN.json`` writes the checklist; ``qmscheck checklist import`` reads one back."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["write", *args]
        return super().parse_args(ctx, args)


def _evidence(target: Path) -> list[EvidenceItem]:
    """The evidence of the configuration the scan read, for the roles in it (the index makes it quick)."""
    from qmscheck.collecting.run import CollectOptions, collect
    from qmscheck.config.scan_config import load_config
    from qmscheck.model.groups import items_of
    from qmscheck.plugins.manager import load_plugins

    plugins = load_plugins()
    config = load_config(target)
    config.check_connectors(plugins.connectors.names())  # a found config may not use other connectors
    return list(items_of(collect(config, plugins, CollectOptions()).groups))


@click.group("checklist", cls=_ChecklistGroup, context_settings=HELP_OPTIONS)
def checklist_command() -> None:
    """The on-site checklist of a scan: every manual check and evidence request as a question, the
    evidence to request and whom to ask, with columns for the answers (`checklist SCAN.json`);
    `checklist import` records the answers as decisions."""


@checklist_command.command("write")
@click.argument("scan_file", metavar="SCAN.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "format_name", type=click.Choice(CHECKLIST_FORMATS), default="md", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout.")
@click.option(
    "--evidence",
    "evidence_target",
    metavar="TARGET",
    type=click.Path(exists=True, path_type=Path),
    help="The folder or qmscheck.toml the scan read: names whom to ask from the owners and approvers in it.",
)
def checklist_write(scan_file: Path, format_name: str, output: Path | None, evidence_target: Path | None) -> None:
    """Write the on-site checklist of SCAN.json (a `scan --format json`)."""
    report = read_saved_report(scan_file)
    items = _evidence(evidence_target) if evidence_target is not None else None
    data = render_checklist(make_checklist(report, items), format_name)
    if output is None and format_name == "xlsx":
        raise QmscheckError("an xlsx checklist is a file: give --output FILE.xlsx")
    echo_or_write(data, output, "checklist")


@checklist_command.command("import")
@click.argument("workbook", metavar="FILLED.xlsx", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--decisions",
    "decisions_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The decisions file to add to (qmscheck.decisions.toml beside qmscheck.toml); created if missing.",
)
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="The date of the on-site verification.")
def checklist_import(workbook: Path, decisions_file: Path, on: datetime | None) -> None:
    """Record the answered evidence requests of a filled checklist as decisions: shown on site
    (conforms) refutes the request, confirmed missing (nonconformity) verifies it; not seen stays open."""
    recorded, skipped = import_answers(workbook, decisions_file, on.date() if on else None)
    click.echo(f"{len(recorded)} decision{'s' if len(recorded) != 1 else ''} added to {decisions_file}")
    for fingerprint in skipped:
        click.echo(f"{fingerprint}: already decided in {decisions_file}; left as it is", err=True)
