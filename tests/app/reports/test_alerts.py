"""Alerts: fire once per rule and entity, stay quiet while open, clear with a message,
escalate to the next contact when nobody acknowledges in time (an injected clock)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from app.reports.alerts import acknowledge, evaluate_alerts, parse_rules
from app.reports.definitions import load_channels
from app.reports.delivery import Deliverer
from app.reports.spc import violations
from app.reports.state import StateStore

RULES = {
    "defaults": {"grain": "day", "ack_timeout_minutes": 60},
    "rules": [
        {
            "name": "oee_low",
            "metric": "oee",
            "scope": ["plant"],
            "condition": {"type": "below", "value": 0.6},
        }
    ],
}


@pytest.fixture
def alert_config(config: Path) -> Path:
    (config / "alerts.yaml").write_text(yaml.safe_dump(RULES), encoding="utf-8")
    return config


def _evaluate(marts_file, folder, state, clock, day):  # noqa: ANN001, ANN202
    deliverer = Deliverer(load_channels(folder), state, sleep=lambda s: None, clock=clock)
    return evaluate_alerts(
        marts_file, day, folder=folder, state=state, deliverer=deliverer, clock=clock
    )


def test_alert_fires_once_stays_quiet_and_clears(
    marts_file, alert_config, tmp_path, clock, smtp, webhooks
) -> None:
    state = StateStore(tmp_path / "state.sqlite")
    # SZ OEE on 2026-10-06 is 53.75 %: below 60 %.
    events = _evaluate(marts_file, alert_config, state, clock, date(2026, 10, 7))
    assert [(e["event"], e["entity"], e["contact"]) for e in events] == [
        ("fired", "plant=SZ", "Wang Wei")
    ]
    assert [m["to"] for m in smtp.messages] == [["owner@example.com"]]
    post = webhooks.by("wecom")[0]["body"]["markdown"]["content"]
    assert "设备综合效率" in post and "/reports?ack=" in post
    clock.advance(minutes=10)
    assert _evaluate(marts_file, alert_config, state, clock, date(2026, 10, 7)) == []
    assert len(smtp.messages) == 1  # no storm while it stays open
    # On 2026-10-05 SZ ran at 74.8 %: the condition clears.
    events = _evaluate(marts_file, alert_config, state, clock, date(2026, 10, 6))
    assert [(e["event"], e["entity"]) for e in events] == [("cleared", "plant=SZ")]
    assert len(smtp.messages) == 2 and "已恢复" in smtp.messages[1]["message"]["Subject"]
    history = [(h["event"], h["entity"]) for h in reversed(state.history("oee_low"))]
    assert history == [("fired", "plant=SZ"), ("cleared", "plant=SZ")]
    assert state.open_alerts() == []
    # Firing again later is a new alert, with a new notification.
    events = _evaluate(marts_file, alert_config, state, clock, date(2026, 10, 7))
    assert [e["event"] for e in events] == ["fired"]


def test_escalation_after_ack_timeout_and_ack_stops_it(
    marts_file, alert_config, tmp_path, clock, smtp
) -> None:
    state = StateStore(tmp_path / "state.sqlite")
    _evaluate(marts_file, alert_config, state, clock, date(2026, 10, 7))
    clock.advance(minutes=59)
    assert _evaluate(marts_file, alert_config, state, clock, date(2026, 10, 7)) == []
    clock.advance(minutes=2)
    events = _evaluate(marts_file, alert_config, state, clock, date(2026, 10, 7))
    assert [(e["event"], e["contact"]) for e in events] == [("escalated", "Li Na")]
    assert smtp.messages[-1]["to"] == ["boss@example.com"]
    clock.advance(hours=5)  # nobody further up the chain: no more messages
    assert _evaluate(marts_file, alert_config, state, clock, date(2026, 10, 7)) == []

    state2 = StateStore(tmp_path / "other.sqlite")
    fired = _evaluate(marts_file, alert_config, state2, clock, date(2026, 10, 7))
    acked = acknowledge(state2, fired[0]["token"], by="Wang Wei", at=clock())
    assert acked["acked_by"] == "Wang Wei"
    clock.advance(hours=3)
    assert _evaluate(marts_file, alert_config, state2, clock, date(2026, 10, 7)) == []
    assert [h["event"] for h in state2.history()][:1] == ["acknowledged"]


def test_target_and_change_conditions(marts_file, config, tmp_path, clock) -> None:
    rules = {
        "rules": [
            {
                "name": "oee_target",
                "metric": "oee",
                "scope": ["plant", "line"],
                "condition": {"type": "target"},
            },
            {
                "name": "fpy_drop",
                "metric": "first_pass_yield",
                "scope": ["plant"],
                "condition": {"type": "change_pct", "value": 1},
            },
        ]
    }
    (config / "alerts.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    state = StateStore(tmp_path / "state.sqlite")
    events = evaluate_alerts(
        marts_file, date(2026, 10, 7), folder=config, state=state, deliverer=None, clock=clock
    )
    fired = {(e["rule"], e["entity"]) for e in events if e["event"] == "fired"}
    assert ("oee_target", "plant=SZ/line=SZ-L1") in fired


def test_western_electric_rules() -> None:
    base = [10.0, 10.2, 9.8, 10.1, 9.9, 10.0, 10.2, 9.8, 10.1, 9.9, 10.0, 9.9]
    assert violations(base + [10.1, 9.9], len(base)) == set()
    assert 1 in violations(base + [12.0], len(base))  # one point beyond 3 sigma
    assert 2 in violations(base + [10.3, 9.9, 10.3], len(base))  # 2 of 3 beyond 2 sigma
    assert 4 in violations(base + [10.05] * 8, len(base))  # 8 in a row above the centre


def test_spc_rule_on_inspections(marts_file, tmp_path, clock) -> None:
    rules = parse_rules(
        {
            "rules": [
                {
                    "name": "spc",
                    "metric": "cpk",
                    "scope": ["plant"],
                    "condition": {"type": "spc", "lookback_days": 30},
                }
            ]
        }
    )
    import duckdb

    from app.reports.alerts import find
    from app.reports.periods import resolve

    con = duckdb.connect(str(marts_file), read_only=True)
    findings = find(rules[0], con, resolve("yesterday", date(2026, 10, 8)))
    con.close()
    assert [f.entity for f in findings] == ["plant=SZ/product=FG-100/characteristic=solder_height"]


def test_bad_rules_are_refused() -> None:
    from app.reports.definitions import DefinitionError

    with pytest.raises(DefinitionError, match="condition.type"):
        parse_rules({"rules": [{"name": "x", "metric": "oee", "condition": {"type": "odd"}}]})
