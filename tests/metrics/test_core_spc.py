"""metrics.spc: the individuals chart (sigma = MR̄ / 1.128), Western Electric rules 1–4 on
the point that completes them, limits from a baseline, and Cpk as the governed KPI."""

from __future__ import annotations

import pytest

from metrics.spc import MIN_BASELINE, Limits, cpk, limits, spc_chart, western_electric

# Baseline: 10, 12 alternating, ten points. Mean 11. Nine moving ranges of 2: MR̄ = 2,
# sigma = 2 / 1.128 = 1.773050. UCL = 11 + 3 × 1.773050 = 16.319149, LCL = 5.680851;
# 1σ above = 12.773050, 2σ above = 14.546099.
BASELINE = [10.0, 12.0] * 5
# The period (indexes 10–19), z = (x − 11) / 1.773050:
#   10: 17.0  z 3.384  beyond 3σ                                   -> rule 1
#   11: 11.0  z 0      on the centre line (breaks any run)
#   12: 15.0  z 2.256  with 17.0 two of three beyond 2σ above       -> rule 2
#   13: 13.0  z 1.128  window 9–13 has 17, 15, 13 beyond 1σ: three
#   14: 13.5  z 1.410  window 10–14: 17, 15, 13, 13.5 beyond 1σ    -> rule 3
#   15–19: 12.0, 12.5, 11.5, 12.2, 11.8 all above 11, inside 1σ
#   19: indexes 12–19 eight in a row above the centre line          -> rule 4
PERIOD = [17.0, 11.0, 15.0, 13.0, 13.5, 12.0, 12.5, 11.5, 12.2, 11.8]
VALUES = BASELINE + PERIOD


def test_limits_from_the_average_moving_range() -> None:
    found = limits(BASELINE)
    assert found is not None
    assert found.centre == pytest.approx(11.0)
    assert found.sigma == pytest.approx(1.773050, abs=1e-6)
    assert (found.ucl, found.lcl) == (pytest.approx(16.319149), pytest.approx(5.680851))
    # the sample standard deviation of the same points would be sqrt(10 / 9) = 1.054093
    assert found.sigma != pytest.approx(1.054093, abs=1e-3)


def test_chart_with_a_baseline_flags_each_rule_once() -> None:
    chart = spc_chart(VALUES, baseline=10)
    assert chart is not None and chart.baseline == 10
    assert chart.limits.centre == pytest.approx(11.0)
    assert chart.limits.sigma == pytest.approx(1.773050, abs=1e-6)
    expected = [[]] * 10 + [[1], [], [2], [], [3], [], [], [], [], [4]]
    assert chart.hits == expected
    assert chart.broken(10) == {1, 2, 3, 4}
    assert chart.broken(10, rules=(1, 4)) == {1, 4}
    assert chart.broken(13) == {3, 4}
    assert chart.broken(15) == {4}


def test_short_baseline_takes_all_points() -> None:
    # 5 < MIN_BASELINE: limits from all 20 points. Mean 239.5 / 20 = 11.975; moving ranges
    # 9 × 2 in the baseline, then 5, 6, 4, 2, 0.5, 1.5, 0.5, 1, 0.7, 0.4: Σ 39.6 over 19,
    # MR̄ = 2.084211, sigma = 1.847704.
    assert MIN_BASELINE == 10
    chart = spc_chart(VALUES, baseline=5)
    assert chart is not None and chart.baseline == 20
    assert chart.limits.centre == pytest.approx(11.975)
    assert chart.limits.sigma == pytest.approx(1.847704, abs=1e-6)
    assert spc_chart(VALUES).limits == chart.limits  # type: ignore[union-attr]


def test_a_rule_is_flagged_on_a_point_that_is_itself_beyond() -> None:
    # Baseline 10, 12 × 4 then 15.5, 15.6: mean 119.1 / 10 = 11.91; moving ranges 7 × 2, 3.5,
    # 0.1: MR̄ = 17.6 / 9 = 1.955556, sigma = 1.733649, 2σ above = 15.377297.
    # Indexes 8, 9 (15.5, 15.6) are beyond 2σ: rule 2 completes on index 9, in the baseline.
    # The period's one point 11.9 (z −0.006) is in control: the window ending on it holds
    # two points beyond 2σ, but neither is in the period, so the period broke no rule.
    values = [10.0, 12.0] * 4 + [15.5, 15.6, 11.9]
    chart = spc_chart(values, baseline=10)
    assert chart is not None
    assert chart.limits.sigma == pytest.approx(1.733649, abs=1e-6)
    assert chart.hits[9] == [2] and chart.hits[10] == []
    assert chart.broken(10) == set()


def test_rules_on_unit_limits() -> None:
    unit = Limits(0.0, 1.0)
    assert not any(western_electric([0.0, 1.0, -1.0] * 10, unit))
    assert western_electric([0, 0, 3.5], unit)[2] == [1]
    assert western_electric([0, -2.5, 0.1, -2.2], unit)[3] == [2]
    assert western_electric([0, 2.5, 2.2], unit)[1] == []  # one of two beyond only
    assert western_electric([1.5, 1.2, 0.2, 1.1, 1.3], unit)[4] == [3]
    assert western_electric([0.5] * 8, unit)[7] == [4]
    assert western_electric([0.5] * 7 + [-0.5], unit)[7] == []
    assert western_electric([0.5] * 7 + [0.0], unit)[7] == []  # on the line: no side


def test_no_chart_without_spread_or_points() -> None:
    assert spc_chart([]) is None and spc_chart([5.0]) is None
    assert spc_chart([5.0, 5.0, 5.0]) is None


def test_cpk_is_the_governed_formula() -> None:
    values = [9.0, 10.0, 11.0]  # mean 10, sample standard deviation 1
    assert cpk(values, 7.0, 16.0) == pytest.approx(1.0)  # min(6, 3) / 3
    assert cpk(values, None, 16.0) == pytest.approx(2.0)  # 6 / 3
    assert cpk(values, 8.5, None) == pytest.approx(0.5)  # 1.5 / 3
    assert cpk(values, None, None) is None and cpk([1.0], 0, 2) is None
    assert cpk([4.0, 4.0], 0, 10) is None


def test_cpk_matches_the_metrics_layer(con) -> None:
    """The Quality page's fallback Cpk and the governed KPI agree on the factory's rows."""
    import metrics

    rows = con.execute(
        "select measured_value, lsl, usl from marts.fct_inspections where product_id = 'FG-100'"
        " and characteristic = 'solder_height' and measured_value is not null"
        " and inspected_date >= '2026-10-01' and inspected_date < '2026-11-01'"
        " order by inspected_at"
    ).fetchall()
    values = [float(r[0]) for r in rows]
    governed = metrics.query(
        ["cpk"],
        by=["product", "characteristic"],
        where={"product": ["FG-100"], "characteristic": ["solder_height"]},
        start="2026-10-01",
        end="2026-11-01",
        con=con,
        scope=metrics.Scope.all(),
    )
    # 0.14 / (3 × 0.0316228) = 1.4757296 (tests/metrics/test_query.py)
    assert cpk(values, rows[-1][1], rows[-1][2]) == pytest.approx(governed["cpk"][0])
    assert governed["cpk"][0] == pytest.approx(1.4757295747)
