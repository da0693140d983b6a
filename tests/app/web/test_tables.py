"""Every table a manager sees has headers in the chosen language, never raw column names;
only the SQL workbench's result keeps the analyst's own names."""

from __future__ import annotations

import json

import pytest

from app.web.widgets import is_identifier
from metrics.i18n import LANGS, catalogue

PAGES = [
    "overview",
    "ask",
    "equipment",
    "quality",
    "delivery",
    "inventory",
    "health",
    "sql_workbench",
    "reports",
]


def columns_of(element) -> list[str]:
    value = element.value
    value = value.data if hasattr(value, "data") else value  # a pandas Styler
    return [str(c) for c in value.columns]


def test_is_identifier() -> None:
    assert is_identifier("order_id") and is_identifier("status") and is_identifier("line_label")
    assert not is_identifier("Order") and not is_identifier("订单号")
    assert not is_identifier("OEE") and not is_identifier("Lead time (days)")


def test_column_labels_are_headers() -> None:
    columns = {key: texts for key, texts in catalogue().items() if key.startswith("col_")}
    assert len(columns) > 50
    for key, texts in columns.items():
        for lang in LANGS:
            assert texts[lang] and not is_identifier(texts[lang]), key


def test_display_table_relabels_and_formats(app_env) -> None:
    from streamlit.testing.v1 import AppTest

    def script() -> None:
        from datetime import datetime

        import polars as pl

        from app.web.widgets import display_table

        frame = pl.DataFrame(
            {
                "order_id": ["SO-1"],
                "promised_date": [datetime(2026, 11, 17)],
                "order_qty": [12345.0],
                "oee": [0.812],
                "line_id": ["SZ-SMT1"],
                "line_label": ["SMT 1"],
            }
        )
        display_table(frame, "zh")

    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception, [e.message for e in at.exception]
    table = at.dataframe[0]
    assert columns_of(table) == [
        "订单号",
        "承诺交期",
        "订单数量",
        "设备综合效率",
        "产线代码",
        "产线",
    ]
    config = {k: v.get("type_config", {}) for k, v in json.loads(table.proto.columns).items()}
    assert config["承诺交期"] == {"type": "date", "format": "YYYY年M月D日"}
    assert config["订单数量"]["format"] == "%,d"
    assert config["设备综合效率"]["format"] == "percent"


def raw_headers(at, skip_last: bool = False) -> list[list[str]]:
    tables = list(at.dataframe)[:-1] if skip_last else list(at.dataframe)
    return [
        [c for c in columns_of(t) if is_identifier(c)]
        for t in tables
        if any(is_identifier(c) for c in columns_of(t))
    ]


@pytest.mark.parametrize("page", PAGES)
def test_no_raw_column_names_in_chinese(open_page, page: str) -> None:
    at = open_page(page, period="last_12_months", lang="zh")
    assert not at.exception, [e.message for e in at.exception]
    skip_last = False
    if page == "ask":
        at.text_input(key="ask_q").input("上个月各产线的OEE").run()
        assert at.dataframe
    elif page == "quality":
        from app.web import data

        key = at.session_state["andon_context"].key
        lot = (
            data.cursor(key)
            .execute("select lot_id from marts.fct_inspections where lot_id is not null limit 1")
            .fetchone()[0]
        )
        at.text_input(key="lot").input(lot).run()
        assert len(at.dataframe) >= 3
    elif page == "inventory":
        at.slider(key="slow_days").set_value(7).run()
    elif page == "sql_workbench":
        at.text_area(key="wb_sql").input("select plant_id from marts.dim_plant order by 1")
        at.button[1].click().run()
        assert columns_of(at.dataframe[-1]) == ["plant_id"]  # the analyst's own names
        skip_last = True
    assert not at.exception, [e.message for e in at.exception]
    assert raw_headers(at, skip_last) == []


def test_health_tables_are_labelled_in_chinese(open_page) -> None:
    at = open_page("health", lang="zh")
    headers = [c for t in at.dataframe for c in columns_of(t)]
    assert "状态" in headers and "文件" in headers


def test_chart_templates_are_valid_vega_lite() -> None:
    """The app shows charts without schema validation (charts.unvalidated); this is where
    every template is checked against the Vega-Lite schema instead."""
    from datetime import date, datetime

    import polars as pl

    from app.web import charts
    from metrics import load_registry

    metrics = load_registry().metrics
    days = [date(2026, 11, d) for d in (1, 2, 3)]
    trend = pl.DataFrame(
        {
            "period": days,
            "oee": [0.7, 0.8, 0.75],
            "scrap_rate": [0.004, 0.005, 0.0045],
            "line_name": ["A"] * 3,
        }
    )
    bars = pl.DataFrame(
        {"k": ["a", "b"], "label": ["A", "B"], "v": [3.0, 1.0], "oee": [0.8, 0.7], "g": ["x", "y"]}
    )
    points = pl.DataFrame(
        {
            "sample": [1, 2],
            "inspected_at": [datetime(2026, 11, 1)] * 2,
            "measured_value": [1.0, 1.1],
            "lot_id": ["L", "L"],
            "equipment": ["SMT 1", "SMT 1"],
            "rules": ["", "1"],
            "flag": ["in", "out"],
        }
    )
    losses = charts.loss_frame(
        10.0, [("oee_loss_breakdowns", 2.0), ("oee_loss_quality", 1.0)], "en"
    )
    built = [
        charts.trend_panels(trend, [metrics["oee"], metrics["scrap_rate"]], "zh"),
        charts.trend_by(trend, "line_name", "Line", [metrics["oee"]], "vi", title="T"),
        charts.heatmap(trend, "line_name", "Line", "oee", "OEE", "en"),
        charts.loss_bars(losses, "en"),
        charts.pareto(bars, "label", "Reason", "v", "Hours", "en"),
        charts.drill_bars(bars, "k", "label", metrics["oee"], "Plant", "en"),
        charts.metric_bars(bars, "label", "Plant", [metrics["oee"]], "en"),
        charts.grouped_bars(bars, "label", "Line", "g", "Plant", metrics["oee"], "en"),
        charts.spc(points, {"mean": 1.05, "ucl": 1.2, "lcl": None}, "en"),
        charts.histogram(bars, "v", "Days", "en"),
    ]
    for chart in built:
        assert chart.to_dict(validate=True)["$schema"].startswith("https://vega.github.io")
