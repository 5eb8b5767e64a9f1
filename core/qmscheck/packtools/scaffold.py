"""``qmscheck pack new NAME``: a working pack distribution to start from.

What it writes passes ``qmscheck pack check`` and ``qmscheck pack test`` as it is, and its own
``pytest`` run collects the case files through qmscheck's pytest plugin. Every placeholder the
vendor should replace says so.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from qmscheck import API_VERSION
from qmscheck.errors import ConfigError

__all__ = ["new_pack", "rule_prefix"]

_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")

_PYPROJECT = Template("""\
[build-system]
# 77 is the first setuptools that reads an SPDX license expression (PEP 639).
requires = ["setuptools>=77.0.1"]
build-backend = "setuptools.build_meta"

[project]
name = "$dist"
version = "0.1.0"
description = "qmscheck rule pack: $name"
readme = "README.md"
# An SPDX license expression: choose yours (and add license-files = ["LICENSE"] with the text).
license = "Apache-2.0"
requires-python = ">=3.11"
# The pack is data; the only code is the hook that registers it.
dependencies = ["qmscheck>=0.1"]

[project.optional-dependencies]
# qmscheck[testing] brings pytest and the pytest plugin that runs the case files.
test = ["qmscheck[testing]>=0.1"]

[project.entry-points.qmscheck]
$name = "$package.plugin"

[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools.package-data]
$package = ["pack.toml", "rules/*.toml", "cases/*.toml", "py.typed"]

[tool.pytest.ini_options]
testpaths = ["tests"]
# qmscheck's pytest plugin runs every case of these packs as a test of its own.
qmscheck_packs = ["src/$package"]
""")

_PLUGIN = Template('''\
"""The hook qmscheck finds through the ``qmscheck`` entry point ``$name``: it registers the pack
from its manifest (the pack is data: rules, cases and vocabulary are files the manifest names)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qmscheck.api import RulePack, hookimpl

MANIFEST = Path(__file__).parent / "pack.toml"


@hookimpl
def qmscheck_register_rule_packs(register: Callable[[RulePack], None]) -> None:
    register(RulePack.from_manifest(MANIFEST))
''')

_MANIFEST = Template("""\
# The pack manifest: see the vendor guide (docs/vendor-guide.md in qmscheck's repository).

[pack]
name = "$name"
version = "0.1.0"
description = "Edit: what the pack checks"
api = "$api"
rules = "rules"
cases = "cases"
# vocabulary = ["vocabulary/en.toml"]   # words for your evidence types and column headers
# crosswalk = "crosswalk.toml"          # how your standard's clauses map to ISO 9001's

[standard]
# Edit: the standard your rules hold an organisation to. The id qualifies clauses ("$name:4.1");
# reports print the name: "$standard_name 4.1 expects that ...".
id = "$name"
name = "$standard_name"
title = "Edit: the standard's full title"
editions = ["1"]

[[depends]]
pack = "iso9001"
version = ">=1.0"

[clauses]
# Edit: your standard's clause tree, any depth, with short titles in your own words.
"4" = "Edit: a main clause"
"4.1" = "Edit: a clause under it"

[evidence_types.$evidence_type]
kind = "record"
description = "Edit: one $evidence_type row of the organisation's register, with a due date."

# [[overlays]]                          # change a rule of the base pack, with the reason
# rule = "CTX002"
# reason = "Edit: why your standard does not need it"
# skip = true
""")

_RULES = Template("""\
clause = "4.1"
title = "Edit: a clause under it"

[[rules]]
id = "${prefix}001"
title = "Open $evidence_type records are dealt with by their due date"
clause = "4.1"
stages = [2]
source = "standard"
requirement = "every open $evidence_type record is dealt with by its due date"
why = "Edit: why it matters, in a sentence or two an auditor would say."
fix = "Edit: what the organisation should do about it."
evidence = "Rows of the $evidence_type register with a due date and a status."
select = { type = "$evidence_type", where = [{ field = "status", not_one_of = ["closed", "done", "cancelled"] }] }
examples = { passing = "An open row due next month.", failing = "An open row due last month." }

[rules.check]
kind = "each"
require = [{ field = "due", on_or_after = "as_of", label = "a due date that has not passed" }]
""")

_CASES = Template("""\
# Cases for rules/4.1.toml: each rule needs a passing case (expect = []) and a failing one.

[[cases]]
rule = "${prefix}001"
name = "open_record_not_yet_due"
as_of = 2026-03-31
expect = []
items = [{ type = "$evidence_type", ref = "rec1", status = "open", due = 2026-04-30 }]

[[cases]]
rule = "${prefix}001"
name = "open_record_overdue"
as_of = 2026-03-31
expect = [{ grade = "minor", evidence = ["rec2"] }]
items = [
    { type = "$evidence_type", ref = "rec1", status = "closed", due = 2026-01-31 },
    { type = "$evidence_type", ref = "rec2", status = "open", due = 2026-02-28 },
]
""")

_TESTS = Template('''\
"""The pack's own tests. Its case files run too, each as a test of its own: qmscheck's pytest
plugin collects them (``qmscheck_packs`` in pyproject.toml)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from qmscheck.api import EvidenceItem, Report
from qmscheck.packtools import check_pack

PACK = Path(__file__).resolve().parents[1] / "src" / "$package"


def test_the_pack_has_no_problem() -> None:
    assert check_pack(PACK) == []


def test_an_overdue_record_is_one_finding(
    qmscheck_item: Callable[..., EvidenceItem], qmscheck_check: Callable[..., Report]
) -> None:
    items = [qmscheck_item("$evidence_type", "rec1", status="open", due=date(2026, 1, 31))]
    report = qmscheck_check(items, as_of=date(2026, 3, 31))
    assert [(finding.rule_id, finding.grade.value) for finding in report.findings] == [("${prefix}001", "minor")]


def test_a_scan_selects_the_pack(qmscheck_scan: Callable[..., Report], tmp_path: Path) -> None:
    report = qmscheck_scan(tmp_path, packs=["$name"], as_of=date(2026, 3, 31))
    assert "$name" in [pack.name for pack in report.packs]
''')

_README = Template("""\
# $dist

