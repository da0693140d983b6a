"""Alerts end to end on the hand-worked marts, with a real state store, SMTP server and
webhook server: fire once per rule and entity, stay quiet while open, clear with a message,
escalate to the next contact when nobody acknowledges in time (an injected clock), stop
escalating once acknowledged — and what `andon build` calls delivers."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from app.reports.access import Caller, Refused
from app.reports.alerts import acknowledge, evaluate_alerts
from app.reports.state import StateStore
from tests.app.reports.conftest import BREACHED_DAY, FINE_DAY, evaluate_on
from tests.metrics.factory import build_warehouse


def _html(message) -> str:  # noqa: ANN001
    return message["message"].get_body(preferencelist=("html",)).get_content()


def test_alert_fires_once_stays_quiet_and_clears(
    marts_file, alert_config, tmp_path, clock, smtp, webhooks
) -> None:
    state = StateStore(tmp_path / "state.sqlite")
    events = evaluate_on(marts_file, alert_config, state, clock, BREACHED_DAY)
    assert [(e["event"], e["entity"], e["period"], e["contact"]) for e in events] == [
        ("fired", "plant=SZ", "2026-10-06", "Wang Wei")
    ]
    assert events[0]["message"] == "Suzhou Plant: OEE 53.8%, below the limit 60.0%"
    first_id = events[0]["id"]
    assert [m["to"] for m in smtp.messages] == [["owner@example.com"]]
    assert smtp.messages[0]["message"]["Subject"] == "[Andon] 告警：设备综合效率 · 苏州工厂"
    post = webhooks.by("wecom")[0]["body"]["markdown"]["content"]
    assert f"/reports?ack={events[0]['token']}" in post
    assert '**设备综合效率**：<font color="warning">53.8%</font>（低于限值 60.0%）' in post
    text = smtp.messages[0]["message"].get_body(preferencelist=("plain",)).get_content()
    assert "设备综合效率：53.8%（低于限值 60.0%）" in text and "**" not in text
    (alert,) = state.open_alerts()
    assert (alert["period"], alert["value"], alert["level"]) == ("2026-10-06", 0.5375, 0)

    clock.advance(minutes=10)
    assert evaluate_on(marts_file, alert_config, state, clock, BREACHED_DAY) == []
    assert len(smtp.messages) == 1  # no storm while it stays open

    events = evaluate_on(marts_file, alert_config, state, clock, FINE_DAY)
    assert [(e["event"], e["entity"], e["token"]) for e in events] == [
        ("cleared", "plant=SZ", None)
    ]
    assert len(smtp.messages) == 2
    assert smtp.messages[1]["message"]["Subject"] == "[Andon] 已恢复：设备综合效率 · 苏州工厂"
    assert "ack=" not in _html(smtp.messages[1])  # nothing to acknowledge once cleared
    history = [(h["event"], h["entity"]) for h in reversed(state.history("oee_low"))]
    assert history == [("fired", "plant=SZ"), ("cleared", "plant=SZ")]
    assert state.open_alerts() == []
    fired_id, cleared_id = (h["id"] for h in reversed(state.history("oee_low")))
    assert (first_id, events[0]["id"]) == (fired_id, cleared_id)
    # every delivery attempt is logged against the history row it told
    assert {d["alert_event_id"] for d in state.deliveries() if d["ok"]} == {fired_id, cleared_id}

    # Firing again later is a new alert, with a new token and a new notification.
    again = evaluate_on(marts_file, alert_config, state, clock, BREACHED_DAY)
    assert [e["event"] for e in again] == ["fired"] and len(smtp.messages) == 3
    assert again[0]["token"] != alert["token"]


def test_escalation_after_ack_timeout_and_ack_stops_it(
    marts_file, alert_config, tmp_path, clock, smtp
) -> None:
    state = StateStore(tmp_path / "state.sqlite")
    evaluate_on(marts_file, alert_config, state, clock, BREACHED_DAY)
    clock.advance(minutes=59)
    assert evaluate_on(marts_file, alert_config, state, clock, BREACHED_DAY) == []
    clock.advance(minutes=2)
    events = evaluate_on(marts_file, alert_config, state, clock, BREACHED_DAY)
    assert [(e["event"], e["contact"]) for e in events] == [("escalated", "Li Na")]
    assert smtp.messages[-1]["to"] == ["boss@example.com"]
    assert state.open_alerts()[0]["level"] == 1
    clock.advance(hours=5)  # nobody further up the chain: no more messages
    assert evaluate_on(marts_file, alert_config, state, clock, BREACHED_DAY) == []
    assert len(smtp.messages) == 2
    # clearing tells the contact last told
    cleared = evaluate_on(marts_file, alert_config, state, clock, FINE_DAY)
    assert [(e["event"], e["contact"]) for e in cleared] == [("cleared", "Li Na")]

    state2 = StateStore(tmp_path / "other.sqlite")
    fired = evaluate_on(marts_file, alert_config, state2, clock, BREACHED_DAY)
    operator = Caller.operator(tmp_path / "other.sqlite")
    acked = acknowledge(state2, fired[0]["token"], operator, by="Wang Wei", at=clock())
    assert (acked["acked_by"], acked["acked_at"]) == ("Wang Wei", "2026-10-06T06:01:00+00:00")
    again = acknowledge(state2, fired[0]["token"], operator, by="Li Na", at=clock())
    assert again["acked_by"] == "Wang Wei"  # acknowledging twice changes nothing
    clock.advance(hours=3)
    assert evaluate_on(marts_file, alert_config, state2, clock, BREACHED_DAY) == []
    assert [h["event"] for h in state2.history()] == ["acknowledged", "fired"]
    with pytest.raises(Refused, match="No alert with ack token 'nope'"):
        acknowledge(state2, "nope", operator)


@pytest.fixture
def as_of_file(tmp_path: Path) -> Path:
    """The hand-worked marts with dbt's as-of flag on 2026-10-07 (DG's newest shift day)."""
    path = build_warehouse(tmp_path / "andon.duckdb")
    con = duckdb.connect(str(path))
    con.execute("insert into marts.dim_date (date_day, is_as_of_date) values ('2026-10-07', true)")
    con.close()
    return path


def test_what_andon_build_calls_delivers(
    as_of_file, alert_config, tmp_path, smtp, monkeypatch
) -> None:
    """`andon build` calls evaluate_alerts(build_file) after publishing: the rules, contacts
    and channels of $ANDON_REPORTS, the state store of $ANDON_STATE, the as-of date of
    marts.dim_date — and the owner gets the e-mail."""
    monkeypatch.setenv("ANDON_REPORTS", str(alert_config))
    monkeypatch.setenv("ANDON_STATE", str(tmp_path / "build-state.sqlite"))
    events = evaluate_alerts(as_of_file)
    assert [(e["event"], e["period"], e["contact"]) for e in events] == [
        ("fired", "2026-10-06", "Wang Wei")
    ]
    assert [m["to"] for m in smtp.messages] == [["owner@example.com"]]
    state = StateStore(tmp_path / "build-state.sqlite")
    assert [a["rule"] for a in state.open_alerts()] == ["oee_low"]
    assert [d["ok"] for d in state.deliveries() if d["channel"] == "email"] == [1]


def test_labels_from_the_data_are_escaped_in_the_email(tmp_path, alert_config, clock, smtp) -> None:
    path = build_warehouse(tmp_path / "andon.duckdb")
    con = duckdb.connect(str(path))
    con.execute(
        "update marts.dim_plant set plant_name_en = '<script>alert(1)</script> & Söhne', "
        "plant_name_zh = '<script>alert(2)</script> & 苏州' where plant_id = 'SZ'"
    )
    con.close()
    state = StateStore(tmp_path / "state.sqlite")
    (event,) = evaluate_on(path, alert_config, state, clock, BREACHED_DAY)
    assert event["message"] == "<script>alert(1)</script> & Söhne: OEE 53.8%, below the limit 60.0%"
    html = _html(smtp.messages[0])
    assert "<script>" not in html
    assert ">&lt;script&gt;alert(2)&lt;/script&gt; &amp; 苏州</td>" in html  # the owner reads zh


@pytest.mark.parametrize(
    ("country", "lang", "subject", "found"),
    [
        ("CN", None, "[Andon] 告警：设备综合效率 · 苏州工厂", "发现时间：2026年10月6日 08:00"),
        (
            "VN",
            None,
            "[Andon] Cảnh báo: Hiệu suất thiết bị tổng thể (OEE) · Suzhou Plant",
            "Thời điểm phát hiện: 07:00 06/10/2026",
        ),
        ("VN", "en", "[Andon] Alert: OEE · Suzhou Plant", "Found at: 6 Oct 2026 07:00"),
        (None, None, "[Andon] Alert: OEE · Suzhou Plant", "Found at: 6 Oct 2026 08:00"),
    ],
)
def test_the_owner_reads_their_own_language_else_their_plants(
    tmp_path, alert_config, clock, smtp, country, lang, subject, found
) -> None:  # noqa: ANN001
    """A contact's own `lang`, else the plant's (its country in dim_plant), else English;
    times in the plant's time zone (Suzhou UTC+8; "in Vietnam" UTC+7)."""
    import yaml

    path = build_warehouse(tmp_path / "andon.duckdb")
    con = duckdb.connect(str(path))
    zone = "Asia/Ho_Chi_Minh" if country == "VN" else "Asia/Shanghai"
    con.execute("alter table marts.dim_plant add column if not exists timezone varchar")
    con.execute("alter table marts.dim_plant add column if not exists country varchar")
    con.execute("update marts.dim_plant set timezone = ?, country = ?", [zone, country])
    con.close()
    owner = {"name": "Wang Wei", "email": "owner@example.com", **({"lang": lang} if lang else {})}
    contacts = {"plants": {"SZ": {"Production Excellence": owner}}}
    (alert_config / "contacts.yaml").write_text(yaml.safe_dump(contacts), encoding="utf-8")
    state = StateStore(tmp_path / "state.sqlite")
    (event,) = evaluate_on(path, alert_config, state, clock, BREACHED_DAY)
    (mail,) = [m["message"] for m in smtp.messages]
    assert mail["Subject"] == subject
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert found in text
    assert "plant=" not in text and "**" not in text and "###" not in text


