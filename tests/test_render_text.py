"""The terminal report: verdicts first, findings most severe first, laid out for the terminal's width
(80 columns in a pipe), colour as NO_COLOR, FORCE_COLOR and --color say, the summary once. The CLI
tests run ``qmscheck`` as a user does, on a pseudo-terminal where a terminal matters."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from qmscheck.model.grades import Grade
from qmscheck.model.report import Report
from qmscheck.rendering.json import JsonRenderer
from qmscheck.rendering.readiness import summary_line, verdict
from qmscheck.rendering.terminal import ColorChoice, use_color
from qmscheck.rendering.text import GRADE_HEADINGS, TextRenderer
from test_render_golden import golden_findings, golden_report

ACME = Path(__file__).resolve().parents[1] / "fixtures" / "acme"
ESCAPE = "\x1b["
#: An escape code that sets colour or style (Select Graphic Rendition).
SGR = re.compile(r"\x1b\[[0-9;]*m")
#: Variables that would decide colour or width before the test does.
TERMINAL_VARIABLES = ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "CI")


def text_of(report: Report, width: int = 80, *, color: bool = False) -> str:
    return TextRenderer().render(report, color=color, width=width)


# --- the layout --------------------------------------------------------------------------------


def test_verdict_lines_come_first_then_the_findings_most_severe_first() -> None:
    report = golden_report()
    lines = text_of(report).splitlines()
    assert lines[0].startswith("qmscheck ")
    assert lines[1].startswith("Stage 1 audit ") and verdict(report, 1).headline.split()[0] in lines[1]
    stage_2 = next(i for i, line in enumerate(lines) if line.startswith("Stage 2 audit "))
    headings = [i for i, line in enumerate(lines) if any(line.startswith(h) for h in GRADE_HEADINGS.values())]
    assert stage_2 < headings[0]
    assert [lines[i].split(" (")[0] for i in headings] == [GRADE_HEADINGS[grade] for grade in Grade]


def test_each_finding_is_under_its_grade() -> None:
    text = text_of(golden_report(), width=1000)
    sections = re.split(r"(?m)^(?=\S)", text)
    for finding in golden_findings():
        section = next(s for s in sections if s.startswith(GRADE_HEADINGS[finding.grade]))
        assert f"    {finding.clause} {finding.rule_id} {finding.title}" in section


def test_the_summary_is_the_last_line_and_counts_the_warnings() -> None:
    report = golden_report()
    assert report.warnings
    assert text_of(report).splitlines()[-1] == f"Summary: {summary_line(report)}"
    assert summary_line(report).endswith(", 1 warning")


@pytest.mark.parametrize("width", [40, 70, 80, 132])
def test_wrapping_breaks_no_word_keeps_indents_and_leaves_no_trailing_space(width: int) -> None:
    report = golden_report()
    text = text_of(report, width)
    lines = text.splitlines()
    assert text.split() == text_of(report, 10_000).split()  # the same words, in the same order, none cut
    assert all(line == line.rstrip() for line in lines)
    assert all(len(line) <= width or " " not in line.strip() for line in lines)
    # A statement wrapped over several lines: each of them at the statement's indent.
    statement = max((f.statement for f in report.findings), key=len)
    first = next(i for i, line in enumerate(lines) if line.strip() and statement.startswith(line.strip()))
    wrapped = lines[first : first + 2]
    assert all(line.startswith("      ") and not line.startswith("       ") for line in wrapped), wrapped


def test_terminal_control_characters_in_evidence_text_are_never_printed() -> None:
    findings = golden_findings()
    findings[0] = findings[0].model_copy(update={"title": "Title \x1b]0;owned\x07 \x1b[2J cleared"})
    text = text_of(golden_report(findings))
    assert "\x1b" not in text and "\x07" not in text
    assert "Title \\x1b]0;owned\\x07 \\x1b[2J cleared" in text


# --- the JSON verdicts -------------------------------------------------------------------------


def test_json_has_the_verdicts_the_other_formats_show() -> None:
    report = golden_report()
    data = json.loads(JsonRenderer().render(report))
    assert data["verdicts"] == [verdict(report, stage).model_dump(mode="json") for stage in (1, 2)]
    assert [v["stage"] for v in data["verdicts"]] == [1, 2]
    assert data["verdicts"][1]["status"] == "not-ready"


def test_saved_verdicts_are_recomputed_when_read() -> None:
    data = json.loads(JsonRenderer().render(golden_report()))
    data["verdicts"][1]["status"] = "ready"
    assert Report.model_validate(data).verdicts[1].status == "not-ready"
    del data["verdicts"]  # a report written before 1.4
    assert Report.model_validate(data).verdicts == golden_report().verdicts


# --- colour decided in one place ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "environ", "expected"),
    [
        ("auto", {}, False),  # not a terminal
        ("auto", {"FORCE_COLOR": "1"}, True),
        ("auto", {"FORCE_COLOR": ""}, False),  # set, but empty
        ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        ("always", {"NO_COLOR": "1"}, True),
        ("never", {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_in_a_pipe(choice: ColorChoice, environ: dict[str, str], expected: bool, tmp_path: Path) -> None:
    with (tmp_path / "out").open("w") as stream:
        assert use_color(choice, stream, environ) is expected


# --- the command line, as a user runs it -------------------------------------------------------


def environment(**variables: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in TERMINAL_VARIABLES}
    return {**env, "TERM": "xterm-256color", **variables}


def on_terminal(args: list[str], columns: int = 100, **variables: str) -> str:
    """What ``qmscheck ARGS`` shows on a terminal COLUMNS wide: stdout and stderr both on it."""
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "qmscheck", *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=environment(**variables),
        close_fds=True,
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed: the process has ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    process.wait(timeout=300)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def piped(args: list[str], **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qmscheck", *args],
        capture_output=True,
        text=True,
        env=environment(**variables),
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """acme's scan, saved, for the tests that only need the report printed again."""
    path = tmp_path_factory.mktemp("acme") / "acme.json"
    args = ["scan", str(ACME), "--format", "json", "-o", str(path), "--no-index", "-j", "1", "-q"]
    assert piped([*args, "--fail-on", "never"]).returncode == 0
    return path


