"""Each alert condition on the hand-worked marts (tests/metrics/factory.py), with the values
worked out by hand, on both sides of its limit.

  OEE, SZ:   2026-10-05  18,848 / 25,200 = 74.79 % (SZ-L2, the OEE.com fast guide)
             2026-10-06  12,900 / 24,000 = 53.75 % (SZ-L1, the roll-up example)
  scrap:     2026-10-04  0 / 8 = 0 %;  2026-10-05  423 / 19,271 = 2.195 %;
             2026-10-06  10 / 230 = 4.348 %
  FPY:       2026-10-05  18,848 / 19,271 = 97.805 %;  2026-10-06  215 / 230 = 93.478 %
             → change (93.478 − 97.805) / 97.805 = −4.42 %
  quality:   2026-10-04  480 / 480 = 100 % (SZ-L1);  2026-10-05  18,848 / 19,271 = 97.8 %
             (SZ-L2, amber: within 5 % of the 99 % target on the wrong side)
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from app.reports.alerts import find, parse_rules, period_for
from app.reports.alerts.rules import AlertRule
from metrics.scope import Scope


@pytest.fixture(scope="module")
def con(marts_file: Path):
    connection = duckdb.connect(str(marts_file), read_only=True)
    yield connection
    connection.close()


def rule(metric: str, condition: dict, scope: tuple[str, ...] = ("plant",), **more) -> AlertRule:
    spec = {"name": "r", "metric": metric, "scope": list(scope), "condition": condition, **more}
    return parse_rules({"rules": [spec]})[0]


def verdicts(con, alert: AlertRule, day: str) -> list[tuple]:  # noqa: ANN001
    """The findings for `day`: a day rule judges the day before the as-of date."""
    as_of = date.fromisoformat(day) + timedelta(days=1)
    findings = find(alert, con, period_for(alert, as_of), scope=Scope.all())
    return [(f.entity, f.label, round(f.value, 6), f.breached, f.detail) for f in findings]


def test_periods_end_at_the_as_of_date() -> None:
    """The as-of date is the newest data day, still filling: like a report run on it, a rule
    judges the whole days before it."""
    day = period_for(rule("oee", {"type": "target"}), date(2026, 10, 7))
    assert (day.start, day.end, day.key) == (date(2026, 10, 6), date(2026, 10, 7), "2026-10-06")
    week = rule("oee", {"type": "target"}, grain="week")
    thursday = period_for(week, date(2026, 10, 8))
    assert (thursday.start, thursday.end) == (date(2026, 10, 5), date(2026, 10, 8))
    monday = period_for(week, date(2026, 10, 5))  # judges the whole week before
    assert (monday.start, monday.end) == (date(2026, 9, 28), date(2026, 10, 5))
    month = rule("oee", {"type": "target"}, grain="month")
    first = period_for(month, date(2026, 10, 1))  # judges all of September
    assert (first.start, first.end) == (date(2026, 9, 1), date(2026, 10, 1))


def test_below(con) -> None:  # noqa: ANN001
    below = rule("oee", {"type": "below", "value": 0.6})
    assert verdicts(con, below, "2026-10-06") == [
        ("plant=SZ", "Suzhou Plant", 0.5375, True, "OEE 53.8%, below the limit 60.0%")
    ]
    assert verdicts(con, below, "2026-10-05") == [
        ("plant=SZ", "Suzhou Plant", 0.747937, False, "OEE 74.8%, back at or above the limit 60.0%")
    ]


def test_above(con) -> None:  # noqa: ANN001
    above = rule("scrap_rate", {"type": "above", "value": 0.04})
    assert verdicts(con, above, "2026-10-06") == [
        ("plant=SZ", "Suzhou Plant", 0.043478, True, "Scrap rate 4.35%, above the limit 4.00%")
    ]
    assert verdicts(con, above, "2026-10-05") == [
        (
            "plant=SZ",
            "Suzhou Plant",
            0.02195,
            False,
            "Scrap rate 2.20%, back at or below the limit 4.00%",
        )
    ]


def test_target_follows_the_metric_direction(con) -> None:  # noqa: ANN001
    oee = rule("oee", {"type": "target"}, scope=("plant", "line"))
    assert verdicts(con, oee, "2026-10-06") == [
        (
            "plant=SZ/line=SZ-L1",
            "Suzhou Plant · SMT Line 1",
            0.5375,
            True,
            "OEE 53.8%, below the target 85.0%",
        )
    ]
    quality = rule("quality", {"type": "target"}, scope=("line",))
    assert verdicts(con, quality, "2026-10-04") == [
        ("line=SZ-L1", "SMT Line 1", 1.0, False, "Quality (PRI-weighted) 100.0%, target 99.0% met")
    ]
    # amber (near the target, on the wrong side) is worse than the target too
    assert verdicts(con, quality, "2026-10-05") == [
        (
            "line=SZ-L2",
            "Assembly Line 2",
            0.978050,
            True,
            "Quality (PRI-weighted) 97.8%, below the target 99.0%",
        )
    ]
    scrap = rule("scrap_rate", {"type": "target"})  # lower is better, target 1 %
    assert [v[3] for v in verdicts(con, scrap, "2026-10-06")] == [True]
    assert [v[3] for v in verdicts(con, scrap, "2026-10-04")] == [False]


def test_change_pct_against_the_previous_day(con) -> None:  # noqa: ANN001
    worse = "First pass yield 93.5%, -4.4% against 97.8% the period before, more than 4% worse"
    drop_4 = rule("first_pass_yield", {"type": "change_pct", "value": 4})
    assert verdicts(con, drop_4, "2026-10-06") == [
        ("plant=SZ", "Suzhou Plant", 0.934783, True, worse)
    ]
    within = "First pass yield 93.5%, -4.4% against 97.8% the period before"
    drop_5 = rule("first_pass_yield", {"type": "change_pct", "value": 5})
    assert verdicts(con, drop_5, "2026-10-06") == [
        ("plant=SZ", "Suzhou Plant", 0.934783, False, within)
    ]
    # lower is better: scrap rose from 2.195 % to 4.348 %, +98.1 %
    rise = rule("scrap_rate", {"type": "change_pct", "value": 50})
    assert verdicts(con, rise, "2026-10-06") == [
        (
            "plant=SZ",
            "Suzhou Plant",
            0.043478,
            True,
            "Scrap rate 4.35%, +98.1% against 2.20% the period before, more than 50% worse",
        )
    ]
    # the day before was 0 % scrap: no change can be judged, so no finding
    assert verdicts(con, rise, "2026-10-05") == []


def test_filters_and_days_without_data(con) -> None:  # noqa: ANN001
    only_dg = rule("oee", {"type": "below", "value": 0.6}, filters={"plant": "DG"})
    assert verdicts(con, only_dg, "2026-10-06") == []
    # DG on 2026-10-07 was not scheduled: OEE is NULL, which is not a breach
    assert verdicts(con, rule("oee", {"type": "below", "value": 0.6}), "2026-10-07") == []
