"""Audit sampling: populations of evidence, samples drawn reproducibly from a stated seed, and the
attribute-sampling arithmetic that says how large a sample must be and what it can detect.

**Populations.** A population is the items of one evidence type, optionally narrowed to a site, a
process and a month (of the item's main date, :func:`main_date`). Its digest is the sha256 of
the lines ``"<item id>\\t<item sha256>\\n"`` in code-point order of the ids, so anyone holding the
same scan can check they are drawing from the same items.

**Draws.** No pseudo-random generator state is used (Python's ``random`` changes between versions
and depends on call order). Each item gets lottery tickets instead: ticket ``j`` of an item is the
integer value of ``sha256("qmscheck-sample-1\\0<seed>\\0<item id>\\0<j>")``, and the item's draw key
is its smallest ticket. A sample of n is the n items with the smallest keys (ties, which need a
sha256 collision, by id). So a draw depends only on the seed and the item ids: it is the same on
every machine and Python version, in whatever order the items were collected, and the first m
rows of a simple random sample of n are themselves a simple random sample of m.

- *Simple random*: one ticket per item; every subset of size n is equally likely.
- *Stratified*: the population is split by the values of one or more fields (site, month,
  process, supplier, any field the items carry); each non-empty stratum gets one item, and the
  rest of the sample is shared in proportion to what each stratum has left (largest remainder,
  ties by stratum name); within a stratum, the items with the smallest keys are taken.
- *Risk-weighted*: an item of weight w gets w tickets. The smallest of w uniform tickets is
  distributed as 1 - U^(1/w), so taking the n smallest keys is exactly the weighted sampling
  without replacement of Efraimidis and Spirakis (keys U^(1/w), n largest), in integers only.
  Weights (:func:`risk_weights`): 1 for every item, +3 when a finding of the scan cites it, +2
  when one of its due dates (``due``, ``next_review``) has passed or falls within ``near_days``
  of the as-of date. All weights 1 give the simple random sample.

**Sizing** (attribute sampling, :func:`sample_size`): with tolerable deviation rate t and
population N, D = ceil(t * N) deviating items is the fewest at which the rate reaches t. The
sample size is the smallest n for which seeing at most k deviations (k expected, usually 0)
would happen with probability at most 1 - confidence if D items deviated: P(X <= k) where X is
hypergeometric (N, D, n), or binomial (n, t) for an unknown population. Every probability is
an exact fraction (``math.comb``), so the figures do not depend on floating point.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction
from typing import Literal

from qmscheck.checking.primitives.base import label
from qmscheck.config.tomlfile import did_you_mean
from qmscheck.errors import ConfigError
from qmscheck.model.evidence import CORE_TEXT_FIELDS, DATE_FIELDS, EvidenceItem, Organisation
from qmscheck.model.report import Report
from qmscheck.vocabulary import RETIRED_STATES

__all__ = [
    "DIMENSIONS",
    "KEY_DOMAIN",
    "METHODS",
    "Method",
    "Pick",
    "Population",
    "PopulationRow",
    "Sample",
    "Sizing",
    "Stratum",
    "Weight",
    "allocate",
    "binomial_at_most",
    "detect_statement",
    "detection_probability",
    "deviations_at",
    "draw",
    "draw_key",
    "facet",
    "hypergeometric_at_most",
    "main_date",
    "percent",
    "population",
    "population_rows",
    "rate",
    "risk_weights",
    "sample_size",
    "size_statement",
    "upper_deviations",
]

Method = Literal["random", "stratified", "risk"]
METHODS: tuple[Method, ...] = ("random", "stratified", "risk")

#: Names the key; a change to how keys are made changes it, so an old worksheet is never redrawn wrongly.
KEY_DOMAIN = "qmscheck-sample-1"
#: The dimensions populations are listed by.
DIMENSIONS = ("site", "process", "month")
#: A stratum or facet with no value.
NONE = "(none)"
#: The date that places an item in a month, first present first: when it happened, then when it was issued.
MAIN_DATES = ("completed", "issued", "approved", "last_reviewed", "due", "next_review")
#: Dates whose passing is a failure threshold (an overdue calibration, review or action).
DUE_DATES = ("due", "next_review")
#: Risk weights: every item, an item a finding cites, an item due soon or overdue.
BASE_WEIGHT = 1
CITED_WEIGHT = 3
DUE_WEIGHT = 2
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


# --- arithmetic -------------------------------------------------------------------------------


def rate(value: float | str | Fraction, name: str) -> Fraction:
    """A proportion strictly between 0 and 1, exactly as written (0.95 is 19/20, not a binary float)."""
    try:
        exact = Fraction(str(value).strip().rstrip("%")) / (100 if str(value).strip().endswith("%") else 1)
    except (ValueError, ZeroDivisionError):
        raise ConfigError(f"{name} {value!r} is not a number; give a proportion such as 0.95 or 95%") from None
    if not 0 < exact < 1:
        raise ConfigError(f"{name} {value} must be between 0 and 1 (exclusive), e.g. 0.95 or 95%")
    return exact


def deviations_at(tolerable: Fraction, population: int) -> int:
    """The fewest deviating items at which the deviation rate of ``population`` items reaches ``tolerable``."""
    return max(1, math.ceil(tolerable * population))


def hypergeometric_at_most(population: int, deviations: int, size: int, k: int) -> Fraction:
    """P(at most k deviations in a sample of ``size`` drawn without replacement from ``population``
    items of which ``deviations`` deviate)."""
    good = population - deviations
    favourable = sum(math.comb(deviations, i) * math.comb(good, size - i) for i in range(min(k, size) + 1))
    return Fraction(favourable, math.comb(population, size))


def binomial_at_most(size: int, deviation_rate: Fraction, k: int) -> Fraction:
    """P(at most k deviations in ``size`` independent draws at ``deviation_rate``)."""
    p, q = deviation_rate, 1 - deviation_rate
    return sum((math.comb(size, i) * p**i * q ** (size - i) for i in range(min(k, size) + 1)), Fraction(0))


def _at_most(population: int | None, tolerable: Fraction, size: int, k: int) -> Fraction:
    if population is None:
        return binomial_at_most(size, tolerable, k)
    return hypergeometric_at_most(population, deviations_at(tolerable, population), size, k)


@dataclass(frozen=True)
class Sizing:
    """A sample size and what it rests on: with ``size`` items showing at most ``expected``
    deviations, one is ``confidence`` sure the deviation rate is below ``tolerable``."""

    confidence: Fraction
    tolerable: Fraction
    expected: int
    population: int | None
    size: int
    #: P(at most ``expected`` deviations | the rate is ``tolerable``): at most 1 - confidence.
    risk: Fraction

    @property
    def distribution(self) -> str:
        return "binomial" if self.population is None else "hypergeometric"

    @property
    def deviations(self) -> int | None:
        """D: the deviating items the population would hold at the tolerable rate."""
        return None if self.population is None else deviations_at(self.tolerable, self.population)


def sample_size(confidence: Fraction, tolerable: Fraction, expected: int = 0, population: int | None = None) -> Sizing:
    """The smallest n such that P(at most ``expected`` deviations | deviation rate = ``tolerable``)
    is at most 1 - ``confidence``: hypergeometric for a known ``population``, binomial otherwise.

    P(X <= k) falls as n grows, so the search gallops up from k + 1 and then bisects; with a known population n = N
    always qualifies (the sample is the population and shows all D >= k + 1 deviations)."""
    if expected < 0:
        raise ConfigError(f"expected deviations {expected} must be 0 or more")
    if population is not None and population < 1:
        raise ConfigError("the population is empty: there is nothing to sample")
    alpha = 1 - confidence
    if population is not None and deviations_at(tolerable, population) <= expected:
        raise ConfigError(
            f"{expected} expected deviations reach the tolerable rate {percent(tolerable)} of {population} items "
            f"({deviations_at(tolerable, population)}): no sample can show the rate is below it; "
            "expect fewer deviations or tolerate a higher rate"
        )
    # Galloping from below keeps the binomial coefficients as small as the answer: C(N, N/2) of a
    # large population has millions of digits. Every n below ``low`` fails; ``high`` qualifies.
    low = high = expected + 1
    cap = population if population is not None else math.inf
    while high < cap and _at_most(population, tolerable, high, expected) > alpha:
        low, high = high + 1, int(min(high * 2, cap))
    while low < high:
        middle = (low + high) // 2
        if _at_most(population, tolerable, middle, expected) <= alpha:
            high = middle
        else:
            low = middle + 1
    return Sizing(confidence, tolerable, expected, population, low, _at_most(population, tolerable, low, expected))


def detection_probability(population: int | None, size: int, deviation_rate: Fraction) -> Fraction:
    """The probability that a sample of ``size`` shows at least one deviation when the population
    deviates at ``deviation_rate``: 1 - C(N - D, n) / C(N, n), or 1 - (1 - rate)^n for an unknown N."""
    if population is not None and not 0 < size <= population:
        raise ConfigError(f"a sample of {size} cannot be drawn from {population} items")
    return 1 - _at_most(population, deviation_rate, size, 0)


def upper_deviations(population: int, size: int, confidence: Fraction, found: int = 0) -> int | None:
    """The fewest deviating items D that a sample of ``size`` showing at most ``found`` deviations
    rules out with ``confidence``: then fewer than D deviate. None when even D = N is not ruled out
    (the sample is too small)."""
    alpha = 1 - confidence

    def ruled_out(deviations: int) -> bool:
        return hypergeometric_at_most(population, deviations, size, found) <= alpha

    low, high = found + 1, population
    if low > high or not ruled_out(high):
        return None
    while low < high:
        middle = (low + high) // 2
        if ruled_out(middle):
            high = middle
        else:
            low = middle + 1
    return low


def percent(value: Fraction, rounding: Literal["nearest", "down", "up"] = "nearest") -> str:
    """``value`` as a percentage with at most one decimal. A probability a claim rests on is
    rounded so that the claim is never overstated: down for a chance of catching, up for a risk."""
    tenths = value * 1000
    if rounding == "down":
        rounded = math.floor(tenths)
    elif rounding == "up":
        rounded = math.ceil(tenths)
    else:
        rounded = round(tenths)
    text = f"{rounded // 10}.{rounded % 10}" if rounded % 10 else str(rounded // 10)
    return f"{text}%"


def _of(population: int | None) -> str:
    return f"of {population} items" if population is not None else "of a large population"


def size_statement(sizing: Sizing) -> str:
    """What a sized sample supports, in one sentence."""
    k = sizing.expected
    seen = "no deviation" if k == 0 else f"at most {k} deviation{'s' if k != 1 else ''}"
    threshold = f" ({_items(sizing.deviations)})" if sizing.deviations is not None else ""
    return (
        f"A sample of {sizing.size} {_of(sizing.population)} that shows {seen} supports, with "
        f"{percent(sizing.confidence)} confidence, that the deviation rate is below {percent(sizing.tolerable)}"
        f"{threshold}: were it {percent(sizing.tolerable)}, such a sample would occur with probability "
        f"{percent(sizing.risk, 'up')} at most ({sizing.distribution} distribution)."
    )


def _items(count: int) -> str:
    return f"{count} item{'s' if count != 1 else ''}"


def detect_statement(population: int | None, size: int, deviation_rate: Fraction) -> str:
    """What a sample of ``size`` catches, in one sentence."""
    probability = detection_probability(population, size, deviation_rate)
    if population is None:
        whole, count = f"{size} items of a large population", ""
    else:
        whole, count = (
            f"{size} of {population} items",
            f" ({_items(deviations_at(deviation_rate, population))} deviating)",
        )
    return (
        f"With {whole}, a deviation rate of {percent(deviation_rate)}{count} is caught (at least one deviation "
        f"in the sample) with {percent(probability, 'down')} probability."
    )


# --- populations ------------------------------------------------------------------------------


def main_date(item: EvidenceItem) -> date | None:
    """The date that places an item in a period (:data:`MAIN_DATES`)."""
    for name in MAIN_DATES:
        value: date | None = getattr(item.dates, name)
        if value is not None:
            return value
    return None


def facet(item: EvidenceItem, name: str, organisation: Organisation | None = None) -> str:
    """The value of ``name`` that places ``item`` in a population or stratum, as text; ``month``
    is its main date's month; ``site`` is the organisation's one site when the item names none."""
    if name == "month":
        when = main_date(item)
        return f"{when.year:04d}-{when.month:02d}" if when else NONE  # strftime pads years < 1000 per platform
    value = item.field(name)
    if name == "site" and not value and organisation is not None and len(organisation.sites) == 1:
        value = organisation.sites[0]
    if value is None or value == "":
        return NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.isoformat() if isinstance(value, date) else str(value)


@dataclass(frozen=True)
class Population:
    """The items of ``type`` (narrowed by ``filters``, dimension -> value), in id order."""

    type: str
    filters: tuple[tuple[str, str], ...]
    items: tuple[EvidenceItem, ...]

    @property
    def size(self) -> int:
        return len(self.items)

    @property
    def digest(self) -> str:
        """sha256 of ``"<id>\\t<sha256>\\n"`` per item, in id order (see the module docstring)."""
        hasher = hashlib.sha256()
        for item in self.items:
            hasher.update(f"{item.id}\t{item.sha256 or ''}\n".encode())
        return hasher.hexdigest()

    def describe(self) -> str:
        narrowed = ", ".join(f"{name} {value}" for name, value in self.filters)
        return f"{self.type} ({narrowed})" if narrowed else self.type


def population(
    items: Iterable[EvidenceItem],
    evidence_type: str,
    filters: Mapping[str, str | None] | None = None,
    organisation: Organisation | None = None,
) -> Population:
    """The population of ``evidence_type`` narrowed by ``filters`` (``site``, ``process``, ``month``
    or any field; None: not narrowed). Errors name the types or values there are."""
    items = list(items)
    present = sorted({item.type for item in items})
    if evidence_type not in present:
        raise ConfigError(
            f"no evidence of type {evidence_type!r} in this scan{did_you_mean(evidence_type, present)} "
            "(`qmscheck sample TARGET --list` lists the populations)"
        )
    chosen = tuple((name, value) for name, value in (filters or {}).items() if value is not None)
    if any(name == "month" for name, _ in chosen):
        month = dict(chosen)["month"]
        if not MONTH.match(month):
            raise ConfigError(f"month {month!r} is not a month; give it as YYYY-MM, e.g. 2026-01")
    of_type = [item for item in items if item.type == evidence_type]
    kept = of_type
    for name, value in chosen:
        narrower = [item for item in kept if facet(item, name, organisation) == value]
        if not narrower:
            values = sorted({facet(item, name, organisation) for item in kept})
            raise ConfigError(
                f"no {evidence_type} item has {name} {value!r}{did_you_mean(value, values)}; "
                f"the values there are: {', '.join(values)}"
            )
        kept = narrower
    return Population(evidence_type, chosen, tuple(sorted(kept, key=lambda item: item.id)))


@dataclass(frozen=True)
class PopulationRow:
    """One evidence type and how its items fall by site, process and month."""

    type: str
    kind: str
    count: int
    #: dimension -> (value, count) in value order; a dimension no item carries is left out.
    breakdown: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]


def population_rows(items: Iterable[EvidenceItem], organisation: Organisation | None = None) -> list[PopulationRow]:
    """Every evidence type in the scan, records first, with its counts per site, process and month."""
    by_type: dict[str, list[EvidenceItem]] = {}
    for item in items:
        by_type.setdefault(item.type, []).append(item)
    rows = []
    for name, members in by_type.items():
        breakdown = []
        for dimension in DIMENSIONS:
            counts: dict[str, int] = {}
            for item in members:
                value = facet(item, dimension, organisation)
                counts[value] = counts.get(value, 0) + 1
            if set(counts) != {NONE}:
                breakdown.append((dimension, tuple(sorted(counts.items()))))
        rows.append(PopulationRow(name, members[0].kind.value, len(members), tuple(breakdown)))
    return sorted(rows, key=lambda row: (row.kind != "record", row.type))


# --- drawing ----------------------------------------------------------------------------------


def draw_key(seed: str, item_id: str, tickets: int = 1) -> int:
    """The item's smallest ticket (see the module docstring): a 256-bit integer."""
    return min(
        int.from_bytes(hashlib.sha256(f"{KEY_DOMAIN}\0{seed}\0{item_id}\0{j}".encode()).digest(), "big")
        for j in range(tickets)
    )


