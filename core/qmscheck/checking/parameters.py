"""A rule judged against the organisation's own frequency or deadline (``parameter`` in the rule,
``[parameters]`` in ``qmscheck.toml``) runs only when the organisation has stated it, with the stated
period where the rule file says ``parameter`` (a fresh check's ``within``) or ``as_of-parameter``
(a date bound). ISO 9001 sets none of these periods, so nothing is assumed in their place.
"""

from __future__ import annotations

from typing import Any

from qmscheck.checking.phrases import stated_parameter
from qmscheck.checking.rule_model import PARAMETER, PARAMETER_ANCHOR, Rule, uses_parameter
from qmscheck.model.evidence import Organisation


def unstated(rule: Rule, organisation: Organisation) -> str | None:
    """Why the rule cannot run: the parameter it judges against, unstated; None when it can."""
    if rule.parameter is None or organisation.parameters.stated(rule.parameter) is not None:
        return None
    return f"the organisation states no {rule.parameter} ([parameters] in qmscheck.toml): nothing to judge against"


def _put(data: Any, period: str) -> Any:
    if isinstance(data, dict):
        return {
            key: period if key == "within" and value == PARAMETER else _put(value, period)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_put(value, period) for value in data]
    return f"as_of-{period}" if data == PARAMETER_ANCHOR else data


def with_stated_period(rule: Rule, organisation: Organisation) -> Rule:
    """The rule with the organisation's stated period in place of ``parameter`` (call when
    :func:`unstated` is None); a rule that reads its parameter itself (within, periodic) as it is."""
    if rule.parameter is None or not uses_parameter(rule.model_dump(mode="json")):
        return rule
    period = organisation.parameters.stated(rule.parameter)
    assert period is not None, "with_stated_period is for rules whose parameter is stated"
    # Each part is validated by its own model, so a plugin's check keeps its class.
    check = type(rule.check).model_validate(_put(rule.check.model_dump(mode="json"), period))
    select = type(rule.select).model_validate(_put(rule.select.model_dump(mode="json"), period))
    # The statement cites the period and where the organisation states it.
    requirement = f"{rule.requirement.rstrip('.')}: {stated_parameter(organisation, rule.parameter)}"
    return rule.model_copy(update={"check": check, "select": select, "requirement": requirement})
