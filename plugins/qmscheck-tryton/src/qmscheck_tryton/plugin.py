"""The hook implementations qmscheck finds through the ``qmscheck`` entry point ``tryton``.

Kept light: nothing here talks to a server or imports proteus; that happens only when a
scan reads a ``connector = "tryton"`` source.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qmscheck.api import Connector, RulePack, hookimpl

from qmscheck_tryton.connector import TrytonConnector

#: The pack's rule files, one per clause, shipped inside the package.
RULES = Path(__file__).parent / "rules"


@hookimpl
def qmscheck_register_connectors(register: Callable[[Connector], None]) -> None:
    register(TrytonConnector())


@hookimpl
def qmscheck_register_rule_packs(register: Callable[[RulePack], None]) -> None:
    register(RulePack.from_manifest(Path(__file__).parent / "pack.toml"))
