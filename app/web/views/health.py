"""Data health: is the data fresh, is the pipeline service running and what did each source
last do (app/service/status.py), did every file load, which rows were rejected and why, did
the last build's tests pass, and how much equipment time has no state data.

The sidebar's filters do nothing here: the state coverage tab has its own period. Moments
are shown in the user's plants' time zone (UTC, said so, for plants in several)."""

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import streamlit as st

from app.reports.definitions import read_reports
from app.service.status import PipelineStatus, duration, pipeline_status
from app.web import data, health
from app.web.cron_words import describe_cron
from app.web.downloads import download_buttons
from app.web.filters import DEFAULT_PRESET, PRESETS, period_bounds
from app.web.plant_locale import moment_text, moments_as_text
from app.web.session import current_scope
from app.web.sidebar import context
from app.web.widgets import display_table, no_data
from ingest.sources import sources_path
from metrics.i18n import column_label, join, t
from warehouse.config import ConfigError
from warehouse.location import ENGINES, state_path

ctx = context()
f, lang, key, zone = ctx.filters, ctx.lang, ctx.key, ctx.timezone
st.title(t("page_health", lang))

build = health.last_build(key)
if build is None:
    st.info(t("no_build_log", lang))
else:
    ok = build["status"] == "passed"
    (st.success if ok else st.error)(
        t(
            "last_build_summary",
            lang,
            id=build["build_id"],
            status=health.status_word(build["status"], lang),
            engine=ENGINES[build.get("engine") or "duckdb"],
            models=build["models"],
            tests=build["tests"],
            seconds=f"{build['seconds']:.0f}",
        )
    )


@st.cache_data(ttl=15, show_spinner=False)
def pipeline(build_file: str, state_file: str, sources_file: str) -> PipelineStatus:
    """The pipeline's status from the state store and the published copy (never the build
    file, which the pipeline service writes); cached per warehouse, state store and sources."""
    return pipeline_status(Path(build_file), sources=Path(sources_file), live=False)


def ago(seconds: float | None) -> str:
    if seconds is None:
        return t("src_no_data", lang)
    count, unit = duration(seconds)
    return t(f"dur_{unit}", lang, n=count)


@st.cache_data(ttl=60, show_spinner=False)
def report_titles(lang: str) -> dict[str, str]:
    """{report name: its title in `lang`} of the report definitions that load."""
    try:
        reports = read_reports().reports
    except ConfigError:
        return {}
    return {name: report.title.get(lang) or name for name, report in reports.items()}


def when(moment: datetime | None) -> str:
    return moment_text(moment, lang, zone)


st.subheader(t("sources_pipeline", lang))
served = data.build_file()
status = pipeline(str(served), str(state_path(served)), str(sources_path()))
service, now = status.service, datetime.now(UTC)
if service.state == "running":
    running = t("svc_first_tick", lang, pid=service.pid)
    if service.last_tick_at:
        tick_age = ago((now - service.last_tick_at).total_seconds())
        running = t("svc_running", lang, pid=service.pid, ago=tick_age)
    step = (service.step or "").split(" ", 1)
    if step[0] in ("pulling", "ingesting", "building", "reports") and service.step_since:
        since = ago((now - service.step_since).total_seconds())
        source = step[1] if len(step) > 1 else ""
        running += " " + t(f"svc_step_{step[0]}", lang, source=source, ago=since)
    st.success(running)
    if service.last_tick_result not in (None, "ok"):
        st.caption(t("svc_last_tick", lang, result=service.last_tick_result))
elif service.state == "never":
    st.info(t("svc_never", lang))
else:
    st.warning(t(f"svc_{service.state}_since", lang, since=when(service.since)))
if status.sources_error and not status.sources:
    missing = status.sources_error.startswith("no sources file")
    st.info(
        t("no_sources_file", lang, path=status.sources_file)
        if missing
        else t("sources_file_problem", lang, problem=status.sources_error)
    )
elif status.sources and health.needs_all_plants("ingest.load_log", current_scope()):
    st.info(t("sources_need_all_plants", lang))
elif status.sources:
    for failing in status.sources:
        if failing.message:
            st.error(t("source_failing", lang, source=failing.name, message=failing.message))
    rows = []
    for source in status.sources:
        schedule = None
        if source.schedule:
            schedule = f"{describe_cron(source.schedule, lang)} ({source.timezone})"
        if source.watch:
            schedule = t("src_watched", lang) + (f" · {schedule}" if schedule else "")
        upcoming = when(source.next_run) if source.next_run else t("src_on_demand", lang)
        if source.watch and not source.next_run:
            upcoming = t("src_watched", lang)
        if source.overdue:
            upcoming = t("src_overdue", lang, at=upcoming)
        rows.append(
            {
                "source": source.name,
                "kind": source.kind,
                "where": source.where,
                "schedule": schedule or t("src_on_demand", lang),
                "last_pull_at": when(source.last_attempt_at),
                "status": t(f"src_{source.last_status or 'never'}", lang),
                "rows_landed": source.rows_landed,
                "next_run_at": upcoming,
                "lag": ago(source.lag_s),
                "message": source.message or source.last_error or "",
            }
        )
    display_table(pl.DataFrame(rows, infer_schema_length=None), lang, {"rows_landed": "int"})
last = status.build
if last is not None and last.by == "pipeline" and last.status == "failed":
    st.warning(t("pipeline_build_failed", lang, message=last.message or ""))
if status.reports:
    titles = report_titles(lang)
    upcoming = [  # each in its report's own time zone, as its schedule is
        f"{titles.get(r['report'], r['report'])} {moment_text(r['next_fire'], lang, r['timezone'])}"
        + (f" ({r['timezone']})" if r["timezone"] != zone else "")
        for r in status.reports[:3]
    ]
    st.caption(t("pipeline_next_reports", lang, reports=join(upcoming, lang)))

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
        tints = {"pass": "#d4edda", "warn": "#fff3cd", "error": "#f8d7da"}
        colours = {health.status_word(word, lang): tint for word, tint in tints.items()}
        display_table(
            moments_as_text(health.in_words(fresh, lang), lang, zone),
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
            st.caption(
                " · ".join(
                    f"{health.status_word(s, lang)}{t('label_separator', lang)}{n}"
                    for s, n in counts.iter_rows()
                )
            )
            display_table(health.in_words(results, lang), lang, height=320)
            download_buttons(results, "build_results", lang)
with tabs[2]:
    log = health.load_log(key)
    if not no_data(log, lang):
        display_table(moments_as_text(health.in_words(log, lang), lang, zone), lang, height=320)
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
            moments_as_text(rows, lang, zone),
            lang,
            height=320,
            column_config={
                "original_text": st.column_config.TextColumn(
                    column_label("original_text", lang), width="large"
                )
            },
        )
        download_buttons(rows, "quarantine", lang)
with tabs[4]:  # its own period (the sidebar shows no filters here), starting at the sidebar's
    presets = [p for p in PRESETS if p != "custom"]
    if st.session_state.get("coverage_period") not in presets:
        st.session_state["coverage_period"] = f.preset if f.preset in presets else DEFAULT_PRESET
    preset = st.selectbox(
        t("period", lang), presets, key="coverage_period", format_func=lambda p: t(p, lang)
    )
    start, end = period_bounds(preset, ctx.as_of)
    st.caption(t("coverage_all_plants", lang, plants=current_scope().describe(lang)))
    names = ["oee_loss_unknown", "planned_busy_hours"]
    cover = data.kpi_frame(key, names, {}, by=("equipment",), start=start, end=end, lang=lang)
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
