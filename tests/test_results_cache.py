"""A rescan re-evaluates only the rules whose evidence changed, and reports exactly what a full scan reports."""

from __future__ import annotations

import importlib
import shutil
import sqlite3
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, Literal

import openpyxl
import pytest
from pydantic import BaseModel
from qmscheck.checking.packs import LoadedPacks, LoadedRule, RulePack
from qmscheck.checking.rule_model import Rule
from qmscheck.checking.run import CheckOptions, run_check
from qmscheck.collecting.run import CollectOptions, collect
from qmscheck.config.scan_config import load_config
from qmscheck.model.report import Report
from qmscheck.plugins.manager import Plugins, load_plugins
from qmscheck.scan import ScanRequest, scan
from qmscheck.storage.stored_summaries import StoredRest, decode, decode_list, encode_rest

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"
CALIBRATION = Path("share") / "04 Records" / "Calibration Log.xlsx"


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    org = tmp_path / "acme"
    shutil.copytree(ACME, org, ignore=shutil.ignore_patterns(".qmscheck"))
    return org


def run(org: Path, index: Path | None, *, full: bool = False, as_of: date | None = None) -> tuple[Report, Counter[str]]:
    options = CollectOptions(index=index, full=full)
    report = scan(ScanRequest(target=org, collect=options, as_of=as_of))
    return report, options.stats


def _encoded(rest: dict[str, object]) -> bytes:
    """A stored rest as the check stage writes it, from entries by slot as text."""
    return encode_rest(sorted((int(text), entry) for text, entry in rest.items()))


def untrusted(report: Report) -> str:
    """The report's JSON without the warning it must carry: that rows edited outside qmscheck were
    not trusted (their seals do not verify) but worked out again."""
    said = [w for w in report.warnings if "rule results stored in the evidence index did not verify" in w.message]
    assert len(said) == 1, report.warnings
    return report.model_copy(update={"warnings": [w for w in report.warnings if w not in said]}).model_dump_json()


def without_index(org: Path) -> str:
    return run(org, None)[0].model_dump_json()


