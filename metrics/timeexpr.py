"""Time in metric queries: parsing dates, grain buckets, comparison shifts, days in period.

Rules (also in docs/metrics.md):
- `start` is inclusive, `end` exclusive; both are calendar dates (plant-local).
- A grain buckets a fact's time column with date_trunc; week = ISO week starting Monday.
- days_in_period = calendar days of the requested [start, end), or with a grain, of each
  bucket clipped to [start, end); an open side leaves the bucket's own edge.
- Comparisons shift the data window back and bucket the shifted rows with the current
  buckets: the value compared with bucket B is the metric over the dates d with
  d + shift in B ∩ [start, end).
  previous_period: when start and end are month starts and the grain is month, quarter,
  year or none, the shift is the window's length in calendar months (October is compared
  with September, Q4 with Q3); otherwise it is the window's length in days.
  same_period_last_year: 12 calendar months; with a day or week grain 52 weeks (364 days)
  so that weekdays and ISO weeks line up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlglot import exp

from metrics.errors import MetricError
from metrics.periods import add_months

GRAIN_STEP = {"day": (0, 1), "week": (0, 7), "month": (1, 0), "quarter": (3, 0), "year": (12, 0)}
COMPARES = {
    "previous_period": "previous_period",
    "previous": "previous_period",
    "same_period_last_year": "same_period_last_year",
    "last_year": "same_period_last_year",
}
COMPARE_SUFFIX = {"previous_period": "previous", "same_period_last_year": "last_year"}


def parse_date(value: object, name: str) -> date | None:
    """A date from None, a date/datetime, or ISO text 'YYYY-MM-DD'; MetricError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise MetricError(f"{name}={value!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-10-01.")


@dataclass(frozen=True)
class Shift:
    """How far back a comparison window lies: whole calendar months or days."""

    months: int = 0
    days: int = 0

    def back(self, day: date | None) -> date | None:
        if day is None:
            return None
        moved = add_months(day, -self.months) if self.months else day
        return date.fromordinal(moved.toordinal() - self.days)

    def interval(self) -> exp.Interval:
        if self.months:
            return exp.Interval(this=exp.Literal.string(str(self.months)), unit=exp.var("MONTH"))
        return exp.Interval(this=exp.Literal.string(str(self.days)), unit=exp.var("DAY"))


def comparison_shift(
    compare: str, start: date | None, end: date | None, grain: str | None
) -> Shift:
    if compare == "previous_period":
        if start is None or end is None:
            raise MetricError(
                "compare='previous_period' needs both start and end, so the previous period "
                "of the same length is known."
            )
        if start.day == 1 and end.day == 1 and grain in (None, "month", "quarter", "year"):
            return Shift(months=(end.year - start.year) * 12 + end.month - start.month)
        return Shift(days=(end - start).days)
    if grain in ("day", "week"):
        return Shift(days=364)
    return Shift(months=12)


def date_literal(day: date) -> exp.Expression:
    return exp.cast(exp.Literal.string(day.isoformat()), exp.DataType(this=exp.DataType.Type.DATE))


def step_interval(grain: str) -> exp.Interval:
    months, days = GRAIN_STEP[grain]
    if months:
        return exp.Interval(this=exp.Literal.string(str(months)), unit=exp.var("MONTH"))
    return exp.Interval(this=exp.Literal.string(str(days)), unit=exp.var("DAY"))


def bucket(column: exp.Expression, grain: str, shift: Shift | None) -> exp.Expression:
    """date_trunc(grain, column [+ shift]) as a DATE."""
    moved = exp.Add(this=column, expression=shift.interval()) if shift else column
    trunc = exp.TimestampTrunc(this=moved, unit=exp.var(grain.upper()))
    return exp.cast(trunc, exp.DataType(this=exp.DataType.Type.DATE))


def days_in_period(
    period: exp.Expression | None,
    grain: str | None,
    start: date | None,
    end: date | None,
    shift: Shift | None,
) -> exp.Expression:
    """Calendar days behind each row: of the window, or of the row's bucket clipped to it.

    For a comparison the days are those of the shifted (compared) dates."""
    if grain is None or period is None:
        if start is None or end is None:
            raise MetricError(
                "This metric divides by the days in the period: give both start and end, "
                "or a grain (day, week, month, quarter, year)."
            )
        first, last = (shift.back(start), shift.back(end)) if shift else (start, end)
        assert first is not None and last is not None
        return exp.Literal.number((last - first).days)
    low: exp.Expression = period
    high: exp.Expression = exp.Add(this=period.copy(), expression=step_interval(grain))
    if start is not None:
        low = exp.Greatest(this=low, expressions=[date_literal(start)], ignore_nulls=True)
    if end is not None:
        high = exp.Least(this=high, expressions=[date_literal(end)], ignore_nulls=True)
    if shift is not None and shift.months:
        low = exp.Sub(this=low, expression=shift.interval())
        high = exp.Sub(this=high, expression=shift.interval())
    return exp.DateDiff(this=high, expression=low, unit=exp.var("DAY"))
