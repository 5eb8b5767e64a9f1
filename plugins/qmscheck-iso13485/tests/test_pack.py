"""The ``iso13485`` pack: registered through its entry point, its manifest and rules valid next to
the base pack, its overlays applied, and a passing and a failing case for every rule, each giving
the findings it states (``cases/<clause>.toml``, the base pack's case format)."""

from __future__ import annotations

import pytest
from qmscheck.api import RulePack
from qmscheck.testing import LoadedPacks, RuleCase, load_cases, load_packs, load_plugins, missing_cases, run_case
from qmscheck_iso13485 import __version__
from qmscheck_iso13485.plugin import MANIFEST

PACK = RulePack.from_manifest(MANIFEST)
assert PACK.cases is not None
CASES = load_cases(PACK.cases)


def loaded() -> LoadedPacks:
    """This pack with the packs it depends on, as a scan selecting it loads them."""
    plugins = load_plugins()
    base = [pack for pack in plugins.rule_packs if pack.name == "iso9001"]
    return load_packs([*base, PACK], plugins.checks)


def ours(packs: LoadedPacks) -> list[str]:
    return sorted(item.rule.id for item in packs.rules if item.pack.name == "iso13485")


def test_the_pack_is_registered_through_the_entry_point() -> None:
    plugins = load_plugins()
    assert "iso13485" in plugins.rule_packs.names()
    assert plugins.rule_packs.owner("iso13485") == "iso13485"
    assert not [info for info in plugins.failed if info.name == "iso13485"]


def test_manifest_names_the_standard_its_edition_and_the_base_pack() -> None:
    assert PACK.version == __version__
    assert PACK.standard.id == "iso13485"
    assert PACK.standard.name == "ISO 13485"
    assert PACK.standard.editions == ["2016"]
    assert [dependency.pack for dependency in PACK.depends] == ["iso9001"]
    assert PACK.incompatibility() is None
    # The clause tree reaches the sub-clauses a rule cites.
    assert PACK.clauses["7.5.9.2"] and PACK.clauses["4.2.3"] and PACK.clauses["8.2.2"]


def test_rules_load_next_to_the_base_pack_with_ids_of_their_own() -> None:
    packs = loaded()  # refuses a duplicate id, an unknown type or field, a clause outside the tree
    rule_ids = ours(packs)
    assert len(rule_ids) >= 25
    assert all(rule_id.startswith("MD") for rule_id in rule_ids)
    for item in packs.rules:
        if item.pack.name == "iso13485":
            rule = item.rule
            assert rule.source in ("standard", "good-practice"), rule.id
            assert rule.clause in PACK.clauses, rule.id
            assert rule.why.strip() and rule.fix.strip() and rule.evidence.strip(), rule.id
            assert rule.examples is not None and rule.examples.passing and rule.examples.failing, rule.id


def test_overlays_skip_what_iso13485_lacks_and_tighten_complaints() -> None:
    packs = loaded()
    assert sorted(item.rule.id for item in packs.skipped) == ["CTX001", "CTX002", "IPR001", "KNW001"]
    complaints = next(item for item in packs.rules if item.rule.id == "CUS002")
    assert [overlay.pack for overlay in complaints.overlays] == ["iso13485"]
    required = complaints.rule.check.model_dump()["require"]
    assert {condition["field"] for condition in required} == {"customer", "issued", "device", "description"}


@pytest.mark.parametrize("case", CASES, ids=[case.test_id for case in CASES])
def test_case(case: RuleCase) -> None:
    assert run_case(case, loaded()) == case.expected()


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    packs = loaded()
    only_ours = LoadedPacks(packs=packs.packs, rules=[item for item in packs.rules if item.pack.name == "iso13485"])
    assert missing_cases(CASES, only_ours) == []
