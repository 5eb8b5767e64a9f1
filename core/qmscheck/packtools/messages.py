"""The message template (``.pot``) of a rule pack: every text of its rules and standard a report shows.

    usage: python -m qmscheck.packtools.messages PACK.toml > LOCALE/PACK.pot

A rule's title, requirement and fix, and the labels of its conditions, have the rule id as their
context (``msgctxt``); the standard's title and clause headings have the standard id. A translator
starts each language from this template (``pybabel init``/``update``, docs/i18n.md), and the
report's renderers look each text up by the same context (:mod:`qmscheck.i18n`). pybabel reads
only source code, so the pack's TOML is read here.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qmscheck.checking.manifest import load_manifest

__all__ = ["pack_messages", "pot_text"]

#: The fields of a rule a report shows, in the order they are listed.
RULE_FIELDS = ("title", "requirement", "fix")

Message = tuple[str, str, str]


def _labels(value: Any) -> Iterator[str]:
    """Every ``label`` of a rule's conditions, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "label" and isinstance(item, str):
                yield item
            else:
                yield from _labels(item)
    elif isinstance(value, list):
        for item in value:
            yield from _labels(item)


def pack_messages(manifest_file: Path) -> list[Message]:
    """(context, message, where) for every text of the pack, each once, in file order."""
    manifest = load_manifest(manifest_file)
    standard = manifest.standard.id
    found: dict[tuple[str, str], str] = {}
    where = manifest_file.name
    if manifest.standard.title:
        found.setdefault((standard, manifest.standard.title), f"{where} [standard] title")
    for clause, heading in manifest.clauses.items():
        found.setdefault((standard, heading), f"{where} [clauses] {clause}")
    rules = manifest_file.parent / manifest.pack.rules
    for path in sorted(rules.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for rule in data.get("rules", []):
            rule_id = rule.get("id", "")
            texts = [str(rule[field]).strip() for field in RULE_FIELDS if rule.get(field)]
            for text in [*texts, *_labels(rule.get("check", {}))]:
                found.setdefault((rule_id, text), f"{path.relative_to(manifest_file.parent).as_posix()} {rule_id}")
    return [(context, message, origin) for (context, message), origin in found.items()]


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def pot_text(manifest_file: Path) -> str:
    """The template in the gettext format, without a date: the same pack gives the same bytes."""
    manifest = load_manifest(manifest_file)
    lines = [
        f"# Messages of the rule pack {manifest.pack.name} {manifest.pack.version}.",
        "#",
        'msgid ""',
        'msgstr ""',
        f'"Project-Id-Version: {manifest.pack.name} {manifest.pack.version}\\n"',
        '"MIME-Version: 1.0\\n"',
        '"Content-Type: text/plain; charset=utf-8\\n"',
        '"Content-Transfer-Encoding: 8bit\\n"',
        "",
    ]
    for context, message, origin in pack_messages(manifest_file):
        lines += [f"#. {origin}", f"msgctxt {_quoted(context)}"]
        lines += [f"msgid {_quoted(message)}", 'msgstr ""', ""]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(pot_text(Path(sys.argv[1])), end="")
