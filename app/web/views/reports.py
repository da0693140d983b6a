"""Reports & alerts: the scheduled reports with their next run (and the definitions refused,
with file and key), run one now with a preview and downloads, what is not delivered yet or
was given up (with the reason), delivery history, alert rules, open alerts with an
acknowledge button (also reached from the ack link in alert messages), and alert history.

Everything is the signed-in user's: only the report copies and alerts of their plants are
listed (app/reports/access.py), the Run button only for copies their role may run, the
Acknowledge button only for alerts their role may acknowledge; every run and ack is audited
as them."""

from datetime import date, datetime, timedelta
from html import escape
from pathlib import Path

import polars as pl
import streamlit as st

from app.accounts.plants import warehouse_plants
from app.reports.access import (
    Caller,
    Refused,
    delivery_visible,
    report_visible,
    run_visible,
)
from app.reports.alerts import acknowledge, alert_history, load_rules, may_acknowledge, open_alerts
from app.reports.definitions import load_channels, load_contacts, read_reports
from app.reports.delivery import Deliverer
from app.reports.runner import default_out_dir, run_report, run_status
from app.reports.state import StateStore, state_path
from app.web import data, session
from app.web.cron_words import describe_cron
from app.web.plant_locale import moment_text
from app.web.reports_text import (
    Names,
    condition_text,
    delivery_label,
    entity_text,
    event_text,
    grain_text,
    message_text,
    period_text,
)
from app.web.sidebar import context
from app.web.widgets import display_table
from metrics.colours import BAD, WARN
from metrics.i18n import join, t
from warehouse.config import ConfigError

ctx = context()
lang, zone = ctx.lang, ctx.timezone
user = session.current_user()
scope = session.current_scope()
names = Names(
    {
        "plant": data.label_map(data.plants(ctx.key), "plant_id", lang),
        "line": data.label_map(data.lines(ctx.key), "line_id", lang),
        "equipment": data.label_map(data.equipment(ctx.key), "equipment_id", lang),
    }
)
DOTS = {"open": BAD, "acknowledged": WARN}  # a coloured circle: no emoji font needed


def show(rows: list[dict]) -> None:
    if rows:
        display_table(pl.DataFrame(rows, infer_schema_length=None), lang)
    else:
        st.caption(t("nothing_yet", lang))


def status_word(status: str) -> str:
    return t(f"delivery_status_{status}", lang)


def when(moment: object) -> str:
    """A moment in the user's plants' time zone (UTC, said so, when they have several)."""
    return moment_text(moment, lang, zone)  # type: ignore[arg-type]


def plants_text(plants: tuple[str, ...] | list[str] | None) -> str:
    if not plants:
        return t("scope_all_plants", lang)
    return join((names.of("plant", plant) for plant in plants), lang)


def dimension_text(dimension: str | None) -> str:
    return data.registry().dimension(dimension).label(lang) if dimension else ""


def dot(state: str) -> str:
    colour = DOTS[state]
    word = escape(t(f"alert_state_{state}", lang))
    return f'<span style="color:{colour}" title="{word}" aria-label="{word}">&#9679;</span>'


build_file = data.build_file()
state = StateStore(state_path(build_file))
caller = Caller.signed_in(user, state.path) if user is not None else None
st.title(t("page_reports", lang))
if caller is None:  # the entry script signs in first; a page opened without it shows nothing
    st.stop()
if not scope.is_all:
    st.caption(t("reports_yours", lang, plants=scope.describe(lang)))

token = st.query_params.get("ack")  # the link in an alert's message
if token:
    del st.query_params["ack"]  # acknowledged once, not again on every rerun
    try:
        alert = acknowledge(state, token, caller)
        entity = entity_text(alert["entity"], names, lang)
        st.success(t("acknowledged_alert", lang, rule=alert["rule"], entity=entity))
    except Refused as refusal:
        st.error(refusal.text(lang))

try:
    files = read_reports(None, warehouse_plants(build_file))
except ConfigError as error:  # the registry itself
    st.error(t("config_refused", lang, error=error))
    st.stop()
reports = files.reports
mine = {name: report for name, report in reports.items() if report_visible(report, scope)}
try:
    rules = load_rules()
except ConfigError as error:
    st.error(t("config_refused", lang, error=error))
    rules = []
