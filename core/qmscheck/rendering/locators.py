"""Read an evidence locator string back into its parts (file, sheet, row, URL, ERP record).

The report keeps each evidence reference's locator as the text
:class:`qmscheck.model.evidence.Locator` prints (``path [sheet] row N``, or
``url model/record``). Formats that point into files (SARIF) need the parts back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SHEET_AND_ROW = re.compile(r"^(?P<head>.*?)(?: \[(?P<sheet>[^\]]*)\])?(?: row (?P<row>\d+))?$", re.DOTALL)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+")


@dataclass(frozen=True)
class LocatorParts:
    path: str | None = None
    url: str | None = None
    record: str | None = None  # an ERP "model/record_id", when the evidence is not a file
    sheet: str | None = None
    row: int | None = None


def parse_locator(text: str) -> LocatorParts:
    """Best effort: a file path may contain spaces, so everything before ``[sheet]`` is the path."""
    match = _SHEET_AND_ROW.match(text)
    assert match is not None  # the pattern matches any string
    head = match["head"]
    sheet = match["sheet"]
    row = int(match["row"]) if match["row"] else None
    url_match = _URL.match(head)
    if url_match:
        rest = head[url_match.end() :].strip()
        return LocatorParts(url=url_match.group(), record=rest or None, sheet=sheet, row=row)
    if head in ("", "?"):
        return LocatorParts(sheet=sheet, row=row)
    return LocatorParts(path=head, sheet=sheet, row=row)
