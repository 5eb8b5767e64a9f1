"""Packs described by a manifest: their standard, overlays on the packs they build on, selection,
clauses qualified by their standard, crosswalks, and isolation of a pack that cannot load."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from qmscheck.checking.explain import explain_text, find_rule
from qmscheck.checking.packs import (
    LoadedPacks,
    RulePack,
    base_pack,
    chosen,
    load_installed,
    load_packs,
    select_packs,
    use_pack_words,
)
from qmscheck.checking.rule_model import FreshCheck
from qmscheck.cli import main
from qmscheck.collecting.run import collect
from qmscheck.config.scan_config import load_config
from qmscheck.errors import RulePackError
from qmscheck.hookspecs import hookimpl
from qmscheck.model.evidence import Exclusion, Organisation
from qmscheck.model.groups import items_of
from qmscheck.plugins.manager import Plugins, load_plugins
from qmscheck.scan import ScanRequest, scan, selected_packs
from qmscheck.testing import check_items, item

AS_OF = date(2026, 3, 31)

#: A sector standard whose 7.3 is design (ISO 9001's 7.3 is awareness), with one rule of its own.
SECTOR = """
[pack]
name = "sector"
version = "1.2.0"
api = ">=2,<3"
crosswalk = "crosswalk.toml"

[standard]
id = "sector"
name = "SECTOR 1"
title = "A sector standard"
editions = ["2020"]

[[depends]]
pack = "iso9001"
version = ">=1.0"

[clauses]
"7" = "Product realisation"
"7.3" = "Design and development"
"7.3.8" = "Design transfer"
"8" = "Measurement"
"8.2.2" = "Complaint handling"

[[exclusions]]
clause = "7.3"
needs = "that the organisation does no design"

[evidence_types.design_transfer]
kind = "record"
fields = ["transferred"]
label = ["product"]
"""

SECTOR_RULES = {
    "7.3.toml": """
clause = "7.3"
title = "Design and development"

[[rules]]
id = "SECDES001"
title = "Design outputs are transferred to production"
clause = "7.3.8"
source = "standard"
tags = ["design"]
requirement = "each design transfer is recorded as done"
why = "w"
fix = "f"
select = { type = "design_transfer" }
check = { kind = "each", require = [{ field = "transferred", equals = "yes" }] }
""",
    "8.2.toml": """
clause = "8.2"
title = "Feedback"

[[rules]]
id = "SECCMP001"
title = "Closed complaints were answered"
clause = "8.2.2"
source = "standard"
requirement = "each closed complaint records the answer given to the customer"
why = "w"
fix = "f"
select = { type = "complaint", where = [{ field = "status", one_of = ["closed"] }] }
check = { kind = "each", require = [{ field = "responded", present = true }] }
""",
}

CROSSWALK = """
standard = "sector"
to = "iso9001"

