"""Exit codes a CI gate can script: 0 clean, 1 findings, 2 usage or configuration, 3 internal error or plugin failure.

Plugins here are real distributions: a module and a ``*.dist-info`` folder with a ``qmscheck``
entry point, put on ``sys.path`` (in-process) or ``PYTHONPATH`` (in a subprocess), so they load
exactly as an installed plugin does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from qmscheck.cli import main
from qmscheck.errors import ExitCode
from test_render_golden import builtin_renderers, golden_report

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"

#: A plugin whose module cannot be imported: it fails while loading.
IMPORT_FAILS = "import qmscheck_no_such_module  # noqa: F401\n"

#: A plugin whose register hook raises: it fails while registering.
REGISTER_FAILS = """
from qmscheck.hookspecs import hookimpl

@hookimpl
def qmscheck_register_renderers(register):
    raise RuntimeError("the renderer table is corrupt")
"""

#: A plugin that loads and registers, and whose renderer crashes: a bug at run time.
RENDER_CRASHES = """
from qmscheck.hookspecs import hookimpl

class Crashing:
    name = "crashing"
    extension = "crash"

    def render(self, report, color=False):
        return {}["no such key"]

@hookimpl
def qmscheck_register_renderers(register):
    register(Crashing())
"""


def install(site: Path, entry_point: str, source: str, version: str = "0.3") -> None:
    """Install a one-module plugin distribution ``qmscheck-<entry_point>`` into the folder ``site``."""
    module = f"qmscheck_test_{entry_point}"
    (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    dist_info = site / f"qmscheck_{entry_point}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: qmscheck-{entry_point}\nVersion: {version}\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(f"[qmscheck]\n{entry_point} = {module}\n", encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on sys.path, as site-packages is, for plugins installed by the test."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv("QMSCHECK_DISABLE_PLUGINS", raising=False)
    monkeypatch.delenv("QMSCHECK_DEBUG", raising=False)
    return folder


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    """A bare folder with one document: a scan of it has findings (nothing mandatory is there)."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "note.txt").write_text("Quality policy draft.\n", encoding="utf-8")
    return folder


@pytest.fixture
def saved_scan(tmp_path: Path) -> Path:
    path = tmp_path / "scan.json"
    path.write_text(builtin_renderers()["json"].render(golden_report()), encoding="utf-8")
    return path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args], prog_name="qmscheck")


def qmscheck(*args: str | Path, site: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed command in a process of its own, with ``site`` on PYTHONPATH."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("QMSCHECK_")}
    if site is not None:
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), environment.get("PYTHONPATH")]))
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "qmscheck", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=environment,
    )


# --- 0 and 1: findings against --fail-on ---------------------------------------------------------


def test_the_codes_are_the_documented_numbers() -> None:
    assert [(code.name, int(code)) for code in ExitCode] == [
        ("OK", 0),
        ("FINDINGS", 1),
        ("USAGE_ERROR", 2),
        ("INTERNAL_ERROR", 3),
        ("INTERRUPTED", 130),
    ]


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [("major", ExitCode.FINDINGS), ("observation", ExitCode.FINDINGS), ("never", ExitCode.OK)],
)
def test_scan_exits_1_only_for_findings_at_or_above_fail_on(evidence: Path, fail_on: str, code: ExitCode) -> None:
    result = run("scan", evidence, "--no-index", "--jobs", "1", "--fail-on", fail_on)
    assert result.exit_code == code, result.output


# --- 2: usage and configuration errors -----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["scan"],  # no TARGET: click's own usage error
        ["scan", "{evidence}", "--no-such-option"],
        ["scan", "{evidence}", "--stage", "3"],
        ["scan", "{evidence}", "--index", "x.sqlite", "--no-index"],
        ["scan", "{evidence}/missing"],
        ["no-such-command"],
        ["rules", "explain", "NOPE999"],
    ],
)
def test_usage_errors_exit_2(evidence: Path, args: list[str]) -> None:
    result = run(*(arg.format(evidence=evidence) for arg in args))
    assert result.exit_code == ExitCode.USAGE_ERROR, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_broken_rule_pack_exits_2_naming_file_rule_and_path(site: Path, tmp_path: Path, evidence: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "7.1.toml").write_text(
        'clause = "7.1"\ntitle = "t"\n[[rules]]\nid = "BRK001"\ntitle = "t"\nclause = "7.1.5"\ngrade = "fatal"\n'
        'requirement = "r"\nwhy = "w"\nfix = "f"\nselect = { type = "x" }\ncheck = { kind = "exists" }\n',
        encoding="utf-8",
    )
    install(
        site,
        "brokenpack",
        "from pathlib import Path\nfrom qmscheck.hookspecs import hookimpl\nfrom qmscheck.checking.packs import RulePack\n"
        "@hookimpl\ndef qmscheck_register_rule_packs(register):\n"
        f"    register(RulePack(name='broken', version='1', path=Path({str(rules)!r}), api='>=2'))\n",
    )
    result = qmscheck("scan", evidence, "--no-index", "--pack", "broken", site=site)
    assert result.returncode == ExitCode.USAGE_ERROR, result.stderr
    assert "7.1.toml" in result.stderr and "BRK001" in result.stderr and "$.rules[0].grade" in result.stderr
    assert "Traceback" not in result.stderr


# --- 3: plugin failures --------------------------------------------------------------------------

#: Every command that relies on what the plugins register.
RELYING_COMMANDS = [
    ["scan", "{evidence}", "--no-index"],
    ["inventory", "{evidence}"],
    ["report", "{saved_scan}"],
    ["rules"],
    ["rules", "explain", "DOC001"],
]


