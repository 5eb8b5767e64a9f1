"""``qmscheck portfolio``: three sample organisations scanned side by side, each report identical to a
plain ``qmscheck scan`` of it, the portfolio report's counts, an organisation that cannot be scanned
reported while the others complete, a bad portfolio file refused with its key, and byte-identical
runs."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from cli_process import qmscheck as run_qmscheck
from qmscheck.portfolio.model import PortfolioFile, load_portfolio, portfolio_schema
from qmscheck.portfolio.report import ScanOutcome, StageVerdict, build_report

ROOT = Path(__file__).resolve().parents[1]
PORTFOLIO = ROOT / "fixtures" / "portfolio" / "portfolio.toml"
#: The sample portfolio's organisations: folder under the output directory, and the plain scan of it.
SAMPLES = {
    "acme-precision-parts-ltd": (ROOT / "fixtures" / "acme" / "qmscheck.toml", "2"),
    "drehteile-kessler-gmbh": (ROOT / "fixtures" / "orgs" / "drehteile-kessler", "1"),
    "lokalis-sas": (ROOT / "fixtures" / "orgs" / "lokalis-traduction" / "qmscheck.toml", "2"),
}
GRADES = ("major", "minor", "request", "observation", "ofi")


def qmscheck(*args: str | Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return run_qmscheck(*args, cache=cache, timeout=600)


def run_sample(out: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    # --no-index: the sample configs' indexes would be written beside them, in the tree other tests scan.
    return qmscheck("portfolio", PORTFOLIO, "-o", out, "--jobs", "2", "--no-index", "-q", cache=cache)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    base = tmp_path_factory.mktemp("portfolio")
    result = run_sample(base / "out", base / "cache")
    return base / "out", result


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }


def test_each_organisation_report_is_that_of_a_plain_scan(
    sample: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    out, result = sample
    assert result.returncode == 1, result.stderr  # Acme has a major nonconformity; --fail-on major
    for slug, (target, stage) in SAMPLES.items():
        assert (out / slug / "qmscheck-report.html").is_file()
        plain = tmp_path / f"{slug}.json"
        scanned = qmscheck(
            "scan", target, "--as-of", "2026-03-31", "--stage", stage, "--format", "json", "-o", plain, "-q",
            "--no-index", cache=tmp_path,
        )  # fmt: skip
        assert scanned.returncode in (0, 1), scanned.stderr
        assert json.loads((out / slug / "qmscheck-report.json").read_text()) == json.loads(plain.read_text()), slug


def test_the_portfolio_report_counts_each_organisation(sample: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = sample
    report = json.loads((out / "portfolio.json").read_text())
    reports = {slug: json.loads((out / slug / "qmscheck-report.json").read_text()) for slug in SAMPLES}
    rows = {row["slug"]: row for row in report["organisations"]}
    assert set(rows) == set(SAMPLES)
    # The nearest audit first.
    assert [row["slug"] for row in report["organisations"]] == list(SAMPLES)
    for slug, organisation in reports.items():
        row = rows[slug]
        assert row["summary"] == organisation["summary"]
        assert row["verdicts"] == [{k: v[k] for k in ("stage", "status", "headline")} for v in organisation["verdicts"]]
        understood = organisation["understanding"]
        assert (row["evidence"]["files"], row["evidence"]["recognised"]) == (
            understood["files"],
            understood["recognised"],
        )
        assert row["error"] is None
    # Acme: a major open, its stage 2 surveillance audit 20 days after the as-of date, inside the 60.
    acme = rows["acme-precision-parts-ltd"]
    assert (acme["days_until_audit"], acme["audit_verdict"], acme["at_risk"]) == (20, "not-ready", True)
    # Lokalis: readiness not established, but its audit is 168 days away.
    lokalis = rows["lokalis-sas"]
    assert (lokalis["days_until_audit"], lokalis["audit_verdict"], lokalis["at_risk"]) == (168, "unconfirmed", False)
    # Drehteile Kessler's initial audit is a stage 1: its stage 1 verdict is the one that counts.
    assert rows["drehteile-kessler-gmbh"]["audit_verdict"] == reports["drehteile-kessler-gmbh"]["verdicts"][0]["status"]
    totals = report["totals"]
    assert (totals["organisations"], totals["scanned"], totals["failed"], totals["at_risk"]) == (3, 3, 0, 1)
    for grade in GRADES:
        assert totals["findings"][grade] == sum(r["summary"][grade] for r in reports.values())
    # The most frequent findings: rules counted once per organisation with a counted finding of it.
    having = Counter(
        rule
        for organisation in reports.values()
        for rule in {f["rule_id"] for f in organisation["findings"] if f.get("disposition") is None}
    )
    frequent = {f["rule_id"]: f["organisations"] for f in report["frequent_findings"]}
    assert frequent == dict(having)
    counts = [f["organisations"] for f in report["frequent_findings"]]
    assert counts == sorted(counts, reverse=True) and counts[0] == 3


def test_the_csv_has_a_row_per_organisation(sample: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = sample
    report = json.loads((out / "portfolio.json").read_text())
    rows = list(csv.DictReader(io.StringIO((out / "portfolio.csv").read_text())))
    assert [row["folder"] for row in rows] == list(SAMPLES)
    for row, expected in zip(rows, report["organisations"], strict=True):
        assert [int(row[grade]) for grade in GRADES] == [expected["summary"][grade] for grade in GRADES]
        assert row["stage2_verdict"] == expected["verdicts"][1]["status"]
        assert row["at_risk"] == ("yes" if expected["at_risk"] else "no")
        assert row["next_audit"] == expected["next_audit"]["date"]
    findings = list(csv.DictReader(io.StringIO((out / "portfolio-findings.csv").read_text())))
    assert [(f["rule_id"], int(f["organisations"])) for f in findings] == [
        (f["rule_id"], f["organisations"]) for f in report["frequent_findings"]
    ]


class _Page(HTMLParser):
    """The page's elements, links and text: enough to tell markup from escaped text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.links += [value or "" for name, value in attrs if tag == "a" and name == "href"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_html_links_each_report_and_is_self_contained(
    sample: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, _ = sample
    html = (out / "portfolio.html").read_text()
    page = _Page()
    page.feed(html)
    assert page.tags["script"] == 0 and page.tags["link"] == 0 and page.tags["img"] == 0
    assert sorted(page.links) == sorted(f"{slug}/qmscheck-report.html" for slug in SAMPLES)
    assert all((out / link).is_file() for link in page.links)
    text = " ".join(page.text)
    assert "Drehteile Kessler GmbH" in text and "at risk" in text
    assert "CTX002" in text and "3 of 3" in text  # a finding all three share