def test_the_scheduler_escalates_between_builds_by_name(
    as_of_file, alert_config, tmp_path, clock, smtp
) -> None:
    """Between builds the scheduler only escalates: it opens the warehouse just for the
    names, so the next contact reads "苏州工厂" too, not the entity's key."""
    from app.reports.scheduler import Scheduler

    (alert_config / "daily_plant_kpis.yaml").unlink()  # alerts only
    scheduler = Scheduler(
        as_of_file,
        StateStore(tmp_path / "state.sqlite"),
        tmp_path / "out",
        alert_config,
        clock=clock,
        sleep=lambda s: None,
        log=lambda line: None,
    )
    scheduler.tick()  # a new build: the rule fires, the owner is told
    assert [m["to"] for m in smtp.messages] == [["owner@example.com"]]
    clock.advance(minutes=61)
    scheduler.tick()  # the same build: nobody acknowledged within 60 minutes
    boss = smtp.messages[-1]
    assert boss["to"] == ["boss@example.com"]
    assert boss["message"]["Subject"] == "[Andon] 已升级：设备综合效率 · 苏州工厂"
    text = boss["message"].get_body(preferencelist=("plain",)).get_content()
    assert "设备综合效率：53.8%（低于限值 60.0%）" in text
    assert "60 分钟内无人确认，现升级给您（第 2 级）。" in text
