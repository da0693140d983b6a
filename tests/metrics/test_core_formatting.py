"""metrics.formatting: values as readers read them, in every surface."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from metrics.formatting import (
    NULL,
    axis_date_format,
    format_date,
    format_datetime,
    format_number,
    format_value,
    metric_of_column,
    number_separators,
)
from metrics.i18n import t
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


def test_percent_and_points_per_language() -> None:
    oee = load_registry().metric("oee")
    assert [format_value(oee, 0.853, lang=lang) for lang in ("en", "zh", "vi")] == [
        "85.3%",
        "85.3%",
        "85,3%",
    ]
    assert [format_value(oee, 0.021, lang=lang, delta=True) for lang in ("en", "zh", "vi")] == [
        "+2.1 pp",
        "+2.1个百分点",
        "+2,1 điểm %",
    ]
    assert format_value(oee, -0.0345, lang="vi", delta=True) == "-3,5 điểm %"
    assert t("unit_pp", "zh", value="+2.1") == "+2.1个百分点"


def test_no_negative_zero_and_no_signed_zero() -> None:
    oee = load_registry().metric("oee")
    assert format_value(oee, -0.00001, delta=True) == "0.0 pp"  # neither "-0.0" nor "+0.0"
    assert format_value(oee, 0.00004, delta=True) == "0.0 pp"
    assert format_value(oee, -0.00001, lang="zh", delta=True) == "0.0个百分点"
    assert format_value(oee, 0.0, lang="vi", delta=True) == "0,0 điểm %"
    assert format_value(oee, -0.00001) == "0.0%"
    assert format_number(-0.04, "en", 1) == "0.0"
    hours = load_registry().metric("mttr_hours")  # number, 2 decimals
    assert format_value(hours, -0.001, delta=True) == "0.00"
    assert format_value(hours, 0.25, delta=True) == "+0.25"


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


def test_vietnamese_writes_dot_thousands_and_comma_decimals() -> None:
    assert number_separators("vi") == (".", ",") and number_separators("en") == (",", ".")
    assert format_number(1234567.8, "vi", 1) == "1.234.567,8"
    assert format_number(1234567.8, "en", 1) == "1,234,567.8"
    assert format_number(-0.04, "vi", 1) == "0,0"
    registry = load_registry()
    produced = registry.metric("produced_qty")  # number, 0 decimals: no myriads in Vietnamese
    assert format_value(produced, 123456, lang="vi") == "123.456"
    assert format_value(produced, -1500, lang="vi", delta=True) == "-1.500"
    cpk = registry.metric("cpk")  # number, 2 decimals
    assert format_value(cpk, 1.333, lang="vi") == "1,33"
    assert format_value(cpk, 1.333, lang="fr") == "1.33"  # unsupported: English style


def test_dates_per_language() -> None:
    day = date(2026, 10, 6)
    assert format_date(day, "en") == "6 Oct 2026"
    assert format_date(day, "zh") == "2026年10月6日"
    assert format_date(day, "vi") == "06/10/2026"
    assert format_date(None, "en") == NULL
    assert axis_date_format("zh") == "%m月%d日" and axis_date_format("en") == "%d %b"
    assert axis_date_format("vi") == "%d/%m"
    # Streamlit's column formats (day.js tokens)
    assert t("fmt_date_column", "vi") == "DD/MM/YYYY"
    assert t("fmt_datetime_column", "vi") == "DD/MM/YYYY HH:mm"


def test_datetimes_in_a_plant_time_zone() -> None:
    moment = datetime(2026, 10, 6, 1, 30, tzinfo=UTC)
    # Asia/Shanghai is UTC+8, Asia/Ho_Chi_Minh UTC+7
    assert format_datetime(moment, "zh", "Asia/Shanghai") == "2026年10月6日 09:30"
    assert format_datetime(moment, "en", "Asia/Shanghai") == "6 Oct 2026 09:30"
    assert format_datetime(moment, "vi", "Asia/Ho_Chi_Minh") == "08:30 06/10/2026"
    # the day changes: 20:00 UTC is 03:00 the next day in Ho Chi Minh City
    late = datetime(2026, 10, 5, 20, 0, tzinfo=UTC)
    assert format_datetime(late, "vi", "Asia/Ho_Chi_Minh") == "03:00 06/10/2026"
    # a moment given in another offset is converted, not relabelled
    berlin = datetime(2026, 10, 6, 3, 30, tzinfo=timezone(timedelta(hours=2)))
    assert format_datetime(berlin, "en", "Asia/Shanghai") == "6 Oct 2026 09:30"


def test_datetimes_naive_is_utc_and_unknown_zone_says_utc() -> None:
    naive = datetime(2026, 10, 6, 1, 30)
    assert format_datetime(naive, "zh", "Asia/Shanghai") == "2026年10月6日 09:30"
    assert format_datetime(naive, "en") == "6 Oct 2026 01:30 UTC"
    assert format_datetime(naive, "vi", "Mars/Olympus_Mons") == "01:30 06/10/2026 UTC"
    assert format_datetime(naive, "en", "") == "6 Oct 2026 01:30 UTC"
    assert format_datetime(None, "en", "Asia/Shanghai") == NULL


def test_metric_of_column() -> None:
    metrics = dict(load_registry().metrics)
    assert metric_of_column("oee_delta", metrics) is metrics["oee"]
    assert metric_of_column("oee_last_year", metrics) is metrics["oee"]
    assert metric_of_column("line_label", metrics) is None
