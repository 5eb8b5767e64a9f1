"""Helpers for testing rules and packs without a file share: for qmscheck's tests and vendors' packs alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from qmscheck.check import CheckOptions, run_check
from qmscheck.classify import kind_of
from qmscheck.collect import Collection
from qmscheck.evidence import Dates, EvidenceItem, Locator, Organisation, Provenance
from qmscheck.plugins import Plugins, load_plugins
from qmscheck.report import Report
from qmscheck.rulepack import RulePack, load_packs

_CORE = ("title", "document_number", "revision", "owner", "approver", "status", "site", "text")
_DATES = tuple(Dates.model_fields)


def item(evidence_type: str, ref: str, **fields: Any) -> EvidenceItem:
    """An evidence item from flat fields: core fields, dates and attributes sorted out by name."""
    core = {name: fields.pop(name) for name in _CORE if name in fields}
    dates = Dates(**{name: fields.pop(name) for name in _DATES if name in fields})
    return EvidenceItem(
        id=f"test:{ref}",
        kind=kind_of(evidence_type),
        type=evidence_type,
        provenance=Provenance(connector="test", locator=Locator(path=ref)),
        dates=dates,
        attributes=fields,
        **core,
    )


def check_items(
    packs: Sequence[RulePack] | Path,
    items: Sequence[EvidenceItem],
    *,
    as_of: date,
    organisation: Organisation | None = None,
    stage: int = 2,
    plugins: Plugins | None = None,
) -> Report:
    """Run the rules of ``packs`` (or of one folder of rule files) over ``items`` as of a date."""
    if isinstance(packs, Path):
        packs = [RulePack(name="under-test", version="0", path=packs)]
    plugins = plugins or load_plugins(entry_points=False)
    loaded = load_packs(list(packs))
    collection = Collection(items=list(items))
    options = CheckOptions(as_of=as_of, stage=stage)
    return run_check(collection, loaded, plugins, organisation or Organisation(), options)
