"""Reports & alerts: the scheduled reports with their next run, run one now with a preview
and downloads, delivery history with failure reasons, alert rules, open alerts with an
acknowledge button (also reached from the ack link in alert messages), and alert history."""

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st
from croniter import croniter

from app.web import data
from app.reports.alerts import acknowledge, load_rules
from app.reports.definitions import DefinitionError, load_channels, load_reports
from app.reports.delivery import Deliverer
from app.reports.email_body import STATUS_DOT
from app.reports.i18n import t as rt
from app.reports.runner import default_out_dir, run_report
from app.reports.state import StateStore, state_path
from app.web.sidebar import context
from app.web.widgets import display_table

WORDS = {
    "title": ("Reports & alerts", "报表与告警"),
    "reports": ("Scheduled reports", "定时报表"),
    "run_now": ("Run now", "立即运行"),
    "report": ("Report", "报表"),
    "slice": ("Copy", "副本"),
    "as_of": ("As of", "基准日期"),
    "send": ("Send to the recipients", "发送给收件人"),
    "run": ("Run", "运行"),
    "history": ("Delivery history", "发送记录"),
    "failures": ("Failed deliveries", "发送失败"),
    "rules": ("Alert rules", "告警规则"),
    "open": ("Open alerts", "未关闭告警"),
    "alert_history": ("Alert history", "告警历史"),
    "ack": ("Acknowledge", "确认"),
    "acked": ("Acknowledged", "已确认"),
    "none": ("Nothing here yet.", "暂无记录。"),
    "next_run": ("Next run", "下次运行"),
    "download": ("Download", "下载"),
}

ctx = context()
lang = ctx.lang


def w(key: str) -> str:
    en, zh = WORDS[key]
    return zh if lang == "zh" else en


def show(rows: list[dict]) -> None:
    if rows:
        display_table(pl.DataFrame(rows, infer_schema_length=None), lang)
    else:
        st.caption(w("none"))


build_file = data.build_file()
state = StateStore(state_path(build_file))
st.title(w("title"))

token = st.query_params.get("ack")
if token:
    try:
        alert = acknowledge(state, token, by=st.query_params.get("by", "link"))
        st.success(f"{w('acked')}: {alert['rule']} · {alert['entity']}")
    except KeyError as error:
        st.error(str(error.args[0]))

try:
    reports = load_reports()
    rules = load_rules()
except DefinitionError as error:
    st.error(str(error))
    st.stop()

st.subheader(w("reports"))
listing = []
for report in reports.values():
    upcoming = ""
    if report.cron:
        zone = ZoneInfo(report.timezone)
        upcoming = (
            croniter(report.cron, datetime.now(zone))
            .get_next(datetime)
            .strftime("%Y-%m-%d %H:%M %Z")
        )
    last = state.rows(
        "select period, status from runs where report=? order by id desc limit 1", (report.name,)
    )
    listing.append(
        {
            "name": report.name,
            w("report"): report.title[lang],
            "period": report.period,
            "burst": report.burst_per or "",
            "schedule": f"{report.cron or ''} {report.timezone}",
            w("next_run"): upcoming,
            "last": f"{last[0]['period']} {last[0]['status']}" if last else "",
        }
    )
show(listing)

st.subheader(w("run_now"))
if reports:
    cols = st.columns(4)
    name = cols[0].selectbox(
        w("report"), list(reports), format_func=lambda n: reports[n].title[lang]
    )
    report = reports[name]
    slice_key = cols[1].selectbox(w("slice"), list(report.audiences))
    as_of = cols[2].date_input(
        w("as_of"), value=ctx.as_of + timedelta(days=1), max_value=date.today() + timedelta(days=1)
    )
    send = cols[3].toggle(w("send"), value=False)
    if st.button(w("run"), type="primary"):
        deliverer = Deliverer(load_channels(), state) if send else None
        with st.spinner("…"):
            results = run_report(
                report,
                as_of,
                data.cursor(ctx.key),
                default_out_dir(build_file),
                send=send,
                state=state if send else None,
                deliverer=deliverer,
                slices=[slice_key],
            )
        st.session_state["report_preview"] = [
            (r.status, r.failures, [str(f) for f in r.files]) for r in results
        ]
    for status, failures, files in st.session_state.get("report_preview", []):
        (st.error if status == "failed" else st.info)(
            f"{status}" + (f": {'; '.join(failures)}" if failures else "")
        )
        buttons = st.columns(4)
        for column, path in zip(
            buttons, [Path(f) for f in files if f.endswith((".pdf", ".xlsx"))], strict=False
        ):
            if path.exists():
                column.download_button(
                    f"{w('download')} {path.suffix[1:].upper()}",
                    path.read_bytes(),
                    file_name=path.name,
                )
        pdf = next((Path(f) for f in files if f.endswith(".pdf")), None)
        if pdf and pdf.exists():
            try:
                st.pdf(pdf.read_bytes(), height=600)
            except Exception:  # noqa: BLE001 - the viewer component is optional
                st.caption(pdf.name)

st.subheader(w("history"))
runs = state.recent_runs(50)
show(
    [
        {k: r[k] for k in ("report", "slice", "period", "status", "lang", "finished_at")}
        for r in runs
    ]
)
st.markdown(f"**{w('failures')}**")
show(
    [
        {k: d[k] for k in ("at", "channel", "target", "attempt", "error")}
        for d in state.deliveries(failed_only=True)[:100]
    ]
)

st.subheader(w("rules"))
show(
    [
        {
            "name": r.name,
            "metric": data.metric(r.metric).label(lang),
            "scope": ", ".join(r.scope),
            "condition": r.condition + (f" {r.value}" if r.value is not None else ""),
            "grain": r.grain,
            "owner": r.role(),
            "ack (min)": r.ack_timeout_minutes,
        }
        for r in rules
    ]
)

st.subheader(w("open"))
open_alerts = state.open_alerts()
if not open_alerts:
    st.caption(w("none"))
for alert in open_alerts:
    left, right = st.columns([5, 1])
    dot = STATUS_DOT["amber" if alert["acked_at"] else "red"]
    left.markdown(
        f"{dot} **{alert['rule']}** · {alert['entity']} · {alert['period']} — "
        f"{alert['message']} ({rt('owner', lang)}: {alert['role']}, "
        f"level {alert['level']})"
    )
    if alert["acked_at"]:
        right.caption(f"{w('acked')} {alert['acked_by'] or ''}")
    elif right.button(w("ack"), key=f"ack_{alert['token']}"):
        acknowledge(state, alert["token"], by="app")
        st.rerun()

st.subheader(w("alert_history"))
show(
    [
        {k: h[k] for k in ("at", "rule", "entity", "event", "message", "contact")}
        for h in state.history(limit=200)
    ]
)
state.close()
