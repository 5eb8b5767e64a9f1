"""YAML front matter of Markdown files, tolerant of hand-written mistakes."""

from __future__ import annotations

import re

_LINE = re.compile(r"^\s*([^\W\d][\w .-]*?)\s*:\s*(.*?)\s*$")


def _line_pairs(source: str) -> list[tuple[str, str]]:
    pairs = []
    for line in source.splitlines():
        if match := _LINE.match(line):
            pairs.append((match.group(1), match.group(2).strip("'\"")))
    return pairs


def _flatten(prefix: str, value: object, pairs: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix} {key}".strip(), item, pairs)
    elif isinstance(value, list):
        scalars = [str(item) for item in value if not isinstance(item, (dict, list))]
        pairs.append((prefix, ", ".join(scalars)))
    elif prefix:
        pairs.append((prefix, "" if value is None else str(value)))


def parse_front_matter(source: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(key/value pairs, warnings).  Values stay strings as written."""
    import yaml  # type: ignore[import-untyped,unused-ignore]

    try:
        # BaseLoader keeps scalars verbatim: "sop_version: 1.10" must not
        # become the float 1.1, nor "approved: 2025-03-01" a datetime.
        # BaseLoader constructs no Python objects, so this is as safe as safe_load.
        # The C (libyaml) loader is much faster, where PyYAML was built with it.
        loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
        data = yaml.load(source, Loader=loader)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or type(exc).__name__
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        warning = f"invalid YAML front matter ({problem}{where}); read as 'key: value' lines"
        return _line_pairs(source), [warning]
    if data is None or data == "":
        return [], []
    if not isinstance(data, dict):
        # e.g. "qms_version:2.2.0" (no space) is a plain YAML string, not a mapping.
        warning = "front matter is not a YAML mapping; read as 'key: value' lines"
        return _line_pairs(source), [warning]
    pairs: list[tuple[str, str]] = []
    _flatten("", data, pairs)
    return pairs, []
