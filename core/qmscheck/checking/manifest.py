"""A rule pack's manifest (``pack.toml``): the pack, the standard its rules belong to, that
standard's clause tree, what it lets an organisation exclude, the evidence types it adds, the packs
it builds on and the changes it makes to their rules (overlays).

The manifest is data, so a pack is data: rules, cases, vocabulary and crosswalk are files the
manifest names, relative to its folder. The base ISO 9001 pack has one too
(``rules/iso9001/pack.toml``). Every problem names the file and the key path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from qmscheck.config.tomlfile import read_toml, validation_problems
from qmscheck.errors import RulePackError
from qmscheck.model.evidence import Kind

__all__ = [
    "CLAUSE_NUMBER",
    "Crosswalk",
    "CrosswalkEntry",
    "Dependency",
    "EvidenceTypeDeclaration",
    "Exclusion",
    "Overlay",
    "PackManifest",
    "PackSection",
    "Standard",
    "clause_parents",
    "load_crosswalk",
    "load_manifest",
]

_STRICT = ConfigDict(extra="forbid", frozen=True)
NAME = r"^[a-z][a-z0-9_-]*$"
#: A clause number of any depth: IATF 16949 has 7.1.5.1.1.
CLAUSE_NUMBER = r"^\d+(\.\d+)*$"
Clause = Annotated[str, Field(pattern=CLAUSE_NUMBER)]

#: The rule keys an overlay may set: texts and the grade policy, never the id, clause or check kind.
OVERLAY_KEYS = (
    "title",
    "requirement",
    "why",
    "fix",
    "evidence",
    "grade",
    "absent_grade",
    "grade_reason",
    "systemic",
    "warning_window",
    "when_absent",
    "stages",
)


def _specifier(value: str, what: str) -> str:
    try:
        SpecifierSet(value)
    except InvalidSpecifier as exc:
        raise ValueError(f"{what} {value!r} is not a version range such as '>=2,<3': {exc}") from None
    return value


class PackSection(BaseModel):
    """``[pack]``: what the pack is and which files make it up."""

    model_config = _STRICT
    name: Annotated[str, Field(pattern=NAME, description="Unique among installed packs.")]
    version: str
    description: str = ""
    api: str = Field(
        description="The qmscheck pack API versions the pack supports, as a version range ('>=2,<3'); "
        "a pack that does not support this qmscheck's API is skipped with a warning."
    )
    rules: str = Field("rules", description="Folder of rule files, relative to the manifest.")
    cases: str = Field("cases", description="Folder of case files, relative to the manifest.")
    vocabulary: list[str] = Field(
        default_factory=list, description="Vocabulary files (built-in format), applied when the pack is selected."
    )
    crosswalk: str | None = Field(None, description="A crosswalk file mapping this standard's clauses to another's.")
    translations: str | None = Field(
        None,
        description="Folder of the pack's message catalogs (<language>/LC_MESSAGES/<pack name>.mo), relative to "
        "the manifest: its rules' texts and its standard's headings in other languages (docs/i18n.md).",
    )

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        try:
            Version(value)
        except InvalidVersion:
            raise ValueError(f"version {value!r} is not a version such as '1.2.0'") from None
        return value

    @field_validator("api")
    @classmethod
    def _api(cls, value: str) -> str:
        return _specifier(value, "api")


class Standard(BaseModel):
    """``[standard]``: the standard a pack's rules hold an organisation to."""

    model_config = _STRICT
    id: Annotated[str, Field(pattern=NAME, description="Qualifies clauses: 'iso13485:7.4.1'.")]
    name: str = Field(description="How statements and reports name it: 'ISO 13485'.")
    title: str = ""
    editions: Annotated[list[str], Field(min_length=1, description="The first is the default.")]

    def cite(self, clause: str, edition: str | None = None) -> str:
        """'ISO 13485:2016 7.4.1' (with an edition) or 'ISO 13485 7.4.1'."""
        return f"{self.name}:{edition} {clause}" if edition else f"{self.name} {clause}"


class Dependency(BaseModel):
    model_config = _STRICT
    pack: Annotated[str, Field(pattern=NAME)]
    version: str = Field("", description="A version range the pack's version must be in; empty: any.")

    @field_validator("version")
    @classmethod
    def _range(cls, value: str) -> str:
        return _specifier(value, "version") if value else value


class Exclusion(BaseModel):
    """A clause the standard lets an organisation declare not applicable, and what that needs."""

    model_config = _STRICT
    clause: Clause
    needs: str = Field(description="What the justification must establish.")


class EvidenceTypeDeclaration(BaseModel):
    model_config = _STRICT
    kind: Kind
    description: str = ""
    fields: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]] = Field(default_factory=list)
    label: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]] = Field(
        default_factory=list,
        description="Fields that name an item of the type in findings (a lot number, a device), first present "
        "first; without them an item is named by the usual fields (document number, reference, title).",
    )


