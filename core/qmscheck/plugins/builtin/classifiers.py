"""The default name-and-header classifier; runs last so any plugin can claim a candidate first."""

from __future__ import annotations

from qmscheck.collecting.classification import Candidate, Classification, classify_by_name
from qmscheck.hookspecs import hookimpl


@hookimpl(trylast=True)
def qmscheck_classify(candidate: Candidate) -> Classification | None:
    return classify_by_name(candidate)
