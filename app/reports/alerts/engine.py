"""Running the alert rules: evaluate each rule on the period that ends at the as-of date,
turn findings into events (transitions.py), record each in the state store together with
its notifications in the durable outbox (one transaction, so an event is never recorded
without its messages), then deliver; and escalate what nobody acknowledged in time. Called
by `andon build` (after a published build), `andon alerts evaluate` and the scheduler (whose
ticks retry failed notifications like report deliveries).

Events come back as dicts (`AlertEvent.to_dict`): the history row id, rule, entity, event,
period, value, message, contact, token and time — the shape `andon build --json` prints.

Alert rules are written by administrators, so the system evaluates them for every plant
(`EVALUATION_SCOPE`, given explicitly) and tells each plant's contacts — for an alert about
a line that contacts.yaml lists under `lines:`, that line's owner first. Whoever lists or
acknowledges alerts does so as a caller (app/reports/access.py): they see the alerts of
their plants only, and acknowledge only those their role may (`can(user, "ack_alert",
plant)`); a token of another plant's alert is refused exactly like an unknown one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from app.accounts import Action
from app.reports.access import Caller, Refused, user_may
from app.reports.alerts.evaluate import find, period_for
from app.reports.alerts.notify import entity_dims, outgoing, render
from app.reports.alerts.rules import AlertRule, load_rules
from app.reports.alerts.transitions import (
    AlertEvent,
    Cleared,
    Escalated,
    Fired,
    Refreshed,
    acknowledgement,
    escalation,
    judge,
)
from app.reports.audience import Plant, given_lang, read_plants, reader_lang
from app.reports.definitions import Contacts, load_channels, load_contacts
from app.reports.delivery import Deliverer
from app.reports.names import Names, entity_keys
from app.reports.state import Outgoing, StateStore, now_utc, state_path
from metrics.asof import as_of_date
from metrics.registry import load_registry
from metrics.scope import Scope

Clock = Callable[[], datetime]
EVALUATION_SCOPE = Scope.all()  # the rules are the administrators': judged for every plant


class Readers:
    """What notices need from the warehouse, read on first use: the names of plants, lines …
    in each language, and each plant's language and time zone. `connect` opens the
    warehouse only when a notice needs it (the scheduler's escalations)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection | None = None,
        connect: Callable[[], duckdb.DuckDBPyConnection] | None = None,
    ) -> None:
        self.names = Names(con, EVALUATION_SCOPE, connect=connect)
        self._plants: dict[str, Plant] | None = None

    def plant(self, plant_id: str | None) -> Plant | None:
        if plant_id is None:
            return None
        if self._plants is None:
            con = self.names.connection()
            self._plants = read_plants(con, EVALUATION_SCOPE) if con is not None else {}
        return self._plants.get(plant_id)

    def close(self) -> None:
        self.names.close()


def run_alerts(
    con: duckdb.DuckDBPyConnection,
    state: StateStore,
    deliverer: Deliverer | None,
    rules: list[AlertRule],
    contacts: Contacts,
    as_of: date | None = None,
    clock: Clock = now_utc,
) -> list[dict[str, Any]]:
    """Evaluate every rule for its period ending at `as_of` (default: the warehouse's as-of
    date, `metrics.asof.as_of_date`; see `period_for`), then run due escalations."""
    as_of = as_of or as_of_date(con)
    readers = Readers(con)
    events = []
    for rule in rules:
        period = period_for(rule, as_of)
        role = rule.role()
        for finding in find(rule, con, period, scope=EVALUATION_SCOPE):
            event = judge(
                finding,
                state.open_alert(rule.name, finding.entity),
                rule=rule.name,
                role=role,
                period=period.key,
                chain=contacts.chain(finding.plant, role, line_of(finding.keys)),
                at=clock(),
                token=new_token(),
            )
            record = _record(state, deliverer, rule, event, readers) if event else None
            if record is not None:
                events.append(record)
    return events + escalate_due(state, deliverer, contacts, rules, clock, readers)


def line_of(keys: Iterable[tuple[str, str]]) -> str | None:
    """The line an alert's entity is about (its `line` key), None for an entity without one:
    whose contact (contacts.yaml `lines:`) comes before the plant's."""
    return dict(keys).get("line")


def new_token() -> str:
    """An acknowledgement token: 32 hex digits, so it never looks like a command-line option
    (token_urlsafe's may start with "-")."""
    return secrets.token_hex(16)


def escalate_due(
    state: StateStore,
    deliverer: Deliverer | None,
    contacts: Contacts,
    rules: Iterable[AlertRule],
    clock: Clock = now_utc,
    readers: Readers | None = None,
) -> list[dict[str, Any]]:
    """Pass open, unacknowledged alerts to the next contact once their rule's time is up
    (`readers`: where the notices' names come from; none: keys stand for names)."""
    readers = readers or Readers()
    by_name = {rule.name: rule for rule in rules}
    events = []
    for alert in state.open_alert_records():
        rule = by_name.get(alert.rule)
        if rule is None:
            continue  # the rule was removed from alerts.yaml: its alert waits for a human
        event = escalation(
            alert,
            timeout=timedelta(minutes=rule.ack_timeout_minutes),
            chain=contacts.chain(
                alert.plant, rule.role(), line_of(entity_keys(alert.entity, entity_dims(rule)))
            ),
            at=clock(),
        )
        if event is not None:
            events.append(_record(state, deliverer, rule, event, readers))
    return events


