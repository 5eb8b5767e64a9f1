"""The options of a ``connector = "tryton"`` source, checked before anything is read."""

from __future__ import annotations

import os
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from qmscheck.api import PERIOD_PATTERN, ConnectorError, Period

Dataset = Literal["suppliers", "purchases", "inspections", "complaints"]
ALL_DATASETS: tuple[Dataset, ...] = ("suppliers", "purchases", "inspections", "complaints")

#: Tryton modules each dataset reads from.
MODULES: dict[Dataset, tuple[str, ...]] = {
    "suppliers": ("party", "purchase"),
    "purchases": ("purchase",),
    "inspections": ("quality",),
    "complaints": ("sale_complaint",),
}


class TrytonOptions(BaseModel):
    """``[[sources]]`` options. Unknown keys are refused so that a typo never goes unnoticed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(description="The server, e.g. https://erp.example.com/ - without user or password.")
    database: str = Field(min_length=1)
    user: str = Field(min_length=1)
    password_env: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="Name of the environment variable holding the password.",
    )
    collect: tuple[Dataset, ...] = Field(ALL_DATASETS, min_length=1)
    approved_category: str = Field(
        "Approved supplier", min_length=1, description="Party category that puts a supplier on the approved list."
    )
    evaluation_control: str = Field(
        "Supplier evaluation",
        min_length=1,
        description="Quality control whose inspections are supplier evaluations (reference = party code or name).",
    )
    approval_validity: str = Field("P12M", pattern=PERIOD_PATTERN, description="How long a passed evaluation lasts.")
    timeout: float = Field(30.0, gt=0, le=600, description="Seconds to wait for each answer of the server.")

    @field_validator("url")
    @classmethod
    def _plain_http_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL of the Tryton server")
        if parts.username or parts.password:
            raise ValueError("must not contain a user or password: use 'user' and 'password_env'")
        if parts.query or parts.fragment:
            raise ValueError("must not have a query or fragment")
        try:
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError as exc:
            raise ValueError(f"has a bad port: {exc}") from None
        return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/", "", ""))

    @field_validator("approval_validity")
    @classmethod
    def _period(cls, value: str) -> str:
        Period.parse(value)
        return value

    @property
    def server(self) -> str:
        """Where the records live, for locators and the report: the server URL and the database."""
        return f"{self.url}{self.database}"

    @property
    def validity(self) -> Period:
        return Period.parse(self.approval_validity)

    def modules(self) -> tuple[str, ...]:
        return tuple(sorted({module for dataset in self.collect for module in MODULES[dataset]}))

    def password(self) -> str:
        value = os.environ.get(self.password_env)
        if value is None:
            raise ConnectorError(
                f"tryton source {self.server}: environment variable {self.password_env} (password_env) is not set; "
                "export the password of user "
                f"'{self.user}' in it"
            )
        return value


def parse_options(options: dict[str, Any]) -> TrytonOptions:
    """Validate the options of a source; every problem is named in one ConnectorError."""
    try:
        return TrytonOptions.model_validate(options)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "options"
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{where}: {message}")
        raise ConnectorError("tryton source: invalid options in [[sources]]:\n  " + "\n  ".join(problems)) from None
