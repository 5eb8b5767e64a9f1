"""The GitHub Action (action.yml) and the pre-commit hook (.pre-commit-hooks.yaml) at the repository root:
each checked against its schema, and the hook run by pre-commit itself on a small markdown QMS in git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
import yaml
from qmscheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
# SchemaStore's schema of action metadata (https://json.schemastore.org/github-action.json, source
# https://github.com/SchemaStore/schemastore/blob/master/src/schemas/json/github-action.json,
# Apache-2.0), taken unchanged from the copy the PyPI package check-jsonschema 0.39.0 vendors
# (check_jsonschema/builtin_schemas/vendor/github-actions.json), sha256
# 224326cc5a334bdb97b56b6fc320cd4381ba7d61b477b425ed506e6a420b52ba.
ACTION_SCHEMA = ROOT / "tests" / "data" / "github-action.schema.json"


def _action() -> dict[str, Any]:
    action: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return action


def _action_errors(action: dict[str, Any]) -> list[str]:
    schema = json.loads(ACTION_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$id"] == "https://json.schemastore.org/github-action.json"
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(action)]


def test_the_action_validates_against_schemastores_action_schema() -> None:
    action = _action()
    assert not _action_errors(action)
    assert action["runs"]["using"] == "composite"
    assert {"path", "fail-on", "packs", "python-version"} <= set(action["inputs"])


def test_the_schema_check_would_catch_a_broken_action() -> None:
    broken = _action()
    del broken["runs"]["steps"][1]["shell"]  # a composite run step must name its shell
    broken["inputs"]["path"]["kind"] = "folder"
    assert len(_action_errors(broken)) >= 2


def test_the_action_installs_scans_uploads_and_only_then_fails() -> None:
    steps = _action()["runs"]["steps"]
    names = [step.get("uses", "").split("@")[0] or step["name"] for step in steps]
    assert names == [
        "actions/setup-python",
        "Install qmscheck",
        "Scan",
        "github/codeql-action/upload-sarif",
        "Fail per fail-on",
    ]
    install, scan_step, upload, verdict = steps[1:]
    assert '"$GITHUB_ACTION_PATH"' in install["run"]  # the action's own checkout, the version pinned
    assert "--format sarif --output qmscheck.sarif" in scan_step["run"]
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif }}"
    assert "exit 1" in verdict["run"]


def test_inputs_reach_scripts_as_environment_variables() -> None:
    """``${{ inputs.x }}`` pasted into a script runs whatever the value holds: the scripts read $ENV instead."""
    for step in _action()["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]


def test_the_action_documents_every_fail_on_grade_the_cli_takes() -> None:
    scan_command = main.commands["scan"]
    option = next(p for p in scan_command.params if p.name == "fail_on")
    assert isinstance(option.type, click.Choice)
    description = _action()["inputs"]["fail-on"]["description"]
    assert all(str(choice) in description for choice in option.type.choices)


def _pre_commit(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def test_the_hook_manifest_is_valid_for_pre_commit() -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is in the test extra")
    result = _pre_commit("validate-manifest", str(HOOKS), cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert hook["id"] == "qmscheck" and hook["language"] == "python" and hook["pass_filenames"] is False


# The project gates on its findings in CI (the action's fail-on); here the hook reports them and passes.
QMSCHECK_TOML = """\
[organisation]
name = "Example Software Ltd"
sites = ["Leeds"]

[scan]
as_of = "2026-03-31"
fail_on = "never"

[[sources]]
connector = "filesystem"
path = "qms"
"""

DOCUMENTS = {
    "qms/manual/QM-001-quality-manual.md": """\
---
id: QM-001
title: Quality Manual
version: 2.0
status: approved
owner: Head of Quality
approved: 2025-10-01
next_review: 2026-10-01
---

# Quality Manual

## Scope

The QMS covers the design and support of our software, from the Leeds office.
""",
    "qms/procedures/SOP-001-document-control.md": """\
---
id: SOP-001
title: Control of Documented Information
version: 1.1
status: approved
owner: Head of Quality
approved: 2025-09-01
next_review: 2026-09-01
---

# Control of Documented Information

Documents are markdown in git; changes are reviewed and approved in pull requests.
""",
    "qms/records/capa-log.md": """\
# Corrective Action Log

| NC | Raised | Description | Action | Due | Closed |
|---|---|---|---|---|---|
| NC-001 | 2025-11-02 | Release notes missing | Add a release checklist | 2025-12-01 | 2025-11-20 |
""",
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=qmscheck", "-c", "user.email=qmscheck@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def _index_reachable(tmp_path: Path) -> bool:
    """pre-commit builds the hook's environment with pip: the build needs setuptools from an index."""
    probe = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "--dest",
            str(tmp_path),
            "setuptools>=77.0.1",
        ],
        capture_output=True,
        check=False,
        timeout=300,
    )
    return probe.returncode == 0


def test_pre_commit_try_repo_runs_the_hook_on_a_markdown_qms(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is in the test extra")
    if shutil.which("git") is None:
        pytest.skip("no git binary: pre-commit needs one")
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, check=False).returncode:
        pytest.skip("this checkout is not a git repository: try-repo clones one")
    if not _index_reachable(tmp_path / "probe"):
        pytest.skip("no package index reachable: pre-commit pip-installs qmscheck into the hook's environment")
    repo = tmp_path / "qms-repo"
    for name, text in DOCUMENTS.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    (repo / "qmscheck.toml").write_text(QMSCHECK_TOML, encoding="utf-8")
    (repo / ".gitignore").write_text(".qmscheck/\n", encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "The QMS")
    # A pre-commit home of its own: the hook's environment is built from this checkout, not reused.
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    # --verbose: pre-commit shows a passing hook's output too.
    result = _pre_commit("try-repo", str(ROOT), "qmscheck", "--all-files", "--verbose", cwd=repo, env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "Passed" in output and "- hook id: qmscheck" in output
    # The scan read the markdown QMS: the quality manual counts, the missing records are findings.
    assert "Summary:" in output and "major" in output and "Clause 7" in output
