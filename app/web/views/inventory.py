"""Inventory: how fast stock turns by plant and material type, what it is worth over time,
and which materials have not moved."""

import polars as pl
import streamlit as st

from app.web import charts, data, lists
from app.web.downloads import download_buttons
from app.web.filters import trend_grain
from app.web.sidebar import context
from app.web.widgets import chart_with_data, display_table, dropped_note, no_data, show_chart
from metrics.formatting import format_number, format_value
from metrics.i18n import t

TURNS = ["inventory_turnover", "annualized_inventory_turnover", "days_of_inventory"]

ctx = context()
f, lang, key = ctx.filters, ctx.lang, ctx.key
where = f.where()
st.title(t("page_inventory", lang))
dropped_note(f, TURNS)


def turnover_table(dim: str) -> pl.DataFrame:
    frame = data.kpi_frame(
        key, TURNS + ["avg_inventory_value"], where, by=(dim,), start=f.start, end=f.end, lang=lang
    )
    title = data.registry().dimension(dim).label(lang)
    shown = frame.select(
        pl.col(f"{dim}_label").alias(title),
        *[
            pl.col(m)
            .map_elements(
                lambda v, m=m: format_value(data.metric(m), v, lang=lang),
                return_dtype=pl.String,
                skip_nulls=False,
            )
            .alias(data.metric(m).label(lang))
            for m in TURNS + ["avg_inventory_value"]
        ],
    )
    return frame, shown


left, right = st.columns(2)
for column, dim, title in (
    (left, "plant", "inv_by_plant"),
    (right, "material_type", "inv_by_type"),
):
    with column:
        st.markdown(f"**{t(title, lang)}**")
        raw, shown = turnover_table(dim)
        if not no_data(raw, lang):
            display_table(shown, lang)
            show_chart(
                charts.grouped_bars(
                    raw,
                    f"{dim}_label",
                    data.registry().dimension(dim).label(lang),
                    "days_of_inventory",
                    data.metric("days_of_inventory").label(lang),
                    ",.1f",
                ),
                width="stretch",
            )
            download_buttons(raw, f"inventory_by_{dim}", lang)

value = data.kpi_frame(
    key,
    ["avg_inventory_value"],
    where,
    by=("plant",),
    start=f.start,
    end=f.end,
    grain=trend_grain(f.start, f.end),
    lang=lang,
)
if not no_data(value, lang):
    wide = value.pivot(on="plant_label", index="period", values="avg_inventory_value")
    series = {c: c for c in wide.columns if c != "period"}
    chart_with_data(
        charts.trend(wide, series, lang, percent=False, title=t("inv_value_trend", lang)),
        value,
        "inventory_value",
        lang,
    )

st.subheader(t("slow_moving", lang))
days = st.slider(t("slow_days", lang), 7, 180, 30, step=1, key="slow_days")
slow = lists.slow_moving(key, f.plant, days, lang)
if not no_data(slow, lang):
    total = slow["inventory_value"].sum()
    st.caption(f"{slow.height:,} · {format_number(total, lang)} CNY")
    display_table(slow, lang, {"inventory_value": "number"}, height=320)
    download_buttons(slow, "slow_moving_materials", lang)