[[clauses]]
clause = "8.2.2"
to = ["9.1.2"]
same_requirement = true
note = "complaints"
"""


def write_pack(folder: Path, manifest: str, rules: dict[str, str], crosswalk: str | None = CROSSWALK) -> RulePack:
    (folder / "rules").mkdir(parents=True)
    (folder / "pack.toml").write_text(manifest, encoding="utf-8")
    for name, text in rules.items():
        (folder / "rules" / name).write_text(text, encoding="utf-8")
    if crosswalk is not None:
        (folder / "crosswalk.toml").write_text(crosswalk, encoding="utf-8")
    return RulePack.from_manifest(folder / "pack.toml")


@pytest.fixture
def sector(tmp_path: Path) -> RulePack:
    return write_pack(tmp_path / "sector", SECTOR, SECTOR_RULES)


def with_overlays(tmp_path: Path, overlays: str, name: str = "sector") -> RulePack:
    manifest = SECTOR.replace('name = "sector"', f'name = "{name}"') + overlays
    return write_pack(tmp_path / name, manifest, SECTOR_RULES)


def ids(loaded: LoadedPacks) -> set[str]:
    return {item.rule.id for item in loaded.rules}


# --- the manifest ------------------------------------------------------------------------------


def test_the_base_pack_describes_itself_with_a_manifest() -> None:
    pack = base_pack()
    assert pack.manifest is not None
    assert pack.standard.id == "iso9001" and pack.standard.editions == ["2015", "2026"]
    assert pack.clauses["8.4.1"] and pack.clauses["7"]
    assert [exclusion.clause for exclusion in pack.manifest.exclusions] == ["8.3", "8.5.2", "8.5.3", "8.5.5"]


def test_a_rule_outside_the_clause_tree_is_refused_with_the_closest_clause(tmp_path: Path) -> None:
    rules = {"7.3.toml": SECTOR_RULES["7.3.toml"].replace('clause = "7.3.8"', 'clause = "7.3.9"')}
    pack = write_pack(tmp_path / "sector", SECTOR, rules)
    with pytest.raises(RulePackError, match=r"clause 7\.3\.9 is not a clause of SECTOR 1 .*did you mean '7\.3\.8'"):
        load_packs([base_pack(), pack])


def test_a_manifest_error_names_the_file_and_the_key(tmp_path: Path) -> None:
    bad = SECTOR.replace('api = ">=2,<3"', 'api = "two"')
    (tmp_path / "rules").mkdir()
    (tmp_path / "pack.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(RulePackError, match=r"pack\.toml: pack\.api: .*'two' is not a version range"):
        RulePack.from_manifest(tmp_path / "pack.toml")


def test_a_dependency_outside_its_version_range_is_refused(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "sector", SECTOR.replace('version = ">=1.0"', 'version = ">=7"'), SECTOR_RULES)
    with pytest.raises(RulePackError, match=r"sector needs iso9001 >=7; iso9001 1\.0\.0 is installed"):
        load_packs([base_pack(), pack])


# --- the standard of a finding -----------------------------------------------------------------


def test_a_finding_is_named_under_its_own_standard(sector: RulePack) -> None:
    report = check_items([base_pack(), sector], [item("design_transfer", "dt1", transferred="no")], as_of=AS_OF)
    (finding,) = [f for f in report.findings if f.rule_id == "SECDES001"]
    assert finding.standard == "sector" and finding.clause == "7.3.8"
    assert finding.statement.startswith("SECTOR 1 7.3.8 expects that each design transfer is recorded as done.")
    (standard,) = [s for s in report.standards if s.id == "sector"]
    assert standard.edition == "2020" and standard.clauses["7.3.8"] == "Design transfer"
    assert {p.name: p.standard for p in report.packs} == {"iso9001": "iso9001", "sector": "sector"}


def test_the_same_clause_number_of_two_standards_is_not_one_requirement(sector: RulePack) -> None:
    """SECTOR 7.3 is design; ISO 9001 7.3 is awareness: an exclusion of one is not of the other."""
    organisation = Organisation(exclusions=[Exclusion(clause="7.3", justification="We design nothing at all here.")])
    report = check_items([base_pack(), sector], [], as_of=AS_OF, organisation=organisation)
    (excluded,) = report.not_applicable
    assert excluded.standard == "sector" and excluded.rule_ids == ["SECDES001"]
    assert not [f for f in report.findings if f.rule_id == "SCOPE001"]
    base_only = check_items([base_pack()], [], as_of=AS_OF, organisation=organisation)
    (scope,) = [f for f in base_only.findings if f.rule_id == "SCOPE001"]
    assert scope.grade.value == "major" and "ISO 9001 clause 7.3 cannot be declared not applicable" in scope.statement


def test_a_crosswalk_merges_findings_of_the_same_requirement_and_explain_shows_it(
    sector: RulePack, tmp_path: Path
) -> None:
    complaint = item("complaint", "c1", issued=date(2026, 1, 5), status="closed")
    report = check_items([sector, base_pack()], [complaint], as_of=AS_OF)
    (merged,) = [f for f in report.findings if {"SECCMP001", "CUS003"} & {f.rule_id, *f.also_reported_by}]
    assert {merged.rule_id, *merged.also_reported_by} == {"SECCMP001", "CUS003"}
    unmapped = write_pack(
        tmp_path / "unmapped", SECTOR.replace('crosswalk = "crosswalk.toml"\n', ""), SECTOR_RULES, None
    )
    apart = check_items([unmapped, base_pack()], [complaint], as_of=AS_OF)
    assert len([f for f in apart.findings if f.rule_id in ("SECCMP001", "CUS003")]) == 2
    loaded = load_packs([base_pack(), sector])
    rule = find_rule(loaded, "SECCMP001")
    assert rule is not None
    assert "- **Crosswalk:** the same requirement as iso9001 9.1.2 (complaints)" in explain_text(rule)


# --- overlays ----------------------------------------------------------------------------------

SKIP_CTX002 = """
[[overlays]]
rule = "CTX002"
reason = "The sector standard has no climate-change consideration."
skip = true
"""

TIGHTEN_MRV001 = """
[[overlays]]
rule = "MRV001"
reason = "The sector standard asks for a management review every six months."
check = { within = "P6M" }
set = { requirement = "top management reviews the QMS at least every six months" }
"""


def test_an_overlay_skips_a_base_rule_and_says_why(tmp_path: Path) -> None:
    pack = with_overlays(tmp_path, SKIP_CTX002)
    loaded = load_packs([base_pack(), pack])
    assert "CTX002" not in ids(loaded)
    skipped = find_rule(loaded, "CTX002")
    assert skipped is not None
    text = explain_text(skipped)
    assert "## Changed by other packs (in a scan that selects them)" in text
    assert "**sector**: skipped. Why: The sector standard has no climate-change consideration." in text
    report = check_items([base_pack(), pack], [item("context_analysis", "ctx", text="Issues: none")], as_of=AS_OF)
    assert not [f for f in report.findings if f.rule_id == "CTX002"]
    (not_run,) = [r for r in report.rules_not_run if r.rule_id == "CTX002"]
    assert not_run.reason.startswith("skipped by pack sector: The sector standard has no climate-change")
    (info,) = [p for p in report.packs if p.name == "sector"]
    assert info.overlays == ["CTX002: skipped (The sector standard has no climate-change consideration.)"]
    base = check_items([base_pack()], [item("context_analysis", "ctx", text="Issues: none")], as_of=AS_OF)
    assert [f for f in base.findings if f.rule_id == "CTX002"]


def test_an_overlay_tightens_a_base_rule_and_explain_shows_it(tmp_path: Path) -> None:
    pack = with_overlays(tmp_path, TIGHTEN_MRV001)
    loaded = load_packs([base_pack(), pack])
    rule = find_rule(loaded, "MRV001")
    assert rule is not None and isinstance(rule.rule.check, FreshCheck) and rule.rule.check.within == "P6M"
    text = explain_text(rule)
    assert "top management reviews the QMS at least every six months" in text
    assert "**sector**: requirement set; check.within set. Why: The sector standard asks for" in text
    minutes = item("management_review_minutes", "mr", issued=date(2025, 8, 1))
    assert [
        f.rule_id for f in check_items([base_pack()], [minutes], as_of=AS_OF).findings if f.rule_id == "MRV001"
    ] == []
    tightened = check_items([base_pack(), pack], [minutes], as_of=AS_OF)
    assert [f for f in tightened.findings if f.rule_id == "MRV001"]


def test_overlays_of_two_packs_on_the_same_rule_are_an_error_naming_both(tmp_path: Path) -> None:
    first = with_overlays(tmp_path, TIGHTEN_MRV001, "sector")
    second = with_overlays(tmp_path, TIGHTEN_MRV001.replace("P6M", "P3M"), "other")
    other_rules = {"7.3.toml": SECTOR_RULES["7.3.toml"].replace("SECDES001", "OTHDES001")}
    for name, text in other_rules.items():
        (second.path / name).write_text(text, encoding="utf-8")
    (second.path / "8.2.toml").unlink()
    with pytest.raises(RulePackError, match="overlays of rule MRV001 contradict each other: packs other and sector"):
        load_packs([base_pack(), first, second])


def test_an_overlay_that_makes_a_rule_invalid_names_the_overlay(tmp_path: Path) -> None:
    pack = with_overlays(tmp_path, TIGHTEN_MRV001.replace('within = "P6M"', 'within = "soon"'))
    with pytest.raises(RulePackError, match="overlay of rule MRV001 makes it invalid"):
        load_packs([base_pack(), pack])


def test_an_overlay_may_change_only_texts_and_the_grade_policy(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="set: an overlay cannot change clause"):
        with_overlays(tmp_path, '[[overlays]]\nrule = "MRV001"\nreason = "move it elsewhere"\nset = { clause = "9" }\n')


# --- the words of a pack ---------------------------------------------------------------------

TOPICS_RULE = """
clause = "7.3"
title = "Design and development"

