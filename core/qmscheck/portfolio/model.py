"""The portfolio file: the organisations scanned side by side, each with its next audit.

Read as ``qmscheck.toml`` is (:mod:`qmscheck.config.tomlfile`): every value is checked when the
file is read, and an error names the file, the key path and the closest allowed key or value.
Paths are relative to the portfolio file. A ``config`` it names is trusted as a config named on the
command line is: naming it in a portfolio file the user gives is naming it (docs/portfolio.md). A
``source`` folder is scanned as ``qmscheck scan FOLDER`` scans it, a qmscheck.toml found in or above
it untrusted.

The JSON Schema is published as ``docs/portfolio.schema.json``; regenerate it after changing the
model::

    python -m qmscheck.portfolio.model > docs/portfolio.schema.json
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.json_schema import SkipJsonSchema

from qmscheck.config.choices import AS_OF_EARLIEST, AS_OF_LATEST, Edition, Stage
from qmscheck.config.tomlfile import did_you_mean, read_toml, validation_problems
from qmscheck.errors import ConfigError

__all__ = [
    "AT_RISK_DAYS",
    "AuditKind",
    "NextAudit",
    "OrganisationEntry",
    "PortfolioFile",
    "PortfolioSettings",
    "load_portfolio",
    "portfolio_schema",
    "slug_of",
]

#: How many days before an audit an organisation that is not ready is *at risk* (docs/portfolio.md):
#: a planning horizon of this tool, not a requirement of ISO 9001 or ISO/IEC 17021-1.
AT_RISK_DAYS = 60

#: The audits of a certification cycle: the initial audit (stage 1, then stage 2), a surveillance
#: audit in each year between, and the recertification audit before the certificate expires.
AuditKind = Literal["initial", "surveillance", "recertification"]

Day = date  # a TOML date (2026-04-20), or a string of one


class NextAudit(BaseModel):
    """``next_audit = { date = 2026-04-20, stage = 2, kind = "surveillance" }``."""

    model_config = ConfigDict(extra="forbid")

    date: Day = Field(description="The first day of the audit.")
    stage: Stage = Field(
        2,
        description="1: readiness and documentation review; 2: implementation. Surveillance audits are judged "
        "as stage 2; a recertification has a stage 1 only after significant change.",
    )
    kind: AuditKind = Field("initial", description="initial, surveillance or recertification.")

    @model_validator(mode="after")
    def _surveillance_has_no_stage_1(self) -> NextAudit:
        if self.kind == "surveillance" and self.stage == 1:
            raise ValueError("a surveillance audit has no stage 1: it audits implementation (stage = 2)")
        return self


class OrganisationEntry(BaseModel):
    """One ``[[organisations]]`` table: an organisation, where its evidence is, and its next audit."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="The organisation as the portfolio report names it.")
    config: str | None = Field(
        None,
        description="Its qmscheck.toml, relative to the portfolio file; trusted, as a config named on the "
        "command line is. Give either config or source.",
    )
    source: str | None = Field(
        None,
        description="A folder of its evidence, relative to the portfolio file, scanned as `qmscheck scan FOLDER` "
        "scans it. Give either config or source.",
    )
    next_audit: NextAudit | None = Field(None, description="The next audit: its date, stage and kind.")
    packs: list[str] | None = Field(
        None, description="The rule packs that apply (as --pack). Default: standard's packs, else the config's."
    )
    standard: str | None = Field(
        None,
        description="The standard audited against, by the id its packs declare ('iso9001', 'iso13485'): selects "
        "the installed packs of that standard when packs is not given.",
    )
    edition: Edition | None = Field(None, description="The ISO 9001 edition (as --edition).")
    as_of: Day | None = Field(None, description="Judge this organisation as of this day. Default: [portfolio] as_of.")
    decisions: str | None = Field(
        None,
        description="Its decisions file, relative to the portfolio file. Default: qmscheck.decisions.toml beside "
        "its qmscheck.toml, if there is one.",
    )

    @model_validator(mode="after")
    def _config_or_source(self) -> OrganisationEntry:
        if (self.config is None) == (self.source is None):
            raise ValueError("give either config (its qmscheck.toml) or source (a folder of its evidence), not both")
        if self.as_of is not None:
            _check_day(self.as_of)
        return self