metric_of = {rule.name: data.metric(rule.metric) for rule in rules}
runs = [r for r in state.recent_runs(500) if run_visible(reports, r["report"], r["slice"], scope)]

st.subheader(t("scheduled_reports", lang))
if scope.is_all:  # a refused file may name any plant: shown to those who see every plant
    for refused in files.refused:
        st.error(t("definition_refused", lang, error=refused))
listing = []
for report in mine.values():
    upcoming = report.next_fire(datetime.now().astimezone())
    last = next((r for r in runs if r["report"] == report.name), None)
    schedule = t("src_on_demand", lang)
    if report.cron:
        schedule = f"{describe_cron(report.cron, lang)} ({report.timezone})"
    next_run = ""
    if upcoming:  # in the report's own time zone, as its schedule says
        next_run = moment_text(upcoming, lang, report.timezone)
        if report.timezone != zone:
            next_run += f" ({report.timezone})"
    listing.append(
        {
            "name": report.name,
            t("report", lang): report.title.get(lang) or report.title_in("en"),
            "plants": plants_text(report.plants),
            "period": t(f"report_period_{report.period}", lang),
            "burst": dimension_text(report.burst_per),
            "schedule": schedule,
            t("next_run", lang): next_run,
            "last": (
                f"{period_text(last['period'], lang)} {status_word(run_status(state, last))}"
                if last
                else ""
            ),
        }
    )
show(listing)

st.subheader(t("run_now", lang))
runnable = {
    name: [key for key in report.audiences if caller.may_run(report, key)]
    for name, report in mine.items()
}
runnable = {name: keys for name, keys in runnable.items() if keys}
if not runnable:
    role = t(f"role_{user.role.value}", lang)
    st.caption(t("reports_run_none", lang, role=role, plants=scope.describe(lang)))
else:
    cols = st.columns(4)
    name = cols[0].selectbox(
        t("report", lang),
        list(runnable),
        format_func=lambda n: reports[n].title.get(lang) or reports[n].title_in("en"),
    )
    report = reports[name]
    slice_key = cols[1].selectbox(
        t("slice", lang),
        runnable[name],
        format_func=lambda k: t("scope_all_plants", lang) if k == "all" else names.of("plant", k),
    )
    as_of = cols[2].date_input(
        t("report_as_of", lang),
        value=ctx.as_of + timedelta(days=1),
        max_value=date.today() + timedelta(days=1),
    )
    send = cols[3].toggle(t("send_to_recipients", lang), value=False)
    if st.button(t("run_report", lang), type="primary"):
        try:
            deliverer = Deliverer(load_channels(), state) if send else None
            contacts = load_contacts() if send else None
        except ConfigError as error:
            st.error(t("config_refused", lang, error=error))
            st.stop()
        with st.spinner(t("report_running", lang)):
            results = run_report(
                report,
                as_of,
                data.cursor(ctx.key),
                default_out_dir(build_file),
                caller=caller,
                send=send,
                state=state if send else None,
                deliverer=deliverer,
                contacts=contacts,
                slices=[slice_key],
                resend=True,
            )
        st.session_state["report_preview"] = [
            (
                r.status,
                r.refusal.text(lang) if r.refusal else None,
                r.failures,
                r.not_sent,
                [w.text(lang) for w in r.withheld],
                [str(f) for f in r.files],
            )
            for r in results
        ]
    preview = st.session_state.get("report_preview", [])
    for status, refusal, failures, not_sent, withheld, paths in preview:
        if refusal:
            st.error(refusal)
            continue
        (st.error if status in ("retrying", "given_up") else st.info)(
            status_word(status) + (f": {'; '.join(failures)}" if failures else "")
        )
        if status == "retrying":
            st.caption(t("retry_promise", lang))
        if not_sent:
            st.caption(t("not_sent_channels", lang, channels=", ".join(not_sent)))
        if withheld:
            st.caption(t("withheld_recipients", lang, recipients="; ".join(withheld)))
        buttons = st.columns(4)
        for column, path in zip(
            buttons, [Path(f) for f in paths if f.endswith((".pdf", ".xlsx"))], strict=False
        ):
            if path.exists():
                column.download_button(
                    f"{t('download_file', lang)} {path.suffix[1:].upper()}",
                    path.read_bytes(),
                    file_name=path.name,
                )
        pdf = next((Path(f) for f in paths if f.endswith(".pdf")), None)
        if pdf and pdf.exists():
            try:
                st.pdf(pdf.read_bytes(), height=600)
            except Exception:  # noqa: BLE001 - the viewer component is optional
                st.caption(pdf.name)

