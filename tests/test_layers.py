"""The layer contract of ``docs/architecture.md``, checked on every import in the package.

Each module belongs to one layer; it may import its own layer and the layers below, never one
above. The three stage packages (collecting, checking, rendering) stand side by side and never
import each other: evidence reaches the check stage as model objects, and findings reach the
renderers as the report model. Imports under ``if TYPE_CHECKING:`` and inside functions count
too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "core" / "qmscheck"

#: Lowest first. Modules named by their path under qmscheck/, packages by their folder.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__init__", "errors", "i18n"),
    ("model",),
    ("config", "vocabulary"),
    ("support",),
    ("storage",),
    ("collecting", "checking", "rendering"),
    ("hookspecs", "plugins"),
    ("scan", "testing", "api", "packtools", "pytest_plugin", "auditing", "initialise", "portfolio"),
    ("cli", "cli_pack", "cli_audit", "cli_support", "cli_init", "cli_portfolio", "__main__"),
)
#: Stage packages that share a layer and still must not import each other.
SIBLINGS = frozenset({"collecting", "checking", "rendering"})


def _room(module: str) -> str:
    """The layer entry a dotted module name (without the leading 'qmscheck.') belongs to."""
    return module.split(".", 1)[0] if module else "__init__"


def _level(room: str) -> int:
    for level, rooms in enumerate(LAYERS):
        if room in rooms:
            return level
    raise AssertionError(f"qmscheck.{room} is in no layer of the contract: add it to LAYERS and docs/architecture.md")


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        found.append((".".join(parts), path))
    return found


def _imports(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, imported module under qmscheck) for every import of qmscheck in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("qmscheck")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ["qmscheck", *module.split(".")] if module != "__init__" else ["qmscheck"]
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target == "qmscheck":
                # 'from qmscheck import x': x is a module or a name of the package's face.
                found += [(node.lineno, f"qmscheck.{alias.name}") for alias in node.names]
            elif target.startswith("qmscheck."):
                found.append((node.lineno, target))
    return [(line, name.removeprefix("qmscheck").removeprefix(".")) for line, name in found]


def test_every_module_is_in_a_layer() -> None:
    for module, _ in _modules():
        _level(_room(module))


@pytest.mark.parametrize(("module", "path"), _modules(), ids=[module for module, _ in _modules()])
def test_imports_follow_the_layers(module: str, path: Path) -> None:
    room = _room(module)
    level = _level(room)
    wrong = []
    for line, imported in _imports(module, path):
        target = _room(imported)
        if target in {"__version__", "API_VERSION"}:
            continue
        target_level = _level(target)
        if target_level > level or (target != room and room in SIBLINGS and target in SIBLINGS):
            wrong.append(f"line {line}: qmscheck.{module} ({room}) imports qmscheck.{imported} ({target})")
    assert not wrong, "\n".join(wrong)


def test_the_contract_sees_a_violation(tmp_path: Path) -> None:
    """The checker itself must be able to fail: a checking module importing a connector is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from qmscheck.collecting.connectors.base import Connector\n", encoding="utf-8")
    imported = [name for _, name in _imports("checking.bad", bad)]
    assert imported == ["collecting.connectors.base"]
    assert _room(imported[0]) in SIBLINGS and _room("checking.bad") in SIBLINGS
