"""The fixed sets a scan's settings are chosen from, shared by ``qmscheck.toml`` and the command line.

A module of its own, with no pydantic, so the command line can build its options without
importing the configuration models.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["EDITIONS", "FAIL_ON", "STAGES", "Edition", "FailOn", "Stage"]

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
