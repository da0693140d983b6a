"""Order journey: search a sales order, a lot or a customer; see every step of an order line
with planned and actual dates and where it is late, and every customer a lot went to
(exact where the shipment carries the lot, approximate where it does not)."""

import polars as pl
import streamlit as st

from app.web import journey, lists
from app.web.downloads import download_buttons
from app.web.sidebar import context
from app.web.widgets import chart_with_data, display_table, no_data
from metrics.formatting import format_date, format_number
from metrics.i18n import t

LINE_COLUMNS = [
    "order_id",
    "line_no",
    "late_step",
    "promised_date",
    "customer_name",
    "material_id",
    "order_qty",
    "shipped_qty",
    "plant_id",
]
STEP_COLUMNS = [
    "step",
    "detail",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "quantity",
    "late",
]
LOT_COLUMNS = [
    "customer_name",
    "customer_id",
    "order_id",
    "line_no",
    "shipment_id",
    "shipped_at",
    "shipped_qty",
    "plant_id",
    "trace",
]

ctx = context()
f, lang, key = ctx.filters, ctx.lang, ctx.key
st.title(t("page_journey", lang))
st.caption(t("journey_intro", lang))


def line_label(row: dict) -> str:
    customer = row["customer_name"] or row["customer_id"] or ""
    return f"{row['order_id']} / {row['line_no']} · {customer} · {row['material_id']}"


def late_words(frame: pl.DataFrame) -> pl.DataFrame:
    words = [journey.late_text(row, lang) for row in frame.iter_rows(named=True)]
    return frame.with_columns(pl.Series("late_step", words, dtype=pl.String))


def show_lines(frame: pl.DataFrame, name: str) -> None:
    shown = late_words(frame)
    display_table(shown.select(LINE_COLUMNS), lang, height=min(400, 38 + 35 * shown.height))
    download_buttons(shown.select(LINE_COLUMNS), name, lang)


def show_lot(lot: pl.DataFrame) -> None:
    first = lot.row(0, named=True)
    st.subheader(t("journey_lot_title", lang, lot=first["lot_id"]))
    if first["work_order_id"] is None:
        st.write(t("journey_lot_no_origin", lang))
    else:
        st.write(
            t(
                "journey_lot_origin",
                lang,
                work_order=first["work_order_id"],
                plant=first["production_plant_id"],
                line=first["production_line_id"],
                date=format_date(first["production_date"], lang),
                material=first["material_id"],
            )
        )
    exact = int(lot["is_exact"].sum())
    st.write(t("journey_lot_counts", lang, exact=exact, approximate=lot.height - exact))
    words = [journey.trace_word(v, lang) for v in lot["is_exact"].to_list()]
    shown = lot.with_columns(pl.Series("trace", words, dtype=pl.String)).select(LOT_COLUMNS)
    display_table(shown, lang, height=min(400, 38 + 35 * shown.height))
    download_buttons(shown, "lot_customers", lang)


def show_unshipped_lot(lot_id: str, movements: pl.DataFrame) -> None:
    """A lot no shipment carried: where it came from and where it is now."""
    st.subheader(t("journey_lot_title", lang, lot=lot_id))
    receipt = movements.filter(
        (pl.col("movement_type") == "PRODUCTION_RECEIPT") & (pl.col("reference_type") == "WO")
    )
    if receipt.is_empty():
        st.write(t("journey_lot_no_origin", lang))
    else:
        first = receipt.row(0, named=True)
        made = lists.work_orders(key, (first["reference_id"],))
        st.write(
            t(
                "journey_lot_origin",
                lang,
                work_order=first["reference_id"],
                plant=first["plant_id"],
                line=made["line_id"][0] if not made.is_empty() else "-",
                date=format_date(first["movement_ts"].date(), lang),
                material=first["material_id"],
            )
        )
    stock = journey.lot_stock(movements)
    if stock.is_empty():
        st.info(t("journey_lot_used_up", lang))
    else:
        places = ", ".join(
            f"{row['warehouse_id']} ({format_number(row['on_hand_qty'], lang)})"
            for row in stock.iter_rows(named=True)
        )
        qty = format_number(stock["on_hand_qty"].sum(), lang)
        st.info(t("journey_lot_unshipped", lang, qty=qty, warehouses=places))
    st.caption(t("journey_lot_movements", lang))
    words = [journey.movement_word(m, lang) for m in movements["movement_type"].to_list()]
    shown = movements.with_columns(pl.Series("movement_type", words, dtype=pl.String))
    display_table(shown, lang, formats={"qty": "number"}, height=min(400, 38 + 35 * shown.height))
    download_buttons(movements, "lot_movements", lang)


def show_journey(order_id: str, line_no: int) -> None:
    found = journey.order_line(key, order_id, line_no)
    if found.is_empty():
        st.info(t("no_data", lang))
        return
    line = found.row(0, named=True)
    st.subheader(t("journey_line_title", lang, order=order_id, line=line_no))
    late = line["first_late_step"] is not None and line["status"] != "CANCELLED"
    (st.warning if late else st.success)(journey.late_text(line, lang))
    shipments = journey.line_shipments(key, order_id, line_no)
    exact = shipments.filter(pl.col("is_exact") == 1)["work_order_id"].drop_nulls().unique()
    orders = lists.work_orders(key, tuple(sorted(exact.to_list())))
    steps = journey.steps(line, orders, shipments, lang)
    chart_with_data(journey.timeline(steps, lang), steps, "order_journey", lang)
    shown = steps.with_columns(
        pl.when(pl.col("is_late")).then(pl.lit(t("late", lang))).otherwise(pl.lit("")).alias("late")
    ).select(STEP_COLUMNS)
    display_table(shown, lang, formats={"quantity": "int"})


text = st.text_input(
    t("journey_search", lang), key="journey_search", placeholder=t("journey_search_hint", lang)
)
choices = pl.DataFrame()
if text.strip():
    lines = journey.find_order_lines(key, text)
    lot = journey.find_lot(key, text)
    movements = journey.lot_movements(key, text) if lot.is_empty() else pl.DataFrame()
    if lines.is_empty() and lot.is_empty() and movements.is_empty():
        st.warning(t("journey_no_match", lang, text=text.strip()))
    if not lot.is_empty():
        show_lot(lot)
    elif not movements.is_empty():
        show_unshipped_lot(text.strip(), movements)
    choices = lines if lot.is_empty() else lot.unique(["order_id", "line_no"], maintain_order=True)
    if not lines.is_empty():
        st.subheader(t("journey_found_lines", lang, count=lines.height))
        show_lines(lines, "order_lines_found")

late_lines = journey.late_lines(key, f.start, f.end, plant=f.plant)
if not text.strip():  # nothing searched: pick among the period's late lines
    choices = late_lines
if not choices.is_empty():
    labels = {line_label(row): row for row in choices.iter_rows(named=True)}
    picked = st.selectbox(t("journey_pick", lang), list(labels), key="journey_line")
    if picked is not None:
        chosen = labels[picked]
        show_journey(chosen["order_id"], int(chosen["line_no"]))

st.subheader(t("journey_late_lines", lang))
if not no_data(late_lines, lang):
    show_lines(late_lines, "late_order_lines")
