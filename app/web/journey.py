"""The order journey: finding a sales order line (by order, lot or customer), its steps with
planned and actual dates, where it is late, and where a lot went (KPIS.md "Order journey").

Queries are sqlglot expressions (the `*_query` functions, testable on any DuckDB holding the
marts); what the user typed enters only as a sqlglot literal, compared with `=` or
`contains` (never LIKE, so % and _ are plain characters). Every table is read through
app.web.lists.table (metrics.scope.scoped_table) in the caller's scope; the cached readers
take the scope as app.web.data.per_scope gives it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import altair as alt
import polars as pl
from sqlglot import exp, select

from app.web.charts import category_axis, finish, rows_height
from app.web.data import per_scope
from app.web.lists import literal, run, table
from metrics.colours import BAD, NEUTRAL, metric_colour
from metrics.formatting import axis_date_format
from metrics.i18n import has, t
from metrics.scope import Scope

LATE_STEPS = ("production_start", "production_end", "shipment")
MIN_NAME = 2  # characters of a customer name before a search matches names
LINE_COLUMNS = (
    "j.order_id",
    "j.line_no",
    "j.plant_id",
    "j.customer_id",
    "c.customer_name",
    "j.material_id",
    "j.order_date",
    "j.promised_date",
    "j.order_qty",
    "j.status",
    "j.work_orders",
    "j.first_planned_start",
    "j.last_planned_end",
    "j.first_actual_start",
    "j.last_actual_end",
    "j.produced_good_qty",
    "j.lots",
    "j.shipped_qty",
    "j.first_shipped_at",
    "j.last_shipped_at",
    "j.first_late_step",
)


def _lines(scope: Scope) -> exp.Select:
    return (
        select(*LINE_COLUMNS)
        .from_(table("fct_order_journey", scope, "j"))
        .join(
            table("dim_customer", scope, "c"), on="c.customer_id = j.customer_id", join_type="left"
        )
        .order_by("j.promised_date", "j.order_id", "j.line_no")
    )


def _text(text: str) -> exp.Expression:
    return literal(text.strip())


def order_search_query(text: str, scope: Scope) -> exp.Select:
    """Order lines whose order id or customer id is `text` (any case), or whose customer's
    name contains it (from MIN_NAME characters on)."""
    typed = _text(text)
    found = exp.func("upper", exp.column("order_id", "j")).eq(exp.func("upper", typed))
    found = found.or_(
        exp.func("upper", exp.column("customer_id", "j")).eq(exp.func("upper", typed))
    )
    if len(text.strip()) >= MIN_NAME:
        name = exp.func("lower", exp.column("customer_name", "c"))
        found = found.or_(exp.func("contains", name, exp.func("lower", typed)))
    return _lines(scope).where(found)


def late_lines_query(scope: Scope, start: date, end: date, plant: str | None) -> exp.Select:
    """Order lines promised in [start, end) with a late step (first_late_step set)."""
    query = (
        _lines(scope)
        .where("j.first_late_step is not null")
        .where(exp.column("promised_date", "j") >= literal(start))
        .where(exp.column("promised_date", "j") < literal(end))
    )
    return query.where(exp.column("plant_id", "j").eq(literal(plant))) if plant else query


def line_query(order_id: str, line_no: int, scope: Scope) -> exp.Select:
    return _lines(scope).where(
        exp.column("order_id", "j").eq(literal(order_id)),
        exp.column("line_no", "j").eq(literal(int(line_no))),
    )


def shipments_query(order_id: str, line_no: int, scope: Scope) -> exp.Select:
    """The line's shipments, each with the lot it carried (exact) or most likely carried
    (approximate) and that lot's origin."""
    return (
        select(
            "s.shipment_id",
            "s.shipped_at",
            "s.shipped_date",
            "s.shipped_qty",
            "s.plant_id",
            "l.lot_id",
            "l.is_exact",
            "l.work_order_id",
            "l.production_plant_id",
            "l.production_line_id",
            "l.production_date",
        )
        .from_(table("fct_shipments", scope, "s"))
        .join(
            table("fct_lot_trace", scope, "l"),
            on="l.shipment_id = s.shipment_id and l.order_id = s.order_id"
            " and l.line_no = s.line_no",
            join_type="left",
        )
        .where(
            exp.column("order_id", "s").eq(literal(order_id)),
            exp.column("line_no", "s").eq(literal(int(line_no))),
        )
        .order_by("s.shipped_at", "s.shipment_id")
    )


def lot_query(text: str, scope: Scope) -> exp.Select:
    """Every shipment line a lot went to (lot id `text`, any case), with the customer."""
    return (
        select(
            "l.lot_id",
            "l.material_id",
            "l.work_order_id",
            "l.production_plant_id",
            "l.production_line_id",
            "l.production_date",
            "l.shipment_id",
            "l.order_id",
            "l.line_no",
            "l.plant_id",
            "l.customer_id",
            "c.customer_name",
            "l.shipped_at",
            "l.shipped_qty",
            "l.is_exact",
        )
        .from_(table("fct_lot_trace", scope, "l"))
        .join(
            table("dim_customer", scope, "c"), on="c.customer_id = l.customer_id", join_type="left"
        )
        .where(exp.func("upper", exp.column("lot_id", "l")).eq(exp.func("upper", _text(text))))
        .order_by("l.shipped_at", "l.shipment_id")
    )