class Overlay(BaseModel):
    """A change to a rule of a pack this one depends on, with the reason shown wherever the rule is."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    rule: Annotated[str, Field(pattern=r"^[A-Z]{2,8}[0-9]{3}$")]
    reason: Annotated[str, Field(min_length=10)]
    skip: bool = False
    replaced: dict[str, Any] = Field(
        default_factory=dict, alias="set", description=f"Rule keys replaced: {', '.join(OVERLAY_KEYS)}."
    )
    check: dict[str, Any] = Field(default_factory=dict, description="Keys merged into the rule's check table.")
    where: list[dict[str, Any]] = Field(default_factory=list, description="Conditions added to select.where.")

    @model_validator(mode="after")
    def _one_change(self) -> Overlay:
        unknown = sorted(set(self.replaced) - set(OVERLAY_KEYS))
        if unknown:
            raise ValueError(f"set: an overlay cannot change {', '.join(unknown)} (it may: {', '.join(OVERLAY_KEYS)})")
        if "kind" in self.check:
            raise ValueError("check: an overlay cannot change the check kind")
        changes = bool(self.replaced or self.check or self.where)
        if self.skip and changes:
            raise ValueError("an overlay that skips a rule changes nothing else")
        if not self.skip and not changes:
            raise ValueError("an overlay skips the rule or changes it (set, check or where)")
        return self

    def changed_keys(self) -> set[str]:
        """What it changes, to find overlays of two packs that contradict each other."""
        if self.skip:
            return {"*"}
        return {*self.replaced, *(f"check.{key}" for key in self.check)} | ({"where"} if self.where else set())


class PackManifest(BaseModel):
    model_config = _STRICT
    pack: PackSection
    standard: Standard
    depends: list[Dependency] = Field(default_factory=list)
    clauses: dict[Clause, str] = Field(default_factory=dict, description="The clause tree with titles.")
    exclusions: list[Exclusion] = Field(default_factory=list)
    evidence_types: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], EvidenceTypeDeclaration] = Field(
        default_factory=dict
    )
    overlays: list[Overlay] = Field(default_factory=list)
    fields: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]] = Field(
        default_factory=list,
        description="Fields the pack's rules read that neither the vocabulary nor an evidence type of a pack "
        "names: a column header as written ('Released by' is released_by).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> PackManifest:
        for number, exclusion in enumerate(self.exclusions):
            if self.clauses and exclusion.clause not in self.clauses:
                raise ValueError(f"exclusions[{number}]: clause {exclusion.clause} is not in [clauses]")
        seen: set[str] = set()
        for overlay in self.overlays:
            if overlay.rule in seen:
                raise ValueError(f"overlays: rule {overlay.rule} is changed twice; put the changes in one overlay")
            seen.add(overlay.rule)
        if self.overlays and not self.depends:
            raise ValueError("overlays change rules of the packs this one depends on: add [[depends]]")
        return self

    def clause_title(self, clause: str) -> str | None:
        return self.clauses.get(clause)


def _validated(model: type[BaseModel], data: dict[str, Any], source: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{source}: {path or '(top level)'}: {message}" for path, message in validation_problems(exc, model)
        ]
        raise RulePackError("invalid pack manifest:\n  " + "\n  ".join(problems)) from None


def load_manifest(source: Path) -> PackManifest:
    """The manifest at ``source``; every file it names must exist."""
    manifest: PackManifest = _validated(PackManifest, read_toml(source, RulePackError), source)
    folder = source.parent
    named = [("pack.rules", manifest.pack.rules), *(("pack.vocabulary", f) for f in manifest.pack.vocabulary)]
    if manifest.pack.crosswalk:
        named.append(("pack.crosswalk", manifest.pack.crosswalk))
    for key, relative in named:
        if not (folder / relative).exists():
            raise RulePackError(f"{source}: {key}: {relative!r} does not exist in {folder}")
    return manifest


class CrosswalkEntry(BaseModel):
    model_config = _STRICT
    clause: Clause
    to: Annotated[list[Clause], Field(min_length=1)]
    same_requirement: bool = Field(
        False, description="A finding of either clause on the same evidence is one finding (merged)."
    )
    note: str = ""


class Crosswalk(BaseModel):
    """How one standard's clauses correspond to another's."""

    model_config = _STRICT
    standard: Annotated[str, Field(pattern=NAME)]
    to: Annotated[str, Field(pattern=NAME)]
    clauses: list[CrosswalkEntry]

    def same_as(self, clause: str) -> list[str]:
        """The other standard's clauses that state the same requirement as ``clause``."""
        return [
            target for entry in self.clauses if entry.clause == clause and entry.same_requirement for target in entry.to
        ]

    def maps(self, clause: str) -> list[CrosswalkEntry]:
        return [entry for entry in self.clauses if entry.clause == clause]


def load_crosswalk(source: Path) -> Crosswalk:
    crosswalk: Crosswalk = _validated(Crosswalk, read_toml(source, RulePackError), source)
    return crosswalk


def clause_parents(clause: str) -> list[str]:
    """'7.5.7' -> ['7.5', '7']: the clauses above it, nearest first."""
    parts = clause.split(".")
    return [".".join(parts[:end]) for end in range(len(parts) - 1, 0, -1)]