def test_two_runs_are_byte_identical(sample: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    out, _ = sample
    again = run_sample(tmp_path / "out", tmp_path / "cache")
    assert again.returncode == 1, again.stderr
    assert files_of(tmp_path / "out") == files_of(out)


def test_an_organisation_that_cannot_be_scanned_is_reported_and_the_others_complete(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "qmscheck.toml").write_text('[organisation]\nnmae = "Typo Ltd"\n[[sources]]\nconnector = "filesystem"\n')
    hostile = "<script>alert(1)</script> & Co"
    (tmp_path / "portfolio.toml").write_text(
        f"""
[portfolio]
name = "Round with failures"
as_of = 2026-03-31

[[organisations]]
name = "Drehteile Kessler GmbH"
source = "{ROOT / "fixtures" / "orgs" / "drehteile-kessler"}"
next_audit = {{ date = 2026-04-10, stage = 1 }}

[[organisations]]
name = "Missing Folder Ltd"
source = "nowhere"
next_audit = {{ date = 2026-04-15, stage = 2, kind = "surveillance" }}

[[organisations]]
name = "{hostile}"
config = "bad/qmscheck.toml"
""",
        encoding="utf-8",
    )
    cache = tmp_path / "cache"
    result = qmscheck("portfolio", tmp_path / "portfolio.toml", "-o", tmp_path / "out", cache=cache)
    # Drehteile Kessler has no major: exit 1 is for the organisations that could not be judged.
    assert result.returncode == 1, result.stderr
    report = json.loads((tmp_path / "out" / "portfolio.json").read_text())
    rows = {row["name"]: row for row in report["organisations"]}
    assert rows["Drehteile Kessler GmbH"]["error"] is None
    assert rows["Drehteile Kessler GmbH"]["summary"]["major"] == 0
    assert (tmp_path / "out" / "drehteile-kessler-gmbh" / "qmscheck-report.json").is_file()
    missing = rows["Missing Folder Ltd"]
    assert missing["error"]["kind"] == "configuration" and "nowhere" in missing["error"]["message"]
    # Its audit is 15 days away and its readiness unknown: at risk.
    assert missing["at_risk"] and missing["at_risk_reason"].startswith("not scanned")
    typo = rows[hostile]
    assert typo["error"]["kind"] == "configuration" and "did you mean 'name'" in typo["error"]["message"]
    assert report["totals"]["failed"] == 2 and report["totals"]["scanned"] == 1
    assert "Missing Folder Ltd (configuration)" in result.stderr
    # The source folder's index is in the user's cache, one per organisation; none beside the evidence.
    assert list((cache / "qmscheck" / "portfolio").glob("drehteile-kessler-gmbh-*/index.sqlite"))
    assert not (ROOT / "fixtures" / "orgs" / "drehteile-kessler" / ".qmscheck").exists()
    html = (tmp_path / "out" / "portfolio.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    never = qmscheck(
        "portfolio", tmp_path / "portfolio.toml", "-o", tmp_path / "out2", "--fail-on", "never", "-q", cache=cache
    )
    assert never.returncode == 0, never.stderr


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        (
            '[portfolio]\nname = "R"\n[[organisations]]\nname = "A"\nsoruce = "x"\n',
            "organisations[0].soruce: unknown key",
        ),
        ('[portfolio]\nname = "R"\n[[organisations]]\nname = "A"\nsource = "x"\nconfig = "y"\n', "organisations[0]"),
        (
            '[portfolio]\nname = "R"\n[[organisations]]\nname = "A"\nsource = "x"\n'
            'next_audit = { date = 2026-05-01, stage = 1, kind = "surveilance" }\n',
            "organisations[0].next_audit.kind",
        ),
        (
            '[portfolio]\nname = "R"\n[[organisations]]\nname = "A"\nsource = "x"\n'
            '[[organisations]]\nname = "a"\nsource = "y"\n',
            "organisations[1].name",
        ),
        ('[portfolio]\nname = "R"\nat_risk_dayz = 30\n[[organisations]]\nname = "A"\nsource = "x"\n', "at_risk_days"),
        ('[portfolio]\nname = "R"\n[[organisations]]\nname = "A"\nsource = "x"\npacks = ["iso9010"]\n', "packs[0]"),
    ],
)
def test_a_bad_portfolio_file_is_a_usage_error_naming_file_and_key(text: str, wanted: str, tmp_path: Path) -> None:
    path = tmp_path / "portfolio.toml"
    path.write_text(text)
    result = qmscheck("portfolio", path, "-o", tmp_path / "out", cache=tmp_path)
    assert result.returncode == 2, result.stderr
    assert str(path) in result.stderr and wanted in result.stderr
    assert not (tmp_path / "out").exists()


