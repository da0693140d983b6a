"""Alert rules: evaluate KPI conditions per entity, notify the metric's owner for that plant
once per rule and entity until the condition clears, say when it clears, and escalate when
nobody acknowledges in time. History and acks live in the state store."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

import metrics
from app.reports.definitions import (
    Contact,
    Contacts,
    DefinitionError,
    _read,
    load_channels,
    load_contacts,
    reports_dir,
)
from app.reports.delivery import Deliverer
from app.reports.i18n import t
from app.reports.periods import Period, resolve
from app.reports.spc import RULE_TEXT, violations
from app.reports.state import StateStore, now_utc, stamp, state_path
from metrics.formatting import format_value
from metrics.registry import load_registry

CONDITIONS = ("target", "below", "above", "change_pct", "spc")
GRAIN_PERIOD = {"day": "yesterday", "week": "week_to_date", "month": "month_to_date"}


@dataclass(frozen=True)
class AlertRule:
    name: str
    metric: str
    scope: tuple[str, ...]
    condition: str
    value: float | None = None
    spc_rules: tuple[int, ...] = (1, 2, 3, 4)
    lookback_days: int = 30
    grain: str = "day"
    ack_timeout_minutes: float = 120
    owner: str | None = None
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def role(self) -> str:
        return self.owner or load_registry().metric(self.metric).owner


@dataclass(frozen=True)
class Finding:
    entity: str  # "plant=SZ/line=SZ-L1"
    plant: str | None
    label: str
    value: float | None
    breached: bool
    detail: str


def load_rules(folder: Path | None = None) -> list[AlertRule]:
    path = (folder or reports_dir()) / "alerts.yaml"
    if not path.exists():
        return []
    return parse_rules(_read(path), str(path))


def parse_rules(data: dict[str, Any], source: str = "<alerts>") -> list[AlertRule]:
    registry = load_registry()
    defaults = data.get("defaults") or {}
    problems: list[str] = []
    rules = []
    for i, spec in enumerate(data.get("rules") or []):
        spec = {**defaults, **spec}
        where = f"rules[{i}] ({spec.get('name', '?')})"
        condition = spec.get("condition") or {}
        kind = condition.get("type")
        if kind not in CONDITIONS:
            problems.append(f"{where}: condition.type {kind!r} is not one of {CONDITIONS}")
        metric = spec.get("metric")
        if metric not in registry.metrics:
            problems.append(f"{where}: unknown metric {metric!r}")
        elif kind == "target" and registry.metrics[metric].target is None:
            problems.append(f"{where}: metric {metric!r} has no target")
        if kind in ("below", "above", "change_pct") and condition.get("value") is None:
            problems.append(f"{where}: condition {kind} needs a value")
        grain = spec.get("grain", "day")
        if grain not in GRAIN_PERIOD:
            problems.append(f"{where}: grain {grain!r} is not one of {tuple(GRAIN_PERIOD)}")
        scope = tuple(spec.get("scope") or ())
        for dim in scope:
            if dim not in registry.dimensions:
                problems.append(f"{where}: unknown scope dimension {dim!r}")
        rules.append(
            AlertRule(
                name=str(spec.get("name") or f"rule_{i}"),
                metric=str(metric),
                scope=scope,
                condition=str(kind),
                value=condition.get("value"),
                spc_rules=tuple(condition.get("rules") or (1, 2, 3, 4)),
                lookback_days=int(condition.get("lookback_days", 30)),
                grain=grain,
                ack_timeout_minutes=float(spec.get("ack_timeout_minutes", 120)),
                owner=spec.get("owner"),
                where={
                    k: tuple(map(str, v if isinstance(v, list) else [v]))
                    for k, v in (spec.get("filters") or {}).items()
                },
            )
        )
    if problems:
        raise DefinitionError(f"{source}:\n  " + "\n  ".join(problems))
    return rules


def _entity(row: dict, scope: tuple[str, ...]) -> tuple[str, str | None, str]:
    registry = load_registry()
    keys = [(dim, row.get(registry.dimension(dim).key)) for dim in scope]
    entity = "/".join(f"{dim}={key}" for dim, key in keys) or "all"
    labels = [str(row.get(f"{dim}_label") or key) for dim, key in keys]
    plant = row.get("plant_id")
    return entity, (str(plant) if plant is not None else None), " / ".join(labels) or "all"


def find(rule: AlertRule, con: duckdb.DuckDBPyConnection, period: Period) -> list[Finding]:
    """The rule's verdict for every entity with data in the period."""
    if rule.condition == "spc":
        return _find_spc(rule, con, period)
    metric = load_registry().metric(rule.metric)
    compare = "previous_period" if rule.condition == "change_pct" else None
    frame = metrics.query(
        [rule.metric],
        by=list(rule.scope),
        where=rule.where or None,
        start=period.start,
        end=period.end,
        compare=compare,
        con=con,
    )
    higher = metric.direction == "higher_is_better"
    findings = []
    for row in frame.iter_rows(named=True):
        value = row.get(rule.metric)
        if value is None:
            continue
        entity, plant, label = _entity(row, rule.scope)
        shown = format_value(metric, value)
        if rule.condition == "target":
            limit = metric.target
            breached = value < limit if higher else value > limit
            detail = f"{shown} vs target {format_value(metric, limit)}"
        elif rule.condition in ("below", "above"):
            limit = float(rule.value)  # type: ignore[arg-type]
            breached = value < limit if rule.condition == "below" else value > limit
            detail = f"{shown} {rule.condition} limit {format_value(metric, limit)}"
        else:
            before = row.get(f"{rule.metric}_previous")
            if before in (None, 0):
                continue
            change = (value - before) / abs(before) * 100
            breached = change < -rule.value if higher else change > rule.value  # type: ignore[operator]
            detail = f"{shown} vs {format_value(metric, before)} before ({change:+.1f}%)"
        findings.append(Finding(entity, plant, label, float(value), breached, detail))
    return findings


