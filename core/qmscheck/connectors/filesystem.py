"""The file-share connector: controlled documents and spreadsheet registers in a folder tree.

Read-only: files are opened for reading and nothing is written next to them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qmscheck import __version__
from qmscheck.classify import Candidate, Classification, kind_of
from qmscheck.connectors.base import CollectContext, Collected
from qmscheck.connectors.mapping import split_fields
from qmscheck.errors import ConnectorError
from qmscheck.evidence import CollectionWarning, EvidenceItem, Kind, Locator, Provenance
from qmscheck.extract import ExtractionError, read_document, read_register

DOCUMENT_SUFFIXES = frozenset({".docx", ".pdf", ".md", ".markdown", ".txt"})
REGISTER_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv"})
SKIPPED_NAMES = ("~$", ".~lock", ".")  # office lock files and hidden files


def walk(root: Path) -> Iterator[tuple[Path, str]]:
    """Files under ``root`` in a stable order, as (path, relative posix path); symlinks are not followed."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith(SKIPPED_NAMES):
                continue
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                path = Path(entry.path)
                yield path, path.relative_to(root).as_posix()
        stack.extend(reversed(subfolders))


def file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class FilesystemConnector:
    name = "filesystem"
    version = __version__

    def describe(self, options: dict[str, Any]) -> str:
        return str(options.get("path", "."))

    def collect(self, options: dict[str, Any], context: CollectContext) -> Iterator[Collected]:
        root = Path(str(options.get("path", ".")))
        root = root if root.is_absolute() else context.base_dir / root
        if not root.is_dir():
            raise ConnectorError(f"filesystem source: folder {root} does not exist")
        source = str(options.get("path", "."))
        for path, relative in walk(root):
            suffix = path.suffix.lower()
            if suffix not in DOCUMENT_SUFFIXES | REGISTER_SUFFIXES:
                continue
            try:
                sha256, size = file_digest(path)
            except OSError as exc:
                yield CollectionWarning(connector=self.name, locator=relative, message=f"cannot read file: {exc}")
                continue
            if size > context.max_file_size:
                yield CollectionWarning(
                    connector=self.name,
                    locator=relative,
                    message=f"skipped: {size} bytes is over the size limit of {context.max_file_size}",
                )
                continue
            reader = self._register_items if suffix in REGISTER_SUFFIXES else self._document_items
            try:
                yield from reader(path, relative, source, sha256, size, context)
            except ExtractionError as exc:
                yield CollectionWarning(connector=self.name, locator=relative, message=str(exc))

    def _provenance(self, source: str, locator: Locator) -> Provenance:
        return Provenance(connector=self.name, connector_version=self.version, source=source, locator=locator)

    def _document_items(
        self, path: Path, relative: str, source: str, sha256: str, size: int, context: CollectContext
    ) -> Iterator[Collected]:
        meta = read_document(path)
        title = meta.title or path.stem
        classification = context.classify(Candidate(path=relative, title=title)) or Classification(
            "unclassified", Kind.DOCUMENT, "no pattern matched"
        )
        core, dates, attributes = split_fields(dict(meta.fields))
        for key, value in meta.extra.items():
            attributes.setdefault(key, value)
        core.pop("title", None)
        for warning in meta.warnings:
            yield CollectionWarning(connector=self.name, locator=relative, message=warning)
        _, _, extra_attributes = split_fields(attributes)
        yield EvidenceItem(
            id=f"{self.name}:{relative}",
            kind=classification.kind,
            type=classification.type,
            title=title,
            provenance=self._provenance(source, Locator(path=relative)),
            sha256=sha256,
            size=size,
            dates=dates,
            attributes=extra_attributes,
            text=meta.text,
            **core,
        )

    def _register_items(
        self, path: Path, relative: str, source: str, sha256: str, size: int, context: CollectContext
    ) -> Iterator[Collected]:
        for sheet in read_register(path):
            candidate = Candidate(
                path=relative,
                title=path.stem,
                sheet=sheet.sheet,
                headers=tuple(name for name in sheet.canonical if name),
                is_register=True,
            )
            classification = context.classify(candidate)
            for warning in sheet.warnings:
                yield CollectionWarning(connector=self.name, locator=f"{relative} [{sheet.sheet}]", message=warning)
            if classification is None:
                yield CollectionWarning(
                    connector=self.name,
                    locator=f"{relative} [{sheet.sheet}]",
                    message="sheet not recognised as a register; add a [[classify]] entry to qmscheck.toml",
                )
                continue
            for row in sheet.rows:
                core, dates, attributes = split_fields(dict(row.values))
                title = core.pop("title", None)
                yield EvidenceItem(
                    id=f"{self.name}:{relative}#{sheet.sheet or ''}!{row.row}",
                    kind=classification.kind or kind_of(classification.type),
                    type=classification.type,
                    title=title,
                    provenance=self._provenance(source, Locator(path=relative, sheet=sheet.sheet, row=row.row)),
                    sha256=sha256,
                    size=size,
                    dates=dates,
                    attributes=attributes,
                    **core,
                )
