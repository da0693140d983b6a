"""Quality: yield, scrap and rework; defects by code; SPC per product and characteristic;
and tracing one lot to its work order, machines, inspections and customers."""

from datetime import timedelta

import polars as pl
import streamlit as st

from app.web import charts, data, lists, plan_charts, plan_lists
from app.web.control_chart import characteristic_label, control_chart
from app.web.downloads import download_buttons
from app.web.filters import trend_grain
from app.web.sidebar import context
from app.web.widgets import chart_with_data, display_table, dropped_note, equals_from, no_data
from metrics.colours import metric_colour
from metrics.formatting import format_date, format_number, format_value
from metrics.i18n import t
from metrics.spc import LOOKBACK_DAYS, MIN_BASELINE, RULES, cpk

TRENDS = ["first_pass_yield", "scrap_rate", "rework_rate"]
UPCOMING_DAYS = 30  # engineering changes shown ahead of the newest data

ctx = context()
f, lang, key = ctx.filters, ctx.lang, ctx.key
where = f.where()
st.title(t("page_quality", lang))
dropped_note(f, TRENDS + ["defect_qty", "superseded_revision_share"])

left, right = st.columns(2)
with left:
    trend = data.kpi_frame(
        key, TRENDS, where, start=f.start, end=f.end, grain=trend_grain(f.start, f.end), lang=lang
    )
    if not no_data(trend, lang, TRENDS, t("quality_trend", lang)):
        chart_with_data(
            charts.trend_panels(
                trend, [data.metric(m) for m in TRENDS], lang, title=t("quality_trend", lang)
            ),
            trend,
            "quality_trend",
            lang,
        )
with right:
    defects = data.kpi_frame(
        key, ["defect_qty"], where, by=("defect_code",), start=f.start, end=f.end, lang=lang
    )
    defects = defects.filter(pl.col("defect_code").is_not_null(), pl.col("defect_qty") > 0)
    if not no_data(defects, lang, title=t("defect_pareto", lang)):
        chart_with_data(
            charts.pareto(
                defects,
                "defect_code_label",
                t("defect", lang),
                "defect_qty",
                data.metric("defect_qty").label(lang),
                lang,
                title=t("defect_pareto", lang),
                colour=metric_colour("defect_qty"),
            ),
            defects,
            "defect_pareto",
            lang,
        )

st.subheader(t("eco_section", lang))
equals = equals_from(f)
# a period that reaches the newest data also shows the changes coming in the days after it
until = f.end + timedelta(days=UPCOMING_DAYS) if f.end > ctx.as_of else f.end
changes = plan_lists.effective_changes(key, equals, f.family, f.start, f.end, lang, until=until)
left, right = st.columns(2)
with left:
    fpy = data.metric("first_pass_yield")
    if not no_data(trend, lang, [fpy.name], t("eco_fpy_chart", lang)):
        chart_with_data(
            plan_charts.trend_with_changes(
                trend,
                fpy,
                plan_charts.change_marks(changes, ctx.as_of),
                lang,
                title=t("eco_fpy_chart", lang),
            ),
            trend.select("period", fpy.name),
            "first_pass_yield_and_changes",
            lang,
        )
        st.caption(t("eco_fpy_note", lang))
with right:
    share = data.metric("superseded_revision_share")
    superseded = data.kpi_frame(
        key, [share.name], where, by=("line",), start=f.start, end=f.end, lang=lang
    )
    superseded = plan_charts.with_line_names(
        superseded.filter(pl.col(share.name).is_not_null()), data.lines(key)
    )
    if not no_data(superseded, lang, title=t("superseded_by_line", lang)):
        chart_with_data(
            plan_charts.status_bars(
                superseded,
                "line_name",
                data.registry().dimension("line").label(lang),
                share,
                lang,
                title=t("superseded_by_line", lang),
            ),
            superseded.drop("line_name"),
            "superseded_revision_share_by_line",
            lang,
        )
eco_list = (
    t("eco_list_upcoming", lang, days=UPCOMING_DAYS) if until > f.end else t("eco_list", lang)
)
st.markdown(f"**{eco_list}**")
if changes.is_empty():
    st.info(t("no_effective_changes", lang))
else:
    display_table(changes.drop("status"), lang, height=min(36 * (changes.height + 1) + 2, 300))
    download_buttons(changes, "engineering_changes", lang)
st.markdown(f"**{t('superseded_rows', lang)}**")
old_revisions = plan_lists.superseded_production(key, f.plant, f.line, f.family, f.start, f.end)
if old_revisions.is_empty():
    st.success(t("no_superseded", lang))
else:
    display_table(old_revisions, lang, height=min(36 * (old_revisions.height + 1) + 2, 300))
    download_buttons(old_revisions, "superseded_revision_production", lang)

st.subheader(t("spc_chart", lang))
series = lists.spc_series(key, equals, f.start, f.end, lang)
if not no_data(series, lang):
    products = dict(zip(series["product_id"], series["product_name"], strict=True))
    pairs = [(p, c) for p, c in zip(series["product_id"], series["characteristic"], strict=True)]
    pick_col, stats_col = st.columns([2, 3])

    def pair_name(pair: tuple[str, str]) -> str:
        return f"{products.get(pair[0]) or pair[0]} · {characteristic_label(pair[1], lang)}"

    choice = pick_col.selectbox(
        f"{t('product', lang)} · {t('characteristic', lang)}",
        pairs,
        format_func=pair_name,
        key="spc_pair",
    )
    product, characteristic = choice
    chart_title = pair_name(choice)
    points = lists.spc_points(key, product, characteristic, equals, f.start, f.end)
    shown = control_chart(points, lang)
    machines = data.label_map(data.equipment(key), "equipment_id", lang)
    if shown is not None:
        limits, period_values = shown.chart.limits, shown.period_values
        lsl, usl = shown.points["lsl"][-1], shown.points["usl"][-1]
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
        cpk_value = governed["cpk"][0] if governed.height else cpk(period_values, lsl, usl)
        cols = stats_col.columns(4)
        cols[0].metric(t("cpk_value", lang), format_value(data.metric("cpk"), cpk_value, lang=lang))
        cols[1].metric(t("centre_line", lang), format_number(limits.centre, lang, 3))
        cols[2].metric(t("samples", lang), format_number(len(period_values), lang))
        cols[3].metric(t("out_of_control", lang), format_number(shown.out_of_control, lang))
        lines = {
            t("centre_line", lang): limits.centre,
            t("ucl", lang): limits.ucl,
            t("lcl", lang): limits.lcl,
            t("usl", lang): usl,
            t("lsl", lang): lsl,
        }
        points_named = shown.points.with_columns(
            pl.col("equipment_id")
            .replace_strict(machines, default=pl.col("equipment_id"))
            .alias("equipment")
        )
        chart_with_data(
            charts.spc(points_named, lines, lang, title=chart_title),
            points_named,
            f"spc_{product}_{characteristic}",
            lang,
        )
        if shown.chart.baseline == shown.first:
            st.caption(t("spc_limits_baseline", lang, count=shown.first, days=LOOKBACK_DAYS))
        else:
            count = shown.points.height
            st.caption(t("spc_limits_all", lang, count=count, minimum=MIN_BASELINE))
        st.caption(
            f"{t('rule', lang)}: " + " · ".join(f"{n}: {t(f'spc_rule_{n}', lang)}" for n in RULES)
        )

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
