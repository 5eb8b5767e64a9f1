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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from qmscheck import API_VERSION
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
from qmscheck.checking.topics import builtin_topics
from qmscheck.config.tomlfile import json_path, read_toml
from qmscheck.errors import RulePackError

if TYPE_CHECKING:
    import jsonschema

    from qmscheck.checking.primitives.base import CheckPrimitive

#: Check kind -> the model of its ``[rules.check]`` table.
CheckKinds = Mapping[str, type[CheckParams]]

SCHEMA_FILE = "rule-file.schema.json"


@dataclass(frozen=True)
class RulePack:
    """A versioned set of rule files. ``path`` is a folder of ``*.toml`` files, one per clause."""

    name: str
    version: str
    path: Path
    description: str = ""
    api_versions: tuple[int, ...] = (API_VERSION,)


@dataclass(frozen=True)
class LoadedRule:
    rule: Rule
    pack: RulePack
    file: Path


@dataclass
class LoadedPacks:
    packs: list[RulePack] = field(default_factory=list)
    rules: list[LoadedRule] = field(default_factory=list)


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


def _unknown_topics(source: Path, rule_file: RuleFile) -> list[str]:
    topics = builtin_topics()
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
                    "(topics are the [topics] tables of the vocabulary files)"
                )
    return problems


def load_rule_file(source: Path, kinds: CheckKinds | None = None) -> RuleFile:
    """Parse and validate one rule file, whose checks may use ``kinds`` (see :func:`check_kinds`);
    every problem names the file, the rule id and the JSON path."""
    kinds = BUILTIN_CHECKS if kinds is None else kinds
    data = read_toml(source, RulePackError)
    problems = _schema_errors(data, source, kinds)
    if problems:
        raise RulePackError("invalid rule file:\n  " + "\n  ".join(problems))
    try:
        rule_file = RuleFile.model_validate(_with_plugin_checks(source, data, kinds))
    except ValidationError as exc:
        raise RulePackError("invalid rule file:\n  " + "\n  ".join(_messages(source, data, exc))) from None
    problems = _unknown_topics(source, rule_file)
    if problems:
        raise RulePackError("invalid rule file:\n  " + "\n  ".join(problems))
    return rule_file


def load_packs(packs: list[RulePack], checks: Iterable[CheckPrimitive] | None = None) -> LoadedPacks:
    """Load and validate every rule of ``packs``; their checks may use the kinds of ``checks``
    (the registered check primitives; the built-in kinds when None)."""
    kinds = check_kinds(checks)
    loaded = LoadedPacks()
    seen: dict[str, Path] = {}
    for pack in sorted(packs, key=lambda p: p.name):
        if API_VERSION not in pack.api_versions:
            raise RulePackError(
                f"rule pack {pack.name} {pack.version} supports qmscheck API {list(pack.api_versions)}, "
                f"this qmscheck provides API {API_VERSION}"
            )
        if not pack.path.is_dir():
            raise RulePackError(f"rule pack {pack.name}: folder {pack.path} does not exist")
        loaded.packs.append(pack)
        for source in sorted(pack.path.glob("*.toml"), key=lambda p: p.name):
            rule_file = load_rule_file(source, kinds)
            for rule in rule_file.rules:
                if isinstance(rule.check, ExclusionsCheck) and rule.id != SCOPE_RULE_ID:
                    raise RulePackError(
                        f"{source}: rule {rule.id}: check kind 'exclusions' belongs to {SCOPE_RULE_ID} "
                        "of the base pack, which the scope step applies"
                    )
                if rule.id in seen:
                    raise RulePackError(f"{source}: rule {rule.id}: id already used in {seen[rule.id]}")
                if not (rule.clause == rule_file.clause or rule.clause.startswith(rule_file.clause + ".")):
                    raise RulePackError(
                        f"{source}: rule {rule.id}: clause {rule.clause} "
                        f"is outside the file's clause {rule_file.clause}"
                    )
                seen[rule.id] = source
                loaded.rules.append(LoadedRule(rule, pack, source))
    return loaded
