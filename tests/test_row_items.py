"""RowItems writes a register row's item faster than unclassified_item, and must write the same text."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from qmscheck.collecting.connectors.encode import RowItems, unclassified_item
from qmscheck.model.evidence import CORE_TEXT_FIELDS, DATE_FIELDS

NAMES = st.one_of(
    st.sampled_from(
        [*CORE_TEXT_FIELDS, *DATE_FIELDS, "id", "kind", "type", "status_text", "issued_text", "kind_value"]
    ),
    st.text(min_size=1, max_size=12),
)
VALUES = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(min_value=datetime(1900, 1, 1)),
    st.times(),
    st.decimals(allow_nan=False),
)


@given(
    prefix=st.text(max_size=20),
    sheet=st.one_of(st.none(), st.text(max_size=8)),
    row=st.integers(0, 10**7),
    values=st.dictionaries(NAMES, VALUES, max_size=8),
    sha256=st.text(max_size=64),
    size=st.integers(0, 10**12),
)
@settings(max_examples=1500, deadline=None)
def test_row_items_write_what_unclassified_item_writes(
    prefix: str, sheet: str | None, row: int, values: dict[str, Any], sha256: str, size: int
) -> None:
    source = {"connector": "filesystem", "connector_version": "0.1", "source": "share ü"}
    place: dict[str, Any] = {"path": "Records/Log é.csv"} if sheet is None else {"path": "Log.xlsx", "sheet": sheet}
    expected = unclassified_item(
        f"{prefix}{row}",
        {**source, "locator": {**place, "row": row}},
        dict(values),
        title=None,
        sha256=sha256,
        size=size,
    )
    assert RowItems(prefix, source, place, sha256=sha256, size=size).item(row, dict(values)) == expected


def test_a_row_with_dates_titles_and_odd_numbers() -> None:
    rows = RowItems("filesystem:Log.csv#!", {"connector": "filesystem"}, {"path": "Log.csv"}, sha256="ab", size=3)
    text, dated = rows.item(
        7,
        {
            "title": " Gauge ",
            "next_review": date(2026, 1, 2),
            "due": datetime(2026, 3, 4, 5),
            "calibrated": date(2025, 3, 4),
            "reading": float("nan"),
            "at": time(1, 2),
            "cost": Decimal("1.5"),
            "id": "x",
        },
    )
    assert text == (
        '{"id":"filesystem:Log.csv#!7","title":"Gauge","provenance":{"connector":"filesystem",'
        '"locator":{"path":"Log.csv","row":7}},"sha256":"ab","size":3,"dates":{"next_review":'
        '"2026-01-02","due":"2026-03-04"},"attributes":{"calibrated":"2025-03-04","reading":"nan",'
        '"at":"01:02:00","cost":"1.5","id_value":"x"}}'
    )
    assert dated == ["calibrated"]
