"""The alert state machine as pure functions: each transition from hand-made state."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from app.reports.alerts.evaluate import Finding
from app.reports.alerts.transitions import (
    Acknowledged,
    Cleared,
    Escalated,
    Fired,
    Refreshed,
    acknowledgement,
    escalation,
    judge,
)
from app.reports.definitions import Contact
from app.reports.state import AlertRecord

AT = datetime(2026, 10, 6, 0, 0, tzinfo=UTC)
OWNER = Contact(name="Wang Wei", email="owner@example.com", lang="zh")
BOSS = Contact(name="Li Na", email="boss@example.com", lang="zh")
CHAIN = (OWNER, BOSS)

BREACHED = Finding("plant=SZ", "SZ", "Suzhou Plant", 0.5375, True, "53.8% below limit 60.0%")
FINE = Finding("plant=SZ", "SZ", "Suzhou Plant", 0.7479, False, "74.8% below limit 60.0%")

OPEN = AlertRecord(
    rule="oee_low",
    entity="plant=SZ",
    status="open",
    period="2026-10-06",
    value=0.5375,
    message="53.8% below limit 60.0%",
    plant="SZ",
    role="Production Excellence",
    token="tok",
    opened_at=AT,
    notified_at=AT,
    level=0,
    acked_at=None,
    acked_by=None,
    cleared_at=None,
)


def _judge(finding: Finding, current: AlertRecord | None, chain=CHAIN):  # noqa: ANN001, ANN202
    return judge(
        finding,
        current,
        rule="oee_low",
        role="Production Excellence",
        period="2026-10-06",
        chain=chain,
        at=AT,
        token="new-token",
    )


def test_breach_without_open_alert_fires_to_the_first_contact() -> None:
    event = _judge(BREACHED, None)
    assert event == Fired(
        rule="oee_low",
        entity="plant=SZ",
        period="2026-10-06",
        value=0.5375,
        at=AT,
        label="Suzhou Plant",
        detail="53.8% below limit 60.0%",
        plant="SZ",
        role="Production Excellence",
        token="new-token",
        contact=OWNER,
    )
    assert event.message == "Suzhou Plant: 53.8% below limit 60.0%"
    assert event.to_dict(7) == {
        "id": 7,
        "rule": "oee_low",
        "entity": "plant=SZ",
        "event": "fired",
        "period": "2026-10-06",
        "value": 0.5375,
        "message": "Suzhou Plant: 53.8% below limit 60.0%",
        "contact": "Wang Wei",
        "token": "new-token",
        "at": "2026-10-06T00:00:00+00:00",
    }


def test_breach_while_open_only_refreshes() -> None:
    assert _judge(BREACHED, OPEN) == Refreshed(
        rule="oee_low",
        entity="plant=SZ",
        period="2026-10-06",
        value=0.5375,
        at=AT,
        detail="53.8% below limit 60.0%",
        plant="SZ",
    )


def test_recovery_clears_telling_the_contact_last_told() -> None:
    event = _judge(FINE, replace(OPEN, level=1))
    assert isinstance(event, Cleared)
    assert (event.contact, event.token, event.value) == (BOSS, None, 0.7479)
    assert event.message == "Suzhou Plant: 74.8% below limit 60.0%"
    # a chain shorter than the level reached (contacts.yaml changed): the last one in it
    assert _judge(FINE, replace(OPEN, level=3)).contact == BOSS
    assert _judge(FINE, OPEN, chain=()).contact is None


def test_nothing_happens_while_all_is_well() -> None:
    assert _judge(FINE, None) is None


def test_escalation_waits_for_the_timeout_and_stops_at_the_top() -> None:
    hour = timedelta(minutes=60)
    assert escalation(OPEN, timeout=hour, chain=CHAIN, at=AT + timedelta(minutes=59)) is None
    event = escalation(OPEN, timeout=hour, chain=CHAIN, at=AT + hour)
    assert event == Escalated(
        rule="oee_low",
        entity="plant=SZ",
        period="2026-10-06",
        value=0.5375,
        at=AT + hour,
        level=1,
        detail="53.8% below limit 60.0%",
        token="tok",
        contact=BOSS,
        plant="SZ",
        minutes=60,
    )
    told_boss = replace(OPEN, level=1, notified_at=AT + hour)
    assert escalation(told_boss, timeout=hour, chain=CHAIN, at=AT + 5 * hour) is None


def test_acknowledged_or_cleared_alerts_do_not_escalate() -> None:
    late = AT + timedelta(hours=3)
    acked = replace(OPEN, acked_at=AT, acked_by="Wang Wei")
    cleared = replace(OPEN, status="cleared", cleared_at=AT)
    for alert in (acked, cleared):
        assert escalation(alert, timeout=timedelta(minutes=60), chain=CHAIN, at=late) is None


def test_acknowledging_once() -> None:
    event = acknowledgement(OPEN, by="Wang Wei", at=AT)
    assert event == Acknowledged(
        rule="oee_low",
        entity="plant=SZ",
        period="2026-10-06",
        value=0.5375,
        at=AT,
        by="Wang Wei",
        token="tok",
    )
    assert (event.message, event.contact_name) == ("acknowledged by Wang Wei", "Wang Wei")
    assert acknowledgement(OPEN, by="", at=AT).message == "acknowledged by unknown"
    assert acknowledgement(replace(OPEN, acked_at=AT), by="Li Na", at=AT) is None
