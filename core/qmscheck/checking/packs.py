"""Rule packs: folders of TOML rule files, validated against the published JSON Schema before use.

The check kinds a rule may use are those registered when the pack loads (``load_packs(packs,
plugins.checks)``): the built-in kinds, validated against the published schema, and any kind a
plugin registered, validated against the schema of the primitive's ``params_model`` (a
:class:`~qmscheck.checking.rule_model.CheckParams` subclass; a primitive without one takes no
parameters). Every problem names the file, the rule id and the JSON path. The topics a rule of kind
``mentions`` names must be topics of the vocabulary (``checking.topics``).
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version
from pydantic import ValidationError

from qmscheck import API_VERSION, vocabulary
from qmscheck.checking.manifest import (
    Crosswalk,
    Dependency,
    Overlay,
    PackManifest,
    Standard,
    load_crosswalk,
    load_manifest,
)
from qmscheck.checking.rule_model import (
    BUILTIN_CHECKS,
    PLUGIN_KIND,
    SCOPE_RULE_ID,
    AvoidsCheck,
    CheckParams,
    ExclusionsCheck,
    MentionsCheck,
    Rule,
    RuleFile,
    check_schema,
)
from qmscheck.checking.topics import Topics, builtin_topics
from qmscheck.checking.vocabulary_check import known_fields, known_types, rule_problems
from qmscheck.config.tomlfile import did_you_mean, json_path, read_toml
from qmscheck.errors import RulePackError
from qmscheck.model.evidence import Kind, order_key
from qmscheck.model.evidence_types import EVIDENCE_TYPES, use_pack_types
from qmscheck.model.report import PackInfo, StandardInfo
from qmscheck.vocabulary import Vocabulary, VocabularyError, VocabularyFile, builtin

if TYPE_CHECKING:
    import jsonschema

    from qmscheck.checking.primitives.base import CheckPrimitive

#: Check kind -> the model of its ``[rules.check]`` table.
CheckKinds = Mapping[str, type[CheckParams]]

SCHEMA_FILE = "rule-file.schema.json"


@dataclass(frozen=True)
class RulePack:
    """A versioned set of rule files: ``path`` is a folder of ``*.toml`` files, one per clause.

    A pack is described by its manifest (:meth:`from_manifest`); a pack built without one holds rules
    of the base standard (ISO 9001) and must still say which pack API it supports (``api``).
    """

    name: str
    version: str
    path: Path
    #: The pack API versions the pack supports, as a version range (">=2,<3"); empty: undeclared, and refused.
    api: str = ""
    description: str = ""
    manifest: PackManifest | None = None
    #: The folder of the manifest, which names its files relative to it.
    root: Path | None = None

    @classmethod
    def from_manifest(cls, source: Path) -> RulePack:
        """The pack ``source`` (a ``pack.toml``) describes."""
        manifest = load_manifest(source)
        return cls(
            name=manifest.pack.name,
            version=manifest.pack.version,
            path=source.parent / manifest.pack.rules,
            api=manifest.pack.api,
            description=manifest.pack.description,
            manifest=manifest,
            root=source.parent,
        )

    @property
    def standard(self) -> Standard:
        return self.manifest.standard if self.manifest else base_manifest().standard

    @property
    def clauses(self) -> Mapping[str, str]:
        """The clause tree of the pack's standard; a pack of the base standard may leave it to the base pack."""
        if self.manifest and (self.manifest.clauses or self.standard.id != BASE_PACK):
            return self.manifest.clauses
        return base_manifest().clauses

    @property
    def depends(self) -> list[Dependency]:
        return self.manifest.depends if self.manifest else []

    @property
    def cases(self) -> Path | None:
        return self.root / self.manifest.pack.cases if self.root and self.manifest else None

    @property
    def translations(self) -> Path | None:
        """The folder of the pack's message catalogs, if it ships any."""
        if self.root and self.manifest and self.manifest.pack.translations:
            return self.root / self.manifest.pack.translations
        return None

    def incompatibility(self) -> str | None:
        """Why this qmscheck cannot use the pack, or None."""
        if not self.api:
            return f"rule pack {self.name} {self.version} does not say which qmscheck pack API it supports (api)"
        if not SpecifierSet(self.api).contains(str(API_VERSION)):
            return (
                f"rule pack {self.name} {self.version} supports qmscheck pack API {self.api}; "
                f"this qmscheck provides API {API_VERSION}"
            )
        return None


