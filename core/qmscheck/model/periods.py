"""ISO 8601 periods (P12M, P30D, P1Y, P2W) and the date anchors rules are written against."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["ANCHOR_PATTERN", "EPOCH", "PERIOD_PATTERN", "Anchor", "Period", "epoch_days"]

_PERIOD = re.compile(r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?$")
_ANCHOR = re.compile(
    r"^\s*(?:(?P<as_of>as_of)|field:(?P<field>[a-z][a-z0-9_]*))\s*(?:(?P<sign>[+-])\s*(?P<period>P\w+))?\s*$"
)

PERIOD_PATTERN = r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$"
ANCHOR_PATTERN = r"^\s*(as_of|field:[a-z][a-z0-9_]*)\s*([+-]\s*P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?)?\s*$"


@dataclass(frozen=True)
class Period:
    years: int = 0
    months: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text.strip())
        if not match or text.strip() == "P":
            raise ValueError(f"not an ISO 8601 period like P12M or P30D: {text!r}")
        parts = {k: int(v) for k, v in match.groupdict().items() if v}
        return cls(parts.get("years", 0), parts.get("months", 0), parts.get("weeks", 0) * 7 + parts.get("days", 0))

    @property
    def calendar_free(self) -> bool:
        """True when the period is a fixed number of days (needed relative to another field)."""
        return not self.years and not self.months

    def add_to(self, day: date, sign: int = 1) -> date:
        months = day.month - 1 + sign * (self.years * 12 + self.months)
        year, month = day.year + months // 12, months % 12 + 1
        shifted = date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
        return shifted + timedelta(days=sign * self.days)

    def __str__(self) -> str:
        text = "P" + (f"{self.years}Y" if self.years else "") + (f"{self.months}M" if self.months else "")
        return text + (f"{self.days}D" if self.days or text == "P" else "")

    def human(self) -> str:
        bits = [(self.years, "year"), (self.months, "month"), (self.days, "day")]
        return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in bits if n) or "0 days"


@dataclass(frozen=True)
class Anchor:
    """``as_of``, ``as_of-P12M``, ``field:issued+P30D``."""

    field: str | None
    sign: int
    period: Period | None

    @classmethod
    def parse(cls, text: str) -> Anchor:
        match = _ANCHOR.match(text)
        if not match:
            raise ValueError(f"not a date anchor like 'as_of', 'as_of-P12M' or 'field:issued+P30D': {text!r}")
        period = Period.parse(match["period"]) if match["period"] else None
        if match["field"] and period is not None and not period.calendar_free:
            raise ValueError(f"an offset from another field must be in days or weeks, not months: {text!r}")
        return cls(match["field"], -1 if match["sign"] == "-" else 1, period)

    def resolve(self, as_of: date) -> date:
        """The anchor's date when it is relative to the as-of date."""
        assert self.field is None
        return self.period.add_to(as_of, self.sign) if self.period else as_of

    @property
    def offset_days(self) -> int:
        return self.sign * self.period.days if self.period else 0

    def describe(self, as_of: date) -> str:
        if self.field is None:
            return f"{self.resolve(as_of).isoformat()}"
        if not self.period:
            return f"its {self.field.replace('_', ' ')} date"
        return f"{self.period.human()} {'after' if self.sign > 0 else 'before'} its {self.field.replace('_', ' ')} date"


EPOCH = date(1970, 1, 1)


def epoch_days(day: date) -> int:
    """Dates go into the engine as whole days: its comparisons are untyped, integers compare safely."""
    return (day - EPOCH).days
