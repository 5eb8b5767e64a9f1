"""A long-running process evaluating as of many dates holds a bounded number of rulesets."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from qmscheck.checking.conditions import compile_condition, holds
from qmscheck.checking.engine import MAX_RULESETS, Probe, evaluate
from qmscheck.checking.rule_model import Condition
from qmscheck.model.periods import epoch_days

STATM = Path("/proc/self/statm")
DUE = Condition(field="due", on_or_after="as_of")
FIRST = date(2020, 1, 1)
FACTS = [{"id": f"e{i}", "qf": 1, "t": "x", "d_due": epoch_days(FIRST) + 3 * i} for i in range(200)]


def resident_mib() -> float:
    return int(STATM.read_text().split()[1]) * 4096 / 2**20


def due_on(as_of: date) -> set[str]:
    """The facts due on or after ``as_of``, by the engine: each date compiles to its own ruleset."""
    probe = Probe("due", ("x",), compile_condition(DUE, as_of).positive)
    return evaluate([probe], FACTS)["due"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the resident size from /proc")
def test_evaluating_as_of_many_dates_does_not_grow_memory_per_date() -> None:
    dates = [FIRST + timedelta(days=offset) for offset in range(2 * MAX_RULESETS + 1500)]
    for as_of in dates[: 2 * MAX_RULESETS]:
        due_on(as_of)
    before = resident_mib()
    for as_of in dates[2 * MAX_RULESETS :]:
        due_on(as_of)
    # Measured: each ruleset the C core keeps costs ~70 KB, ~100 MiB over these 1500 dates.
    assert resident_mib() - before < 25


def test_a_ruleset_deleted_to_make_room_gives_the_same_matches_when_built_again() -> None:
    first = FIRST + timedelta(days=100)
    expected = {str(f["id"]) for f in FACTS if holds(DUE, f, first)}
    assert due_on(first) == expected
    for offset in range(MAX_RULESETS + 10):
        due_on(FIRST + timedelta(days=1000 + offset))
    assert due_on(first) == expected
