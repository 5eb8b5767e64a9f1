"""``qmscheck.toml``: the organisation, its evidence sources, classification overrides and scan options."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qmscheck.config.tomlfile import json_path, read_toml
from qmscheck.errors import ConfigError
from qmscheck.model.evidence import TYPE_NAME, Organisation

CONFIG_NAME = "qmscheck.toml"


class SourceConfig(BaseModel):
    """One ``[[sources]]`` table. Options other than ``connector`` belong to the connector."""

    model_config = ConfigDict(extra="allow")

    connector: str
    name: str | None = None

    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class ClassifyOverride(BaseModel):
    """A ``[[classify]]`` table: files matching ``pattern`` (a glob on the path inside the source) are ``type``."""

    model_config = ConfigDict(extra="forbid")

    pattern: str
    type: str = Field(pattern=TYPE_NAME)
    kind: Literal["document", "record"] | None = None
    sheet: str | None = None


class ScanOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date | None = None
    stage: Literal[1, 2] | None = None
    edition: Literal["2015", "2026"] | None = None
    fail_on: Literal["major", "minor", "observation", "never"] | None = None


class ScanConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: Organisation = Field(default_factory=Organisation)
    scan: ScanOptions = Field(default_factory=ScanOptions)
    sources: list[SourceConfig] = Field(default_factory=list)
    classify: list[ClassifyOverride] = Field(default_factory=list)
    base_dir: Path = Field(default=Path("."), exclude=True)

    def resolve(self, path: str) -> Path:
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else (self.base_dir / candidate)


def load_config(target: Path) -> ScanConfig:
    """A folder with a ``qmscheck.toml`` uses it; a bare folder is scanned as one file share; a file is the config."""
    if target.is_dir():
        config_file = target / CONFIG_NAME
        if not config_file.is_file():
            return ScanConfig(
                organisation=Organisation(name=target.resolve().name),
                sources=[SourceConfig.model_validate({"connector": "filesystem", "path": "."})],
                base_dir=target,
            )
        target = config_file
    if not target.is_file():
        raise ConfigError(f"{target}: no such file or folder")
    data = read_toml(target, ConfigError)
    try:
        config = ScanConfig.model_validate(data)
    except ValidationError as exc:
        problems = [f"{target}: {json_path(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems)) from None
    config.base_dir = target.parent
    if not config.sources:
        raise ConfigError(f"{target}: no [[sources]] to scan")
    return config
