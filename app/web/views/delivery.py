"""Delivery: on-time and in-full by customer, region or customer segment, the order lines
that are late or about to be, how long orders take, and how suppliers deliver."""

import polars as pl
import streamlit as st

from app.web import charts, data, lists
from app.web.downloads import download_buttons
from app.web.filters import trend_grain
from app.web.sidebar import context
from app.web.widgets import chart_with_data, display_table, dropped_note, no_data
from metrics.formatting import format_number, format_value
from metrics.i18n import t

DELIVERY = ["on_time_delivery", "otif"]
# The late and at-risk lines: what is late and by how much first, then what it is, each
# column as wide as it needs so every one shows on a laptop screen (pixels).
LATE_COLUMNS = [
    "order_id",
    "line_no",
    "days_late",
    "open_qty",
    "order_qty",
    "promised_date",
    "customer",
    "region",
    "material_id",
    "material",
]
LATE_WIDTHS = {
    "order_id": 120,
    "line_no": 45,
    "days_late": 65,
    "open_qty": 70,
    "order_qty": 75,
    "promised_date": 95,
    "customer": 150,
    "region": 95,
    "material_id": 90,
    "material": 150,
}

ctx = context()
f, lang, key = ctx.filters, ctx.lang, ctx.key
where = f.where()
st.title(t("page_delivery", lang))
dropped_note(f, DELIVERY + ["supplier_on_time"])

left, right = st.columns(2)
with left:
    trend = data.kpi_frame(
        key, DELIVERY, where, start=f.start, end=f.end, grain=trend_grain(f.start, f.end), lang=lang
    )
    if not no_data(trend, lang, DELIVERY, t("delivery_trend", lang)):
        chart_with_data(
            charts.trend_panels(
                trend, [data.metric(m) for m in DELIVERY], lang, title=t("delivery_trend", lang)
            ),
            trend,
            "delivery_trend",
            lang,
        )
with right:
    dim = st.segmented_control(
        t("by", lang),
        ["customer", "region", "customer_segment"],
        default="region",
        key="delivery_by",
        format_func=lambda d: data.registry().dimension(d).label(lang),
    )
    dim = dim or "region"
    split = data.kpi_frame(key, DELIVERY, where, by=(dim,), start=f.start, end=f.end, lang=lang)
    split = split.filter(pl.col(f"{dim}_label").is_not_null())
    if not no_data(split, lang, DELIVERY):
        chart = charts.metric_bars(
            split,
            f"{dim}_label",
            data.registry().dimension(dim).label(lang),
            [data.metric(m) for m in DELIVERY],
            lang,
        )
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
    late_text, risk_text = format_number(late, lang), format_number(risk, lang)
    st.caption(f"{t('late', lang)}: {late_text} · {t('at_risk', lang)}: {risk_text}")
    display_table(
        shown.select(LATE_COLUMNS[0], t("status", lang), *LATE_COLUMNS[1:]),
        lang,
        height=300,
        widths={**LATE_WIDTHS, t("status", lang): 70},
    )
    download_buttons(open_lines, "late_and_at_risk_order_lines", lang)

left, right = st.columns(2)
with left:
    times = lists.lead_times(key, f.family, f.start, f.end, plant=f.plant)
    if not no_data(times, lang, title=t("lead_time_hist", lang)):
        lead = data.kpi_frame(
            key, ["order_lead_time_days"], where, start=f.start, end=f.end, lang=lang
        )
        mean = lead["order_lead_time_days"][0] if lead.height else None
        title = t("lead_time_hist", lang)
        if mean is not None:
            lead_metric = data.metric("order_lead_time_days")
            title += f" · {lead_metric.label(lang)} {format_value(lead_metric, mean, lang=lang)}"
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
    if not no_data(suppliers, lang, ["supplier_on_time"], t("supplier_otd", lang)):
        chart_with_data(
            charts.metric_bars(
                suppliers,
                "supplier_label",
                data.registry().dimension("supplier").label(lang),
                [data.metric("supplier_on_time")],
                lang,
                title=t("supplier_otd", lang),
            ),
            suppliers,
            "supplier_on_time",
            lang,
        )