def _record(
    state: StateStore,
    deliverer: Deliverer | None,
    rule: AlertRule,
    event: AlertEvent,
    readers: Readers,
) -> dict[str, Any] | None:
    """Write the event to the state store with its contact's notifications (queued in the
    same transaction, sent by the next `deliver_due`); None for a quiet refresh. The notice
    is in the contact's language: their own `lang`, else their plant's."""
    if isinstance(event, Refreshed):
        state.record_refreshed(event)
        return None
    notify = None
    contact = event.contact
    if contact is not None and deliverer is not None:
        plant = readers.plant(event.plant)
        zone = plant.zone if plant else None
        message = render(
            event,
            rule=rule,
            metric=load_registry().metric(rule.metric),
            contact=contact,
            app_url=deliverer.app_url,
            lang=reader_lang(given_lang(contact), plant),
            names=readers.names,
            timezone=zone,
        )

        def notify(event_id: int) -> list[Outgoing]:
            return outgoing(deliverer, message, contact, event.to_dict(event_id), zone)

    if isinstance(event, Fired):
        event_id = state.record_fired(event, notify)
    elif isinstance(event, Cleared):
        event_id = state.record_cleared(event, notify)
    elif isinstance(event, Escalated):
        event_id = state.record_escalated(event, notify)
    else:
        raise TypeError(f"not an evaluation event: {event!r}")
    return event.to_dict(event_id)


def acknowledge(
    state: StateStore, token: str, caller: Caller, by: str = "", at: datetime | None = None
) -> dict[str, Any]:
    """Mark the alert with this token acknowledged by `caller` (stops its escalation) and
    return it; `by` names who acknowledged when it is not the caller themselves (default:
    the signed-in user, else the caller's name). Acknowledging twice changes nothing.
    Refused for an unknown token or another plant's alert (the same message, so a token
    tells nothing about other plants) and for a role that may not acknowledge; every
    attempt is one row of the audit log."""
    alert = state.alert_by_token(token)
    detail: dict[str, Any] = {"token": token}
    if alert is not None:
        detail.update(rule=alert.rule, entity=alert.entity, plant=alert.plant)
    if alert is None or not caller.sees(alert.plant):
        reason = "unknown_token" if alert is None else "outside_scope"
        caller.audit("alert_ack", {**detail, "refused": reason}, ok=False)
        raise Refused("alert_unknown_token", token=token)
    if not may_acknowledge(caller, alert.as_dict()):
        caller.audit("alert_ack", {**detail, "refused": "not_allowed"}, ok=False)
        role = caller.user.role.value if caller.user is not None else "-"
        raise Refused(
            "alert_ack_not_allowed",
            who=caller.label,
            role=role,
            rule=alert.rule,
            entity=alert.entity,
        )
    who = by or caller.actor
    event = acknowledgement(alert, by=who, at=at or now_utc())
    if event is not None:
        state.record_acknowledged(event)
    else:
        detail["already_acked_by"] = alert.acked_by
    caller.audit("alert_ack", {**detail, "by": who})
    return (state.alert_by_token(token) or alert).as_dict()


def may_acknowledge(caller: Caller, alert: dict[str, Any]) -> bool:
    """Whether `caller` may acknowledge this alert (a row of `open_alerts`)."""
    plant = alert.get("plant")
    scope = Scope.all() if plant is None else Scope.of(plant)
    return caller.sees(plant) and (
        caller.user is None or user_may(caller.user, Action.ACK_ALERT, scope)
    )


def open_alerts(state: StateStore, scope: Scope) -> list[dict[str, Any]]:
    """The open alerts of `scope`'s plants (an alert without a plant: only with every
    plant), oldest first, as the listings show them."""
    return [alert.as_dict() for alert in state.open_alert_records() if scope.allows(alert.plant)]


def alert_history(state: StateStore, scope: Scope, limit: int = 500) -> list[dict[str, Any]]:
    """The alert history of `scope`'s plants, newest first."""
    if scope.is_empty:
        return []
    return state.alert_history(None if scope.is_all else scope.sorted(), limit)


def evaluate_alerts(
    build_file: Path,
    as_of: date | None = None,
    *,
    folder: Path | None = None,
    state: StateStore | None = None,
    deliverer: Deliverer | None = None,
    clock: Clock = now_utc,
) -> list[dict[str, Any]]:
    """Evaluate the alert rules on the published build and send the notifications (called by
    `andon build` and `andon alerts evaluate`); what fails is retried by the scheduler."""
    from warehouse.connections import connect_published

    rules = load_rules(folder)
    if not rules:
        return []
    own_state = state is None
    state = state or StateStore(state_path(build_file))
    deliverer = deliverer or Deliverer(load_channels(folder), state, clock=clock)
    con = connect_published(Path(build_file))
    try:
        events = run_alerts(con, state, deliverer, rules, load_contacts(folder), as_of, clock)
        deliverer.deliver_due()
        return events
    finally:
        con.close()
        if own_state:
            state.close()