[[rules]]
id = "SECDES002"
title = "The design procedure plans the transfer"
clause = "7.3.8"
source = "standard"
requirement = "the design procedure says how designs are transferred to production"
why = "w"
fix = "f"
select = { type = "procedure" }
check = { kind = "mentions", topics = ["design_transfer"], target = "each" }
"""


def test_a_pack_may_add_topics_its_rules_name(tmp_path: Path) -> None:
    manifest = SECTOR.replace('crosswalk = "crosswalk.toml"', 'vocabulary = ["words.toml"]')
    folder = tmp_path / "sector"
    without = {"7.3.toml": TOPICS_RULE}
    (folder / "rules").mkdir(parents=True)
    (folder / "pack.toml").write_text(manifest, encoding="utf-8")
    (folder / "rules" / "7.3.toml").write_text(TOPICS_RULE, encoding="utf-8")
    (folder / "words.toml").write_text('language = "en"\n[topics]\ndesign_transfer = ["transfer"]\n', encoding="utf-8")
    pack = RulePack.from_manifest(folder / "pack.toml")
    procedure = item("procedure", "p1", text="Design reviews are held at each stage.")
    report = check_items([base_pack(), pack], [procedure], as_of=AS_OF)
    (finding,) = [f for f in report.findings if f.rule_id == "SECDES002"]
    assert "does not address: design transfer" in finding.statement
    assert without and not [f for f in check_items(
        [base_pack(), pack], [item("procedure", "p1", text="Transfer to production follows sign-off.")], as_of=AS_OF
    ).findings if f.rule_id == "SECDES002"]  # fmt: skip
    (folder / "words.toml").write_text('language = "en"\n[topics]\nother = ["x"]\n', encoding="utf-8")
    with pytest.raises(RulePackError, match="unknown topic 'design_transfer'"):
        load_packs([base_pack(), RulePack.from_manifest(folder / "pack.toml")])


# --- selection ---------------------------------------------------------------------------------


def test_selecting_a_pack_brings_its_dependencies_and_an_unknown_name_is_named(sector: RulePack) -> None:
    installed = [base_pack(), sector]
    assert [pack.name for pack in select_packs(installed, ["sector"])] == ["iso9001", "sector"]
    assert [pack.name for pack in select_packs(installed, ["iso9001"])] == ["iso9001"]
    with pytest.raises(RulePackError, match=r"rule pack 'sectr' is not installed; did you mean 'sector'\?"):
        select_packs(installed, ["sectr"])


@pytest.mark.parametrize(
    ("select", "ignore", "expected"),
    [
        ((), (), True),
        (("SECDES001",), (), True),
        (("SECDES",), (), True),
        (("SEC",), (), False),
        (("7.3",), (), True),
        (("sector:7.3",), (), True),
        (("iso9001:7.3",), (), False),
        (("design",), (), True),
        ((), ("design",), False),
        ((), ("SECDES",), False),
        ((), ("8",), True),
    ],
)
def test_rules_are_chosen_by_id_prefix_clause_or_tag(
    sector: RulePack, select: tuple[str, ...], ignore: tuple[str, ...], expected: bool
) -> None:
    rule = find_rule(load_packs([base_pack(), sector]), "SECDES001")
    assert rule is not None
    assert chosen(rule, select, ignore) is expected


# --- isolation ---------------------------------------------------------------------------------


def test_an_incompatible_pack_is_left_out_by_name_and_the_others_load(tmp_path: Path, sector: RulePack) -> None:
    future = write_pack(tmp_path / "future", SECTOR.replace('name = "sector"', 'name = "future"').replace(
        'api = ">=2,<3"', 'api = ">=3"'), {"7.3.toml": SECTOR_RULES["7.3.toml"].replace("SECDES", "FUTDES")})  # fmt: skip
    installed = load_installed([base_pack(), sector, future])
    assert installed.failed == [("future", "1.2.0", "rule pack future 1.2.0 supports qmscheck pack API >=3; "
                                 "this qmscheck provides API 2")]  # fmt: skip
    assert "SECDES001" in ids(installed.loaded) and "CTX001" in ids(installed.loaded)


def test_the_version_names_the_pack_api() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.output.splitlines()[0].endswith("(pack API 2)")


def test_a_selected_packs_words_recognise_its_evidence_types_and_an_unselected_packs_do_not(
    tmp_path: Path, sector: RulePack
) -> None:
    (sector.root / "words.toml").write_text(  # type: ignore[operator]
        'language = "en"\n[registers]\ndesign_transfer = ["transfer log"]\n[fields]\ntransferred = ["Handed over"]\n',
        encoding="utf-8",
    )
    manifest = sector.root / "pack.toml"  # type: ignore[operator]
    manifest.write_text(SECTOR.replace('crosswalk = "crosswalk.toml"', 'vocabulary = ["words.toml"]'), encoding="utf-8")
    installed = RulePack.from_manifest(manifest)

    class Sector:
        @hookimpl
        def qmscheck_register_rule_packs(self, register):  # type: ignore[no-untyped-def]
            register(installed)

    share = tmp_path / "share"
    share.mkdir()
    (share / "Transfer Log.csv").write_text("Product,Handed over\nScalpel S-10,no\n", encoding="utf-8")
    plugins = load_plugins([Sector()], entry_points=False)

    def found(packs: tuple[str, ...] | None) -> list[tuple[str, object]]:
        report = scan(ScanRequest(target=share, as_of=AS_OF, packs=packs), plugins)
        return [(f.rule_id, f.standard) for f in report.findings if f.rule_id.startswith("SEC")]

    assert found(("sector",)) == [("SECDES001", "sector")]
    assert found(None) == []
    assert inventory_types(share, plugins, ("sector",)) == ["design_transfer"]
    assert inventory_types(share, plugins, None) != ["design_transfer"]


def inventory_types(share: Path, plugins: Plugins, packs: tuple[str, ...] | None) -> list[str]:
    use_pack_words(selected_packs(plugins, packs), plugins.accepted_vocabularies)
    collection = collect(load_config(share), plugins)
    return sorted({item.type for item in items_of(collection.groups)})


MANUAL_WITH_TABLE = """# Quality Manual

