"""qmscheck-sql: ISO 9001 evidence from any SQL database, through queries written in the config.

Use it
======
``pip install qmscheck-sql`` (add ``[postgres]`` for PostgreSQL) and describe each query::

    [[sources]]
    connector = "sql"
    url_env = "QMS_DB_URL"               # the URL (with its password) stays in the environment
    # url = "sqlite:///records/qms.db"   # or a URL without secrets, relative to qmscheck.toml

    [[sources.queries]]
    name = "complaints"                  # locator: <url> complaints/<id>
    type = "complaint"                   # an evidence type the rule packs know
    sql = "SELECT ref, received, closed, state FROM complaints"
    fields = { ref = "id", received = "issued", closed = "completed", state = "status" }

``fields`` maps result columns to evidence fields; the column mapped to ``id`` is the
record id. Date and timestamp columns (and ISO ``YYYY-MM-DD`` text) become dates. Only
``SELECT``/``WITH`` statements are run, inside a transaction that is never committed
and, on SQLite and PostgreSQL, read-only at the database.

The plugin registers the ``sql`` connector through the ``qmscheck`` entry point
``sql = "qmscheck_sql.plugin"``; see ``docs/connectors.md`` for writing your own.
"""

from __future__ import annotations

__version__ = "0.1.0"
