"""Named passing and failing cases for every rule of the base pack, kept next to the rules.

Case files live in ``rules/iso9001/cases/<clause>.toml``, one per rule file and named like it;
a case file holds only cases for the rules of the rule file with the same name. Format::

    [[cases]]
    rule = "CAL001"                      # the rule under test; only this rule runs
    name = "overdue_instrument_in_use"   # snake_case, unique per rule; test id is CAL001-overdue_...
    as_of = 2026-03-31                   # the scan date (a TOML date, unquoted)
    stage = 2                            # optional, 1 or 2 (default 2)
    organisation = { processes = ["Sales"] }   # optional, any field of qmscheck.evidence.Organisation
    expect = [{ grade = "minor", evidence = ["cal7"] }]   # the findings; [] makes a passing case

    [[cases.items]]                      # the evidence, one table per item
    type = "calibration_record"          # evidence type
    ref = "cal7"                         # becomes the item id test:cal7; cite it in expect.evidence
    status = "In use"                    # core fields, dates and attributes by name, as in
    due = 2026-01-15                     # qmscheck.testing.item; dates are TOML dates (unquoted)

``expect`` lists every finding the rule must raise, in any order: its grade and the refs of
the items it cites (``evidence = []`` for a finding about missing evidence). The run must
raise exactly these findings, no more.

Every rule of the base pack needs at least one passing and one failing case; a new rule
without both fails ``test_every_rule_has_a_passing_and_a_failing_case``.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from datetime import date
from functools import cache
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field
from qmscheck.check import CheckOptions, run_check
from qmscheck.collect import Collection
from qmscheck.evidence import Organisation
from qmscheck.plugins import load_plugins
from qmscheck.rulemodel import Grade
from qmscheck.rulepack import LoadedPacks, RulePack, load_packs, load_rule_file, rules_root
from qmscheck.testing import item

PACK_DIR = rules_root() / "iso9001"
CASES_DIR = PACK_DIR / "cases"


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grade: Grade
    evidence: list[str] = Field(default_factory=list)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str
    name: str = Field(pattern=r"^[a-z0-9]+(_[a-z0-9]+)*$")
    as_of: date
    stage: Literal[1, 2] = 2
    organisation: Organisation = Field(default_factory=Organisation)
    expect: list[Expected]
    items: list[dict[str, Any]] = Field(default_factory=list)
    source: str = ""

    @property
    def passing(self) -> bool:
        return not self.expect


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert set(data) <= {"cases"}, f"{path}: only [[cases]] tables are allowed"
        cases += [Case.model_validate({**raw, "source": path.name}) for raw in data.get("cases", [])]
    return cases


CASES = load_cases()


@cache
def base_pack() -> LoadedPacks:
    return load_packs([RulePack(name="iso9001", version="test", path=PACK_DIR)])


def only(rule_id: str) -> LoadedPacks:
    packs = base_pack()
    return LoadedPacks(packs=packs.packs, rules=[r for r in packs.rules if r.rule.id == rule_id])


def run_case(case: Case) -> list[tuple[str, list[str]]]:
    evidence = []
    for fields in case.items:
        fields = dict(fields)
        evidence.append(item(fields.pop("type"), fields.pop("ref"), **fields))
    report = run_check(
        Collection(items=evidence),
        only(case.rule),
        load_plugins(entry_points=False),
        case.organisation,
        CheckOptions(as_of=case.as_of, stage=case.stage),
    )
    return sorted(
        (finding.grade.value, sorted(ref.id.removeprefix("test:") for ref in finding.evidence))
        for finding in report.findings
    )


@pytest.mark.parametrize("case", CASES, ids=[f"{case.rule}-{case.name}" for case in CASES])
def test_case(case: Case) -> None:
    assert case.rule in {r.rule.id for r in base_pack().rules}, f"{case.source}: unknown rule {case.rule}"
    refs = [fields.get("ref") for fields in case.items]
    assert len(refs) == len(set(refs)), f"{case.source}: {case.name}: duplicate item refs"
    expected = sorted((e.grade.value, sorted(e.evidence)) for e in case.expect)
    assert run_case(case) == expected


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    passing = {case.rule for case in CASES if case.passing}
    failing = {case.rule for case in CASES if not case.passing}
    rule_ids = {loaded.rule.id for loaded in base_pack().rules}
    problems = [f"{rid}: no passing case" for rid in sorted(rule_ids - passing)]
    problems += [f"{rid}: no failing case" for rid in sorted(rule_ids - failing)]
    assert not problems, f"add cases to {CASES_DIR}:\n" + "\n".join(problems)


def test_every_case_names_a_rule_of_its_own_rule_file() -> None:
    file_of = {loaded.rule.id: loaded.file.name for loaded in base_pack().rules}
    problems = [
        f"{case.source}: {case.name}: rule {case.rule} "
        + (f"lives in {file_of[case.rule]}" if case.rule in file_of else "does not exist")
        for case in CASES
        if file_of.get(case.rule) != case.source
    ]
    assert not problems, "\n".join(problems)


def test_case_names_are_unique_per_rule() -> None:
    counts = Counter((case.rule, case.name) for case in CASES)
    assert [key for key, n in counts.items() if n > 1] == []


def test_rule_ids_are_unique_across_the_pack() -> None:
    # load_packs rejects duplicates too; read the files directly so this test does not depend on it.
    ids = [rule.id for path in sorted(PACK_DIR.glob("*.toml")) for rule in load_rule_file(path).rules]
    assert ids, f"no rules found in {PACK_DIR}"
    assert [rid for rid, n in Counter(ids).items() if n > 1] == []


def test_a_wrong_expectation_is_caught() -> None:
    """The runner really compares: a wrong expectation makes a case fail."""
    case = next(c for c in CASES if c.rule == "CAL001" and not c.passing)
    wrong = case.model_copy(update={"expect": []})
    assert run_case(wrong) != sorted((e.grade.value, sorted(e.evidence)) for e in wrong.expect)


def test_stage_1_does_not_sample_records() -> None:
    """Stage 1 reviews documentation and readiness; rules that sample records item by item are stage 2."""
    from qmscheck.classify import kind_of
    from qmscheck.evidence import Kind

    sampling = {"each", "covers", "periodic", "differs"}
    problems = [
        loaded.rule.id
        for loaded in base_pack().rules
        if 1 in loaded.rule.stages
        and loaded.rule.check.kind in sampling
        and all(kind_of(t) is Kind.RECORD for t in loaded.rule.select.types)
    ]
    assert problems == []


def test_every_rule_runs_in_stage_2() -> None:
    assert [loaded.rule.id for loaded in base_pack().rules if 2 not in loaded.rule.stages] == []
