"""Findings sort by their evidence as lists of natural keys would, however the sort key is built."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qmscheck import report
from qmscheck.evidence import natural_key

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
