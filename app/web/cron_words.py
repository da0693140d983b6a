"""Cron expressions in words, in the reader's language: "every day at 07:30", "每天 07:30",
"hằng ngày lúc 07:30".

Covers the forms Andon's schedules use (reports/*.yaml `schedule.cron`, sources.yaml
`schedule`): every N minutes, every hour (at a minute), every N hours, every day at one or
more times, on some weekdays (a list or a range) and on one day of the month. Anything
else is shown as the expression itself. (cron-descriptor, the library for this, keeps
weekday names in English in Chinese and Vietnamese, and words "0 7 * * *" as "At 07:00".)
"""

from __future__ import annotations

import re

from metrics.i18n import join, t

NUMBER = re.compile(r"\d{1,2}")
STEP = re.compile(r"\*/(\d{1,2})")
WEEKDAY_NAMES = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}


def _number(field: str, low: int, high: int) -> int | None:
    if NUMBER.fullmatch(field) and low <= int(field) <= high:
        return int(field)
    return None


def _step(field: str, high: int) -> int | None:
    match = STEP.fullmatch(field)
    if match and 1 <= int(match[1]) <= high:
        return int(match[1])
    return None


def _weekday(field: str) -> int | None:
    """0 (Sunday) … 6 (Saturday); 7 is Sunday too, names as cron writes them (MON)."""
    named = WEEKDAY_NAMES.get(field.lower())
    if named is not None:
        return named
    number = _number(field, 0, 7)
    return None if number is None else number % 7


def _weekdays(field: str, lang: str) -> str | None:
    """A weekday field in words: "Monday", "Monday to Friday", "Monday, Wednesday"."""
    if "-" in field and "," not in field:
        first, _, last = field.partition("-")
        start, end = _weekday(first), _weekday(last)
        if start is None or end is None:
            return None
        return t(
            "cron_day_range",
            lang,
            first=t(f"weekday_{start}", lang),
            last=t(f"weekday_{end}", lang),
        )
    days = [_weekday(part) for part in field.split(",")]
    if not days or any(day is None for day in days):
        return None
    return join((t(f"weekday_{day}", lang) for day in days), lang)


def _times(minute: str, hour: str) -> list[str] | None:
    """ "07:30" for minute 30 hour 7; one time per hour of a list ("7,19")."""
    at = _number(minute, 0, 59)
    hours = [_number(part, 0, 23) for part in hour.split(",")]
    if at is None or any(h is None for h in hours):
        return None
    return [f"{h:02d}:{at:02d}" for h in hours]


def describe_cron(expression: str | None, lang: str) -> str:
    """`expression` (five fields) in words in `lang`; the expression itself when it is of a
    form this does not word (or not five fields)."""
    if not expression:
        return ""
    fields = expression.split()
    if len(fields) != 5:
        return expression
    minute, hour, day, month, weekday = fields
    if month != "*":
        return expression
    if (hour, day, weekday) == ("*", "*", "*"):
        if minute == "*":
            return t("cron_every_minute", lang)
        every = _step(minute, 59)
        if every is not None:
            return t("cron_every_minutes", lang, n=every)
        at = _number(minute, 0, 59)
        if at == 0:
            return t("cron_every_hour", lang)
        if at is not None:
            return t("cron_every_hour_at", lang, minute=f"{at:02d}")
        return expression
    every_hours = _step(hour, 23)
    if every_hours is not None and (day, weekday) == ("*", "*"):
        at = _number(minute, 0, 59)
        if at == 0:
            return t("cron_every_hours", lang, n=every_hours)
        if at is not None:
            return t("cron_every_hours_at", lang, n=every_hours, minute=f"{at:02d}")
        return expression
    times = _times(minute, hour)
    if times is None:
        return expression
    time = join(times, lang)
    if (day, weekday) == ("*", "*"):
        return t("cron_daily", lang, time=time)
    if day == "*":
        days = _weekdays(weekday, lang)
        return expression if days is None else t("cron_weekly", lang, days=days, time=time)
    month_day = _number(day, 1, 31)
    if weekday == "*" and month_day is not None:
        return t("cron_monthly", lang, day=month_day, time=time)
    return expression
