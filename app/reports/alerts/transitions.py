"""The alert state machine as pure functions: given what the store holds and what was found,
which event happens — an alert fires, stays open with a new value, clears, escalates to the
next contact, or is acknowledged. Nothing here reads or writes; the engine records the event
in the state store (app/reports/state.py) and sends its notification.

    finding breached, no open alert   -> Fired        (the first contact is told)
    finding breached, alert open      -> Refreshed    (new value and period, nobody told)
    finding not breached, alert open  -> Cleared      (the contact last told is told)
    open, unacknowledged, time is up  -> Escalated    (the next contact of the chain)
    ack token used                    -> Acknowledged (no more escalation)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from app.reports.alerts.evaluate import Finding
from app.reports.alerts.wording import Verdict
from app.reports.definitions import Contact
from app.reports.state import AlertRecord, stamp


@dataclass(frozen=True, kw_only=True)
class AlertEvent:
    """What every event says: which rule and entity, for which period, at what value, when."""

    kind: ClassVar[str]
    rule: str
    entity: str
    period: str | None
    value: float | None
    at: datetime
    token: str | None = None
    contact: Contact | None = None  # whom this event is told to
    plant: str | None = None
    # What the finding was, for the notice in its reader's language (app/reports/alerts/
    # notify.py): the entity's (dimension, key) pairs and the condition's numbers.
    keys: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    verdict: Verdict | None = field(default=None, compare=False)

    @property
    def message(self) -> str:
        raise NotImplementedError

    @property
    def contact_name(self) -> str | None:
        return self.contact.name if self.contact else None

    def to_dict(self, event_id: int) -> dict[str, Any]:
        """The event as callers and JSON output see it (`id` is its alert_history row)."""
        return {
            "id": event_id,
            "rule": self.rule,
            "entity": self.entity,
            "event": self.kind,
            "period": self.period,
            "value": self.value,
            "message": self.message,
            "contact": self.contact_name,
            "token": self.token,
            "at": stamp(self.at),
        }


@dataclass(frozen=True, kw_only=True)
class Fired(AlertEvent):
    kind: ClassVar[str] = "fired"
    label: str
    detail: str
    role: str
    token: str

    @property
    def message(self) -> str:
        return f"{self.label}: {self.detail}"


@dataclass(frozen=True, kw_only=True)
class Refreshed(AlertEvent):
    """Still breached: the open alert takes the new value and period, nobody is told."""

    kind: ClassVar[str] = "refreshed"
    detail: str

    @property
    def message(self) -> str:
        return self.detail


@dataclass(frozen=True, kw_only=True)
class Cleared(AlertEvent):
    kind: ClassVar[str] = "cleared"
    label: str
    detail: str

    @property
    def message(self) -> str:
        return f"{self.label}: {self.detail}"


@dataclass(frozen=True, kw_only=True)
class Escalated(AlertEvent):
    kind: ClassVar[str] = "escalated"
    level: int  # the contact's place in the escalation chain (0 = the first one told)
    detail: str
    token: str
    minutes: float = 0  # how long the one told before had to acknowledge

    @property
    def message(self) -> str:
        return self.detail


@dataclass(frozen=True, kw_only=True)
class Acknowledged(AlertEvent):
    kind: ClassVar[str] = "acknowledged"
    by: str
    token: str

    @property
    def message(self) -> str:
        return f"acknowledged by {self.by or 'unknown'}"

    @property
    def contact_name(self) -> str | None:
        return self.by or None


def judge(
    finding: Finding,
    current: AlertRecord | None,
    *,
    rule: str,
    role: str,
    period: str,
    chain: tuple[Contact, ...],
    at: datetime,
    token: str,
) -> Fired | Refreshed | Cleared | None:
    """The event a finding causes: fire once (telling the first contact of the chain), stay
    quiet while open, clear (telling the contact last told); nothing while all is well.
    `token` is the new alert's acknowledgement token, used only when it fires."""
    common = {
        "rule": rule,
        "entity": finding.entity,
        "period": period,
        "value": finding.value,
        "plant": finding.plant,
        "keys": finding.keys,
        "verdict": finding.verdict,
    }
    if finding.breached and current is None:
        return Fired(
            **common,
            at=at,
            label=finding.label,
            detail=finding.detail,
            role=role,
            token=token,
            contact=chain[0] if chain else None,
        )
    if finding.breached:
        return Refreshed(**common, at=at, detail=finding.detail)
    if current is not None:
        told = chain[min(current.level, len(chain) - 1)] if chain else None
        return Cleared(**common, at=at, label=finding.label, detail=finding.detail, contact=told)
    return None


def escalation(
    alert: AlertRecord, *, timeout: timedelta, chain: tuple[Contact, ...], at: datetime
) -> Escalated | None:
    """Pass an open, unacknowledged alert to the next contact of the chain once `timeout` has
    passed since the last one was told; None while there is time, or nobody further up."""
    if alert.status != "open" or alert.acked_at is not None:
        return None
    told = alert.notified_at or alert.opened_at
    level = alert.level + 1
    if at - told < timeout or level >= len(chain):
        return None
    return Escalated(
        rule=alert.rule,
        entity=alert.entity,
        period=alert.period,
        value=alert.value,
        at=at,
        level=level,
        detail=alert.message or "",
        token=alert.token,
        contact=chain[level],
        plant=alert.plant,
        minutes=timeout.total_seconds() / 60,
    )


def acknowledgement(alert: AlertRecord, *, by: str, at: datetime) -> Acknowledged | None:
    """Acknowledge the alert (which stops its escalation); None when it already was."""
    if alert.acked_at is not None:
        return None
    return Acknowledged(
        rule=alert.rule,
        entity=alert.entity,
        period=alert.period,
        value=alert.value,
        at=at,
        by=by,
        token=alert.token,
    )
