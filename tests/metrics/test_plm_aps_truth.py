"""The planning and engineering-change KPIs of the built sample, through the metrics layer,
against the generator's ground truth (ingest/sample/plan_truth.py, change_truth.py: computed in
Python from what the sample wrote, independently of dbt and the compiler)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import metrics

ALL = metrics.Scope.all()
PERIOD = {"start": "2026-09-01", "end": "2026-11-01"}  # the whole sample (2026-09-28..10-11)


def truth(inbox: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(inbox / "_truth" / f"{name}.parquet")


def ask(warehouse: Path, names: list[str], **request) -> pl.DataFrame:
    return metrics.query(names, warehouse=warehouse, scope=ALL, **request)


def differences(expected: pl.DataFrame, got: pl.DataFrame, keys: list[str], columns: list[str]):
    """Rows whose value differs (beyond 1e-9 relative) or that only one side has."""
    joined = expected.join(got, on=keys, how="full", suffix="_got", coalesce=True, nulls_equal=True)
    wrong = []
    for column in columns:
        want, have = pl.col(column).cast(pl.Float64), pl.col(f"{column}_got").cast(pl.Float64)
        both_null = want.is_null() & have.is_null()
        close = (want - have).abs() <= 1e-9 * pl.max_horizontal(want.abs(), have.abs(), 1.0)
        bad = joined.filter(~(both_null | close.fill_null(False)))
        if bad.height:
            wrong.append((column, bad.height, bad.head(3)))
    return wrong


def test_planned_qty_by_line_product_and_day(sample_inbox: Path, built_warehouse: Path) -> None:
    expected = truth(sample_inbox, "plan_line_day").rename({"date": "period"})
    got = ask(built_warehouse, ["planned_qty"], by=["line", "product"], grain="day", **PERIOD)
    got = got.filter(pl.col("planned_qty") > 0)
    keys = ["line_id", "product_id", "period"]
    assert expected.height > 100
    assert differences(expected.select(*keys, "planned_qty"), got, keys, ["planned_qty"]) == []


def test_plan_attainment_by_line_and_day(sample_inbox: Path, built_warehouse: Path) -> None:
    expected = truth(sample_inbox, "plan_attainment").rename({"date": "period"})
    # a line-day with neither plan nor production (a holiday) has no row in the mart
    expected = expected.filter((pl.col("planned_qty") > 0) | (pl.col("good_qty") > 0))
    got = ask(
        built_warehouse, ["planned_qty", "plan_attainment"], by=["line"], grain="day", **PERIOD
    )
    keys = ["line_id", "period"]
    columns = ["planned_qty", "plan_attainment"]
    assert expected.height > 100
    assert differences(expected.select(*keys, *columns), got, keys, columns) == []


def test_the_nervous_plant_attains_less(built_warehouse: Path) -> None:
    got = ask(built_warehouse, ["plan_attainment", "schedule_change_rate"], by=["plant"], **PERIOD)
    rows = {r["plant_id"]: r for r in got.to_dicts()}
    assert rows["DG"]["schedule_change_rate"] > 5 * max(
        rows["SZ"]["schedule_change_rate"], rows["HP"]["schedule_change_rate"]
    )
    assert rows["DG"]["plan_attainment"] < min(
        rows["SZ"]["plan_attainment"], rows["HP"]["plan_attainment"]
    )


def test_schedule_change_rate_by_plant_and_day(sample_inbox: Path, built_warehouse: Path) -> None:
    versions = truth(sample_inbox, "schedule_versions").filter(pl.col("window_ops").is_not_null())
    expected = (
        versions.with_columns(period=pl.col("published_at").dt.date())
        .group_by("plant_id", "period")
        .agg(changed=pl.col("changed_ops").sum(), window=pl.col("window_ops").sum())
        .filter(pl.col("window") > 0)  # versions with an empty window: no rate (NULL)
        .select("plant_id", "period", schedule_change_rate=pl.col("changed") / pl.col("window"))
    )
    got = ask(built_warehouse, ["schedule_change_rate"], by=["plant"], grain="day", **PERIOD)
    got = got.filter(pl.col("schedule_change_rate").is_not_null())
    keys = ["plant_id", "period"]
    assert expected.height > 20
    assert differences(expected, got, keys, ["schedule_change_rate"]) == []


def test_engineering_change_kpis_by_month(sample_inbox: Path, built_warehouse: Path) -> None:
    expected = truth(sample_inbox, "eco_month").rename({"month": "period"})
    names = ["eco_approval_days", "eco_effect_days", "open_ecos"]
    got = ask(built_warehouse, names, grain="month", **PERIOD)
    # a month without approvals has no approval time (NULL); the truth's open count is 0 then
    expected = expected.with_columns(pl.col("open_ecos").cast(pl.Float64))
    got = got.with_columns(pl.col("open_ecos").fill_null(0))
    assert differences(expected.select("period", *names), got, ["period"], names) == []
    assert expected["open_ecos"].sum() > 0


def test_superseded_revision_share_by_line_and_day(
    sample_inbox: Path, built_warehouse: Path
) -> None:
    expected = truth(sample_inbox, "superseded_line_day").rename({"date": "period"})
    got = ask(built_warehouse, ["superseded_revision_share"], by=["line"], grain="day", **PERIOD)
    keys = ["line_id", "period"]
    column = ["superseded_revision_share"]
    assert expected.height > 50
    assert differences(expected.select(*keys, *column), got, keys, column) == []


@pytest.mark.parametrize("name", ["plan_attainment", "superseded_revision_share"])
def test_a_plant_manager_sees_the_same_numbers_for_their_plant(
    built_warehouse: Path, name: str
) -> None:
    everything = ask(built_warehouse, [name], by=["line"], **PERIOD)
    hp = metrics.query(
        [name], by=["line"], warehouse=built_warehouse, scope=metrics.Scope.of("HP"), **PERIOD
    )
    assert hp.height and set(hp["line_id"]) == {
        line for line in everything["line_id"] if line.startswith("HP-")
    }
    assert hp.to_dicts() == everything.filter(pl.col("line_id").str.starts_with("HP-")).to_dicts()