@dataclass(frozen=True)
class Weight:
    """An item's tickets in a risk-weighted draw, and why it has more than one."""

    value: int
    reasons: tuple[str, ...]


#: Statuses of an item no longer in use (a register's words are read into these English ones).
OUT_OF_USE = frozenset({"retired", "out of service", "scrapped", "disposed", *RETIRED_STATES})


def risk_weights(
    items: Iterable[EvidenceItem], report: Report | None, as_of: date, near_days: int
) -> dict[str, Weight]:
    """Per item id, its weight for a risk-weighted draw and why (see the module docstring)."""
    cited: dict[str, list[str]] = {}
    for finding in report.findings if report is not None else ():
        ids = {ref.id for ref in finding.evidence} | {i for instance in finding.instances for i in instance.evidence}
        for item_id in ids:
            cited.setdefault(item_id, []).append(f"{finding.rule_id} ({finding.grade.value})")
    weights = {}
    for item in items:
        value, reasons = BASE_WEIGHT, []
        if item.id in cited:
            value += CITED_WEIGHT
            reasons.append("cited by finding " + ", ".join(sorted(set(cited[item.id]))))
        # A retired instrument or a withdrawn document has no due date that matters any more.
        in_use = (item.status or "").strip().lower() not in OUT_OF_USE
        due = [(name, when) for name in DUE_DATES if in_use and (when := getattr(item.dates, name)) is not None]
        near = [(name, when) for name, when in due if (when - as_of).days <= near_days]
        if near:
            value += DUE_WEIGHT
            name, when = min(near, key=lambda pair: pair[1])
            days = (when - as_of).days
            reasons.append(
                f"{name} {when.isoformat()}, "
                + (f"{-days} days overdue" if days < 0 else f"within {near_days} days of {as_of.isoformat()}")
            )
        weights[item.id] = Weight(value, tuple(reasons))
    return weights


