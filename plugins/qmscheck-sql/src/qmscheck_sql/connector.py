"""The ``sql`` connector: configured SELECT queries, rows mapped to evidence items, read-only.

Read-only in three layers: only SELECT/WITH statements are accepted (options), the
session is read-only at the database for SQLite (``mode=ro`` and ``query_only``) and
PostgreSQL (``default_transaction_read_only``), and the transaction is rolled back, never
committed, whatever the database.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from qmscheck.api import (
    CollectContext,
    Collected,
    CollectionWarning,
    ConnectorError,
    EvidenceItem,
    Kind,
    Locator,
    Provenance,
    kind_of,
    split_fields,
    values_sha256,
)

from qmscheck_sql import __version__
from qmscheck_sql.options import Query, SqlOptions, parse_options

#: ISO 8601 day, optionally with a time and offset: text that is a date (SQLite stores dates as text).
_ISO_DAY = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\s*$"
)

#: pip extras to suggest when a driver is missing, by DBAPI module name.
DRIVERS = {
    "psycopg": "psycopg[binary]",
    "psycopg2": "psycopg2-binary",
    "pymysql": "PyMySQL",
    "pyodbc": "pyodbc",
    "oracledb": "oracledb",
    "pymssql": "pymssql",
    "mysqldb": "mysqlclient",
}


def row_sha256(row: Mapping[str, Any]) -> str:
    """sha256 of the row's values as canonical JSON (sorted keys, ISO dates, decimals as text)."""
    return values_sha256(row)


def to_value(value: Any) -> Any:
    """A database value as an evidence value: dates as dates, decimals as numbers, the rest as text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str):
        match = _ISO_DAY.match(value)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return value
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        raise TypeError("binary value")
    return str(value)


class SqlConnector:
    name = "sql"
    version = __version__

    def describe(self, options: dict[str, Any]) -> str:
        if options.get("url"):
            return _safe_url(str(options["url"]))
        from_env = os.environ.get(str(options.get("url_env", "")))
        return _safe_url(from_env) if from_env else f"${options.get('url_env', '?')}"

    def collect(self, options: dict[str, Any], context: CollectContext) -> Iterator[Collected]:
        from sqlalchemy import exc as sa_exc

        settings = parse_options(options)
        raw_url = settings.resolved_url()
        engine, source = _engine(raw_url, settings, context.base_dir)
        database = _database_label(engine)
        collected: list[Collected] = []
        try:
            # Everything is read before anything is yielded: a failure is one clear error, never half a source.
            with engine.connect() as connection:
                for query in settings.queries:
                    collected += self._run(connection, query, source, database, secret=raw_url)
                connection.rollback()
        except sa_exc.SQLAlchemyError as exc:  # connecting failed: server down, wrong password, no such database
            raise ConnectorError(f"sql source {source}: cannot connect: {_describe_error(exc, raw_url)}") from None
        finally:
            engine.dispose()
        yield from collected

    def _run(self, connection: Any, query: Query, source: str, database: str, secret: str) -> list[Collected]:
        from sqlalchemy import exc as sa_exc
        from sqlalchemy import text

        try:
            result = connection.execute(text(query.sql))
            columns = list(result.keys())
            rows = [dict(zip(columns, row, strict=True)) for row in result]
        except sa_exc.DBAPIError as exc:
            connection.rollback()
            raise ConnectorError(
                f"sql source {source}: query '{query.label}' failed: {_describe_error(exc, secret)}"
            ) from None
        missing = [column for column in query.fields if column not in columns]
        if missing:
            raise ConnectorError(
                f"sql source {source}: query '{query.label}': column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} not in its result (columns: {', '.join(columns) or 'none'})"
            )
        kind = Kind(query.kind) if query.kind else kind_of(query.type)
        out: list[Collected] = []
        for row in rows:
            out += self._item(row, query, kind, source, database)
        return out

    def _item(self, row: dict[str, Any], query: Query, kind: Kind, source: str, database: str) -> list[Collected]:
        record_id = row[query.id_column]
        if record_id is None or str(record_id).strip() == "":
            return [
                CollectionWarning(
                    connector=self.name,
                    locator=f"{source} {query.label}",
                    message=f"a row has no value in the id column '{query.id_column}'; it was skipped",
                )
            ]
        record = str(record_id).strip()
        where = f"{source} {query.label}/{record}"
        warnings: list[Collected] = []
        values: dict[str, Any] = {}
        body: str | None = None
        for column, target in query.fields.items():
            if target == "id":
                continue
            try:
                value = to_value(row[column])
            except TypeError:
                warnings.append(
                    CollectionWarning(
                        connector=self.name,
                        locator=where,
                        message=f"column '{column}' holds binary data; skipped",
                    )
                )
                continue
            if target == "text":
                body = None if value is None else str(value)
                continue
            values[target] = value
        core, dates, attributes = split_fields(values)
        for name in sorted(attributes):
            if name.endswith("_text") and name.removesuffix("_text") in {
                "issued",
                "approved",
                "last_reviewed",
                "next_review",
                "completed",
                "due",
            }:
                warnings.append(
                    CollectionWarning(
                        connector=self.name,
                        locator=where,
                        message=(
                            f"{name.removesuffix('_text')} '{attributes[name]}' is not a date; it counts as missing"
                        ),
                    )
                )
        item = EvidenceItem(
            id=f"sql:{database}:{query.label}/{record}",
            kind=kind,
            type=query.type,
            provenance=Provenance(
                connector=self.name,
                connector_version=self.version,
                source=source,
                locator=Locator(model=query.label, record_id=record, url=source),
            ),
            sha256=row_sha256(row),
            dates=dates,
            attributes=attributes,
            text=body,
            **core,
        )
        return [*warnings, item]


def _safe_url(url: str) -> str:
    """The URL without its password, for reports and messages."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparsable database URL>"