@dataclass(frozen=True)
class AppliedOverlay:
    """An overlay as applied to a rule: which pack changed it, how and why."""

    pack: str
    change: str
    reason: str


@dataclass(frozen=True)
class LoadedRule:
    rule: Rule
    pack: RulePack
    file: Path
    overlays: tuple[AppliedOverlay, ...] = ()

    @property
    def standard(self) -> Standard:
        return self.pack.standard

    def edition(self, base_edition: str) -> str:
        """The edition of its standard the scan judges against: the scan's own (``--edition``) where
        the standard has it, else the standard's first."""
        editions = self.standard.editions
        return base_edition if base_edition in editions else editions[0]

    def applies_to(self, base_edition: str) -> bool:
        return self.rule.editions is None or self.edition(base_edition) in self.rule.editions

    @property
    def clause_title(self) -> str | None:
        return self.pack.clauses.get(self.rule.clause)


@dataclass
class LoadedPacks:
    packs: list[RulePack] = field(default_factory=list)
    rules: list[LoadedRule] = field(default_factory=list)
    #: Rules an overlay skipped, with the overlay, so that explain and reports can say why they do not run.
    skipped: list[LoadedRule] = field(default_factory=list)
    crosswalks: list[Crosswalk] = field(default_factory=list)


BASE_PACK = "iso9001"


@cache
def base_manifest() -> PackManifest:
    """The bundled base pack's manifest: its standard is that of any pack without a manifest."""
    return load_manifest(rules_root() / BASE_PACK / "pack.toml")


def base_pack() -> RulePack:
    return RulePack.from_manifest(rules_root() / BASE_PACK / "pack.toml")


def rules_root() -> Path:
    """The bundled rules folder: inside the installed wheel, or ``rules/`` in a source checkout."""
    return Path(str(resources.files("qmscheck.rules")))


@cache
def rule_file_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((rules_root() / SCHEMA_FILE).read_text(encoding="utf-8"))
    return schema


def check_kinds(checks: Iterable[CheckPrimitive] | None = None) -> dict[str, type[CheckParams]]:
    """The parameter model of every registered check kind (the built-in kinds when ``checks`` is None)."""
    if checks is None:
        return dict(BUILTIN_CHECKS)
    kinds: dict[str, type[CheckParams]] = {}
    for primitive in checks:
        model = BUILTIN_CHECKS.get(primitive.kind) or getattr(primitive, "params_model", CheckParams)
        if not (isinstance(model, type) and issubclass(model, CheckParams)):
            raise RulePackError(
                f"check kind {primitive.kind!r}: params_model must be a subclass of "
                f"qmscheck.checking.rule_model.CheckParams, not {model!r}"
            )
        kinds[primitive.kind] = model
    return kinds


def _rule_id_at(data: dict[str, Any], location: tuple[Any, ...] | list[Any]) -> str:
    if len(location) >= 2 and location[0] == "rules" and isinstance(location[1], int):
        rules = data.get("rules")
        if isinstance(rules, list) and location[1] < len(rules) and isinstance(rules[location[1]], dict):
            return f"rule {rules[location[1]].get('id', '#' + str(location[1]))}"
    return "file level"


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    import jsonschema

    return jsonschema.Draft202012Validator(schema)


@cache
def _file_validator() -> jsonschema.Draft202012Validator:
    """The published schema with any ``[rules.check]`` table that names a kind: each check is
    validated on its own, against its kind's schema, so an error points into the table."""
    schema = copy.deepcopy(rule_file_schema())
    check = {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}}
    schema["$defs"]["Rule"]["properties"]["check"] = check
    return _validator(schema)


@cache
def _check_validator(kind: str, model: type[CheckParams]) -> jsonschema.Draft202012Validator:
    if BUILTIN_CHECKS.get(kind) is model:
        return _validator({"$defs": rule_file_schema()["$defs"], "$ref": f"#/$defs/{model.__name__}"})
    return _validator(check_schema(kind, model))


def _checks(data: dict[str, Any]) -> list[tuple[int, dict[str, Any], str]]:
    """(index, table, kind) of every rule's ``[rules.check]`` that names a kind."""
    rules = data.get("rules")
    found = []
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        check = rule.get("check") if isinstance(rule, dict) else None
        if isinstance(check, dict) and isinstance(check.get("kind"), str):
            found.append((index, check, check["kind"]))
    return found


