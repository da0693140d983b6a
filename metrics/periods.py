"""Calendar arithmetic and named report periods, shared by every surface.

Dates are plant-local calendar days; a window is [start, end) — start inclusive, end
exclusive — as everywhere in the metrics layer. `add_months` is the one month step:
calendar months, the day clamped to the target month's last day (as DuckDB's
`date + interval 'n month'` does), so 31 January + 1 month is 28/29 February.

A named period (`resolve`) is counted back from an as-of date and ends before it, so a
report run on the as-of day never shows a half-filled day; its key names the window itself:
two runs for the same key are the same report.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from metrics.i18n import t

PERIODS = (
    "yesterday",
    "last_7_days",
    "last_week",
    "week_to_date",
    "month_to_date",
    "last_month",
    "last_30_days",
)


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def month_start(day: date) -> date:
    return day.replace(day=1)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def week_start(day: date) -> date:
    """The Monday of the ISO week `day` is in."""
    return day - timedelta(days=day.weekday())


def unit_start(day: date, unit: str) -> date:
    """The first day of the day / week / month / quarter / year that holds `day`."""
    if unit == "day":
        return day
    if unit == "week":
        return week_start(day)
    if unit == "month":
        return month_start(day)
    if unit == "quarter":
        return quarter_start(day)
    return date(day.year, 1, 1)


def step(day: date, unit: str, count: int = 1) -> date:
    """`day` moved by `count` days / weeks / months / quarters / years (add_months for months)."""
    if unit == "day":
        return day + timedelta(days=count)
    if unit == "week":
        return day + timedelta(days=7 * count)
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    return add_months(day, months * count)


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
        return t("period_range", lang, start=self.start.isoformat(), end=self.last_day.isoformat())


def resolve(name: str, as_of: date) -> Period:
    """The window [start, end) of the named period for a run on `as_of` (ends before it)."""
    yesterday = as_of - timedelta(days=1)
    if name == "yesterday":
        return Period(name, yesterday, as_of)
    if name == "last_7_days":
        return Period(name, as_of - timedelta(days=7), as_of)
    if name == "last_30_days":
        return Period(name, as_of - timedelta(days=30), as_of)
    if name == "last_week":
        monday = week_start(as_of)
        return Period(name, monday - timedelta(days=7), monday)
    if name == "week_to_date":
        return Period(name, week_start(yesterday), as_of)
    if name == "month_to_date":
        return Period(name, month_start(yesterday), as_of)
    if name == "last_month":
        this_month = month_start(as_of)
        return Period(name, add_months(this_month, -1), this_month)
    raise ValueError(f"Unknown period {name!r}: use one of {', '.join(PERIODS)}.")


def previous(period: Period) -> Period:
    """The window of the same length just before (whole months for month periods)."""
    if period.name == "last_month":
        return resolve("last_month", period.start)
    length = period.end - period.start
    return Period(period.name, period.start - length, period.start)