def _database_label(engine: Any) -> str:
    name = engine.url.database or engine.url.host or engine.url.get_backend_name()
    return Path(str(name)).name


def _describe_error(exc: BaseException, secret: str) -> str:
    original = getattr(exc, "orig", None) or exc
    message = " ".join(str(original).split()) or type(original).__name__
    try:
        from sqlalchemy.engine import make_url

        password = make_url(secret).password
    except Exception:
        password = None
    if password:
        message = message.replace(str(password), "***")
    return message[:500]


def _engine(raw_url: str, settings: SqlOptions, base_dir: Path) -> tuple[Any, str]:
    """A SQLAlchemy engine that can only read, and the URL to show (no password)."""
    from sqlalchemy import create_engine, event
    from sqlalchemy import exc as sa_exc
    from sqlalchemy.engine import make_url

    try:
        url = make_url(raw_url)
    except sa_exc.ArgumentError:
        raise ConnectorError("sql source: the database URL is not valid (expected dialect+driver://...)") from None
    shown = url.render_as_string(hide_password=True)
    backend = url.get_backend_name()
    try:
        if backend == "sqlite":
            return _sqlite_engine(url, settings, base_dir), shown
        connect_args: dict[str, Any] = {}
        if backend == "postgresql" and url.get_driver_name() in ("psycopg", "psycopg2"):
            milliseconds = int(settings.timeout * 1000)
            connect_args = {
                "connect_timeout": max(1, int(settings.timeout)),
                "options": f"-c default_transaction_read_only=on -c statement_timeout={milliseconds}",
            }
        engine = create_engine(url, connect_args=connect_args, pool_pre_ping=False)
    except sa_exc.NoSuchModuleError:
        raise ConnectorError(f"sql source {shown}: unknown database dialect or driver '{url.drivername}'") from None
    except ImportError as exc:
        module = (exc.name or "").split(".")[0]
        hint = f": pip install '{DRIVERS[module]}'" if module in DRIVERS else ""
        raise ConnectorError(
            f"sql source {shown}: the database driver {module or url.drivername} is not installed{hint}"
        ) from None
    if backend == "mysql":

        @event.listens_for(engine, "connect")
        def _read_only(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            cursor.close()

    return engine, shown


def _sqlite_engine(url: Any, settings: SqlOptions, base_dir: Path) -> Any:
    from sqlalchemy import create_engine

    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise ConnectorError("sql source: give the SQLite database as a file path, e.g. sqlite:///records/qms.db")
    path = Path(database).expanduser()
    path = path if path.is_absolute() else base_dir / path
    if not path.is_file():
        shown = url.render_as_string(hide_password=True)
        raise ConnectorError(f"sql source {shown}: SQLite file {path} does not exist")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(uri, uri=True, timeout=settings.timeout, check_same_thread=False)
        connection.execute("PRAGMA query_only = ON")
        return connection

    return create_engine("sqlite://", creator=connect)