def _unknown_kind(kind: str, kinds: CheckKinds) -> str:
    matches = difflib.get_close_matches(kind, sorted(kinds), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(m) for m in matches)}?" if matches else ""
    return f"unknown check kind {kind!r}{hint} (known: {', '.join(sorted(kinds))})"


def _schema_errors(data: dict[str, Any], source: Path, kinds: CheckKinds) -> list[str]:
    errors: list[tuple[list[Any], str]] = [
        (list(error.absolute_path), error.message) for error in _file_validator().iter_errors(data)
    ]
    for index, check, kind in _checks(data):
        at = ["rules", index, "check"]
        if kind not in kinds:
            errors.append(([*at, "kind"], _unknown_kind(kind, kinds)))
            continue
        errors += [
            ([*at, *error.absolute_path], error.message)
            for error in _check_validator(kind, kinds[kind]).iter_errors(check)
        ]
    errors.sort(key=lambda error: [str(part) for part in error[0]])
    return [f"{source}: {_rule_id_at(data, path)}: {json_path(path)}: {message}" for path, message in errors]


def _location(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """A pydantic error location as a JSON path: without the tag it adds to a check's location."""
    if len(loc) > 3 and loc[0] == "rules" and loc[2] == "check" and (loc[3] in BUILTIN_CHECKS or loc[3] == PLUGIN_KIND):
        return loc[:3] + loc[4:]
    return loc


def _messages(source: Path, data: dict[str, Any], exc: ValidationError, at: tuple[Any, ...] = ()) -> list[str]:
    return [
        f"{source}: {_rule_id_at(data, (*at, *error['loc']))}: {json_path(_location((*at, *error['loc'])))}: "
        f"{error['msg']}"
        for error in exc.errors()
    ]


def _with_plugin_checks(source: Path, data: dict[str, Any], kinds: CheckKinds) -> dict[str, Any]:
    """``data`` with every plugin kind's check table replaced by an instance of its model."""
    plugin_checks = [(index, check, kind) for index, check, kind in _checks(data) if kind not in BUILTIN_CHECKS]
    if not plugin_checks:
        return data
    rules = list(data["rules"])
    problems: list[str] = []
    for index, check, kind in plugin_checks:
        try:
            rules[index] = {**rules[index], "check": kinds[kind].model_validate(check)}
        except ValidationError as exc:
            problems += _messages(source, data, exc, ("rules", index, "check"))
    if problems:
        raise RulePackError("invalid rule file:\n  " + "\n  ".join(problems))
    return {**data, "rules": rules}


def _unknown_topics(source: Path, rule_file: RuleFile, topics: Topics) -> list[str]:
    problems = []
    for rule in rule_file.rules:
        if not isinstance(rule.check, MentionsCheck | AvoidsCheck):
            continue
        for topic in rule.check.topics:
            if topic not in topics.ids:
                matches = topics.suggestions(topic)
                hint = f"; did you mean {' or '.join(repr(m) for m in matches)}?" if matches else ""
                problems.append(
                    f"{source}: rule {rule.id}: unknown topic {topic!r}{hint} "
                    "(topics are the [topics] tables of the vocabulary files and of the packs' own)"
                )
    return problems


def _parse(data: dict[str, Any], source: Path, kinds: CheckKinds, topics: Topics | None = None) -> RuleFile:
    problems = _schema_errors(data, source, kinds)
    if problems:
        raise RulePackError("invalid rule file:\n  " + "\n  ".join(problems))
    try:
        rule_file = RuleFile.model_validate(_with_plugin_checks(source, data, kinds))
    except ValidationError as exc:
        raise RulePackError("invalid rule file:\n  " + "\n  ".join(_messages(source, data, exc))) from None
    problems = _unknown_topics(source, rule_file, topics or builtin_topics())
    if problems:
        raise RulePackError("invalid rule file:\n  " + "\n  ".join(problems))
    return rule_file


def load_rule_file(source: Path, kinds: CheckKinds | None = None, topics: Topics | None = None) -> RuleFile:
    """Parse and validate one rule file, whose checks may use ``kinds`` (see :func:`check_kinds`)
    and name ``topics`` (the built-in ones when None); every problem names the file, the rule id
    and the JSON path."""
    return _parse(read_toml(source, RulePackError), source, BUILTIN_CHECKS if kinds is None else kinds, topics)


def _pack_problems(pack: RulePack, source: Path, rule_file: RuleFile) -> list[str]:
    """What a rule may not say in this pack: a clause outside its file's clause or the pack's clause
    tree, an edition its standard does not have, a source that names another standard."""
    standard = pack.standard
    problems = []
    for rule in rule_file.rules:
        at = f"{source}: rule {rule.id}"
        if isinstance(rule.check, ExclusionsCheck) and rule.id != SCOPE_RULE_ID:
            problems.append(f"{at}: check kind 'exclusions' belongs to {SCOPE_RULE_ID} of the base pack")
        if not (rule.clause == rule_file.clause or rule.clause.startswith(rule_file.clause + ".")):
            problems.append(f"{at}: clause {rule.clause} is outside the file's clause {rule_file.clause}")
        elif pack.clauses and rule.clause not in pack.clauses:
            problems.append(
                f"{at}: clause {rule.clause} is not a clause of {standard.name} in the pack's clause tree"
                f"{did_you_mean(rule.clause, pack.clauses)}"
            )
        for edition in rule.editions or ():
            if edition not in standard.editions:
                problems.append(
                    f"{at}: edition {edition!r} is not one of {standard.name}'s: {', '.join(standard.editions)}"
                )
        if rule.source == "iso9001" and standard.id != BASE_PACK:
            problems.append(f"{at}: source 'iso9001' names another standard; a shall of {standard.name} is 'standard'")
    return problems


def pack_vocabulary(pack: RulePack) -> list[VocabularyFile]:
    """The vocabulary files the pack's manifest names."""
    root = pack.root
    if pack.manifest is None or root is None:
        return []
    files = []
    for name in pack.manifest.pack.vocabulary:
        try:
            files.append(VocabularyFile.from_path(root / name, f"{pack.name}/{name}"))
        except VocabularyError as exc:
            raise RulePackError(f"rule pack {pack.name}: {exc}") from None
    return files


def use_pack_words(packs: Sequence[RulePack], plugin_words: Sequence[VocabularyFile] = ()) -> None:
    """Classify and judge with the words and evidence types of ``packs`` (the scan's selection) and
    the plugins' from now on in this process: an installed pack that is not selected changes
    nothing a scan reads or finds."""
    try:
        vocabulary.use([*plugin_words, *(file for pack in packs for file in pack_vocabulary(pack))])
    except VocabularyError as exc:
        raise RulePackError(str(exc)) from None
    use_pack_types(declared_types(packs), declared_labels(packs))


def _topics(packs: Iterable[RulePack]) -> Topics:
    """The topics rules of ``packs`` may name: the built-in ones and the packs' own."""
    files = [file for pack in packs for file in pack_vocabulary(pack)]
    if not files:
        return builtin_topics()
    try:
        return Topics(Vocabulary([*builtin().files, *files]))
    except VocabularyError as exc:
        raise RulePackError(str(exc)) from None


def _pack_rules(pack: RulePack, kinds: CheckKinds, topics: Topics) -> list[LoadedRule]:
    problem = pack.incompatibility()
    if problem:
        raise RulePackError(problem)
    if not pack.path.is_dir():
        raise RulePackError(f"rule pack {pack.name}: folder {pack.path} does not exist")
    rules = []
    problems = []
    for source in sorted(pack.path.glob("*.toml"), key=lambda p: p.name):
        rule_file = load_rule_file(source, kinds, topics)
        problems += _pack_problems(pack, source, rule_file)
        rules += [LoadedRule(rule, pack, source) for rule in rule_file.rules]
    if problems:
        raise RulePackError("invalid rule file:\n  " + "\n  ".join(problems))
    if not rules:
        raise RulePackError(f"rule pack {pack.name}: no rule file in {pack.path}")
    return rules


def _depended_on(pack: RulePack, by_name: Mapping[str, RulePack]) -> set[str]:
    """Every pack ``pack`` builds on, directly or through others."""
    found: set[str] = set()
    pending = [dependency.pack for dependency in pack.depends]
    while pending:
        name = pending.pop()
        if name not in found and name in by_name:
            found.add(name)
            pending += [dependency.pack for dependency in by_name[name].depends]
    return found


def _check_depends(pack: RulePack, by_name: Mapping[str, RulePack]) -> None:
    for dependency in pack.depends:
        other = by_name.get(dependency.pack)
        if other is None:
            raise RulePackError(
                f"rule pack {pack.name} depends on pack {dependency.pack!r}, which is not loaded"
                f"{did_you_mean(dependency.pack, by_name)}"
            )
        if dependency.version and not SpecifierSet(dependency.version).contains(Version(other.version)):
            raise RulePackError(
                f"rule pack {pack.name} needs {dependency.pack} {dependency.version}; "
                f"{dependency.pack} {other.version} is installed"
            )


def _overlaid(loaded: LoadedRule, overlay: Overlay, owner: RulePack, kinds: CheckKinds, topics: Topics) -> LoadedRule:
    """``loaded`` with ``overlay``'s changes, validated as a rule file would be."""
    data = loaded.rule.model_dump(mode="json", by_alias=True, exclude_unset=True)
    data.update(overlay.replaced)
    if overlay.check:
        data["check"] = {**data["check"], **overlay.check}
    if overlay.where:
        select = dict(data.get("select", {}))
        select["where"] = [*select.get("where", []), *overlay.where]
        data["select"] = select
    source = owner.root / "pack.toml" if owner.root else owner.path
    wrapper = {"clause": loaded.rule.clause, "title": loaded.rule.title, "rules": [data]}
    try:
        rule = _parse(wrapper, source, kinds, topics).rules[0]
    except RulePackError as exc:
        raise RulePackError(f"{source}: overlay of rule {loaded.rule.id} makes it invalid: {exc}") from None
    changes = [*(f"{key} set" for key in overlay.replaced), *(f"check.{key} set" for key in overlay.check)]
    if overlay.where:
        changes.append(f"{len(overlay.where)} selection condition(s) added")
    applied = AppliedOverlay(owner.name, "; ".join(changes), overlay.reason)
    return replace(loaded, rule=rule, overlays=(*loaded.overlays, applied))


def _apply_overlays(loaded: LoadedPacks, by_name: Mapping[str, RulePack], kinds: CheckKinds, topics: Topics) -> None:
    """Each pack's overlays, applied to rules of the packs it depends on; two packs that change the
    same thing of one rule contradict each other, and neither wins."""
    index = {item.rule.id: position for position, item in enumerate(loaded.rules)}
    claimed: dict[tuple[str, str], str] = {}
    skipped: set[str] = set()
    for pack in loaded.packs:
        for overlay in pack.manifest.overlays if pack.manifest else []:
            position = index.get(overlay.rule)
            if position is None:
                raise RulePackError(
                    f"rule pack {pack.name}: overlay of rule {overlay.rule}: no loaded pack has that rule"
                    f"{did_you_mean(overlay.rule, index)}"
                )
            target = loaded.rules[position]
            if target.pack.name not in _depended_on(pack, by_name):
                raise RulePackError(
                    f"rule pack {pack.name}: overlay of rule {overlay.rule}: the rule belongs to pack "
                    f"{target.pack.name}, which {pack.name} does not depend on"
                )
            for key in overlay.changed_keys():
                for (rule_id, other_key), other in claimed.items():
                    if rule_id == overlay.rule and (key == other_key or "*" in (key, other_key)):
                        raise RulePackError(
                            f"overlays of rule {overlay.rule} contradict each other: packs {other} and {pack.name} "
                            f"both change {'it' if '*' in (key, other_key) else key}"
                        )
                claimed[(overlay.rule, key)] = pack.name
            if overlay.skip:
                skipped.add(overlay.rule)
                applied = AppliedOverlay(pack.name, "skipped", overlay.reason)
                loaded.rules[position] = replace(target, overlays=(*target.overlays, applied))
            else:
                loaded.rules[position] = _overlaid(target, overlay, pack, kinds, topics)
    loaded.skipped = [item for item in loaded.rules if item.rule.id in skipped]
    loaded.rules = [item for item in loaded.rules if item.rule.id not in skipped]


def load_packs(packs: list[RulePack], checks: Iterable[CheckPrimitive] | None = None) -> LoadedPacks:
    """Load and validate every rule of ``packs``, and apply their overlays; their checks may use the
    kinds of ``checks`` (the registered check primitives; the built-in kinds when None)."""
    kinds = check_kinds(checks)
    by_name = {pack.name: pack for pack in packs}
    loaded = LoadedPacks()
    seen: dict[str, Path] = {}
    topics = _topics(packs)
    for pack in sorted(packs, key=lambda p: p.name):
        _check_depends(pack, by_name)
        for item in _pack_rules(pack, kinds, topics):
            if item.rule.id in seen:
                raise RulePackError(f"{item.file}: rule {item.rule.id}: id already used in {seen[item.rule.id]}")
            seen[item.rule.id] = item.file
            loaded.rules.append(item)
        loaded.packs.append(pack)
        if pack.manifest and pack.manifest.pack.crosswalk and pack.root:
            loaded.crosswalks.append(load_crosswalk(pack.root / pack.manifest.pack.crosswalk))
    _apply_overlays(loaded, by_name, kinds, topics)
    _check_names(loaded)
    return loaded


def declared_types(packs: Iterable[RulePack]) -> dict[str, Kind]:
    """The evidence types the packs declare, with their kind."""
    return {
        name: declaration.kind
        for pack in packs
        if pack.manifest
        for name, declaration in pack.manifest.evidence_types.items()
    }


def declared_labels(packs: Iterable[RulePack]) -> dict[str, list[str]]:
    """Per evidence type the packs declare, the fields that name one of its items."""
    return {
        name: declaration.label
        for pack in packs
        if pack.manifest
        for name, declaration in pack.manifest.evidence_types.items()
    }


def _check_declared_types(packs: Iterable[RulePack]) -> None:
    """A pack's evidence type is its own: it may not redeclare a built-in type, nor another pack's
    with another meaning (the same name as a document in one pack and a record in another)."""
    declared: dict[str, tuple[str, Kind]] = {}
    for pack in packs:
        for name, declaration in pack.manifest.evidence_types.items() if pack.manifest else []:
            if name in EVIDENCE_TYPES:
                raise RulePackError(
                    f"rule pack {pack.name}: evidence type {name!r} is qmscheck's own; a pack's rules use it "
                    "without declaring it, or declare a type of their own under another name"
                )
            owner = declared.setdefault(name, (pack.name, declaration.kind))
            if owner[1] is not declaration.kind:
                raise RulePackError(
                    f"evidence type {name!r} is a {owner[1].value} in pack {owner[0]} and a "
                    f"{declaration.kind.value} in pack {pack.name}"
                )


def _as_changed(item: LoadedRule) -> str:
    changed = [overlay.pack for overlay in item.overlays if overlay.change != "skipped"]
    return f" (as changed by pack {', '.join(changed)})" if changed else ""


def _check_names(loaded: LoadedPacks) -> None:
    """Every evidence type and field a rule names is one qmscheck or a loaded pack knows, and every
    option it sets is one its check kind applies: a typo would misjudge quietly (an unknown type
    passes every 'each' rule; a negated condition on an unknown field selects everything)."""
    manifests = [pack.manifest for pack in loaded.packs if pack.manifest]
    _check_declared_types(loaded.packs)
    types = known_types(declared_types(loaded.packs), builtin=EVIDENCE_TYPES)
    fields = known_fields(
        [
            *(name for manifest in manifests for name in manifest.fields),
            *(
                name
                for manifest in manifests
                for declared in manifest.evidence_types.values()
                for name in declared.fields
            ),
        ]
    )
    problems = [
        f"{item.file}: rule {item.rule.id}{_as_changed(item)}: {problem}"
        for item in [*loaded.rules, *loaded.skipped]
        for problem in rule_problems(item.rule, types, fields)
    ]
    if problems:
        raise RulePackError("rule names what no pack declares:\n  " + "\n  ".join(problems))


def select_packs(installed: Iterable[RulePack], names: Iterable[str]) -> list[RulePack]:
    """The packs named, with every pack they depend on; an unknown name is an error naming the installed ones."""
    by_name = {pack.name: pack for pack in installed}
    chosen: dict[str, RulePack] = {}
    pending = list(names)
    while pending:
        name = pending.pop(0)
        if name in chosen:
            continue
        pack = by_name.get(name)
        if pack is None:
            raise RulePackError(
                f"rule pack {name!r} is not installed{did_you_mean(name, by_name)} "
                f"(installed: {', '.join(sorted(by_name)) or 'none'}; `qmscheck plugins` lists them)"
            )
        chosen[name] = pack
        pending += [dependency.pack for dependency in pack.depends]
    return sorted(chosen.values(), key=lambda pack: pack.name)


def _matches(loaded: LoadedRule, pattern: str) -> bool:
    """A rule id, an id prefix ('SUP'), a clause with the clauses under it ('8.4', 'iso13485:7.4') or a tag."""
    rule = loaded.rule
    standard, _, clause = pattern.rpartition(":")
    if clause[:1].isdigit():
        return (not standard or standard == loaded.standard.id) and (
            rule.clause == clause or rule.clause.startswith(clause + ".")
        )
    if pattern.isupper():
        return rule.id == pattern or (
            pattern.isalpha() and rule.id[: len(pattern)] == pattern and rule.id[len(pattern)].isdigit()
        )
    return pattern in rule.tags


def chosen(loaded: LoadedRule, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """Whether ``--select`` (empty: every rule) takes the rule and ``--ignore`` leaves it in."""
    if select and not any(_matches(loaded, pattern) for pattern in select):
        return False
    return not any(_matches(loaded, pattern) for pattern in ignore)


def same_requirements(packs: LoadedPacks) -> dict[str, str]:
    """'iso13485:7.4.1' -> 'iso9001:8.4.1' for each clause a crosswalk says states the same
    requirement as one other clause (a clause mapped to several keeps its own findings apart)."""
    same: dict[str, str] = {}
    for crosswalk in packs.crosswalks:
        for entry in crosswalk.clauses:
            if entry.same_requirement and len(entry.to) == 1:
                same[f"{crosswalk.standard}:{entry.clause}"] = f"{crosswalk.to}:{entry.to[0]}"
    return same


def pack_infos(packs: LoadedPacks, rule_counts: Mapping[str, int]) -> list[PackInfo]:
    """Which packs ran, their versions and standards, and what each changed of the others' rules."""
    changes: dict[str, list[str]] = {}
    for loaded in [*packs.rules, *packs.skipped]:
        for overlay in loaded.overlays:
            changes.setdefault(overlay.pack, []).append(
                f"{loaded.rule.id}: {overlay.change} ({' '.join(overlay.reason.split())})"
            )
    return [
        PackInfo(
            name=pack.name,
            version=pack.version,
            rules=rule_counts.get(pack.name, 0),
            standard=pack.standard.id,
            overlays=sorted(changes.get(pack.name, [])),
        )
        for pack in packs.packs
    ]


def standard_infos(packs: LoadedPacks, base_edition: str) -> list[StandardInfo]:
    """The standards of the packs, each once, with the edition judged and its clause headings."""
    found: dict[str, StandardInfo] = {}
    for pack in packs.packs:
        standard = pack.standard
        if standard.id in found:
            continue
        edition = base_edition if base_edition in standard.editions else standard.editions[0]
        found[standard.id] = StandardInfo(
            id=standard.id, name=standard.name, title=standard.title, edition=edition, clauses=dict(pack.clauses)
        )
    return sorted(found.values(), key=lambda info: order_key(info.id))


@dataclass
class InstalledPacks:
    """Every installed pack that loads, together (their overlays applied), and those that do not."""

    loaded: LoadedPacks
    #: (pack name, version, the error): a pack that fails, or needs one that does, is left out.
    failed: list[tuple[str, str, str]] = field(default_factory=list)


def load_installed(packs: Iterable[RulePack], checks: Iterable[CheckPrimitive] | None = None) -> InstalledPacks:
    """For the commands that show packs rather than scan: one bad pack is named and left out, and
    the others still load."""
    installed = sorted(packs, key=lambda pack: pack.name)
    checks = list(checks) if checks is not None else None
    good: list[RulePack] = []
    failed: list[tuple[str, str, str]] = []
    for pack in installed:
        try:
            load_packs(select_packs(installed, [pack.name]), checks)
        except RulePackError as exc:
            failed.append((pack.name, pack.version, str(exc)))
            continue
        good.append(pack)
    failing = {name for name, _, _ in failed}
    usable = [pack for pack in good if not _depended_on(pack, {p.name: p for p in installed}) & failing]
    return InstalledPacks(load_packs(usable, checks), failed)
