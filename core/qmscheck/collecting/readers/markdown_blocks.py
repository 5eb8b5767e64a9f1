"""Just enough Markdown structure for metadata: front matter, headings, tables."""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^\s*(```|~~~)")
# The heading's text is cut from its closing #s in plain code: a pattern ending "\s*#*\s*$"
# backtracks over a long run of spaces in time that grows with its cube.
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s(.*)$")
_SEPARATOR_CELL = re.compile(r":?-+:?")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_BREAK = re.compile(r"<\s*/?\s*br\s*/?\s*>", re.IGNORECASE)
# "\<Software Title\>" is escaped literal text, not a tag.
_TAG = re.compile(r"(?<!\\)</?[A-Za-z][^<>]*(?<!\\)>")
_EMPHASIS = re.compile(r"(?<!\\)(\*\*|__)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])")
_COMMENT_LINE = re.compile(r"^\s*<!--.*-->\s*$")
_FRONT_MATTER_END = ("---", "...")
_MAX_FRONT_MATTER_LINES = 500


@dataclass(frozen=True)
class Table:
    start: int  # index of the header line
    end: int  # index after the last row
    rows: list[list[str]]


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(front matter source or None, body)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, text
    for index in range(1, min(len(lines), _MAX_FRONT_MATTER_LINES)):
        if lines[index].strip() in _FRONT_MATTER_END:
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    # A leading '---' with no closing line is a horizontal rule, not front matter.
    return None, text


def clean_inline(text: str) -> str:
    """Cell/heading text without HTML tags, emphasis markers and escapes."""
    text = _BREAK.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _EMPHASIS.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    return " ".join(text.split())


def strip_emphasis(text: str) -> str:
    """Text without bold markers, spacing kept ("**Chair:** Owen" reads "Chair: Owen")."""
    return _EMPHASIS.sub("", text)


def _separator(line: str) -> bool:
    """Whether a line is a table's header separator ("|---|:-:|"): cells of dashes with an optional
    colon at either end, split by pipes, the outer pipes optional."""
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|"):
        stripped = stripped[:-1]
    return all(_SEPARATOR_CELL.fullmatch(cell.strip()) for cell in stripped.split("|"))


def _heading_words(raw: str) -> str:
    """A heading line's text without its closing sequence of #s and the spaces around it."""
    return raw.strip().rstrip("#").rstrip()


def heading_text(raw: str) -> str:
    return clean_inline(raw).strip("*_` ").strip()


def _cells(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|"):
        stripped = stripped[:-1]
    return [clean_inline(cell) for cell in _CELL_SPLIT.split(stripped)]


def outside_code(lines: list[str]) -> list[bool]:
    """For each line, whether it is ordinary Markdown (not inside a code fence)."""
    flags: list[bool] = []
    fence: str | None = None
    for line in lines:
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            flags.append(False)
        elif fence is not None:
            if line.strip().startswith(fence):
                fence = None
            flags.append(False)
        else:
            flags.append(True)
    return flags


def headings(lines: list[str], plain: list[bool]) -> list[tuple[int, int, str]]:
    """(line index, level, text) of ATX headings outside code."""
    found = []
    for index, line in enumerate(lines):
        if plain[index] and (match := _HEADING.match(line)):
            found.append((index, len(match.group(1)), heading_text(_heading_words(match.group(2)))))
    return found


def tables(lines: list[str], plain: list[bool], limit: int) -> list[Table]:
    """Pipe tables starting within the first `limit` lines."""
    found: list[Table] = []
    index = 0
    while index < min(len(lines) - 1, limit):
        line, following = lines[index], lines[index + 1]
        if plain[index] and "|" in line and _separator(following) and "-" in following:
            rows = [_cells(line)]
            end = index + 2
            while end < len(lines) and plain[end] and "|" in lines[end] and lines[end].strip():
                rows.append(_cells(lines[end]))
                end += 1
            found.append(Table(index, end, rows))
            index = end
        else:
            index += 1
    return found


def only_blank_between(lines: list[str], start: int, end: int) -> bool:
    return all(not line.strip() or _COMMENT_LINE.match(line) for line in lines[start:end])
