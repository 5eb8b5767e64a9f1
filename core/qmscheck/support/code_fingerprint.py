"""A fingerprint of the code that turns evidence into verdicts, which everything stored between scans is keyed on.

What a file yields, what a rule keeps of each group and which findings it makes depend on the
evidence, the rules and the settings, and on the code: qmscheck's readers, classifiers and check
primitives, and those of every loaded plugin. The fingerprint covers that code: qmscheck's version
and a sha256 of every file of the installed package (its sources and the shipped rule packs), and
for each plugin its distribution's name and version and a sha256 of the files of its top-level
package (or module). A bug fix in a development checkout, where no version moves, is then seen by
the next rescan like an upgrade is, with no constant to bump.

The files' bytes are hashed, not their mtimes: a fresh checkout, a copy or a reinstall gives every
file a new mtime (which would throw the whole index away) while an edit can keep one (which would
keep a stale verdict). The package is about a megabyte, so hashing it costs milliseconds.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from types import ModuleType

from qmscheck import __version__

PACKAGE = "qmscheck"


def code_fingerprint(plugins: Iterable[object]) -> str:
    """The fingerprint of qmscheck and of the top-level packages the ``plugins`` (pluggy plugin
    objects: modules, classes or instances) come from."""
    parts = [[PACKAGE, __version__, _installed_digest(_package_roots(PACKAGE))]]
    seen = {PACKAGE}
    for plugin in plugins:
        module = _module_of(plugin)
        top = module.__name__.partition(".")[0] if module is not None else type(plugin).__qualname__
        if top in seen:
            continue
        seen.add(top)
        parts.append(_plugin_part(top))
    return hashlib.sha256(json.dumps(sorted(parts)).encode()).hexdigest()[:32]


def _plugin_part(top: str) -> list[str]:
    """[name, version, digest of the files] of a plugin's top-level package or module."""
    roots = _package_roots(top)
    distribution = _distribution_of(top)
    if distribution is not None:
        # Installed code changes only when it is installed again: hashed once per process.
        return [distribution.name, distribution.version, _installed_digest(roots)]
    # A module handed to load_plugins from no distribution may be rewritten and loaded again in the
    # same process: hashed each time (a module or a small package).
    return [top, "", _digest(roots)]


def _module_of(plugin: object) -> ModuleType | None:
    if isinstance(plugin, ModuleType):
        return plugin
    return sys.modules.get(getattr(plugin, "__module__", None) or type(plugin).__module__)


def _package_roots(top: str) -> tuple[str, ...]:
    """The folders of a top-level package (with qmscheck, that of its rule packs, which an editable
    install maps from elsewhere), or the file of a top-level module; empty when it has no source."""
    module = sys.modules.get(top)
    if module is None:
        return ()
    paths = list(getattr(module, "__path__", ()))
    if not paths:
        source = getattr(module, "__file__", None)
        return (source,) if source else ()
    if top == PACKAGE:
        spec = importlib.util.find_spec(f"{PACKAGE}.rules")
        paths += list(spec.submodule_search_locations or ()) if spec is not None else []
    resolved = sorted({str(Path(path).resolve()) for path in paths})
    # A folder inside another is hashed with it.
    return tuple(path for path in resolved if not any(path.startswith(other + os.sep) for other in resolved))


@cache
def _distribution_of(top: str) -> metadata.Distribution | None:
    """The installed distribution that provides the top-level package ``top``, if any. Most are named
    after their package, which is one lookup; otherwise every installed distribution's list of files
    is read (once per process)."""
    try:
        named = metadata.distribution(top)
    except metadata.PackageNotFoundError:
        named = None
    if named is not None and top in _tops(named):
        return named
    names = metadata.packages_distributions().get(top)
    return metadata.distribution(names[0]) if names else None


def _tops(distribution: metadata.Distribution) -> set[str]:
    """The top-level packages and modules a distribution installs."""
    listed = distribution.read_text("top_level.txt")
    if listed:
        return set(listed.split())
    return {file.parts[0].removesuffix(".py") for file in distribution.files or () if file.parts}


@cache
def _installed_digest(roots: tuple[str, ...]) -> str:
    return _digest(roots)


def _digest(roots: tuple[str, ...]) -> str:
    """A sha256 of every file under ``roots`` (folders or files) but compiled bytecode: each file's
    path relative to its root and its bytes, in a fixed order."""
    hasher = hashlib.sha256()
    for root in roots:
        hasher.update(f"{Path(root).name}\0".encode())
        for relative, path in _files(Path(root)):
            try:
                data = path.read_bytes()
            except OSError as exc:  # a dangling link or an unreadable file: what it is now still counts
                data = f"unreadable: {type(exc).__name__}".encode()
            hasher.update(f"{relative}\0{len(data)}\0".encode())
            hasher.update(data)
    return hasher.hexdigest()


def _files(root: Path) -> list[tuple[str, Path]]:
    if root.is_file():
        return [(root.name, root)]
    found = []
    for folder, folders, names in os.walk(root):
        folders[:] = [name for name in folders if name != "__pycache__"]
        for name in names:
            if not name.endswith((".pyc", ".pyo")):
                path = Path(folder, name)
                found.append((path.relative_to(root).as_posix(), path))
    return sorted(found)


__all__ = ["code_fingerprint"]
