"""From what a worker read to items ready to store: each document or sheet (a worker's
:class:`~qmscheck.collecting.connectors.worker.Unit`) is classified, and its items completed with the
evidence type and kind.

The parent process classifies, with the classifiers of the scan: the ``[[classify]]`` tables of
the config, then the plugins. A worker that reads a large register classifies it too, ahead of
the parent, and writes the items, compressed, in the worker (:class:`Prepared`): a 125,000-row
log is then not written out item by item in the parent, nor sent to it. A worker loads no
plugins: it classifies with what :class:`Ahead` carries, the config's tables, and then the
built-in name-and-header classifier (:func:`ahead_classifier`). The parent takes the worker's
items only when its own classification of every unit is the one the worker used (a plugin's
classifier may say otherwise); else it reads the file again itself.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pydantic_core

from qmscheck.collecting.classification import (
    Candidate,
    Classification,
    Overrides,
    classify_by_name,
    template_for,
)
from qmscheck.collecting.connectors.encode import classification_prefix, compress, payload_chunks
from qmscheck.collecting.lifecycle import Lifecycle, blank_rows, lifecycle_of, template_signal
from qmscheck.config.scan_config import ClassifyOverride
from qmscheck.model.evidence import TYPE_NAME, Kind
from qmscheck.model.evidence_types import kind_of

_TYPE = re.compile(TYPE_NAME)

#: A unit collected as (evidence type, kind); one that is not collected, as the reason why; a part
#: of a document that is no evidence of its own, as None (nothing to report).
UnitClass = tuple[str, str] | str | None


class ReadUnit(Protocol):
    """What classifying a unit reads of it (a worker's Unit)."""

    title: str
    is_register: bool
    sheet: str | None
    headers: tuple[str, ...]
    canonical: tuple[str | None, ...]
    items: list[str]
    dates: list[list[str]]
    headings: tuple[str, ...]
    text: str
    part_of: str | None


#: A document item's status field, as a worker writes it (a core field: never inside attributes,
#: and a quote inside the text is escaped, so this is the field).
_STATUS = re.compile(r'"status":("(?:[^"\\]|\\.)*")')
#: What a register row's item holds besides where it is: its values.
_NOT_VALUES = frozenset({"id", "provenance", "sha256", "size", "title"})


def _status(unit: ReadUnit) -> str | None:
    if unit.is_register or not unit.items:
        return None
    found = _STATUS.search(unit.items[0])
    return None if found is None else str(json.loads(found.group(1)))


def _row_values(item: str) -> list[object]:
    data = json.loads(item)
    nested = [*data.pop("attributes", {}).values(), *data.pop("dates", {}).values()]
    return [value for key, value in data.items() if key not in _NOT_VALUES] + nested


def unit_candidate(relative: str, unit: ReadUnit) -> Candidate:
    """What the classifiers are asked about a unit of the file at ``relative``: with the status its
    fields state and, for a register of blank rows or a document full of placeholders, why it is
    an unfilled template (``lifecycle``)."""
    if unit.is_register:
        template = blank_rows(_row_values(item) for item in unit.items[:50]) if unit.items else None
    elif unit.part_of is None:
        template = template_signal(relative, unit.title, unit.text)
    else:
        template = None
    return Candidate(
        path=relative,
        title=unit.title,
        sheet=unit.sheet,
        headers=tuple(name for name in unit.canonical if name),
        columns=unit.headers,
        is_register=unit.is_register,
        headings=unit.headings,
        text=unit.text,
        status=_status(unit),
        template=template,
    )


def unit_lifecycle(candidate: Candidate, evidence_type: str | None) -> Lifecycle:
    """A document's lifecycle and template status (a register's: template status only). A
    document taken for a form is a template with a single placeholder."""
    template = candidate.template
    if template is None and evidence_type == "form" and not candidate.is_register:
        template = template_signal(candidate.path, candidate.title, candidate.text, form=True)
    if candidate.is_register:
        return Lifecycle(template=template is not None, template_reason=template or "")
    return lifecycle_of(candidate.path, candidate.title, candidate.text, candidate.status, template=template)


def unit_classes(
    relative: str, units: Sequence[ReadUnit], classify: Callable[[Candidate], Classification | None]
) -> list[UnitClass]:
    """Per unit, its evidence type and kind, or why it is not collected. A part of a document (a
    section, a table) is collected only when recognised as other than the whole document is, and
    a section only when the whole is recognised. A log or list kept as a document ("CAPA log" over
    a table, "Quality objectives 2026" over a table of objectives) is its table's rows: they are the
    records or entries, and the page is not one of its own."""
    classes: list[UnitClass] = []
    whole: UnitClass = None
    whole_at: int | None = None
    for unit in units:
        candidate = unit_candidate(relative, unit)
        classification = classify(candidate)
        if candidate.template is not None and classification is not None:
            # An unfilled template is a form, whatever a configured pattern or plugin calls it; a
            # blank register's rows are not records, and a blank table in a document is nothing.
            if unit.part_of is not None:
                classes.append(None)
                continue
            if unit.is_register:
                classes.append(f"a blank form ({candidate.template}): its rows are not records")
                continue
            classification = Classification("form", Kind.DOCUMENT, classification.reason, classification.language)
        if unit.part_of is not None:
            part = (
                None
                if classification is None
                else (classification.type, (classification.kind or kind_of(classification.type)).value)
            )
            # A section counts only inside a document recognised for what it is (a manual, a handbook);
            # nothing inside a form or template is evidence: its sections and tables are blank.
            unplaced = (whole is not None and whole[0] == "form") or (
                not unit.is_register and (whole is None or whole[0] == "unclassified")
            )
            if unit.is_register and part is not None and part == whole:
                classes.append(part)
                if whole_at is not None:
                    classes[whole_at] = None
                continue
            classes.append(None if part is None or part == whole or unplaced or not _TYPE.fullmatch(part[0]) else part)
            continue
        if classification is None and unit.is_register:
            classes.append("sheet not recognised as a register; add a [[classify]] entry to qmscheck.toml")
            continue
        if classification is None:
            classification = Classification("unclassified", Kind.DOCUMENT, "no pattern matched")
        if not _TYPE.fullmatch(classification.type):
            classes.append(
                f"classified as {classification.type!r}, which is not an evidence type name "
                "(lower case letters, digits and underscores); not collected"
            )
            continue
        classes.append((classification.type, (classification.kind or kind_of(classification.type)).value))
        if not unit.is_register:
            whole, whole_at = classes[-1], len(classes) - 1
    return classes


@dataclass
class ClassifiedItems:
    """The items of the units collected, completed with their classification (JSON text, as stored)."""

    items: list[str] = field(default_factory=list)
    #: By item position, the attributes that are dates.
    dates: dict[int, list[str]] = field(default_factory=dict)
    types: set[str] = field(default_factory=set)


def classified_items(units: Sequence[ReadUnit], classes: Sequence[UnitClass]) -> ClassifiedItems:
    result = ClassifiedItems()
    for unit, unit_class in zip(units, classes, strict=True):
        if not isinstance(unit_class, tuple):
            continue
        evidence_type, kind = unit_class
        result.types.add(evidence_type)
        assert len(unit.dates) == len(unit.items), "a worker lists the dated attributes of every item"
        start = len(result.items)
        result.dates.update((start + index, dated) for index, dated in enumerate(unit.dates) if dated)
        prefix = classification_prefix(kind, evidence_type)
        items = unit.items if unit.is_register else [_with_lifecycle(item, unit, evidence_type) for item in unit.items]
        result.items += [prefix + fragment[1:] for fragment in items]
    return result


def _with_lifecycle(item: str, unit: ReadUnit, evidence_type: str) -> str:
    """A document's item with its lifecycle: ``status`` the English state word, so the rules read
    one word in every language, and the attributes of :meth:`Lifecycle.attributes`; a template's
    ``template_for`` (what it is a form for)."""
    data = json.loads(item)
    candidate = unit_candidate(data["provenance"]["locator"].get("path", ""), unit)
    lifecycle = unit_lifecycle(candidate, evidence_type)
    attributes = lifecycle.attributes()
    if not attributes:
        return item
    if lifecycle.state is not None:
        data["status"] = lifecycle.state
    if lifecycle.template:
        made_for = template_for(candidate)
        if made_for is not None and made_for != "form":
            attributes["template_for"] = made_for
    data["attributes"] = {**data.get("attributes", {}), **attributes}
    if "text" in data:
        data["text"] = data.pop("text")  # last, as a worker writes it
    return pydantic_core.to_json(data).decode()


def part_contents(
    items: list[str], dates: dict[int, list[str]], sha256: str, size: int, fingerprint: str, part_items: int
) -> list[str]:
    """For a register checked in parts of ``part_items``, a digest of each part's items without the
    file's sha256 and size (which every item carries): parts whose rows did not change keep their
    digest when a row is appended, so their summaries are reused (``EvidenceGroup.content``)."""
    if len(items) <= part_items:
        return []
    # As unclassified_item writes them. Were they written otherwise, nothing would be left out and
    # a changed file would change every part: slower, never wrong.
    of_the_file = f'"sha256":"{sha256}","size":{size},'
    contents = []
    for start in range(0, len(items), part_items):
        stop = min(start + part_items, len(items))
        hasher = hashlib.blake2b(fingerprint.encode(), digest_size=16)
        hasher.update("\n".join(items[start:stop]).replace(of_the_file, "").encode())
        hasher.update(
            pydantic_core.to_json(
                [[position - start, dates[position]] for position in range(start, stop) if position in dates]
            )
        )
        contents.append(hasher.hexdigest())
    return contents


@dataclass(frozen=True)
class Ahead:
    """What a worker needs to classify a large file ahead of the parent (a Task carries it): the
    config's ``[[classify]]`` tables, and what writing the items takes."""

    overrides: tuple[ClassifyOverride, ...]
    fingerprint: str
    part_items: int


def ahead_classifier(overrides: tuple[ClassifyOverride, ...]) -> Callable[[Candidate], Classification | None]:
    """The classifiers a worker has: the config's tables, then the built-in classifier. They agree
    with the scan's unless a plugin claims the candidate, which the parent then finds out."""
    tables = Overrides(list(overrides))

    def classify(candidate: Candidate) -> Classification | None:
        return tables.classify(candidate) or classify_by_name(candidate)

    return classify


@dataclass
class Prepared:
    """A file's items as classified (``classes``, per unit) and written to store: the payload,
    compressed; the content digests of its parts; the number of items and their types."""

    classes: list[UnitClass]
    data: bytes
    parts: list[str]
    count: int
    types: list[str]

    @classmethod
    def written(
        cls,
        units: Sequence[ReadUnit],
        classes: list[UnitClass],
        sha256: str,
        size: int,
        fingerprint: str,
        part_items: int,
    ) -> Prepared:
        classified = classified_items(units, classes)
        return cls(
            classes,
            compress(payload_chunks(classified.items, classified.dates)),
            part_contents(classified.items, classified.dates, sha256, size, fingerprint, part_items),
            len(classified.items),
            sorted(classified.types),
        )
