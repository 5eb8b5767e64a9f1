"""Test support: one QMS database, seeded the same way on SQLite and PostgreSQL, and the qmscheck.toml that reads it.

As of 2026-03-31, the seeded defects (what the base ISO 9001 pack must report) are:

- SUP001: Rapid Castings Ltd, ordered from in February, never evaluated;
- SUP002: Budget Fasteners, ordered from in January, approval still pending;
- CUS001: complaint CMP-003, received 2026-01-12 and still open;
- NCR003, NCR004: nonconformity NC-020 with nothing done about it yet (no correction, no disposition).

Everything else is clean and must not be cited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    password: str
    database: str
    timings: dict[str, float]

    def url(self, password: str | None = None, database: str | None = None) -> str:
        secret = quote(self.password if password is None else password, safe="")
        return f"postgresql+psycopg://{self.user}:{secret}@{self.host}:{self.port}/{database or self.database}"


AS_OF = date(2026, 3, 31)

SCHEMA = (
    "CREATE TABLE suppliers (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, approval VARCHAR(30), "
    "last_order DATE)",
    "CREATE TABLE supplier_evaluations (id INTEGER PRIMARY KEY, supplier_id INTEGER NOT NULL, evaluated_on DATE, "
    "score NUMERIC(5, 1))",
    "CREATE TABLE complaints (ref VARCHAR(20) PRIMARY KEY, customer VARCHAR(100), problem TEXT, received DATE, "
    "responded DATE, closed TIMESTAMP, state VARCHAR(20))",
    "CREATE TABLE ncrs (id INTEGER PRIMARY KEY, ref VARCHAR(20) NOT NULL, status VARCHAR(20), problem TEXT, "
    "correction TEXT, disposition TEXT, "
    "root_cause TEXT, corrective_action TEXT, effectiveness TEXT, closed DATE, target DATE)",
)

ROWS: dict[str, list[dict[str, Any]]] = {
    "suppliers": [
        {"id": 1, "name": "Northfield Metals", "approval": "Approved", "last_order": date(2026, 3, 2)},
        {"id": 2, "name": "Rapid Castings Ltd", "approval": "Approved", "last_order": date(2026, 2, 11)},
        {"id": 3, "name": "Budget Fasteners", "approval": "Pending", "last_order": date(2026, 1, 20)},
        {"id": 4, "name": "Old Tools", "approval": "Approved", "last_order": date(2024, 5, 1)},
    ],
    "supplier_evaluations": [
        {"id": 1, "supplier_id": 1, "evaluated_on": date(2025, 9, 12), "score": 86.5},
        {"id": 2, "supplier_id": 3, "evaluated_on": date(2025, 11, 1), "score": 71.0},
    ],
    "complaints": [
        {
            "ref": "CMP-001",
            "customer": "Acme Retail",
            "problem": "Burr on bore",
            "received": date(2026, 1, 5),
            "responded": date(2026, 1, 8),
            "closed": datetime(2026, 1, 20, 9, 15),
            "state": "Closed",
        },
        {
            "ref": "CMP-003",
            "customer": "Acme Retail",
            "problem": "Late delivery",
            "received": date(2026, 1, 12),
            "responded": None,
            "closed": None,
            "state": "Open",
        },
        {
            "ref": "CMP-004",
            "customer": "Baker & Sons",
            "problem": "Wrong finish",
            "received": date(2026, 3, 20),
            "responded": None,
            "closed": None,
            "state": "Open",
        },
    ],
    "ncrs": [
        {
            "id": 10,
            "ref": "NC-010",
            "status": "Closed",
            "problem": "Bore oversize",
            "correction": "Batch quarantined",
            "disposition": "Rework",
            "root_cause": "Worn tool",
            "corrective_action": "Tool life limit set",
            "effectiveness": "No repeat in 3 batches",
            "closed": date(2026, 2, 1),
            "target": date(2026, 2, 15),
        },
        {
            "id": 20,
            "ref": "NC-020",
            "status": "Open",
            "problem": "Thread damage",
            "correction": None,
            "disposition": None,
            "root_cause": None,
            "corrective_action": None,
            "effectiveness": None,
            "closed": None,
            "target": date(2026, 6, 30),
        },
        {
            "id": 21,
            "ref": "NC-021",
            "status": "Open",
            "problem": "Scratched faces",
            "correction": "Parts segregated",
            "disposition": "Scrap",
            "root_cause": None,
            "corrective_action": None,
            "effectiveness": None,
            "closed": None,
            "target": date(2026, 5, 1),
        },
    ],
}

#: (query name, record id) of every seeded record, and of the defective ones.
DEFECTS = {
    ("SUP001", "suppliers", "2"),
    ("SUP002", "suppliers", "3"),
    ("CUS001", "complaints", "CMP-003"),
    # NCR004 faults the same row for the same requirement (8.7 / 10.2.1 a): merged into NCR003's finding.
    ("NCR003", "nonconformities", "20"),
}
CLEAN = {
    ("suppliers", "1"),
    ("suppliers", "4"),
    ("evaluations", "1"),
    ("evaluations", "2"),
    ("complaints", "CMP-001"),
    ("complaints", "CMP-004"),
    ("nonconformities", "10"),
    ("nonconformities", "21"),
}

QUERIES: list[dict[str, Any]] = [
    {
        "name": "suppliers",
        "type": "supplier",
        "sql": "SELECT id, name, approval, last_order FROM suppliers",
        "fields": {"id": "id", "name": "supplier", "approval": "status", "last_order": "last_used"},
    },
    {
        "name": "evaluations",
        "type": "supplier_evaluation",
        "sql": "-- one row per evaluation, with the supplier's name to match on\n"
        "SELECT e.id, s.name AS supplier, e.evaluated_on, e.score\n"
        "FROM supplier_evaluations e JOIN suppliers s ON s.id = e.supplier_id",
        "fields": {"id": "id", "supplier": "supplier", "evaluated_on": "completed", "score": "score"},
    },
    {
        "name": "complaints",
        "type": "complaint",
        "sql": "SELECT ref, customer, problem, received, responded, closed, state FROM complaints",
        "fields": {
            "ref": "id",
            "customer": "customer",
            "problem": "description",
            "received": "issued",
            "responded": "responded",
            "closed": "completed",
            "state": "status",
        },
    },
    {
        "name": "nonconformities",
        "type": "nonconformity",
        "kind": "record",
        "sql": "SELECT id, ref, status, problem, correction, disposition, root_cause, corrective_action, "
        "effectiveness, closed, target FROM ncrs",
        "fields": {
            "id": "id",
            "ref": "reference",
            "status": "status",
            "problem": "description",
            "correction": "correction",
            "disposition": "disposition",
            "root_cause": "root_cause",
            "corrective_action": "corrective_action",
            "effectiveness": "effectiveness",
            "closed": "completed",
            "target": "due",
        },
    },
]


def seed(url: str) -> None:
    """Create the tables and rows through SQLAlchemy (the test writes; the connector never does)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in SCHEMA:
                connection.execute(text(statement))
            for table, rows in ROWS.items():
                columns = list(rows[0])
                insert = text(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
                )
                connection.execute(insert, [_bindable(row, url) for row in rows])
    finally:
        engine.dispose()


def _bindable(row: dict[str, Any], url: str) -> dict[str, Any]:
    """SQLite keeps dates as ISO text (its driver's date adapters are deprecated)."""
    if not url.startswith("sqlite"):
        return row
    return {
        key: value.isoformat(sep=" ")
        if isinstance(value, datetime)
        else value.isoformat()
        if isinstance(value, date)
        else value
        for key, value in row.items()
    }


def toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items()) + " }"
    return json.dumps(value)


def write_config(folder: Path, source: dict[str, Any], queries: list[dict[str, Any]] | None = None) -> Path:
    lines = [
        "[organisation]",
        'name = "Seeded SQL Company"',
        "",
        "[parameters]",
        # The company's own deadline: ISO 9001 sets none, so CUS001 judges complaints against it.
        'complaint_closure_time = "P30D"',
        'source = "QP-07 Customer Feedback"',
        "",
        "[scan]",
        f"as_of = {AS_OF.isoformat()}",
        "",
        "[[sources]]",
        'connector = "sql"',
    ]
    lines += [f"{key} = {toml_value(value)}" for key, value in source.items()]
    for query in QUERIES if queries is None else queries:
        lines += ["", "[[sources.queries]]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in query.items()]
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "qmscheck.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config
