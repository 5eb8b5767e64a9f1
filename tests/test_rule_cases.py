"""Named passing and failing cases for every rule of the base pack, kept next to the rules.

Case files live in ``rules/iso9001/cases/<clause>.toml``, one per rule file and named like it;
a case file holds only cases for the rules of the rule file with the same name. Format::

    [[cases]]
    rule = "CAL001"                      # the rule under test; only this rule runs
    name = "overdue_instrument_in_use"   # snake_case, unique per rule; test id is CAL001-overdue_...
    as_of = 2026-03-31                   # the scan date (a TOML date, unquoted)
    stage = 2                            # optional, 1 or 2 (default 2)
    organisation = { processes = ["Sales"] }   # optional, any field of qmscheck.model.evidence.Organisation
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

from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from qmscheck.checking import packs
from qmscheck.checking.packs import LoadedPacks, load_packs, load_rule_file, rules_root
from qmscheck.checking.run import CheckOptions, run_check
from qmscheck.model.collection import Collection
from qmscheck.model.groups import EvidenceGroup
from qmscheck.plugins.manager import load_plugins
from qmscheck.testing import (
    RuleCase,
    case_findings,
    case_items,
    case_rules,
    load_cases,
    missing_cases,
    run_case,
)

PACK_DIR = rules_root() / "iso9001" / "rules"
CASES_DIR = rules_root() / "iso9001" / "cases"
CASES = load_cases(CASES_DIR)


@cache
def base_pack() -> LoadedPacks:
    return load_packs([packs.base_pack()])


@pytest.mark.parametrize("case", CASES, ids=[case.test_id for case in CASES])
def test_case(case: RuleCase) -> None:
    refs = [fields.get("ref") for fields in case.items]
    assert len(refs) == len(set(refs)), f"{case.source}: {case.name}: duplicate item refs"
    assert run_case(case, base_pack()) == case.expected()


@pytest.mark.parametrize("case", CASES, ids=[case.test_id for case in CASES])
def test_findings_do_not_depend_on_how_evidence_is_grouped(case: RuleCase, tmp_path: Path) -> None:
    """A scan summarises each file on its own and a rescan combines stored summaries with fresh
    ones: with every item its own group, first summarised afresh and then mostly from storage
    (one group's digest changed), a case must give what it gives as one group."""
    items = case_items(case)
    plugins = load_plugins(entry_points=False)
    index = tmp_path / "index.sqlite"

    def findings(digest_of_first: str) -> list[tuple[str, list[str]]]:
        groups = [EvidenceGroup.of_items(f"item {n:04d}", [one], digest=f"{one.id}:{n}") for n, one in enumerate(items)]
        if groups:
            groups[0].digest = digest_of_first
        options = CheckOptions(as_of=case.as_of, stage=case.stage, results=index)
        report = run_check(
            Collection(groups=groups), case_rules(case, base_pack()), plugins, case.organisation, options
        )
        if digest_of_first == "changed":
            assert options.stats["groups_summarised"] <= 1  # only the changed group is summarised again
        return case_findings(report)

    expected = case.expected()
    assert findings("first") == expected
    assert findings("changed") == expected


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    problems = missing_cases(CASES, base_pack())
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
    assert run_case(wrong, base_pack()) != wrong.expected()


def test_stage_1_does_not_sample_records() -> None:
    """Stage 1 reviews documentation and readiness; rules that sample records item by item are stage 2."""
    from qmscheck.model.evidence import Kind
    from qmscheck.model.evidence_types import kind_of

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
