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

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field
from qmscheck.plugins import load_plugins
from qmscheck.rulemodel import Grade
from qmscheck.rulepack import LoadedPacks, RulePack, load_packs
from qmscheck.testing import check_items, item
from qmscheck_tryton import __version__
from qmscheck_tryton.plugin import RULES

CASES_DIR = Path(__file__).parent / "rule_cases"


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grade: Grade
    evidence: list[str] = Field(default_factory=list)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str
    name: str = Field(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$")
    as_of: date
    expect: list[Expected]
    items: list[dict[str, Any]] = Field(default_factory=list)
    source: str = ""


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        cases += [Case.model_validate({**raw, "source": path.name}) for raw in data.get("cases", [])]
    return cases


CASES = load_cases()
PACK = RulePack(name="tryton-erp", version=__version__, path=RULES)


def pack() -> LoadedPacks:
    return load_packs([PACK])


def test_the_pack_is_registered_through_the_entry_point() -> None:
    plugins = load_plugins()
    assert "tryton-erp" in plugins.rule_packs.names()
    assert plugins.rule_packs.owner("tryton-erp") == "tryton"
    assert plugins.connectors.owner("tryton") == "tryton"
    assert not [info for info in plugins.failed if info.name == "tryton"]


def test_pack_loads_next_to_the_base_pack_without_id_collisions() -> None:
    packs = list(load_plugins().rule_packs)
    loaded = load_packs(packs)  # refuses a duplicate id across packs
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


def run(case: Case) -> list[tuple[str, list[str]]]:
    items = []
    for fields in case.items:
        fields = dict(fields)
        items.append(item(fields.pop("type"), fields.pop("ref"), **fields))
    assert case.rule in {r.rule.id for r in pack().rules}, f"{case.source}: unknown rule {case.rule}"
    report = check_items([PACK], items, as_of=case.as_of)
    return sorted(
        (f.grade.value, sorted(ref.id.removeprefix("test:") for ref in f.evidence))
        for f in report.findings
        if f.rule_id == case.rule
    )


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}-{c.name}" for c in CASES])
def test_case(case: Case) -> None:
    expected = sorted((e.grade.value, sorted(e.evidence)) for e in case.expect)
    assert run(case) == expected


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    rule_ids = {r.rule.id for r in pack().rules}
    passing = {c.rule for c in CASES if not c.expect}
    failing = {c.rule for c in CASES if c.expect}
    assert rule_ids <= passing, sorted(rule_ids - passing)
    assert rule_ids <= failing, sorted(rule_ids - failing)
