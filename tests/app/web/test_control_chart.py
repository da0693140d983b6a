"""The Quality page's control chart: the look-back before the period is the baseline, and on
the same data the page and the SPC alert see the same limits and the same violations."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from app.web.control_chart import control_chart
from metrics.periods import resolve
from tests.metrics.test_core_spc import PERIOD, VALUES


def _points(values: list[float], first: int) -> pl.DataFrame:
    start = datetime(2026, 10, 1, 8)
    times = [start + timedelta(hours=8 * i) for i in range(len(values))]
    return pl.DataFrame(
        {
            "inspected_at": times,
            "inspected_date": [t.date() for t in times],
            "measured_value": values,
            "lsl": [5.0] * len(values),
            "usl": [17.5] * len(values),
            "lot_id": [f"LOT-{i}" for i in range(len(values))],
            "equipment_id": ["E1"] * len(values),
            "in_period": [i >= first for i in range(len(values))],
        }
    )


def test_baseline_points_are_numbered_before_the_period() -> None:
    # tests/metrics/test_core_spc.py: baseline 10, 12 × 5 (centre 11, sigma 2 / 1.128); the
    # period's points complete rule 1 (index 10), 2 (12), 3 (14) and 4 (19).
    shown = control_chart(_points(VALUES, 10), "en")
    assert shown is not None and shown.first == 10
    assert shown.chart.limits.centre == pytest.approx(11.0)
    assert shown.chart.limits.sigma == pytest.approx(1.773050, abs=1e-6)
    assert shown.period_values == PERIOD
    assert shown.out_of_control == 4
    frame = shown.points
    assert frame["sample"].to_list() == list(range(-9, 11))
    assert frame["rules"].to_list()[10:] == ["1", "", "2", "", "3", "", "", "", "", "4"]
    assert frame["flag"].to_list()[:10] == ["Baseline (before the period)"] * 10
    assert frame["flag"][10] == "Out of control" and frame["flag"][11] == "In control"
    assert "in_period" not in frame.columns and "inspected_date" not in frame.columns


def test_short_baseline_uses_every_point() -> None:
    shown = control_chart(_points(VALUES, 4), "zh")
    assert shown is not None and shown.chart.baseline == 20 and shown.first == 4
    assert shown.chart.limits.centre == pytest.approx(11.975)  # mean of all 20 points
    assert shown.points["flag"][0] == "基线（本期之前）"


def test_no_chart_without_spread() -> None:
    assert control_chart(_points([5.0, 5.0, 5.0], 0), "en") is None


def test_quality_page_and_spc_alert_agree(app_env: Path) -> None:
    from app.reports.alerts import find, parse_rules
    from app.web import data, lists
    from metrics import Scope
    from metrics.asof import as_of_date

    key = data.warehouse_key()
    con = data.cursor(key)
    as_of = as_of_date(con)
    period = resolve("last_7_days", as_of + timedelta(days=1))  # the week ending on as-of
    assert period.last_day == as_of and period.start == as_of - timedelta(days=6)
    rule = {"name": "spc", "metric": "cpk", "scope": ["plant"], "condition": {"type": "spc"}}
    findings = find(parse_rules({"rules": [rule]})[0], con, period, scope=Scope.all())
    compared = from_baseline = 0
    for finding in findings:
        keys = dict(part.split("=", 1) for part in finding.entity.split("/"))
        points = lists.spc_points(
            key,
            keys["product"],
            keys["characteristic"],
            (("plant_id", keys["plant"]),),
            period.start,
            period.end,
            scope=Scope.all(),
        )
        shown = control_chart(points, "en")
        if finding.chart is None:
            assert shown is None, finding.entity
            continue
        assert shown is not None, finding.entity
        assert shown.first == finding.first, finding.entity
        assert shown.chart.limits == finding.chart.limits, finding.entity
        assert shown.chart.hits == finding.chart.hits, finding.entity
        broken = shown.chart.broken(shown.first)
        assert broken == finding.chart.broken(finding.first), finding.entity
        assert bool(broken) == finding.breached and (shown.out_of_control > 0) == bool(broken)
        compared += 1
        from_baseline += shown.chart.baseline == shown.first  # limits from the look-back
    # the sample factory: 50 series in the week, 4 with a full look-back baseline, 2 breached
    assert compared >= 10 and from_baseline >= 1 and any(f.breached for f in findings)
