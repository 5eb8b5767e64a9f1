"""The ``tryton-erp`` pack: valid, ids clear of the base pack, every rule documented, and named
passing and failing cases for every rule (``rule_cases/<clause>.toml``, the base pack's format).

Case format::

    [[cases]]
    rule = "ERPSUP001"
    name = "approval_lapsed"            # snake_case, unique per rule
    as_of = 2026-03-31
    expect = [{ grade = "minor", evidence = ["bolt"] }]   # [] for a passing case
    [[cases.items]]
    type = "supplier"
    ref = "bolt"                        # the item id becomes test:bolt
    erp = "tryton"
    next_review = 2026-01-31            # core fields, dates and attributes by name
"""

from __future__ import annotations

from pathlib import Path

import pytest
from qmscheck.api import RulePack
from qmscheck.testing import LoadedPacks, RuleCase, load_cases, load_packs, load_plugins, missing_cases, run_case
from qmscheck_tryton.plugin import RULES

CASES_DIR = Path(__file__).parent / "rule_cases"


CASES = load_cases(CASES_DIR)
PACK = RulePack.from_manifest(RULES.parent / "pack.toml")


def pack() -> LoadedPacks:
    """The pack's own rules, loaded with the base pack it depends on."""
    loaded = load_packs([load_plugins().rule_packs.get("iso9001"), PACK])
    return LoadedPacks(packs=[PACK], rules=[rule for rule in loaded.rules if rule.pack.name == PACK.name])


def test_the_pack_is_registered_through_the_entry_point() -> None:
    plugins = load_plugins()
    assert "tryton-erp" in plugins.rule_packs.names()
    assert plugins.rule_packs.owner("tryton-erp") == "tryton"
    assert plugins.connectors.owner("tryton") == "tryton"
    assert not [info for info in plugins.failed if info.name == "tryton"]


def test_pack_loads_next_to_the_base_pack_without_id_collisions() -> None:
    installed = load_plugins().rule_packs
    loaded = load_packs([installed.get("iso9001"), installed.get("tryton-erp")])  # refuses a duplicate id
    ours = [r.rule.id for r in loaded.rules if r.pack.name == "tryton-erp"]
    assert sorted(ours) == ["ERPCMP001", "ERPINS001", "ERPPUR001", "ERPSUP001"]
    assert all(rule_id.startswith("ERP") for rule_id in ours)


def test_every_rule_is_documented_and_judges_only_erp_evidence() -> None:
    for loaded in pack().rules:
        rule = loaded.rule
        assert rule.why.strip() and rule.fix.strip() and rule.requirement.strip() and rule.evidence.strip(), rule.id
        assert rule.examples is not None and rule.examples.passing and rule.examples.failing, rule.id
        erp = [c for c in rule.select.where if c.field == "erp" and c.equals == "tryton"]
        assert erp, f"{rule.id} must select erp = tryton, or it would judge file-share evidence twice"


@pytest.mark.parametrize("case", CASES, ids=[c.test_id for c in CASES])
def test_case(case: RuleCase) -> None:
    assert run_case(case, pack()) == case.expected()


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    assert missing_cases(CASES, pack()) == []
