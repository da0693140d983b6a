"""Overview: the headline KPIs as cards, and every plant against every KPI."""

import polars as pl
import streamlit as st

from app.web import data
from app.web.ask_box import render_ask_box
from app.web.filters import sparkline_window
from app.web.kpi_cards import STATUS_COLOURS, cards_from, render_cards
from app.web.sidebar import context
from app.web.widgets import dropped_note, metric_header, summary_table
from metrics.formatting import format_value
from metrics.i18n import t
from metrics.status import target_status

KPIS = [
    "oee",
    "availability",
    "performance",
    "quality",
    "first_pass_yield",
    "on_time_delivery",
    "otif",
    "inventory_turnover",
    "days_of_inventory",
]
CELL_COLOURS = {"green": "#d4edda", "amber": "#fff3cd", "red": "#f8d7da", "none": ""}
assert set(CELL_COLOURS) == set(STATUS_COLOURS)

ctx = context()
f, lang = ctx.filters, ctx.lang
st.title(t("page_overview", lang))
with st.container(border=True):
    render_ask_box(lang, key="ov_ask", compact=True)
where = f.where()
current = data.kpi_frame(
    ctx.key, KPIS, where, start=f.start, end=f.end, compare="previous_period", lang=lang
)
spark_start, spark_end, grain = sparkline_window(f)
trend = data.kpi_frame(
    ctx.key, KPIS, where, start=spark_start, end=spark_end, grain=grain, lang=lang
)
metrics = [data.metric(name) for name in KPIS]
st.subheader(t("kpi_cards", lang))
cards = cards_from(current, trend, metrics)
render_cards(cards, lang)
dropped_note(f, KPIS)

st.subheader(t("plant_matrix", lang))
by_plant = [name for name in KPIS if data.supports(name, ["plant"])]
matrix = data.kpi_frame(
    ctx.key, by_plant, where, by=("plant",), start=f.start, end=f.end, lang=lang
).filter(pl.col("plant_id").is_not_null())  # order lines of no plant are in no plant's row
plant_title = data.registry().dimension("plant").label(lang)
shown_metrics = [m for m in metrics if m.name in by_plant]
texts = matrix.select(
    pl.col("plant_label").alias(plant_title),
    *[
        pl.col(m.name)
        .map_elements(
            lambda v, m=m: format_value(m, v, lang=lang), return_dtype=pl.String, skip_nulls=False
        )
        .alias(metric_header(m, lang))
        for m in shown_metrics
    ],
)
colours = matrix.select(
    pl.lit("").alias(plant_title),
    *[
        pl.col(m.name)
        .map_elements(
            lambda v, m=m: f"background-color: {CELL_COLOURS[target_status(m, v)]}",
            return_dtype=pl.String,
            skip_nulls=False,
        )
        .alias(metric_header(m, lang))
        for m in shown_metrics
    ],
).to_numpy()  # cell styles by position: the shown headers are escaped
summary_table(texts, lang, style=lambda frame: frame.style.apply(lambda _: colours, axis=None))
targets = " · ".join(
    f"{m.label(lang)} {format_value(m, m.target, lang=lang)}"
    for m in metrics
    if m.name in by_plant and m.target is not None
)
st.caption(f"{t('target', lang)}: {targets}")