unsent = state.unsent()
subjects = state.delivery_subjects(row.id for row in unsent)
unsent = [row for row in unsent if delivery_visible(reports, subjects.get(row.id), scope)]
for heading, shown in (
    ("given_up_deliveries", ("given_up",)),
    ("retrying_deliveries", ("pending", "sending", "retrying")),
):
    st.subheader(t(heading, lang))
    show(
        [
            {
                "label": delivery_label(row.label, names, lang),
                "channel": t(f"channel_{row.channel}", lang),
                "target": row.target,
                "status": status_word(row.status),
                "attempts": row.attempts,
                "next_attempt_at": when(row.next_attempt_at) if row.status != "given_up" else "",
                "deadline": when(row.deadline),
                "last_error": row.last_error or "",
            }
            for row in unsent
            if row.status in shown
        ]
    )
fires = [row for row in state.failed_fires() if row["report"] in mine or scope.is_all]
if fires:
    st.subheader(t("failed_fires", lang))
    show(
        [
            {
                "report": row["report"],
                "fire": when(row["fire"]),
                "status": status_word(row["status"]),
                "attempts": row["attempts"],
                "deadline": when(row["deadline"]),
                "last_error": row["last_error"] or "",
            }
            for row in fires
        ]
    )

st.subheader(t("delivery_history", lang))
show(
    [
        {
            "report": r["report"],
            "slice": r["slice"],
            "period": period_text(r["period"], lang),
            "lang": t("language_name", r["lang"]) if r["lang"] else "",
            "finished_at": when(r["finished_at"]),
            "status": status_word(run_status(state, r)),
        }
        for r in runs[:50]
    ]
)

st.subheader(t("alert_rules", lang))
show(
    [
        {
            "name": r.name,
            "metric": data.metric(r.metric).label(lang),
            "scope": join((dimension_text(d) for d in r.scope), lang),
            "condition": condition_text(r.condition, data.metric(r.metric), lang),
            "grain": grain_text(data.registry(), r.grain, lang),
            "owner": r.role(),
            "ack_minutes": r.ack_timeout_minutes,
        }
        for r in rules
    ]
)

st.subheader(t("open_alerts", lang))
listed = open_alerts(state, scope)
if not listed:
    st.caption(t("nothing_yet", lang))
for alert in listed:
    left, right = st.columns([5, 1])
    entity = entity_text(alert["entity"], names, lang)
    period = period_text(alert["period"], lang)
    found = message_text(
        alert["message"], alert["entity"], metric_of.get(alert["rule"]), names, lang
    )
    owner = f"{t('owner', lang)}{t('label_separator', lang)}{alert['role']}"
    level = t("alert_level", lang, level=alert["level"])
    tail = t("alert_owner_level", lang, owner=owner, level=level)
    left.markdown(
        f"{dot('acknowledged' if alert['acked_at'] else 'open')} "
        f"**{escape(alert['rule'])}** · {escape(entity)} · {escape(period)} — "
        f"{escape(found)} {escape(tail)}",
        unsafe_allow_html=True,
    )
    if alert["acked_at"]:
        right.caption(t("acknowledged_by", lang, who=alert["acked_by"] or ""))
    elif not may_acknowledge(caller, alert):
        right.caption(t("ack_not_yours", lang))
    elif right.button(t("acknowledge", lang), key=f"ack_{alert['token']}"):
        try:
            acknowledge(state, alert["token"], caller)
        except Refused as refusal:
            st.error(refusal.text(lang))
        else:
            st.rerun()

st.subheader(t("alert_history", lang))
show(
    [
        {
            "at": when(h["at"]),
            "rule": h["rule"],
            "entity": entity_text(h["entity"], names, lang),
            "event": event_text(h["event"], lang),
            "message": message_text(
                h["message"], h["entity"], metric_of.get(h["rule"]), names, lang
            ),
            "contact": h["contact"] or "",
        }
        for h in alert_history(state, scope, limit=200)
    ]
)
state.close()