def allocate(strata: Mapping[str, int], size: int) -> dict[str, int]:
    """Share ``size`` among strata of the given sizes: one each, the rest in proportion to what each
    has left, by largest remainder (ties by stratum name). Exact integer arithmetic throughout."""
    names = sorted(name for name, count in strata.items() if count > 0)
    total = sum(strata[name] for name in names)
    if size > total:
        raise ConfigError(f"a sample of {size} cannot be drawn from {total} items")
    if size < len(names):
        raise ConfigError(
            f"a stratified sample needs at least one item from each of the {len(names)} strata; "
            f"a sample of {size} is too small (stratify by fewer fields, or draw at least {len(names)})"
        )
    rest, left = size - len(names), total - len(names)
    if rest == 0:
        return dict.fromkeys(names, 1)
    shares = {name: divmod(rest * (strata[name] - 1), left) for name in names}
    allocation = {name: 1 + whole for name, (whole, _) in shares.items()}
    missing = size - sum(allocation.values())
    # A remainder is below the common denominator ``left``, so one extra item never exceeds a stratum.
    for name in sorted(names, key=lambda name: (-shares[name][1], name))[:missing]:
        allocation[name] += 1
    return allocation


def _fields(item: EvidenceItem) -> list[str]:
    """The fields ``item`` gives a value."""
    named = [name for name in CORE_TEXT_FIELDS if getattr(item, name)]
    named += [name for name in DATE_FIELDS if getattr(item.dates, name)]
    return named + [name for name, value in item.attributes.items() if value not in (None, "")]