A qmscheck rule pack: $standard_name.

- `src/$package/pack.toml`: the manifest (standard, clause tree, dependencies, evidence types, overlays)
- `src/$package/rules/`: rule files, one per clause
- `src/$package/cases/`: a passing and a failing case for every rule, one file per rule file
- `tests/`: the pack's tests; `pytest` also runs every case

## Work on it

    pip install -e ".[test]"
    qmscheck pack check src/$package     # lint: manifest, rules, cases, docs
    qmscheck pack test src/$package      # run every case
    pytest                               # the same cases, and tests/

## Use it

    pip install $dist
    qmscheck scan SHARE --pack $name

or `[scan] packs = ["iso9001", "$name"]` in the organisation's `qmscheck.toml`.
""")


def rule_prefix(name: str) -> str:
    """The rule-id prefix of a pack called ``name``: its first letters (two to four), in capitals."""
    letters = "".join(char for char in name if char.isalpha()).upper()[:4]
    return letters.ljust(2, "X")


def new_pack(name: str, folder: Path) -> list[Path]:
    """Write a pack distribution called ``qmscheck-<name>`` into ``folder`` (new or empty); the
    files written, in order."""
    if not _NAME.match(name):
        raise ConfigError(
            f"pack name {name!r}: use lower-case letters, digits, '-' and '_', starting with a letter (e.g. 'as9100')"
        )
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ConfigError(f"{folder} exists and is not an empty folder: choose another with --dir")
    ident = name.replace("-", "_")
    values = {
        "name": name,
        "dist": f"qmscheck-{name}",
        "package": f"qmscheck_{ident}",
        "prefix": rule_prefix(name),
        "evidence_type": f"{ident}_record",
        "standard_name": name.upper(),
        "api": f">={API_VERSION},<{API_VERSION + 1}",
    }
    package = Path("src") / values["package"]
    files = {
        Path("pyproject.toml"): _PYPROJECT,
        Path("README.md"): _README,
        package / "__init__.py": Template('"""qmscheck rule pack $name."""\n'),
        package / "py.typed": Template(""),
        package / "plugin.py": _PLUGIN,
        package / "pack.toml": _MANIFEST,
        package / "rules" / "4.1.toml": _RULES,
        package / "cases" / "4.1.toml": _CASES,
        Path("tests") / "test_pack.py": _TESTS,
    }
    written = []
    for relative, template in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(template.substitute(values), encoding="utf-8")
        written.append(target)
    return written
