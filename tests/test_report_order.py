"""Findings sort by their evidence as lists of natural keys would, however the sort key is built."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qmscheck.model import report
from qmscheck.model.evidence import natural_key

IDS = st.lists(st.sampled_from(["a", "a2", "a10", "b", "row 9", "row 10", "x:1", "x:01"]), max_size=12)


@pytest.mark.parametrize("eager", [0, 2, 8])
@settings(max_examples=300, deadline=None)
@given(lists=st.lists(IDS, min_size=2, max_size=8))
def test_evidence_order_sorts_as_lists_of_natural_keys(eager: int, lists: list[list[str]]) -> None:
    original = report.EAGER_EVIDENCE
    report.EAGER_EVIDENCE = eager  # hypothesis and monkeypatch do not mix: set and restore by hand
    try:

        def plain(ids: list[str]) -> list[tuple[tuple[int, int | str], ...]]:
            return [natural_key(item) for item in ids]

        assert sorted(lists, key=report.evidence_order) == sorted(lists, key=plain)
        first, second = lists[0], lists[1]
        assert (report.evidence_order(first) < report.evidence_order(second)) == (plain(first) < plain(second))
        assert (report.evidence_order(first) == report.evidence_order(second)) == (plain(first) == plain(second))
    finally:
        report.EAGER_EVIDENCE = original


GRADES = ["major", "minor", "observation", "ofi"]
RULES = {"R1": "7.5.3", "R2": "7.5.3", "R3": "7.1.5", "R4": "10.2"}


@st.composite
def findings_of_rules(draw: st.DrawFn) -> list[tuple[str, list[report.Finding]]]:
    """Findings of a few rules, two of them under one clause, citing items from a small pool (so that
    findings share their evidence and merge), some about an absence."""
    found = []
    for number, rule_id in enumerate(draw(st.lists(st.sampled_from(sorted(RULES)), unique=True, min_size=1))):
        rule_findings = []
        for index, (grade, ids, absence) in enumerate(
            draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(GRADES),
                        st.lists(st.sampled_from(["a", "a2", "a10", "b"]), max_size=3, unique=True),
                        st.sampled_from([None, "no plan", "no record"]),
                    ),
                    max_size=6,
                )
            )
        ):
            evidence = [report.EvidenceRef(id=item, locator=item, label=item) for item in ids]
            rule_findings.append(
                report.Finding(
                    id=f"{rule_id}-{index}",
                    grade=grade,
                    clause=RULES[rule_id],
                    rule_id=rule_id,
                    title=f"t{number}",
                    statement=f"s{index}",
                    evidence=evidence,
                    absence=None if evidence else absence,
                    why="w",
                    fix="f",
                    pack="p",
                    stages=[1, 2],
                )
            )
        found.append((rule_id, rule_findings))
    return found


@settings(max_examples=300, deadline=None)
@given(by_rule=findings_of_rules())
def test_the_report_orders_rules_blocks_as_sorting_every_finding_would(
    by_rule: list[tuple[str, list[report.Finding]]],
) -> None:
    from qmscheck.checking.merge import merge_findings
    from qmscheck.checking.run import _report_findings
    from qmscheck.storage.results import ResultCache, StoredFindings

    every = [finding for _, found in by_rule for finding in found]
    expected = sorted(merge_findings(every), key=report.finding_sort_key)
    stored = [(rule_id, StoredFindings.of(found)) for rule_id, found in by_rule]
    assert _report_findings("", stored, ResultCache(None), full=True, group_of={}, same_as={}) == expected
