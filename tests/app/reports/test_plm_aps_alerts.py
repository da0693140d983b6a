"""An alert on a PLM/APS metric, end to end on the hand-worked marts with a real SMTP
server: production on a superseded revision above 0 goes to the line's owner (contacts.yaml
`lines:`), and to the plant's contact (else `default`'s) for a line without one.

Hand-worked (tests/metrics/factory.py REVISION_PRODUCTION): SZ-L1 built 100 units of FG-200
on 2026-10-06, none on a superseded revision (0 %: no alert), and 100 on 2026-10-07, 40 of
them on a superseded revision (40 %); DG-L1 built 50 of FG-100 on 2026-10-06, all 50 on a
superseded revision (100 %)."""

from __future__ import annotations

from datetime import date

import yaml

from app.reports.definitions import load_contacts
from app.reports.state import StateStore
from tests.app.reports.conftest import CONTACTS, evaluate_on

RULES = {
    "defaults": {"grain": "day", "ack_timeout_minutes": 60},
    "rules": [
        {
            "name": "superseded_revision",
            "metric": "superseded_revision_share",
            "scope": ["plant", "line"],
            "condition": {"type": "above", "value": 0},
        }
    ],
}
LINE_LEADER = {"name": "Zhou Qiang", "email": "sz-l1-leader@example.com", "lang": "en"}


def _config(config):  # noqa: ANN001, ANN202
    (config / "alerts.yaml").write_text(yaml.safe_dump(RULES), encoding="utf-8")
    contacts = {**CONTACTS, "lines": {"SZ-L1": {"*": LINE_LEADER}}}
    (config / "contacts.yaml").write_text(
        yaml.safe_dump(contacts, allow_unicode=True), encoding="utf-8"
    )
    return config


def test_superseded_revision_alert_goes_to_the_line_owner(
    marts_file, config, tmp_path, clock, smtp
) -> None:
    folder = _config(config)
    state = StateStore(tmp_path / "state.sqlite")
    # As of 2026-10-07 the rule judges 2026-10-06: SZ-L1 0 % (quiet), DG-L1 100 %.
    events = evaluate_on(marts_file, folder, state, clock, date(2026, 10, 7))
    assert [(e["event"], e["entity"], e["value"], e["contact"]) for e in events] == [
        ("fired", "plant=DG/line=DG-L1", 1.0, "Duty desk")  # no DG contact: default's "*"
    ]
    assert [m["to"] for m in smtp.messages] == [["duty@example.com"]]

    # As of 2026-10-08 it judges 2026-10-07: SZ-L1 40 of 100 units on a superseded revision.
    events = evaluate_on(marts_file, folder, state, clock, date(2026, 10, 8))
    fired = [(e["event"], e["entity"], e["value"], e["contact"]) for e in events]
    assert ("fired", "plant=SZ/line=SZ-L1", 0.4, "Zhou Qiang") in fired
    assert ["sz-l1-leader@example.com"] in [m["to"] for m in smtp.messages]


def test_line_contacts_come_before_the_plants(config) -> None:  # noqa: ANN001
    contacts = load_contacts(_config(config))
    assert [c.name for c in contacts.chain("SZ", "Production Excellence", "SZ-L1")] == [
        "Zhou Qiang"
    ]
    # Another line of the plant, or no line: the plant's contact and its escalation.
    assert [c.name for c in contacts.chain("SZ", "Production Excellence", "SZ-L2")] == [
        "Wang Wei",
        "Li Na",
    ]
    assert [c.name for c in contacts.chain("SZ", "Production Excellence")] == ["Wang Wei", "Li Na"]
    assert [c.name for c in contacts.chain("DG", "Quality", "DG-L1")] == ["Duty desk"]