def lot_movements_query(text: str, scope: Scope) -> exp.Select:
    """Every stock movement of a lot (lot id `text`, any case): where it is when no
    shipment carried it yet."""
    return (
        select(
            "movement_ts",
            "plant_id",
            "warehouse_id",
            "material_id",
            "movement_type",
            "reference_type",
            "reference_id",
            "qty",
        )
        .from_(table("fct_inventory_movements", scope))
        .where(exp.func("upper", exp.column("lot_id")).eq(exp.func("upper", _text(text))))
        .order_by("movement_ts", "movement_id")
    )


def lot_stock(movements: pl.DataFrame) -> pl.DataFrame:
    """On hand per warehouse after a lot's movements (the warehouses still holding some)."""
    return (
        movements.group_by("warehouse_id", maintain_order=True)
        .agg(pl.col("qty").sum().alias("on_hand_qty"))
        .filter(pl.col("on_hand_qty") > 0)
    )


def movement_word(movement_type: str, lang: str) -> str:
    """A movement type (SOURCES.md) in `lang` (catalogue key movement_<type>); an unknown
    one as it came."""
    key = f"movement_{movement_type.lower()}"
    return t(key, lang) if has(key) else movement_type


# -- cached readers (the caller's scope) -------------------------------------------------


@per_scope()
def find_order_lines(key: str, scope: Scope, text: str) -> pl.DataFrame:
    return run(key, order_search_query(text, scope))


@per_scope()
def find_lot(key: str, scope: Scope, text: str) -> pl.DataFrame:
    return run(key, lot_query(text, scope))


@per_scope()
def lot_movements(key: str, scope: Scope, text: str) -> pl.DataFrame:
    return run(key, lot_movements_query(text, scope))


@per_scope()
def late_lines(
    key: str, scope: Scope, start: date, end: date, plant: str | None = None
) -> pl.DataFrame:
    return run(key, late_lines_query(scope, start, end, plant))


@per_scope()
def order_line(key: str, scope: Scope, order_id: str, line_no: int) -> pl.DataFrame:
    return run(key, line_query(order_id, line_no, scope))


@per_scope()
def line_shipments(key: str, scope: Scope, order_id: str, line_no: int) -> pl.DataFrame:
    return run(key, shipments_query(order_id, line_no, scope))


# -- the steps ---------------------------------------------------------------------------


def trace_word(is_exact: object, lang: str) -> str | None:
    """ "exact" / "approximate" (lot → shipment) in `lang`; None without a lot."""
    if is_exact is None:
        return None
    return t("journey_exact" if int(is_exact) else "journey_approximate", lang)


def late_text(line: dict, lang: str) -> str:
    """Where the line is late, in words: its first late step, or on time / cancelled."""
    if line.get("status") == "CANCELLED":
        return t("journey_cancelled", lang)
    step = line.get("first_late_step")
    if step in LATE_STEPS:
        return t(f"journey_late_{step}", lang)
    return t("journey_on_time", lang)


def _day(value: date | None, end: bool = False) -> datetime | None:
    """A date as the moment it starts (or, `end`, ends)."""
    if value is None:
        return None
    moment = datetime.combine(value, time())
    return moment + timedelta(days=1) if end else moment


def _later(actual: datetime | None, planned: datetime | None) -> bool:
    return actual is not None and planned is not None and actual > planned


