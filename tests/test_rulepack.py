from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from qmscheck.checking.explain import explain_text
from qmscheck.checking.packs import RulePack, load_packs, load_rule_file, rules_root
from qmscheck.checking.rule_model import rule_file_schema
from qmscheck.cli import main
from qmscheck.errors import RulePackError
from qmscheck.plugins.manager import load_plugins
from qmscheck.testing import check_items, item

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
        (('on_or_after = "as_of"', 'on_or_after = "yesterday"'), "$.rules[0].check.require[0].on_or_after"),
        (('id = "TST001"', 'id = "tst-1"'), "$.rules[0].id"),
        (('why = "why"\n', ""), "$.rules[0]"),
        (
            ('{ field = "due", on_or_after = "as_of" }', '{ field = "due", on_or_after = "as_of", present = true }'),
            "$.rules[0].check.require[0]",
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


def test_every_base_rule_says_where_its_requirement_comes_from() -> None:
    loaded = load_packs(list(load_plugins(entry_points=False).rule_packs))
    unsourced = [item.rule.id for item in loaded.rules if "source" not in item.rule.model_fields_set]
    assert unsourced == []
    advice = {item.rule.id for item in loaded.rules if item.rule.source == "good-practice"}
    assert {"KNW001", "NCR005", "RSK002"} <= advice
    judged_by_parameter = {item.rule.id: item.rule.parameter for item in loaded.rules if item.rule.parameter}
    assert judged_by_parameter == {
        "MON001": "kpi_report_frequency",
        "CUS001": "complaint_closure_time",
        "MRV005": "management_review_interval",
        "AUD006": "internal_audit_interval",
        "SUP006": "supplier_reevaluation_interval",
    }


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ('source = "good-practice"\ngrade = "minor"\n', "grades observation or ofi only"),
        ('source = "iso9001"\ngrade = "major"\n', "grade departs from the grading policy"),
        ('source = "iso9001"\nsystemic = { min_failures = 2 }\n', "systemic departs from the grading policy"),
        ('source = "iso9001"\nparameter = "kpi_report_frequency"\n', "has source = 'organisation'"),
    ],
    ids=["advice-graded-minor", "major-without-reason", "thresholds-without-reason", "parameter-not-organisation"],
)
def test_a_grade_must_follow_the_requirement_source(tmp_path: Path, lines: str, message: str) -> None:
    path = tmp_path / "7.1.toml"
    path.write_text(GOOD.replace('grade = "minor"\n', lines))
    with pytest.raises(RulePackError, match=message):
        load_rule_file(path)


def test_an_override_with_a_reason_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "7.1.toml"
    path.write_text(GOOD.replace('grade = "minor"\n', 'source = "iso9001"\ngrade = "major"\ngrade_reason = "r"\n'))
    assert load_rule_file(path).rules[0].grade.value == "major"


def test_duplicate_rule_id_is_refused(tmp_path: Path) -> None:
    (tmp_path / "7.1.toml").write_text(GOOD)
    (tmp_path / "7.2.toml").write_text(GOOD.replace('clause = "7.1"', 'clause = "7.2"', 1).replace("7.1.5", "7.2"))
    with pytest.raises(RulePackError, match="TST001: id already used"):
        load_packs([RulePack(name="test", version="1", path=tmp_path, api=">=2")])


def test_pack_for_another_api_version_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="supports qmscheck pack API >=99; this qmscheck provides API 2"):
        load_packs([RulePack(name="future", version="9", path=tmp_path, api=">=99")])


def test_a_pack_that_declares_no_api_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="does not say which qmscheck pack API it supports"):
        load_packs([RulePack(name="vague", version="1", path=tmp_path)])


