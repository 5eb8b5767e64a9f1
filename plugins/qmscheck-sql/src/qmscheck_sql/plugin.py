"""The hook implementation qmscheck finds through the ``qmscheck`` entry point ``sql``.

SQLAlchemy is imported only when a scan reads a ``connector = "sql"`` source.
"""

from __future__ import annotations

from collections.abc import Callable

from qmscheck.api import Connector, hookimpl

from qmscheck_sql.connector import SqlConnector


@hookimpl
def qmscheck_register_connectors(register: Callable[[Connector], None]) -> None:
    register(SqlConnector())
