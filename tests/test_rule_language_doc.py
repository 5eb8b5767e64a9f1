"""docs/rule-language.md cannot drift from the rule language it describes.

Every TOML example of a rule is loaded as a rule file is (``load_rule_file``); every check kind,
parameter, condition operator, rule key and vocabulary field is named in it; and the table of the
status words the base rules accept is the one their files give.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from qmscheck.checking.manifest import load_manifest
from qmscheck.checking.packs import load_rule_file, rules_root
from qmscheck.checking.rule_model import BUILTIN_CHECKS, CheckParams, Condition, Rule, RuleFile, Selector, Systemic
from qmscheck.model.evidence import CORE_TEXT_FIELDS, DATE_FIELDS
from qmscheck.vocabulary import LIFECYCLE_STATES, builtin

DOC = Path(__file__).resolve().parents[1] / "docs" / "rule-language.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```toml\n(.*?)^```", TEXT, flags=re.MULTILINE | re.DOTALL)

#: How a snippet that is not a whole file is made one: a [[rules]] snippet gets the file's keys,
#: a list of conditions (``where = [...]``) becomes the selection of an otherwise complete rule.
_FILE_HEAD = 'clause = "{clause}"\ntitle = "Example"\n\n'
_WHERE_RULE = """clause = "8"
title = "Example"

[[rules]]
id = "EXA001"
title = "Example"
clause = "8"
source = "iso9001"
requirement = "the example holds"
why = "An example."
fix = "None."
check = {{ kind = "exists" }}

[rules.select]
type = "nonconformity"
{where}"""


def _rule_blocks() -> list[tuple[int, str]]:
    """(position, whole rule file) of every TOML block that is a rule file, a rule or a selection."""
    found = []
    for position, block in enumerate(BLOCKS):
        if re.search(r"^\[\[rules\]\]", block, flags=re.MULTILINE):
            if re.match(r"(#.*\n|\s*\n)*clause\s*=", block):
                found.append((position, block))
            else:
                clause = re.search(r'^clause\s*=\s*"(\d+)', block, flags=re.MULTILINE)
                assert clause is not None, f"TOML block {position} has a rule without a clause:\n{block}"
                found.append((position, _FILE_HEAD.format(clause=clause.group(1)) + block))
        elif block.lstrip().startswith("where = ["):
            found.append((position, _WHERE_RULE.format(where=block)))
    return found


def test_the_doc_has_examples_of_rules() -> None:
    assert len(_rule_blocks()) >= 15


@pytest.mark.parametrize(
    ("position", "source"), _rule_blocks(), ids=[f"block{position}" for position, _ in _rule_blocks()]
)
def test_each_rule_example_loads_as_a_rule_file(position: int, source: str, tmp_path: Path) -> None:
    path = tmp_path / f"block{position}.toml"
    path.write_text(source, encoding="utf-8")
    load_rule_file(path)


def test_every_toml_block_is_toml() -> None:
    for block in BLOCKS:
        tomllib.loads(block)


def test_the_manifest_example_loads(tmp_path: Path) -> None:
    manifests = [block for block in BLOCKS if block.startswith("[pack]")]
    assert manifests
    for block in manifests:
        (tmp_path / "pack.toml").write_text(block, encoding="utf-8")
        (tmp_path / "rules").mkdir(exist_ok=True)
        (tmp_path / "cases").mkdir(exist_ok=True)
        assert load_manifest(tmp_path / "pack.toml").pack.name


def _named(word: str) -> bool:
    return f"`{word}`" in TEXT or f"`{word} " in TEXT or f"`{word} =" in TEXT


def test_every_check_kind_and_parameter_is_described() -> None:
    for kind, model in BUILTIN_CHECKS.items():
        heading = re.search(rf"^### `{kind}`.*?(?=^### |^## |\Z)", TEXT, flags=re.MULTILINE | re.DOTALL)
        assert heading is not None, f"no section '### `{kind}`'"
        # ``kind`` is every check's: the section's heading names it.
        for name in sorted(set(model.model_fields) - set(CheckParams.model_fields)):
            assert f"`{name}`" in heading.group(0), f"the `{kind}` section does not name its parameter `{name}`"


def test_every_operator_and_rule_key_is_named() -> None:
    names = [
        *Condition.model_fields,
        *Selector.model_fields,
        *Rule.model_fields,
        *RuleFile.model_fields,
        *Systemic.model_fields,
    ]
    assert [name for name in names if not _named(name)] == []


def test_every_canonical_field_is_listed() -> None:
    fields = [*CORE_TEXT_FIELDS, *DATE_FIELDS, *builtin().field_labels]
    assert [name for name in fields if f"`{name}`" not in TEXT] == []


def test_every_status_word_the_readers_produce_is_listed() -> None:
    record_status = set(builtin().record_status.values())
    assert [word for word in [*record_status, *LIFECYCLE_STATES] if f"`{word}`" not in TEXT] == []


# --- the status words of the base rules ------------------------------------------------------

#: Per field, the words the readers write whatever the language of the source: a register's status,
#: classification and source columns as the [record_status] words, a document's status as its
#: lifecycle state, a yes/no column as the [answers]. Other fields keep the words as written.
_RECORD_WORDS = frozenset(builtin().record_status.values())
_TRANSLATED: dict[str, frozenset[str]] = {
    "status": _RECORD_WORDS | frozenset(LIFECYCLE_STATES),
    "classification": _RECORD_WORDS,
    "source": _RECORD_WORDS,
    "quality_relevant": frozenset({"yes", "no"}),
}


def _rule_files() -> list[Path]:
    """The base pack's rule files: every TOML file of it that holds rules (not its case files)."""
    found = []
    for path in sorted((rules_root() / "iso9001").rglob("*.toml")):
        if "cases" in path.relative_to(rules_root()).parts:
            continue
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if isinstance(data.get("rules"), list) and "clause" in data:
            found.append(path)
    return sorted(found, key=lambda path: [int(part) for part in path.stem.split(".")])


