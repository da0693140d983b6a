"""Quality: yield, scrap and rework; defects by code; SPC per product and characteristic;
and tracing one lot to its work order, machines, inspections and customers."""

import polars as pl
import streamlit as st

from app.web import charts, data, lists, spc
from app.web.filters import trend_grain
from app.web.i18n import format_date, t
from app.web.kpi_cards import format_metric
from app.web.sidebar import context
from app.web.widgets import chart_with_data, display_table, dropped_note, equals_from, no_data

TRENDS = ["first_pass_yield", "scrap_rate", "rework_rate"]

ctx = context()
f, lang, key = ctx.filters, ctx.lang, ctx.key
where = f.where()
st.title(t("page_quality", lang))
dropped_note(f, TRENDS + ["defect_qty"])

left, right = st.columns(2)
with left:
    trend = data.kpi_frame(
        key, TRENDS, where, start=f.start, end=f.end, grain=trend_grain(f.start, f.end), lang=lang
    )
    if not no_data(trend, lang):
        labels = {m: data.metric(m).label(lang) for m in TRENDS}
        chart_with_data(
            charts.trend(trend, labels, lang, title=t("quality_trend", lang)),
            trend,
            "quality_trend",
            lang,
        )
with right:
    defects = data.kpi_frame(
        key, ["defect_qty"], where, by=("defect_code",), start=f.start, end=f.end, lang=lang
    )
    defects = defects.filter(pl.col("defect_code").is_not_null(), pl.col("defect_qty") > 0)
    if not no_data(defects, lang):
        chart_with_data(
            charts.pareto(
                defects,
                "defect_code_label",
                t("defect", lang),
                "defect_qty",
                data.metric("defect_qty").label(lang),
                lang,
                title=t("defect_pareto", lang),
            ),
            defects,
            "defect_pareto",
            lang,
        )

st.subheader(t("spc_chart", lang))
equals = equals_from(f)
series = lists.spc_series(key, equals, f.start, f.end)
if not no_data(series, lang):
    pairs = [(p, c) for p, c in zip(series["product_id"], series["characteristic"], strict=True)]
    pick_col, stats_col = st.columns([2, 3])
    choice = pick_col.selectbox(
        f"{t('product', lang)} · {t('characteristic', lang)}",
        pairs,
        format_func=lambda pc: f"{pc[0]} · {pc[1]}",
        key="spc_pair",
    )
    product, characteristic = choice
    points = lists.spc_points(key, product, characteristic, equals, f.start, f.end)
    values = points["measured_value"].to_list()
    limits = spc.control_limits(values)
    if limits is not None:
        rules = spc.western_electric(values, limits)
        points = points.with_columns(
            pl.Series("sample", range(1, len(values) + 1)),
            pl.Series("rules", [", ".join(map(str, r)) for r in rules], dtype=pl.String),
            pl.Series(
                "flag",
                [t("out_of_control", lang) if r else t("in_control", lang) for r in rules],
                dtype=pl.String,
            ),
        )
        lsl, usl = points["lsl"][-1], points["usl"][-1]
        governed = data.kpi_frame(
            key,
            ["cpk"],
            {
                **f.where(data.metric("cpk").dimensions),
                "product": [product],
                "characteristic": [characteristic],
            },
            by=("product", "characteristic"),
            start=f.start,
            end=f.end,
            lang=lang,
        )
        cpk_value = governed["cpk"][0] if governed.height else spc.cpk(values, lsl, usl)
        cols = stats_col.columns(4)
        cols[0].metric(t("cpk_value", lang), format_metric(data.metric("cpk"), cpk_value, lang))
        cols[1].metric(t("mean", lang), f"{limits.mean:,.3f}")
        cols[2].metric(t("samples", lang), f"{len(values):,}")
        cols[3].metric(t("out_of_control", lang), f"{sum(1 for r in rules if r):,}")
        lines = {
            t("mean", lang): limits.mean,
            t("ucl", lang): limits.ucl,
            t("lcl", lang): limits.lcl,
            t("usl", lang): usl,
            t("lsl", lang): lsl,
        }
        chart_with_data(
            charts.spc(points, lines, lang, title=f"{product} · {characteristic}"),
            points,
            f"spc_{product}_{characteristic}",
            lang,
        )
        st.caption(f"{t('rule', lang)}: 1 > 3σ · 2: 2/3 > 2σ · 3: 4/5 > 1σ · 4: 8 ⟂")

st.subheader(t("lot_trace", lang))
lot = st.text_input(t("lot_id", lang), key="lot", placeholder="LOT-SZ-SMT1-261102A-00001")
if lot.strip():
    inspections = lists.lot_inspections(key, lot)
    if inspections.is_empty():
        st.warning(t("lot_not_found", lang, lot=lot.strip()))
    else:
        orders = tuple(sorted({w for w in inspections["work_order_id"].to_list() if w}))
        st.markdown(f"**{t('work_order', lang)}**")
        display_table(lists.work_orders(key, orders), lang)
        machines = (
            data.equipment(key)
            .filter(pl.col("equipment_id").is_in(inspections["equipment_id"].unique().to_list()))
            .select(
                "equipment_id",
                pl.col(f"equipment_name_{lang}").alias("equipment_name"),
                "line_id",
                "plant_id",
            )
        )
        st.markdown(f"**{data.registry().dimension('equipment').label(lang)}**")
        display_table(machines, lang)
        st.markdown(f"**{t('inspections_of_lot', lang)}**")
        display_table(inspections, lang, {"measured_value": "number"})
        first = inspections.row(0, named=True)
        made = first["inspected_at"].date()
        shipped = lists.lot_shipments(key, first["product_id"], first["plant_id"], made)
        st.markdown(f"**{t('shipped_to', lang)}** ({format_date(made, lang)} +30)")
        if shipped.is_empty():
            st.info(t("no_shipments", lang))
        else:
            display_table(shipped, lang)