class PortfolioSettings(BaseModel):
    """``[portfolio]``: the portfolio's name and what applies to every organisation."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="The portfolio: a group, or an audit round.")
    as_of: Day | None = Field(
        None,
        description="Judge every organisation as of this day (as --as-of), and count the days to its audit from it. "
        "Default: each organisation's [scan] as_of, else today.",
    )
    at_risk_days: int = Field(
        AT_RISK_DAYS,
        ge=0,
        le=3660,
        description="An organisation whose next audit is this many days away or fewer, and whose readiness for "
        "that audit's stage is 'not ready' or not established, is at risk.",
    )

    @model_validator(mode="after")
    def _day(self) -> PortfolioSettings:
        if self.as_of is not None:
            _check_day(self.as_of)
        return self


def _check_day(day: date) -> None:
    if not AS_OF_EARLIEST <= day <= AS_OF_LATEST:
        raise ValueError(
            f"as_of {day} is outside the days a scan can be judged as of ({AS_OF_EARLIEST} to {AS_OF_LATEST})"
        )


class PortfolioFile(BaseModel):
    """A portfolio file: ``[portfolio]`` and one ``[[organisations]]`` table per organisation."""

    model_config = ConfigDict(extra="forbid")

    portfolio: PortfolioSettings
    organisations: list[OrganisationEntry] = Field(min_length=1)
    # Where the file is, not what it says.
    file: SkipJsonSchema[Path] = Field(default=Path("portfolio.toml"), exclude=True)

    def resolve(self, path: str) -> Path:
        """A path of the file, relative to the file's folder."""
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else self.file.parent / candidate

    def slugs(self) -> list[str]:
        """Each organisation's folder under the output directory, in the file's order."""
        return [slug_of(entry.name, number) for number, entry in enumerate(self.organisations)]

    def check_packs(self, packs: Iterable[tuple[str, str]]) -> None:
        """Every pack and standard named is installed; ``packs``: (name, standard id) of each installed
        pack. Checked once the plugins are loaded, before any organisation is scanned."""
        installed = dict(packs)
        standards = sorted(set(installed.values()))
        problems = []
        for number, entry in enumerate(self.organisations):
            for place, name in enumerate(entry.packs or []):
                if name not in installed:
                    problems.append(
                        (
                            f"organisations[{number}].packs[{place}]",
                            f"no installed rule pack {name!r} (installed: {', '.join(sorted(installed))})"
                            + did_you_mean(name, installed),
                        )
                    )
            if entry.standard is not None and entry.standard not in standards:
                problems.append(
                    (
                        f"organisations[{number}].standard",
                        f"no installed rule pack is of standard {entry.standard!r} (installed: {', '.join(standards)})"
                        + did_you_mean(entry.standard, standards),
                    )
                )
        if problems:
            raise _invalid(self.file, problems)


def slug_of(name: str, number: int) -> str:
    """A folder name for an organisation: its name in lower-case ASCII letters, digits and hyphens
    ('Drehteile Kessler GmbH' -> 'drehteile-kessler-gmbh'); 'organisation-N' for a name with none."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return slug or f"organisation-{number + 1}"


def _invalid(where: Path, problems: list[tuple[str, str]]) -> ConfigError:
    lines = [f"{where}: {path}: {message}" for path, message in problems]
    return ConfigError("invalid portfolio file:\n  " + "\n  ".join(lines))


def load_portfolio(path: Path) -> PortfolioFile:
    """The portfolio file at ``path``, checked whole: a :class:`ConfigError` names every problem with
    its key path. Whether each organisation's config or folder can be read is checked when it is
    scanned: one that cannot fails alone (:mod:`qmscheck.portfolio.run`)."""
    data = read_toml(path, ConfigError)
    # ``file`` is where the file is, not a key of it.
    planted = [("file", "unknown key (known: organisations, portfolio)")] if "file" in data else []
    try:
        portfolio = PortfolioFile.model_validate({key: value for key, value in data.items() if key != "file"})
    except ValidationError as exc:
        raise _invalid(path, validation_problems(exc, PortfolioFile) + planted) from None
    if planted:
        raise _invalid(path, planted)
    portfolio.file = path
    problems = _clashes(portfolio)
    if problems:
        raise _invalid(path, problems)
    return portfolio


def _clashes(portfolio: PortfolioFile) -> list[tuple[str, str]]:
    """Two organisations must not share a name, an output folder or a target: each scan has its own
    reports, index and decisions, and two scans of one target at once would share its index."""
    problems: list[tuple[str, str]] = []
    names: dict[str, int] = {}
    slugs: dict[str, int] = {}
    targets: dict[Path, int] = {}
    for number, (entry, slug) in enumerate(zip(portfolio.organisations, portfolio.slugs(), strict=True)):
        where = f"organisations[{number}]"
        if entry.name.casefold() in names:
            problems.append(
                (f"{where}.name", f"{entry.name!r} names organisations[{names[entry.name.casefold()]}] too")
            )
        elif slug in slugs:
            problems.append(
                (
                    f"{where}.name",
                    f"{entry.name!r} would be reported in the folder {slug!r}, as organisations[{slugs[slug]}] is",
                )
            )
        names.setdefault(entry.name.casefold(), number)
        slugs.setdefault(slug, number)
        key = "config" if entry.config is not None else "source"
        target = portfolio.resolve(entry.config or entry.source or ".").resolve()
        if target in targets:
            problems.append((f"{where}.{key}", f"{target} is scanned for organisations[{targets[target]}] already"))
        targets.setdefault(target, number)
    return problems


def portfolio_schema() -> dict[str, Any]:
    """The JSON Schema of the portfolio file, for editors that check TOML against one."""
    schema = PortfolioFile.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://qmscheck.invalid/schema/qmscheck-portfolio-v1.json"
    schema["title"] = "qmscheck portfolio file"
    schema["description"] = (
        "The organisations `qmscheck portfolio` scans side by side, each with its qmscheck.toml or folder of "
        "evidence and its next audit (docs/portfolio.md)."
    )
    schema["properties"]["portfolio"]["description"] = "The portfolio's name and what applies to every organisation."
    schema["properties"]["organisations"]["description"] = "One table per organisation."
    return schema


if __name__ == "__main__":  # python -m qmscheck.portfolio.model > docs/portfolio.schema.json
    sys.stdout.write(json.dumps(portfolio_schema(), indent=2, sort_keys=True) + "\n")
