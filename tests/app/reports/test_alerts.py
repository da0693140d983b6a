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
    assert events[0]["message"] == "Suzhou Plant: 53.8% below limit 60.0%"
    first_id = events[0]["id"]
    assert [m["to"] for m in smtp.messages] == [["owner@example.com"]]
    assert smtp.messages[0]["message"]["Subject"] == "[Andon] 告警: 设备综合效率 · plant=SZ"
    post = webhooks.by("wecom")[0]["body"]["markdown"]["content"]
    assert f"/reports?ack={events[0]['token']}" in post
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
    assert smtp.messages[1]["message"]["Subject"] == "[Andon] 已恢复: 设备综合效率 · plant=SZ"
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
        "update marts.dim_plant set plant_name_en = '<script>alert(1)</script> & Söhne' "
        "where plant_id = 'SZ'"
    )
    con.close()
    state = StateStore(tmp_path / "state.sqlite")
    (event,) = evaluate_on(path, alert_config, state, clock, BREACHED_DAY)
    assert event["message"] == "<script>alert(1)</script> & Söhne: 53.8% below limit 60.0%"
    html = _html(smtp.messages[0])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Söhne: 53.8% below limit 60.0%" in html
