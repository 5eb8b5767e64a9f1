"""End to end: `qmscheck scan` over a real SQLite file and a real PostgreSQL server reports the
seeded defects with SQL locators, nothing about the clean rows, and never writes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from qmscheck.testing import free_port
from sql_support import CLEAN, DEFECTS, QUERIES, Postgres, write_config

URL_ENV = "QMSCHECK_TEST_SQL_URL"


def scan(config: Path, url: str | None = None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != URL_ENV}
    if url is not None:
        env[URL_ENV] = url
    return subprocess.run(
        [sys.executable, "-m", "qmscheck", "scan", str(config), "--format", "json", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def report_of(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def sql_refs(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(rule, query, record id) for every finding citing SQL evidence."""
    found = set()
    for finding in report["findings"]:
        for ref in finding["evidence"]:
            if ref["id"].startswith("sql:"):
                query, _, record = ref["id"].split(":", 2)[2].partition("/")
                found.add((finding["rule_id"], query, record))
    return found


def assert_defects_and_nothing_else(report: dict[str, Any], source: str) -> None:
    assert sql_refs(report) == DEFECTS
    cited = {(query, record) for _, query, record in sql_refs(report)}
    assert not cited & CLEAN
    assert report["warnings"] == []
    assert report["evidence_count"] == 12
    # A database is in no git repository and holds no quality manual.
    assert report["sources"] == [
        {"connector": "sql", "location": source, "items": 12, "repository_path": None, "quality_manual": None}
    ]
    for finding in report["findings"]:
        for ref in finding["evidence"]:
            if ref["id"].startswith("sql:"):
                assert ref["locator"].startswith(source + " ")
                assert re.fullmatch(r"[0-9a-f]{64}", ref["sha256"])


# --- SQLite ---------------------------------------------------------------------------


def test_sqlite_defects_are_reported_with_sql_locators(sqlite_db: Path) -> None:
    config = write_config(sqlite_db.parent.parent, {"url": "sqlite:///records/qms.db"})
    report = report_of(scan(config))
    assert_defects_and_nothing_else(report, "sqlite:///records/qms.db")
    sup002 = next(f for f in report["findings"] if f["rule_id"] == "SUP002")
    (ref,) = sup002["evidence"]
    assert ref["locator"] == "sqlite:///records/qms.db suppliers/3"
    assert ref["label"] == "Budget Fasteners"
    row = {"id": 3, "name": "Budget Fasteners", "approval": "Pending", "last_order": "2026-01-20"}
    canonical = json.dumps(row, sort_keys=True, separators=(",", ":"))
    assert ref["sha256"] == hashlib.sha256(canonical.encode()).hexdigest()


def test_sqlite_scan_never_writes(sqlite_db: Path, tmp_path: Path) -> None:
    before = (sqlite_db.read_bytes(), sqlite_db.stat().st_mtime_ns)
    files = sorted(p.name for p in sqlite_db.parent.iterdir())
    # The config (and the scan's own index beside it) lives elsewhere: the database's folder must not change.
    config = write_config(tmp_path / "cfg", {"url": f"sqlite:///{sqlite_db}"})
    report_of(scan(config))
    assert (sqlite_db.read_bytes(), sqlite_db.stat().st_mtime_ns) == before
    assert sorted(p.name for p in sqlite_db.parent.iterdir()) == files


def test_url_from_the_environment(sqlite_db: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path / "cfg", {"url_env": URL_ENV})
    report = report_of(scan(config, f"sqlite:///{sqlite_db}"))
    assert sql_refs(report) == DEFECTS
    assert report["sources"][0]["location"] == f"sqlite:///{sqlite_db}"


def test_a_row_without_id_and_a_bad_date_are_warnings(sqlite_db: Path) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{sqlite_db}")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO complaints (ref, received, state) VALUES (NULL, '2026-02-01', 'Open')"))
        connection.execute(text("INSERT INTO complaints (ref, received, state) VALUES ('CMP-009', 'soon', 'Open')"))
    engine.dispose()
    config = write_config(sqlite_db.parent, {"url": f"sqlite:///{sqlite_db}"})
    report = report_of(scan(config))
    messages = sorted(w["message"] for w in report["warnings"])
    assert messages == [
        "a row has no value in the id column 'ref'; it was skipped",
        "issued 'soon' is not a date; it counts as missing",
    ]


# --- a source that cannot be used is a clear error (exit 2), never a traceback ----------


