"""Records kept outside the scanned sources are checks on site, never absences."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from qmscheck.cli import main
from qmscheck.errors import ExitCode
from qmscheck.model.report import Report
from qmscheck.scan import ScanRequest, scan

ACME = Path(__file__).resolve().parents[1] / "fixtures" / "acme"
DECLARED = """
[[kept_elsewhere]]
type = "calibration_record"
where = "Metrology system (Q-Cal), instrument list"
"""


def _acme_without_its_calibration_log(tmp_path: Path, declared: str = "") -> Path:
    copy = tmp_path / "acme"
    shutil.copytree(ACME, copy)
    (copy / "share" / "04 Records" / "Calibration Log.xlsx").unlink()
    config = copy / "qmscheck.toml"
    config.write_text(config.read_text(encoding="utf-8") + declared, encoding="utf-8")
    return copy


def _calibration_absences(report: Report) -> list[str]:
    return [f.rule_id for f in report.findings if f.clause == "7.1.5" and f.absence]


def test_without_a_declaration_the_missing_log_is_a_finding(tmp_path: Path) -> None:
    report = scan(ScanRequest(target=_acme_without_its_calibration_log(tmp_path)))
    assert "CAL002" in _calibration_absences(report)
    assert not [check for check in report.manual_checks if "Q-Cal" in " ".join(check.evidence)]


def test_records_kept_elsewhere_become_a_check_on_site_that_names_the_place(tmp_path: Path) -> None:
    report = scan(ScanRequest(target=_acme_without_its_calibration_log(tmp_path, DECLARED)))
    assert _calibration_absences(report) == []
    (check,) = [check for check in report.manual_checks if "Q-Cal" in " ".join(check.evidence)]
    assert check.clause == "7.1.5"
    assert "Metrology system (Q-Cal)" in check.questions[0]
    assert check.evidence == ["calibration record in Metrology system (Q-Cal), instrument list; not read by this scan"]
    # What the scan did read still counts: the other findings of acme stand.
    assert [f.rule_id for f in report.findings if f.grade.value == "major"] == ["CMP001"]


def test_a_declaration_needs_a_known_shape(tmp_path: Path) -> None:
    share = _acme_without_its_calibration_log(tmp_path, '\n[[kept_elsewhere]]\ntype = "Calibration Log"\nwhere = ""\n')
    result = CliRunner().invoke(main, ["scan", str(share), "--no-index"])
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert "kept_elsewhere[0].type" in result.stderr and "kept_elsewhere[0].where" in result.stderr
    assert "Traceback" not in result.stderr
