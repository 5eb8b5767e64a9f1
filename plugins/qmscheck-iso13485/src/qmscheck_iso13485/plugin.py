"""The hook qmscheck finds through the ``qmscheck`` entry point ``iso13485``: it registers the pack
from its manifest, and nothing else (the pack adds no code, only data)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qmscheck.api import RulePack, hookimpl

#: The pack's manifest, shipped inside the package with the files it names.
MANIFEST = Path(__file__).parent / "pack.toml"


@hookimpl
def qmscheck_register_rule_packs(register: Callable[[RulePack], None]) -> None:
    register(RulePack.from_manifest(MANIFEST))
