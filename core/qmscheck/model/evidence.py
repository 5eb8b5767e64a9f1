"""The typed evidence model every connector produces and every check reads.

A *document* says what should happen (ISO 9001 "maintain documented information");
a *record* proves what happened ("retain documented information").
"""

from __future__ import annotations

import functools
import re
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qmscheck.model.periods import PERIOD_PATTERN

__all__ = [
    "CORE_TEXT_FIELDS",
    "DATE_FIELDS",
    "TYPE_NAME",
    "AttributeValue",
    "CollectionWarning",
    "Dates",
    "EvidenceItem",
    "Exclusion",
    "KeptElsewhere",
    "Kind",
    "Locator",
    "Organisation",
    "Parameters",
    "Provenance",
    "natural_key",
    "order_key",
]

#: Free attribute values stay JSON-friendly so evidence can be cached and re-checked.
AttributeValue = str | int | float | bool | date | None

#: What an evidence type's name looks like (``training_record``).
TYPE_NAME = r"^[a-z][a-z0-9_]*$"

DATE_FIELDS: tuple[str, ...] = ("issued", "approved", "last_reviewed", "next_review", "completed", "due")
CORE_TEXT_FIELDS: tuple[str, ...] = (
    "document_number",
    "revision",
    "owner",
    "approver",
    "status",
    "site",
    "title",
)


_CORE_NAMES = frozenset({*DATE_FIELDS, *CORE_TEXT_FIELDS, "id", "kind", "type"})


class Kind(StrEnum):
    DOCUMENT = "document"
    RECORD = "record"


class Locator(BaseModel):
    """Where an item lives in its source, precise enough for an auditor to open it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str | None = None
    sheet: str | None = None
    row: int | None = None
    model: str | None = None
    record_id: str | None = None
    url: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.url:
            parts.append(self.url)
        if self.path:
            parts.append(self.path)
        if self.model:
            parts.append(f"{self.model}/{self.record_id}" if self.record_id else self.model)
        text = " ".join(parts) or "?"
        if self.sheet is not None:
            text += f" [{self.sheet}]"
        if self.row is not None:
            text += f" row {self.row}"
        return text


class Provenance(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    connector: str
    connector_version: str = ""
    source: str = Field("", description="The configured source this item came from (a folder, a server URL).")
    locator: Locator


class Dates(BaseModel):
    """The dates checks reason about. Anything else goes into attributes."""

    model_config = ConfigDict(extra="forbid")

    issued: date | None = None
    approved: date | None = None
    last_reviewed: date | None = None
    next_review: date | None = None
    completed: date | None = None
    due: date | None = None


class EvidenceItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(min_length=1, description="Stable across scans of unchanged evidence.")]
    kind: Kind
    type: Annotated[str, Field(min_length=1, pattern=TYPE_NAME)]
    title: str | None = None
    provenance: Provenance
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$", description="Digest of the source bytes.")
    size: int | None = Field(None, ge=0)
    dates: Dates = Field(default_factory=Dates)
    document_number: str | None = None
    revision: str | None = None
    owner: str | None = None
    approver: str | None = None
    status: str | None = None
    site: str | None = None
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    text: str | None = Field(None, description="Extracted text, for checks that look for topics.")

    @model_validator(mode="after")
    def _attributes_do_not_shadow_core_fields(self) -> EvidenceItem:
        if not _CORE_NAMES.isdisjoint(self.attributes):
            raise ValueError(f"attribute names clash with core fields: {sorted(_CORE_NAMES & set(self.attributes))}")
        return self

    def field(self, name: str) -> AttributeValue:
        """Look a field up by the name rules use: core fields, then dates, then attributes."""
        if name in CORE_TEXT_FIELDS or name in ("id", "type", "kind"):
            value = getattr(self, name)
            return str(value) if isinstance(value, StrEnum) else value
        if name in DATE_FIELDS:
            return getattr(self.dates, name)  # type: ignore[no-any-return]
        return self.attributes.get(name)

    @property
    def locator(self) -> str:
        return str(self.provenance.locator)


_NUMBER_OR_TEXT = re.compile(r"(\d+)|(\D+)")  # natural_key's runs: digits, or anything else


@functools.lru_cache(maxsize=4096)
def _text_part(text: str) -> tuple[int, int | str]:
    # A run of other characters that str.isdigit() still accepts (superscripts: '²') goes to int(),
    # which rejects it, as natural_key always did. Cached: keys share their folders and extensions.
    return (0, int(text)) if text.isdigit() else (1, text)


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort 'row 5' before 'row 15': numbers compare as numbers."""
    return tuple([(0, int(number)) if number else _text_part(other) for number, other in _NUMBER_OR_TEXT.findall(text)])


