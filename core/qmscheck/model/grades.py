"""The grades of a finding, from a major nonconformity down to an opportunity for improvement.

An *evidence request* sits between the nonconformities and the advice: a requirement whose
evidence was not found among what the scan understood, while files it could not read or
recognise may hold it. It is not a nonconformity (nothing was established), and it is more
than advice (the auditor will ask for that evidence).
"""

from __future__ import annotations

from enum import StrEnum

from qmscheck.i18n import N_

__all__ = ["GRADE_LABELS", "GRADE_ORDER", "Grade"]


class Grade(StrEnum):
    MAJOR = "major"
    MINOR = "minor"
    REQUEST = "request"
    OBSERVATION = "observation"
    OFI = "ofi"

    @property
    def severity(self) -> int:
        return GRADE_ORDER.index(self)

    @property
    def label(self) -> str:
        return GRADE_LABELS[self]


GRADE_ORDER: tuple[Grade, ...] = (Grade.MAJOR, Grade.MINOR, Grade.REQUEST, Grade.OBSERVATION, Grade.OFI)
#: In English; a report shows them in its language (``Translator.gettext``).
GRADE_LABELS = {
    Grade.MAJOR: N_("Major nonconformity"),
    Grade.MINOR: N_("Minor nonconformity"),
    Grade.REQUEST: N_("Evidence request"),
    Grade.OBSERVATION: N_("Observation"),
    Grade.OFI: N_("Opportunity for improvement"),
}