def _word_conditions(conditions: list[dict[str, Any]], where: str) -> list[tuple[str, str, str, list[str]]]:
    found = []
    for condition in conditions:
        for group in ("any", "all"):
            if group in condition:
                found += _word_conditions(condition[group], where)
        for operator in ("equals", "one_of", "not_one_of"):
            value = condition.get(operator)
            words = [value] if isinstance(value, str) else value
            if isinstance(words, list):
                found.append((where, condition["field"], operator, words))
    return found


def status_table() -> str:
    """The table of the text values each base rule compares a field with, as the doc shows it."""
    lines = ["| Rule | Evidence | Where | Field | Operator | Words |", "|---|---|---|---|---|---|"]
    for path in _rule_files():
        for rule in tomllib.loads(path.read_text(encoding="utf-8"))["rules"]:
            check = rule["check"]
            conditions = _word_conditions(rule["select"].get("where", []), "select")
            conditions += _word_conditions(check.get("require", []), "check.require")
            for name in ("by", "known"):
                if isinstance(check.get(name), dict):
                    conditions += _word_conditions(check[name].get("where", []), f"check.{name}")
            types = rule["select"]["type"]
            evidence = ", ".join(types) if isinstance(types, list) else types
            for where, field, operator, words in conditions:
                shown = ", ".join(f"**{word}**" if word in _TRANSLATED.get(field, ()) else word for word in words)
                lines.append(f"| {rule['id']} | {evidence} | {where} | `{field}` | {operator} | {shown} |")
    return "\n".join(lines)


def test_the_status_word_table_is_the_rules_own() -> None:
    start, end = "<!-- status-words:start -->\n", "\n<!-- status-words:end -->"
    assert start in TEXT and end in TEXT
    shown = TEXT.split(start, 1)[1].split(end, 1)[0].strip()
    expected = status_table()
    assert shown == expected, (
        "the status words of the base rules changed: replace the table in docs/rule-language.md with\n" + expected
    )