def _find_spc(rule: AlertRule, con: duckdb.DuckDBPyConnection, period: Period) -> list[Finding]:
    groups = [c for c in ("plant_id",) if "plant" in rule.scope] + ["product_id", "characteristic"]
    filters, params = (
        ["measured_value is not null", "inspected_date >= ?", "inspected_date < ?"],
        [period.start - timedelta(days=rule.lookback_days), period.end],
    )
    registry = load_registry()
    for dim, values in rule.where.items():
        column = registry.facts["fct_inspections"].dimensions.get(dim)
        if column:
            filters.append(f"{column} in ({', '.join('?' * len(values))})")
            params += list(values)
    rows = con.execute(
        f"select {', '.join(groups)}, inspected_date, measured_value from marts.fct_inspections "
        f"where {' and '.join(filters)} order by {', '.join(groups)}, inspected_at, inspection_id",
        params,
    ).fetchall()
    series: dict[tuple, list[tuple[date, float]]] = {}
    for row in rows:
        series.setdefault(tuple(row[: len(groups)]), []).append((row[-2], float(row[-1])))
    findings = []
    for key, points in series.items():
        first = next((i for i, (day, _) in enumerate(points) if day >= period.start), None)
        if first is None:
            continue
        broken = violations([v for _, v in points], first, rule.spc_rules)
        names = dict(zip(groups, key, strict=True))
        plant = names.get("plant_id")
        parts = ([f"plant={plant}"] if plant else []) + [
            f"product={names['product_id']}",
            f"characteristic={names['characteristic']}",
        ]
        label = " / ".join(str(v) for v in key)
        detail = (
            "WE rules broken: " + "; ".join(RULE_TEXT[r][0] for r in sorted(broken))
            if broken
            else "in control"
        )
        findings.append(Finding("/".join(parts), plant, label, points[-1][1], bool(broken), detail))
    return findings


