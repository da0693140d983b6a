"""Delivery: on-time and in-full by customer or region, the order lines that are late or
about to be, how long orders take, and how suppliers deliver."""

import altair as alt
import polars as pl
import streamlit as st

from app.web import charts, data, lists
from app.web.downloads import download_buttons
from app.web.filters import trend_grain
from app.web.sidebar import context
from app.web.widgets import chart_with_data, display_table, dropped_note, no_data
from metrics.i18n import t

DELIVERY = ["on_time_delivery", "otif"]

ctx = context()
f, lang, key = ctx.filters, ctx.lang, ctx.key
where = f.where()
st.title(t("page_delivery", lang))
dropped_note(f, DELIVERY + ["supplier_on_time"])
labels = {m: data.metric(m).label(lang) for m in DELIVERY}

left, right = st.columns(2)
with left:
    trend = data.kpi_frame(
        key, DELIVERY, where, start=f.start, end=f.end, grain=trend_grain(f.start, f.end), lang=lang
    )
    if not no_data(trend, lang):
        chart_with_data(
            charts.trend(trend, labels, lang, title=t("delivery_trend", lang)),
            trend,
            "delivery_trend",
            lang,
        )
with right:
    dim = st.segmented_control(
        t("by", lang),
        ["customer", "region"],
        default="region",
        key="delivery_by",
        format_func=lambda d: data.registry().dimension(d).label(lang),
    )
    dim = dim or "region"
    split = data.kpi_frame(key, DELIVERY, where, by=(dim,), start=f.start, end=f.end, lang=lang)
    if not no_data(split, lang):
        long = split.unpivot(
            index=f"{dim}_label", on=DELIVERY, variable_name="kpi", value_name="value"
        ).with_columns(pl.col("kpi").replace_strict(labels, return_dtype=pl.String))
        chart = charts.grouped_bars(
            long,
            f"{dim}_label",
            data.registry().dimension(dim).label(lang),
            "value",
            t("value", lang),
            ".1%",
        ).encode(xOffset="kpi:N", color=alt.Color("kpi:N", title=t("metric", lang)))
        chart_with_data(chart, split, f"delivery_by_{dim}", lang)

st.subheader(t("late_orders", lang))
open_lines = lists.open_order_lines(key, f.family, lang, plant=f.plant)
if not no_data(open_lines, lang):
    shown = open_lines.with_columns(
        pl.when(pl.col("is_late_open") == 1)
        .then(pl.lit(t("late", lang)))
        .otherwise(pl.lit(t("at_risk", lang)))
        .alias(t("status", lang))
    ).drop("is_late_open", "is_at_risk")
    late = int(open_lines["is_late_open"].sum())
    risk = int(open_lines["is_at_risk"].sum())
    st.caption(f"{t('late', lang)}: {late:,} · {t('at_risk', lang)}: {risk:,}")
    display_table(shown, lang, height=300)
    download_buttons(open_lines, "late_and_at_risk_order_lines", lang)

left, right = st.columns(2)
with left:
    times = lists.lead_times(key, f.family, f.start, f.end, plant=f.plant)
    if not no_data(times, lang):
        lead = data.kpi_frame(
            key, ["order_lead_time_days"], where, start=f.start, end=f.end, lang=lang
        )
        mean = lead["order_lead_time_days"][0] if lead.height else None
        title = t("lead_time_hist", lang)
        if mean is not None:
            title += f" · {data.metric('order_lead_time_days').label(lang)} {mean:,.1f}"
        chart_with_data(
            charts.histogram(times, "lead_time_days", t("lead_time_days", lang), lang, title=title),
            times,
            "lead_times",
            lang,
        )
with right:
    suppliers = data.kpi_frame(
        key, ["supplier_on_time"], where, by=("supplier",), start=f.start, end=f.end, lang=lang
    )
    if not no_data(suppliers, lang):
        chart_with_data(
            charts.grouped_bars(
                suppliers,
                "supplier_label",
                data.registry().dimension("supplier").label(lang),
                "supplier_on_time",
                data.metric("supplier_on_time").label(lang),
                ".1%",
                title=t("supplier_otd", lang),
            ),
            suppliers,
            "supplier_on_time",
            lang,
        )
