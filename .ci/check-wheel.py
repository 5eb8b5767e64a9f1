"""Checks that a qmscheck wheel carries everything the checkout would run from.

    usage: python .ci/check-wheel.py WHEEL

Every module of core/qmscheck, an extension built from each of its C sources, every rule file and
schema under rules/, py.typed and the licence must be in the wheel, and nothing but the package and
its metadata. The checkout is the reference, so a new module or rule file needs no change here; a
new folder must be named in pyproject.toml's [tool.setuptools] packages, which is checked too
(setuptools still ships a folder left out of it, with a warning that it will stop doing so).
"""

from __future__ import annotations

import sys
import tomllib
import zipfile
from email.parser import Parser
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULE_DATA = ("*.toml", "*.json", "*.md")
#: Message catalogs (qmscheck.i18n): data in folders that are not packages.
CATALOGS = ("*.pot", "*.po", "*.mo")


def expected() -> set[str]:
    core = ROOT / "core" / "qmscheck"
    names = {f"qmscheck/{p.relative_to(core).as_posix()}" for p in core.rglob("*.py")}
    # Package data inside the code: the vocabulary files.
    names |= {f"qmscheck/{p.relative_to(core).as_posix()}" for p in core.rglob("*.toml")}
    # Each C source is an extension of the same name, built for the Python running this check.
    suffix = EXTENSION_SUFFIXES[0]
    names |= {f"qmscheck/{p.relative_to(core).with_suffix(suffix).as_posix()}" for p in core.rglob("*.c")}
    rules = ROOT / "rules"
    names |= {f"qmscheck/rules/{p.relative_to(rules).as_posix()}" for p in rules.rglob("*.py")}
    for pattern in RULE_DATA:
        names |= {f"qmscheck/rules/{p.relative_to(rules).as_posix()}" for p in rules.rglob(pattern)}
    for pattern in CATALOGS:
        names |= {f"qmscheck/{p.relative_to(core).as_posix()}" for p in core.rglob(pattern)}
        names |= {f"qmscheck/rules/{p.relative_to(rules).as_posix()}" for p in rules.rglob(pattern)}
    return names | {"qmscheck/py.typed"}


def package_names() -> set[str]:
    core = ROOT / "core" / "qmscheck"
    names = {".".join(("qmscheck", *p.parent.relative_to(core).parts)) for p in core.rglob("__init__.py")}
    rules = ROOT / "rules"
    data = {p.parent for pattern in RULE_DATA for p in rules.rglob(pattern)}
    return names | {".".join(("qmscheck.rules", *d.relative_to(rules).parts)) for d in data | {rules}}


def main(wheel: str) -> int:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        dist_info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        metadata = Parser().parsestr(archive.read(f"{dist_info}/METADATA").decode())
    problems = [f"missing: {name}" for name in sorted(expected() - names)]
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    in_tree = package_names()
    problems += [f"not in pyproject.toml's packages: {name}" for name in sorted(in_tree - listed)]
    problems += [f"in pyproject.toml's packages, not in the checkout: {name}" for name in sorted(listed - in_tree)]
    if f"{dist_info}/licenses/LICENSE" not in names:
        problems.append("missing: the LICENSE file")
    if metadata["License-Expression"] != "Apache-2.0":
        problems.append(f"License-Expression is {metadata['License-Expression']!r}, not 'Apache-2.0'")
    stray = sorted(n for n in names if not n.startswith(("qmscheck/", f"{dist_info}/")))
    problems += [f"not part of the package: {name}" for name in stray]
    if problems:
        print(f"{wheel}:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    rule_files = sum(1 for n in names if n.startswith("qmscheck/rules/") and not n.endswith(".py"))
    print(f"{Path(wheel).name}: {len(names)} files, {len(in_tree)} packages, {rule_files} rule data files,", end=" ")
    print("py.typed, LICENSE")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