@dataclass(frozen=True)
class Pick:
    """One item of a sample: its place in draw order (``rank``), its key and, when it applies,
    its stratum and risk weight."""

    rank: int
    item: EvidenceItem
    key: int
    stratum: str | None = None
    weight: Weight | None = None

    @property
    def label(self) -> str:
        return label(self.item)


@dataclass(frozen=True)
class Stratum:
    """A stratum of a stratified sample: its name (the values it is defined by), its items, its share."""

    name: str
    population: int
    drawn: int


@dataclass(frozen=True)
class Sample:
    """A drawn sample with everything needed to state it and draw it again; ``statement`` says what
    it supports (:func:`draw` fills it in)."""

    population: Population
    method: Method
    seed: str
    picks: tuple[Pick, ...]
    as_of: date
    by: tuple[str, ...] = ()
    strata: tuple[Stratum, ...] = ()
    sizing: Sizing | None = None
    near_days: int | None = None
    #: Weights of the whole population (risk-weighted draws): how many items carried each.
    weight_counts: tuple[tuple[int, int], ...] = ()
    statement: tuple[str, ...] = field(default=())

    @property
    def size(self) -> int:
        return len(self.picks)


def draw(
    chosen: Population,
    size: int,
    seed: str,
    *,
    method: Method = "random",
    by: Sequence[str] = (),
    weights: Mapping[str, Weight] | None = None,
    organisation: Organisation | None = None,
    as_of: date,
    sizing: Sizing | None = None,
    near_days: int | None = None,
) -> Sample:
    """Draw ``size`` items of ``chosen`` by ``method`` from ``seed`` (see the module docstring)."""
    if not seed:
        raise ConfigError("the seed is empty: give any number or word, which the worksheet records")
    if size < 1:
        raise ConfigError(f"the sample size must be at least 1, not {size}")
    if size > chosen.size:
        raise ConfigError(
            f"a sample of {size} cannot be drawn from {chosen.size} items of {chosen.describe()}: "
            "audit them all, or draw fewer"
        )
    if method == "stratified" and not by:
        raise ConfigError("a stratified sample needs the fields to stratify by (--by site, --by month, ...)")
    if method != "stratified" and by:
        raise ConfigError(f"--by stratifies; it does not apply to a {method} sample (use --method stratified)")
    if method == "risk" and weights is None:
        raise ConfigError("a risk-weighted sample needs the items' weights")
    for name in by:
        if all(facet(item, name, organisation) == NONE for item in chosen.items):
            named = {*DIMENSIONS, *(key for item in chosen.items for key in _fields(item))}
            carried = sorted(n for n in named if any(facet(i, n, organisation) != NONE for i in chosen.items))
            raise ConfigError(
                f"no item of {chosen.describe()} has a {name}{did_you_mean(name, carried)}; "
                f"they can be stratified by {', '.join(carried)}"
            )
    keyed = []
    for item in chosen.items:
        weight = weights.get(item.id) if method == "risk" and weights is not None else None
        key = draw_key(seed, item.id, weight.value if weight else 1)
        stratum = " / ".join(facet(item, name, organisation) for name in by) if by else None
        keyed.append((key, item.id, item, stratum, weight))
    keyed.sort(key=lambda entry: (entry[0], entry[1]))
    strata: tuple[Stratum, ...] = ()
    if method == "stratified":
        counts: dict[str, int] = {}
        for entry in keyed:
            assert entry[3] is not None
            counts[entry[3]] = counts.get(entry[3], 0) + 1
        allocation = allocate(counts, size)
        taken: dict[str, int] = {}
        chosen_entries = []
        for entry in keyed:
            assert entry[3] is not None
            if taken.get(entry[3], 0) < allocation[entry[3]]:
                taken[entry[3]] = taken.get(entry[3], 0) + 1
                chosen_entries.append(entry)
        strata = tuple(Stratum(name, counts[name], allocation[name]) for name in sorted(counts))
    else:
        chosen_entries = keyed[:size]
    picks = tuple(
        Pick(rank, item, key, stratum, weight)
        for rank, (key, _, item, stratum, weight) in enumerate(chosen_entries, start=1)
    )
    weight_counts: dict[int, int] = {}
    if method == "risk" and weights is not None:
        for item in chosen.items:
            value = weights[item.id].value if item.id in weights else BASE_WEIGHT
            weight_counts[value] = weight_counts.get(value, 0) + 1
    sample = Sample(
        chosen, method, seed, picks, as_of, tuple(by), strata, sizing, near_days, tuple(sorted(weight_counts.items()))
    )
    return replace(sample, statement=tuple(_statement(sample)))


