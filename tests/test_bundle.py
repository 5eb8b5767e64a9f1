"""``qmscheck bundle`` and ``qmscheck verify`` on a copy of fixtures/acme (never written into)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from qmscheck.cli import main
from qmscheck.cli_audit.bundle import bundle_command, verify_command
from qmscheck.errors import QmscheckError

ACME = Path(__file__).resolve().parent.parent / "fixtures" / "acme"
#: Cited by a finding of the acme scan (NCR001): changing it must be named with that finding.
CITED = "04 Records/NC and CAPA Log.xlsx"


def _copy(destination: Path) -> Path:
    shutil.copytree(ACME, destination, ignore=shutil.ignore_patterns(".qmscheck"))
    return destination


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of acme and its saved JSON scan (with the evidence index beside its qmscheck.toml)."""
    base = tmp_path_factory.mktemp("acme")
    share = _copy(base / "acme")
    scan_file = base / "scan.json"
    result = CliRunner().invoke(main, ["scan", str(share), "--format", "json", "--output", str(scan_file), "-q"])
    assert scan_file.is_file(), result.output
    return share, scan_file


@pytest.fixture
def share(scanned: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the scanned share (mtimes kept), so a test may change it."""
    source, scan_file = scanned
    copy = tmp_path / "acme"
    shutil.copytree(source, copy)
    return copy, scan_file


def _bundle(scan_file: Path, target: Path, output: Path, *extra: str) -> Result:
    return CliRunner().invoke(
        bundle_command, [str(scan_file), "--target", str(target), "--output", str(output), *extra]
    )


def _verify(bundle: Path, *extra: str) -> Result:
    return CliRunner().invoke(verify_command, [str(bundle), *extra])


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_bundle_lists_every_file_and_item_and_verify_passes(share: tuple[Path, Path], tmp_path: Path) -> None:
    target, scan_file = share
    result = _bundle(scan_file, target, tmp_path / "bundle")
    assert result.exit_code == 0, result.output
    bundle = tmp_path / "bundle"
    assert sorted(_files(bundle)) == ["SHA256SUMS", "manifest.json", "qmscheck.toml", "report.html", "report.json"]
    assert (bundle / "report.json").read_bytes() == scan_file.read_bytes()
    assert (bundle / "qmscheck.toml").read_bytes() == (target / "qmscheck.toml").read_bytes()
    assert "<html" in (bundle / "report.html").read_text(encoding="utf-8").lower()

    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    report = json.loads(scan_file.read_text(encoding="utf-8"))
    on_disk = sorted(str(p.relative_to(target / "share")) for p in (target / "share").rglob("*") if p.is_file())
    assert [row["path"] for row in manifest["files"]] == on_disk
    for row in manifest["files"]:
        data = (target / "share" / row["path"]).read_bytes()
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert row["size"] == len(data)
    assert len(manifest["items"]) == report["evidence_count"]
    assert manifest["report"]["as_of"] == report["as_of"]
    assert manifest["packs"] == [
        {"name": p["name"], "version": p["version"], "standard": p["standard"], "rules": p["rules"]}
        for p in report["packs"]
    ]
    (source,) = manifest["location"]["sources"]
    assert source["path"] == str((target / "share").resolve())
    assert manifest["citations"]["agree"] is True
    cited = {(who["fingerprint"], row["path"]) for row in manifest["files"] for who in row["cited_by"]}
    for finding in report["findings"]:
        for ref in finding["evidence"]:
            assert any(fp == finding["fingerprint"] and ref["locator"].startswith(path) for fp, path in cited)

    verified = _verify(bundle)
    assert verified.exit_code == 0, verified.output
    assert "intact, 4 files match SHA256SUMS" in verified.output


def test_sha256sum_checks_the_bundle(share: tuple[Path, Path], tmp_path: Path) -> None:
    if shutil.which("sha256sum") is None:
        pytest.skip("no sha256sum binary")
    target, scan_file = share
    assert _bundle(scan_file, target, tmp_path / "bundle").exit_code == 0
    done = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path / "bundle", capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK") == 4


@pytest.mark.parametrize("output", ["bundle", "bundle.zip"])
def test_a_tampered_bundle_fails_naming_the_file(share: tuple[Path, Path], tmp_path: Path, output: str) -> None:
    target, scan_file = share
    path = tmp_path / output
    assert _bundle(scan_file, target, path).exit_code == 0
    if output.endswith(".zip"):
        files = {info.filename: zipfile.ZipFile(path).read(info) for info in zipfile.ZipFile(path).infolist()}
        files["report.json"] = files["report.json"].replace(b'"major"', b'"minor"', 1)
        del files["qmscheck.toml"]
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in files.items():
                archive.writestr(name, data)
    else:
        report = path / "report.json"
        report.write_bytes(report.read_bytes().replace(b'"major"', b'"minor"', 1))
        (path / "qmscheck.toml").unlink()
    result = _verify(path)
    assert result.exit_code == 1
    assert "changed   report.json" in result.output
    assert "missing   qmscheck.toml" in result.output
    data = json.loads(_verify(path, "--format", "json").output)
    assert data["ok"] is False
    assert data["intact"]["changed"] == ["report.json"]
    assert data["intact"]["missing"] == ["qmscheck.toml"]


def test_an_extra_file_in_the_bundle_is_named(share: tuple[Path, Path], tmp_path: Path) -> None:
    target, scan_file = share
    assert _bundle(scan_file, target, tmp_path / "bundle").exit_code == 0
    (tmp_path / "bundle" / "notes.txt").write_text("added later\n", encoding="utf-8")
    result = _verify(tmp_path / "bundle")
    assert result.exit_code == 1
    assert "extra     notes.txt" in result.output


def test_verify_against_a_changed_share_names_the_file_and_the_finding(
    share: tuple[Path, Path], tmp_path: Path
) -> None:
    target, scan_file = share
    assert _bundle(scan_file, target, tmp_path / "bundle.zip").exit_code == 0
    assert _verify(tmp_path / "bundle.zip", "--against", str(target)).exit_code == 0

    live = tmp_path / "live"
    shutil.copytree(target, live)
    with (live / "share" / CITED).open("ab") as handle:
        handle.write(b"\0")
    result = _verify(tmp_path / "bundle.zip", "--against", str(live))
    assert result.exit_code == 1
    report = json.loads(scan_file.read_text(encoding="utf-8"))
    citing = sorted(
        f"{finding['fingerprint']} ({finding['rule_id']})"
        for finding in report["findings"]
        if any(ref["locator"].startswith(CITED) for ref in finding["evidence"])
    )
    assert citing
    (line,) = [line for line in result.output.splitlines() if line.startswith("  changed")]
    assert CITED in line
    assert all(name in line for name in citing)
    assert "1 changed, 0 added, 0 removed" in result.output

    (live / "share" / "notes.txt").write_text("new\n", encoding="utf-8")
    (live / "share" / CITED).unlink()
    data = json.loads(_verify(tmp_path / "bundle.zip", "--against", str(live), "--format", "json").output)
    assert [row["path"] for row in data["against"]["added"]] == ["notes.txt"]
    assert [row["path"] for row in data["against"]["removed"]] == [CITED]
    assert data["against"]["removed"][0]["findings"]
    assert data["against"]["changed"] == []


def test_a_share_changed_since_the_scan_is_said_in_the_bundle(share: tuple[Path, Path], tmp_path: Path) -> None:
    target, scan_file = share
    with (target / "share" / CITED).open("ab") as handle:
        handle.write(b"\0")
    result = _bundle(scan_file, target, tmp_path / "bundle")
    assert result.exit_code == 1
    assert "the share changed since the scan" in result.output
    assert CITED in result.output
    manifest = json.loads((tmp_path / "bundle" / "manifest.json").read_text(encoding="utf-8"))
    (changed,) = manifest["citations"]["changed_since_scan"]
    assert changed["path"] == CITED
    assert changed["sha256"] == hashlib.sha256((target / "share" / CITED).read_bytes()).hexdigest()
    assert changed["cited_sha256"] != changed["sha256"]
    assert manifest["citations"]["agree"] is False
    assert _verify(tmp_path / "bundle").exit_code == 0  # the bundle itself is intact


def test_bundles_are_byte_identical(share: tuple[Path, Path], tmp_path: Path) -> None:
    target, scan_file = share
    for name in ("one", "two"):
        assert _bundle(scan_file, target, tmp_path / name).exit_code == 0
        assert _bundle(scan_file, target, tmp_path / f"{name}.zip").exit_code == 0
    assert _files(tmp_path / "one") == _files(tmp_path / "two")
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "one.zip") as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == _files(tmp_path / "one")
    # Without the index every file is hashed here: the same manifest.
    assert _bundle(scan_file, target, tmp_path / "unindexed", "--no-index").exit_code == 0
    assert _files(tmp_path / "unindexed") == _files(tmp_path / "one")


def test_a_git_share_records_the_commit(share: tuple[Path, Path], tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("no git binary")
    target, scan_file = share

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(target), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    git("init", "-q")
    git("add", "qmscheck.toml", "share")
    git("commit", "-q", "-m", "evidence")
    assert _bundle(scan_file, target, tmp_path / "clean").exit_code == 0
    manifest = json.loads((tmp_path / "clean" / "manifest.json").read_text(encoding="utf-8"))
    (source,) = manifest["location"]["sources"]
    # Only the share counts: the untracked evidence index beside qmscheck.toml leaves it clean.
    assert source["git"] == {"commit": git("rev-parse", "HEAD"), "clean": True, "changes": []}

    (target / "share" / "notes.txt").write_text("uncommitted\n", encoding="utf-8")
    assert _bundle(scan_file, target, tmp_path / "dirty").exit_code == 0
    manifest = json.loads((tmp_path / "dirty" / "manifest.json").read_text(encoding="utf-8"))
    (source,) = manifest["location"]["sources"]
    assert source["git"]["clean"] is False
    assert source["git"]["changes"] == ["?? share/notes.txt"]


def test_a_share_outside_git_has_no_commit(share: tuple[Path, Path], tmp_path: Path) -> None:
    target, scan_file = share
    assert _bundle(scan_file, target, tmp_path / "bundle").exit_code == 0
    manifest = json.loads((tmp_path / "bundle" / "manifest.json").read_text(encoding="utf-8"))
    inside = subprocess.run(
        ["git", "-C", str(target), "rev-parse", "--is-inside-work-tree"], capture_output=True, check=False
    )
    if shutil.which("git") is not None and inside.returncode == 0:
        pytest.skip("the temporary folder is inside a git work tree")
    assert manifest["location"]["sources"][0]["git"] is None


def test_usage_errors_are_messages(share: tuple[Path, Path], tmp_path: Path) -> None:
    target, scan_file = share
    assert _bundle(scan_file, target, tmp_path / "bundle").exit_code == 0
    cases = [
        (_bundle(scan_file, target, tmp_path / "bundle"), "is not an empty folder"),
        (_bundle(scan_file, tmp_path / "nowhere", tmp_path / "b2"), "no such file or folder"),
        (_bundle(target / "qmscheck.toml", target, tmp_path / "b3"), "is not JSON"),
        (_verify(tmp_path / "nothing"), "no such bundle"),
        (_verify(target / "share"), "is not an evidence bundle"),
        (_verify(target / "qmscheck.toml"), "is not a bundle folder or zip"),
        (_verify(tmp_path / "bundle", "--against", str(tmp_path / "nowhere")), "no such file or folder"),
    ]
    for result, message in cases:
        assert isinstance(result.exception, QmscheckError), result.output
        assert message in str(result.exception)
