"""The ISO 9001 edition mapping table loads, and covers every clause a base rule cites."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from qmscheck.checking.editions import ClauseMapping, EditionTable, load_table, map_clause
from qmscheck.checking.packs import base_pack, load_packs

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "rules" / "editions.toml"


@pytest.fixture(scope="module")
def table() -> EditionTable:
    return load_table(TABLE)


def test_table_loads_and_says_the_final_text_is_not_public(table: EditionTable) -> None:
    assert (table.from_edition, table.to_edition) == ("2015", "2026")
    assert table.final_text_public is False
    assert "not" in table.note


def test_every_rule_clause_is_mapped_or_explicitly_unknown(table: EditionTable) -> None:
    packs = load_packs([base_pack()])
    problems = []
    for loaded in packs.rules:
        resolved = table.resolve(loaded.rule.clause)
        if resolved is None:
            problems.append(f"{loaded.rule.id}: clause {loaded.rule.clause} is not in rules/editions.toml")
        elif resolved.status == "unknown":
            assert not resolved.maps_to and resolved.note, loaded.rule.id
        else:
            assert resolved.maps_to, loaded.rule.id
    assert not problems, "\n".join(problems)


def test_known_changes_are_in_the_table(table: EditionTable) -> None:
    six_one = table.resolve("6.1")
    assert six_one is not None and six_one.status == "split"
    assert six_one.maps_to == ("6.1.1", "6.1.2", "6.1.3")
    assert table.resolve("6.1.2") is not None and table.resolve("6.1.2").status == "unknown"  # type: ignore[union-attr]
    climate = table.resolve("4.1")
    assert climate is not None and climate.confidence == "reported" and "climate" in climate.note


def test_sub_clauses_inherit_with_assumed_confidence(table: EditionTable) -> None:
    resolved = table.resolve("7.1.5")
    assert resolved is not None
    assert (resolved.status, resolved.confidence, resolved.maps_to) == ("unchanged", "assumed", ("7.1.5",))


def test_2015_maps_to_itself() -> None:
    resolved = map_clause("8.4.1", "2015")
    assert resolved is not None and resolved.maps_to == ("8.4.1",)


def test_an_unknown_mapping_cannot_name_targets() -> None:
    with pytest.raises(ValidationError):
        ClauseMapping(clause="6.1.2", status="unknown", confidence="reported", maps_to=["6.1.2"], note="x")
    with pytest.raises(ValidationError):
        ClauseMapping(clause="6.1", status="split", confidence="reported", maps_to=["6.1.1"])
