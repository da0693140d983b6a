"""metrics.formatting: values as readers read them, in every surface."""

from __future__ import annotations

from datetime import date

from metrics.formatting import (
    NULL,
    axis_date_format,
    format_date,
    format_number,
    format_value,
    metric_of_column,
)
from metrics.registry import load_registry


def test_percent_and_deltas() -> None:
    registry = load_registry()
    oee = registry.metric("oee")  # percent, 1 decimal
    assert format_value(oee, 0.8512) == "85.1%"
    assert format_value(oee, 0.8512, lang="zh") == "85.1%"
    assert format_value(oee, 0.021, delta=True) == "+2.1 pp"
    assert format_value(oee, -0.021, delta=True) == "-2.1 pp"
    assert format_value(oee, None) == NULL == "—"
    assert format_value(oee, float("nan")) == NULL


def test_no_negative_zero() -> None:
    oee = load_registry().metric("oee")
    assert format_value(oee, -0.00001, delta=True) == "+0.0 pp"  # was "-0.0 pp"
    assert format_value(oee, -0.00001) == "0.0%"
    assert format_number(-0.04, "en", 1) == "0.0"


def test_large_numbers_per_language() -> None:
    produced = load_registry().metric("produced_qty")
    decimals = int(produced.format.get("decimals", 2))
    assert format_value(produced, 123456) == f"{123456:,.{decimals}f}"
    assert format_value(produced, 123456, lang="zh") == "12.35万"
    assert format_value(produced, 123456, lang="zh", delta=True) == f"{123456:+,.{decimals}f}"
    assert format_number(123456, "zh") == "12.35万" and format_number(123456, "en") == "123,456"
    assert format_number(-250_000_000, "zh") == "-2.50亿"
    assert format_number(9999, "zh") == "9,999"
    assert format_number(None, "zh") == NULL


def test_dates_per_language() -> None:
    day = date(2026, 10, 6)
    assert format_date(day, "en") == "6 Oct 2026"
    assert format_date(day, "zh") == "2026年10月6日"
    assert format_date(None, "en") == NULL
    assert axis_date_format("zh") == "%m月%d日" and axis_date_format("en") == "%d %b"


def test_metric_of_column() -> None:
    metrics = dict(load_registry().metrics)
    assert metric_of_column("oee_delta", metrics) is metrics["oee"]
    assert metric_of_column("oee_last_year", metrics) is metrics["oee"]
    assert metric_of_column("line_label", metrics) is None
