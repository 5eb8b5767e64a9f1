"""What a check primitive concludes of evidence: failures, the items they cite, and what a
groupwise primitive keeps of one evidence group. Plain data, shared by the check stage that
makes it and the storage that keeps it between scans."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from qmscheck.model.evidence import EvidenceItem

__all__ = ["Cited", "FailingValue", "Failure", "GroupSummary", "Place"]


class Cited(NamedTuple):
    """An item as a finding cites it, kept after the item itself is gone: the ``group`` it came
    from and its ``position`` there place it in evidence order; the rest is what the report shows.
    A tuple, so that summaries holding it are stored as plain JSON."""

    group: str
    position: int
    id: str
    locator: str
    sha256: str | None
    label: str
    site: str | None = None  # where the evidence names one: findings are per site


class FailingValue(NamedTuple):
    """A value a failing instance was judged on, for the report's structured facts: the field, its
    value as the statement shows it (a date in ISO form), and how many days it is past its limit
    when the condition is a date bound. A tuple, so that stored summaries keep it as plain JSON."""

    field: str
    value: str
    days_past: int | None = None


class Place(NamedTuple):
    """Where an item is (the key of its group, its position there): enough to find it again
    when a failure turns out to cite it, at a fraction of what a :class:`Cited` holds."""

    group: str
    position: int


@dataclass(frozen=True)
class Failure:
    """One way a rule is not met: by some items, or by the absence of any."""

    items: tuple[EvidenceItem | Cited, ...]
    detail: str
    near_miss: bool = False
    absence: str | None = None
    #: The values the instance failed on (a due date and how far past it), where the check reads any.
    values: tuple[FailingValue, ...] = ()
    #: The failure could not be judged: what it needs is in no column qmscheck understood, while the
    #: register has columns it did not. The finding is an evidence request, not a nonconformity.
    unestablished: bool = False


@dataclass(slots=True)
class GroupSummary:
    """What a :class:`~qmscheck.checking.primitives.base.Groupwise` primitive keeps of one evidence group for one rule.

    - ``population``: how many items of the group the rule selected (filled in by
      :meth:`~qmscheck.checking.primitives.base.Groupwise.summary`).
    - ``failures``: failures that need no other group (an item lacking a field), citing
      their items as :meth:`~qmscheck.checking.primitives.base.CheckContext.cite` gives them.
    - ``data``: anything else ``combine`` needs, as JSON values (dicts with string keys,
      lists, strings, numbers, booleans, None): summaries are stored in the evidence index
      between scans, so tuples come back as lists.
    - ``places``: items of the group ``combine`` may cite
      (:meth:`~qmscheck.checking.primitives.base.CheckContext.place`),
      which ``data`` refers to by their index here (e.g. ``data[i]`` describes ``places[i]``).
    """

    population: int = 0
    # Sequences, empty by default without a list each: a scan of 100k files holds millions of summaries.
    failures: Sequence[Failure] = ()
    data: Any = None
    places: Sequence[Place] = ()
