"""Document numbers as an organisation writes them: found in a title or a text, and compared whatever
their separators, case and leading zeros ("QP-03", "QP 3" and "qp.03" are one number).

The reader takes a title's number from :data:`NUMBER_IN_TEXT`, and a check finds the numbers a
document refers to with the same pattern, so both read a number the same way.
"""

from __future__ import annotations

import re

__all__ = ["NUMBER_IN_TEXT", "number_key", "number_prefix", "numbers_in", "numbers_in_name"]

#: A document number in running text or a title: letters, then parts joined by hyphens, at least one a
#: number ("IA-25-01", "HL-P-03", "RAI-2025-01", "F-07"); "ISO 9001" or "COVID-19 plan" are not read as one.
NUMBER_IN_TEXT = re.compile(r"(?<![\w-])[A-Z]{1,4}(?:-[A-Z0-9]{1,6})*-\d{1,5}(?![\w-])")
#: The runs a number is compared by: digits, or letters.
_PARTS = re.compile(r"\d+|[^\W\d_]+")
#: A hyphen joining a word (one with a small letter) to what comes before it in a file name.
_WORD_HYPHEN = re.compile(r"-(?=[A-Za-z]*[a-z])")


def number_key(text: str) -> str | None:
    """The number as compared: its letter runs case-folded, its digit runs without leading zeros,
    joined by '-' ("CSC PR.001" and "CSC-PR-1" give 'csc-pr-1'). None for a text with no digits,
    which is no number."""
    parts = _PARTS.findall(text)
    if not any(part.isdigit() for part in parts):
        return None
    return "-".join(str(int(part)) if part.isdigit() else part.casefold() for part in parts)


def number_prefix(key: str) -> str:
    """The letters of a :func:`number_key` before its first number ('hl-p' of 'hl-p-3'): what
    tells one numbering scheme from another."""
    letters = []
    for part in key.split("-"):
        if part.isdigit():
            break
        letters.append(part)
    return "-".join(letters)


def numbers_in(text: str) -> list[str]:
    """The document numbers written in ``text``, each once, in the order they first appear."""
    return list(dict.fromkeys(NUMBER_IN_TEXT.findall(text)))


def numbers_in_name(name: str) -> list[str]:
    """The document numbers in a file name, where words may be hyphenated onto the number
    ("CSC-F-009-Clinical-Risk-Plan", "QM-001-quality-manual")."""
    return numbers_in(_WORD_HYPHEN.sub(" ", name))
