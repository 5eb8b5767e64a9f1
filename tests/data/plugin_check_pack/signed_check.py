"""A plugin that adds the check kind ``signed``: every selected item is signed off by one of a
list of people. It registers through ``qmscheck_register_checks`` like any outside plugin."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from pydantic import Field
from qmscheck.checking.engine import Probe
from qmscheck.checking.primitives.base import CheckContext, CheckPrimitive, selection_probe
from qmscheck.checking.rule_model import CheckParams, Rule
from qmscheck.hookspecs import hookimpl
from qmscheck.model.verdicts import Failure


class SignedParams(CheckParams):
    """``[rules.check]`` of kind ``signed``."""

    field: str = Field(description="The field naming who signed the item off.")
    by: Annotated[list[str], Field(min_length=1, description="The people allowed to sign it off.")]

    def sentence(self, selection: str) -> str:
        return f"Every {selection} must be signed off ({self.field}) by one of {', '.join(self.by)}."


class Signed:
    kind = "signed"
    description = "Every selected item is signed off by one of the people named."
    params_model = SignedParams

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        return [selection_probe(rule, as_of)]

    def evaluate(self, ctx: CheckContext) -> list[Failure]:
        check = ctx.rule.check
        assert isinstance(check, SignedParams)
        failures = []
        for item in ctx.selected:
            signer = item.field(check.field)
            if signer not in check.by:
                failures.append(Failure((item,), f"signed off by {signer or 'nobody'}, not by {' or '.join(check.by)}"))
        return failures


@hookimpl
def qmscheck_register_checks(register: Callable[[CheckPrimitive], None]) -> None:
    register(Signed())
