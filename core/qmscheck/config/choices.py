"""The fixed sets a scan's settings are chosen from, shared by ``qmscheck.toml`` and the command line.

A module of its own, with no pydantic, so the command line can build its options without
importing the configuration models.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

__all__ = [
    "AS_OF_EARLIEST",
    "AS_OF_LATEST",
    "EDITIONS",
    "FAIL_ON",
    "STAGES",
    "Edition",
    "FailOn",
    "Stage",
    "as_of_problem",
]

#: The ISO 9001 editions the rule packs are written for.
Edition = Literal["2015", "2026"]
EDITIONS: tuple[Edition, ...] = get_args(Edition)
#: 1: readiness and documentation review; 2: implementation.
Stage = Literal[1, 2]
STAGES: tuple[Stage, ...] = get_args(Stage)
#: The lowest grade that makes a scan exit 1, or never. An evidence request ranks below the
#: nonconformities and above the advice (qmscheck.model.grades).
FailOn = Literal["major", "minor", "request", "observation", "never"]
FAIL_ON: tuple[FailOn, ...] = get_args(FailOn)

#: The days a scan may be judged as of. Rules count periods back and forth from it (``as_of-P12M``),
#: which must stay inside the calendar Python can represent; no quality record is dated outside them.
AS_OF_EARLIEST = date(1900, 1, 1)
AS_OF_LATEST = date(2999, 12, 31)


def as_of_problem(day: date) -> str | None:
    """Why ``day`` cannot be the day a scan is judged as of, or None."""
    if AS_OF_EARLIEST <= day <= AS_OF_LATEST:
        return None
    return f"{day.isoformat()} is outside the days a scan can be judged as of ({AS_OF_EARLIEST} to {AS_OF_LATEST})"
