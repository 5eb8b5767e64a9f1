"""Rules checked against the evidence vocabulary and their check kind (``checking.vocabulary_check``):
every unknown evidence type or field is named with its place in the rule and the closest known name,
every option the rule's check kind never applies is named, and the rules qmscheck ships pass."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from qmscheck.checking.packs import RulePack, base_pack, load_packs, load_rule_file
from qmscheck.checking.rule_model import BUILTIN_CHECKS, CheckParams, Rule, Selector
from qmscheck.checking.vocabulary_check import (
    BUILTIN_NAMES,
    EvidenceTypeName,
    FieldName,
    known_fields,
    known_types,
    rule_problems,
)
from qmscheck.collecting.lifecycle import Lifecycle
from qmscheck.errors import RulePackError
from qmscheck.model.evidence import Kind
from qmscheck.model.evidence_types import EVIDENCE_TYPES

ROOT = Path(__file__).resolve().parents[1]
#: A pack that adds an evidence type with a field of its own, as a manifest's [evidence_types] does.
TYPES = known_types({"medical_device_file": Kind.DOCUMENT}, builtin=EVIDENCE_TYPES)
FIELDS = known_fields({"reportable"})

FILE_HEAD = 'clause = "8.4"\ntitle = "Test rules"\n\n'
RULE_HEAD = """[[rules]]
id = "TST001"
title = "A test rule"
clause = "8.4"
requirement = "something is so"
why = "Because."
fix = "Make it so."
"""


def _rule(tmp_path: Path, body: str, kinds: dict[str, type[CheckParams]] | None = None) -> Rule:
    path = tmp_path / "8.4.toml"
    path.write_text(FILE_HEAD + RULE_HEAD + body, encoding="utf-8")
    (rule,) = load_rule_file(path, kinds).rules
    return rule


def _problems(tmp_path: Path, body: str) -> list[str]:
    return rule_problems(_rule(tmp_path, body), TYPES, FIELDS)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            'select = { type = "suplier" }\n[rules.check]\nkind = "exists"\n',
            ["unknown evidence type 'suplier' in select.type; did you mean 'supplier'?"],
            id="select.type",
        ),
        pytest.param(
            'select = { type = ["supplier", "medical_devce_file"] }\n[rules.check]\nkind = "exists"\n',
            ["unknown evidence type 'medical_devce_file' in select.type[1]; did you mean 'medical_device_file'?"],
            id="select.type list, a pack's type",
        ),
        pytest.param(
            'select = { type = "complaint", where = [{ field = "status", present = true }, '
            '{ field = "reportabel", equals = true }] }\n[rules.check]\nkind = "exists"\n',
            ["unknown field 'reportabel' in select.where[1].field; did you mean 'reportable'?"],
            id="select.where field",
        ),
        pytest.param(
            'select = { type = "complaint", where = [{ any = [{ field = "status", present = false }, '
            '{ all = [{ field = "custmer", not_one_of = ["internal"] }] }] }] }\n'
            '[rules.check]\nkind = "each"\nrequire = [{ field = "responded", present = true }]\n',
            ["unknown field 'custmer' in select.where[0].any[1].all[0].field; did you mean 'customer'?"],
            id="negated condition deep in a group",
        ),
        pytest.param(
            'select = { type = "complaint" }\n[rules.check]\nkind = "each"\n'
            'require = [{ field = "responded", on_or_before = "field:isued+P30D" }, '
            '{ field = "reportabel", present = true }]\n',
            [
                "unknown field 'isued' in check.require[0].on_or_before; did you mean 'issued'?",
                "unknown field 'reportabel' in check.require[1].field; did you mean 'reportable'?",
            ],
            id="each.require field and date anchor",
        ),
        pytest.param(
            'select = { type = "master_document_list" }\n[rules.check]\nkind = "covers"\n'
            'key = ["document_numbr", "title"]\nmatch = "documnt_number"\nagree = ["revison"]\n'
            'by = { type = "procedur", where = [{ field = "statuss", one_of = ["approved"] }] }\n'
            'require = [{ field = "aproved", present = true }]\n',
            [
                "unknown field 'document_numbr' in check.key[0]; did you mean 'document_number'?",
                "unknown evidence type 'procedur' in check.by.type; did you mean 'procedure'?",
                "unknown field 'statuss' in check.by.where[0].field; did you mean 'status'?",
                "unknown field 'documnt_number' in check.match; did you mean 'document_number'?",
                "unknown field 'aproved' in check.require[0].field; did you mean 'approved'?",
                "unknown field 'revison' in check.agree[0]; did you mean 'revision'?",
            ],
            id="covers",
        ),
        pytest.param(
            'select = { type = "procedure" }\n[rules.check]\nkind = "references"\n'
            'by = { type = "procedure" }\nknown = { type = "internal_audit_reprt" }\n',
            ["unknown evidence type 'internal_audit_reprt' in check.known.type; did you mean 'internal_audit_report'?"],
            id="references.known",
        ),
        pytest.param(
            'select = { type = "procedure" }\n[rules.check]\nkind = "unique"\nkey = "sha256"\ndistinct = "revisions"\n',
            ["unknown field 'revisions' in check.distinct; did you mean 'revision'?"],
            id="unique: the digest is no field, a typo is",
        ),
        pytest.param(
            'select = { type = "internal_audit_report" }\n[rules.check]\nkind = "differs"\n'
            'field = "auditr"\nothers = ["auditee", "proces"]\n',
            [
                "unknown field 'auditr' in check.field; did you mean 'auditor'?",
                "unknown field 'proces' in check.others[1]; did you mean 'process'?",
            ],
            id="differs",
        ),
        pytest.param(
            'select = { type = "management_review_minutes" }\n[rules.check]\nkind = "fresh"\n'
            'field = "isued"\nwithin = "P12M"\n',
            ["unknown field 'isued' in check.field; did you mean 'issued'?"],
            id="fresh",
        ),
        pytest.param(
            'select = { type = "kpi_report" }\n[rules.check]\nkind = "periodic"\nfield = "issud"\nperiod = "P1M"\n',
            ["unknown field 'issud' in check.field; did you mean 'issued'?"],
            id="periodic",
        ),
        pytest.param(
            'source = "organisation"\nparameter = "complaint_closure_time"\nselect = { type = "complaint" }\n'
            '[rules.check]\nkind = "within"\nstart = "issued"\nend = ["completd", "responded"]\n',
            ["unknown field 'completd' in check.end[0]; did you mean 'completed'?"],
            id="within",
        ),
        pytest.param(
            'select = { type = "context_analysis" }\n[rules.check]\nkind = "mentions"\n'
            'topics = ["climate_change"]\nnewest_by = "aproved"\n',
            ["unknown field 'aproved' in check.newest_by; did you mean 'approved'?"],
            id="mentions.newest_by",
        ),
        pytest.param(
            'select = { type = "form", where = [{ field = "isued_text", present = false }, '
            '{ field = "approval_status", present = false }] }\n[rules.check]\nkind = "exists"\n',
            [
                "unknown field 'isued_text' in select.where[0].field; did you mean 'issued_text'?",
                "unknown field 'approval_status' in select.where[1].field",
            ],
            id="derived names suggested only for a derived name",
        ),
        pytest.param(
            'select = { type = "zzzz" }\n[rules.check]\nkind = "exists"\n',
            ["unknown evidence type 'zzzz' in select.type"],
            id="nothing close",
        ),
    ],
)
def test_unknown_names_are_named_where_they_are(tmp_path: Path, body: str, expected: list[str]) -> None:
    assert _problems(tmp_path, body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            'absent_grade = "minor"\nselect = { type = "context_analysis" }\n'
            '[rules.check]\nkind = "mentions"\ntopics = ["climate_change"]\n',
            "absent_grade does not apply to check kind 'mentions': a 'mentions' check never finds nothing of the "
            "kind at all (the kinds that do: exists, fresh, periodic, covers with keys_from)",
            id="absent_grade on mentions",
        ),
        pytest.param(
            'when_absent = "request"\nselect = { type = "complaint" }\n'
            '[rules.check]\nkind = "each"\nrequire = [{ field = "responded", present = true }]\n',
            "when_absent does not apply to check kind 'each'",
            id="when_absent on each",
        ),
        pytest.param(
            'absent_grade = "minor"\nselect = { type = "master_document_list" }\n[rules.check]\nkind = "covers"\n'
            'key = "document_number"\nmatch = "document_number"\nby = { type = "procedure" }\n',
            "absent_grade does not apply to check kind 'covers': a 'covers' check with 'key' judges the keys items "
            "have",
            id="absent_grade on covers with key",
        ),
        pytest.param(
            'warning_window = "P30D"\nselect = { type = "procedure" }\n[rules.check]\nkind = "unique"\n'
            'key = "document_number"\n',
            "warning_window does not apply to check kind 'unique': only 'each' and 'fresh' judge near misses",
            id="warning_window on unique",
        ),
        pytest.param(
            'source = "good-practice"\nabsent_grade = "ofi"\nselect = { type = "quality_policy" }\n'
            '[rules.check]\nkind = "exists"\n',
            "absent_grade does not apply to a good-practice rule: every finding of it is advice",
            id="absent_grade on good practice",
        ),
        pytest.param(
            'select = { type = "complaint", where = [{ field = "status", present = true, if_kept = true }] }\n'
            '[rules.check]\nkind = "exists"\n',
            "if_kept in select.where[0] does not apply",
            id="if_kept in a selection",
        ),
        pytest.param(
            'select = { type = "complaint" }\n[rules.check]\nkind = "each"\n'
            'require = [{ any = [{ field = "responded", present = true, if_kept = true }, '
            '{ field = "completed", present = true }] }]\n',
            "if_kept in check.require[0].any[0] does not apply",
            id="if_kept inside a group",
        ),
        pytest.param(
            'select = { type = "procedure" }\n[rules.check]\nkind = "mentions"\ntopics = ["climate_change"]\n'
            'target = "each"\nnewest_by = "approved"\n',
            "check.newest_by does not apply with target 'each'",
            id="newest_by with target each",
        ),
    ],
)
def test_options_the_check_kind_never_applies_are_named(tmp_path: Path, body: str, expected: str) -> None:
    (problem,) = _problems(tmp_path, body)
    assert problem.startswith(expected)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            'absent_grade = "observation"\nwhen_absent = "request"\nselect = { type = "design_project" }\n'
            '[rules.check]\nkind = "exists"\n',
            id="exists reports an absence",
        ),
        pytest.param(
            'absent_grade = "minor"\nselect = { type = "audit_programme_entry" }\n[rules.check]\nkind = "covers"\n'
            'keys_from = "organisation.processes"\nmatch = "process"\nby = { type = "audit_programme_entry" }\n',
            id="covers with keys_from reports an absence",
        ),
        pytest.param(
            'warning_window = "P30D"\nselect = { type = "calibration_record" }\n[rules.check]\nkind = "each"\n'
            'require = [{ field = "due", on_or_after = "as_of", if_kept = true }]\n',
            id="each judges near misses and if_kept",
        ),
        pytest.param(
            'select = { type = "form", where = [{ field = "template", equals = true }, '
            '{ field = "due_text", present = false }, { field = "revision_conflict", present = false }] }\n'
            '[rules.check]\nkind = "exists"\n',
            id="fields readers derive",
        ),
        pytest.param(
            'select = { type = "medical_device_file", where = [{ field = "reportable", equals = true }] }\n'
            '[rules.check]\nkind = "exists"\n',
            id="a pack's type and field",
        ),
    ],
)
def test_names_and_options_that_apply_pass(tmp_path: Path, body: str) -> None:
    assert _problems(tmp_path, body) == []


def test_known_sets_come_from_the_vocabulary_and_the_packs() -> None:
    assert "reportable" not in known_fields()
    assert "reportable" in known_fields({"reportable"})
    assert {"root_cause", "document_number", "due", "id"} <= known_fields()  # vocabulary and core fields
    assert {"medical_device_file", "supplier", "unclassified"} <= TYPES
    assert "medical_device_file" not in known_types({}, builtin=EVIDENCE_TYPES)


def test_what_a_document_lifecycle_puts_on_an_item_is_known() -> None:
    lifecycle = Lifecycle(state="retired", reason="folder 'Obsolete'", kept_apart=True, template=True)
    assert set(lifecycle.attributes()) <= known_fields()


class StampParams(CheckParams):
    """A plugin's check kind: its names are marked, a selector and free text are not."""

    field: FieldName
    of: list[EvidenceTypeName]
    by: Selector | None = None
    note: str = ""


