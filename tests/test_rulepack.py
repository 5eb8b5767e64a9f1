from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from qmscheck.checking.packs import RulePack, load_packs, load_rule_file, rules_root
from qmscheck.checking.rule_model import rule_file_schema
from qmscheck.cli import main
from qmscheck.errors import RulePackError
from qmscheck.plugins.manager import load_plugins

GOOD = """
clause = "7.1"
title = "Resources"

[[rules]]
id = "TST001"
title = "Instruments are calibrated"
clause = "7.1.5"
grade = "minor"
requirement = "instruments are calibrated"
why = "why"
fix = "fix"
select = { type = "calibration_record" }
check = { kind = "each", require = [{ field = "due", on_or_after = "as_of" }] }
"""


def test_published_schema_is_current() -> None:
    committed = json.loads((rules_root() / "rule-file.schema.json").read_text())
    assert committed == json.loads(json.dumps(rule_file_schema())), (
        "regenerate: python -m qmscheck.checking.rule_model > rules/rule-file.schema.json"
    )


def test_base_pack_loads_with_unique_ids_and_enough_rules() -> None:
    loaded = load_packs(list(load_plugins(entry_points=False).rule_packs))
    ids = [item.rule.id for item in loaded.rules]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 15
    top_clauses = {item.rule.clause.split(".")[0] for item in loaded.rules}
    assert top_clauses >= {"4", "5", "6", "7", "8", "9", "10"}


def test_good_rule_file_validates(tmp_path: Path) -> None:
    path = tmp_path / "7.1.toml"
    path.write_text(GOOD)
    assert load_rule_file(path).rules[0].id == "TST001"


@pytest.mark.parametrize(
    ("change", "expected_path"),
    [
        (('grade = "minor"', 'grade = "critical"'), "$.rules[0].grade"),
        (('select = { type = "calibration_record" }', 'select = { typ = "calibration_record" }'), "$.rules[0].select"),
        (('on_or_after = "as_of"', 'on_or_after = "yesterday"'), "$.rules[0].check"),
        (('id = "TST001"', 'id = "tst-1"'), "$.rules[0].id"),
        (('why = "why"\n', ""), "$.rules[0]"),
        (
            ('{ field = "due", on_or_after = "as_of" }', '{ field = "due", on_or_after = "as_of", present = true }'),
            "$.rules[0].check.each.require[0]",
        ),
    ],
    ids=["unknown-grade", "misspelt-key", "bad-anchor", "bad-id", "missing-why", "two-operators"],
)
def test_broken_rule_file_names_file_rule_and_path(tmp_path: Path, change: tuple[str, str], expected_path: str) -> None:
    path = tmp_path / "7.1.toml"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(RulePackError) as error:
        load_rule_file(path)
    message = str(error.value)
    assert str(path) in message
    assert "TST001" in message or "tst-1" in message
    assert expected_path in message


def test_duplicate_rule_id_is_refused(tmp_path: Path) -> None:
    (tmp_path / "7.1.toml").write_text(GOOD)
    (tmp_path / "7.2.toml").write_text(GOOD.replace('clause = "7.1"', 'clause = "7.2"', 1).replace("7.1.5", "7.2"))
    with pytest.raises(RulePackError, match="TST001: id already used"):
        load_packs([RulePack(name="test", version="1", path=tmp_path)])


def test_pack_for_another_api_version_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="supports qmscheck API"):
        load_packs([RulePack(name="future", version="9", path=tmp_path, api_versions=(99,))])


class BrokenPackPlugin:
    """An outside plugin whose pack has a schema error."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    from qmscheck.hookspecs import hookimpl

    @hookimpl
    def qmscheck_register_rule_packs(self, register):  # type: ignore[no-untyped-def]
        register(RulePack(name="broken", version="1", path=self.folder))


def test_cli_exits_2_on_a_broken_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "7.1.toml").write_text(GOOD.replace('grade = "minor"', 'grade = "severe"'))
    import qmscheck.plugins.manager as plugins_module

    original = plugins_module.load_plugins
    monkeypatch.setattr(
        plugins_module, "load_plugins", lambda *a, **k: original(extra=[BrokenPackPlugin(folder)], entry_points=False)
    )
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 2
    assert "7.1.toml" in result.output and "TST001" in result.output and "$.rules[0].grade" in result.output
    assert "Traceback" not in result.output
