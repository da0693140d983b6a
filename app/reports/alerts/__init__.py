"""Alerts: KPI conditions per entity, told to the metric's owner for that plant once per rule
and entity until the condition clears, with a message when it clears and escalation when
nobody acknowledges in time. History and acknowledgements live in the state store.

    rules.py        the alert-rule model (reports/alerts.yaml and its JSON Schema)
    evaluate.py     findings from the published warehouse, through the metrics layer
    transitions.py  the state machine: pure functions over typed events
    wording.py      what a condition found (Verdict) and how each language says it
    notify.py       the notice a contact gets, in their language, and its delivery
    engine.py       the run: evaluate → transitions → state store → notify; escalate; ack
"""

from app.reports.alerts.engine import (
    EVALUATION_SCOPE,
    acknowledge,
    alert_history,
    escalate_due,
    evaluate_alerts,
    may_acknowledge,
    open_alerts,
    run_alerts,
)
from app.reports.alerts.evaluate import Finding, find, period_for
from app.reports.alerts.rules import AlertRule, Condition, load_rules, parse_rules

__all__ = [
    "EVALUATION_SCOPE",
    "AlertRule",
    "Condition",
    "Finding",
    "acknowledge",
    "alert_history",
    "escalate_due",
    "evaluate_alerts",
    "find",
    "load_rules",
    "may_acknowledge",
    "open_alerts",
    "parse_rules",
    "period_for",
    "run_alerts",
]
