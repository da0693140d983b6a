"""Showing values as people read them, in every surface (web, reports, alerts, CLI):
percent with the registry's decimals, "—" for NULL, each language's separators (1,234.5 in
English and Chinese, 1.234,5 in Vietnamese), large amounts in 万/亿 for Chinese readers,
deltas of a percentage in percentage points (+2.1 pp, +2.1个百分点, +2,1 điểm %), and dates
as each language writes them (the formats and the points unit live in metrics/i18n.yaml)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from metrics.i18n import t
from metrics.registry import Metric

NULL = "—"
# result columns of a compared metric: oee_previous, oee_last_year, oee_delta
COLUMN_SUFFIXES = ("_previous", "_last_year", "_delta")
# Languages that group large numbers in myriads: (threshold, unit), largest first. A language
# not listed writes plain thousands separators.
LARGE_UNITS: dict[str, tuple[tuple[float, str], ...]] = {"zh": ((1e8, "亿"), (1e4, "万"))}
# (thousands, decimal) separators of the languages that do not write 1,234.5.
SEPARATORS: dict[str, tuple[str, str]] = {"vi": (".", ",")}
_PLAIN = (",", ".")


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number_separators(lang: str) -> tuple[str, str]:
    """(thousands, decimal) separator of `lang`: (",", ".") unless SEPARATORS says otherwise."""
    return SEPARATORS.get(lang, _PLAIN)


def _separated(text: str, lang: str) -> str:
    """`text` written with 1,234.5 separators, in `lang`'s."""
    thousands, decimal = number_separators(lang)
    if (thousands, decimal) == _PLAIN:
        return text
    return text.translate(str.maketrans({",": thousands, ".": decimal}))


def _fixed(number: float, decimals: int, lang: str, *, signed: bool = False) -> str:
    """`number` with `decimals` decimals and `lang`'s separators, with its sign when `signed`;
    a number that rounds to zero is "0.0", never "-0.0" nor "+0.0"."""
    if round(number, decimals) == 0:
        number, signed = 0.0, False
    return _separated(f"{number:{'+' if signed else ''},.{decimals}f}", lang)


def format_number(value: object, lang: str, decimals: int = 0) -> str:
    """A plain number: 12,345.6 in English, 12.345,6 in Vietnamese; 1.23万 / 1.20亿 for large
    values in Chinese."""
    if is_missing(value):
        return NULL
    number = float(value)  # type: ignore[arg-type]
    for threshold, unit in LARGE_UNITS.get(lang, ()):
        if abs(number) >= threshold:
            return f"{_fixed(number / threshold, 2, lang)}{unit}"
    return _fixed(number, decimals, lang)


def format_value(metric: Metric, value: object, *, lang: str = "en", delta: bool = False) -> str:
    """A metric value as text per the metric's format, with the reader's separators: 85.3% /
    85,3%. A delta is signed (unsigned when it rounds to zero), and a delta of a percentage is
    in percentage points (unit_pp: "+2.1 pp", "+2.1个百分点", "+2,1 điểm %"). Plain amounts
    (not deltas) follow the reader's number style (format_number)."""
    if is_missing(value):
        return NULL
    if not isinstance(value, int | float):
        return str(value)
    decimals = int(metric.format.get("decimals", 2))
    if metric.format.get("style") == "percent":
        text = _fixed(value * 100, decimals, lang, signed=delta)
        return t("unit_pp", lang, value=text) if delta else f"{text}%"
    if delta:
        return _fixed(value, decimals, lang, signed=True)
    return format_number(value, lang, decimals)


def format_date(day: date | None, lang: str) -> str:
    """A date as a reader of that language writes it: 6 Oct 2026, 2026年10月6日."""
    if day is None:
        return NULL
    return day.strftime(t("fmt_date", lang))


def format_datetime(moment: datetime | None, lang: str, tz: str | None = None) -> str:
    """A moment as a reader of that language writes it (fmt_datetime), in time zone `tz`
    (IANA name, e.g. a plant's Asia/Shanghai). A naive moment is taken as UTC; without `tz`
    (or with an unknown one) it is shown in UTC with "UTC" after it."""
    if moment is None:
        return NULL
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    zone = None
    if tz:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
    text = moment.astimezone(zone or UTC).strftime(t("fmt_datetime", lang))
    return text if zone is not None else f"{text} UTC"


def axis_date_format(lang: str) -> str:
    """d3 time format for chart axes."""
    return t("fmt_axis_date", lang)


def metric_of_column(column: str, metrics: dict[str, Metric]) -> Metric | None:
    """The metric a result column shows: `oee`, `oee_previous`, `oee_last_year`, `oee_delta`."""
    if column in metrics:
        return metrics[column]
    for suffix in COLUMN_SUFFIXES:
        if column.endswith(suffix) and column[: -len(suffix)] in metrics:
            return metrics[column[: -len(suffix)]]
    return None
