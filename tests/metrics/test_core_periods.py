"""metrics.periods: the one add_months (clamped to month end), unit starts and steps, and
the named report periods counted back from an as-of date."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.periods import (
    Period,
    add_months,
    month_start,
    previous,
    quarter_start,
    resolve,
    step,
    unit_start,
    week_start,
)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # clamped: February has 28 days
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 31), -1, date(2026, 4, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 15), -13, date(2024, 12, 15)),
        (date(2026, 10, 1), -12, date(2025, 10, 1)),
        (date(2026, 10, 6), 0, date(2026, 10, 6)),
    ],
)
def test_add_months_clamps_to_the_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_unit_starts_and_steps() -> None:
    day = date(2026, 11, 18)  # a Wednesday in Q4
    assert week_start(day) == date(2026, 11, 16)
    assert month_start(day) == date(2026, 11, 1)
    assert quarter_start(day) == date(2026, 10, 1)
    assert [unit_start(day, u) for u in ("day", "week", "month", "quarter", "year")] == [
        day,
        date(2026, 11, 16),
        date(2026, 11, 1),
        date(2026, 10, 1),
        date(2026, 1, 1),
    ]
    assert step(day, "day", -1) == date(2026, 11, 17)
    assert step(day, "week", 2) == date(2026, 12, 2)
    assert step(date(2026, 8, 31), "quarter") == date(2026, 11, 30)
    assert step(date(2028, 2, 29), "year") == date(2029, 2, 28)


def test_named_periods_end_before_the_as_of_day() -> None:
    day = date(2026, 10, 7)  # a Wednesday
    assert resolve("yesterday", day).key == "2026-10-06"
    assert resolve("last_7_days", day).key == "2026-09-30..2026-10-06"
    assert resolve("last_30_days", day).key == "2026-09-07..2026-10-06"
    assert resolve("last_week", day).key == "2026-09-28..2026-10-04"
    assert resolve("week_to_date", day).key == "2026-10-05..2026-10-06"
    assert resolve("month_to_date", day).key == "2026-10-01..2026-10-06"
    assert resolve("last_month", day).key == "2026-09-01..2026-09-30"
    assert resolve("month_to_date", date(2026, 10, 1)).key == "2026-09-01..2026-09-30"
    assert resolve("last_month", date(2026, 3, 31)) == Period(
        "last_month", date(2026, 2, 1), date(2026, 3, 1)
    )
    with pytest.raises(ValueError, match="fortnight"):
        resolve("fortnight", day)


def test_previous_period() -> None:
    last_month = resolve("last_month", date(2026, 10, 7))
    assert previous(last_month) == Period("last_month", date(2026, 8, 1), date(2026, 9, 1))
    week = resolve("last_week", date(2026, 10, 7))
    assert previous(week).key == "2026-09-21..2026-09-27"


def test_period_labels_per_language() -> None:
    assert resolve("yesterday", date(2026, 10, 7)).label("zh") == "2026-10-06"
    week = resolve("last_week", date(2026, 10, 7))
    assert week.label("en") == "2026-09-28 – 2026-10-04"
    assert week.label("zh") == "2026-09-28 至 2026-10-04"
