"""The clause mapping between ISO 9001 editions, kept as data in ``rules/editions.toml``.

The 2026 edition's final text was not public when the table was written, so the table says
how sure each line is. An entry covers its clause and every sub-clause without a more specific
entry; a sub-clause reached only through its parent is reported with confidence ``assumed``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CLAUSE_PATTERN = r"^(4|5|6|7|8|9|10)(\.\d+){0,3}$"
Clause = Annotated[str, Field(pattern=CLAUSE_PATTERN)]


class ClauseMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    clause: Clause
    status: Literal["unchanged", "split", "unknown"]
    confidence: Literal["confirmed", "reported", "assumed"]
    maps_to: list[Clause] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> ClauseMapping:
        if self.status == "unknown" and self.maps_to:
            raise ValueError(f"{self.clause}: an unknown mapping lists no target clauses")
        if self.status == "unknown" and not self.note:
            raise ValueError(f"{self.clause}: an unknown mapping must say why")
        if self.status != "unknown" and not self.maps_to:
            raise ValueError(f"{self.clause}: a known mapping needs maps_to")
        if self.status == "split" and len(self.maps_to) < 2:
            raise ValueError(f"{self.clause}: a split maps to two or more clauses")
        return self


class EditionTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_edition: Literal["2015"]
    to_edition: Literal["2026"]
    final_text_public: bool
    note: str
    clauses: list[ClauseMapping]

    @model_validator(mode="after")
    def _unique(self) -> EditionTable:
        seen = [entry.clause for entry in self.clauses]
        duplicates = sorted({c for c in seen if seen.count(c) > 1})
        if duplicates:
            raise ValueError(f"clauses mapped twice: {duplicates}")
        return self

    def entry(self, clause: str) -> ClauseMapping | None:
        """The most specific entry covering ``clause`` (the clause itself or its nearest parent)."""
        by_clause = {e.clause: e for e in self.clauses}
        parts = clause.split(".")
        for size in range(len(parts), 0, -1):
            found = by_clause.get(".".join(parts[:size]))
            if found is not None:
                return found
        return None

    def resolve(self, clause: str) -> Resolved | None:
        """Where a 2015 clause lands in the 2026 edition, and how sure that is."""
        found = self.entry(clause)
        if found is None:
            return None
        if found.clause == clause:
            return Resolved(clause, found.status, found.confidence, tuple(found.maps_to), found.note)
        if found.status == "unknown":
            return Resolved(clause, "unknown", found.confidence, (), found.note)
        if found.status == "split":
            # A sub-clause of a split parent: which part it went to is not known.
            return Resolved(clause, "unknown", "assumed", (), f"inside {found.clause}, which is split: {found.note}")
        # Same numbering assumed below an unchanged parent.
        target = found.maps_to[0] + clause[len(found.clause) :]
        return Resolved(clause, "unchanged", "assumed", (target,), f"numbering assumed unchanged ({found.note})")


@dataclass(frozen=True)
class Resolved:
    clause: str
    status: str
    confidence: str
    maps_to: tuple[str, ...]
    note: str


def table_path() -> Path:
    from qmscheck.checking.packs import rules_root

    return rules_root() / "editions.toml"


@cache
def load_table(path: Path | None = None) -> EditionTable:
    source = path or table_path()
    with source.open("rb") as handle:
        return EditionTable.model_validate(tomllib.load(handle))


def map_clause(clause: str, to_edition: str) -> Resolved | None:
    """Map a clause of the 2015 edition to ``to_edition`` (identity for 2015)."""
    if to_edition == "2015":
        return Resolved(clause, "unchanged", "confirmed", (clause,), "")
    return load_table().resolve(clause)
