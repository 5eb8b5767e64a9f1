"""Plugins: built-ins register like outside plugins; a broken outside plugin is named, not fatal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from qmscheck import hookspecs
from qmscheck.hookspecs import hookimpl
from qmscheck.plugins.manager import load_plugins


def test_builtins_register_through_the_hooks() -> None:
    plugins = load_plugins(entry_points=False)
    assert plugins.connectors.names() == ["filesystem"]
    assert plugins.checks.names() == [
        "avoids",
        "covers",
        "differs",
        "each",
        "exclusions",
        "exists",
        "fresh",
        "mentions",
        "periodic",
        "references",
        "unique",
        "within",
    ]
    assert {"json", "text"} <= set(plugins.renderers.names())
    assert plugins.rule_packs.names() == ["iso9001"]
    assert plugins.connectors.owner("filesystem") == "qmscheck.plugins.builtin.connectors"


def test_every_hook_has_a_docstring_a_plugin_author_can_act_on() -> None:
    for name in hookspecs.all_hook_names():
        doc = getattr(hookspecs, name).__doc__ or ""
        assert len(doc.split()) >= 25, name


def test_a_duplicate_id_isolates_the_plugin_that_registers_it_second() -> None:
    class Duplicate:
        @hookimpl
        def qmscheck_register_renderers(self, register):  # type: ignore[no-untyped-def]
            register(_Named("sarif-lite"))

        @hookimpl
        def qmscheck_register_connectors(self, register):  # type: ignore[no-untyped-def]
            from qmscheck.collecting.connectors.filesystem import FilesystemConnector

            register(FilesystemConnector())

    plugins = load_plugins(extra=[Duplicate()], entry_points=False)
    [failed] = plugins.failed
    assert failed.name == "Duplicate"
    assert failed.error == (
        "connector 'filesystem' registered twice: by qmscheck.plugins.builtin.connectors and by Duplicate"
    )
    # All or nothing: the renderer it registered before the clash is dropped too.
    assert "sarif-lite" not in plugins.renderers
    assert plugins.connectors.owner("filesystem") == "qmscheck.plugins.builtin.connectors"


class _Named:
    def __init__(self, name: str) -> None:
        self.name = name


class _RaisingChecks:
    """A plugin whose connector registers fine and whose check hook raises."""

    @hookimpl
    def qmscheck_register_connectors(self, register):  # type: ignore[no-untyped-def]
        register(_Named("erp-x"))

    @hookimpl
    def qmscheck_register_checks(self, register):  # type: ignore[no-untyped-def]
        raise RuntimeError("licence server unreachable")


def test_a_raising_register_hook_isolates_its_plugin_and_the_rest_still_load() -> None:
    plugins = load_plugins(extra=[_RaisingChecks()], entry_points=False)
    [failed] = plugins.failed
    assert (failed.name, failed.origin) == ("_RaisingChecks", "extra")
    assert failed.error == "hook qmscheck_register_checks raised RuntimeError: licence server unreachable"
    # Unregistered, and nothing it registered is kept, not even what an earlier hook took.
    assert not any(name == "_RaisingChecks" for name, _ in plugins.manager.list_name_plugin())
    assert "erp-x" not in plugins.connectors
    assert "_RaisingChecks" not in [name for name, _, _ in plugins.versions]
    builtin = load_plugins(entry_points=False)
    assert plugins.connectors.names() == builtin.connectors.names()
    assert plugins.checks.names() == builtin.checks.names()
    assert plugins.renderers.names() == builtin.renderers.names()
    assert plugins.rule_packs.names() == builtin.rule_packs.names()


def test_a_registration_without_an_id_isolates_its_plugin() -> None:
    class Nameless:
        @hookimpl
        def qmscheck_register_renderers(self, register):  # type: ignore[no-untyped-def]
            register(object())

    [failed] = load_plugins(extra=[Nameless()], entry_points=False).failed
    assert failed.name == "Nameless" and (failed.error or "").startswith("registered a renderer without a 'name'")


def test_a_broken_entry_point_is_reported_and_the_tool_still_works(tmp_path: Path) -> None:
    # A real installed distribution whose entry point fails on import.
    dist = tmp_path / "site"
    package = dist / "qmscheck_broken_plugin"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("raise RuntimeError('missing licence key')\n")
    info = dist / "qmscheck_broken_plugin-0.3.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: qmscheck-broken-plugin\nVersion: 0.3.1\n")
    (info / "entry_points.txt").write_text("[qmscheck]\nbroken = qmscheck_broken_plugin\n")
    env = {"PYTHONPATH": str(dist), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "qmscheck", "plugins"], capture_output=True, text=True, timeout=120, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "broken 0.3.1 (qmscheck-broken-plugin) FAILED: RuntimeError: missing licence key" in result.stdout
    assert "connectors: filesystem" in result.stdout
    disabled = subprocess.run(
        [sys.executable, "-m", "qmscheck", "plugins"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "QMSCHECK_DISABLE_PLUGINS": "broken"},
        check=False,
    )
    assert "broken" not in disabled.stdout
