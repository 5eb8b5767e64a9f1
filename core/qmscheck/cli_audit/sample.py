"""``qmscheck sample``: list the populations of a scan, draw a sample reproducibly from a stated
seed and write the auditor's worksheet, or size a sample and say what it can detect."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, get_args

import click

from qmscheck.cli_support import config_option, configured, index_path, listed, load_plugins_for, read_saved_report
from qmscheck.errors import ConfigError

if TYPE_CHECKING:
    from qmscheck.auditing.sampling import PopulationRow, Sample
    from qmscheck.auditing.worksheets import Format
    from qmscheck.config.scan_config import ScanConfig
    from qmscheck.model.evidence import EvidenceItem
    from qmscheck.model.report import Report

OUTPUT_FORMATS = ("text", "csv", "xlsx", "json")


@click.command("sample")
@click.argument("target", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--list", "list_only", is_flag=True, help="List the populations of TARGET (evidence types, with counts).")
@click.option("--type", "evidence_type", metavar="TYPE", help="The evidence type to sample, e.g. calibration_record.")
@click.option("--site", help="Only the items of this site.")
@click.option("--process", help="Only the items of this process.")
@click.option("--month", metavar="YYYY-MM", help="Only the items whose main date falls in this month.")
@click.option("--size", type=click.IntRange(min=1), help="How many items to draw (or, with --detect, drawn).")
@click.option("--confidence", metavar="C", help="Size the sample for this confidence, e.g. 0.95 or 95%.")
@click.option(
    "--tolerable",
    metavar="RATE",
    default="0.05",
    show_default=True,
    help="The tolerable deviation rate the sample is sized against (with --confidence).",
)
@click.option(
    "--expected",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Deviations the sample may show and still support the conclusion (with --confidence).",
)
@click.option("--seed", help="Any number or word; the worksheet records it, so anyone can draw the sample again.")
@click.option(
    "--method",
    type=click.Choice(["random", "stratified", "risk"]),
    default=None,
    help="random; stratified (--by); risk: weighted toward items findings cite and items due soon or overdue.  "
    "[default: stratified with --by, else random]",
)
@click.option(
    "--by",
    multiple=True,
    metavar="FIELD",
    help="Stratify by this field: site, month, process, supplier or any field the items carry (repeat for several).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A saved `qmscheck scan --format json` of TARGET: which items findings cite, and the as-of date.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day due dates are judged against.  [default: the report's, else the config's, else today]",
)
@click.option(
    "--near-days",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="A risk-weighted draw favours items due within this many days of the as-of date.",
)
@click.option(
    "--format",
    "format_names",
    multiple=True,
    type=click.Choice(OUTPUT_FORMATS),
    help="text (to stdout), csv, xlsx, json; repeat with --output-dir.  "
    "[default: csv, xlsx and json with --output-dir, else text]",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the worksheets to DIR/sample-<type>-...-seed-<seed>.<format>.",
)
@click.option("--size-only", is_flag=True, help="Only say how large a sample must be (--confidence, --tolerable).")
@click.option("--detect", is_flag=True, help="Only say what a sample of --size catches at deviation --rate.")
@click.option("--population", type=click.IntRange(min=1), help="With --size-only or --detect: the population size.")
@click.option("--rate", metavar="RATE", help="With --detect: the deviation rate to catch, e.g. 0.10.")
@click.option(
    "--pack", "pack_names", multiple=True, metavar="NAME", help="Recognise evidence as a scan with this pack would."
)
@click.option(
    "--index",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The evidence index to read TARGET through.  [default: as `qmscheck scan`]",
)
@click.option("--no-index", is_flag=True, help="Neither use nor write an evidence index.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@config_option
def sample_command(
    target: Path | None,
    list_only: bool,
    evidence_type: str | None,
    site: str | None,
    process: str | None,
    month: str | None,
    size: int | None,
    confidence: str | None,
    tolerable: str,
    expected: int,
    seed: str | None,
    method: str | None,
    by: tuple[str, ...],
    report_path: Path | None,
    as_of: datetime | None,
    near_days: int,
    format_names: tuple[str, ...],
    output_dir: Path | None,
    size_only: bool,
    detect: bool,
    population: int | None,
    rate: str | None,
    pack_names: tuple[str, ...],
    index: Path | None,
    no_index: bool,
    quiet: bool,
    config_file: Path | None,
) -> None:
    """Draw an audit sample from TARGET (a folder or qmscheck.toml), reproducibly from --seed, and
    write its worksheet; or list TARGET's populations (--list); or size a sample (--size-only) or
    say what one detects (--detect) without TARGET.

    \b
    qmscheck sample fixtures/acme --list
    qmscheck sample fixtures/acme --type calibration_record --size 5 --seed 42 --output-dir samples
    qmscheck sample fixtures/acme --type training_record --confidence 0.9 --tolerable 0.2 --seed 7
    qmscheck sample --size-only --population 400 --confidence 0.95 --tolerable 0.05
    qmscheck sample --detect --population 400 --size 20 --rate 0.10
    """
    from qmscheck.auditing import sampling

    if size_only and detect:
        raise ConfigError("give either --size-only or --detect, not both")
    if size_only:
        needed = sampling.sample_size(
            sampling.rate(confidence or "0.95", "confidence"),
            sampling.rate(tolerable, "tolerable"),
            expected,
            population,
        )
        click.echo(f"sample size: {needed.size}")
        click.echo(sampling.size_statement(needed))
        return
    if detect:
        if size is None or rate is None:
            raise ConfigError("--detect needs --size (the sample) and --rate (the deviation rate to catch)")
        click.echo(sampling.detect_statement(population, size, sampling.rate(rate, "rate")))
        return
    if target is None:
        raise ConfigError("give TARGET (a folder or qmscheck.toml) to sample from, or --size-only / --detect")
    if population is not None or rate is not None:
        raise ConfigError("--population and --rate go with --size-only or --detect; a draw counts TARGET's items")
    config, items = _collect(target, pack_names, index, no_index, quiet, config_file)
    organisation = config.organisation
    if list_only:
        rows = sampling.population_rows(items, organisation)
        if set(format_names) - {"text", "json"}:
            raise ConfigError("--list writes text or json")
        click.echo(_rows_json(rows) if "json" in format_names else _rows_text(rows), nl=False)
        return
    if evidence_type is None:
        raise ConfigError("say which evidence to sample with --type (`--list` shows the populations)")
    if seed is None:
        raise ConfigError(
            "give --seed (any number or word): the worksheet records it so anyone can draw the sample again"
        )
    chosen = sampling.population(items, evidence_type, {"site": site, "process": process, "month": month}, organisation)
    report = _read_report(report_path) if report_path else None
    day = as_of.date() if as_of else (report.as_of if report else None) or config.scan.as_of or date.today()
    sizing: sampling.Sizing | None = None
    if confidence is not None:
        if size is not None:
            raise ConfigError("give either --size or --confidence (which sizes the sample), not both")
        sizing = sampling.sample_size(
            sampling.rate(confidence, "confidence"), sampling.rate(tolerable, "tolerable"), expected, chosen.size
        )
        size = sizing.size
    if size is None:
        raise ConfigError("give --size N, or --confidence C (with --tolerable) to size the sample")
    chosen_method = method or ("stratified" if by else "random")
    weights = sampling.risk_weights(chosen.items, report, day, near_days) if chosen_method == "risk" else None
    if chosen_method == "risk" and report is None:
        click.echo("warning: no --report: items are weighted by their due dates alone, not by findings", err=True)
    drawn = sampling.draw(
        chosen,
        size,
        seed,
        method=next(m for m in sampling.METHODS if m == chosen_method),
        by=by,
        weights=weights,
        organisation=organisation,
        as_of=day,
        sizing=sizing,
        near_days=near_days if chosen_method == "risk" else None,
    )
    _emit(drawn, format_names, output_dir)


def _collect(
    target: Path,
    pack_names: tuple[str, ...],
    index: Path | None,
    no_index: bool,
    quiet: bool,
    config_file: Path | None,
) -> tuple[ScanConfig, list[EvidenceItem]]:
    """TARGET's evidence, collected as ``qmscheck scan`` collects it (its packs' words, its index)."""
    from qmscheck.checking.packs import use_pack_words
    from qmscheck.collecting.run import CollectOptions, collect
    from qmscheck.model.groups import items_of
    from qmscheck.scan import selected_packs
    from qmscheck.support.progress import make_progress

    if index is not None and no_index:
        raise ConfigError("give either --index or --no-index, not both")
    plugins = load_plugins_for()
    config = configured(target, config_file)
    config.check_connectors(plugins.connectors.names())
    use_pack_words(selected_packs(plugins, listed(pack_names) or config.scan.packs), plugins.accepted_vocabularies)
    options = CollectOptions(
        index=index_path(target, index, no_index, config_file), progress=make_progress(quiet, False)
    )
    collection = collect(config, plugins, options)
    return config, items_of(collection.groups)


def _read_report(path: Path) -> Report:

    return read_saved_report(path)


def _rows_text(rows: list[PopulationRow]) -> str:
    lines = []
    for row in rows:
        lines.append(f"{row.type} ({row.kind}): {row.count} item{'s' if row.count != 1 else ''}")
        for dimension, counts in row.breakdown:
            lines.append(f"  {dimension}: " + ", ".join(f"{value} {count}" for value, count in counts))
    return "\n".join(lines) + "\n" if lines else "no evidence found\n"


def _rows_json(rows: list[PopulationRow]) -> str:
    data = [
        {
            "type": row.type,
            "kind": row.kind,
            "count": row.count,
            "by": {dimension: dict(counts) for dimension, counts in row.breakdown},
        }
        for row in rows
    ]
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _emit(drawn: Sample, format_names: tuple[str, ...], output_dir: Path | None) -> None:
    from qmscheck.auditing import worksheets

    if output_dir is not None:
        if "text" in format_names:
            raise ConfigError("--output-dir writes csv, xlsx or json worksheets; text goes to stdout")
        chosen: list[Format] = [
            name for name in get_args(worksheets.Format) if name in (format_names or worksheets.FORMATS)
        ]
        for path in worksheets.write(drawn, output_dir, chosen):
            click.echo(f"worksheet written to {path}", err=True)
        click.echo("\n".join(drawn.statement))
        return
    if len(format_names) > 1:
        raise ConfigError("several formats need --output-dir")
    format_name = format_names[0] if format_names else "text"
    if format_name == "xlsx":
        raise ConfigError("xlsx needs --output-dir")
    if format_name == "text":
        click.echo(_text(drawn), nl=False)
        return
    data = worksheets.to_bytes(drawn, next(name for name in worksheets.FORMATS if name == format_name))
    click.echo(data.decode("utf-8-sig"), nl=False)


def _text(drawn: Sample) -> str:
    from qmscheck.auditing.worksheets import header

    lines = [f"{key + ':' if key else '':<18} {value}".rstrip() for key, value in header(drawn)]
    lines.append("")
    for pick in drawn.picks:
        extra = f"  [{pick.stratum}]" if pick.stratum else ""
        if pick.weight and pick.weight.reasons:
            extra += f"  (weight {pick.weight.value}: {'; '.join(pick.weight.reasons)})"
        lines.append(f"{pick.rank:>4}. {pick.label}  {pick.item.locator}  sha256 {pick.item.sha256 or '-'}{extra}")
    return "\n".join(lines) + "\n"
