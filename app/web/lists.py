"""Row lists that are not KPIs — downtime reasons, late orders, lead times, slow movers, SPC
measurements, lot traces, and the ingest/build records of Data Health.

Queries are built with sqlglot; values the user chose enter only as sqlglot literals.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import streamlit as st
from sqlglot import exp, select

from app.web.data import TTL_S, cursor
from metrics.spc import LOOKBACK_DAYS

LOSS_STATES = ("UNPLANNED_STOP", "SETUP", "STARVED", "BLOCKED", "MINOR_STOP")
Pairs = tuple[tuple[str, str], ...]


def literal(value: object) -> exp.Expression:
    return exp.convert(value)


def conditions(
    equals: Pairs = (),
    start: date | None = None,
    end: date | None = None,
    time_column: str | None = None,
) -> list[exp.Expression]:
    """column = value for each pair, and start <= time_column < end."""
    found: list[exp.Expression] = [exp.to_column(c).eq(literal(v)) for c, v in equals if v]
    if time_column and start is not None:
        found.append(exp.to_column(time_column) >= literal(start))
    if time_column and end is not None:
        found.append(exp.to_column(time_column) < literal(end))
    return found


def run(key: str, query: exp.Expression) -> pl.DataFrame:
    return cursor(key).sql(query.sql(dialect="duckdb")).pl()


def split_text(text: str | None, lang: str) -> str | None:
    """'Material jam / 卡料' in the chosen language (sources write both, split at ' / ')."""
    if text is None or " / " not in text:
        return text
    en, zh = text.split(" / ", 1)
    return zh if lang == "zh" else en


@st.cache_data(ttl=TTL_S, show_spinner=False)
def downtime_reasons(key: str, equals: Pairs, start: date, end: date, lang: str) -> pl.DataFrame:
    """Loss-state time by reason, largest first, with the cumulative share for a Pareto."""
    query = (
        select(
            "state",
            "reason_code",
            "max(reason_text) as reason_text",
            "sum(seconds) / 3600.0 as hours",
            "count(*) as events",
        )
        .from_("marts.fct_downtime_events")
        .where(exp.column("state").isin(*[literal(s) for s in LOSS_STATES]))
        .where(*conditions(equals, start, end, "production_date"))
        .group_by("state", "reason_code")
        .order_by("hours desc")
    )
    result = run(key, query)
    if result.is_empty():
        return result
    total = result["hours"].sum()
    texts = [
        split_text(t, lang) or c
        for t, c in zip(result["reason_text"], result["reason_code"], strict=True)
    ]
    return result.with_columns(
        pl.Series("reason", texts, dtype=pl.String),
        (pl.col("hours").cum_sum() / total).alias("cumulative_share"),
    )


@st.cache_data(ttl=TTL_S, show_spinner=False)
def open_order_lines(key: str, family: str | None, lang: str) -> pl.DataFrame:
    """Order lines past their promised date (late) or due within three days (at risk) with
    quantity still open, oldest promise first."""
    customer = "customer_name"
    region = "coalesce(c.region_zh, o.region)" if lang == "zh" else "o.region"
    text = "m.description_zh" if lang == "zh" else "m.description_en"
    query = (
        select(
            "o.order_id",
            "o.line_no",
            f"c.{customer} as customer",
            f"{region} as region",
            "o.material_id",
            f"{text} as material",
            "o.promised_date",
            "o.order_qty",
            "o.open_qty",
            "o.is_late_open",
            "o.is_at_risk",
            "o.as_of_date - o.promised_date as days_late",
        )
        .from_("marts.fct_order_lines as o")
        .join("marts.dim_customer as c", on="c.customer_id = o.customer_id", join_type="left")
        .join("marts.dim_material as m", on="m.material_id = o.material_id", join_type="left")
        .where("o.is_late_open = 1 or o.is_at_risk = 1")
        .where(*conditions((("o.product_family", family or ""),)))
        .order_by("o.promised_date", "o.order_id", "o.line_no")
    )
    return run(key, query)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def lead_times(key: str, family: str | None, start: date, end: date) -> pl.DataFrame:
    """Lead time of each order line completed in the period (for the distribution)."""
    query = (
        select("lead_time_days", "region")
        .from_("marts.fct_order_lines")
        .where("is_completed = 1 and lead_time_days is not null")
        .where(*conditions((("product_family", family or ""),), start, end, "completed_date"))
    )
    return run(key, query)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def slow_moving(key: str, plant: str | None, min_days: int, lang: str) -> pl.DataFrame:
    """Stock on hand at the newest snapshot whose quantity has not changed for `min_days`."""
    text = "m.description_zh" if lang == "zh" else "m.description_en"
    history = (
        select(
            "snapshot_date",
            "plant_id",
            "warehouse_id",
            "material_id",
            "material_type",
            "on_hand_qty",
            "inventory_value",
            "on_hand_qty is distinct from lag(on_hand_qty) over (partition by warehouse_id,"
            " material_id order by snapshot_date) as moved",
        )
        .from_("marts.fct_inventory_daily")
        .where(*conditions((("plant_id", plant or ""),)))
    )
    query = (
        select(
            "h.plant_id",
            "h.warehouse_id",
            "h.material_id",
            f"{text} as material",
            "h.material_type",
            "arg_max(h.on_hand_qty, h.snapshot_date) as on_hand_qty",
            "arg_max(h.inventory_value, h.snapshot_date) as inventory_value",
            "max(h.snapshot_date) filter (where h.moved) as last_movement",
            "max(h.snapshot_date) as last_snapshot",
        )
        .with_("h", as_=history)
        .from_("h")
        .join("marts.dim_material as m", on="m.material_id = h.material_id", join_type="left")
        .group_by("h.plant_id", "h.warehouse_id", "h.material_id", text, "h.material_type")
    )
    result = run(key, query)
    if result.is_empty():
        return result
    newest = result["last_snapshot"].max()
    return (
        result.filter(pl.col("last_snapshot") == newest, pl.col("on_hand_qty") > 0)
        .with_columns(
            (pl.col("last_snapshot") - pl.col("last_movement"))
            .dt.total_days()
            .alias("days_without_movement")
        )
        .filter(pl.col("days_without_movement") >= min_days)
        .sort("inventory_value", descending=True)
        .drop("last_snapshot")
    )


@st.cache_data(ttl=TTL_S, show_spinner=False)
def spc_series(key: str, equals: Pairs, start: date, end: date) -> pl.DataFrame:
    """Product × characteristic pairs with at least two measurements in the period."""
    query = (
        select("product_id", "characteristic", "count(measured_value) as samples")
        .from_("marts.fct_inspections")
        .where("measured_value is not null")
        .where(*conditions(equals, start, end, "inspected_date"))
        .group_by("product_id", "characteristic")
        .having("count(measured_value) >= 2")
        .order_by("samples desc", "product_id", "characteristic")
    )
    return run(key, query)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def spc_points(
    key: str,
    product: str,
    characteristic: str,
    equals: Pairs,
    start: date,
    end: date,
    lookback_days: int = LOOKBACK_DAYS,
) -> pl.DataFrame:
    """Measurements of one product and characteristic in inspection order, from
    `lookback_days` before `start` (the control chart's baseline, as the SPC alert takes it)
    to `end`; `in_period` tells the period's points from the baseline's."""
    query = (
        select(
            "inspected_at",
            "inspected_date",
            "measured_value",
            "lsl",
            "usl",
            "lot_id",
            "equipment_id",
            (exp.column("inspected_date") >= literal(start)).as_("in_period"),
        )
        .from_("marts.fct_inspections")
        .where("measured_value is not null")
        .where(*conditions((("product_id", product), ("characteristic", characteristic))))
        .where(*conditions(equals, start - timedelta(days=lookback_days), end, "inspected_date"))
        .order_by("inspected_at", "inspection_id")
    )
    return run(key, query)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def lot_inspections(key: str, lot: str) -> pl.DataFrame:
    query = (
        select(
            "inspected_at",
            "plant_id",
            "line_id",
            "equipment_id",
            "shift_code",
            "product_id",
            "work_order_id",
            "characteristic",
            "measured_value",
            "lsl",
            "usl",
            "result",
            "defect_code",
            "defect_qty",
        )
        .from_("marts.fct_inspections")
        .where(exp.column("lot_id").eq(literal(lot.strip())))
        .order_by("inspected_at")
    )
    return run(key, query)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def work_orders(key: str, ids: tuple[str, ...]) -> pl.DataFrame:
    query = (
        select(
            "work_order_id",
            "plant_id",
            "line_id",
            "product_id",
            "planned_qty",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "status",
        )
        .from_("marts.fct_work_orders")
        .where(exp.column("work_order_id").isin(*[literal(i) for i in ids]))
    )
    return run(key, query)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def lot_shipments(key: str, product: str, plant: str, made: date) -> pl.DataFrame:
    """Shipments that can hold the lot: its product, from its plant, in the 30 days after it
    was made. Shipment records carry no lot number, so this is the candidate set."""
    query = (
        select(
            "s.shipment_id",
            "s.order_id",
            "s.line_no",
            "s.shipped_date",
            "s.customer_id",
            "c.customer_name",
            "s.region",
            "s.shipped_qty",
        )
        .from_("marts.fct_shipments as s")
        .join("marts.dim_customer as c", on="c.customer_id = s.customer_id", join_type="left")
        .where(*conditions((("s.material_id", product), ("s.plant_id", plant))))
        .where(*conditions((), made, made + timedelta(days=31), "s.shipped_date"))
        .order_by("s.shipped_date", "s.shipment_id")
    )
    return run(key, query)
