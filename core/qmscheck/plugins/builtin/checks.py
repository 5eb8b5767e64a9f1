"""The built-in check vocabulary, registered like any plugin's."""

from __future__ import annotations

from collections.abc import Callable

from qmscheck.checking.primitives.avoids import Avoids
from qmscheck.checking.primitives.base import CheckPrimitive
from qmscheck.checking.primitives.covers import Covers
from qmscheck.checking.primitives.differs import Differs
from qmscheck.checking.primitives.each import Each
from qmscheck.checking.primitives.exists import Exists
from qmscheck.checking.primitives.fresh import Fresh
from qmscheck.checking.primitives.mentions import Mentions
from qmscheck.checking.primitives.periodic import Periodic
from qmscheck.checking.primitives.references import References
from qmscheck.checking.primitives.unique import Unique
from qmscheck.checking.primitives.within import Within
from qmscheck.checking.scope import Exclusions
from qmscheck.hookspecs import hookimpl


@hookimpl
def qmscheck_register_checks(register: Callable[[CheckPrimitive], None]) -> None:
    primitives = (
        Exists(),
        Each(),
        Fresh(),
        Covers(),
        Mentions(),
        Avoids(),
        Periodic(),
        Within(),
        Unique(),
        References(),
        Differs(),
    )
    for primitive in (*primitives, Exclusions()):
        register(primitive)
