"""The grades of a finding, from a major nonconformity down to an opportunity for improvement.

An *evidence request* sits between the nonconformities and the advice: a requirement whose
evidence was not found among what the scan understood, while files it could not read or
recognise may hold it. It is not a nonconformity (nothing was established), and it is more
than advice (the auditor will ask for that evidence).
"""

from __future__ import annotations

from enum import StrEnum

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
GRADE_LABELS = {
    Grade.MAJOR: "Major nonconformity",
    Grade.MINOR: "Minor nonconformity",
    Grade.REQUEST: "Evidence request",
    Grade.OBSERVATION: "Observation",
    Grade.OFI: "Opportunity for improvement",
}