_DIGITS = re.compile(r"\d+")


def _number_order(match: re.Match[str]) -> str:
    digits = str(int(match.group()))  # no leading zeros, and ASCII digits: '007', '7' and '٧' tie
    return f"\0\1{chr(0x30 + len(digits))}{digits}"


def order_key(text: str) -> str:
    """One string that sorts as :func:`natural_key` does (ties included), about four times faster
    to make and to compare: a rescan sorts 100k groups by it. A number becomes NUL, 0x01, its
    length and its digits, so it sorts by value and before any text at its place; a NUL in
    the text (which natural_key sorts after a number there) becomes NUL and 0x02.
    Unlike natural_key, it takes any text (natural_key rejects runs such as '²')."""
    return _DIGITS.sub(_number_order, text.replace("\0", "\0\2") if "\0" in text else text)


class Exclusion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clause: Annotated[str, Field(pattern=r"^\d+(\.\d+)*$")]
    justification: str = ""
    standard: str | None = Field(
        None,
        description="The standard whose clause it is (a pack's standard id); by default the one the organisation's "
        "documents number clauses by: the most specific selected pack's.",
    )


class Parameters(BaseModel):
    """Frequencies and deadlines the organisation set itself (``[parameters]`` in ``qmscheck.toml``).

    ISO 9001 leaves them to the organisation, so a rule may judge them only when they are stated:
    missing one is then a nonconformity against the organisation's own documented decision."""

    model_config = ConfigDict(extra="forbid")

    kpi_report_frequency: Annotated[str | None, Field(pattern=PERIOD_PATTERN)] = Field(
        None, description="How often monitoring results (a KPI report) are produced, e.g. P1M monthly, P3M quarterly."
    )
    complaint_closure_time: Annotated[str | None, Field(pattern=PERIOD_PATTERN)] = Field(
        None, description="How long after receipt a customer complaint is to be closed, e.g. P30D."
    )
    management_review_interval: Annotated[str | None, Field(pattern=PERIOD_PATTERN)] = Field(
        None, description="How often top management reviews the QMS, e.g. P12M yearly, P6M twice a year."
    )
    internal_audit_interval: Annotated[str | None, Field(pattern=PERIOD_PATTERN)] = Field(
        None, description="The cycle within which the audit programme audits every process, e.g. P12M, P36M."
    )
    supplier_reevaluation_interval: Annotated[str | None, Field(pattern=PERIOD_PATTERN)] = Field(
        None, description="How often a supplier in use is re-evaluated, e.g. P12M yearly."
    )
    source: str = Field(
        "qmscheck.toml [parameters]",
        description="Where the organisation states these (its procedure, e.g. 'QP-07 Customer Feedback, section 4').",
    )
    stated_in: dict[str, str] = Field(
        default_factory=dict,
        description="Per parameter, where it is stated when not in 'source': a procedure the scan read it from "
        "(\"PG-04 Compras: 'se evalúan una vez al año'\").",
    )

    def stated(self, name: str) -> str | None:
        value = getattr(self, name, None)
        return value if isinstance(value, str) else None

    def source_of(self, name: str) -> str:
        return self.stated_in.get(name, self.source)


class KeptElsewhere(BaseModel):
    """Records of one evidence type the organisation keeps outside the scanned sources (an eQMS, an
    issue tracker, an ERP not connected): ``[[kept_elsewhere]]`` in ``qmscheck.toml``."""

    model_config = ConfigDict(extra="forbid")

    type: Annotated[str, Field(pattern=TYPE_NAME)]
    where: Annotated[str, Field(min_length=1)] = Field(
        description="Where they are kept, so an auditor can ask for them: 'HR system (Personio), Training module'."
    )


class Organisation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "Unnamed organisation"
    scope: str = ""
    sites: list[str] = Field(default_factory=list)
    processes: list[str] = Field(default_factory=list)
    exclusions: list[Exclusion] = Field(default_factory=list)
    edition: str = "2015"
    parameters: Parameters = Field(default_factory=Parameters)
    kept_elsewhere: list[KeptElsewhere] = Field(default_factory=list)


class CollectionWarning(BaseModel):
    """Something a connector could not read. It is reported; the scan goes on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    connector: str
    locator: str
    message: str
    unread: bool = Field(False, description="The whole file or table yielded no evidence: unreadable or skipped.")
    unlisted: bool = Field(
        False, description="A folder that could not be listed (``locator``): what it holds, and how much, is unknown."
    )
