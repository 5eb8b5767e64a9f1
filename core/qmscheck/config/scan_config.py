"""``qmscheck.toml``: the organisation, its evidence sources, classification overrides and scan options.

Every value is checked when the file is read, so a typo is an error naming the file, the key
path and the closest allowed value, never a scan that quietly runs fewer rules.

A file qmscheck finds by itself (the scanned folder's own, or the nearest above it) may lie inside
evidence someone else wrote, so it is not trusted: its settings apply, its powers do not (reading
outside its folder, remote shares, secrets from the environment, fsspec protocol chains, other
connectors). A file the user names (TARGET, ``--config``) or trusts (``--trust-config``) has them
all. docs/security.md states the threat model; :func:`load_config` applies it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from qmscheck.config.choices import AS_OF_EARLIEST, AS_OF_LATEST, Edition, FailOn, Stage
from qmscheck.config.tomlfile import did_you_mean, key_path, read_toml, shown, validation_problems
from qmscheck.errors import ConfigError, QmscheckError
from qmscheck.i18n import SOURCE_LANGUAGE, checked_language
from qmscheck.model.evidence import TYPE_NAME, KeptElsewhere, Organisation, Parameters

__all__ = [
    "CONFIG_NAME",
    "AuditAdjustment",
    "AuditConfig",
    "AuditSite",
    "ClassifyOverride",
    "FilesystemOptions",
    "OrganisationConfig",
    "ScanConfig",
    "ScanOptions",
    "SourceConfig",
    "StandardScope",
    "find_config",
    "load_config",
    "parse_size",
]

CONFIG_NAME = "qmscheck.toml"

_SIZE_UNITS = {"": 1, "B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3}
#: The largest size a limit may state (1 PiB): far above any file on a share, and within the 64-bit
#: integers the evidence index stores.
MAX_SIZE = 1024**5


def parse_size(value: object) -> int:
    """Bytes from 1000000, "50MB", "1.5 GiB"; ValueError for anything else, zero and sizes above
    :data:`MAX_SIZE` included."""
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    else:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?\s*", str(value)[:100], re.IGNORECASE)
        if not match or isinstance(value, bool):
            raise ValueError(f"{shown(value)} is not a size (e.g. 50MB, 1.5GiB or a number of bytes)")
        scaled = float(match.group(1)) * _SIZE_UNITS[(match.group(2) or "").upper()]
        size = int(scaled) if scaled <= MAX_SIZE else MAX_SIZE + 1
    if size <= 0:
        raise ValueError(f"{shown(value)} is not a size: it must be above 0 bytes")
    if size > MAX_SIZE:
        raise ValueError(f"{shown(value)} is too large a size: at most 1PiB")
    return size


Size = Annotated[int, BeforeValidator(parse_size)]

#: How a scan came to its configuration: named on the command line (TARGET or --config), the scanned
#: folder's own, the nearest above the scanned folder, or none (a bare folder).
FoundAs = Literal["named", "own", "above", "none"]


class SourceConfig(BaseModel):
    """One ``[[sources]]`` table. Options other than ``connector`` belong to the connector."""

    model_config = ConfigDict(extra="allow")

    connector: str
    name: str | None = None

    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


#: fsspec protocols that wrap another filesystem named in their options and keep files where the
#: options say (a cache folder anywhere, a zip read through another protocol): a chain, as ``::`` is.
_WRAPPING_PROTOCOLS = frozenset({"simplecache", "filecache", "blockcache", "cached", "dir", "reference"})


def is_protocol_chain(path: str) -> bool:
    """Whether ``path`` chains fsspec protocols (``simplecache::smb://...``) or names a wrapping one."""
    scheme = path.split("://", 1)[0].lower() if "://" in path else ""
    return "::" in path or scheme in _WRAPPING_PROTOCOLS


class FilesystemOptions(BaseModel):
    """The options of a ``filesystem`` source (see ``collecting.connectors.filesystem``), checked on reading."""

    model_config = ConfigDict(extra="forbid")

    path: str = "."
    max_file_size: Size | None = None
    storage_options: dict[str, Any] = Field(default_factory=dict)
    password_env: str | None = None
    retry: dict[str, float] | None = Field(
        None,
        description="How a remote source bridges a dropped connection: { attempts = 6, wait = 1, deadline = 120 } "
        "(tries in all; the first wait and the deadline in seconds, each wait twice the one before).",
    )
    known_hosts: str | list[str] | None = Field(
        None,
        description="sftp: the known_hosts file (or files) holding the server's host key, relative to the config's "
        "folder (default: ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts).",
    )
    insecure_skip_host_key_check: bool = Field(
        False,
        description="sftp: accept any host key, so an impostor server would receive the login; only in a trusted "
        "config, and only for a test server.",
    )
    allow_protocol_chain: bool = Field(
        False,
        description="Let path chain fsspec protocols (simplecache::smb://...), which write caches where their "
        "options say; only in a trusted config.",
    )

    @model_validator(mode="after")
    def _no_chain_unless_allowed(self) -> FilesystemOptions:
        if is_protocol_chain(self.path) and not self.allow_protocol_chain:
            raise ValueError(
                "path chains fsspec protocols (::, simplecache, filecache, ...), which write caches where their "
                "options say; set allow_protocol_chain = true in a trusted config to allow it"
            )
        return self


class OrganisationConfig(Organisation):
    """``[organisation]``: an edition outside :data:`EDITIONS` would select no rule at all."""

    edition: Edition = "2015"
    language: str = Field(
        SOURCE_LANGUAGE,
        description="The language of the reports: 'en', 'de' or 'es' (--lang overrides it; docs/i18n.md).",
    )

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        try:
            return checked_language(value)
        except QmscheckError as exc:
            raise ValueError(str(exc)) from None

    #: Set from the top-level ``[parameters]`` table, not inside ``[organisation]``.
    parameters: SkipJsonSchema[Parameters] = Field(default_factory=Parameters)
    #: Set from the top-level ``[[kept_elsewhere]]`` tables.
    kept_elsewhere: SkipJsonSchema[list[KeptElsewhere]] = Field(default_factory=list)


class ClassifyOverride(BaseModel):
    """A ``[[classify]]`` table: files matching ``pattern`` (a glob on the path inside the source) are ``type``."""

    model_config = ConfigDict(extra="forbid")

    pattern: str
    type: str = Field(pattern=TYPE_NAME)
    kind: Literal["document", "record"] | None = None
    sheet: str | None = None


class ScanOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date | None = Field(None, ge=AS_OF_EARLIEST, le=AS_OF_LATEST)
    stage: Stage | None = None
    edition: Edition | None = None
    fail_on: FailOn | None = None
    packs: list[str] | None = Field(
        None,
        description="The rule packs that apply, by name (their dependencies come with them); "
        "by default the base pack alone. Installed packs not named do nothing.",
    )
    select: list[str] = Field(
        default_factory=list,
        description="Run only these rules: rule ids, id prefixes ('SUP'), clauses ('8.4', 'iso13485:7.4') or tags.",
    )
    ignore: list[str] = Field(default_factory=list, description="Leave these rules out (as for select).")
    executor: Literal["local", "dask"] | None = Field(
        None,
        description="Where files are parsed and evidence summarised: local processes, or a Dask cluster "
        "(docs/scale-out.md). By default local.",
    )
    scheduler: str | None = Field(
        None,
        description="The Dask scheduler's address (tcp://host:8786), with executor = 'dask'; without it a local "
        "cluster is started. Only in a trusted config: the work, with the evidence paths, goes to that host.",
    )


class AuditSite(BaseModel):
    """An ``[[audit.sites]]`` table: what audit planning needs of a site and the scan cannot see."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    personnel: int = Field(ge=1, description="Effective personnel in scope, all shifts, part-timers as FTE.")
    shifts: int = Field(1, ge=1)
    processes: list[str] = Field(
        default_factory=list, description="The processes run at the site; empty: all of the organisation's."
    )
    central: bool = Field(False, description="The central function, audited at every audit (IAF MD 1).")


class AuditAdjustment(BaseModel):
    """A change to the audit time the certification body may apply, with its reason (IAF MD 5)."""

    model_config = ConfigDict(extra="forbid")

    percent: float = Field(ge=-100, le=100, description="Negative reduces the time, positive adds to it.")
    reason: str = Field(min_length=1)


class AuditConfig(BaseModel):
    """``[audit]``: the inputs of ``qmscheck plan`` (audit time, multi-site sample, Stage 2 agenda)."""

    model_config = ConfigDict(extra="forbid")

    complexity: Literal["high", "medium", "low", "limited"] = "medium"
    sites: list[AuditSite] = Field(default_factory=list)
    adjustments: list[AuditAdjustment] = Field(default_factory=list)
    stage1_days: float | None = Field(None, gt=0, description="Stage 1's share of the initial audit days.")
    seed: str = Field(
        "",
        description="Draws the random share of the multi-site sample reproducibly; by default the organisation's name.",
    )


class ScanConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: OrganisationConfig = Field(default_factory=OrganisationConfig)
    #: The organisation's own frequencies and deadlines; the check stage reads them on the organisation.
    parameters: Parameters = Field(default_factory=Parameters)
    #: Kinds of record kept outside the scanned sources: rules needing them become checks on site.
    kept_elsewhere: list[KeptElsewhere] = Field(default_factory=list)
    scan: ScanOptions = Field(default_factory=ScanOptions)
    sources: list[SourceConfig] = Field(default_factory=list)
    classify: list[ClassifyOverride] = Field(default_factory=list)
    audit: AuditConfig = Field(default_factory=AuditConfig)
    # Where the file is, not what it says: no key of the file sets these (see _LOCATION_KEYS).
    base_dir: SkipJsonSchema[Path] = Field(default=Path("."), exclude=True)
    #: The ``qmscheck.toml`` read, named by every error about a value in it (None for a bare folder).
    file: SkipJsonSchema[Path | None] = Field(default=None, exclude=True)
    #: How the file was come to (:data:`FoundAs`), and whether its powers apply (:func:`load_config`).
    found_as: SkipJsonSchema[FoundAs] = Field(default="none", exclude=True)
    trusted: SkipJsonSchema[bool] = Field(default=False, exclude=True)

    @model_validator(mode="after")
    def _parameters_of_the_organisation(self) -> ScanConfig:
        # The check stage is given the organisation alone: its parameters travel with it.
        if "parameters" in self.model_fields_set:
            self.organisation.parameters = self.parameters
        if "kept_elsewhere" in self.model_fields_set:
            self.organisation.kept_elsewhere = self.kept_elsewhere
        return self

    def resolve(self, path: str) -> Path:
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else (self.base_dir / candidate)

    def check_connectors(self, known: Iterable[str]) -> None:
        """Every source names a connector a plugin registered; checked once the plugins are loaded."""
        names = sorted(known)
        problems = [
            (
                key_path(["sources", number, "connector"]),
                f"unknown connector {source.connector!r} (known: {', '.join(names)})"
                + did_you_mean(source.connector, names),
            )
            for number, source in enumerate(self.sources)
            if source.connector not in names
        ]
        if problems:
            raise _invalid(self.file or self.base_dir, problems)
        if not self.trusted and self.file is not None:
            # A connector other than the folders' reaches where its options say: a power (load_config).
            others = [
                (number, source) for number, source in enumerate(self.sources) if source.connector != "filesystem"
            ]
            _refuse_powers(
                self,
                [(key_path(["sources", n, "connector"]), f"use the {s.connector!r} connector") for n, s in others],
            )

    def check_exclusions(self, standards: Sequence[StandardScope]) -> None:
        """Every ``[[organisation.exclusions]]`` names a clause of a selected standard that its pack lets
        an organisation declare not applicable; checked once the packs are selected, before evidence is
        read. ``standards``: the standard an unqualified clause belongs to first."""
        if not standards:
            return
        by_id = {standard.id: standard for standard in standards}
        problems = []
        for number, exclusion in enumerate(self.organisation.exclusions):
            where = key_path(["organisation", "exclusions", number])
            standard = by_id.get(exclusion.standard or standards[0].id)
            if standard is None:
                problems.append(
                    (
                        f"{where}.standard",
                        f"{exclusion.standard!r} is not a standard of the selected packs ({', '.join(by_id)})"
                        + did_you_mean(exclusion.standard, by_id),
                    )
                )
            elif standard.clauses and exclusion.clause not in standard.clauses:
                problems.append(
                    (
                        f"{where}.clause",
                        f"{exclusion.clause!r} is not a clause of {standard.name}"
                        + did_you_mean(exclusion.clause, standard.excludable or standard.clauses),
                    )
                )
            elif not any(_under(exclusion.clause, allowed) for allowed in standard.excludable):
                problems.append(
                    (
                        f"{where}.clause",
                        f"{standard.name} clause {exclusion.clause} cannot be declared not applicable (only "
                        f"{', '.join(standard.excludable) or 'none'} and the clauses below them can be, when they "
                        "do not apply)",
                    )
                )
        if problems:
            raise _invalid(self.file or self.base_dir, problems)


class StandardScope(NamedTuple):
    """What one selected standard lets ``[[organisation.exclusions]]`` name (from its pack manifest)."""

    id: str
    name: str
    #: The clauses it lets an organisation declare not applicable (those below them too).
    excludable: tuple[str, ...]
    #: Its clause tree; empty when the pack states none.
    clauses: frozenset[str]


def _under(clause: str, above: str) -> bool:
    return clause == above or clause.startswith(above + ".")


#: Fields of :class:`ScanConfig` that load_config sets from where the file is and how it was found.
_LOCATION_KEYS = frozenset({"base_dir", "file", "found_as", "trusted"})


def _invalid(where: Path, problems: list[tuple[str, str]]) -> ConfigError:
    lines = [f"{where}: {path}: {message}" for path, message in problems]
    return ConfigError("invalid configuration:\n  " + "\n  ".join(lines))


def _source_problems(sources: object) -> list[tuple[str, str]]:
    """What is wrong with the options of each filesystem source, a connector qmscheck itself ships."""
    problems: list[tuple[str, str]] = []
    for number, source in enumerate(sources if isinstance(sources, list) else []):
        if isinstance(source, dict) and source.get("connector") == "filesystem":
            options = {key: value for key, value in source.items() if key not in SourceConfig.model_fields}
            try:
                FilesystemOptions.model_validate(options)
            except ValidationError as exc:
                problems += validation_problems(exc, FilesystemOptions, prefix=["sources", number])
    return problems


def load_config(target: Path, config_file: Path | None = None, *, trust: bool = False) -> ScanConfig:
    """The configuration a scan of ``target`` (a folder or a ``qmscheck.toml``) runs with.

    A config file scans its sources, and so does a folder holding a ``qmscheck.toml``. Any other
    folder is scanned with ``config_file`` (``--config``), else with the nearest ``qmscheck.toml``
    above it (as ruff finds its settings): the organisation, scope and options are that file's,
    the evidence is the folder's alone (:func:`_used_sources`). With neither, the folder is one file share.

    A file named (``target`` itself, or ``config_file``) is trusted, and so is any with ``trust``
    (``--trust-config``). A file found is not: a source that needs a power it lacks is an error
    naming the key and how to trust the file (:func:`_powers_problems`).
    """
    if target.is_file():
        if config_file is not None:
            raise ConfigError(f"{target} is a config file already: give either it or --config, not both")
        if target.suffix.lower() != ".toml":
            raise ConfigError(
                f"{target} is a file: TARGET must be a folder of evidence or a {CONFIG_NAME} "
                "(to check one document, scan the folder holding it)"
            )
        return _trusted(_read_config(target), "named", True)
    if not target.is_dir():
        raise ConfigError(f"{target}: no such file or folder")
    if config_file is None and (target / CONFIG_NAME).is_file():
        return _trusted(_read_config(target / CONFIG_NAME), "own", trust)
    found_as: FoundAs = "named" if config_file is not None else "above"
    config_file = config_file or find_config(target)
    if config_file is None:
        return ScanConfig(
            organisation=OrganisationConfig(name=target.resolve().name),
            sources=[SourceConfig.model_validate({"connector": "filesystem", "path": "."})],
            base_dir=target,
        )
    if not config_file.is_file():
        raise ConfigError(f"{config_file}: no such config file")
    config = _read_config(config_file)
    used = _used_sources(config, target)
    _trusted(config, found_as, trust or found_as == "named", used)
    kept = [source for _, source in used] or [
        SourceConfig.model_validate({"connector": "filesystem", "path": str(target.resolve())})
    ]
    return config.model_copy(update={"sources": kept})


def find_config(folder: Path) -> Path | None:
    """The ``qmscheck.toml`` of the nearest folder above ``folder``, if any."""
    for parent in folder.resolve().parents:
        if (parent / CONFIG_NAME).is_file():
            return parent / CONFIG_NAME
    return None


def _used_sources(config: ScanConfig, folder: Path) -> list[tuple[int, SourceConfig]]:
    """The sources of ``config`` that hold evidence under ``folder``, numbered as in the file.

    A folder source holding ``folder`` is narrowed to it (unchanged if it is that folder, so the
    findings are those of a scan of the whole config); folder sources inside ``folder`` are kept
    whole; other sources (other folders, remote shares, other connectors) are left out. When none
    is there, the caller scans ``folder`` as one file share with the config's settings.
    """
    wanted = folder.resolve()
    if wanted == config.base_dir.resolve():
        return list(enumerate(config.sources))
    kept: list[tuple[int, SourceConfig]] = []
    for number, source in enumerate(config.sources):
        path = str(source.options().get("path", "."))
        if source.connector != "filesystem" or "://" in path or "::" in path:
            continue
        root = config.resolve(path).resolve()
        if root == wanted or root.is_relative_to(wanted):
            kept.append((number, source))
        elif wanted.is_relative_to(root):
            narrowed = (Path(path) / wanted.relative_to(root)).as_posix()
            fields = {**source.options(), "connector": source.connector, "name": source.name, "path": narrowed}
            kept.append((number, SourceConfig.model_validate(fields)))
    return kept


def _trusted(
    config: ScanConfig, found_as: FoundAs, trusted: bool, used: list[tuple[int, SourceConfig]] | None = None
) -> ScanConfig:
    """``config`` marked with how it was found and whether it is trusted; an untrusted one whose
    sources (``used``, by default all) need a power is refused before anything is read or reached."""
    config.found_as, config.trusted = found_as, trusted
    if not trusted:
        _refuse_powers(config, _powers_problems(config, list(enumerate(config.sources)) if used is None else used))
    return config


def _refuse_powers(config: ScanConfig, problems: list[tuple[str, str]]) -> None:
    """An error naming what an untrusted ``config`` asks for and how to trust it, if it asks for anything."""
    if not problems:
        return
    where = "in the scanned folder" if config.found_as == "own" else "above the scanned folder"
    lines = [f"{key}: {message}" for key, message in problems]
    raise ConfigError(
        f"{config.file}: this qmscheck.toml was found {where}, not named, so it is not trusted: its "
        "settings apply, but it may not\n  "
        + "\n  ".join(lines)
        + f"\nIf you trust it, name it (`qmscheck scan {config.file}` or --config {config.file}) "
        "or add --trust-config (docs/security.md)."
    )


def _powers_problems(config: ScanConfig, sources: list[tuple[int, SourceConfig]]) -> list[tuple[str, str]]:
    """What each source asks of an untrusted config that only a trusted one may do."""
    home = config.base_dir.resolve()
    problems: list[tuple[str, str]] = []
    if config.scan.scheduler is not None:
        problems.append(
            ("scan.scheduler", "send the scan's work, with its evidence paths, to the Dask scheduler it names")
        )
    for number, source in sources:
        options = source.options()
        if source.connector != "filesystem":
            continue  # check_connectors refuses it, once an unknown name can be told from one it lacks the power for
        path = str(options.get("path", "."))
        if is_protocol_chain(path):
            problems.append((key_path(["sources", number, "path"]), "chain fsspec protocols"))
        elif "://" in path and not path.startswith("file://"):
            problems.append((key_path(["sources", number, "path"]), "read a remote share (a host the file names)"))
        else:
            root = config.resolve(path.removeprefix("file://")).resolve()
            if not (root == home or root.is_relative_to(home)):
                problems.append(
                    (
                        key_path(["sources", number, "path"]),
                        f"read {path!r}, which leads outside its folder (to {root})",
                    )
                )
        if options.get("password_env"):
            problems.append(
                (
                    key_path(["sources", number, "password_env"]),
                    f"read the environment variable {options['password_env']} as a password",
                )
            )
        if options.get("storage_options"):
            problems.append(
                (
                    key_path(["sources", number, "storage_options"]),
                    "pass connection options (hosts, keys, credentials, cache folders)",
                )
            )
    return problems


def _read_config(target: Path) -> ScanConfig:
    data = read_toml(target, ConfigError)
    problems = _source_problems(data.get("sources"))
    for key in sorted(_LOCATION_KEYS & data.keys()):
        known = ", ".join(sorted(ScanConfig.model_json_schema()["properties"]))
        problems.append((key, f"unknown key (known: {known})"))
        del data[key]
    try:
        config = ScanConfig.model_validate(data)
    except ValidationError as exc:
        raise _invalid(target, validation_problems(exc, ScanConfig) + problems) from None
    if problems:
        raise _invalid(target, problems)
    config.base_dir = target.parent
    config.file = target
    if not config.sources:
        raise ConfigError(f"{target}: no [[sources]] to scan")
    return config