def test_a_plugin_kinds_marked_parameters_and_selectors_are_checked(tmp_path: Path) -> None:
    body = (
        'select = { type = "procedure" }\n[rules.check]\nkind = "stamped"\nfield = "aprover"\n'
        'of = ["form", "wrk_instruction"]\nby = { type = "employe" }\nnote = "not_a_field"\n'
    )
    rule = _rule(tmp_path, body, {**BUILTIN_CHECKS, "stamped": StampParams})
    assert rule_problems(rule, TYPES, FIELDS) == [
        "unknown field 'aprover' in check.field; did you mean 'approver'?",
        "unknown evidence type 'wrk_instruction' in check.of[1]; did you mean 'work_instruction'?",
        "unknown evidence type 'employe' in check.by.type; did you mean 'employee'?",
    ]


#: Parameters of the built-in kinds that name nothing: periods, words, switches, topics (checked
#: against the vocabulary's [topics] by the pack loader), and the selectors and conditions walked as such.
NOT_NAMES = {
    "kind", "min", "require", "within", "keys_from", "by", "numbers", "unmatched", "topics", "target",
    "instead", "period", "since", "grace", "ignore_folders", "known", "min_justification",
    "disallowed_grade",
}  # fmt: skip


def test_every_parameter_of_a_built_in_kind_is_known_to_name_something_or_not() -> None:
    """A new parameter must be declared in BUILTIN_NAMES when it names a field or type, so it is checked."""
    unsorted = {
        f"{model.__name__}.{name}"
        for model in BUILTIN_CHECKS.values()
        for name in model.model_fields
        if name not in BUILTIN_NAMES.get(model, {}) and name not in NOT_NAMES
    }
    assert unsorted == set()


