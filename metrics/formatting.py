"""Showing values as people read them, in every surface (web, reports, alerts, CLI):
percent with the registry's decimals, "—" for NULL, large amounts in 万/亿 for Chinese
readers, and dates as each language writes them (the formats live in metrics/i18n.yaml)."""

from __future__ import annotations

import math
from datetime import date

from metrics.i18n import t
from metrics.registry import Metric

NULL = "—"
# result columns of a compared metric: oee_previous, oee_last_year, oee_delta
COLUMN_SUFFIXES = ("_previous", "_last_year", "_delta")
# Languages that group large numbers in myriads: (threshold, unit), largest first. A language
# not listed writes plain thousands separators.
LARGE_UNITS: dict[str, tuple[tuple[float, str], ...]] = {"zh": ((1e8, "亿"), (1e4, "万"))}


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _fixed(number: float, decimals: int, sign: str = "") -> str:
    """f"{number:{sign},.{decimals}f}" without a negative zero ("-0.0" is shown as "0.0")."""
    if round(number, decimals) == 0:
        number = 0.0
    return f"{number:{sign},.{decimals}f}"


def format_number(value: object, lang: str, decimals: int = 0) -> str:
    """A plain number: 12,345.6 in English; 1.23万 / 1.20亿 for large values in Chinese."""
    if is_missing(value):
        return NULL
    number = float(value)  # type: ignore[arg-type]
    for threshold, unit in LARGE_UNITS.get(lang, ()):
        if abs(number) >= threshold:
            return f"{number / threshold:,.2f}{unit}"
    return _fixed(number, decimals)


def format_value(metric: Metric, value: object, *, lang: str = "en", delta: bool = False) -> str:
    """A metric value as text per the metric's format; a delta is signed, and a delta of a
    percentage is in percentage points ("+2.1 pp"). Plain amounts (not deltas) follow the
    reader's number style (format_number)."""
    if is_missing(value):
        return NULL
    if not isinstance(value, int | float):
        return str(value)
    decimals = int(metric.format.get("decimals", 2))
    if metric.format.get("style") == "percent":
        return _fixed(value * 100, decimals, "+" if delta else "") + (" pp" if delta else "%")
    if delta:
        return _fixed(value, decimals, "+")
    return format_number(value, lang, decimals)


def format_date(day: date | None, lang: str) -> str:
    """A date as a reader of that language writes it: 6 Oct 2026, 2026年10月6日."""
    if day is None:
        return NULL
    return day.strftime(t("fmt_date", lang))


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
