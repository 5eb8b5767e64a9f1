"""The four grades of a finding, from a major nonconformity down to an opportunity for improvement."""

from __future__ import annotations

from enum import StrEnum


class Grade(StrEnum):
    MAJOR = "major"
    MINOR = "minor"
    OBSERVATION = "observation"
    OFI = "ofi"

    @property
    def severity(self) -> int:
        return GRADE_ORDER.index(self)

    @property
    def label(self) -> str:
        return GRADE_LABELS[self]


GRADE_ORDER: tuple[Grade, ...] = (Grade.MAJOR, Grade.MINOR, Grade.OBSERVATION, Grade.OFI)
GRADE_LABELS = {
    Grade.MAJOR: "Major nonconformity",
    Grade.MINOR: "Minor nonconformity",
    Grade.OBSERVATION: "Observation",
    Grade.OFI: "Opportunity for improvement",
}
