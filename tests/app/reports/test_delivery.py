"""Scheduled delivery through a real SMTP server and a real HTTP server, with an injected
clock for the later ticks: once per period, not again after a restart, missed runs caught
up; an SMTP outage or a failing webhook retried on later ticks until it arrives (once), or
given up at the deadline with the report's owner told on another channel (once); a broken
definition or a failing report never keeps the others from running."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import yaml

from app.reports.access import Caller
from app.reports.definitions import load_report
from app.reports.runner import run_report, run_status
from app.reports.scheduler import Scheduler
from app.reports.state import StateStore
from tests.app.reports.conftest import DAILY, csv_only

# The clock starts 2026-10-06 00:00 UTC (08:00 in Shanghai); one day later the 07:30 fire of
# 2026-10-07 (23:30 UTC the day before) is due, for the period 2026-10-06.
T = datetime(2026, 10, 7, 0, 0, tzinfo=UTC)
NEXT_FIRE = datetime(2026, 10, 7, 23, 30, tzinfo=UTC)


def _scheduler(marts_file: Path, config: Path, tmp_path: Path, clock, log=None) -> Scheduler:  # noqa: ANN001
    return Scheduler(
        marts_file,
        StateStore(tmp_path / "state.sqlite"),
        tmp_path / "out",
        config,
        clock=clock,
        sleep=lambda s: None,
        log=log if log is not None else (lambda line: None),
    )


def _started(marts_file: Path, config: Path, tmp_path: Path, clock, log=None) -> Scheduler:  # noqa: ANN001
    """A scheduler that has seen its first tick a day before the fire is due."""
    scheduler = _scheduler(marts_file, config, tmp_path, clock, log)
    assert scheduler.tick() == []  # first start: remembers now, sends nothing
    clock.advance(days=1)
    assert clock() == T
    return scheduler


def _emails(state: StateStore) -> list[tuple[str, str, int]]:
    return [(r.target, r.status, r.attempts) for r in state.outbox() if r.channel == "email"]


def test_scheduled_run_delivers_once_and_restart_does_not_resend(
    marts_file, config, tmp_path, clock, smtp, webhooks
) -> None:
    scheduler = _started(marts_file, config, tmp_path, clock)
    results = scheduler.tick()
    assert [(r.slice_key, r.period, r.status) for r in results] == [
        ("SZ", "2026-10-06", "delivered"),
        ("DG", "2026-10-06", "delivered"),
    ]
    assert sorted(m["to"][0] for m in smtp.messages) == ["dg@example.com", "sz@example.com"]
    sz = next(m["message"] for m in smtp.messages if m["to"] == ["sz@example.com"])
    assert "工厂每日KPI日报" in sz["Subject"] and "苏州工厂" in sz["Subject"]
    names = [part.get_filename() for part in sz.iter_attachments()]
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["csv", "csv", "csv", "pdf", "xlsx"]
    assert any(n.endswith("_00_kpi_summary.csv") for n in names)  # beside the section CSVs
    html = sz.get_body(("html",)).get_content()
    assert "设备综合效率" in html and "53.8%" in html
    assert sz["Subject"] == "工厂每日KPI日报 · 苏州工厂 · 2026年10月6日"
    text = sz.get_body(("plain",)).get_content().splitlines()
    assert text[:4] == ["工厂每日KPI日报", "苏州工厂 · 统计期间：2026年10月6日", "", text[3]]
    assert text[3] == "设备综合效率：53.8%（目标 85.0% · 未达标 · 变化 -21.0个百分点）"
    assert not any(mark in line for line in text for mark in ("###", "**", "](", "- "))
    assert sorted(p["kind"] for p in webhooks.posts) == ["dingtalk", "feishu", "json", "wecom"]
    assert all(p["verified"] for p in webhooks.posts)  # DingTalk and Feishu signatures
    wecom = webhooks.by("wecom")[0]["body"]
    assert wecom["msgtype"] == "markdown" and "设备综合效率" in wecom["markdown"]["content"]
    assert "http://andon.test:8501/reports?run=" in wecom["markdown"]["content"]
    assert '**设备综合效率**：<font color="warning">53.8%</font>' in wecom["markdown"]["content"]
    dingtalk = webhooks.by("dingtalk")[0]["body"]
    assert dingtalk["msgtype"] == "markdown" and dingtalk["markdown"]["title"] == "工厂每日KPI日报"
    assert "\n\n- 🔴 **设备综合效率**：53.8%" in dingtalk["markdown"]["text"]
    card = webhooks.by("feishu")[0]["body"]  # DG's copy, in English
    assert card["msg_type"] == "interactive"
    assert card["card"]["header"]["title"]["content"] == "Daily plant KPIs"
    assert card["card"]["elements"][1]["actions"][0]["text"]["content"] == "Open the report"
    assert "Dongguan Plant · Period: 6 Oct 2026" in card["card"]["elements"][0]["content"]
    assert webhooks.by("json")[0]["body"]["slice"] == "DG"
    assert {row.status for row in scheduler.state.outbox()} == {"sent"}
    assert scheduler.state.rows("select report, status from fires") == [
        {"report": "daily_plant_kpis", "status": "done"}
    ]

    assert scheduler.tick() == []  # same moment again: nothing due
    scheduler.state.close()
    restarted = _scheduler(marts_file, config, tmp_path, clock)
    clock.advance(minutes=5)
    assert restarted.tick() == []
    assert len(smtp.messages) == 2 and len(webhooks.posts) == 4
    # Running the same period by hand with --send does not resend either.
    con = duckdb.connect(str(marts_file), read_only=True)
    again = run_report(
        load_report("daily_plant_kpis", config),
        date(2026, 10, 7),
        con,
        tmp_path / "out",
        caller=Caller.operator(restarted.state.path),
        send=True,
        state=restarted.state,
        deliverer=restarted.deliverer(),
        resend=True,
    )
    con.close()
    assert {r.status for r in again} == {"skipped"}
    assert len(smtp.messages) == 2 and len(webhooks.posts) == 4


def test_missed_runs_are_caught_up(marts_file, config, tmp_path, clock, smtp) -> None:
    csv_only(config)
    scheduler = _scheduler(marts_file, config, tmp_path, clock)
    scheduler.tick()
    clock.advance(days=3)  # down for three mornings
    results = scheduler.tick()
    periods = sorted({r.period for r in results})
    assert periods == ["2026-10-06", "2026-10-07", "2026-10-08"]
    assert {r.status for r in results} == {"delivered"}
    assert len(smtp.messages) == 6
    rows = scheduler.state.rows("select report, slice, period from runs")
    assert len(rows) == len({tuple(r.values()) for r in rows}) == 6


def test_an_smtp_outage_longer_than_the_retry_window_then_recovery(
    marts_file, config, tmp_path, clock, smtp, webhooks
) -> None:
    csv_only(config)
    scheduler = _started(marts_file, config, tmp_path, clock)
    smtp.down()
    results = {r.slice_key: r for r in scheduler.tick()}
    assert (results["SZ"].status, results["DG"].status) == ("retrying", "retrying")
    refused = "ConnectionRefusedError: [Errno 111] Connection refused"
    assert results["SZ"].failures == [f"email sz@example.com: {refused}"]
    # the second mail is not tried against a server just found down, and waits the same
    assert results["DG"].failures == [f"email dg@example.com: not tried: {refused}"]
    assert len(webhooks.posts) == 4  # the webhooks are not held up by the mail server
    state = scheduler.state
    assert _emails(state) == [("sz@example.com", "retrying", 1), ("dg@example.com", "retrying", 1)]
    assert {r.next_attempt_at for r in state.outbox() if r.channel == "email"} == {
        T + timedelta(seconds=60)
    }
    assert {r.deadline for r in state.outbox()} == {NEXT_FIRE}

    clock.advance(seconds=30)  # not due yet: nothing is attempted
    scheduler.tick()
    assert _emails(state)[0] == ("sz@example.com", "retrying", 1)
    # backoff 60 s, 120 s, 240 s, 480 s, then at most every 600 s (this config's max)
    for wait in (30, 120, 240, 480, 600):
        clock.advance(seconds=wait)
        scheduler.tick()
    assert _emails(state) == [("sz@example.com", "retrying", 6), ("dg@example.com", "retrying", 6)]
    clock.advance(hours=3)  # the outage goes on
    scheduler.tick()
    assert _emails(state) == [("sz@example.com", "retrying", 7), ("dg@example.com", "retrying", 7)]
    assert smtp.messages == []

    smtp.up()
    clock.advance(seconds=600)
    assert scheduler.tick() == []  # no new fire: the retries go out
    assert _emails(state) == [("sz@example.com", "sent", 8), ("dg@example.com", "sent", 8)]
    assert sorted(m["to"][0] for m in smtp.messages) == ["dg@example.com", "sz@example.com"]
    sz = smtp.to("sz@example.com")[0]
    assert [p.get_filename() for p in sz.iter_attachments()] == [
        "daily_plant_kpis_SZ_2026-10-06_00_kpi_summary.csv",
        "daily_plant_kpis_SZ_2026-10-06_01_oee_by_line.csv",
        "daily_plant_kpis_SZ_2026-10-06_02_oee_components_by_line.csv",
    ]
    attempts = state.deliveries(results["SZ"].run_id)
    sz_attempts = [d["ok"] for d in reversed(attempts) if d["target"] == "sz@example.com"]
    assert sz_attempts == [0, 0, 0, 0, 0, 0, 0, 1]
    run = state.run("daily_plant_kpis", "SZ", "2026-10-06")
    assert run_status(state, run) == "delivered"
    for _ in range(3):  # later ticks and a restart send nothing again
        clock.advance(minutes=30)
        scheduler.tick()
    scheduler.state.close()
    clock.advance(minutes=1)
    _scheduler(marts_file, config, tmp_path, clock).tick()
    assert len(smtp.messages) == 2 and len(webhooks.posts) == 4


def test_a_webhook_failing_for_a_while_is_delivered_once_after_recovery(
    marts_file, config, tmp_path, clock, smtp, webhooks
) -> None:
    csv_only(config)
    webhooks.fail.add("wecom")
    scheduler = _started(marts_file, config, tmp_path, clock)
    results = {r.slice_key: r for r in scheduler.tick()}
    assert results["SZ"].status == "retrying"
    assert results["SZ"].failures == [
        "webhook wecom: WebhookError: HTTP 500 from wecom: internal error"
    ]
    assert results["DG"].status == "delivered"
    state = scheduler.state

    def wecom():  # noqa: ANN202
        (row,) = [r for r in state.outbox() if r.target == "wecom"]
        return row

    assert (wecom().status, wecom().attempts) == ("retrying", 1)
    assert wecom().next_attempt_at == T + timedelta(seconds=60)
    for wait in (60, 120):
        clock.advance(seconds=wait)
        scheduler.tick()
    assert (wecom().status, wecom().attempts, len(webhooks.by("wecom"))) == ("retrying", 3, 3)
    webhooks.fail.clear()
    clock.advance(seconds=239)  # one second early: not yet
    scheduler.tick()
    assert len(webhooks.by("wecom")) == 3
    clock.advance(seconds=1)
    scheduler.tick()
    assert (wecom().status, wecom().attempts) == ("sent", 4)
    assert len(webhooks.by("wecom")) == 4 and len(webhooks.accepted("wecom")) == 1
    # every attempt carried the same idempotency key, so a receiver can drop repeats
    assert len({p["idempotency_key"] for p in webhooks.by("wecom")}) == 1
    clock.advance(hours=1)
    scheduler.tick()
    assert len(webhooks.by("wecom")) == 4
    assert [len(webhooks.accepted(k)) for k in ("dingtalk", "feishu", "json")] == [1, 1, 1]
    assert sorted(m["to"][0] for m in smtp.messages) == ["dg@example.com", "sz@example.com"]
    run = state.run("daily_plant_kpis", "SZ", "2026-10-06")
    assert run_status(state, run) == "delivered"


def test_past_the_deadline_a_delivery_is_given_up_and_its_owner_told_once(
    marts_file, config, tmp_path, clock, smtp, webhooks
) -> None:
    csv_only(config)
    scheduler = _started(marts_file, config, tmp_path, clock)
    smtp.down()
    scheduler.tick()
    state = scheduler.state
    clock.now = NEXT_FIRE - timedelta(minutes=1)
    scheduler.tick()  # the second attempt; the next one would be after the deadline
    assert {r.next_attempt_at for r in state.outbox() if r.channel == "email"} == {NEXT_FIRE}
    clock.now = NEXT_FIRE  # the last attempt, at the deadline (and the next copy is due)
    results = scheduler.tick()
    assert [(r.slice_key, r.period, r.status) for r in results] == [
        ("SZ", "2026-10-07", "retrying"),
        ("DG", "2026-10-07", "retrying"),
    ]
    old = [r for r in state.outbox(kind="report") if r.label.endswith("2026-10-06")]
    assert [(r.target, r.status, r.attempts) for r in old if r.channel == "email"] == [
        ("sz@example.com", "given_up", 3),
        ("dg@example.com", "given_up", 3),
    ]
    # SZ's owner (Production Excellence: Wang Wei, e-mail and WeCom) is told on WeCom, the
    # channel that still works; DG's (the duty desk, e-mail only) has no other channel.
    (notice,) = state.outbox(kind="given_up")
    assert (notice.channel, notice.target, notice.status) == ("webhook", "wecom", "sent")
    told = [p for p in webhooks.by("wecom") if "未送达" in p["body"]["markdown"]["content"]]
    assert len(told) == 1
    text = told[0]["body"]["markdown"]["content"].splitlines()
    # what did not arrive, as its reader knows it: the e-mail's subject (title, plant, day)
    assert text[0] == "### [Andon] 未送达：工厂每日KPI日报 · 苏州工厂 · 2026年10月6日"
    assert text[2] == (  # the error's brackets shown inert, so no text from data is a link
        "工厂每日KPI日报 · 苏州工厂 · 2026年10月6日 自 2026年10月7日 08:00 起经 3 次尝试，"
        "仍未能通过邮件发送给 sz@example.com；最后的错误：ConnectionRefusedError: ［Errno 111］ "
        "Connection refused。Andon 已停止重试；它仍列在报表页面和 `andon report status` 中。"
    )
    assert text[3] == "[打开报表页面](http://andon.test:8501/reports)"
    assert notice.message["title"] == "[Andon] 未送达：工厂每日KPI日报 · 苏州工厂 · 2026年10月6日"

    smtp.up()
    clock.advance(minutes=1)
    scheduler.tick()
    clock.advance(hours=2)
    scheduler.tick()
    # the new copies arrive once; the given-up ones are never sent; the owner told once
    subjects = sorted(m["message"]["Subject"] for m in smtp.messages)
    assert len(subjects) == 2 and all("2026" in s and "10月6日" not in s for s in subjects)
    assert [(r.target, r.status) for r in old if r.channel == "email"] == [
        ("sz@example.com", "given_up"),
        ("dg@example.com", "given_up"),
    ]
    assert len(state.outbox(kind="given_up")) == 1
    assert len([p for p in webhooks.by("wecom") if "未送达" in str(p["body"])]) == 1
    run = state.run("daily_plant_kpis", "SZ", "2026-10-06")
    assert run_status(state, run) == "given_up"
    # a manual re-run with --send sends what was given up, once
    con = duckdb.connect(str(marts_file), read_only=True)
    again = run_report(
        load_report("daily_plant_kpis", config),
        date(2026, 10, 7),
        con,
        tmp_path / "out",
        caller=Caller.operator(state.path),
        send=True,
        state=state,
        deliverer=scheduler.deliverer(),
        slices=["SZ"],
        resend=True,
    )
    con.close()
    assert [(r.period, r.status) for r in again] == [("2026-10-06", "delivered")]
    assert len(smtp.to("sz@example.com")) == 2  # the 10-06 copy, at last, and the 10-07 one
    assert len(state.outbox(kind="given_up")) == 1


def test_a_broken_definition_beside_a_good_one(
    marts_file, config, tmp_path, clock, smtp, webhooks
) -> None:
    csv_only(config)
    broken = {
        **DAILY,
        "name": "otd_by_line",
        "sections": [{"title": "OTD", "metrics": ["on_time_delivery"], "by": ["line"]}],
        "burst": None,
        "kpis": ["on_time_delivery"],
        "recipients": {"email": ["otd@example.com"]},
    }
    path = config / "otd_by_line.yaml"
    path.write_text(yaml.safe_dump(broken, sort_keys=False), encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index("  by:") + 2
    logs: list[str] = []
    scheduler = _started(marts_file, config, tmp_path, clock, logs.append)
    results = scheduler.tick()
    assert [(r.report, r.slice_key, r.status) for r in results] == [
        ("daily_plant_kpis", "SZ", "delivered"),
        ("daily_plant_kpis", "DG", "delivered"),
    ]
    refusal = (
        f"report definition refused, the others run: {path}:{line}: sections.0.by.0: "
        "metric 'on_time_delivery' cannot be grouped by 'line'"
    )
    assert logs.count(refusal) == 1  # logged once, not on every tick
    assert sorted(m["to"][0] for m in smtp.messages) == ["dg@example.com", "sz@example.com"]


def test_a_report_whose_run_raises_is_contained_and_retried(
    marts_file, config, tmp_path, clock, smtp, webhooks
) -> None:
    """A valid definition whose run fails (its fact table is missing from this build) is
    logged with its name and retried on later ticks; the other report runs."""
    csv_only(config)
    build = tmp_path / "andon.duckdb"
    shutil.copy(marts_file, build)
    con = duckdb.connect(str(build))
    con.execute("alter table marts.fct_order_lines rename to fct_order_lines_gone")
    con.close()
    otd = {
        "name": "otd",
        "period": "yesterday",
        "formats": ["csv"],
        "schedule": DAILY["schedule"],
        "kpis": ["on_time_delivery"],
        "recipients": {"email": ["otd@example.com"]},
    }
    (config / "otd.yaml").write_text(yaml.safe_dump(otd), encoding="utf-8")
    logs: list[str] = []
    scheduler = _started(build, config, tmp_path, clock, logs.append)
    results = scheduler.tick()
    assert [(r.report, r.slice_key, r.status) for r in results] == [
        ("daily_plant_kpis", "SZ", "delivered"),
        ("daily_plant_kpis", "DG", "delivered"),
    ]
    failed = [line for line in logs if line.startswith("otd fire")]
    assert len(failed) == 1
    assert failed[0].startswith(
        "otd fire 2026-10-06T23:30:00+00:00 failed, retrying at 2026-10-07T00:01:00+00:00: "
        "MetricError: The warehouse lacks a"
    )
    assert "fct_order_lines" in failed[0]
    (fire,) = scheduler.state.failed_fires()
    assert (fire["report"], fire["status"], fire["attempts"]) == ("otd", "retrying", 1)

    con = duckdb.connect(str(build))  # the next build has the table again
    con.execute("alter table marts.fct_order_lines_gone rename to fct_order_lines")
    con.close()
    clock.advance(seconds=60)
    results = scheduler.tick()
    assert [(r.report, r.slice_key, r.period, r.status) for r in results] == [
        ("otd", "all", "2026-10-06", "delivered")
    ]
    assert scheduler.state.failed_fires() == []
    assert sorted(m["to"][0] for m in smtp.messages) == [
        "dg@example.com",
        "otd@example.com",
        "sz@example.com",
    ]
