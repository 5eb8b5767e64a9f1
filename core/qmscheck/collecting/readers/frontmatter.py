"""YAML front matter of Markdown files, tolerant of hand-written mistakes."""

from __future__ import annotations

import re

from .limits import MAX_FRONT_MATTER_BYTES, MAX_FRONT_MATTER_DEPTH, size_text

_KEY = re.compile(r"[^\W\d][\w .-]*")


def _line_pairs(source: str) -> list[tuple[str, str]]:
    """'key: value' lines, split at the first colon (a pattern spanning the whole line would
    backtrack over long runs of spaces)."""
    pairs = []
    for line in source.splitlines():
        key, colon, value = line.partition(":")
        key = key.strip()
        if colon and _KEY.fullmatch(key):
            pairs.append((key, value.strip().strip("'\"")))
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


def _refusal(source: str, loader: type) -> str | None:
    """Why the YAML must not be built into values, or None: an alias (``*name``) makes the
    structure a graph that flattening expands exponentially (540 bytes make millions of pairs), and
    nesting deeper than the limit serves only to exhaust the parser's stack. Read from the parser's
    events, which neither expand aliases nor nest."""
    import yaml  # type: ignore[import-untyped,unused-ignore]

    depth = 0
    for event in yaml.parse(source, Loader=loader):
        if isinstance(event, yaml.AliasEvent):
            return "front matter uses YAML aliases (*name), which are not expanded"
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_FRONT_MATTER_DEPTH:
                return f"front matter nests deeper than the {MAX_FRONT_MATTER_DEPTH}-level limit"
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def parse_front_matter(source: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(key/value pairs, warnings).  Values stay strings as written."""
    import yaml  # type: ignore[import-untyped,unused-ignore]

    if len(source.encode("utf-8", "surrogatepass")) > MAX_FRONT_MATTER_BYTES:
        warning = f"front matter is larger than the {size_text(MAX_FRONT_MATTER_BYTES)} limit: not read"
        return [], [warning]
    try:
        # BaseLoader keeps scalars verbatim: "sop_version: 1.10" must not
        # become the float 1.1, nor "approved: 2025-03-01" a datetime.
        # BaseLoader constructs no Python objects, so this is as safe as safe_load.
        # The C (libyaml) loader is much faster, where PyYAML was built with it.
        loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
        refusal = _refusal(source, loader)
        if refusal is not None:
            return _line_pairs(source), [f"{refusal}; read as 'key: value' lines"]
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