def steps(line: dict, orders: pl.DataFrame, shipments: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Every step of order line `line` (a row of fct_order_journey as a dict) as one row:
    step (its name in `lang`), detail, planned_start/_end, actual_start/_end, quantity,
    is_late. `orders` are its work orders (app.web.lists.work_orders_query), `shipments`
    its shipments with their lots (shipments_query)."""
    late_step = None if line.get("status") == "CANCELLED" else line.get("first_late_step")
    ordered = _day(line["order_date"])
    promised = _day(line["promised_date"])  # shown on its day; late after the day ends
    deadline = _day(line["promised_date"], end=True)
    rows = [
        (
            t("journey_step_order", lang),
            line["order_id"],
            ordered,
            ordered,
            ordered,
            ordered,
            line["order_qty"],
            False,
        )
    ]
    if line.get("first_planned_start") is not None or line.get("first_actual_start") is not None:
        rows.append(
            (
                t("journey_step_production", lang),
                t("journey_orders_count", lang, count=line.get("work_orders") or 0),
                line["first_planned_start"],
                line["last_planned_end"],
                line["first_actual_start"],
                line["last_actual_end"],
                line["produced_good_qty"],
                late_step in ("production_start", "production_end"),
            )
        )
    for order in orders.iter_rows(named=True):
        late = _later(order["actual_start"], order["planned_start"]) or _later(
            order["actual_end"], order["planned_end"]
        )
        rows.append(
            (
                t("journey_step_work_order", lang),
                f"{order['work_order_id']} · {order['line_id']} · {order['status']}",
                order["planned_start"],
                order["planned_end"],
                order["actual_start"],
                order["actual_end"],
                order["planned_qty"],
                late,
            )
        )
    received = (
        shipments.filter(pl.col("lot_id").is_not_null())
        .unique("lot_id", keep="first", maintain_order=True)
        .iter_rows(named=True)
    )
    for lot in received:
        day = _day(lot["production_date"])
        rows.append(
            (
                t("journey_step_receipt", lang),
                f"{lot['lot_id']} ({trace_word(lot['is_exact'], lang)})",
                None,
                None,
                day,
                day,
                None,
                False,
            )
        )
    for shipment in shipments.unique("shipment_id", keep="first", maintain_order=True).iter_rows(
        named=True
    ):
        lot = shipment["lot_id"]
        detail = shipment["shipment_id"]
        if lot is not None:
            detail += f" · {lot} ({trace_word(shipment['is_exact'], lang)})"
        rows.append(
            (
                t("journey_step_shipment", lang),
                detail,
                promised,
                promised,
                shipment["shipped_at"],
                shipment["shipped_at"],
                shipment["shipped_qty"],
                _later(shipment["shipped_at"], deadline),
            )
        )
    rows.append(
        (
            t("journey_step_promised", lang),
            "",
            promised,
            promised,
            line.get("last_shipped_at") if (line.get("shipped_qty") or 0) > 0 else None,
            line.get("last_shipped_at") if (line.get("shipped_qty") or 0) > 0 else None,
            line.get("shipped_qty"),
            late_step == "shipment",
        )
    )
    schema = {
        "step": pl.String,
        "detail": pl.String,
        "planned_start": pl.Datetime("us"),
        "planned_end": pl.Datetime("us"),
        "actual_start": pl.Datetime("us"),
        "actual_end": pl.Datetime("us"),
        "quantity": pl.Float64,
        "is_late": pl.Boolean,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def step_labels(frame: pl.DataFrame) -> list[str]:
    """ "1. Order placed", "2. …": the steps numbered in their order, as the chart's rows."""
    return [f"{i + 1}. {s}" for i, s in enumerate(frame["step"].to_list())]


def timeline_frame(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """`steps` in long form for the chart: one row per step and kind (planned, actual on
    time, actual late) with its start and end."""
    base = frame.with_columns(pl.Series("label", step_labels(frame), dtype=pl.String))
    planned = base.select(
        "label",
        "detail",
        pl.lit(t("journey_planned", lang)).alias("kind"),
        pl.col("planned_start").alias("start"),
        pl.col("planned_end").alias("end"),
    )
    actual = base.select(
        "label",
        "detail",
        pl.when(pl.col("is_late"))
        .then(pl.lit(t("journey_actual_late", lang)))
        .otherwise(pl.lit(t("journey_actual", lang)))
        .alias("kind"),
        pl.col("actual_start").alias("start"),
        pl.col("actual_end").alias("end"),
    )
    return pl.concat([planned, actual]).filter(pl.col("start").is_not_null())


def timeline(frame: pl.DataFrame, lang: str) -> alt.Chart:
    """Planned and actual bars per step (a moment as a dot), late ones in the status red."""
    long = timeline_frame(frame, lang)
    order = step_labels(frame)
    kinds = [
        (t("journey_planned", lang), NEUTRAL),
        (t("journey_actual", lang), metric_colour("on_time_delivery")),
        (t("journey_actual_late", lang), BAD),
    ]
    colour = alt.Color(
        "kind:N",
        title=None,
        scale=alt.Scale(domain=[k for k, _ in kinds], range=[c for _, c in kinds]),
        legend=alt.Legend(orient="bottom"),
    )
    base = alt.Chart(long).encode(
        y=alt.Y("label:N", sort=order, axis=category_axis()),
        yOffset=alt.YOffset("kind:N", sort=[k for k, _ in kinds]),
        x=alt.X("start:T", title=None, axis=alt.Axis(format=axis_date_format(lang), labelAngle=0)),
        color=colour,
        tooltip=[
            alt.Tooltip("label:N", title=t("journey_step", lang)),
            alt.Tooltip("detail:N", title=t("journey_detail", lang)),
            alt.Tooltip("kind:N", title=t("journey_kind", lang)),
            alt.Tooltip("start:T", title=t("journey_start", lang), format="%Y-%m-%d %H:%M"),
            alt.Tooltip("end:T", title=t("journey_end", lang), format="%Y-%m-%d %H:%M"),
        ],
    )
    chart = alt.layer(
        base.mark_bar(height=8).encode(x2="end:T"), base.mark_point(filled=True, size=50)
    )
    return finish(chart.properties(height=rows_height(len(order), row=34)), lang)