def _statement(sample: Sample) -> list[str]:
    """What the sample is and what it supports, as sentences for a worksheet's header."""
    population, n = sample.population, sample.size
    lines = [
        f"{n} of {population.size} items of {population.describe()}, drawn {_method_text(sample)} "
        f"from seed {sample.seed!r}."
    ]
    if sample.sizing is not None:
        lines.append(size_statement(sample.sizing))
    else:
        # The rates an auditor usually tolerates; in a small population two of them may mean the same count.
        counts = set()
        for tolerable in (Fraction(1, 20), Fraction(1, 10)):
            if deviations_at(tolerable, population.size) not in counts:
                counts.add(deviations_at(tolerable, population.size))
                lines.append(detect_statement(population.size, n, tolerable))
        bound = upper_deviations(population.size, n, Fraction(95, 100))
        if bound is not None:
            lines.append(
                f"If it shows no deviation, fewer than {bound} of the {population.size} items "
                f"({percent(Fraction(bound, population.size), 'up')}) deviate, with 95% confidence."
            )
    if sample.method == "stratified":
        lines.append(
            "Each stratum was sampled at random in proportion to its size (one item at least); the figures are "
            "those of a simple random sample of the same size."
        )
    elif sample.method == "risk":
        lines.append(
            "Risk-weighted: items likelier to deviate were likelier to be drawn, so the sample looks for "
            "deviations; the confidence figures are those of a simple random sample of the same size and do not "
            "estimate the population's deviation rate from this one."
        )
    return lines


def _method_text(sample: Sample) -> str:
    if sample.method == "stratified":
        return f"stratified by {', '.join(sample.by)} ({len(sample.strata)} strata)"
    if sample.method == "risk":
        return (
            f"risk-weighted (weight {BASE_WEIGHT}, +{CITED_WEIGHT} if a finding cites the item, "
            f"+{DUE_WEIGHT} if due within {sample.near_days} days of {sample.as_of.isoformat()} or overdue)"
        )
    return "at simple random"
