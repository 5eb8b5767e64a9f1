"""What a check primitive is, and what it gets to work with.

A primitive splits its work in two: the per-item conditions it needs (``probes``), which
the durable-rules engine evaluates over every fact, and the aggregation (``evaluate``),
done in plain Python with dicts and sets over the engine's matches.

A :class:`Groupwise` primitive splits the aggregation once more: ``summarise`` reads one
evidence group (one file's items) and keeps only what the rule needs of it (a count, the
items that fail, the keys they hold), and ``combine`` turns the summaries of every group
into failures. The check stage then holds one group's items at a time, and a rescan reuses
the summaries of unchanged files instead of decoding them again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from qmscheck.checking.conditions import compile_all, compile_selector
from qmscheck.checking.engine import Probe
from qmscheck.checking.rule_model import Rule, Selector
from qmscheck.model.evidence import CORE_TEXT_FIELDS, DATE_FIELDS, EvidenceItem, Organisation
from qmscheck.model.evidence_types import pack_labels
from qmscheck.model.verdicts import Cited, Failure, GroupSummary, Place

SELECTED = "selected"


@dataclass
class RuleContext:
    """What every stage of a check knows besides the evidence."""

    rule: Rule
    as_of: date
    organisation: Organisation
    #: Finds a placed item again (the check stage decodes its group); see :meth:`cited`.
    resolve: Callable[[Place], Cited] | None = field(default=None, kw_only=True)

    def cited(self, place: Place) -> Cited:
        """The item at ``place`` as a finding cites it."""
        if self.resolve is None:
            raise LookupError(f"no evidence to find {place} in")
        return self.resolve(place)


@dataclass
class CheckContext(RuleContext):
    items: Sequence[EvidenceItem]
    facts: Sequence[dict[str, Any]]
    matches: dict[str, set[str]] = field(default_factory=dict)
    #: Item id -> index in ``items``; built once per scan and shared by every rule's context.
    positions: Mapping[str, int] = field(default_factory=dict)
    #: The key of the evidence group ``items`` are, for :meth:`cite`.
    group: str = ""
    #: Probe key -> sorted indices into ``items``; when given, ``matches`` is not read.
    indices: Mapping[str, Sequence[int]] | None = None
    # ``selected`` is asked for by the primitive and again for the rule's population: sort each probe once.
    _matched: dict[str, list[EvidenceItem]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.positions:
            self.positions = positions_of(self.items)

    def matched(self, probe: str) -> list[EvidenceItem]:
        """Items matching a probe, in evidence order (deterministic)."""
        found = self._matched.get(probe)
        if found is None:
            key = f"{self.rule.id}:{probe}"
            if self.indices is not None:
                order: Sequence[int] = self.indices.get(key, ())
            else:
                order = sorted([int(fact_id[1:]) for fact_id in self.matches.get(key, set())])
            found = self._matched[probe] = [self.items[i] for i in order]
        # A copy: a primitive may reorder or trim what it was given without changing the population.
        return list(found)

    def cite(self, item: EvidenceItem) -> Cited:
        """The item as a finding will cite it: for failures found in one group."""
        return cite_item(self.group, self.positions[item.id], item)

    def place(self, item: EvidenceItem) -> Place:
        """Where the item is: for items ``combine`` may or may not cite (turn it into a :class:`Cited`
        with :meth:`cited` when it does)."""
        return Place(self.group, self.positions[item.id])

    def cited(self, place: Place) -> Cited:
        if place.group == self.group and self.resolve is None:
            return self.cite(self.items[place.position])
        return super().cited(place)

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


class Groupwise:
    """Base for primitives that judge evidence one group at a time (see the module docstring).

    Subclasses implement ``probes``, ``summarise`` and, when failures depend on more than one
    group, ``combine``. ``evaluate`` is the whole collection summarised as one group, so both
    ways of running a rule give the same failures.
    """

    def summarise(self, ctx: CheckContext) -> GroupSummary:
        raise NotImplementedError

    def combine(self, ctx: RuleContext, summaries: Sequence[GroupSummary]) -> list[Failure]:
        """By default, the failures each group found on its own, in evidence order.

        Summaries holding nothing but a population may arrive added up into one, first: use
        them only through the sum of their populations."""
        return [failure for summary in summaries for failure in summary.failures]

    def still_holds(
        self, ctx: RuleContext, kept: Iterable[Any], removed: Sequence[GroupSummary], added: Sequence[GroupSummary]
    ) -> bool:
        """Optional, for a rescan's speed: whether ``combine`` would give the same failures, given
        that the groups whose summaries were ``removed`` now summarise as ``added`` and every
        other group's summary is unchanged (``kept`` gives each one's ``data``, where it has any;
        the check stage has already made sure no failure cites a changed group, and that the
        populations add up as before). Answer without reviving a summary per group: that is the
        point. False (the default) is always safe: the summaries are then combined again.

        ``unique`` says yes when no key that a changed group held or holds is held anywhere
        else, so a body edit to a few of 100k documents does not make it compare them all again."""
        return False

    def summary(self, ctx: CheckContext) -> GroupSummary:
        """``summarise`` with the population filled in: what the check stage stores per group."""
        found = self.summarise(ctx)
        found.population = len(ctx.selected)
        return found

    def evaluate(self, ctx: CheckContext) -> list[Failure]:
        return self.combine(ctx, [self.summary(ctx)])


def cite_item(group: str, position: int, item: EvidenceItem) -> Cited:
    return Cited(group, position, item.id, item.locator, item.sha256, label(item), item.site)


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


LABEL_FIELDS = (
    "document_number", "reference", "instrument_id", "supplier", "person", "process", "objective", "lot", "batch",
    "serial_number",
)  # fmt: skip
# Names ``EvidenceItem.field`` does not resolve to a core field or date can only be attributes: a dict
# lookup instead of a method call, for every item of every finding.
_CORE_LABEL_FIELDS = frozenset(
    name for name in LABEL_FIELDS if name in CORE_TEXT_FIELDS or name in DATE_FIELDS or name in ("id", "type", "kind")
)


def label(item: EvidenceItem) -> str:
    """A short name an auditor recognises: what its pack says names an item of its type (a lot
    number), else its document number, register reference or title."""
    attributes = item.attributes
    for name in pack_labels().get(item.type, ()):
        value = item.field(name)
        if value:
            return str(value)
    for name in LABEL_FIELDS:
        value = item.field(name) if name in _CORE_LABEL_FIELDS else attributes.get(name)
        if value:
            return str(value)
    return item.title or item.id
