"""The built-in check vocabulary, registered like any plugin's."""

from __future__ import annotations

from collections.abc import Callable

from qmscheck.checks.base import CheckPrimitive
from qmscheck.checks.covers import Covers
from qmscheck.checks.differs import Differs
from qmscheck.checks.each import Each
from qmscheck.checks.exists import Exists
from qmscheck.checks.fresh import Fresh
from qmscheck.checks.mentions import Mentions
from qmscheck.checks.periodic import Periodic
from qmscheck.checks.unique import Unique
from qmscheck.hookspecs import hookimpl


@hookimpl
def qmscheck_register_checks(register: Callable[[CheckPrimitive], None]) -> None:
    for primitive in (Exists(), Each(), Fresh(), Covers(), Mentions(), Periodic(), Unique(), Differs()):
        register(primitive)
