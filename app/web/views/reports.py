"""Reports & alerts: the scheduled reports with their next run (and the definitions refused,
with file and key), run one now with a preview and downloads, what is not delivered yet or
was given up (with the reason), delivery history, alert rules, open alerts with an
acknowledge button (also reached from the ack link in alert messages), and alert history."""

from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import streamlit as st

from app.reports.alerts import acknowledge, load_rules
from app.reports.definitions import load_channels, load_contacts, read_reports
from app.reports.delivery import Deliverer
from app.reports.email_body import STATUS_DOT
from app.reports.runner import default_out_dir, run_report, run_status
from app.reports.state import StateStore, state_path
from app.web import data
from app.web.sidebar import context
from app.web.widgets import display_table
from metrics.i18n import t
from warehouse.config import ConfigError

ctx = context()
lang = ctx.lang


def show(rows: list[dict]) -> None:
    if rows:
        display_table(pl.DataFrame(rows, infer_schema_length=None), lang)
    else:
        st.caption(t("nothing_yet", lang))


build_file = data.build_file()
state = StateStore(state_path(build_file))
st.title(t("page_reports", lang))

token = st.query_params.get("ack")
if token:
    try:
        alert = acknowledge(state, token, by=st.query_params.get("by", "link"))
        st.success(f"{t('acknowledged', lang)}: {alert['rule']} · {alert['entity']}")
    except KeyError as error:
        st.error(str(error.args[0]))


def status_word(status: str) -> str:
    return t(f"delivery_status_{status}", lang)


try:
    files = read_reports()
except ConfigError as error:  # the registry itself
    st.error(t("config_refused", lang, error=error))
    st.stop()
reports = files.reports
try:
    rules = load_rules()
except ConfigError as error:
    st.error(t("config_refused", lang, error=error))
    rules = []

st.subheader(t("scheduled_reports", lang))
for refused in files.refused:
    st.error(t("definition_refused", lang, error=refused))
listing = []
for report in reports.values():
    upcoming = report.next_fire(datetime.now().astimezone())
    last = state.last_run(report.name)
    listing.append(
        {
            "name": report.name,
            t("report", lang): report.title[lang],
            "period": report.period,
            "burst": report.burst_per or "",
            "schedule": f"{report.cron or ''} {report.timezone}",
            t("next_run", lang): upcoming.strftime("%Y-%m-%d %H:%M %Z") if upcoming else "",
            "last": f"{last['period']} {status_word(run_status(state, last))}" if last else "",
        }
    )
show(listing)

st.subheader(t("run_now", lang))
if reports:
    cols = st.columns(4)
    name = cols[0].selectbox(
        t("report", lang), list(reports), format_func=lambda n: reports[n].title[lang]
    )
    report = reports[name]
    slice_key = cols[1].selectbox(t("slice", lang), list(report.audiences))
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
        with st.spinner("…"):
            results = run_report(
                report,
                as_of,
                data.cursor(ctx.key),
                default_out_dir(build_file),
                send=send,
                state=state if send else None,
                deliverer=deliverer,
                contacts=contacts,
                slices=[slice_key],
                resend=True,
            )
        st.session_state["report_preview"] = [
            (r.status, r.failures, r.not_sent, [str(f) for f in r.files]) for r in results
        ]
    for status, failures, not_sent, paths in st.session_state.get("report_preview", []):
        (st.error if status in ("retrying", "given_up") else st.info)(
            status_word(status) + (f": {'; '.join(failures)}" if failures else "")
        )
        if status == "retrying":
            st.caption(t("retry_promise", lang))
        if not_sent:
            st.caption(t("not_sent_channels", lang, channels=", ".join(not_sent)))
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
for heading, shown in (
    ("given_up_deliveries", ("given_up",)),
    ("retrying_deliveries", ("pending", "sending", "retrying")),
):
    st.subheader(t(heading, lang))
    show(
        [
            {
                "label": row.label,
                "channel": t(f"channel_{row.channel}", lang),
                "target": row.target,
                "status": status_word(row.status),
                "attempts": row.attempts,
                "next_attempt_at": row.next_attempt_at if row.status != "given_up" else None,
                "deadline": row.deadline,
                "last_error": row.last_error or "",
            }
            for row in unsent
            if row.status in shown
        ]
    )
fires = state.failed_fires()
if fires:
    st.subheader(t("failed_fires", lang))
    show(
        [
            {
                "report": row["report"],
                "fire": datetime.fromisoformat(row["fire"]),
                "status": status_word(row["status"]),
                "attempts": row["attempts"],
                "deadline": datetime.fromisoformat(row["deadline"]),
                "last_error": row["last_error"] or "",
            }
            for row in fires
        ]
    )

st.subheader(t("delivery_history", lang))
runs = state.recent_runs(50)
show(
    [
        {
            **{k: r[k] for k in ("report", "slice", "period", "lang", "finished_at")},
            "status": status_word(run_status(state, r)),
        }
        for r in runs
    ]
)

st.subheader(t("alert_rules", lang))
show(
    [
        {
            "name": r.name,
            "metric": data.metric(r.metric).label(lang),
            "scope": ", ".join(r.scope),
            "condition": r.condition.describe(),
            "grain": r.grain,
            "owner": r.role(),
            "ack_minutes": r.ack_timeout_minutes,
        }
        for r in rules
    ]
)

st.subheader(t("open_alerts", lang))
open_alerts = state.open_alerts()
if not open_alerts:
    st.caption(t("nothing_yet", lang))
for alert in open_alerts:
    left, right = st.columns([5, 1])
    dot = STATUS_DOT["amber" if alert["acked_at"] else "red"]
    left.markdown(
        f"{dot} **{alert['rule']}** · {alert['entity']} · {alert['period']} — "
        f"{alert['message']} ({t('owner', lang)}: {alert['role']}, "
        f"{t('alert_level', lang, level=alert['level'])})"
    )
    if alert["acked_at"]:
        right.caption(f"{t('acknowledged', lang)} {alert['acked_by'] or ''}")
    elif right.button(t("acknowledge", lang), key=f"ack_{alert['token']}"):
        acknowledge(state, alert["token"], by="app")
        st.rerun()

st.subheader(t("alert_history", lang))
show(
    [
        {k: h[k] for k in ("at", "rule", "entity", "event", "message", "contact")}
        for h in state.history(limit=200)
    ]
)
state.close()
