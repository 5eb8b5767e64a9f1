"""End to end: `qmscheck scan fixtures/acme` finds every seeded defect, and nothing else."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"

# (rule, clause, grade, evidence labels) - the seeded defects listed in fixtures/acme/README.md.
SEEDED = {
    ("CTX002", "4.1", "minor", ("QM-CTX-01",)),
    ("CAL001", "7.1.5", "minor", ("CAL-007",)),
    ("CAL001", "7.1.5", "observation", ("CAL-004",)),
    ("KNW001", "7.1.6", "ofi", ()),
    ("CMP001", "7.2", "major", ("Marek Nowak", "Mei Chen", "Connor Walsh")),
    ("CMP002", "7.2", "minor", ("Tom Becker",)),
    ("DOC002", "7.5.2", "minor", ("QP-05",)),
    # Two documents falling due within the warning window: one observation for the set.
    ("DOC002", "7.5.2", "observation", ("QM-CTX-01", "QP-06")),
    ("DOC005", "7.5.3", "minor", ("QP-03", "QP-03")),
    ("SUP001", "8.4.1", "minor", ("Rapid Castings Ltd",)),
    ("MON001", "9.1.1", "minor", ()),
    ("CUS001", "9.1.2", "minor", ("CMP-2026-003",)),
    ("AUD001", "9.2.2", "minor", ("Purchasing",)),
    ("MRV002", "9.3.2", "minor", ("MR-2025-02",)),
    ("NCR001", "10.2.2", "minor", ("NC-2025-014",)),
}


def qmscheck(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qmscheck", *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def acme_json() -> dict:  # type: ignore[type-arg]
    result = qmscheck("scan", str(ACME), "--format", "json")
    assert result.returncode == 1, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_every_seeded_defect_and_nothing_else(acme_json: dict) -> None:  # type: ignore[type-arg]
    found = {
        (f["rule_id"], f["clause"], f["grade"], tuple(e["label"] for e in f["evidence"])) for f in acme_json["findings"]
    }
    assert found == SEEDED
    assert acme_json["warnings"] == []
    assert acme_json["as_of"] == "2026-03-31"
    assert acme_json["summary"] == {"major": 1, "minor": 11, "request": 0, "observation": 2, "ofi": 1}


def test_findings_cite_locator_and_hash_and_read_like_an_auditor(acme_json: dict) -> None:  # type: ignore[type-arg]
    calibration = next(f for f in acme_json["findings"] if f["rule_id"] == "CAL001" and f["grade"] == "minor")
    ref = calibration["evidence"][0]
    assert ref["locator"] == "04 Records/Calibration Log.xlsx [Instruments] row 8"
    assert len(ref["sha256"]) == 64
    import hashlib

    digest = hashlib.sha256((ACME / "share" / "04 Records" / "Calibration Log.xlsx").read_bytes()).hexdigest()
    assert ref["sha256"] == digest
    assert calibration["statement"].startswith("ISO 9001 7.1.5 expects that")
    assert "CAL-007" in calibration["statement"]
    assert calibration["why"] and calibration["fix"]


def test_output_is_deterministic(tmp_path: Path) -> None:
    first = qmscheck("scan", str(ACME), "--format", "json")
    second = qmscheck("scan", str(ACME), "--format", "json")
    assert first.stdout == second.stdout
    assert 'generated_at": null' in first.stdout


def test_fail_on_never_exits_0_and_text_ends_with_summary() -> None:
    result = qmscheck("scan", str(ACME), "--fail-on", "never")
    assert result.returncode == 0
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "Summary: 1 major, 11 minor, 2 observations, 1 OFI"
    assert "Clause 7" in result.stdout


def test_stage_1_is_a_documentation_view() -> None:
    result = qmscheck("scan", str(ACME), "--format", "json", "--stage", "1", "--fail-on", "never")
    report = json.loads(result.stdout)
    assert report["stage"] == 1
    rules = {f["rule_id"] for f in report["findings"]}
    assert rules == {"CTX002", "DOC002", "DOC005"}
    assert not rules & STAGE_2_ONLY


# Record-level rules that must not run in a stage 1 (documentation) review.
STAGE_2_ONLY = {"CAL001", "CMP001", "CMP002", "SUP001", "CUS001", "AUD001", "MRV002", "NCR001", "MON001", "KNW001"}


def test_stage_2_adds_the_implementation_findings() -> None:
    stage1 = json.loads(qmscheck("scan", str(ACME), "--format", "json", "--stage", "1", "--fail-on", "never").stdout)
    stage2 = json.loads(qmscheck("scan", str(ACME), "--format", "json", "--stage", "2", "--fail-on", "never").stdout)
    assert stage1["rules_evaluated"] < stage2["rules_evaluated"]
    rules2 = {f["rule_id"] for f in stage2["findings"]}
    assert rules2 >= STAGE_2_ONLY


def test_as_of_option_overrides_the_pinned_date() -> None:
    result = qmscheck("scan", str(ACME), "--format", "json", "--as-of", "2025-06-30", "--fail-on", "never")
    report = json.loads(result.stdout)
    assert report["as_of"] == "2025-06-30"
    assert not any(f["rule_id"] == "CAL001" and f["grade"] == "minor" for f in report["findings"])


def test_scan_never_writes_to_the_evidence(tmp_path: Path) -> None:
    copy = tmp_path / "acme"
    shutil.copytree(ACME, copy, ignore=shutil.ignore_patterns(".qmscheck"))

    def files() -> dict[Path, tuple[int, bytes]]:
        # The scan index (.qmscheck/ beside qmscheck.toml) is the tool's own cache, not evidence.
        return {
            p: (p.stat().st_mtime_ns, p.read_bytes())
            for p in copy.rglob("*")
            if p.is_file() and ".qmscheck" not in p.relative_to(copy).parts
        }

    before = files()
    qmscheck("scan", str(copy), "--output", str(tmp_path / "out.txt"))
    assert files() == before


def test_bad_target_and_bad_config_exit_2(tmp_path: Path) -> None:
    assert qmscheck("scan", str(tmp_path / "missing")).returncode == 2
    (tmp_path / "qmscheck.toml").write_text("[organisation]\nname = 3\n[[sources]]\nconnector = 'filesystem'\n")
    result = qmscheck("scan", str(tmp_path))
    assert result.returncode == 2
    assert "qmscheck.toml: organisation.name: Input should be a valid string, not 3" in result.stderr
    assert "Traceback" not in result.stderr


def test_four_report_formats_into_an_output_dir(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = qmscheck(
        "scan",
        str(ACME),
        "--format",
        "html",
        "--format",
        "sarif",
        "--format",
        "junit",
        "--format",
        "md",
        "--output-dir",
        str(out),
    )
    assert result.returncode == 1, result.stderr
    written = sorted(p.name for p in out.iterdir())
    assert written == ["qmscheck-report.html", "qmscheck-report.md", "qmscheck-report.sarif", "qmscheck-report.xml"]
    assert all(p.stat().st_size > 500 for p in out.iterdir())
    assert "1 major, 11 minor" in result.stderr
