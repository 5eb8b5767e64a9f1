"""``qmscheck inventory``: what a scan would recognise in each file, and what it would skip and why.

Every source whose connector can list itself (:class:`~qmscheck.collecting.connectors.base.Inventorying`,
the file share among them) is listed in full, a workbook once per sheet: the connector reads
and applies its own skip rules, and each document and sheet is classified here with the scan's
classifiers, so a user can write ``[[classify]]`` overrides in ``qmscheck.toml``. Each entry says
why it was classified so and the language its words are in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from qmscheck.collecting.classification import Candidate, Classification, Overrides, candidate_language
from qmscheck.collecting.connectors.base import DEFAULT_MAX_FILE_SIZE, CollectContext, Inventoried, Inventorying
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
    language: str | None = None  # what the file's words are in (ISO 639-1), when they tell


@dataclass
class Inventory:
    entries: list[InventoryEntry]
    not_inventoried: list[str]  # sources whose connector cannot list them

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


def inventory(
    config: ScanConfig,
    plugins: CollectPlugins,
    jobs: int = 1,
    progress: Progress | None = None,
    max_file_size: int | None = None,
) -> Inventory:
    """``max_file_size`` (--max-file-size) wins over each source's own option, as in a scan."""
    progress = progress or NullProgress()
    overrides = Overrides(config.classify)

    def classify(candidate: Candidate) -> Classification | None:
        return overrides.classify(candidate) or plugins.classify(candidate)

    context = CollectContext(
        classify=classify,
        base_dir=config.base_dir,
        max_file_size=max_file_size or DEFAULT_MAX_FILE_SIZE,
        max_file_size_forced=max_file_size is not None,
        jobs=jobs,
        progress=progress,
        overrides=tuple(config.classify),
    )
    entries: list[InventoryEntry] = []
    others: list[str] = []
    for source in config.sources:
        options = source.options()
        connector = plugins.connectors.get(source.connector)
        where = connector.describe(options)
        if not isinstance(connector, Inventorying):
            others.append(f"{source.connector}: {where}")
            continue
        entries += (_entry(where, found, classify) for found in connector.inventory(options, context))
    progress.finish()
    return Inventory(entries, others)


def _entry(where: str, found: Inventoried, classify: Callable[[Candidate], Classification | None]) -> InventoryEntry:
    candidate = found.candidate
    if candidate is None:
        return InventoryEntry(where, found.path, found.passed or NOT_RECOGNISED, found.reason)
    title = None if candidate.is_register else candidate.title
    classification = classify(candidate)
    language = classification.language if classification and classification.language else candidate_language(candidate)
    if classification is None:
        reason = (
            "no register pattern matched the file or sheet name and its columns"
            if candidate.is_register
            else "no document pattern matched the file name or title; scanned as type 'unclassified'"
        )
        return InventoryEntry(
            where,
            found.path,
            NOT_RECOGNISED,
            reason,
            sheet=candidate.sheet,
            title=title,
            rows=found.rows,
            columns=found.columns,
            language=language,
        )
    return InventoryEntry(
        where,
        found.path,
        RECOGNISED,
        classification.reason or "classified",
        sheet=candidate.sheet,
        type=classification.type,
        kind=classification.kind.value,
        title=title,
        rows=found.rows,
        columns=found.columns,
        language=language,
    )


def render_text(result: Inventory) -> str:
    lines: list[str] = []
    for entry in result.entries:
        where = entry.path + (f" [{entry.sheet}]" if entry.sheet is not None else "")
        language = f" [{entry.language}]" if entry.language else ""
        if entry.status == RECOGNISED:
            rows = f", {entry.rows} rows" if entry.rows is not None else ""
            lines.append(f"{entry.status:<15} {entry.type} ({entry.kind}{rows}){language}  {where}  - {entry.reason}")
        else:
            detail = entry.reason
            if entry.columns:
                detail += f"; columns found: {', '.join(entry.columns)}"
            lines.append(f"{entry.status:<15} {'-':<1}{language}  {where}  - {detail}")
    for other in result.not_inventoried:
        lines.append(f"(source {other} cannot list its content; not inventoried)")
    counts = result.counts()
    lines.append("")
    lines.append(", ".join(f"{count} {status}" for status, count in counts.items()))
    if counts[NOT_RECOGNISED]:
        lines.append(
            "To classify a file, add to qmscheck.toml e.g.:\n"
            '  [[classify]]\n  pattern = "Registers/Training*.xlsx"\n  type = "training_record"'
        )
    return "\n".join(lines) + "\n"