#: Fields base rules read that no vocabulary [fields] table maps and no pack declares: each is found only
#: where a register's English header happens to snake-case to it ("Released by" -> released_by; a
#: German "Freigegeben von" maps elsewhere or nowhere), and 'process_owner' never, because the
#: vocabulary maps a "Process owner" column to 'owner'. Reported for the vocabulary or the base
#: manifest to declare; empty this set when they are.
def test_the_base_pack_names_only_known_types_and_fields_and_applicable_options() -> None:
    """The base pack declares in its manifest the fields no vocabulary names (a header as written)."""
    pack = base_pack()
    assert pack.manifest is not None and pack.manifest.fields
    types = known_types({}, builtin=EVIDENCE_TYPES)
    fields = known_fields(pack.manifest.fields)
    problems = [
        f"{loaded.rule.id}: {problem}"
        for loaded in load_packs([pack]).rules
        for problem in rule_problems(loaded.rule, types, fields)
    ]
    assert problems == []
    # Without them, the rules reading them would be refused.
    assert any("unknown field 'released_by'" in problem for loaded in load_packs([pack]).rules
               for problem in rule_problems(loaded.rule, types, known_fields()))  # fmt: skip


def test_load_packs_refuses_a_rule_naming_an_unknown_type_or_field(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "8.2.toml").write_text(
        'clause = "8.2"\ntitle = "t"\n[[rules]]\nid = "TYP001"\ntitle = "t"\nclause = "8.2.1"\n'
        'requirement = "r"\nwhy = "w"\nfix = "f"\nselect = { type = "complain", where = '
        '[{ field = "reportabel", not_one_of = ["no"] }] }\ncheck = { kind = "exists" }\n',
        encoding="utf-8",
    )
    with pytest.raises(RulePackError) as raised:
        load_packs([base_pack(), RulePack(name="typo", version="1", path=folder, api=">=2")])
    message = str(raised.value)
    assert (
        "8.2.toml: rule TYP001: unknown evidence type 'complain' in select.type; did you mean 'complaint'?" in message
    )
    assert "rule TYP001: unknown field 'reportabel' in select.where[0].field" in message


def test_the_test_plugin_pack_is_clean() -> None:
    pack = ROOT / "tests" / "data" / "plugin_check_pack"
    spec = importlib.util.spec_from_file_location("signed_check", pack / "signed_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["signed_check"] = module  # its annotations resolve by module name, as an installed plugin's do
    spec.loader.exec_module(module)
    (rule,) = load_rule_file(pack / "rules" / "7.5.toml", {**BUILTIN_CHECKS, "signed": module.SignedParams}).rules
    assert rule_problems(rule, known_types({}, builtin=EVIDENCE_TYPES), known_fields()) == []
