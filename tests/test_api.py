"""qmscheck.api is the one import path for plugin authors, and the in-tree plugins keep to it."""

from __future__ import annotations

import ast
from pathlib import Path

import qmscheck.api
import qmscheck.testing

ROOT = Path(__file__).resolve().parents[1]
#: What a plugin's own code may import of qmscheck; its tests may use the testing helpers too.
PUBLIC = {"qmscheck.api"}
PUBLIC_FOR_TESTS = PUBLIC | {"qmscheck.testing"}


def _qmscheck_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "qmscheck":
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.split(".")[0] == "qmscheck"]
    return found


def test_every_public_name_is_there() -> None:
    for module in (qmscheck.api, qmscheck.testing):
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert not missing, f"{module.__name__}.__all__ names what it lacks: {missing}"


def test_the_in_tree_plugins_import_only_the_public_api() -> None:
    sources = sorted(ROOT.glob("plugins/*/src/**/*.py"))
    tests = sorted(ROOT.glob("plugins/*/tests/*.py"))
    assert sources and tests
    wrong = [
        f"{path.relative_to(ROOT)}: {module}"
        for paths, allowed in ((sources, PUBLIC), (tests, PUBLIC_FOR_TESTS))
        for path in paths
        for module in _qmscheck_imports(path)
        if module not in allowed
    ]
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_an_internal_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from qmscheck.model.evidence import EvidenceItem\nfrom qmscheck.api import Kind\n", encoding="utf-8"
    )
    assert _qmscheck_imports(bad) == ["qmscheck.model.evidence", "qmscheck.api"]
