"""The SPC alert judges with the shared control chart (metrics.spc): on the same data its
limits and broken rules are exactly those of the Quality page's chart.

A bore diameter measured once a day from 2026-09-21 to 09-30 (the baseline), alternating
10.0 and 10.2, then three times on 2026-10-01 (the evaluated day): 10.5, 10.5, 10.7.
  baseline: centre 10.1; moving ranges all 0.2, so σ = 0.2 / 1.128 = 0.177305,
            UCL = 10.631915, LCL = 9.568085
  z of the day's points: 2.256, 2.256, 3.384
  → rule 2 (two of three beyond 2σ) on the 2nd and 3rd point, rule 1 (beyond 3σ) on the 3rd;
    rule 3 needs four of five beyond 1σ (there are three), rule 4 eight above the centre.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from app.reports.alerts import find, parse_rules, period_for
from metrics.registry import load_registry
from metrics.scope import Scope
from metrics.spc import spc_chart
from tests.metrics.factory import build_warehouse, inspection

DAY = date(2026, 10, 1)
BASELINE = [10.0, 10.2] * 5
IN_DAY = [10.5, 10.5, 10.7]


def _measurements() -> list[dict]:
    rows = []
    for i, value in enumerate(BASELINE):
        day = date(2026, 9, 21) + timedelta(days=i)
        rows.append(
            inspection(
                100 + i,
                "SZ-L2-M1",
                day.isoformat(),
                "FG-100",
                "bore_diameter",
                value,
                9.0,
                11.0,
                True,
            )
        )
    for i, value in enumerate(IN_DAY):
        row = inspection(
            200 + i, "SZ-L2-M1", DAY.isoformat(), "FG-100", "bore_diameter", value, 9.0, 11.0, True
        )
        row["inspected_at"] = datetime(2026, 10, 1, 8 + i, 0)
        rows.append(row)
    # another plant's series on the same product and characteristic: its own chart
    for i, value in enumerate([10.0, 10.4]):
        rows.append(
            inspection(
                300 + i,
                "DG-L1-M1",
                DAY.isoformat(),
                "FG-100",
                "bore_diameter",
                value,
                9.0,
                11.0,
                True,
            )
        )
    return rows


@pytest.fixture(scope="module")
def spc_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_warehouse(tmp_path_factory.mktemp("spc") / "andon.duckdb")
    columns = load_registry().facts["fct_inspections"].columns
    con = duckdb.connect(str(path))
    con.executemany(
        f"insert into marts.fct_inspections ({', '.join(columns)}) "
        f"values ({', '.join('?' for _ in columns)})",
        [[row[c] for c in columns] for row in _measurements()],
    )
    con.close()
    return path


def _findings(path: Path, rules: list[int] | None = None, day: date = DAY):  # noqa: ANN202
    """The SPC findings for `day` (the as-of date is the day after)."""
    condition = {"type": "spc", **({"rules": rules} if rules else {})}
    spec = {"name": "spc", "metric": "cpk", "scope": ["plant"], "condition": condition}
    alert = parse_rules({"rules": [spec]})[0]
    con = duckdb.connect(str(path), read_only=True)
    try:
        period = period_for(alert, day + timedelta(days=1))
        return {f.entity: f for f in find(alert, con, period, scope=Scope.all())}
    finally:
        con.close()


BORE = "plant=SZ/product=FG-100/characteristic=bore_diameter"


def test_spc_alert_limits_and_rules_by_hand(spc_file: Path) -> None:
    finding = _findings(spc_file)[BORE]
    assert finding.breached and finding.first == 10 and finding.value == 10.7
    assert finding.detail == (
        "Last measurement 10.700, Western Electric rules broken: 1 point beyond 3σ, "
        "2 of 3 points beyond 2σ on one side"
    )
    assert finding.verdict.rules == (1, 2)
    limits = finding.chart.limits
    assert limits.centre == pytest.approx(10.1)
    assert limits.sigma == pytest.approx(0.2 / 1.128)
    assert (limits.ucl, limits.lcl) == (pytest.approx(10.631915), pytest.approx(9.568085))
    assert finding.chart.hits[10:] == [[], [2], [1, 2]]
    assert finding.label == "Suzhou Plant · Power module · bore_diameter"  # names where known
    assert finding.keys == (
        ("plant", "SZ"),
        ("product", "FG-100"),
        ("characteristic", "bore_diameter"),
    )
    assert finding.plant == "SZ"


def test_spc_alert_checks_only_the_rules_it_names(spc_file: Path) -> None:
    one = _findings(spc_file, rules=[1])[BORE].detail
    assert one == "Last measurement 10.700, Western Electric rules broken: 1 point beyond 3σ"
    calm = _findings(spc_file, rules=[3, 4])[BORE]
    assert (calm.breached, calm.detail) == (False, "Last measurement 10.700, in control")


def test_short_baseline_uses_all_points(spc_file: Path) -> None:
    # DG has two points, both in the day: limits from both, 10.2 ± 3 × 0.4 / 1.128
    dg = _findings(spc_file)["plant=DG/product=FG-100/characteristic=bore_diameter"]
    assert (dg.first, dg.breached, dg.detail) == (0, False, "Last measurement 10.400, in control")
    assert dg.chart.limits.centre == pytest.approx(10.2)
    assert dg.chart.limits.sigma == pytest.approx(0.4 / 1.128)
    # the factory's solder heights: 4 points before 2026-10-07, fewer than a baseline needs
    solder = _findings(spc_file, day=date(2026, 10, 7))[
        "plant=SZ/product=FG-100/characteristic=solder_height"
    ]
    assert solder.first == 4 and solder.chart.baseline == 5
    assert solder.chart.limits.centre == pytest.approx(1.04)  # mean of 1.00 … 1.08


def test_days_without_measurements_are_not_judged(spc_file: Path) -> None:
    assert BORE not in _findings(spc_file, day=date(2026, 10, 2))


def test_alert_and_quality_page_agree(spc_file: Path) -> None:
    """The Quality page's points for the same period (app/web/lists.py), charted by the
    shared core as the page does, give the alert's limits and violations."""
    from app.web.data import warehouse_key
    from app.web.lists import spc_points

    finding = _findings(spc_file)[BORE]
    # the page with plant SZ and the period 2026-10-01 chosen in the sidebar
    points = spc_points(
        warehouse_key(spc_file),
        "FG-100",
        "bore_diameter",
        (("plant_id", "SZ"),),
        DAY,
        DAY + timedelta(days=1),
        scope=Scope.all(),
    )
    values = points["measured_value"].to_list()
    first = points["in_period"].to_list().index(True)
    page = spc_chart(values, baseline=first)
    assert values == BASELINE + IN_DAY and first == finding.first
    assert page.limits == finding.chart.limits
    assert page.hits == finding.chart.hits
    assert page.broken(first) == finding.chart.broken(finding.first) == {1, 2}
