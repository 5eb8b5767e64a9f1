"""The certification auditor's workflow of docs/auditing.md, run through the ``qmscheck`` command on a
copy of fixtures/acme (never the fixture itself): plan, Stage 1 scan, samples, bundle, decisions,
Stage 2 scan, a corrected defect, diff and verify against the share.

It asserts what issue 20 asks of the toolkit on acme, and keeps the page true: the decisions it
applies are the page's own, the figures the page quotes are what the commands print, and every
``qmscheck`` command the page shows names a real subcommand, real options and allowed values."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import docx
import pytest
from click.testing import CliRunner, Result
from qmscheck.cli import main

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"
DOC = ROOT / "docs" / "auditing.md"
QP05 = Path("share") / "02 Procedures" / "QP-05 Calibration.docx"
QP05_LOCATOR = "02 Procedures/QP-05 Calibration.docx"
#: Acme's people besides its central site, as docs/auditing.md's acme-group states them.
GROUP_SITES = {"Shelbyville": 12, "Ogdenville": 8, "North Haverbrook": 20, "Capital City": 15}


def qmscheck(*args: object) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def fenced(language: str) -> list[str]:
    """The bodies of docs/auditing.md's code blocks in ``language``."""
    return re.findall(rf"^```{language}\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)


def doc_decisions() -> str:
    (decisions,) = [block for block in fenced("toml") if "[findings." in block]
    return decisions


def doc_commands() -> list[str]:
    return [line for block in fenced("sh") for line in block.splitlines() if line.startswith("qmscheck ")]


def reapprove_qp05(target: Path) -> None:
    """QP-05's review, 182 days overdue (seeded defect 3), done: revision B with a new review date."""
    path = target / QP05
    document = docx.Document(str(path))
    new = {"Revision": "B", "Approval date": "2026-03-30", "Next review": "2028-03-30"}
    for row in document.tables[0].rows:
        label, value = row.cells
        if label.text in new:
            value.paragraphs[0].runs[0].text = new[label.text]
    document.core_properties.version = "B"
    document.save(str(path))


def group_of(target: Path) -> None:
    """Acme's configuration with four more sites, Springfield the central function."""
    config = target / "qmscheck.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('sites = ["Springfield"]', f"sites = {json.dumps(['Springfield', *GROUP_SITES])}")
    text = text.replace("shifts = 2\n", "shifts = 2\ncentral = true\n")
    text += "".join(f'\n[[audit.sites]]\nname = "{name}"\npersonnel = {n}\n' for name, n in GROUP_SITES.items())
    config.write_text(text, encoding="utf-8")


@dataclass
class Workflow:
    base: Path
    outputs: dict[str, Result]

    def json(self, name: str) -> Any:
        return json.loads((self.base / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def workflow(tmp_path_factory: pytest.TempPathFactory) -> Workflow:
    base = tmp_path_factory.mktemp("audit")
    acme = base / "acme"
    shutil.copytree(ACME, acme, ignore=shutil.ignore_patterns(".qmscheck"))
    group = base / "acme-group"
    shutil.copytree(ACME, group, ignore=shutil.ignore_patterns(".qmscheck"))
    group_of(group)
    out: dict[str, Result] = {}

    def run(name: str, *args: object, code: int = 0) -> None:
        out[name] = result = qmscheck(*args)
        assert result.exit_code == code, f"{name}: exit {result.exit_code}\n{result.output}"

    run("plan", "plan", acme)
    run(
        "stage1",
        "scan",
        acme,
        "--stage",
        "1",
        "--audience",
        "auditor",
        "--format",
        "json",
        "--output",
        base / "stage1.json",
    )
    run("stage1 text", "scan", acme, "--stage", "1", "--audience", "auditor")
    run("organisation text", "scan", acme, "--stage", "1")
    run("size 59", "sample", "--size-only", "--confidence", "0.95", "--tolerable", "0.05")
    run("size 400", "sample", "--size-only", "--population", "400", "--confidence", "0.95", "--tolerable", "0.05")
    run("detect", "sample", "--detect", "--population", "400", "--size", "20", "--rate", "0.10")
    sampled = ("sample", acme, "--type", "training_record", "--confidence", "0.9", "--tolerable", "0.2", "--seed", "7")
    run("sample", *sampled)
    run("worksheets", *sampled, "--output-dir", base / "samples")
    run("worksheets again", *sampled, "--output-dir", base / "samples-again")
    run("stratified", "sample", acme, "--type", "nonconformity", "--by", "month", "--size", "5", "--seed", "11")
    run(
        "risk", "sample", acme, "--type", "calibration_record", "--method", "risk",
        "--report", base / "stage1.json", "--size", "3", "--seed", "11",
    )  # fmt: skip
    run("bundle 1", "bundle", base / "stage1.json", "--target", acme, "--output", base / "stage1-bundle.zip")
    run("verify 1", "verify", base / "stage1-bundle.zip")
    run("stage2 draft", "scan", acme, "--audience", "auditor", "--format", "json", "--output", base / "stage2-draft.json", code=1)  # fmt: skip
    (acme / "qmscheck.decisions.toml").write_text(doc_decisions(), encoding="utf-8")
    decided = ("--decisions", acme / "qmscheck.decisions.toml")
    run("stage2", "scan", acme, "--audience", "auditor", *decided, "--format", "json", "--output", base / "stage2.json", code=1)  # fmt: skip
    run("stage2 text", "scan", acme, "--audience", "auditor", *decided, code=1)
    reapprove_qp05(acme)
    run("after", "scan", acme, "--audience", "auditor", *decided, "--format", "json", "--output", base / "stage2-after.json", code=1)  # fmt: skip
    run("diff", "diff", base / "stage2.json", base / "stage2-after.json")
    run("diff json", "diff", base / "stage2.json", base / "stage2-after.json", "--format", "json")
    run("against", "verify", base / "stage1-bundle.zip", "--against", acme, code=1)
    run("against json", "verify", base / "stage1-bundle.zip", "--against", acme, "--format", "json", code=1)
    run("group plan", "plan", group, "--report", base / "stage2-draft.json")
    run("history", "history", acme)
    return Workflow(base, out)


def test_plan_prints_the_audit_days_with_the_table_row_and_adjustments(workflow: Workflow) -> None:
    plan = workflow.outputs["plan"].stdout
    assert "| Effective personnel | 30 (complexity class: medium) |" in plan
    assert "| Table row | 26-45 personnel: 4 days |" in plan
    assert "| Adjustments | -10% (No design and development: clause 8.3 excluded) |" in plan
    # 4 days less 10% is 3.6, to the half day 3.5.
    assert "| Initial audit (Stage 1 + Stage 2) | 3.5 days |" in plan
    assert "planning aid" in plan and "certification body" in plan
    group = workflow.outputs["group plan"].stdout
    # 30 + 12 + 8 + 20 + 15 people; four sites besides the central one: the square root, 2, at least.
    assert "| Table row | 66-85 personnel: 6 days |" in group
    assert "initial 2, surveillance 2, recertification 2" in group


def test_the_same_seed_gives_byte_identical_worksheets_that_state_their_confidence(workflow: Workflow) -> None:
    first = sorted((workflow.base / "samples").iterdir())
    second = sorted((workflow.base / "samples-again").iterdir())
    assert [path.suffix for path in first] == [".csv", ".json", ".xlsx"]
    assert [path.name for path in first] == [path.name for path in second]
    for one, other in zip(first, second, strict=True):
        assert one.read_bytes() == other.read_bytes(), one.name
    worksheet = json.loads(first[1].read_text(encoding="utf-8"))
    assert worksheet["method"]["seed"] == "7" and worksheet["size"] == 7
    assert "with 90% confidence, that the deviation rate is below 20%" in " ".join(worksheet["statement"])
    assert "with 90% confidence" in first[0].read_text(encoding="utf-8-sig")
    assert "Sized for:         90% confidence, tolerable deviation rate 20%" in workflow.outputs["sample"].stdout


def test_the_sampling_figures_are_the_exact_ones(workflow: Workflow) -> None:
    assert workflow.outputs["size 59"].stdout.startswith("sample size: 59\n")
    assert workflow.outputs["size 400"].stdout.startswith("sample size: 55\n")
    assert "caught (at least one deviation in the sample) with 88.4% probability" in workflow.outputs["detect"].stdout
    assert "Strata:            2025-07: 1 of 1; 2025-08: 1 of 1" in workflow.outputs["stratified"].stdout
    assert "do not estimate the population's deviation rate" in workflow.outputs["risk"].stdout


def test_a_bundle_verifies_and_names_the_cited_file_changed_since(workflow: Workflow) -> None:
    assert "intact, 4 files match SHA256SUMS" in workflow.outputs["verify 1"].stdout
    against = json.loads(workflow.outputs["against json"].stdout)
    assert against["intact"]["intact"] and not against["ok"]
    (changed,) = against["against"]["changed"]
    assert changed["path"] == QP05_LOCATOR
    (finding,) = changed["findings"]
    assert finding["rule_id"] == "DOC002"
    assert against["against"]["added"] == [] and against["against"]["removed"] == []
    assert (
        f"changed   {QP05_LOCATOR}  <- CITED by finding {finding['fingerprint']}" in workflow.outputs["against"].stdout
    )


def test_fixing_one_seeded_defect_resolves_one_finding_and_changes_no_other(workflow: Workflow) -> None:
    diff = json.loads(workflow.outputs["diff json"].stdout)
    before = workflow.json("stage2.json")["findings"]
    assert diff["counts"] == {"new": 0, "resolved": 1, "regraded": 0, "changed": 0, "persisting": len(before) - 1}
    (resolved,) = [finding for finding in diff["findings"] if finding["change"] == "resolved"]
    (overdue,) = [f for f in before if any(ref["locator"] == QP05_LOCATOR for ref in f["evidence"])]
    assert (resolved["fingerprint"], resolved["grade"]) == (overdue["fingerprint"], "minor")
    assert "0 new, 1 resolved, 0 re-graded, 0 changed extent, 14 persisting" in workflow.outputs["diff"].stdout


def test_the_decisions_apply_and_a_waiver_past_its_expiry_is_a_finding_again(workflow: Workflow) -> None:
    decided = {f["fingerprint"]: f for f in workflow.json("stage2.json")["findings"]}
    decisions = tomllib.loads(doc_decisions())["findings"]
    statuses = {fingerprint: decided[fingerprint]["disposition"]["status"] for fingerprint in decisions}
    assert sorted(statuses.values()) == ["regraded", "verified", "waived", "waiver-expired"]
    assert workflow.json("stage2.json")["stale_decisions"] == []
    (expired,) = [fingerprint for fingerprint, status in statuses.items() if status == "waiver-expired"]
    assert decided[expired]["grade"] == "minor"
    # Counted again: the summary counts every finding but the one waiver still running.
    counted = [f for f in decided.values() if f["disposition"] is None or f["disposition"]["status"] != "waived"]
    assert expired in {f["fingerprint"] for f in counted}
    summary = workflow.json("stage2.json")["summary"]
    assert summary["minor"] == sum(f["grade"] == "minor" for f in counted)
    assert "Waiver expired 2026-03-15, counted again" in workflow.outputs["stage2 text"].stdout
    assert "Not counted: 1 finding set aside by decisions (1 waived)" in workflow.outputs["stage2 text"].stdout


def test_the_auditors_report_gives_no_fix_advice(workflow: Workflow) -> None:
    for name in ("stage1.json", "stage2.json"):
        report = workflow.json(name)
        assert report["audience"] == "auditor"
        assert report["findings"] and all(finding["fix"] == "" for finding in report["findings"])
    assert "Fix:" in workflow.outputs["organisation text"].stdout  # what the auditor's report leaves out
    for name in ("stage1 text", "stage2 text"):
        assert "Fix:" not in workflow.outputs[name].stdout


def test_the_figures_the_page_quotes_are_what_the_commands_print(workflow: Workflow) -> None:
    page = DOC.read_text(encoding="utf-8")
    quoted = {
        "plan": ["| Table row | 26-45 personnel: 4 days |", "| Initial audit (Stage 1 + Stage 2) | 3.5 days |"],
        "group plan": ["initial 2, surveillance 2, recertification 2", "| North Haverbrook | risk | 20 | 1 | 3 days |"],
        "stage1": ["0 major, 3 minor, 1 observation, 0 OFI"],
        "size 59": ["sample size: 59"],
        "size 400": ["sample size: 55"],
        "detect": ["with 88.4% probability"],
        "sample": ["   1. Mei Chen  04 Records/Training Matrix.xlsx [Training] row 9"],
        "stratified": ["Strata:            2025-07: 1 of 1; 2025-08: 1 of 1; 2025-09: 1 of 1; 2025-11: 1 of 2"],
        "risk": ["Weights:           weight 1: 6 items; weight 3: 2 items", "1. CAL-007  04 Records/Calibration Log"],
        "bundle 1": ["29 files, 101 evidence items, 4 bundle files in SHA256SUMS", "every cited file (5)"],
        "stage2": ["1 major, 10 minor, 2 observations, 1 OFI"],
        "stage2 text": ["Decision: Verified on site by J. Ortiz, lead auditor (2026-03-31)"],
        "after": ["1 major, 9 minor, 2 observations, 1 OFI"],
        "diff": ["0 new, 1 resolved, 0 re-graded, 0 changed extent, 14 persisting"],
    }
    for name, lines in quoted.items():
        for line in lines:
            assert line in page, f"docs/auditing.md no longer quotes {line!r}"
            assert line in workflow.outputs[name].output, f"{name} no longer prints {line!r}"


def _resolve(words: list[str]) -> tuple[click.Command, list[str], str]:
    """The (sub)command a command line names, the words left for it, and its name."""
    command: click.Command = main
    name = "qmscheck"
    while isinstance(command, click.Group) and words:
        subcommand = command.get_command(click.Context(command), words[0])
        if subcommand is None:
            break
        command, name, words = subcommand, f"{name} {words[0]}", words[1:]
    return command, words, name


@pytest.mark.parametrize("line", doc_commands())
def test_each_command_the_page_shows_exists_with_its_options(line: str) -> None:
    command, words, name = _resolve(shlex.split(line, comments=True)[1:])
    assert not isinstance(command, click.Group), f"{line}: {name} needs one of its subcommands"
    options = {opt: param for param in command.params if isinstance(param, click.Option) for opt in param.opts}
    context = click.Context(command, info_name=name)
    rest, positional, given = list(words), [], set()
    while rest:
        word = rest.pop(0)
        if not word.startswith("-"):
            positional.append(word)
            continue
        option, equals, value = word.partition("=")
        assert option in options, f"{line}: {name} has no option {option}"
        param = options[option]
        given.add(param.name)
        if param.is_flag or param.count:
            continue
        if not equals:
            assert rest, f"{line}: {option} needs a value"
            value = rest.pop(0)
        if not isinstance(param.type, click.Path | click.File):  # files need not exist to be named
            param.type.convert(value, param, context)  # an unknown choice or a bad number raises
    required = {param.name for param in options.values() if param.required}
    assert required <= given, f"{line}: {name} needs {sorted(required - given)}"
    arguments = [param for param in command.params if isinstance(param, click.Argument)]
    least = sum(param.nargs for param in arguments if param.required)
    most = None if any(param.nargs < 0 for param in arguments) else sum(param.nargs for param in arguments)
    assert len(positional) >= least, f"{line}: {name} takes {least} arguments at least"
    assert most is None or len(positional) <= most, f"{line}: {name} takes {most} arguments at most"


def test_the_page_shows_every_step_of_the_workflow() -> None:
    shown = {" ".join(_resolve(shlex.split(line)[1:])[2].split()[1:]) for line in doc_commands()}
    steps = {"plan", "scan", "sample", "bundle", "verify", "checklist write", "checklist import", "diff", "history"}
    assert steps <= shown


def test_history_compares_each_scan_with_the_scan_of_its_stage_before(workflow: Workflow) -> None:
    lines = workflow.outputs["history"].stdout.splitlines()
    stage2 = [line for line in lines if " stage 2 " in line]
    assert "since" not in stage2[0]  # the first Stage 2 scan is not compared with a Stage 1 scan
    assert stage2[1].endswith("(0 new, 0 resolved, 1 re-graded since the stage 2 scan before)")  # the regrade
    assert stage2[-1].endswith("(0 new, 1 resolved, 0 re-graded since the stage 2 scan before)")
