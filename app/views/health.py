"""Data health: is the data fresh, did every file load, which rows were rejected and why,
did the last build's tests pass, and how much equipment time has no state data."""

import polars as pl
import streamlit as st

from app import data, health
from app.downloads import download_buttons
from app.i18n import t
from app.sidebar import context
from app.widgets import no_data

ctx = context()
f, lang, key = ctx.filters, ctx.lang, ctx.key
st.title(t("page_health", lang))

build = health.last_build(key)
if build is None:
    st.info(t("no_build_log", lang))
else:
    ok = build["status"] == "passed"
    (st.success if ok else st.error)(
        t("last_build", lang, id=build["build_id"], status=build["status"])
        + f" · {build['models']} models · {build['tests']} tests · {build['seconds']:.0f} s"
    )

tabs = st.tabs([t("freshness", lang), t("build_results", lang), t("load_log", lang),
                t("quarantine", lang), t("coverage", lang)])
with tabs[0]:
    fresh = health.freshness(key)
    if not no_data(fresh, lang):
        colours = {"pass": "#d4edda", "warn": "#fff3cd", "error": "#f8d7da"}
        st.dataframe(fresh.to_pandas().style.map(
            lambda v: f"background-color: {colours.get(v, '')}", subset=["status"]),
            hide_index=True, width="stretch")
        download_buttons(fresh, "source_freshness", lang)
with tabs[1]:
    if build is not None:
        only = st.toggle(t("only_failures", lang), key="only_failures")
        results = health.build_results(key, build["build_id"], only)
        if not no_data(results, lang):
            counts = results.group_by("status").len().sort("status")
            st.caption(" · ".join(f"{s}: {n}" for s, n in counts.iter_rows()))
            st.dataframe(results, hide_index=True, width="stretch", height=320)
            download_buttons(results, "build_results", lang)
with tabs[2]:
    log = health.load_log(key)
    if not no_data(log, lang):
        st.dataframe(log, hide_index=True, width="stretch", height=320)
        download_buttons(log, "load_log", lang)
with tabs[3]:
    entities = health.quarantined_entities(key)
    entity = st.selectbox(t("file", lang), ["", *entities], key="quarantine_entity",
                          format_func=lambda e: e or t("all", lang))
    rows = health.quarantine(key, entity or None)
    if not no_data(rows, lang):
        st.dataframe(rows, hide_index=True, width="stretch", height=320,
                     column_config={"original_text": st.column_config.TextColumn(width="large")})
        download_buttons(rows, "quarantine", lang)
with tabs[4]:
    names = ["oee_loss_unknown", "planned_busy_hours"]
    cover = data.kpi_frame(key, names, f.where(), by=("equipment",), start=f.start, end=f.end,
                           lang=lang)
    if not no_data(cover, lang):
        cover = cover.with_columns(
            (pl.col("oee_loss_unknown") / pl.col("planned_busy_hours")).alias("unknown_share")
        ).sort("unknown_share", descending=True, nulls_last=True)
        st.dataframe(
            cover.select(
                pl.col("equipment_label").alias(data.registry().dimension("equipment")
                                                .label(lang)),
                pl.col("oee_loss_unknown").round(2).alias(data.metric("oee_loss_unknown")
                                                          .label(lang)),
                pl.col("planned_busy_hours").round(1).alias(data.metric("planned_busy_hours")
                                                            .label(lang)),
                (pl.col("unknown_share") * 100).round(2).alias(t("unknown_share", lang) + " %"),
            ),
            hide_index=True, width="stretch", height=320)
        download_buttons(cover, "state_coverage", lang)
