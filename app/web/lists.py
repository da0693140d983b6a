"""Row lists that are not KPIs — downtime reasons, late orders, lead times, slow movers, SPC
measurements, lot traces, and the ingest/build records of Data Health.

Queries are built with sqlglot; values the user chose enter only as sqlglot literals. Each
is read in the signed-in user's plant scope (app.web.data.per_scope: the scope is an
argument of every cached function), every table through metrics.scope.scoped_table.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from sqlglot import exp, select

from app.web.data import cursor, per_scope
from metrics.scope import Scope, scoped_table
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


def table(name: str, scope: Scope, alias: str | None = None) -> exp.Expression:
    """marts.<name> as `scope` sees it (aliased `alias`, else its name)."""
    return scoped_table(f"marts.{name}", scope, alias=alias)


def run(key: str, query: exp.Expression) -> pl.DataFrame:
    return cursor(key).sql(query.sql(dialect="duckdb")).pl()


def split_text(text: str | None, lang: str) -> str | None:
    """'Material jam / 卡料' in the chosen language (sources write both, split at ' / ')."""
    if text is None or " / " not in text:
        return text
    en, zh = text.split(" / ", 1)
    return zh if lang == "zh" else en


@per_scope()
def downtime_reasons(
    key: str, scope: Scope, equals: Pairs, start: date, end: date, lang: str
) -> pl.DataFrame:
    """Loss-state time by reason, largest first, with the cumulative share for a Pareto."""
    query = (
        select(
            "state",
            "reason_code",
            "max(reason_text) as reason_text",
            "sum(seconds) / 3600.0 as hours",
            "count(*) as events",
        )
        .from_(table("fct_downtime_events", scope))
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


@per_scope()
def open_order_lines(
    key: str, scope: Scope, family: str | None, lang: str, plant: str | None = None
) -> pl.DataFrame:
    """Order lines past their promised date (late) or due within three days (at risk) with
    quantity still open, oldest promise first (of one fulfilling plant when `plant` is given)."""
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
        .from_(table("fct_order_lines", scope, "o"))
        .join(
            table("dim_customer", scope, "c"), on="c.customer_id = o.customer_id", join_type="left"
        )
        .join(
            table("dim_material", scope, "m"), on="m.material_id = o.material_id", join_type="left"
        )
        .where("o.is_late_open = 1 or o.is_at_risk = 1")
        .where(*conditions((("o.product_family", family or ""), ("o.plant_id", plant or ""))))
        .order_by("o.promised_date", "o.order_id", "o.line_no")
    )
    return run(key, query)


@per_scope()
def lead_times(
    key: str,
    scope: Scope,
    family: str | None,
    start: date,
    end: date,
    plant: str | None = None,
) -> pl.DataFrame:
    """Lead time of each order line completed in the period (for the distribution), of one
    fulfilling plant when `plant` is given."""
    query = (
        select("lead_time_days", "region")
        .from_(table("fct_order_lines", scope))
        .where("is_completed = 1 and lead_time_days is not null")
        .where(
            *conditions(
                (("product_family", family or ""), ("plant_id", plant or "")),
                start,
                end,
                "completed_date",
            )
        )
    )
    return run(key, query)


@per_scope()
def slow_moving(
    key: str, scope: Scope, plant: str | None, min_days: int, lang: str
) -> pl.DataFrame:
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
        .from_(table("fct_inventory_daily", scope))
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
        .join(
            table("dim_material", scope, "m"), on="m.material_id = h.material_id", join_type="left"
        )
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


@per_scope()
def spc_series(
    key: str, scope: Scope, equals: Pairs, start: date, end: date, lang: str = "en"
) -> pl.DataFrame:
    """Product × characteristic pairs with at least two measurements in the period, with the
    product's name in `lang` (its id where the material master has none)."""
    text = "m.description_zh" if lang == "zh" else "m.description_en"
    query = (
        select(
            "i.product_id",
            f"coalesce(max({text}), i.product_id) as product_name",
            "i.characteristic",
            "count(i.measured_value) as samples",
        )
        .from_(table("fct_inspections", scope, "i"))
        .join(
            table("dim_material", scope, "m"), on="m.material_id = i.product_id", join_type="left"
        )
        .where("i.measured_value is not null")
        .where(*conditions(_prefixed(equals, "i"), start, end, "i.inspected_date"))
        .group_by("i.product_id", "i.characteristic")
        .having("count(i.measured_value) >= 2")
        .order_by("samples desc", "i.product_id", "i.characteristic")
    )
    return run(key, query)


def _prefixed(equals: Pairs, alias: str) -> Pairs:
    """(column, value) pairs with the columns of table `alias`."""
    return tuple((f"{alias}.{column}", value) for column, value in equals)


@per_scope()
def spc_points(
    key: str,
    scope: Scope,
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
        .from_(table("fct_inspections", scope))
        .where("measured_value is not null")
        .where(*conditions((("product_id", product), ("characteristic", characteristic))))
        .where(*conditions(equals, start - timedelta(days=lookback_days), end, "inspected_date"))
        .order_by("inspected_at", "inspection_id")
    )
    return run(key, query)


@per_scope()
def lot_inspections(key: str, scope: Scope, lot: str) -> pl.DataFrame:
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
        .from_(table("fct_inspections", scope))
        .where(exp.column("lot_id").eq(literal(lot.strip())))
        .order_by("inspected_at")
    )
    return run(key, query)


def work_orders_query(ids: tuple[str, ...], scope: Scope) -> exp.Select:
    """The work orders `ids` (none for no ids), in planned order."""
    return (
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
        .from_(table("fct_work_orders", scope))
        .where(exp.column("work_order_id").isin(*[literal(i) for i in ids] or [exp.null()]))
        .order_by("planned_start", "work_order_id")
    )


@per_scope()
def work_orders(key: str, scope: Scope, ids: tuple[str, ...]) -> pl.DataFrame:
    return run(key, work_orders_query(ids, scope))


@per_scope()
def lot_shipments(key: str, scope: Scope, product: str, plant: str, made: date) -> pl.DataFrame:
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
        .from_(table("fct_shipments", scope, "s"))
        .join(
            table("dim_customer", scope, "c"), on="c.customer_id = s.customer_id", join_type="left"
        )
        .where(*conditions((("s.material_id", product), ("s.plant_id", plant))))
        .where(*conditions((), made, made + timedelta(days=31), "s.shipped_date"))
        .order_by("s.shipped_date", "s.shipment_id")
    )
    return run(key, query)
