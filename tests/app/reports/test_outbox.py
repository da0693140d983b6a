"""The durable outbox across processes: a scheduler killed (SIGKILL) while a delivery is being
retried loses nothing and duplicates nothing once restarted; the one remaining window (killed
after the server took a message, before "sent" was recorded) resends with the same
Message-ID; two processes never send one row twice; and the file outbox the demo uses
writes each message once, with nothing queued for channels nobody configured."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import yaml

from app.reports import deliver_email
from app.reports.definitions import load_channels
from app.reports.delivery import LEASE, About, Deliverer
from app.reports.scheduler import Scheduler
from app.reports.state import StateStore
from tests.app.reports.conftest import Clock, csv_only

ROOT = Path(__file__).resolve().parents[3]
T = datetime(2026, 10, 7, 0, 0, tzinfo=UTC)  # after the 07:30 Shanghai fire of 2026-10-07

# The scheduler as `andon scheduler` runs it, with a clock that runs ten minutes a second.
SCHEDULER = """
import sys, time
from datetime import datetime, timedelta
from pathlib import Path
from app.reports.scheduler import Scheduler
from app.reports.state import StateStore
build, config, state, out = map(Path, sys.argv[1:5])
start, began = datetime.fromisoformat(sys.argv[5]), time.monotonic()
clock = lambda: start + timedelta(seconds=(time.monotonic() - began) * 600)
Scheduler(build, StateStore(state), out, config, clock=clock, log=print).serve(poll_s=0.05)
"""


def _wait_for(condition, timeout_s: float = 60.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the scheduler process did not get there in time"
        time.sleep(0.05)


def test_a_scheduler_killed_mid_retry_and_restarted_loses_and_duplicates_nothing(
    marts_file, config, tmp_path, smtp, webhooks
) -> None:
    csv_only(config)
    state_file = tmp_path / "state.sqlite"
    seed = StateStore(state_file)
    seed.set_last_fire("daily_plant_kpis", T - timedelta(days=1))
    seed.close()
    smtp.down()
    log = (tmp_path / "scheduler.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", SCHEDULER, str(marts_file), str(config), str(state_file)]
        + [str(tmp_path / "out"), T.isoformat()],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    watch = StateStore(state_file)

    def retrying() -> bool:
        rows = watch.outbox()
        mails = [r for r in rows if r.channel == "email"]
        posts = [r for r in rows if r.channel == "webhook"]
        return (
            len(mails) == 2
            and all(r.attempts >= 2 and r.status in ("retrying", "sending") for r in mails)
            and len(posts) == 4
            and all(r.status == "sent" for r in posts)
        )

    try:
        _wait_for(retrying)
    finally:
        process.kill()  # SIGKILL: no clean-up of any kind
        process.wait()
        log.close()
    assert process.returncode == -9
    assert smtp.messages == [] and len(webhooks.posts) == 4
    assert watch.rows("select status from fires") == [{"status": "done"}]
    watch.close()

    smtp.up()
    state = StateStore(state_file)
    # whatever the killed process left (a retry time, or a lease if it died mid-attempt)
    clock = Clock(max(r.next_attempt_at for r in state.outbox()))
    restarted = Scheduler(
        marts_file, state, tmp_path / "out", config, clock=clock, log=lambda line: None
    )
    assert restarted.tick() == []  # nothing re-rendered or re-queued
    assert sorted(m["to"][0] for m in smtp.messages) == ["dg@example.com", "sz@example.com"]
    assert {r.status for r in state.outbox()} == {"sent"}
    clock.advance(hours=1)
    restarted.tick()
    assert len(smtp.messages) == 2 and len(webhooks.posts) == 4
    assert len(state.rows("select * from runs")) == 2


def _deliverer(config: Path, state: StateStore, clock: Clock) -> Deliverer:
    return Deliverer(load_channels(config), state, clock=clock)


def _one_mail(deliverer: Deliverer, clock: Clock) -> None:
    about = About(
        kind="report",
        key="report|plant_oee|all|2026-10-06",
        label="plant_oee · all · 2026-10-06",
        deadline=clock() + timedelta(hours=1),
    )
    items = deliverer.email(about, ["a@example.com"], "OEE", "<p>OEE</p>", "OEE")
    deliverer.state.enqueue(items, clock())


def test_killed_after_the_server_took_a_message_it_is_resent_with_the_same_message_id(
    config, tmp_path, smtp, clock
) -> None:
    """The at-least-once window the README states: the copy is a duplicate a mail system
    can recognise (same Message-ID), sent only after the lease of the dead process ran out."""
    state = StateStore(tmp_path / "state.sqlite")
    deliverer = _deliverer(config, state, clock)
    _one_mail(deliverer, clock)
    (row,) = state.due_deliveries(clock())
    assert state.claim_delivery(row.id, clock(), clock() + LEASE)
    deliverer.send(row)  # the server has it; the process dies before recording "sent"
    state.close()

    state = StateStore(tmp_path / "state.sqlite")
    restarted = _deliverer(config, state, clock)
    assert restarted.deliver_due() == []  # the dead process's lease still holds
    clock.advance(seconds=LEASE.total_seconds())
    (attempt,) = restarted.deliver_due()
    assert attempt.status == "sent"
    (sent,) = state.outbox()
    assert (sent.status, sent.attempts) == ("sent", 2)
    ids = [m["message"]["Message-ID"] for m in smtp.messages]
    assert ids == [deliver_email.message_id(row.key)] * 2
    assert restarted.deliver_due() == [] and len(smtp.messages) == 2


def test_two_processes_never_send_one_row_twice(config, tmp_path, smtp, clock) -> None:
    first = StateStore(tmp_path / "state.sqlite")
    second = StateStore(tmp_path / "state.sqlite")  # another process on the same file
    _one_mail(_deliverer(config, first, clock), clock)
    (seen,) = second.due_deliveries(clock())  # both see the row as due
    assert [a.status for a in _deliverer(config, first, clock).deliver_due()] == ["sent"]
    assert not second.claim_delivery(seen.id, clock(), clock() + LEASE)
    assert _deliverer(config, second, clock).deliver_due() == []
    assert len(smtp.messages) == 1


def test_the_file_outbox_gets_each_mail_once_and_unconfigured_channels_nothing(
    marts_file, config, tmp_path, clock
) -> None:
    csv_only(config)
    channels = {
        "email": {"host": "", "sender": "andon@example.com"},  # no SMTP server, as in the demo
        "outbox_folder": "outbox",
        "webhooks": {name: {"kind": name, "url": ""} for name in ("wecom", "dingtalk")}
        | {"feishu": {"kind": "feishu", "url": ""}, "json": {"kind": "json", "url": ""}},
    }
    (config / "channels.yaml").write_text(yaml.safe_dump(channels), encoding="utf-8")
    state = StateStore(tmp_path / "state.sqlite")
    scheduler = Scheduler(marts_file, state, tmp_path / "out", config, clock=clock, log=print)
    scheduler.tick()
    clock.advance(days=1)
    results = scheduler.tick()
    assert [(r.slice_key, r.status, r.not_sent) for r in results] == [
        ("SZ", "delivered", ["webhook wecom (no URL)", "webhook dingtalk (no URL)"]),
        ("DG", "delivered", ["webhook feishu (no URL)", "webhook json (no URL)"]),
    ]
    rows = state.outbox()
    assert [(r.channel, r.target, r.status) for r in rows] == [
        ("file", "sz@example.com", "sent"),
        ("file", "dg@example.com", "sent"),
    ]
    folder = tmp_path / "outbox"  # beside the state file
    mails = sorted(folder.glob("*.eml"))
    assert [m.name.rsplit("_", 1)[0] for m in mails] == [
        "daily_plant_kpis_DG_2026-10-06_dg@example.com",
        "daily_plant_kpis_SZ_2026-10-06_sz@example.com",
    ]
    message = message_from_bytes(mails[1].read_bytes(), policy=policy.default)
    assert message["To"] == "sz@example.com" and "工厂每日KPI日报" in message["Subject"]
    assert message["Message-ID"] == rows[0].message["message_id"]
    beside = sorted(p.name for p in (folder / mails[1].stem).iterdir())
    assert beside == [
        "daily_plant_kpis_SZ_2026-10-06_00_kpi_summary.csv",
        "daily_plant_kpis_SZ_2026-10-06_01_oee_by_line.csv",
        "daily_plant_kpis_SZ_2026-10-06_02_oee_components_by_line.csv",
    ]
    # written again (as after a crash before "sent" was recorded): still one file each
    scheduler.deliverer().send(rows[0])
    assert sorted(folder.glob("*.eml")) == mails
    assert [p.name for p in folder.iterdir() if p.suffix == ".part"] == []
    assert state.unsent() == [] and state.deliveries(failed_only=True) == []