## Non-Applicable Requirements

### SECTOR 1:2020

The following sections do not apply because we make software only:

| Section | Title | Rationale |
|---------|-------|-----------|
| 7.3 | Design and development | All design is done by our customer; we build to their specification |
| 8.3 | Design | A short one |

## Quality Policy

We meet requirements.
"""


def test_an_exclusion_table_under_a_heading_naming_a_standard_declares_that_standards_clauses(
    sector: RulePack,
) -> None:
    manual = item("quality_manual", "qm", text=MANUAL_WITH_TABLE)
    report = check_items([base_pack(), sector], [manual], as_of=AS_OF)
    excluded = {(entry.standard, entry.clause): entry for entry in report.not_applicable}
    assert set(excluded) == {("sector", "7.3")}
    assert excluded[("sector", "7.3")].justification.startswith(
        "Design and development - All design is done by our customer"
    )
    assert excluded[("sector", "7.3")].rule_ids == ["SECDES001"]
    # 8.3 is not in the sector standard's tree of excludable clauses: SCOPE001 says so, of SECTOR 1.
    (scope,) = [f for f in report.findings if f.rule_id == "SCOPE001"]
    assert "SECTOR 1 clause 8.3 cannot be declared not applicable" in scope.statement


def test_the_distribution_metadata_names_the_pack_api() -> None:
    """A vendor can tell from the metadata alone (PyPI's page, `pip show`) which pack API a release provides."""
    import tomllib

    from qmscheck import API_VERSION

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert [k for k in project["keywords"] if k.startswith("qmscheck-pack-api-")] == [
        f"qmscheck-pack-api-{API_VERSION}"
    ]


def test_a_pack_may_not_redeclare_a_built_in_evidence_type(tmp_path: Path) -> None:
    manifest = SECTOR + '\n[evidence_types.complaint]\nkind = "record"\n'
    pack = write_pack(tmp_path / "sector", manifest, SECTOR_RULES)
    with pytest.raises(RulePackError, match="evidence type 'complaint' is qmscheck's own"):
        load_packs([base_pack(), pack])


def test_an_exclusion_table_of_a_standard_not_judged_declares_nothing() -> None:
    """The base pack alone: a manual's table of SECTOR 1 clauses is not about ISO 9001's 7.3 (awareness)."""
    manual = item("quality_manual", "qm", text=MANUAL_WITH_TABLE.replace("SECTOR 1:2020", "ISO 13485:2016"))
    report = check_items([base_pack()], [manual], as_of=AS_OF)
    assert report.not_applicable == []
    assert not [f for f in report.findings if f.rule_id == "SCOPE001"]
