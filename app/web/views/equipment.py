"""Equipment effectiveness: OEE and its factors, where the time goes, why machines stop,
reliability per machine, and a drill-down from plants to lines to equipment."""

from datetime import timedelta
from functools import partial

import polars as pl
import streamlit as st

from app.web import charts, data, lists
from app.web.downloads import download_buttons
from app.web.drill import (
    DRILL_LEVELS,
    EQUIPMENT_STATE,
    clear_drill,
    drill_level,
    on_bar_click,
    on_pick,
)
from app.web.filters import trend_grain
from app.web.sidebar import context
from app.web.widgets import (
    chart_with_data,
    dropped_note,
    equals_from,
    metric_header,
    no_data,
    show_chart,
    summary_table,
)
from metrics.colours import metric_colour
from metrics.formatting import NULL, format_value
from metrics.i18n import t

FACTORS = ["oee", "availability", "performance", "quality"]
LOSSES = [
    "oee_loss_breakdowns",
    "oee_loss_setup",
    "oee_loss_starved_blocked",
    "oee_loss_unknown",
    "oee_loss_minor_stops",
    "oee_loss_reduced_speed",
    "oee_loss_quality",
]
WATERFALL = ["planned_busy_hours", *LOSSES, "fully_productive_hours"]
RELIABILITY = ["mtbf_hours", "mttr_hours", "oee_loss_breakdowns", "availability", "oee"]
HEATMAP_DAYS = 42

ctx = context()
f, lang, key = ctx.filters, ctx.lang, ctx.key
where = f.where()
label = {name: data.metric(name).label(lang) for name in FACTORS + WATERFALL + RELIABILITY}
st.title(t("page_equipment", lang))
dropped_note(f, FACTORS)

left, right = st.columns(2)
with left:
    grain = trend_grain(f.start, f.end)
    trend = data.kpi_frame(key, FACTORS, where, start=f.start, end=f.end, grain=grain, lang=lang)
    if not no_data(trend, lang, FACTORS, t("oee_trend", lang)):
        chart_with_data(
            charts.trend_panels(
                trend, [data.metric(m) for m in FACTORS], lang, title=t("oee_trend", lang)
            ),
            trend,
            "oee_trend",
            lang,
        )
with right:
    heat_start = max(f.start, f.end - timedelta(days=HEATMAP_DAYS))
    heat = data.kpi_frame(
        key, ["oee"], where, by=("line",), start=heat_start, end=f.end, grain="day", lang=lang
    )
    if not no_data(heat, lang, ["oee"], t("oee_heatmap", lang)):
        heat = heat.join(
            data.lines(key).select("line_id", "plant_id"), on="line_id", how="left"
        ).with_columns(
            pl.concat_str(["plant_id", "line_label"], separator=" · ", ignore_nulls=True).alias(
                "line_name"
            )
        )
        chart_with_data(
            charts.heatmap(
                heat,
                "line_name",
                data.registry().dimension("line").label(lang),
                "oee",
                label["oee"],
                lang,
                title=t("oee_heatmap", lang),
            ),
            heat,
            "oee_heatmap",
            lang,
        )

left, right = st.columns(2)
with left:
    totals = data.kpi_frame(key, WATERFALL, where, start=f.start, end=f.end, lang=lang)
    row = totals.row(0, named=True) if totals.height else {}
    busy = row.get("planned_busy_hours")
    losses = charts.loss_frame(busy, [(m, row.get(m)) for m in LOSSES], lang)
    st.markdown(f"**{t('loss_waterfall', lang)}**")
    if not no_data(losses, lang, ["hours"]):
        st.caption(charts.loss_summary(busy, row.get("fully_productive_hours"), lang))
        chart_with_data(
            charts.loss_bars(losses, lang),
            losses.select("metric", "loss", "factor", "hours", "share"),
            "loss_waterfall",
            lang,
        )
with right:
    reasons = lists.downtime_reasons(key, equals_from(f), f.start, f.end, lang)
    if not no_data(reasons, lang, title=t("downtime_pareto", lang)):
        chart_with_data(
            charts.pareto(
                reasons,
                "reason",
                t("reason", lang),
                "hours",
                t("hours", lang),
                lang,
                title=t("downtime_pareto", lang),
                colour=metric_colour("oee_loss_breakdowns"),
            ),
            reasons.select("state", "reason_code", "reason", "hours", "events", "cumulative_share"),
            "downtime_reasons",
            lang,
        )

st.subheader(t("drilldown", lang))
level, parent = drill_level(f)
dim = DRILL_LEVELS[level]
dim_title = data.registry().dimension(dim).label(lang)
members = data.kpi_frame(key, RELIABILITY, where, by=(dim,), start=f.start, end=f.end, lang=lang)
if not no_data(members, lang):
    id_column = data.registry().dimension(dim).key
    members = members.sort("oee", descending=True, nulls_last=True)
    st.caption(t("drill_hint", lang))
    chart = charts.drill_bars(
        members, id_column, f"{dim}_label", data.metric("oee"), dim_title, lang
    )
    show_chart(
        chart,
        key=f"drill_chart_{level}",
        on_select=partial(on_bar_click, level, id_column),
        selection_mode=charts.DRILL,
    )
    names = dict(zip(members[id_column].to_list(), members[f"{dim}_label"].to_list(), strict=True))
    pick_col, back_col = st.columns([3, 1])
    pick_col.selectbox(
        dim_title,
        ["", *names],
        key=f"drill_pick_{level}",
        format_func=lambda k: names.get(k, NULL),
        on_change=on_pick,
        args=(level,),
    )
    if level > 0 or parent:
        back_col.button(t("drill_up", lang), on_click=clear_drill, icon=":material/arrow_upward:")

    st.markdown(f"**{t('mtbf_mttr', lang)}**")
    table = members.select(
        pl.col(f"{dim}_label").alias(dim_title),
        *[
            pl.col(m)
            .map_elements(
                lambda v, m=m: format_value(data.metric(m), v, lang=lang),
                return_dtype=pl.String,
                skip_nulls=False,
            )
            .alias(metric_header(data.metric(m), lang))
            for m in RELIABILITY
        ],
    )
    summary_table(table, lang)
    download_buttons(members, f"reliability_by_{dim}", lang)

    machine = st.session_state.get(EQUIPMENT_STATE)
    if level == 2 and machine in names:
        st.markdown(f"**{names[machine]} — {t('downtime_pareto', lang)}**")
        own = lists.downtime_reasons(key, equals_from(f, equipment=machine), f.start, f.end, lang)
        if not no_data(own, lang):
            chart_with_data(
                charts.pareto(
                    own,
                    "reason",
                    t("reason", lang),
                    "hours",
                    t("hours", lang),
                    lang,
                    colour=metric_colour("oee_loss_breakdowns"),
                ),
                own.select("state", "reason_code", "reason", "hours", "events"),
                f"downtime_{machine}",
                lang,
            )