def test_did_you_mean_names_the_closest_key(tmp_path: Path) -> None:
    path = tmp_path / "portfolio.toml"
    path.write_text('[portfolio]\nname = "R"\n[[organisations]]\nname = "A"\nsoruce = "x"\n')
    result = qmscheck("portfolio", path, cache=tmp_path)
    assert "did you mean 'source'?" in result.stderr


def _outcome(status: str) -> ScanOutcome:
    return ScanOutcome(
        as_of=date(2026, 3, 31),
        verdicts=[StageVerdict(stage=stage, status=status, headline=status) for stage in (1, 2)],
    )


@pytest.mark.parametrize(
    ("audit", "status", "at_risk"),
    [
        ("2026-05-30", "not-ready", True),  # 60 days: the last day inside the default window
        ("2026-05-31", "not-ready", False),  # 61 days
        ("2026-04-01", "unconfirmed", True),
        ("2026-04-01", "conditional", False),  # minors to close: an action plan, not a risk to the audit
        ("2026-03-30", "not-ready", False),  # the audit date has passed
    ],
)
def test_at_risk_is_an_audit_within_the_window_and_not_ready(audit: str, status: str, at_risk: bool) -> None:
    portfolio = PortfolioFile.model_validate(
        {
            "portfolio": {"name": "R"},
            "organisations": [{"name": "A", "source": "a", "next_audit": {"date": audit, "stage": 2}}],
        }
    )
    row = build_report(portfolio, [_outcome(status)]).organisations[0]
    assert row.at_risk is at_risk


def test_the_published_schema_is_the_model_and_accepts_the_sample() -> None:
    published = json.loads((ROOT / "docs" / "portfolio.schema.json").read_text())
    assert published == portfolio_schema(), (
        "regenerate: python -m qmscheck.portfolio.model > docs/portfolio.schema.json"
    )
    sample = load_portfolio(PORTFOLIO)
    jsonschema.validate(sample.model_dump(mode="json", exclude_none=True), published)


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, read from /proc."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return sorted(found)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the process tree from /proc")
def test_an_organisation_whose_process_is_killed_is_reported_crashed_and_the_others_complete(tmp_path: Path) -> None:
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    command = [
        sys.executable,
        "-m",
        "qmscheck",
        "portfolio",
        PORTFOLIO,
        "-o",
        tmp_path / "out",
        "-j",
        "1",
        "--no-index",
    ]
    with subprocess.Popen(
        list(map(str, command)), env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as run:
        # --jobs 1: the first organisation's process is the only one under the fork server; kill it.
        victim = None
        for _ in range(600):
            scans = [child for server in _children(run.pid) for child in _children(server)]
            if scans:
                victim = scans[0]
                os.kill(victim, 9)
                break
            time.sleep(0.05)
        _, stderr = run.communicate(timeout=600)
    assert victim is not None, "no organisation's process was seen"
    assert run.returncode == 1, stderr
    report = json.loads((tmp_path / "out" / "portfolio.json").read_text())
    rows = {row["slug"]: row for row in report["organisations"]}
    crashed = rows["acme-precision-parts-ltd"]["error"]
    assert crashed["kind"] == "crashed" and "SIGKILL" in crashed["message"]
    assert all(rows[slug]["error"] is None for slug in ("drehteile-kessler-gmbh", "lokalis-sas"))
