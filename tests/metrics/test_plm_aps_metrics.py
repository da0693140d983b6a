"""The planning and engineering-change KPIs (KPIS.md "Planning (APS)", "Engineering change
(PLM)") on the hand-worked warehouse (tests/metrics/factory.py): each number is worked out by
hand in the comments beside the rows there."""

from __future__ import annotations

from datetime import date

import pytest

import metrics
from metrics import MetricError

OCT = {"start": "2026-10-01", "end": "2026-11-01"}
ALL = metrics.Scope.all()
D = date.fromisoformat


def rows(con, names: list[str], **request) -> list[dict]:
    return metrics.query(names, con=con, scope=request.pop("scope", ALL), **request).to_dicts()


def values(con, name: str, key: str, **request) -> dict:
    return {r[key]: r[name] for r in rows(con, [name], **request)}


def test_plan_attainment_is_good_over_the_frozen_plan_by_plant(con) -> None:
    got = rows(con, ["planned_qty", "plan_attainment"], by=["plant"], **OCT)
    assert [(r["plant_id"], r["planned_qty"], r["plan_attainment"]) for r in got] == [
        ("DG", 200, pytest.approx(0.75)),
        ("SZ", 150, pytest.approx(1.1)),
    ]
    total = rows(con, ["plan_attainment"], **OCT)[0]["plan_attainment"]
    assert total == pytest.approx(315 / 350)  # the ratio of sums, not a mean of line-days


def test_plan_attainment_of_a_line_that_planned_nothing_is_null(con) -> None:
    got = values(con, "plan_attainment", "line_id", by=["line"], **OCT)
    assert got == {"DG-L1": pytest.approx(0.75), "SZ-L1": pytest.approx(155 / 150), "SZ-L2": None}


def test_plan_attainment_by_product_family_and_day(con) -> None:
    got = values(con, "plan_attainment", "product_family", by=["product_family"], **OCT)
    assert got == {"Control": pytest.approx(155 / 150), "Power": pytest.approx(160 / 200)}
    daily = values(con, "plan_attainment", "period", grain="day", where={"line": ["SZ-L1"]}, **OCT)
    assert daily == {D("2026-10-06"): pytest.approx(0.95), D("2026-10-07"): pytest.approx(1.2)}


def test_schedule_change_rate_is_a_ratio_of_sums_over_versions(con) -> None:
    got = values(con, "schedule_change_rate", "plant_id", by=["plant"], **OCT)
    assert got == {"DG": pytest.approx(0.8), "SZ": pytest.approx(0.25)}
    total = rows(con, ["schedule_change_rate"], **OCT)[0]["schedule_change_rate"]
    assert total == pytest.approx(26 / 60)


def test_schedule_change_rate_cannot_be_split_by_line(con) -> None:
    with pytest.raises(MetricError, match="cannot be grouped by 'line'"):
        rows(con, ["schedule_change_rate"], by=["line"], **OCT)


def test_change_approval_and_effect_days(con) -> None:
    got = rows(con, ["eco_approval_days", "eco_effect_days"], **OCT)[0]
    assert got["eco_approval_days"] == pytest.approx(2.75)
    assert got["eco_effect_days"] == pytest.approx((7 + 2 / 24 + 15) / 2)
    september = rows(con, ["eco_approval_days"], start="2026-09-01", end="2026-10-01")[0]
    assert september["eco_approval_days"] == pytest.approx(5.0)
    november = rows(con, ["eco_effect_days"], start="2026-11-01", end="2026-12-01")[0]
    assert november["eco_effect_days"] == pytest.approx(26 + 16 / 24)


def test_an_effective_change_without_an_approval_time_is_not_counted_as_zero_days(con) -> None:
    got = values(con, "eco_effect_days", "product_id", by=["product"], **OCT)
    assert got == {"FG-100": pytest.approx(7 + 2 / 24), "FG-200": pytest.approx(15.0)}


def test_open_changes_are_counted_at_the_period_end(con) -> None:
    by_month = values(
        con, "open_ecos", "period", grain="month", start="2026-10-01", end="2027-01-01"
    )
    assert by_month == {D("2026-10-01"): 3, D("2026-11-01"): 3}  # not 7: days are not added
    assert rows(con, ["open_ecos"], start="2026-10-01", end="2026-10-21")[0]["open_ecos"] == 4
    by_product = values(con, "open_ecos", "product_id", by=["product"], **OCT)
    assert by_product == {"FG-100": 1, "FG-200": 2}
    only = rows(con, ["open_ecos"], where={"product": ["FG-200"]}, **OCT)
    assert only[0]["open_ecos"] == 2


def test_open_changes_compared_with_the_previous_period(con) -> None:
    got = rows(con, ["open_ecos"], start="2026-11-01", end="2026-12-01", compare="previous_period")[
        0
    ]
    assert (got["open_ecos"], got["open_ecos_previous"], got["open_ecos_delta"]) == (
        3,
        3,
        0,
    )


def test_superseded_revision_share(con) -> None:
    got = values(con, "superseded_revision_share", "plant_id", by=["plant"], **OCT)
    assert got == {"DG": pytest.approx(1.0), "SZ": pytest.approx(0.2)}
    day = rows(
        con,
        ["superseded_revision_share"],
        where={"line": ["SZ-L1"]},
        start="2026-10-07",
        end="2026-10-08",
    )
    assert day[0]["superseded_revision_share"] == pytest.approx(0.4)
    assert rows(con, ["superseded_revision_share"], **OCT)[0][
        "superseded_revision_share"
    ] == pytest.approx(90 / 250)


def test_a_plant_sees_its_plan_and_every_plant_the_shared_changes(con) -> None:
    sz = metrics.Scope.of({"SZ"})
    assert values(con, "plan_attainment", "plant_id", by=["plant"], scope=sz, **OCT) == {
        "SZ": pytest.approx(1.1)
    }
    assert rows(con, ["schedule_change_rate"], scope=sz, **OCT)[0][
        "schedule_change_rate"
    ] == pytest.approx(0.25)
    # engineering changes belong to the one product master (metrics/scope.py: Shared)
    assert rows(con, ["open_ecos"], scope=sz, **OCT)[0]["open_ecos"] == 3
    assert rows(con, ["open_ecos"], scope=metrics.Scope.none(), **OCT) == []
