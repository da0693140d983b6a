"""Data health: is the data fresh, did every file load, which rows were rejected and why,
did the last build's tests pass, and how much equipment time has no state data."""

import polars as pl
import streamlit as st

from app.web import data, health
from app.web.downloads import download_buttons
from app.web.sidebar import context
from app.web.widgets import display_table, no_data
from metrics.i18n import column_label, t

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

tabs = st.tabs(
    [
        t("freshness", lang),
        t("build_results", lang),
        t("load_log", lang),
        t("quarantine", lang),
        t("coverage", lang),
    ]
)
with tabs[0]:
    fresh = health.freshness(key)
    if not no_data(fresh, lang):
        colours = {"pass": "#d4edda", "warn": "#fff3cd", "error": "#f8d7da"}
        display_table(
            fresh,
            lang,
            style=lambda frame: frame.style.map(
                lambda v: f"background-color: {colours.get(v, '')}",
                subset=[column_label("status", lang)],
            ),
        )
        download_buttons(fresh, "source_freshness", lang)
with tabs[1]:
    if build is not None:
        only = st.toggle(t("only_failures", lang), key="only_failures")
        results = health.build_results(key, build["build_id"], only)
        if not no_data(results, lang):
            counts = results.group_by("status").len().sort("status")
            st.caption(" · ".join(f"{s}: {n}" for s, n in counts.iter_rows()))
            display_table(results, lang, height=320)
            download_buttons(results, "build_results", lang)
with tabs[2]:
    log = health.load_log(key)
    if not no_data(log, lang):
        display_table(log, lang, height=320)
        download_buttons(log, "load_log", lang)
with tabs[3]:
    entities = health.quarantined_entities(key)
    entity = st.selectbox(
        t("file", lang),
        ["", *entities],
        key="quarantine_entity",
        format_func=lambda e: e or t("all", lang),
    )
    rows = health.quarantine(key, entity or None)
    if not no_data(rows, lang):
        display_table(
            rows,
            lang,
            height=320,
            column_config={
                "original_text": st.column_config.TextColumn(
                    column_label("original_text", lang), width="large"
                )
            },
        )
        download_buttons(rows, "quarantine", lang)
with tabs[4]:
    names = ["oee_loss_unknown", "planned_busy_hours"]
    cover = data.kpi_frame(
        key, names, f.where(), by=("equipment",), start=f.start, end=f.end, lang=lang
    )
    if not no_data(cover, lang):
        cover = cover.with_columns(
            (pl.col("oee_loss_unknown") / pl.col("planned_busy_hours")).alias("unknown_share")
        ).sort("unknown_share", descending=True, nulls_last=True)
        display_table(
            cover.select(
                "equipment_label", "oee_loss_unknown", "planned_busy_hours", "unknown_share"
            ),
            lang,
            {
                "oee_loss_unknown": "number",
                "planned_busy_hours": "decimal1",
                "unknown_share": "percent",
            },
            height=320,
        )
        download_buttons(cover, "state_coverage", lang)
