"""qmscheck plan: IAF MD 5 audit time, IAF MD 1 multi-site sampling and the draft agenda."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from qmscheck.auditing.plan import make_plan, md1_sample_size, md5_table, render_plan, seeded_order
from qmscheck.cli_audit.plan import plan_command
from qmscheck.config.scan_config import load_config
from qmscheck.errors import ConfigError
from qmscheck.model.report import Report
from qmscheck.scan import ScanRequest, scan

ACME = Path(__file__).resolve().parent.parent / "fixtures" / "acme"


def _acme_config(tmp_path: Path, audit: str) -> Path:
    """Acme's own qmscheck.toml without its [audit] table, its share named by absolute path, with ``audit``."""
    text = (ACME / "qmscheck.toml").read_text(encoding="utf-8").split("\n# What audit planning needs")[0]
    text = text.replace('path = "share"', f"path = {json.dumps(str(ACME / 'share'))}")
    path = tmp_path / "qmscheck.toml"
    path.write_text(text + "\n" + audit, encoding="utf-8")
    return path


# Acme: "around thirty people at its single Springfield site ... on a two-shift pattern".
ACME_AUDIT = """
[audit]
complexity = "medium"
adjustments = [{ percent = -10, reason = "No design and development: clause 8.3 excluded" }]

[[audit.sites]]
name = "Springfield"
personnel = 30
shifts = 2
"""


@pytest.fixture(scope="module")
def acme_report() -> Report:
    return scan(ScanRequest(target=ACME))


def test_acme_headcount_reads_its_table_row_and_states_each_adjustment(tmp_path: Path, acme_report: Report) -> None:
    config = load_config(_acme_config(tmp_path, ACME_AUDIT))
    plan = make_plan(config, acme_report)
    time = plan.time
    assert (time.personnel, time.band, time.table_days) == (30, "26-45", 4.0)
    assert [(a.applied_percent, a.reason) for a in time.adjustments] == [
        (-10, "No design and development: clause 8.3 excluded")
    ]
    # 4 days less 10% is 3.6, to the nearest half day 3.5; a third of it for Stage 1.
    assert (time.initial_days, time.stage1_days, time.stage2_days) == (3.5, 1.0, 2.5)
    assert (time.surveillance_days, time.recertification_days) == (1.0, 2.5)
    text = render_plan(plan, "md")
    assert "planning aid" in text.splitlines()[2] and "certification body" in text.splitlines()[2]
    for named in ("ISO/IEC 17021-1", "IAF MD 1", "IAF MD 5"):
        assert named in text
    assert "| Table row | 26-45 personnel: 4 days |" in text
    assert "| Adjustments | -10% (No design and development: clause 8.3 excluded) |" in text
    assert md5_table().revision in text
    assert plan.site_plan is None  # one site: nothing to sample


def test_reductions_stop_at_thirty_percent_of_the_table(tmp_path: Path) -> None:
    audit = ACME_AUDIT.replace(
        'adjustments = [{ percent = -10, reason = "No design and development: clause 8.3 excluded" }]',
        'adjustments = [{ percent = -20, reason = "no design" }, { percent = -25, reason = "mature system" },'
        ' { percent = 10, reason = "two shifts" }]',
    )
    plan = make_plan(load_config(_acme_config(tmp_path, audit)), None)
    time = plan.time
    assert (time.reduction_requested_percent, time.reduction_applied_percent) == (45, 30)
    assert sum(a.applied_percent for a in time.adjustments if a.applied_percent < 0) == pytest.approx(-30)
    assert [a.applied_percent for a in time.adjustments if a.applied_percent > 0] == [10]
    # 4 days x (1 + 0.10 - 0.30) = 3.2, to the nearest half day 3.
    assert time.initial_days == 3.0
    assert any("at most 30%" in note for note in time.notes)


def test_a_headcount_outside_the_table_gives_no_figure(tmp_path: Path) -> None:
    audit = ACME_AUDIT.replace("personnel = 30", "personnel = 3000")
    plan = make_plan(load_config(_acme_config(tmp_path, audit)), None)
    assert plan.time.band is None and plan.time.initial_days is None
    assert "not in qmscheck's table; the CB sets it" in render_plan(plan, "md")


def test_md1_sample_sizes_round_up() -> None:
    assert [md1_sample_size(20, kind) for kind in ("initial", "surveillance", "recertification")] == [5, 3, 4]
    assert [md1_sample_size(25, kind) for kind in ("initial", "surveillance", "recertification")] == [5, 3, 4]
    assert md1_sample_size(2, "surveillance") == 1
    assert md1_sample_size(1, "initial") == 1


