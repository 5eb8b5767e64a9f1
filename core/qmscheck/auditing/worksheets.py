"""A sample as the auditor's worksheet: CSV, XLSX (with columns to record the verification) and
JSON (the same data with the method, the seed and the population's digest, so anyone can redraw
the sample and check it is the same).

Each format is bytes that depend on the sample alone: the same seed and the same scan give
byte-identical files. The XLSX is a zip whose entries carry a fixed timestamp and are stored
uncompressed (deflate output differs between zlib builds), and whose document properties
carry the sample's as-of date instead of the time of writing.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from qmscheck import __version__
from qmscheck.auditing.sampling import KEY_DOMAIN, Pick, Sample, percent
from qmscheck.model.evidence import CORE_TEXT_FIELDS, DATE_FIELDS, AttributeValue, EvidenceItem
from qmscheck.support.atomic import write_atomically

__all__ = ["FORMATS", "Format", "fields_of", "file_stem", "header", "redraw_command", "rows", "to_bytes", "write"]

Format = Literal["csv", "xlsx", "json"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "json")
VERIFIED = "Verified (Y/N)"
NOTES = "Notes"
#: The earliest time a zip entry can carry: no entry records when it was written.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: What every worksheet's JSON says it is, for a reader that meets one without its name.
JSON_FORMAT = "qmscheck-sample"
JSON_VERSION = "1.0"


def _text(value: AttributeValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.isoformat() if isinstance(value, date) else str(value)


def fields_of(items: Sequence[EvidenceItem]) -> list[str]:
    """The fields any of ``items`` gives a value: dates, then the core fields, then attributes in
    the order the items (taken in id order) first show them."""
    ordered = sorted(items, key=lambda item: item.id)
    names = [name for name in DATE_FIELDS if any(getattr(item.dates, name) for item in ordered)]
    names += [name for name in CORE_TEXT_FIELDS if any(getattr(item, name) for item in ordered)]
    for item in ordered:
        names += [name for name, value in item.attributes.items() if _text(value) and name not in names]
    return names


def redraw_command(sample: Sample) -> str:
    """The command that draws this sample again from the same scan (TARGET being the scanned folder)."""
    parts = ["qmscheck sample TARGET", f"--type {sample.population.type}"]
    parts += [f"--{name} {_quoted(value)}" for name, value in sample.population.filters]
    parts.append(f"--size {sample.size}")
    parts.append(f"--seed {_quoted(sample.seed)}")
    if sample.method != "random":
        parts.append(f"--method {sample.method}")
    parts += [f"--by {name}" for name in sample.by]
    if sample.method == "risk":
        parts += ["--report SCAN.json", f"--as-of {sample.as_of.isoformat()}", f"--near-days {sample.near_days}"]
    return " ".join(parts)


def _quoted(value: str) -> str:
    return value if re.fullmatch(r"[\w.:/@+-]+", value) else "'" + value.replace("'", "'\\''") + "'"


def _method_name(sample: Sample) -> str:
    return {"random": "simple random", "stratified": "stratified", "risk": "risk-weighted"}[sample.method]


def header(sample: Sample) -> list[tuple[str, str]]:
    """The block above the table: what was sampled, how, and what the sample supports."""
    population = sample.population
    block = [
        ("Population", f"{population.size} items of {population.describe()}"),
        ("Population digest", f"sha256 {population.digest}"),
        ("Sample size", str(sample.size)),
        ("Method", _method_name(sample) + (f" by {', '.join(sample.by)}" if sample.by else "")),
        ("Seed", sample.seed),
        ("As of", sample.as_of.isoformat()),
    ]
    if sample.sizing is not None:
        sizing = sample.sizing
        block.append(
            (
                "Sized for",
                f"{percent(sizing.confidence)} confidence, tolerable deviation rate "
                f"{percent(sizing.tolerable)}, {sizing.expected} expected deviation(s)",
            )
        )
    block += [("Statement" if i == 0 else "", line) for i, line in enumerate(sample.statement)]
    if sample.strata:
        block.append(("Strata", "; ".join(f"{s.name}: {s.drawn} of {s.population}" for s in sample.strata)))
    if sample.weight_counts:
        block.append(
            (
                "Weights",
                "; ".join(f"weight {w}: {count} item{'s' if count != 1 else ''}" for w, count in sample.weight_counts),
            )
        )
    block += [
        ("Redraw with", redraw_command(sample)),
        ("Draw keys", f"sha256('{KEY_DOMAIN}' NUL seed NUL item id NUL ticket), smallest first"),
        ("Drawn by", f"qmscheck {__version__}"),
    ]
    return block


def _columns(sample: Sample, names: Sequence[str]) -> list[str]:
    columns = ["#", "Item", "Label", "sha256", *names]
    if sample.method == "stratified":
        columns.append("Stratum")
    if sample.method == "risk":
        columns += ["Weight", "Why weighted"]
    return [*columns, VERIFIED, NOTES]


def rows(sample: Sample) -> tuple[list[str], list[list[str]]]:
    """The table's column names and one row per item, in draw order; the verification columns empty."""
    names = fields_of([pick.item for pick in sample.picks])
    table = []
    for pick in sample.picks:
        row = [str(pick.rank), pick.item.locator, pick.label, pick.item.sha256 or "", *_values(pick, names)]
        if sample.method == "stratified":
            row.append(pick.stratum or "")
        if sample.method == "risk":
            row += [str(pick.weight.value if pick.weight else 1), "; ".join(pick.weight.reasons if pick.weight else ())]
        table.append([*row, "", ""])
    return _columns(sample, names), table


