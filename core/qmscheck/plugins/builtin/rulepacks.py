"""The base ISO 9001 rule pack, registered like any outside pack."""

from __future__ import annotations

from collections.abc import Callable

from qmscheck.checking.packs import RulePack, base_pack
from qmscheck.hookspecs import hookimpl


@hookimpl
def qmscheck_register_rule_packs(register: Callable[[RulePack], None]) -> None:
    register(base_pack())