def _multi_site(tmp_path: Path, seed: str, differing: bool) -> Path:
    sites = ["HQ"] + [f"S{n:02d}" for n in range(1, 21)]
    lines = [
        "[organisation]",
        'name = "Multi <&> Co"',
        f"sites = {json.dumps(sites)}",
        'processes = ["Sales", "Production"]',
        "[[sources]]",
        'connector = "filesystem"',
        "[audit]",
        f"seed = {json.dumps(seed)}",
        "[[audit.sites]]",
        'name = "HQ"',
        "personnel = 40",
        "central = true",
    ]
    for number, name in enumerate(sites[1:], start=1):
        lines += ["[[audit.sites]]", f'name = "{name}"', f"personnel = {10 + number}"]
    if differing:
        lines.append('processes = ["Sales"]')  # the last site only sells
    path = tmp_path / f"multi-{seed}-{differing}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_multi_site_sample_takes_risk_and_a_reproducible_random_share(tmp_path: Path) -> None:
    config = load_config(_multi_site(tmp_path, "2026-stage1", differing=False))
    plans = {kind: make_plan(config, None, kind).site_plan for kind in ("initial", "surveillance", "recertification")}
    assert {kind: (p.sample_size if p else None) for kind, p in plans.items()} == {
        "initial": 5,
        "surveillance": 3,
        "recertification": 4,
    }
    initial = plans["initial"]
    assert initial is not None and initial.non_sampling is None
    assert [v.why for v in initial.visits] == ["central function", "risk", "risk", "risk", "random", "random"]
    # No findings: risk falls to the most personnel.
    assert [v.name for v in initial.visits if v.why == "risk"] == ["S20", "S19", "S18"]
    # The random share is sha256(seed + site) order over the sites left, as anyone can recompute.
    left = [f"S{n:02d}" for n in range(1, 18)]
    expected = sorted(left, key=lambda name: hashlib.sha256(("2026-stage1" + name).encode()).hexdigest())[:2]
    assert [v.name for v in initial.visits if v.why == "random"] == expected == seeded_order("2026-stage1", left)[:2]
    again = make_plan(load_config(_multi_site(tmp_path, "2026-stage1", differing=False)), None).site_plan
    assert again == initial
    draws = {
        tuple(v.name for v in plan.visits if v.why == "random")
        for seed in ("a", "b", "c", "d")
        if (plan := make_plan(load_config(_multi_site(tmp_path, seed, differing=False)), None).site_plan)
    }
    assert len(draws) > 1  # the seed, not the order of the file, picks them


def test_sites_that_differ_in_processes_get_the_non_sampling_alternative(tmp_path: Path) -> None:
    plan = make_plan(load_config(_multi_site(tmp_path, "x", differing=True)), None)
    assert plan.site_plan is not None and plan.site_plan.non_sampling is not None
    alternative = plan.site_plan.non_sampling
    assert len(alternative.initial) == len(alternative.recertification) == 20
    assert alternative.surveillance_per_year == 6  # 30% of 20
    assert not set(alternative.surveillance_years[0]) & set(alternative.surveillance_years[1])
    assert "S20 runs Sales" in alternative.reason
    assert "Non-sampling alternative" in render_plan(plan, "md")


def test_agenda_puts_the_major_first_and_shares_the_stage2_time(tmp_path: Path, acme_report: Report) -> None:
    plan = make_plan(load_config(_acme_config(tmp_path, ACME_AUDIT)), acme_report)
    first = plan.agenda[0]
    assert (first.clause, first.findings.get("major")) == ("7.2", 1)
    assert sum(line.minutes for line in plan.agenda) == 2.5 * 8 * 60
    assert all(line.minutes % 15 == 0 and line.minutes > 0 for line in plan.agenda)
    minutes = {line.clause: line.minutes for line in plan.agenda}
    assert minutes["7.2"] > minutes["4.1"] > minutes["5.2"]  # major, minor, passed
    manual = {line.clause for line in plan.agenda if line.manual_check}
    assert manual == {check.clause for check in acme_report.manual_checks}
    training = next(p for p in plan.processes if p.name == "Training")
    assert plan.processes[0] == training and training.findings.get("major") == 1


def test_formats_are_deterministic_and_html_is_escaped(tmp_path: Path, acme_report: Report) -> None:
    config = load_config(_multi_site(tmp_path, "s", differing=False))
    plan = make_plan(config, acme_report)
    html = render_plan(plan, "html")
    assert "Multi &lt;&amp;&gt; Co" in html and "Multi <&> Co" not in html
    assert "<script" not in html and "http" not in html.replace("http-equiv", "")
    data = json.loads(render_plan(plan, "json"))
    assert data["site_plan"]["sample_size"] == 5 and "planning aid" in data["disclaimer"]
    again = make_plan(load_config(_multi_site(tmp_path, "s", differing=False)), acme_report)
    for format_name in ("md", "html", "json"):
        assert render_plan(again, format_name) == render_plan(plan, format_name)


def test_command_writes_the_plan_from_a_saved_scan(tmp_path: Path, acme_report: Report) -> None:
    config = _acme_config(tmp_path, ACME_AUDIT)
    saved = tmp_path / "scan.json"
    saved.write_text(acme_report.model_dump_json(), encoding="utf-8")
    result = CliRunner().invoke(plan_command, [str(config), "--report", str(saved), "--audit", "surveillance"])
    assert result.exit_code == 0, result.output
    assert "26-45 personnel: 4 days" in result.output
    assert "## Surveillance audit agenda (draft): 1 day" in result.output


def test_the_sample_organisation_plans_from_its_own_headcount() -> None:
    result = CliRunner().invoke(plan_command, [str(ACME)])
    assert result.exit_code == 0, result.output
    assert "| Table row | 26-45 personnel: 4 days |" in result.output
    assert "| Adjustments | -10% (No design and development: clause 8.3 excluded) |" in result.output
    assert "| Initial audit (Stage 1 + Stage 2) | 3.5 days |" in result.output


def test_planning_inputs_are_checked(tmp_path: Path) -> None:
    # A configuration without [audit] still loads, and says what planning needs.
    config = load_config(_acme_config(tmp_path, ""))
    assert config.audit.sites == []
    with pytest.raises(ConfigError, match=r"\[\[audit.sites\]\]"):
        make_plan(config, None)
    stray = ACME_AUDIT.replace('name = "Springfield"', 'name = "Shelbyville"')
    with pytest.raises(ConfigError, match="Shelbyville not among"):
        make_plan(load_config(_acme_config(tmp_path, stray)), None)
    unknown = ACME_AUDIT.replace("shifts = 2", "shift = 2")
    with pytest.raises(ConfigError, match="shift"):
        load_config(_acme_config(tmp_path, unknown))