def _values(pick: Pick, names: Sequence[str]) -> list[str]:
    return [_text(pick.item.field(name)) for name in names]


def _csv(sample: Sample) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for key, value in header(sample):
        writer.writerow([key, value])
    writer.writerow([])
    columns, table = rows(sample)
    writer.writerow(columns)
    writer.writerows(table)
    # With the byte-order mark, Excel reads the file as UTF-8 (names with accents stay intact).
    return buffer.getvalue().encode("utf-8-sig")


def _json(sample: Sample) -> bytes:
    population = sample.population
    names = fields_of([pick.item for pick in sample.picks])
    data = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "tool": f"qmscheck {__version__}",
        "as_of": sample.as_of.isoformat(),
        "population": {
            "type": population.type,
            "filters": dict(population.filters),
            "size": population.size,
            "digest": population.digest,
            "digest_of": "sha256 of '<item id>\\t<item sha256>\\n' per item, items in code-point order of id",
        },
        "method": {
            "name": sample.method,
            "seed": sample.seed,
            "keys": f"sha256('{KEY_DOMAIN}' NUL seed NUL item id NUL ticket) as a big-endian integer; "
            "an item's key is its smallest ticket (one ticket, or its weight in tickets when risk-weighted); "
            "the sample is the items with the smallest keys",
            "by": list(sample.by),
            "strata": [{"name": s.name, "population": s.population, "drawn": s.drawn} for s in sample.strata],
            "near_days": sample.near_days,
            "redraw": redraw_command(sample),
        },
        "sizing": None
        if sample.sizing is None
        else {
            "confidence": str(sample.sizing.confidence),
            "tolerable": str(sample.sizing.tolerable),
            "expected": sample.sizing.expected,
            "distribution": sample.sizing.distribution,
            "deviations_at_tolerable": sample.sizing.deviations,
            "probability_at_tolerable": str(sample.sizing.risk),
        },
        "size": sample.size,
        "statement": list(sample.statement),
        "items": [
            {
                "rank": pick.rank,
                "id": pick.item.id,
                "locator": pick.item.locator,
                "label": pick.label,
                "sha256": pick.item.sha256,
                "key": f"{pick.key:064x}",
                "stratum": pick.stratum,
                "weight": pick.weight.value if pick.weight else None,
                "why_weighted": list(pick.weight.reasons) if pick.weight else [],
                "fields": {name: _text(pick.item.field(name)) for name in names if _text(pick.item.field(name))},
                "verified": None,
                "notes": "",
            }
            for pick in sample.picks
        ],
    }
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _xlsx(sample: Sample) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sample"
    bold = Font(bold=True)
    for key, value in header(sample):
        sheet.append([key, value])
        sheet.cell(sheet.max_row, 1).font = bold
    sheet.append([])
    columns, table = rows(sample)
    sheet.append(columns)
    first = sheet.max_row
    for cell in sheet[first]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table:
        sheet.append(row)
    sheet.freeze_panes = sheet.cell(first + 1, 1)
    verified = columns.index(VERIFIED) + 1
    letter = sheet.cell(first, verified).column_letter
    if table:
        answers = DataValidation(type="list", formula1='"Y,N"', allow_blank=True)
        answers.add(f"{letter}{first + 1}:{letter}{first + len(table)}")
        sheet.add_data_validation(answers)
    for index, name in enumerate(columns, start=1):
        longest = max([len(name), *(len(row[index - 1]) for row in table)])
        sheet.column_dimensions[sheet.cell(first, index).column_letter].width = min(60, max(8, longest + 2))
    when = datetime(sample.as_of.year, sample.as_of.month, sample.as_of.day)
    properties = workbook.properties
    properties.creator = f"qmscheck {__version__}"
    properties.title = f"Sample of {sample.population.describe()}, seed {sample.seed}"
    properties.created = when
    buffer = io.BytesIO()
    workbook.save(buffer)
    properties.modified = when  # openpyxl stamps the time of saving; the entry is written anew below
    return _fixed_zip(buffer.getvalue(), {"docProps/core.xml": _core_xml(properties)})


def _core_xml(properties: Any) -> bytes:
    from openpyxl.xml.functions import tostring

    return tostring(properties.to_tree())  # type: ignore[no-any-return]


def _fixed_zip(data: bytes, replaced: dict[str, bytes]) -> bytes:
    """The zip ``data`` again, entries in the same order with ``replaced`` contents, a fixed
    timestamp and no compression, so that its bytes depend on its contents alone."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIME)
            info.create_system = 3  # otherwise the platform's: the same bytes on Windows and elsewhere
            info.external_attr = 0o644 << 16
            target.writestr(info, replaced.get(entry.filename, source.read(entry.filename)))
    return out.getvalue()


def to_bytes(sample: Sample, format_name: Format) -> bytes:
    """The worksheet in ``format_name``."""
    return {"csv": _csv, "xlsx": _xlsx, "json": _json}[format_name](sample)


def file_stem(sample: Sample) -> str:
    """``sample-<type>[-<filter values>]-<method>-seed-<seed>``, safe as a file name anywhere."""
    parts = ["sample", sample.population.type, *(value for _, value in sample.population.filters)]
    parts += [sample.method, *sample.by, "seed", sample.seed]
    return "-".join(re.sub(r"[^\w.]+", "_", part).strip("_") or "_" for part in parts)


def write(sample: Sample, directory: Path, formats: Sequence[Format]) -> list[Path]:
    """Write the worksheet in each of ``formats`` into ``directory``; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for format_name in formats:
        path = directory / f"{file_stem(sample)}.{format_name}"
        write_atomically(path, to_bytes(sample, format_name))
        written.append(path)
    return written
