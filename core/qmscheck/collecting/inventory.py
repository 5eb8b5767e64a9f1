"""``qmscheck inventory``: what a scan would recognise in each file, and what it would skip and why.

Every source whose connector can list itself (:class:`~qmscheck.collecting.connectors.base.Inventorying`,
the file share among them) is listed in full, a workbook once per sheet: the connector reads
and applies its own skip rules, and each document and sheet is classified here with the scan's
classifiers, so a user can write ``[[classify]]`` overrides in ``qmscheck.toml``. Each entry says
why it was classified so, the language its words are in, its lifecycle state and whether it is an
unfilled template, each with what said so (``lifecycle``). A file that is not read still has the
lifecycle its folders give it (a ``.yaml`` in ``templates/`` is part of a template set).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from qmscheck.collecting.classification import (
    Candidate,
    Classification,
    Overrides,
    candidate_language,
    template_for,
)
from qmscheck.collecting.connectors.base import DEFAULT_MAX_FILE_SIZE, CollectContext, Inventoried, Inventorying
from qmscheck.collecting.connectors.unit_classes import unit_lifecycle
from qmscheck.collecting.lifecycle import Lifecycle, lifecycle_of, template_signal
from qmscheck.collecting.run import CollectPlugins
from qmscheck.config.scan_config import ScanConfig
from qmscheck.model.evidence import Kind
from qmscheck.support.progress import NullProgress, Progress
from qmscheck.support.safe_text import one_line

INVENTORY_SCHEMA_VERSION = "1.0"

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
    lifecycle: str | None = None  # draft, in_review, approved, superseded, obsolete, withdrawn, archived
    lifecycle_reason: str = ""  # what said it: "folder 'Obsoletos'; title says 'SUPERATA'"
    template: bool = False  # an unfilled template or blank form
    template_reason: str = ""  # "placeholders {{ }} ×12", "folder 'Plantillas'"
    template_for: str | None = None  # the evidence type a filled one would be


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


def _life(lifecycle: Lifecycle, made_for: str | None = None) -> dict[str, Any]:
    return {
        "lifecycle": lifecycle.state,
        "lifecycle_reason": lifecycle.reason,
        "template": lifecycle.template,
        "template_reason": lifecycle.template_reason,
        "template_for": made_for if lifecycle.template and made_for != "form" else None,
    }


def _entry(where: str, found: Inventoried, classify: Callable[[Candidate], Classification | None]) -> InventoryEntry:
    candidate = found.candidate
    if candidate is None:
        unread = lifecycle_of(found.path, None, "", None, template=template_signal(found.path, None, ""))
        return InventoryEntry(where, found.path, found.passed or NOT_RECOGNISED, found.reason, **_life(unread))
    title = None if candidate.is_register else candidate.title
    classification = classify(candidate)
    lifecycle = unit_lifecycle(candidate, classification.type if classification else None)
    life = _life(lifecycle, template_for(candidate) if lifecycle.template else None)
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
            **life,
        )
    if lifecycle.template and classification.type != "form":
        # A configured pattern or a plugin named it; a template is a form all the same (as a scan takes it).
        classification = Classification("form", Kind.DOCUMENT, f"form: a template ({lifecycle.template_reason})")
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
        **life,
    )


def _lifecycle_text(entry: InventoryEntry) -> str:
    said = []
    if entry.lifecycle:
        said.append(f"{entry.lifecycle} ({entry.lifecycle_reason})")
    if entry.template:
        made_for = f" for {entry.template_for}" if entry.template_for else ""
        why = f" ({entry.template_reason})" if entry.template_reason not in entry.reason else ""
        said.append(f"unfilled template{made_for}{why}")
    return f"; {'; '.join(said)}" if said else ""


def render_text(result: Inventory) -> str:
    """One line per entry: names, sheet names, titles and reasons from the share are made inert
    (:func:`~qmscheck.support.safe_text.one_line`), so none can split a line or drive a terminal."""
    lines: list[str] = []
    for entry in result.entries:
        where = entry.path + (f" [{entry.sheet}]" if entry.sheet is not None else "")
        language = f" [{entry.language}]" if entry.language else ""
        if entry.status == RECOGNISED:
            rows = f", {entry.rows} rows" if entry.rows is not None else ""
            lines.append(
                one_line(
                    f"{entry.status:<15} {entry.type} ({entry.kind}{rows}){language}  {where}  - {entry.reason}"
                    + _lifecycle_text(entry)
                )
            )
        else:
            detail = entry.reason
            if entry.columns:
                detail += f"; columns found: {', '.join(entry.columns)}"
            detail += _lifecycle_text(entry)
            lines.append(one_line(f"{entry.status:<15} {'-':<1}{language}  {where}  - {detail}"))
    for other in result.not_inventoried:
        lines.append(one_line(f"(source {other} cannot list its content; not inventoried)"))
    counts = result.counts()
    lines.append("")
    lines.append(", ".join(f"{count} {status}" for status, count in counts.items()))
    if counts[NOT_RECOGNISED]:
        lines.append(
            "To classify a file, add to qmscheck.toml e.g.:\n"
            '  [[classify]]\n  pattern = "Registers/Training*.xlsx"\n  type = "training_record"'
        )
    return "\n".join(lines) + "\n"
