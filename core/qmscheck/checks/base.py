"""What a check primitive is, and what it gets to work with.

A primitive splits its work in two: the per-item conditions it needs (``probes``), which
the durable-rules engine evaluates over every fact, and the aggregation (``evaluate``),
done in plain Python with dicts and sets over the engine's matches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from qmscheck.conditions import compile_all, compile_selector
from qmscheck.engine import Probe
from qmscheck.evidence import CORE_TEXT_FIELDS, DATE_FIELDS, EvidenceItem, Organisation
from qmscheck.rulemodel import Rule, Selector

SELECTED = "selected"


@dataclass(frozen=True)
class Failure:
    """One way a rule is not met: by some items, or by the absence of any."""

    items: tuple[EvidenceItem, ...]
    detail: str
    near_miss: bool = False
    absence: str | None = None


@dataclass
class CheckContext:
    rule: Rule
    as_of: date
    organisation: Organisation
    items: Sequence[EvidenceItem]
    facts: Sequence[dict[str, Any]]
    matches: dict[str, set[str]] = field(default_factory=dict)
    #: Item id -> index in ``items``; built once per scan and shared by every rule's context.
    positions: Mapping[str, int] = field(default_factory=dict)
    # ``selected`` is asked for by the primitive and again for the rule's population: sort each probe once.
    _matched: dict[str, list[EvidenceItem]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.positions:
            self.positions = positions_of(self.items)

    def matched(self, probe: str) -> list[EvidenceItem]:
        """Items matching a probe, in evidence order (deterministic)."""
        found = self._matched.get(probe)
        if found is None:
            ids = self.matches.get(f"{self.rule.id}:{probe}", set())
            found = self._matched[probe] = [self.items[i] for i in sorted([int(fact_id[1:]) for fact_id in ids])]
        # A copy: a primitive may reorder or trim what it was given without changing the population.
        return list(found)

    def fact_of(self, item: EvidenceItem) -> dict[str, Any]:
        """The engine fact of an item, for explaining which condition it failed."""
        return self.facts[self.positions[item.id]]

    @property
    def selected(self) -> list[EvidenceItem]:
        return self.matched(SELECTED)


class CheckPrimitive(Protocol):
    """A verb of the rule vocabulary. Register it through ``qmscheck_register_checks``."""

    #: The ``kind = "..."`` a rule file uses.
    kind: str
    #: One sentence for ``qmscheck rules explain`` and the docs.
    description: str

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        """Per-item conditions for the engine; keys must start with the rule id."""
        ...

    def evaluate(self, ctx: CheckContext) -> list[Failure]:
        """Turn the engine's matches into failures (empty when the rule is met)."""
        ...


def positions_of(items: Sequence[EvidenceItem]) -> dict[str, int]:
    return {item.id: i for i, item in enumerate(items)}


def probe_key(rule: Rule, name: str) -> str:
    return f"{rule.id}:{name}"


def selection_probe(rule: Rule, as_of: date, selector: Selector | None = None, name: str = SELECTED) -> Probe:
    chosen = selector or rule.select
    return Probe(probe_key(rule, name), chosen.types, compile_selector(chosen, as_of))


def violation_probe(rule: Rule, as_of: date, conditions: Any, name: str, selector: Selector | None = None) -> Probe:
    """Items selected by ``selector`` that fail at least one of ``conditions``."""
    chosen = selector or rule.select
    expression = {"$and": [compile_selector(chosen, as_of), compile_all(conditions, as_of).negative]}
    return Probe(probe_key(rule, name), chosen.types, expression)


LABEL_FIELDS = ("document_number", "reference", "instrument_id", "supplier", "person", "process", "objective")
# Names ``EvidenceItem.field`` does not resolve to a core field or date can only be attributes: a dict
# lookup instead of a method call, for every item of every finding.
_CORE_LABEL_FIELDS = frozenset(
    name for name in LABEL_FIELDS if name in CORE_TEXT_FIELDS or name in DATE_FIELDS or name in ("id", "type", "kind")
)


def label(item: EvidenceItem) -> str:
    """A short name an auditor recognises: document number, register reference or title."""
    attributes = item.attributes
    for name in LABEL_FIELDS:
        value = item.field(name) if name in _CORE_LABEL_FIELDS else attributes.get(name)
        if value:
            return str(value)
    return item.title or item.id
