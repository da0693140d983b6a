"""Inventory: how fast stock turns by plant and material type, what it is worth over time,
and which materials have not moved.

Finished goods turn over on what is shipped (cost of goods shipped); raw materials and
packaging, which are never shipped, on what production consumes (issues to production at
standard cost): each material type's row says which (data.with_turnover_basis)."""

import polars as pl
import streamlit as st

from app.web import charts, data, lists
from app.web.downloads import download_buttons
from app.web.filters import trend_grain
from app.web.sidebar import context
from app.web.widgets import (
    chart_with_data,
    display_table,
    dropped_note,
    metric_header,
    no_data,
    show_chart,
    summary_table,
    unit_text,
)
from metrics.formatting import NULL, format_number, format_value
from metrics.i18n import has, t

PLANT_TURNS = [
    "inventory_turnover",
    "annualized_inventory_turnover",
    "days_of_inventory",
    "avg_inventory_value",
]

ctx = context()
f, lang, key = ctx.filters, ctx.lang, ctx.key
where = f.where()
st.title(t("page_inventory", lang))
dropped_note(f, data.TURNOVER_METRICS)


def formatted(frame: pl.DataFrame, name: str, column: str | None = None) -> pl.Expr:
    """Column `column` (default: `name`) as text in metric `name`'s format."""
    metric = data.metric(name)
    return pl.col(column or name).map_elements(
        lambda v: format_value(metric, v, lang=lang), return_dtype=pl.String, skip_nulls=False
    )


def type_label(code: str | None) -> str:
    """A material type's name (material_type_<code>), its code where the catalogue has none."""
    if code is None:
        return NULL
    return t(f"material_type_{code}", lang) if has(f"material_type_{code}") else code


def by_plant() -> tuple[pl.DataFrame, pl.DataFrame]:
    frame = data.kpi_frame(
        key, PLANT_TURNS, where, by=("plant",), start=f.start, end=f.end, lang=lang
    )
    shown = frame.select(
        pl.col("plant_label").alias(data.registry().dimension("plant").label(lang)),
        *[formatted(frame, m).alias(metric_header(data.metric(m), lang)) for m in PLANT_TURNS],
    )
    return frame, shown


def by_material_type() -> tuple[pl.DataFrame, pl.DataFrame]:
    frame = data.kpi_frame(
        key,
        data.TURNOVER_METRICS,
        where,
        by=("material_type",),
        start=f.start,
        end=f.end,
        lang=lang,
    )
    frame = data.with_turnover_basis(frame).with_columns(
        pl.col("material_type")
        .map_elements(type_label, return_dtype=pl.String, skip_nulls=False)
        .alias("material_type_label")
    )
    days = data.metric("days_of_inventory")
    shown = frame.select(
        pl.col("material_type_label").alias(data.registry().dimension("material_type").label(lang)),
        pl.col("basis")
        .map_elements(lambda b: t(f"basis_{b}", lang), return_dtype=pl.String)
        .fill_null(NULL)
        .alias(t("turnover_basis", lang)),
        formatted(frame, "inventory_turnover", "turnover").alias(t("turnover", lang)),
        formatted(frame, "annualized_inventory_turnover", "annualized_turnover").alias(
            metric_header(data.metric("annualized_inventory_turnover"), lang)
        ),
        formatted(frame, "days_of_inventory", "days").alias(metric_header(days, lang)),
        formatted(frame, "avg_inventory_value").alias(
            metric_header(data.metric("avg_inventory_value"), lang)
        ),
    )
    return frame, shown


left, right = st.columns(2)
with left:
    st.markdown(f"**{t('inv_by_plant', lang)}**")
    raw, shown = by_plant()
    if not no_data(raw, lang, PLANT_TURNS):
        summary_table(shown, lang)
        show_chart(
            charts.metric_bars(
                raw,
                "plant_label",
                data.registry().dimension("plant").label(lang),
                [data.metric("days_of_inventory")],
                lang,
            )
        )
        st.caption(t("turnover_plant_note", lang))
        download_buttons(raw, "inventory_by_plant", lang)
with right:
    st.markdown(f"**{t('inv_by_type', lang)}**")
    raw, shown = by_material_type()
    if not no_data(raw, lang, data.TURNOVER_METRICS):
        summary_table(shown, lang)
        show_chart(
            charts.metric_bars(
                raw.with_columns(pl.col("days").alias("days_of_inventory")),
                "material_type_label",
                data.registry().dimension("material_type").label(lang),
                [data.metric("days_of_inventory")],
                lang,
            )
        )
        st.caption(t("turnover_basis_note", lang))
        download_buttons(raw, "inventory_by_material_type", lang)

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
if not no_data(value, lang, ["avg_inventory_value"]):
    currency = unit_text(data.metric("avg_inventory_value"), lang) or ""
    chart_with_data(
        charts.trend_by(
            value,
            "plant_label",
            data.registry().dimension("plant").label(lang),
            [data.metric("avg_inventory_value")],
            lang,
            title=t("unit_suffix", lang, label=t("inv_value_trend", lang), unit=currency),
        ),
        value,
        "inventory_value",
        lang,
    )

st.subheader(t("slow_moving", lang))
days = st.slider(t("slow_days", lang), 7, 180, 30, step=1, key="slow_days")
slow = lists.slow_moving(key, f.plant, days, lang)
if not no_data(slow, lang):
    total = slow["inventory_value"].sum()
    currency = unit_text(data.metric("avg_inventory_value"), lang) or ""
    worth = f"{format_number(total, lang)} {currency}".strip()
    st.caption(t("slow_summary", lang, count=format_number(slow.height, lang), value=worth))
    display_table(slow, lang, {"inventory_value": "number"}, height=320)
    download_buttons(slow, "slow_moving_materials", lang)
