"""Planning: how much of the frozen plan the lines made (plan attainment) and how nervous
each plant's schedule is (changes inside the frozen window), by plant, line and day, and
the published schedule versions with their frozen-window changes."""

from datetime import timedelta

import polars as pl
import streamlit as st

from app.web import charts, data, plan_charts, plan_lists
from app.web.downloads import download_buttons
from app.web.filters import sparkline_window, trend_grain
from app.web.kpi_cards import cards_from, render_cards
from app.web.sidebar import context
from app.web.widgets import chart_with_data, display_table, dropped_note, no_data
from metrics.i18n import t

KPIS = ["plan_attainment", "planned_qty", "schedule_change_rate"]
TRENDS = ["plan_attainment", "schedule_change_rate"]
HEATMAP_DAYS = 42  # the newest six weeks of the period, a cell per line and day

ctx = context()
f, lang, key = ctx.filters, ctx.lang, ctx.key
where = f.where()
plant_title = data.registry().dimension("plant").label(lang)
st.title(t("page_planning", lang))
dropped_note(f, KPIS)

current = data.kpi_frame(
    key, KPIS, where, start=f.start, end=f.end, compare="previous_period", lang=lang
)
spark_start, spark_end, spark_grain = sparkline_window(f)
sparks = data.kpi_frame(
    key, KPIS, where, start=spark_start, end=spark_end, grain=spark_grain, lang=lang
)
render_cards(cards_from(current, sparks, [data.metric(m) for m in KPIS]), lang)

left, right = st.columns(2)
with left:
    grain = trend_grain(f.start, f.end)
    trend = data.kpi_frame(
        key, TRENDS, where, by=("plant",), start=f.start, end=f.end, grain=grain, lang=lang
    ).filter(pl.col("plant_id").is_not_null())
    if not no_data(trend, lang, TRENDS, t("planning_trend", lang)):
        chart_with_data(
            charts.trend_by(
                trend,
                "plant_label",
                plant_title,
                [data.metric(m) for m in TRENDS],
                lang,
                title=t("planning_trend", lang),
            ),
            trend,
            "planning_trend",
            lang,
        )
    heat_start = max(f.start, f.end - timedelta(days=HEATMAP_DAYS))
    heat = data.kpi_frame(
        key,
        ["plan_attainment"],
        where,
        by=("line",),
        start=heat_start,
        end=f.end,
        grain="day",
        lang=lang,
    )
    if not no_data(heat, lang, ["plan_attainment"], t("plan_heatmap", lang)):
        heat = plan_charts.with_line_names(heat, data.lines(key))
        chart_with_data(
            charts.heatmap(
                heat,
                "line_name",
                data.registry().dimension("line").label(lang),
                "plan_attainment",
                data.metric("plan_attainment").label(lang),
                lang,
                title=t("plan_heatmap", lang),
            ),
            heat.drop("line_name"),
            "plan_attainment_heatmap",
            lang,
        )
with right:
    by_line = data.kpi_frame(
        key,
        ["plan_attainment", "planned_qty"],
        where,
        by=("line",),
        start=f.start,
        end=f.end,
        lang=lang,
    )
    by_line = plan_charts.with_line_names(by_line, data.lines(key))
    if not no_data(by_line, lang, ["plan_attainment"], t("plan_by_line", lang)):
        chart_with_data(
            plan_charts.status_bars(
                by_line,
                "line_name",
                data.registry().dimension("line").label(lang),
                data.metric("plan_attainment"),
                lang,
                title=t("plan_by_line", lang),
            ),
            by_line.drop("line_name"),
            "plan_attainment_by_line",
            lang,
        )
    by_plant = data.kpi_frame(
        key, ["schedule_change_rate"], where, by=("plant",), start=f.start, end=f.end, lang=lang
    ).filter(pl.col("plant_id").is_not_null())
    if not no_data(by_plant, lang, ["schedule_change_rate"], t("change_rate_by_plant", lang)):
        chart_with_data(
            plan_charts.status_bars(
                by_plant,
                "plant_label",
                plant_title,
                data.metric("schedule_change_rate"),
                lang,
                title=t("change_rate_by_plant", lang),
            ),
            by_plant,
            "schedule_change_rate_by_plant",
            lang,
        )

st.subheader(t("frozen_changes", lang))
st.caption(t("frozen_changes_note", lang))
versions = plan_lists.schedule_versions(key, f.plant, f.start, f.end)
if not no_data(versions, lang):
    display_table(versions, lang, {"published_at": "datetime"}, height=360)
    download_buttons(versions, "schedule_versions", lang)