def assert_clear_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    # Only notes (the configuration used) come before the error.
    said = [line for line in result.stderr.splitlines() if not line.startswith("note: ")]
    assert said[0].startswith("error: sql source"), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def with_query(**changes: Any) -> list[dict[str, Any]]:
    return [{**QUERIES[0], **changes}]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        (with_query(sql="DELETE FROM suppliers"), ("only SELECT or WITH",)),
        (with_query(sql="SELECT 1; DROP TABLE suppliers"), ("one statement per query",)),
        (with_query(sql="SELECT id, name FROM nowhere"), ("query 'suppliers' failed", "no such table: nowhere")),
        (with_query(sql="SELECT name FROM suppliers", fields={"name": "supplier"}), ("exactly one column to 'id'",)),
        (with_query(sql="SELECT name FROM suppliers"), ("query 'suppliers'", "id, approval, last_order not in")),
        (with_query(fields={"id": "id", "name": "type"}), ("field 'type' is set by the connector",)),
        ([QUERIES[0], {**QUERIES[0]}], ("query names must be unique",)),
    ],
    ids=["writes", "two-statements", "sql-error", "no-id", "missing-columns", "reserved-field", "duplicate-name"],
)
def test_bad_queries(sqlite_db: Path, query: list[dict[str, Any]], words: tuple[str, ...]) -> None:
    config = write_config(sqlite_db.parent, {"url": f"sqlite:///{sqlite_db}"}, queries=query)
    assert_clear_error(scan(config), *words)


def test_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"url": "sqlite:///missing.db"})
    assert_clear_error(scan(config), "missing.db does not exist")
    assert not (tmp_path / "missing.db").exists()


def test_url_variable_not_set(tmp_path: Path) -> None:
    assert_clear_error(scan(write_config(tmp_path, {"url_env": URL_ENV})), URL_ENV, "is not set")


def test_bad_url_and_unknown_driver(tmp_path: Path) -> None:
    assert_clear_error(scan(write_config(tmp_path / "a", {"url": "not a url"})), "not valid")
    result = scan(write_config(tmp_path / "b", {"url": "postgresql+nosuchdriver://u@127.0.0.1/db"}))
    assert_clear_error(result, "unknown database dialect or driver")


def test_unreachable_database_server(tmp_path: Path) -> None:
    pytest.importorskip("psycopg", reason="the psycopg driver is not installed (pip install 'psycopg[binary]')")
    url = f"postgresql+psycopg://qms:pw@127.0.0.1:{free_port()}/qms"
    result = scan(write_config(tmp_path, {"url_env": URL_ENV, "timeout": 5}), url)
    assert_clear_error(result, "cannot connect", "refused")


# --- PostgreSQL -------------------------------------------------------------------------


def test_postgres_defects_are_reported_with_sql_locators(postgres: Postgres, tmp_path: Path) -> None:
    config = write_config(tmp_path, {"url_env": URL_ENV})
    report = report_of(scan(config, postgres.url()))
    shown = f"postgresql+psycopg://{postgres.user}:***@{postgres.host}:{postgres.port}/qms"
    assert_defects_and_nothing_else(report, shown)
    assert postgres.password not in json.dumps(report)
    # PostgreSQL hands over real dates and timestamps; the digest is over those values as ISO text.
    cus001 = next(f for f in report["findings"] if f["rule_id"] == "CUS001")
    assert cus001["evidence"][0]["locator"] == f"{shown} complaints/CMP-003"


def test_postgres_session_is_read_only(postgres: Postgres, tmp_path: Path) -> None:
    query = with_query(
        sql="WITH gone AS (DELETE FROM suppliers RETURNING id) SELECT id, 'x' AS name, "
        "'Approved' AS approval, NULL AS last_order FROM gone"
    )
    config = write_config(tmp_path, {"url_env": URL_ENV}, queries=query)
    assert_clear_error(scan(config, postgres.url()), "read-only transaction")
    import psycopg

    with psycopg.connect(postgres.url().replace("+psycopg", "")) as connection:
        count = connection.execute("SELECT count(*) FROM suppliers").fetchone()
    assert count == (4,)


def test_postgres_wrong_password(postgres: Postgres, tmp_path: Path) -> None:
    config = write_config(tmp_path, {"url_env": URL_ENV})
    result = scan(config, postgres.url(password="wrong-password"))
    assert_clear_error(result, "cannot connect", "password authentication failed")
    assert "wrong-password" not in result.stderr


def test_postgres_unknown_database(postgres: Postgres, tmp_path: Path) -> None:
    config = write_config(tmp_path, {"url_env": URL_ENV})
    assert_clear_error(scan(config, postgres.url(database="nosuchdb")), "cannot connect", "nosuchdb")
