"""The base ISO 9001 rule pack, registered like any outside pack."""

from __future__ import annotations

from collections.abc import Callable

from qmscheck import __version__
from qmscheck.checking.packs import RulePack, rules_root
from qmscheck.hookspecs import hookimpl


@hookimpl
def qmscheck_register_rule_packs(register: Callable[[RulePack], None]) -> None:
    register(
        RulePack(
            name="iso9001",
            version=__version__,
            path=rules_root() / "iso9001",
            description="ISO 9001:2015 (with Amd 1:2024) base pack",
        )
    )