class AlertEngine:
    """Applies findings to the alert state: fire once, stay quiet, clear, escalate."""

    def __init__(
        self,
        state: StateStore,
        deliverer: Deliverer | None,
        contacts: Contacts,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self.state, self.deliverer, self.contacts, self.clock = state, deliverer, contacts, clock

    def apply(self, rule: AlertRule, findings: list[Finding], period: Period) -> list[dict]:
        events = []
        for finding in findings:
            current = self.state.open_alert(rule.name, finding.entity)
            if finding.breached and current is None:
                events.append(self._open(rule, finding, period))
            elif finding.breached and current is not None:
                with self.state.tx() as db:
                    db.execute(
                        "update alert_state set value=?, period=?, message=? where "
                        "rule=? and entity=? and status='open'",
                        (finding.value, period.key, finding.detail, rule.name, finding.entity),
                    )
            elif not finding.breached and current is not None:
                events.append(self._clear(rule, finding, period, current))
        return events

    def _chain(self, rule: AlertRule, plant: str | None) -> tuple[Contact, ...]:
        return self.contacts.chain(plant, rule.role())

    def _open(self, rule: AlertRule, finding: Finding, period: Period) -> dict:
        now = self.clock()
        token = secrets.token_urlsafe(16)
        with self.state.tx() as db:
            db.execute(
                "insert into alert_state (rule, entity, status, period, value, message, plant, "
                "role, token, opened_at, notified_at, level) values "
                "(?,?, 'open', ?,?,?,?,?,?,?,?, 0)",
                (
                    rule.name,
                    finding.entity,
                    period.key,
                    finding.value,
                    finding.detail,
                    finding.plant,
                    rule.role(),
                    token,
                    stamp(now),
                    stamp(now),
                ),
            )
        chain = self._chain(rule, finding.plant)
        contact = chain[0] if chain else None
        event = self._event(
            rule,
            finding.entity,
            "fired",
            period.key,
            finding.value,
            f"{finding.label}: {finding.detail}",
            contact,
            token,
        )
        return event

    def _clear(self, rule: AlertRule, finding: Finding, period: Period, current: dict) -> dict:
        now = self.clock()
        with self.state.tx() as db:
            db.execute(
                "update alert_state set status='cleared', cleared_at=?, value=? where "
                "rule=? and entity=? and status='open'",
                (stamp(now), finding.value, rule.name, finding.entity),
            )
        chain = self._chain(rule, current["plant"])
        contact = chain[min(current["level"], len(chain) - 1)] if chain else None
        return self._event(
            rule,
            finding.entity,
            "cleared",
            period.key,
            finding.value,
            f"{finding.label}: {finding.detail}",
            contact,
            None,
        )

    def escalate_due(self, rules: dict[str, AlertRule]) -> list[dict]:
        """Pass open, unacknowledged alerts to the next contact once the rule's time is up."""
        now = self.clock()
        events = []
        for alert in self.state.open_alerts():
            rule = rules.get(alert["rule"])
            if rule is None or alert["acked_at"]:
                continue
            notified = datetime.fromisoformat(alert["notified_at"])
            if now - notified < timedelta(minutes=rule.ack_timeout_minutes):
                continue
            chain = self._chain(rule, alert["plant"])
            level = alert["level"] + 1
            if level >= len(chain):
                continue
            with self.state.tx() as db:
                db.execute(
                    "update alert_state set level=?, notified_at=? where rule=? and "
                    "entity=? and status='open'",
                    (level, stamp(now), alert["rule"], alert["entity"]),
                )
            events.append(
                self._event(
                    rule,
                    alert["entity"],
                    "escalated",
                    alert["period"],
                    alert["value"],
                    alert["message"],
                    chain[level],
                    alert["token"],
                )
            )
        return events

    def _event(
        self,
        rule: AlertRule,
        entity: str,
        kind: str,
        period: str | None,
        value: float | None,
        message: str,
        contact: Contact | None,
        token: str | None,
    ) -> dict:
        now = self.clock()
        event_id = self.state.add_history(
            rule.name, entity, kind, period, value, message, contact.name if contact else None, now
        )
        event = {
            "id": event_id,
            "rule": rule.name,
            "entity": entity,
            "event": kind,
            "period": period,
            "value": value,
            "message": message,
            "contact": contact.name if contact else None,
            "token": token,
            "at": stamp(now),
        }
        if contact and self.deliverer:
            self._notify(rule, event, contact)
        return event

    def _notify(self, rule: AlertRule, event: dict, contact: Contact) -> None:
        assert self.deliverer is not None
        lang = contact.lang
        metric = load_registry().metric(rule.metric)
        word = {
            "fired": t("alert", lang),
            "cleared": t("cleared", lang),
            "escalated": t("escalated", lang),
        }[event["event"]]
        title = f"[Andon] {word}: {metric.label(lang)} · {event['entity']}"
        link = (
            f"{self.deliverer.app_url}/reports?ack={event['token']}"
            if event["token"] and event["event"] != "cleared"
            else None
        )
        lines = [
            f"### {title}",
            f"> {rule.name} · {event['period']}",
            "",
            event["message"],
            f"{t('owner', lang)}: {contact.name}",
        ]
        if link:
            lines.append(f"[{t('acknowledge', lang)}]({link})")
        markdown = "\n".join(lines)
        if contact.email:
            html = "<br>".join(lines[:-1]) + (
                f"<p><a href='{link}'>{t('acknowledge', lang)}</a></p>" if link else ""
            )
            self.deliverer.email([contact.email], title, html, markdown, alert_event_id=event["id"])
        if contact.webhook:
            self.deliverer.webhook(
                contact.webhook,
                title,
                markdown,
                link,
                {"event": f"alert_{event['event']}", **event},
                alert_event_id=event["id"],
            )


def acknowledge(state: StateStore, token: str, by: str = "", at: datetime | None = None) -> dict:
    """Mark the alert with this token acknowledged (stops escalation); KeyError if unknown."""
    alert = state.alert_by_token(token)
    if alert is None:
        raise KeyError(f"No alert with ack token {token!r}.")
    if not alert["acked_at"]:
        moment = at or now_utc()
        with state.tx() as db:
            db.execute(
                "update alert_state set acked_at=?, acked_by=? where token=?",
                (stamp(moment), by or None, token),
            )
        state.add_history(
            alert["rule"],
            alert["entity"],
            "acknowledged",
            alert["period"],
            alert["value"],
            f"acknowledged by {by or 'unknown'}",
            by or None,
            moment,
        )
    return state.alert_by_token(token) or alert


def data_as_of(con: duckdb.DuckDBPyConnection) -> date:
    """The day after the newest production data: alerts judge the latest complete day."""
    rows = con.execute("select max(production_date) from marts.fct_equipment_shifts").fetchall()
    newest = rows[0][0] if rows else None
    return newest + timedelta(days=1) if newest else date.today()


def run_alerts(
    con: duckdb.DuckDBPyConnection,
    state: StateStore,
    deliverer: Deliverer | None,
    rules: list[AlertRule],
    contacts: Contacts,
    as_of: date | None = None,
    clock: Callable[[], datetime] = now_utc,
) -> list[dict]:
    """Evaluate every rule for the period of `as_of`, then run due escalations."""
    as_of = as_of or data_as_of(con)
    engine = AlertEngine(state, deliverer, contacts, clock)
    events = []
    for rule in rules:
        period = resolve(GRAIN_PERIOD[rule.grain], as_of)
        events += engine.apply(rule, find(rule, con, period), period)
    events += engine.escalate_due({r.name: r for r in rules})
    return events


def evaluate_alerts(
    build_file: Path,
    as_of: date | None = None,
    *,
    folder: Path | None = None,
    state: StateStore | None = None,
    deliverer: Deliverer | None = None,
    clock: Callable[[], datetime] = now_utc,
) -> list:
    """Evaluate the alert rules on the published build (called by `andon build`)."""
    from warehouse.connections import connect_published

    rules = load_rules(folder)
    if not rules:
        return []
    own_state = state is None
    state = state or StateStore(state_path(build_file))
    deliverer = deliverer or Deliverer(load_channels(folder), state, clock=clock)
    con = connect_published(Path(build_file))
    try:
        return run_alerts(con, state, deliverer, rules, load_contacts(folder), as_of, clock)
    finally:
        con.close()
        if own_state:
            state.close()
