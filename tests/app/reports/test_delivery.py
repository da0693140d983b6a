"""Scheduled delivery through a real SMTP server and a real HTTP server: once per period,
not again after a restart, missed runs caught up, failing endpoints retried and logged."""

from __future__ import annotations

from pathlib import Path

from app.reports.scheduler import Scheduler
from app.reports.state import StateStore


def _scheduler(marts_file: Path, config: Path, tmp_path: Path, clock) -> Scheduler:  # noqa: ANN001
    state = StateStore(tmp_path / "state.sqlite")
    return Scheduler(
        marts_file,
        state,
        tmp_path / "out",
        config,
        clock=clock,
        sleep=lambda s: None,
        log=lambda line: None,
    )


def test_scheduled_run_delivers_once_and_restart_does_not_resend(
    marts_file, config, tmp_path, clock, smtp, webhooks
) -> None:
    scheduler = _scheduler(marts_file, config, tmp_path, clock)
    assert scheduler.tick() == []  # first start: remembers now, sends nothing
    clock.advance(days=1)  # past 07:30 Shanghai on 2026-10-07
    results = scheduler.tick()
    assert [(r.slice_key, r.period, r.status) for r in results] == [
        ("SZ", "2026-10-06", "delivered"),
        ("DG", "2026-10-06", "delivered"),
    ]
    assert sorted(m["to"][0] for m in smtp.messages) == ["dg@example.com", "sz@example.com"]
    sz = next(m["message"] for m in smtp.messages if m["to"] == ["sz@example.com"])
    assert "工厂每日KPI日报" in sz["Subject"] and "苏州工厂" in sz["Subject"]
    names = [part.get_filename() for part in sz.iter_attachments()]
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["csv", "csv", "pdf", "xlsx"]
    html = sz.get_body(("html",)).get_content()
    assert "设备综合效率" in html and "53.8%" in html
    assert sorted(p["kind"] for p in webhooks.posts) == ["dingtalk", "feishu", "json", "wecom"]
    assert all(p["verified"] for p in webhooks.posts)  # DingTalk and Feishu signatures
    wecom = webhooks.by("wecom")[0]["body"]
    assert wecom["msgtype"] == "markdown" and "设备综合效率" in wecom["markdown"]["content"]
    assert "http://andon.test:8501/reports?run=" in wecom["markdown"]["content"]
    assert webhooks.by("dingtalk")[0]["body"]["msgtype"] == "markdown"
    assert webhooks.by("feishu")[0]["body"]["msg_type"] == "interactive"
    assert webhooks.by("json")[0]["body"]["slice"] == "DG"

    assert scheduler.tick() == []  # same moment again: nothing due
    scheduler.state.close()
    restarted = _scheduler(marts_file, config, tmp_path, clock)
    clock.advance(minutes=5)
    assert restarted.tick() == []
    assert len(smtp.messages) == 2 and len(webhooks.posts) == 4
    # Running the same period by hand with --send does not resend either.
    from app.reports.definitions import load_report
    from app.reports.runner import run_report

    con = __import__("duckdb").connect(str(marts_file), read_only=True)
    again = run_report(
        load_report("daily_plant_kpis", config),
        __import__("datetime").date(2026, 10, 7),
        con,
        tmp_path / "out",
        send=True,
        state=restarted.state,
        deliverer=restarted.deliverer(),
    )
    con.close()
    assert {r.status for r in again} == {"skipped"}
    assert len(smtp.messages) == 2


def test_missed_runs_are_caught_up(marts_file, config, tmp_path, clock, smtp) -> None:
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


def test_failing_endpoint_is_retried_then_reported(
    marts_file, config, tmp_path, clock, smtp, webhooks
) -> None:
    webhooks.fail.add("wecom")
    scheduler = _scheduler(marts_file, config, tmp_path, clock)
    scheduler.tick()
    clock.advance(days=1)
    results = {r.slice_key: r for r in scheduler.tick()}
    assert results["SZ"].status == "failed" and results["SZ"].failures == ["webhook wecom"]
    assert results["DG"].status == "delivered"
    assert len(webhooks.by("wecom")) == 3  # the policy's three attempts
    failed = scheduler.state.deliveries(results["SZ"].run_id, failed_only=True)
    assert [f["attempt"] for f in failed] == [3, 2, 1]
    assert all("HTTP 500" in f["error"] for f in failed)
    run = scheduler.state.run("daily_plant_kpis", "SZ", "2026-10-06")
    assert run["status"] == "failed"
    # Once the endpoint recovers, a re-run sends only what did not arrive.
    webhooks.fail.clear()
    from datetime import date

    import duckdb

    from app.reports.definitions import load_report
    from app.reports.runner import run_report

    con = duckdb.connect(str(marts_file), read_only=True)
    again = run_report(
        load_report("daily_plant_kpis", config),
        date(2026, 10, 7),
        con,
        tmp_path / "out",
        send=True,
        state=scheduler.state,
        deliverer=scheduler.deliverer(),
        slices=["SZ"],
    )
    con.close()
    assert again[0].status == "delivered"
    assert len(webhooks.by("wecom")) == 4 and len(webhooks.by("dingtalk")) == 1
    assert len([m for m in smtp.messages if m["to"] == ["sz@example.com"]]) == 1
