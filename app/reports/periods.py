"""Report periods resolved against an as-of date (the day the report runs).

Every period ends before the as-of date, so a report never shows a half-filled day, and
its key names the period itself: two runs for the same key are the same report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PERIODS = (
    "yesterday",
    "last_7_days",
    "last_week",
    "week_to_date",
    "month_to_date",
    "last_month",
    "last_30_days",
)


@dataclass(frozen=True)
class Period:
    name: str
    start: date
    end: date  # exclusive

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def key(self) -> str:
        """A stable id of the window, e.g. '2026-10-06' or '2026-10-01..2026-10-31'."""
        if self.end - self.start == timedelta(days=1):
            return self.start.isoformat()
        return f"{self.start.isoformat()}..{self.last_day.isoformat()}"

    def label(self, lang: str = "en") -> str:
        if self.end - self.start == timedelta(days=1):
            return self.start.isoformat()
        joiner = " 至 " if lang == "zh" else " – "
        return f"{self.start.isoformat()}{joiner}{self.last_day.isoformat()}"


def _month_start(day: date) -> date:
    return day.replace(day=1)


def resolve(name: str, as_of: date) -> Period:
    """The window [start, end) of the named period for a report run on `as_of`."""
    yesterday = as_of - timedelta(days=1)
    if name == "yesterday":
        return Period(name, yesterday, as_of)
    if name == "last_7_days":
        return Period(name, as_of - timedelta(days=7), as_of)
    if name == "last_30_days":
        return Period(name, as_of - timedelta(days=30), as_of)
    if name == "last_week":
        monday = as_of - timedelta(days=as_of.weekday())
        return Period(name, monday - timedelta(days=7), monday)
    if name == "week_to_date":
        return Period(name, yesterday - timedelta(days=yesterday.weekday()), as_of)
    if name == "month_to_date":
        return Period(name, _month_start(yesterday), as_of)
    if name == "last_month":
        this_month = _month_start(as_of)
        return Period(name, _month_start(this_month - timedelta(days=1)), this_month)
    raise ValueError(f"Unknown period {name!r}: use one of {', '.join(PERIODS)}.")


def previous(period: Period) -> Period:
    """The window of the same length just before (whole months for month periods)."""
    if period.name in ("last_month",):
        return resolve("last_month", period.start)
    length = period.end - period.start
    return Period(period.name, period.start - length, period.start)
