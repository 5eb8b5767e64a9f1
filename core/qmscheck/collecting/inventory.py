"""``qmscheck inventory``: what a scan would recognise in each file, and what it would skip and why.

Every file of every file-share source is listed once (a workbook once per sheet) with
its classification or the reason it is not recognised, so a user can write
``[[classify]]`` overrides in ``qmscheck.toml``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import PurePosixPath
from typing import Any

from qmscheck.collecting.classification import Candidate, Classification, Overrides
from qmscheck.collecting.connectors.base import DEFAULT_MAX_FILE_SIZE, CollectContext
from qmscheck.collecting.connectors.filesystem import SMALL_BATCH, FilesystemConnector, parse_size
from qmscheck.collecting.connectors.tree import Entry, Skipped
from qmscheck.collecting.connectors.worker import DOCUMENT_SUFFIXES, REGISTER_SUFFIXES, Task, run_tasks
from qmscheck.collecting.run import CollectPlugins
from qmscheck.config.scan_config import ScanConfig
from qmscheck.support.progress import NullProgress, Progress

INVENTORY_SCHEMA_VERSION = "1"

RECOGNISED = "recognised"
NOT_RECOGNISED = "not recognised"
UNREADABLE = "unreadable"
SKIPPED = "skipped"


@dataclass(frozen=True)
class InventoryEntry:
    source: str
    path: str
    status: str  # recognised | not recognised | unreadable | skipped
    reason: str
    sheet: str | None = None
    type: str | None = None
    kind: str | None = None
    title: str | None = None
    rows: int | None = None
    columns: tuple[str, ...] = ()  # the header row as written


@dataclass
class Inventory:
    entries: list[InventoryEntry]
    not_inventoried: list[str]  # sources of other connectors

    def counts(self) -> dict[str, int]:
        counts = {RECOGNISED: 0, NOT_RECOGNISED: 0, UNREADABLE: 0, SKIPPED: 0}
        for entry in self.entries:
            counts[entry.status] += 1
        return counts

    def as_json(self) -> dict[str, Any]:
        return {
            "schema_version": INVENTORY_SCHEMA_VERSION,
            "counts": self.counts(),
            "entries": [asdict(entry) for entry in self.entries],
            "not_inventoried": self.not_inventoried,
        }


def _describe(classification: Classification) -> str:
    return classification.reason or "classified"


def inventory(
    config: ScanConfig, plugins: CollectPlugins, jobs: int = 1, progress: Progress | None = None
) -> Inventory:
    progress = progress or NullProgress()
    overrides = Overrides(config.classify)

    def classify(candidate: Candidate) -> Classification | None:
        return overrides.classify(candidate) or plugins.classify(candidate)

    context = CollectContext(classify=classify, base_dir=config.base_dir)
    connector = FilesystemConnector()
    entries: list[InventoryEntry] = []
    others: list[str] = []
    for source in config.sources:
        options = source.options()
        if source.connector != connector.name:
            others.append(
                f"{source.connector}: {plugins.connectors.get(source.connector).describe(options)}"
                if source.connector in plugins.connectors.names()
                else source.connector
            )
            continue
        where = connector.describe(options)
        limit = parse_size(options["max_file_size"]) if "max_file_size" in options else DEFAULT_MAX_FILE_SIZE
        tree = connector.open(options, context)
        readable: list[Entry] = []
        for found in tree.walk():
            if isinstance(found, Skipped):
                entries.append(InventoryEntry(where, found.relative, SKIPPED, found.reason))
                continue
            suffix = PurePosixPath(found.relative).suffix.lower()
            if suffix not in DOCUMENT_SUFFIXES | REGISTER_SUFFIXES:
                entries.append(
                    InventoryEntry(
                        where,
                        found.relative,
                        NOT_RECOGNISED,
                        f"unsupported file type {suffix or '(no suffix)'}; not read",
                    )
                )
            elif found.size > limit:
                entries.append(
                    InventoryEntry(
                        where, found.relative, SKIPPED, f"{found.size} bytes is over the size limit of {limit} bytes"
                    )
                )
            else:
                readable.append(found)
        progress.start(f"reading {where}", len(readable))
        tasks = (Task(tree, e.relative, PurePosixPath(e.relative).suffix.lower(), size=e.size) for e in readable)
        for outcome in run_tasks(tasks, jobs if len(readable) >= SMALL_BATCH else 1):
            progress.advance()
            path = outcome.relative
            if outcome.error is not None:
                entries.append(InventoryEntry(where, path, UNREADABLE, outcome.error))
                continue
            if not outcome.units:
                entries.append(InventoryEntry(where, path, NOT_RECOGNISED, "no sheet with a header row and data"))
            for unit in outcome.units:
                if not unit.is_register:
                    found_class = classify(Candidate(path=path, title=unit.title))
                    if found_class is None:
                        entries.append(
                            InventoryEntry(
                                where,
                                path,
                                NOT_RECOGNISED,
                                "no document pattern matched the file name or title; scanned as type 'unclassified'",
                                title=unit.title,
                            )
                        )
                    else:
                        entries.append(
                            InventoryEntry(
                                where,
                                path,
                                RECOGNISED,
                                _describe(found_class),
                                type=found_class.type,
                                kind=found_class.kind.value,
                                title=unit.title,
                            )
                        )
                    continue
                columns = tuple(header for header in unit.headers if header)
                candidate = Candidate(
                    path=path,
                    title=unit.title,
                    sheet=unit.sheet,
                    headers=tuple(name for name in unit.canonical if name),
                    is_register=True,
                )
                found_class = classify(candidate)
                if found_class is None:
                    entries.append(
                        InventoryEntry(
                            where,
                            path,
                            NOT_RECOGNISED,
                            "no register pattern matched the file or sheet name and its columns",
                            sheet=unit.sheet,
                            rows=len(unit.items),
                            columns=columns,
                        )
                    )
                else:
                    entries.append(
                        InventoryEntry(
                            where,
                            path,
                            RECOGNISED,
                            _describe(found_class),
                            sheet=unit.sheet,
                            type=found_class.type,
                            kind=found_class.kind.value,
                            rows=len(unit.items),
                            columns=columns,
                        )
                    )
    progress.finish()
    return Inventory(entries, others)


def render_text(result: Inventory) -> str:
    lines: list[str] = []
    for entry in result.entries:
        where = entry.path + (f" [{entry.sheet}]" if entry.sheet is not None else "")
        if entry.status == RECOGNISED:
            rows = f", {entry.rows} rows" if entry.rows is not None else ""
            lines.append(f"{entry.status:<15} {entry.type} ({entry.kind}{rows})  {where}  - {entry.reason}")
        else:
            detail = entry.reason
            if entry.columns:
                detail += f"; columns found: {', '.join(entry.columns)}"
            lines.append(f"{entry.status:<15} {'-':<1}  {where}  - {detail}")
    for other in result.not_inventoried:
        lines.append(f"(source {other} is not a file share; not inventoried)")
    counts = result.counts()
    lines.append("")
    lines.append(", ".join(f"{count} {status}" for status, count in counts.items()))
    if counts[NOT_RECOGNISED]:
        lines.append(
            "To classify a file, add to qmscheck.toml e.g.:\n"
            '  [[classify]]\n  pattern = "Registers/Training*.xlsx"\n  type = "training_record"'
        )
    return "\n".join(lines) + "\n"