@pytest.mark.parametrize("args", RELYING_COMMANDS, ids=lambda args: " ".join(a for a in args if "{" not in a))
def test_a_plugin_that_fails_to_load_is_named_and_left_out_and_the_command_still_works(
    site: Path, evidence: Path, saved_scan: Path, args: list[str]
) -> None:
    install(site, "unloadable", IMPORT_FAILS, version="1.4.2")
    result = run(*(arg.format(evidence=evidence, saved_scan=saved_scan) for arg in args))
    assert result.exit_code in (ExitCode.OK, ExitCode.FINDINGS), result.output
    assert result.stdout != ""
    message = result.stderr
    assert message.startswith("warning: 1 plugin(s) failed to load and are left out")
    assert "unloadable 1.4.2 (qmscheck-unloadable): ModuleNotFoundError: No module named 'qmscheck_no_such_module'" in (
        message
    )
    assert f"QMSCHECK_DISABLE_PLUGINS=unloadable qmscheck {args[0]}" in message
    assert "Traceback" not in message


def test_a_scan_with_a_failed_plugin_says_so_in_the_report(site: Path, evidence: Path) -> None:
    install(site, "unloadable", IMPORT_FAILS, version="1.4.2")
    result = run("scan", evidence, "--no-index", "--format", "json")
    warnings = json.loads(result.stdout)["warnings"]
    assert warnings[0]["locator"] == "plugin unloadable 1.4.2"
    assert "qmscheck_no_such_module" in warnings[0]["message"]


def test_asking_for_what_a_failed_plugin_would_provide_exits_3_naming_it(site: Path, saved_scan: Path) -> None:
    install(site, "badregister", REGISTER_FAILS, version="2.0")
    result = run("report", saved_scan, "--format", "fancy")
    assert result.exit_code == ExitCode.INTERNAL_ERROR, result.output
    assert "unknown format 'fancy'" in result.stderr
    assert "badregister 2.0" in result.stderr and "the renderer table is corrupt" in result.stderr
    assert "Traceback" not in result.stderr
    pack = run("scan", saved_scan.parent, "--no-index", "--pack", "iso13485-missing")
    assert pack.exit_code == ExitCode.INTERNAL_ERROR, pack.output
    assert "rule pack 'iso13485-missing' is not installed" in pack.stderr and "badregister 2.0" in pack.stderr


def test_a_plugin_whose_register_hook_raises_is_named_and_left_out(site: Path, saved_scan: Path) -> None:
    install(site, "badregister", REGISTER_FAILS, version="2.0")
    result = run("report", saved_scan, "--format", "json", "--fail-on", "major")
    assert result.exit_code == ExitCode.FINDINGS, result.output  # the golden report has a major finding
    assert "badregister 2.0" in result.stderr and "the renderer table is corrupt" in result.stderr
    assert "QMSCHECK_DISABLE_PLUGINS=badregister" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_plugins_command_lists_a_failed_plugin_and_exits_0(site: Path) -> None:
    install(site, "unloadable", IMPORT_FAILS, version="1.4.2")
    result = run("plugins")
    assert result.exit_code == ExitCode.OK, result.output
    line = next(line for line in result.stdout.splitlines() if line.startswith("unloadable "))
    assert line.startswith("unloadable 1.4.2 (qmscheck-unloadable) FAILED: ModuleNotFoundError")
    assert "qmscheck.plugins.builtin.renderers" in result.stdout  # the others are still listed


def test_disabling_the_failed_plugin_as_the_message_says_silences_it(site: Path, saved_scan: Path) -> None:
    install(site, "unloadable", IMPORT_FAILS)
    failed = qmscheck("report", saved_scan, "--format", "json", site=site)
    assert "QMSCHECK_DISABLE_PLUGINS=unloadable" in failed.stderr
    without = qmscheck(
        "report", saved_scan, "--format", "json", "--fail-on", "major", site=site, QMSCHECK_DISABLE_PLUGINS="unloadable"
    )
    assert without.returncode == ExitCode.FINDINGS, without.stderr  # the golden report has a major finding
    assert "warning:" not in without.stderr  # no plugin warning (the summary counts the report's warnings)
    assert without.stdout.startswith("{")


# --- 3: internal errors --------------------------------------------------------------------------


def test_a_crash_is_an_internal_error_exit_3_with_one_paragraph_and_no_traceback(site: Path, saved_scan: Path) -> None:
    install(site, "crashing", RENDER_CRASHES)
    result = qmscheck("report", saved_scan, "--format", "crashing", site=site)
    assert result.returncode == ExitCode.INTERNAL_ERROR, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr  # one paragraph, on one line
    assert result.stderr.startswith("error: internal error: `")
    assert "qmscheck report` failed with KeyError: 'no such key'" in result.stderr
    assert "qmscheck_test_crashing.py" in result.stderr  # where it failed
    assert "This is a bug in qmscheck or in one of its plugins" in result.stderr
    assert "--debug (or QMSCHECK_DEBUG=1)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("option", "env"), [(["--debug"], {}), ([], {"QMSCHECK_DEBUG": "1"})])
def test_debug_shows_the_traceback_and_still_exits_3(
    site: Path, saved_scan: Path, option: list[str], env: dict[str, str]
) -> None:
    install(site, "crashing", RENDER_CRASHES)
    result = qmscheck(*option, "report", saved_scan, "--format", "crashing", site=site, **env)
    assert result.returncode == ExitCode.INTERNAL_ERROR, result.stderr
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert 'return {}["no such key"]' in result.stderr
    assert "\nerror: internal error: `" in result.stderr
    assert "qmscheck report` failed with KeyError" in result.stderr
