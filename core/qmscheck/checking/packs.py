"""Rule packs: folders of TOML rule files, validated against the published JSON Schema before use."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from qmscheck import API_VERSION
from qmscheck.checking.rule_model import Rule, RuleFile
from qmscheck.config.tomlfile import json_path, read_toml
from qmscheck.errors import RulePackError

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


def _rule_id_at(data: dict[str, Any], location: tuple[Any, ...] | list[Any]) -> str:
    if len(location) >= 2 and location[0] == "rules" and isinstance(location[1], int):
        rules = data.get("rules")
        if isinstance(rules, list) and location[1] < len(rules) and isinstance(rules[location[1]], dict):
            return f"rule {rules[location[1]].get('id', '#' + str(location[1]))}"
    return "file level"


def _schema_errors(data: dict[str, Any], source: Path) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(rule_file_schema())
    messages = []
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        location = list(error.absolute_path)
        messages.append(f"{source}: {_rule_id_at(data, location)}: {json_path(location)}: {error.message}")
    return messages


def load_rule_file(source: Path) -> RuleFile:
    """Parse and validate one rule file; every problem names the file, the rule id and the JSON path."""
    data = read_toml(source, RulePackError)
    problems = _schema_errors(data, source)
    if problems:
        raise RulePackError("invalid rule file:\n  " + "\n  ".join(problems))
    try:
        return RuleFile.model_validate(data)
    except ValidationError as exc:
        messages = [
            f"{source}: {_rule_id_at(data, error['loc'])}: {json_path(error['loc'])}: {error['msg']}"
            for error in exc.errors()
        ]
        raise RulePackError("invalid rule file:\n  " + "\n  ".join(messages)) from None


def load_packs(packs: list[RulePack]) -> LoadedPacks:
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
            rule_file = load_rule_file(source)
            for rule in rule_file.rules:
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
