"""The options of a ``connector = "sql"`` source and its ``[[sources.queries]]``."""

from __future__ import annotations

import os
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from qmscheck.api import ConnectorError

FIELD_NAME = r"^[a-z][a-z0-9_]*$"
#: Evidence fields a column may not be mapped to: they are set by the connector.
RESERVED_FIELDS = frozenset({"kind", "type"})
_LEADING_COMMENTS = re.compile(r"^(\s+|--[^\n]*(\n|$)|/\*.*?\*/)*", re.DOTALL)


def statement_problem(sql: str) -> str | None:
    """Why a statement may not be run by a read-only connector, or None."""
    body = _LEADING_COMMENTS.sub("", sql).strip().rstrip(";").strip()
    first = body.split(None, 1)[0].lower() if body else ""
    if first not in ("select", "with"):
        return "only SELECT or WITH queries are run (the connector never writes)"
    if ";" in re.sub(r"'(?:[^']|'')*'", "", body):
        return "one statement per query"
    return None


class Query(BaseModel):
    """One ``[[sources.queries]]`` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]+$", description="Shown in locators: <name>/<id>.")
    type: str = Field(pattern=FIELD_NAME, description="Evidence type of every row.")
    kind: Literal["document", "record"] | None = None
    sql: str = Field(min_length=1)
    fields: dict[str, str] = Field(description="Result column -> evidence field; one column maps to 'id'.")

    @field_validator("sql")
    @classmethod
    def _read_only(cls, value: str) -> str:
        problem = statement_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: dict[str, str]) -> dict[str, str]:
        targets = list(value.values())
        if targets.count("id") != 1:
            raise ValueError("map exactly one column to 'id' (the record id used in locators)")
        for column, target in value.items():
            if not re.match(FIELD_NAME, target):
                raise ValueError(f"column {column!r}: {target!r} is not a field name (lower case, digits, _)")
            if target in RESERVED_FIELDS:
                raise ValueError(f"column {column!r}: field {target!r} is set by the connector")
        duplicates = sorted({t for t in targets if targets.count(t) > 1})
        if duplicates:
            raise ValueError(f"several columns map to {', '.join(duplicates)}")
        return value

    @property
    def label(self) -> str:
        return self.name or self.type

    @property
    def id_column(self) -> str:
        return next(column for column, target in self.fields.items() if target == "id")


class SqlOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str | None = Field(None, description="SQLAlchemy URL; a relative SQLite path is relative to qmscheck.toml.")
    url_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    queries: list[Query] = Field(min_length=1)
    timeout: float = Field(30.0, gt=0, le=3600, description="Seconds for connecting and for each query.")

    @model_validator(mode="after")
    def _one_url_and_unique_names(self) -> SqlOptions:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give exactly one of 'url' or 'url_env'")
        labels = [query.label for query in self.queries]
        duplicates = sorted({label for label in labels if labels.count(label) > 1})
        if duplicates:
            raise ValueError(f"query names must be unique (give each a 'name'): {', '.join(duplicates)}")
        return self

    def resolved_url(self) -> str:
        if self.url is not None:
            return self.url
        assert self.url_env is not None
        value = os.environ.get(self.url_env)
        if not value:
            raise ConnectorError(f"sql source: environment variable {self.url_env} (url_env) is not set")
        return value


def parse_options(options: dict[str, Any]) -> SqlOptions:
    try:
        return SqlOptions.model_validate(options)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "options"
            problems.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
        raise ConnectorError("sql source: invalid options in [[sources]]:\n  " + "\n  ".join(problems)) from None