class BrokenPackPlugin:
    """An outside plugin whose pack has a schema error."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    from qmscheck.hookspecs import hookimpl

    @hookimpl
    def qmscheck_register_rule_packs(self, register):  # type: ignore[no-untyped-def]
        register(RulePack(name="broken", version="1", path=self.folder, api=">=2"))


def test_a_broken_pack_is_named_and_left_out_of_rules_and_fails_a_scan_that_selects_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "7.1.toml").write_text(GOOD.replace('grade = "minor"', 'grade = "severe"'))
    import qmscheck.plugins.manager as plugins_module

    original = plugins_module.load_plugins
    monkeypatch.setattr(
        plugins_module, "load_plugins", lambda *a, **k: original(extra=[BrokenPackPlugin(folder)], entry_points=False)
    )
    result = CliRunner().invoke(main, ["rules", "explain", "CTX001"])
    assert result.exit_code == 0, result.output
    assert "warning: rule pack broken 1 is left out" in result.stderr
    assert "7.1.toml" in result.stderr and "TST001" in result.stderr and "$.rules[0].grade" in result.stderr
    assert "# CTX001" in result.stdout  # the base pack still explains
    listed = CliRunner().invoke(main, ["rules"])
    assert (
        listed.exit_code == 0 and "CTX001" in listed.stdout and "also installed, not selected: broken" in listed.stdout
    )
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    scan = CliRunner().invoke(main, ["scan", str(evidence), "--no-index", "--pack", "broken"])
    assert scan.exit_code == 2, scan.output
    assert "TST001" in scan.stderr and "$.rules[0].grade" in scan.stderr
    assert "Traceback" not in result.output + scan.output


# --- a check kind registered by a plugin -------------------------------------------------------

PLUGIN_PACK = Path(__file__).parent / "data" / "plugin_check_pack"


def _signed_plugin() -> ModuleType:
    spec = importlib.util.spec_from_file_location("signed_check", PLUGIN_PACK / "signed_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["signed_check"] = module  # importable by name, as an installed plugin is
    spec.loader.exec_module(module)
    return module


def test_a_plugin_check_kind_runs_from_a_rule_file() -> None:
    plugins = load_plugins(extra=[_signed_plugin()], entry_points=False)
    assert "signed" in plugins.checks and not plugins.failed
    items = [
        item("procedure", "qp01.docx", approver="J. Doe"),
        item("procedure", "qp02.docx", approver="Intern"),
        item("work_instruction", "wi01.docx", approver="Intern"),
    ]
    report = check_items(PLUGIN_PACK / "rules", items, as_of=date(2026, 3, 31), plugins=plugins)
    [finding] = report.findings
    assert (finding.rule_id, finding.grade.value) == ("SIG001", "minor")
    assert [ref.id for ref in finding.evidence] == ["test:qp02.docx"]
    assert "signed off by Intern, not by J. Doe or A. Smith" in finding.statement


def test_a_plugin_check_kind_is_explained_in_its_own_words() -> None:
    plugins = load_plugins(extra=[_signed_plugin()], entry_points=False)
    packs = load_packs([RulePack(name="signed", version="1", path=PLUGIN_PACK / "rules", api=">=2")], plugins.checks)
    text = explain_text(packs.rules[0])
    assert "Every procedure must be signed off (approver) by one of J. Doe, A. Smith." in text


def _signed_rule(tmp_path: Path, check: str) -> Path:
    source = (PLUGIN_PACK / "rules" / "7.5.toml").read_text(encoding="utf-8")
    (tmp_path / "7.5.toml").write_text(source[: source.index("[rules.check]")] + check, encoding="utf-8")
    return tmp_path / "7.5.toml"


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        (
            '[rules.check]\nkind = "signed"\nfield = "approver"\nby = []\n',
            "$.rules[0].check.by: [] should be non-empty",
        ),
        ('[rules.check]\nkind = "signed"\nby = ["J. Doe"]\n', "$.rules[0].check: 'field' is a required property"),
        (
            '[rules.check]\nkind = "signed"\nfield = "approver"\nby = ["J. Doe"]\nsigned_on = "issued"\n',
            "$.rules[0].check: Additional properties are not allowed ('signed_on' was unexpected)",
        ),
    ],
    ids=["empty-list", "missing-param", "unknown-param"],
)
def test_a_plugin_kind_is_validated_against_its_own_model(tmp_path: Path, check: str, expected: str) -> None:
    plugins = load_plugins(extra=[_signed_plugin()], entry_points=False)
    path = _signed_rule(tmp_path, check)
    with pytest.raises(RulePackError) as error:
        load_packs([RulePack(name="signed", version="1", path=tmp_path, api=">=2")], plugins.checks)
    assert f"{path}: rule SIG001: {expected}" in str(error.value)


def test_an_unknown_kind_lists_the_known_ones_and_a_close_match(tmp_path: Path) -> None:
    plugins = load_plugins(extra=[_signed_plugin()], entry_points=False)
    _signed_rule(tmp_path, '[rules.check]\nkind = "sigend"\n')
    with pytest.raises(RulePackError) as error:
        load_packs([RulePack(name="signed", version="1", path=tmp_path, api=">=2")], plugins.checks)
    assert "rule SIG001: $.rules[0].check.kind: unknown check kind 'sigend'; did you mean 'signed'?" in str(error.value)
    assert (
        "(known: avoids, covers, differs, each, exclusions, exists, fresh, mentions, periodic, references, signed, unique, within)"
        in str(error.value)
    )
    # Without the plugin, its kind is unknown too: rules load against the kinds registered.
    with pytest.raises(RulePackError, match="unknown check kind 'signed'"):
        load_packs([RulePack(name="signed", version="1", path=PLUGIN_PACK / "rules", api=">=2")])


def test_only_scope001_may_use_the_exclusions_kind(tmp_path: Path) -> None:
    check = '[rules.check]\nkind = "exclusions"\nmin_justification = 5\ndisallowed_grade = "major"\n'
    _signed_rule(tmp_path, check)
    with pytest.raises(RulePackError, match="rule SIG001: check kind 'exclusions' belongs to SCOPE001"):
        load_packs([RulePack(name="signed", version="1", path=tmp_path, api=">=2")])


def test_preview_is_not_a_status(tmp_path: Path) -> None:
    path = tmp_path / "7.1.toml"
    path.write_text(GOOD.replace('grade = "minor"', 'grade = "minor"\nstatus = "preview"'))
    with pytest.raises(
        RulePackError, match=r"\$\.rules\[0\]\.status: 'preview' is not one of \['stable', 'deprecated'\]"
    ):
        load_rule_file(path)