def test_unchanged_evidence_reuses_every_rule_without_decoding_anything(acme: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    first, stats = run(acme, index)
    assert stats["rules_reused"] == 0 and stats["rules_evaluated"] == first.rules_evaluated > 50
    second, stats = run(acme, index)
    assert stats["rules_reused"] == first.rules_evaluated
    assert stats["rules_evaluated"] == 0 and stats["groups_read"] == 0
    assert second.model_dump_json() == first.model_dump_json() == without_index(acme)


def test_a_changed_register_reevaluates_only_the_rules_that_read_it(acme: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    first, _ = run(acme, index)
    workbook = openpyxl.load_workbook(acme / CALIBRATION)
    sheet = workbook.worksheets[0]
    # Every instrument's next calibration is now long overdue: the calibration rules must see it.
    header_row = next(row for row in sheet.iter_rows() if any(c.value == "Next Due" for c in row))
    column = next(c.column for c in header_row if c.value == "Next Due")
    for row in range(header_row[0].row + 1, sheet.max_row + 1):
        if sheet.cell(row, column).value:
            sheet.cell(row, column).value = date(2020, 1, 1)
    workbook.save(acme / CALIBRATION)

    rescan, stats = run(acme, index)
    assert 0 < stats["rules_evaluated"] < first.rules_evaluated / 4
    # The rules evaluated again combine the register's new summaries with the stored ones of every other file.
    assert stats["groups_summarised"] == 1
    assert stats["rules_reused"] == first.rules_evaluated - stats["rules_evaluated"]
    assert rescan.model_dump_json() != first.model_dump_json()
    assert rescan.model_dump_json() == without_index(acme)


def test_settings_and_full_reevaluate_everything(acme: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    first, _ = run(acme, index)
    later, stats = run(acme, index, as_of=date(2027, 6, 30))
    assert stats["rules_reused"] == 0
    assert later.model_dump_json() != first.model_dump_json()
    _, stats = run(acme, index, full=True)
    assert stats["rules_reused"] == 0 and stats["rules_evaluated"] == first.rules_evaluated


def test_damaged_cached_findings_are_evaluated_again(acme: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    first, _ = run(acme, index)
    with sqlite3.connect(index) as db:
        db.execute("UPDATE rule_results SET findings = x'00ff' WHERE rule_id = 'CAL001'")
    again, stats = run(acme, index)
    assert stats["rules_evaluated"] == 1
    assert untrusted(again) == first.model_dump_json()


def test_verbose_scan_says_how_many_rules_were_reused(acme: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    def scan_verbose() -> str:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "qmscheck",
                "scan",
                str(acme),
                "--index",
                str(tmp_path / "i.sqlite"),
                "--fail-on",
                "never",
                "-v",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stderr

    assert "rules: 0 reused" in scan_verbose()
    assert (
        ", 0 evaluated (0 of them kept their findings, 0 citing changed files anew; 0 files decoded)" in scan_verbose()
    )


def test_damaged_or_stale_summaries_are_worked_out_again(acme: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    first, _ = run(acme, index)
    with sqlite3.connect(index) as db:
        (damaged,) = db.execute("SELECT rule_id FROM stored_summaries WHERE rule_id = 'CAL001'").fetchone()
        db.execute("UPDATE stored_summaries SET header = x'00ff' WHERE rule_id = 'CAL001'")
        db.execute("DELETE FROM rule_results")
    again, stats = run(acme, index)
    assert stats["rules_evaluated"] == first.rules_evaluated and stats["groups_summarised"] == 1  # the log
    assert untrusted(again) == first.model_dump_json()
    # A deleted file's summaries are forgotten with it.
    (acme / CALIBRATION).unlink()
    run(acme, index)
    with sqlite3.connect(index) as db:
        (blob,) = db.execute("SELECT header FROM stored_summaries WHERE rule_id = ?", (damaged,)).fetchone()
        stored = decode(blob)
        lists = {digest: decode_list(items) for digest, items in db.execute("SELECT digest, items FROM summary_lists")}
    assert len(lists[stored.keys]) == len(lists[stored.digests]) == len(stored.populations)
    assert not any("Calibration Log" in key for key in lists[stored.keys])


def test_an_added_file_is_the_only_one_summarised(acme: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    run(acme, index)
    procedure = next((acme / "share").rglob("*.docx"))
    shutil.copy(procedure, procedure.with_name("QP-99 Copy of a procedure.docx"))
    again, stats = run(acme, index)
    # The rules reading documents match their stored summaries to the groups by key, and summarise
    # the new file alone.
    assert stats["groups_summarised"] == 1
    assert again.model_dump_json() == without_index(acme)
    with sqlite3.connect(index) as db:
        lists = {digest: decode_list(items) for digest, items in db.execute("SELECT digest, items FROM summary_lists")}
        rules = {rule_id: decode(blob) for rule_id, blob in db.execute("SELECT rule_id, header FROM stored_summaries")}
    # Every rule's summaries refer to a kept list of keys of their length; the rules that read
    # documents now list the new file.
    assert all(
        len(lists[stored.keys]) == len(lists[stored.digests]) == len(stored.populations) for stored in rules.values()
    )
    assert any("QP-99 Copy of a procedure" in key for stored in rules.values() for key in lists[stored.keys])
    # Rules reading the same groups share their lists, and lists no rule names any more are gone.
    assert set(lists) == {stored.keys for stored in rules.values()} | {stored.digests for stored in rules.values()}
    assert len(set(lists)) < len(rules)


def test_summaries_whose_list_of_keys_is_gone_are_worked_out_again(acme: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    run(acme, index)
    procedure = next((acme / "share").rglob("*.docx"))
    shutil.copy(procedure, procedure.with_name("QP-99 Copy of a procedure.docx"))
    with sqlite3.connect(index) as db:
        db.execute("DELETE FROM summary_lists")
    again, stats = run(acme, index)
    assert stats["groups_summarised"] > 10  # every group the rules evaluated again read
    assert again.model_dump_json() == without_index(acme)


def test_one_edited_stored_summary_is_not_trusted_and_its_rule_summarised_again(acme: Path, tmp_path: Path) -> None:

    index = tmp_path / "index.sqlite"
    first, _ = run(acme, index)
    with sqlite3.connect(index) as db:
        rows = db.execute("SELECT rule_id, rest FROM summary_rests").fetchall()
        # A rule that keeps more than a count of many files (document numbers, to find duplicates).
        rule_id, blob = max(rows, key=lambda row: len(StoredRest(row[1]).all()))
        rest = StoredRest(blob).all()
        assert len(rest) > 10
        damaged = sorted(rest, key=int)[3]
        rest[damaged] = ["not", "a summary"]
        db.execute("UPDATE summary_rests SET rest = ? WHERE rule_id = ?", (_encoded(rest), rule_id))
        db.execute("DELETE FROM rule_results WHERE rule_id = ?", (rule_id,))
    again, stats = run(acme, index)
    # The row's seal does not verify: none of its entries is believed.
    assert (stats["rules_evaluated"], stats["groups_summarised"]) == (1, len(rest))
    assert untrusted(again) == first.model_dump_json()
    with sqlite3.connect(index) as db:
        (blob,) = db.execute("SELECT rest FROM summary_rests WHERE rule_id = ?", (rule_id,)).fetchone()
    assert StoredRest(blob).all()[damaged] != ["not", "a summary"]  # stored again, mended


@pytest.mark.parametrize(
    "damage",
    [
        {"populations": "many"},
        {"populations": [1.5]},
        {"digests": ["a", "b"]},
        {"keys": ["a"]},
        {"extra": 1},
        {"findings": None},
        {"cited": []},
        {"cited": {"0": 1}},
    ],
)
def test_stored_summaries_of_the_wrong_shape_are_refused(damage: dict[str, object]) -> None:
    import pydantic_core

    whole = {
        "keys": "digest of the keys",
        "digests": "digest of the digests",
        "populations": [1],
        "findings": "f",
        "cited": {},
        **damage,
    }
    with pytest.raises((ValueError, TypeError)):
        decode(pydantic_core.to_json(whole))
    with pytest.raises((ValueError, TypeError)):
        StoredRest(b'["a list, not an object"]').all()


def _procedures(org: Path) -> Path:
    """Markdown procedures, two of which share a document number (DOC004 finds them)."""
    folder = org / "share" / "02 Procedures" / "md"
    folder.mkdir()
    for number, name, revision in [
        (51, "QP-51 Handling", "B"),
        (52, "QP-52 Storage", "B"),
        (53, "QP-53 Packing", "B"),
        (51, "QP-51 copy", "C"),
    ]:
        (folder / f"{name}.md").write_text(
            f"---\ntitle: {name} procedure\ndocument_number: QP-{number}\n"
            f"revision: {revision}\nstatus: approved\n---\n# Steps\nDo it.\n"
        )
    return folder


def _body_edited(acme: Path, index: Path) -> Path:
    """Scan the acme copy with the markdown procedures, then edit QP-52's body (not its metadata)."""
    run(acme, index)
    storage = _procedures_folder(acme) / "QP-52 Storage.md"
    storage.write_text(storage.read_text() + "Revised.\n")
    return storage


def _procedures_folder(acme: Path) -> Path:
    return acme / "share" / "02 Procedures" / "md"


def _doc004(report: Report) -> list[str]:
    return [f"{ref.id} {ref.sha256}" for f in report.findings if f.rule_id == "DOC004" for ref in f.evidence]


def test_findings_stand_when_the_changed_files_summarise_as_before(acme: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    folder = _procedures(acme)
    first, _ = run(acme, index)
    assert len(_doc004(first)) == 2  # QP-51 twice
    # A body edit: the document number, revision and status the rules read are as they were.
    storage = folder / "QP-52 Storage.md"
    storage.write_text(storage.read_text() + "Revised.\n")
    again, stats = run(acme, index)
    assert stats["rules_evaluated"] > 0 and stats["groups_summarised"] == 1
    assert stats["rules_kept"] > 0  # DOC004 among them: its findings cite neither changed file nor summary
    assert again.model_dump_json() == without_index(acme)
    assert _doc004(again) == _doc004(first)
    assert stats["rules_refreshed"] == 0
    # A body edit to a document a finding cites: the finding stands, citing the file's new digest.
    copy = folder / "QP-51 copy.md"
    copy.write_text(copy.read_text() + "Revised.\n")
    third, stats = run(acme, index)
    assert stats["rules_refreshed"] >= 1 and stats["groups_summarised"] == 1
    assert _doc004(third) != _doc004(first) and third.model_dump_json() == without_index(acme)


def test_findings_are_made_again_when_a_changed_file_summarises_otherwise(acme: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    folder = _procedures(acme)
    run(acme, index)
    storage = folder / "QP-52 Storage.md"
    # Now another revision of QP-53, held beside it.
    storage.write_text(storage.read_text().replace("QP-52", "QP-53").replace("revision: B", "revision: C"))
    again, _ = run(acme, index)
    assert again.model_dump_json() == without_index(acme)
    assert any("QP-53" in ref for ref in _doc004(again))


def test_stored_findings_that_are_gone_or_damaged_are_made_again(acme: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    _procedures(acme)
    _body_edited(acme, index)
    with sqlite3.connect(index) as db:
        db.execute("UPDATE rule_results SET findings = x'00ff'")
    again, stats = run(acme, index)
    assert stats["rules_kept"] == 0 and stats["rules_evaluated"] == again.rules_evaluated
    assert untrusted(again) == without_index(acme)
    with sqlite3.connect(index) as db:
        (blob,) = db.execute("SELECT header FROM stored_summaries WHERE rule_id = 'DOC004'").fetchone()
    assert decode(blob).cited  # made again, and the groups its findings cite stored with them


def test_a_duplicate_rule_keeps_its_findings_when_changed_files_hold_keys_no_other_holds(
    acme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qmscheck.checking.primitives.unique import Unique

    answers: list[tuple[str, bool]] = []
    still_holds = Unique.still_holds

    def spy(self: Unique, ctx, kept, removed, added):  # type: ignore[no-untyped-def]
        answer = still_holds(self, ctx, kept, removed, added)
        answers.append((ctx.rule.id, answer))
        return answer

    # Observed, not changed: the report is the same whichever way a rule's findings are kept (that is
    # the point), and the stats count the rules kept, not which rule was kept by still_holds.
    monkeypatch.setattr(Unique, "still_holds", spy)
    index = tmp_path / "index.sqlite"
    folder = _procedures(acme)
    # A body edit changes the file's sha256, which DOC005 (no two copies of the same content) keys on.
    storage = _body_edited(acme, index)
    again, _ = run(acme, index)
    assert ("DOC005", True) in answers
    assert again.model_dump_json() == without_index(acme)
    # Now a copy of another procedure: its key is held elsewhere, so the findings are made again.
    answers.clear()
    storage.write_bytes((folder / "QP-53 Packing.md").read_bytes())
    third, _ = run(acme, index)
    assert ("DOC005", False) in answers
    assert third.model_dump_json() == without_index(acme)
    copies = [f for f in third.findings if f.rule_id == "DOC005" and any("QP-53" in e.id for e in f.evidence)]
    # One requirement in one context is one finding: the new pair is cited beside the copies found before.
    assert len(copies) == 1 and {e.id.rsplit("/", 1)[1] for e in copies[0].evidence} >= {
        "QP-52 Storage.md",
        "QP-53 Packing.md",
    }


def test_findings_are_not_kept_when_the_changed_files_change_the_rule_s_population() -> None:
    # A share of failures in the population can make them systemic: kept findings need it unchanged.
    from types import SimpleNamespace

    from qmscheck.checking.groupwise import GroupwiseRun, _Stored

    asked: list[tuple[object, ...]] = []

    def still_holds(*args: object) -> bool:
        asked.append(args)
        return True

    primitive = SimpleNamespace(still_holds=still_holds)
    rule = SimpleNamespace(
        stale=[1],
        populations=[1, 2],
        summaries={},
        groups=[0, 1],
        primitive=primitive,
        loaded=SimpleNamespace(rule=None),
    )
    run = GroupwiseRun([], date(2026, 1, 1), None, None)  # type: ignore[arg-type]
    groups = [SimpleNamespace(key="a"), SimpleNamespace(key="b")]
    empty = StoredRest(_encoded({}))
    assert not run._still_holds(rule, _Stored("f", {}, None, {1: 1}), empty, groups)  # type: ignore[arg-type]
    assert run._still_holds(rule, _Stored("f", {}, None, {1: 2}), empty, groups) and len(asked) == 1  # type: ignore[arg-type]


def test_stored_summaries_of_an_earlier_layout_are_dropped_and_worked_out_again(acme: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    first, _ = run(acme, index)
    with sqlite3.connect(index) as db:
        db.execute("DROP TABLE stored_summaries")
        db.execute("CREATE TABLE stored_summaries (rule_id TEXT PRIMARY KEY, digest TEXT, header BLOB, rest BLOB)")
        db.execute("CREATE TABLE rule_summaries (rule_id TEXT PRIMARY KEY, digest TEXT, summaries BLOB)")
        db.execute("DELETE FROM rule_results")
    again, stats = run(acme, index)
    assert stats["rules_evaluated"] == first.rules_evaluated and stats["rules_kept"] == 0
    assert again.model_dump_json() == first.model_dump_json()
    with sqlite3.connect(index) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "rule_summaries" not in tables
        assert db.execute("SELECT COUNT(*) FROM stored_summaries").fetchone()[0] > 0


#: A plugin written beside the test: a check primitive whose failures carry DETAIL as their wording.
WORDING_PLUGIN = """
from qmscheck.checking.primitives.base import Groupwise, selection_probe
from qmscheck.hookspecs import hookimpl
from qmscheck.model.verdicts import Failure, GroupSummary


class Wording(Groupwise):
    kind = "wording"
    description = "Every selected item fails."

    def probes(self, rule, as_of):
        return [selection_probe(rule, as_of)]

    def summarise(self, ctx):
        return GroupSummary(failures=[Failure(items=(ctx.cite(item),), detail=DETAIL) for item in ctx.selected])


@hookimpl
def qmscheck_register_checks(register):
    register(Wording())
"""

#: A plugin classifier that claims QP-51's copy as a training record, or claims nothing.
CLASSIFIER_PLUGIN = """
from qmscheck.collecting.classification import Classification, Kind
from qmscheck.hookspecs import hookimpl


@hookimpl
def qmscheck_classify(candidate):
    if CLAIM and candidate.name == "QP-51 copy.md":
        return Classification(type="training_record", kind=Kind.RECORD, reason="test plugin")
    return None
"""


class _WordingCheck(BaseModel):
    """The ``[rules.check]`` of a rule of the plugin's kind: the rule model takes only the built-in kinds."""

    kind: Literal["wording"] = "wording"


@pytest.fixture
def plugin_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path for plugin modules, which are forgotten after the test. No bytecode is
    written: a module rewritten within the same second is then compiled from its new source."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    before = set(sys.modules)
    yield folder
    for name in set(sys.modules) - before:
        del sys.modules[name]


def _plugin(folder: Path, name: str, source: str) -> Plugins:
    """The plugins with the module ``name`` (written into ``folder``, or rewritten and loaded again)."""
    (folder / f"{name}.py").write_text(source, encoding="utf-8")
    importlib.invalidate_caches()
    module = sys.modules.get(name)
    module = importlib.reload(module) if module is not None else importlib.import_module(name)
    return load_plugins(extra=[module], entry_points=False)


def _wording_rule(folder: Path) -> LoadedPacks:
    rule = Rule.model_validate(
        {
            "id": "WORD001",
            "title": "Procedures are worded",
            "clause": "7.5",
            "grade": "minor",
            "requirement": "procedures that are worded",
            "why": "A test.",
            "fix": "None.",
            "select": {"type": "procedure"},
            "check": {"kind": "exists"},
        }
    ).model_copy(update={"check": _WordingCheck()})
    pack = RulePack(name="wording", version="1", path=folder, api=">=2")
    return LoadedPacks(packs=[pack], rules=[LoadedRule(rule, pack, folder / "wording.toml")])


def _worded(org: Path, plugins: Plugins, packs: LoadedPacks, index: Path | None) -> tuple[set[str], str]:
    """The wording of the plugin rule's findings, and the report."""
    config = load_config(org)
    collection = collect(config, plugins, CollectOptions(index=index))
    options = CheckOptions(as_of=date(2026, 3, 31), results=index)
    report = run_check(collection, packs, plugins, config.organisation, options)
    return {finding.statement for finding in report.findings}, report.model_dump_json()


# The rule model's check is a closed union of the built-in kinds, so pydantic warns when it dumps
# the plugin kind's check (for the rule's digest); the dump is still the check's fields.
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
def test_a_check_primitive_whose_code_changed_is_heard_on_the_next_rescan(acme: Path, plugin_folder: Path) -> None:
    index = plugin_folder.parent / "index.sqlite"
    packs = _wording_rule(plugin_folder)
    plugins = _plugin(plugin_folder, "wording_plugin", 'DETAIL = "the old wording"\n' + WORDING_PLUGIN)
    first, _ = _worded(acme, plugins, packs, index)
    assert first and all("the old wording" in statement for statement in first)
    assert _worded(acme, plugins, packs, index)[0] == first  # stored, and reused while nothing changed

    # A bug fix to the primitive in a development checkout: same name, no version, other code.
    plugins = _plugin(plugin_folder, "wording_plugin", 'DETAIL = "a better wording, fixed"\n' + WORDING_PLUGIN)
    rescan, report = _worded(acme, plugins, packs, index)
    assert rescan and all("a better wording, fixed" in statement for statement in rescan)
    assert report == _worded(acme, plugins, packs, None)[1]


#: The same primitive without Groupwise: it judges every selected item at once (CheckPrimitive alone).
WHOLE_PLUGIN = WORDING_PLUGIN.replace("class Wording(Groupwise):", "class Wording:").replace(
    "    def summarise(self, ctx):\n        return GroupSummary(failures=",
    "    def evaluate(self, ctx):\n        return (",
)


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # as above
def test_a_primitive_that_is_not_groupwise_is_checked_over_every_item_and_heard_when_it_changes(
    acme: Path, plugin_folder: Path
) -> None:
    assert "def evaluate(self, ctx):" in WHOLE_PLUGIN and "(Groupwise)" not in WHOLE_PLUGIN
    index = plugin_folder.parent / "index.sqlite"
    packs = _wording_rule(plugin_folder)
    plugins = _plugin(plugin_folder, "whole_plugin", 'DETAIL = "the old wording"\n' + WHOLE_PLUGIN)
    first, report = _worded(acme, plugins, packs, index)
    groupwise = _plugin(plugin_folder, "wording_plugin", 'DETAIL = "the old wording"\n' + WORDING_PLUGIN)
    assert first and report == _worded(acme, groupwise, packs, None)[1]  # the same findings either way

    plugins = _plugin(plugin_folder, "whole_plugin", 'DETAIL = "a better wording, fixed"\n' + WHOLE_PLUGIN)
    rescan, _ = _worded(acme, plugins, packs, index)
    assert rescan and all("a better wording, fixed" in statement for statement in rescan)


def _qp51(report: Report) -> list[str]:
    return sorted(ref.locator for f in report.findings if f.rule_id == "DOC004" for ref in f.evidence)


def test_a_classifier_whose_code_changed_is_heard_on_the_next_rescan(acme: Path, plugin_folder: Path) -> None:
    index = plugin_folder.parent / "index.sqlite"
    _procedures(acme)
    plugins = _plugin(plugin_folder, "claims_plugin", "CLAIM = False\n" + CLASSIFIER_PLUGIN)
    first = scan(ScanRequest(target=acme, collect=CollectOptions(index=index)), plugins)
    assert any("QP-51 copy.md" in locator for locator in _qp51(first))

    # Now the copy is a training record: no longer a document whose number clashes.
    plugins = _plugin(plugin_folder, "claims_plugin", "CLAIM = True\n" + CLASSIFIER_PLUGIN)
    rescan = scan(ScanRequest(target=acme, collect=CollectOptions(index=index)), plugins)
    assert not any("QP-51 copy.md" in locator for locator in _qp51(rescan))
    assert rescan.model_dump_json() == scan(ScanRequest(target=acme), plugins).model_dump_json()


def test_the_stored_rest_reads_one_entry_without_the_others() -> None:
    from qmscheck.storage.stored_summaries import DAMAGED_ENTRY

    rest = {"3": [[], ["QP-3"], [0]], "12": [[], None, []], "40": [[["gap", None, None, []]], {"k": 1}, [0, 1]]}
    blob = _encoded(rest)
    stored = StoredRest(blob)
    assert [stored.get(text) for text in ("3", "12", "40")] == [rest["3"], rest["12"], rest["40"]]
    assert stored.get("4") is None and "4" not in stored and "40" in stored
    assert stored.all() == rest and StoredRest(blob).all() == rest
    assert StoredRest(_encoded({})).all() == {}
    # Entries replaced, removed (a count now) and added: while they are few, only they are written.
    changed = {12: [[], ["new"], []], 40: None, 7: [[], None, [2]]}
    expected = {"3": rest["3"], "7": [[], None, [2]], "12": [[], ["new"], []]}
    whole, changes = stored.with_entries(changed)
    assert whole is None and len(changes) < len(blob)
    updated = StoredRest(blob, changes)
    assert [updated.get(text) for text in ("3", "7", "12", "40")] == [rest["3"], expected["7"], expected["12"], None]
    assert updated.all() == expected and updated.entries_except({7}) == [rest["3"], expected["12"]]
    # Changes add up; once they are many, the whole is written again, with the others as they were read.
    assert StoredRest(blob, updated.with_entries({3: None})[1]).all() == {"7": expected["7"], "12": expected["12"]}
    StoredRest.CHANGES_AT_LEAST = 0
    try:
        whole, changes = updated.with_entries({})
    finally:
        StoredRest.CHANGES_AT_LEAST = 1000
    assert whole is not None and changes == b"" and StoredRest(whole).all() == expected
    assert whole.split(b"\n")[1] == blob.split(b"\n")[1]  # slot 3, written back byte for byte
    # One entry that is not JSON reads as damaged, alone: the others are read as they were stored.
    lines = blob.split(b"\n")
    lines[2] = b"[not json"
    damaged = StoredRest(b"\n".join(lines))
    assert damaged.get("12") == DAMAGED_ENTRY and damaged.get("40") == rest["40"]
    assert damaged.all() == {**rest, "12": DAMAGED_ENTRY}


def test_the_rest_is_written_by_slot_ascending() -> None:
    with pytest.raises(ValueError, match="ascending"):
        encode_rest([(4, []), (2, [])])


@pytest.mark.parametrize("blob", [b'{"3": []}', b"[3, 1]\n[]\n[]", b"[1, 2]\n[]", b'["1"]\n[]', b"not json"])
def test_a_stored_rest_of_the_wrong_layout_is_refused(blob: bytes) -> None:
    with pytest.raises((ValueError, TypeError)):
        StoredRest(blob)


def test_a_rule_whose_changed_files_summarise_as_before_reads_only_their_stored_entries(
    acme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qmscheck.checking.groupwise import GroupwiseRun

    read_whole: list[str] = []
    stored_rest = GroupwiseRun._stored_rest

    def spy(self: GroupwiseRun, rule):  # type: ignore[no-untyped-def]
        rest = stored_rest(self, rule)
        if rest is not None:
            whole = rest._decoded

            def decoded() -> list[Any]:
                read_whole.append(rule.id)
                return whole()

            rest._decoded = decoded  # type: ignore[method-assign]
        return rest

    # Observed, not changed: which stored entries a rule decodes changes only how long a rescan takes.
    monkeypatch.setattr(GroupwiseRun, "_stored_rest", spy)
    index = tmp_path / "index.sqlite"
    _procedures(acme)
    _body_edited(acme, index)
    again, stats = run(acme, index)
    assert stats["rules_kept"] > 0 and again.model_dump_json() == without_index(acme)
    # DOC004 (document numbers) summarises the edited file as before; DOC005 (copies, keyed on the
    # file's digest) weighs its new key against every other file's.
    assert "DOC004" not in read_whole and "DOC005" in read_whole


def test_the_report_findings_are_reused_while_every_rules_findings_are_the_same(
    acme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import qmscheck.checking.run as check
    from qmscheck.checking.merge import merge_findings
    from qmscheck.model.report import Finding

    merged: list[int] = []

    def counted(found: list[Finding], group_of: dict[str, str], same_as: dict[str, str]) -> list[Finding]:
        merged.append(len(found))
        return merge_findings(found, group_of, same_as)

    # Observed, not changed: stored or merged again, the report's findings are the same; only the
    # calls to merge_findings tell them apart.
    monkeypatch.setattr(check, "merge_findings", counted)
    index = tmp_path / "index.sqlite"
    folder = _procedures(acme)
    first, _ = run(acme, index)
    assert merged and first.findings
    # Stored the second time the same findings are made: the first made them from nothing.
    merged.clear()
    assert run(acme, index)[0].model_dump_json() == first.model_dump_json() and len(merged) == 1
    merged.clear()
    storage = folder / "QP-52 Storage.md"
    storage.write_bytes(storage.read_bytes())  # touched: every rule finds what it found
    again, stats = run(acme, index)
    assert stats["rehashed"] == 1 and merged == []
    assert again.model_dump_json() == first.model_dump_json() == without_index(acme)
    # A body edit to a document DOC001 cites: its finding cites the new digest, so the findings are
    # merged and sorted again.
    merged.clear()
    storage.write_text(storage.read_text() + "Revised.\n")
    third, _ = run(acme, index)
    assert len(merged) == 1 and third.model_dump_json() == without_index(acme)
    assert third.model_dump_json() != again.model_dump_json()
    # Damaged, or asked for afresh (--full): made again.
    merged.clear()
    with sqlite3.connect(index) as db:
        db.execute("UPDATE report_findings SET findings = x'00ff'")  # as if stored, but damaged
    assert untrusted(run(acme, index)[0]) == third.model_dump_json() and len(merged) == 1
    assert run(acme, index, full=True)[0].model_dump_json() == third.model_dump_json() and len(merged) == 2


def test_stored_findings_that_no_longer_decode_say_how_to_recover() -> None:
    from qmscheck.errors import QmscheckError
    from qmscheck.storage.results import StoredFindings

    with pytest.raises(QmscheckError, match="scan again with --full"):
        _ = StoredFindings.stored(zlib.compress(b'[{"not": "a finding"}]')).findings  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("now", "refreshed"),
    [
        (("id-1", "a.md", "new digest", "QP-01"), True),
        (("id-2", "a.md", "new digest", "QP-01"), False),  # another item at the place cited
        (("id-1", "b.md", "new digest", "QP-01"), False),  # it shows another locator
        (("id-1", "a.md", "new digest", "QP-09"), False),  # or another label: the statement names it
    ],
)
def test_findings_citing_a_changed_group_are_cited_anew_only_while_it_reads_the_same(
    now: tuple[str, str, str, str], refreshed: bool
) -> None:
    from types import SimpleNamespace

    from qmscheck.checking.groupwise import _refreshed
    from qmscheck.model.report import EvidenceRef, Finding
    from qmscheck.model.verdicts import Cited
    from qmscheck.storage.results import StoredFindings
    from qmscheck.storage.stored_summaries import group_digest

    ref = EvidenceRef(id="id-1", locator="a.md", sha256="old digest", label="QP-01")
    other = EvidenceRef(id="id-7", locator="c.md", sha256="its digest", label="QP-07")
    found = [
        Finding(
            id="R-1",
            grade="minor",
            clause="7.5.3",
            rule_id="R",
            title="t",
            statement="s",
            evidence=[ref],
            why="w",
            fix="f",
            pack="p",
            stages=[1, 2],
        ),
        Finding(
            id="R-2",
            grade="minor",
            clause="7.5.3",
            rule_id="R",
            title="t",
            statement="s",
            evidence=[other],
            why="w",
            fix="f",
            pack="p",
            stages=[1, 2],
        ),
    ]
    # Stand-ins with only what _refreshed reads.
    group: Any = SimpleNamespace(key="g", digest="new:fp", sha256=None)
    rule: Any = SimpleNamespace(stale=[0], groups=[0])
    citations: Any = SimpleNamespace(cited=lambda place: Cited(place.group, place.position, *now))
    result = _refreshed(
        rule,
        StoredFindings.of(found),
        {"0": ["was", [[3, "id-1"]]], "1": ["same", [[0, "id-7"]]]},
        ["0"],
        [group],
        citations,
    )
    if not refreshed:
        assert result is None
        return
    assert result is not None
    findings, cited = result
    assert [f.evidence for f in findings.findings] == [[ref.model_copy(update={"sha256": "new digest"})], [other]]
    # Written as the findings made again would be: the report's stored findings are keyed by it.
    assert findings.content == StoredFindings.of(findings.findings).content
    assert cited == {"0": [group_digest("new:fp"), [[3, "id-1"]]], "1": ["same", [[0, "id-7"]]]}
