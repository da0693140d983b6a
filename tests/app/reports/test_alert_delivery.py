"""Alert notifications through the durable outbox, with a real SMTP server that goes down and
a real webhook server: the fired, escalated and cleared messages of an SMTP outage arrive
once each after recovery, in order; past their deadline (24 hours) they are given up and the
contact is told on the channel that still works, once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from app.reports.definitions import load_channels
from app.reports.delivery import Deliverer
from app.reports.state import StateStore
from tests.app.reports.conftest import BREACHED_DAY, FINE_DAY, evaluate_on


def _tick(folder: Path, state: StateStore, clock) -> list:  # noqa: ANN001
    """What each scheduler tick does with the outbox."""
    return Deliverer(load_channels(folder), state, clock=clock).deliver_due()


def test_fired_escalated_and_cleared_survive_an_smtp_outage(
    marts_file, alert_config, tmp_path, clock, smtp, webhooks
) -> None:
    state = StateStore(tmp_path / "state.sqlite")
    smtp.down()
    fired = evaluate_on(marts_file, alert_config, state, clock, BREACHED_DAY)
    assert [(e["event"], e["contact"]) for e in fired] == [("fired", "Wang Wei")]
    assert len(webhooks.accepted("wecom")) == 1  # the robot is told at once
    clock.advance(minutes=61)
    escalated = evaluate_on(marts_file, alert_config, state, clock, BREACHED_DAY)
    assert [(e["event"], e["contact"]) for e in escalated] == [("escalated", "Li Na")]
    clock.advance(minutes=10)
    cleared = evaluate_on(marts_file, alert_config, state, clock, FINE_DAY)
    assert [(e["event"], e["contact"]) for e in cleared] == [("cleared", "Li Na")]
    mails = [r for r in state.outbox(kind="alert") if r.channel == "email"]
    assert [(r.label, r.target, r.status) for r in mails] == [
        ("oee_low · plant=SZ · fired", "owner@example.com", "retrying"),
        ("oee_low · plant=SZ · escalated", "boss@example.com", "retrying"),
        ("oee_low · plant=SZ · cleared", "boss@example.com", "retrying"),
    ]
    assert [r.alert_event_id for r in mails] == [e[0]["id"] for e in (fired, escalated, cleared)]
    assert smtp.messages == []

    clock.advance(hours=2)
    smtp.up()
    sent = _tick(alert_config, state, clock)
    assert [a.status for a in sent] == ["sent", "sent", "sent"]
    assert [(m["to"], m["message"]["Subject"]) for m in smtp.messages] == [
        (["owner@example.com"], "[Andon] 告警：设备综合效率 · 苏州工厂"),
        (["boss@example.com"], "[Andon] 已升级：设备综合效率 · 苏州工厂"),
        (["boss@example.com"], "[Andon] 已恢复：设备综合效率 · 苏州工厂"),
    ]
    clock.advance(hours=1)
    assert _tick(alert_config, state, clock) == []
    assert len(smtp.messages) == 3 and len(webhooks.by("wecom")) == 1
    assert {r.status for r in state.outbox()} == {"sent"}


def test_a_notification_given_up_tells_the_contact_on_the_other_channel_once(
    marts_file, alert_config, tmp_path, clock, smtp, webhooks
) -> None:
    state = StateStore(tmp_path / "state.sqlite")
    smtp.down()
    (fired,) = evaluate_on(marts_file, alert_config, state, clock, BREACHED_DAY)
    (mail,) = [r for r in state.outbox() if r.channel == "email"]
    assert mail.deadline == clock() + timedelta(hours=24)
    for _ in range(6):  # a day of ticks, every 4 hours
        clock.advance(hours=4)
        _tick(alert_config, state, clock)
    (mail,) = [r for r in state.outbox() if r.channel == "email"]
    assert (mail.status, mail.attempts) == ("given_up", 7)
    (notice,) = state.outbox(kind="given_up")
    assert (notice.channel, notice.target, notice.status) == ("webhook", "wecom", "sent")
    posts = [p["body"]["markdown"]["content"] for p in webhooks.by("wecom")]
    assert len(posts) == 2  # the alert itself, then the notice that its e-mail never arrived
    # the notice names what did not arrive as its reader saw it: in Chinese, by name
    assert posts[1].splitlines()[0] == "### [Andon] 未送达：告警：设备综合效率 · 苏州工厂"
    smtp.up()
    clock.advance(hours=4)
    assert _tick(alert_config, state, clock) == []
    assert smtp.messages == [] and len(webhooks.by("wecom")) == 2
    assert state.open_alerts()[0]["token"] == fired["token"]
