"""Compiling requests: one statement, literals only, actionable errors."""

from __future__ import annotations

import time

import pytest
import sqlglot

import metrics
from metrics import MetricError, MetricQuery
from metrics.compiler import build_select

OCT = {"start": "2026-10-01", "end": "2026-11-01"}
ALL = metrics.Scope.all()


def test_compile_is_one_duckdb_statement() -> None:
    sql = metrics.compile(
        ["oee", "defect_ppm"],
        by=["line"],
        where={"plant": ["SZ"]},
        grain="week",
        compare="previous",
        **OCT,
        scope=ALL,
    )
    statements = sqlglot.parse(sql, read="duckdb")
    assert len(statements) == 1
    assert "DATE_TRUNC('WEEK', production_date)" in sql
    assert "production_date >= CAST('2026-10-01' AS DATE)" in sql
    assert "production_date < CAST('2026-11-01' AS DATE)" in sql
    assert "plant_id IN ('SZ')" in sql
    assert "NULLIF(" in sql


def test_each_side_of_a_cross_fact_ratio_uses_its_own_time_column() -> None:
    sql = metrics.compile(["defect_ppm"], by=["line"], **OCT, scope=ALL)
    assert "FROM marts.fct_inspections" in sql and "inspected_date >=" in sql
    assert "FROM marts.fct_production" in sql and "production_date >=" in sql


def test_shared_aggregates_are_computed_once() -> None:
    sql = metrics.compile(["oee", "availability"], **OCT, scope=ALL)
    assert sql.count("SUM(pbt_s)") == 1


def test_compile_is_fast() -> None:
    registry = metrics.load_registry()
    query = MetricQuery.build(
        ["oee", "availability", "performance", "quality"], by=["line"], grain="day", **OCT
    )
    build_select(query, registry, ALL)
    started = time.perf_counter()
    for _ in range(10):
        build_select(query, registry, ALL).sql(dialect="duckdb")
    assert (time.perf_counter() - started) / 10 < 0.05


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (dict(metrics=["oeee"]), "Unknown metric 'oeee'. Known metrics:"),
        (dict(metrics=["oee"], by=["galaxy"]), "Unknown dimension 'galaxy'"),
        (
            dict(metrics=["oee"], by=["customer"]),
            "Metric 'oee' cannot be grouped by 'customer': it allows plant, line, equipment, shift",
        ),
        (
            dict(metrics=["on_time_delivery"], where={"line": ["SZ-L1"]}),
            "Metric 'on_time_delivery' cannot be filtered by 'line'",
        ),
        (dict(metrics=["oee"], start="2026-13-01"), "start='2026-13-01' is not a date"),
        (dict(metrics=["oee"], start="2026-11-01", end="2026-10-01"), "must be before end"),
        (dict(metrics=["oee"], grain="fortnight"), "Unknown grain 'fortnight'"),
        (dict(metrics=["oee"], compare="yesterday"), "Unknown comparison 'yesterday'"),
        (dict(metrics=["oee"], compare="previous_period"), "needs both start and end"),
        (dict(metrics=["cpk"], by=["product"]), "add by=['characteristic']"),
        (
            dict(metrics=["days_of_inventory"], start="2026-10-01"),
            "divides by the days in the period",
        ),
        (dict(metrics=[]), "Ask for at least one metric"),
        (dict(metrics=["oee"], lang="fr"), "Unknown language 'fr'"),
        (dict(metrics=["oee"], where={"plant": []}), "where['plant'] is empty"),
        (dict(metrics=["oee"], by=["month", "week"]), "Two time grains"),
    ],
)
def test_bad_requests_raise_metric_error(request_: dict, message: str) -> None:
    with pytest.raises(MetricError) as caught:
        metrics.compile(**request_)
    assert message in str(caught.value)


def test_a_grain_name_in_by_sets_the_grain() -> None:
    query = MetricQuery.build("oee,availability", by=["line", "month"])
    assert query.grain == "month" and query.by == ("line",)
    assert query.metrics == ("oee", "availability")


def test_identifiers_in_filters_cannot_be_injected() -> None:
    with pytest.raises(MetricError, match="Unknown dimension"):
        metrics.compile(["oee"], where={"plant_id = plant_id or 1": ["x"]})