def test_no_color_on_a_terminal_prints_no_escape_code() -> None:
    shown = on_terminal(["scan", str(ACME), "--no-index", "-j", "1"], NO_COLOR="1")
    assert "Major nonconformities (1)" in shown
    # No colour, and no progress bar either: a bar redraws itself with cursor-moving escape codes.
    assert ESCAPE not in shown


def test_a_terminal_gets_colour_and_the_summary_once(saved: Path) -> None:
    shown = on_terminal(["report", str(saved)])
    assert ESCAPE in shown
    plain = SGR.sub("", shown)
    assert plain.count("1 major, 11 minor, 2 observations, 1 OFI") == 1
    assert plain.rstrip().endswith("Summary: 1 major, 11 minor, 2 observations, 1 OFI")


def test_force_color_colours_a_pipe_and_the_summary_goes_to_stderr(saved: Path) -> None:
    result = piped(["report", str(saved)], FORCE_COLOR="1")
    assert ESCAPE in result.stdout
    assert result.stderr == "1 major, 11 minor, 2 observations, 1 OFI\n"
    assert ESCAPE not in piped(["report", str(saved)]).stdout


def test_the_color_option_wins_over_the_environment(saved: Path) -> None:
    assert ESCAPE not in on_terminal(["report", str(saved), "--color", "never"], FORCE_COLOR="1")
    assert ESCAPE in piped(["report", str(saved), "--color", "ALWAYS"], NO_COLOR="1").stdout
    rejected = piped(["report", str(saved), "--color", "sometimes"])
    assert rejected.returncode == 2 and "'auto', 'always', 'never'" in rejected.stderr


def test_a_70_column_terminal_breaks_no_word_and_leaves_no_trailing_space(saved: Path) -> None:
    shown = on_terminal(["report", str(saved), "--color", "never"], columns=70)
    report = piped(["report", str(saved)]).stdout
    lines = shown.splitlines()
    assert max(map(len, lines)) == 70  # laid out for the terminal, not for a pipe
    assert all(line == line.rstrip() for line in lines)
    assert shown.split() == report.split()  # the same words as the piped report: none cut


def test_piped_output_is_80_wide_whatever_the_terminal_would_be(saved: Path) -> None:
    result = piped(["report", str(saved)])
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) == 80 and all(line == line.rstrip() for line in lines)
    assert piped(["report", str(saved)], COLUMNS="70").stdout == result.stdout


def test_the_stderr_summary_counts_the_warnings(tmp_path: Path) -> None:
    report = golden_report()
    path = tmp_path / "golden.json"
    path.write_text(JsonRenderer().render(report), encoding="utf-8")
    result = piped(["report", str(path), "--format", "markdown"])
    assert result.stderr == f"{summary_line(report)}\n" and "1 warning" in result.stderr
