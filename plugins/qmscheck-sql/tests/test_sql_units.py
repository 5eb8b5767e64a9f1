"""Value conversion, the read-only statement guard and option checks, without a database."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from qmscheck.api import ConnectorError
from qmscheck.testing import load_plugins
from qmscheck_sql.connector import row_sha256, to_value
from qmscheck_sql.options import parse_options, statement_problem


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("2026-03-02", date(2026, 3, 2)),
        ("2026-01-20 09:15:00", date(2026, 1, 20)),
        ("2026-01-20T09:15:00.123+02:00", date(2026, 1, 20)),
        (datetime(2026, 1, 20, 9, 15), date(2026, 1, 20)),
        (date(2026, 1, 20), date(2026, 1, 20)),
        ("2026-02-30", "2026-02-30"),  # not a day: kept as text, a date field then counts it as missing
        ("QP-2026-03-02", "QP-2026-03-02"),
        (Decimal("86.5"), 86.5),
        (Decimal("3.000"), 3),
        (True, True),
        (None, None),
    ],
)
def test_values(raw: object, value: object) -> None:
    assert to_value(raw) == value
    assert type(to_value(raw)) is type(value)


def test_binary_values_are_refused() -> None:
    with pytest.raises(TypeError):
        to_value(b"\x00")


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("SELECT 1", None),
        ("  -- note\n/* block */ with x as (select 1) select * from x;", None),
        ("select 'a;b' as v", None),
        ("UPDATE t SET a = 1", "only SELECT"),
        ("-- SELECT\nDELETE FROM t", "only SELECT"),
        ("SELECT 1; SELECT 2", "one statement"),
        ("", "only SELECT"),
    ],
)
def test_statement_guard(sql: str, problem: str | None) -> None:
    found = statement_problem(sql)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_row_digest_is_canonical() -> None:
    assert row_sha256({"b": Decimal("1.5"), "a": date(2026, 1, 2)}) == row_sha256(
        {"a": date(2026, 1, 2), "b": Decimal("1.5")}
    )


def test_options_need_exactly_one_url() -> None:
    query = {"type": "complaint", "sql": "SELECT 1 AS id", "fields": {"id": "id"}}
    with pytest.raises(ConnectorError, match="exactly one of 'url' or 'url_env'"):
        parse_options({"queries": [query]})
    with pytest.raises(ConnectorError, match="exactly one of 'url' or 'url_env'"):
        parse_options({"url": "sqlite:///a.db", "url_env": "X", "queries": [query]})
    with pytest.raises(ConnectorError, match=r"queries: .*at least 1"):
        parse_options({"url": "sqlite:///a.db", "queries": []})


def test_registered_through_the_entry_point() -> None:
    plugins = load_plugins()
    assert plugins.connectors.owner("sql") == "sql"
    assert not [info for info in plugins.failed if info.name == "sql"]
