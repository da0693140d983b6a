"""How a published Spark build is read: which statements go to Spark, and as what SQL.

Pure routing and rendering (no Spark session): tests/warehouse/test_spark_parity.py runs
the same reader against a real Spark build.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from warehouse.spark_read import SparkReader

SNAPSHOT = "/plant/published/spark-20261201T000000Z"


@pytest.fixture
def reader():
    with SparkReader(duckdb.connect(), snapshot=SNAPSHOT, lake=Path("/plant/spark")) as opened:
        yield opened


def _spark_tree(sql: str) -> exp.Expression:
    return sqlglot.parse_one(sql, read="spark")


def test_a_mart_is_read_from_the_published_snapshot_under_its_own_name(reader):
    sql = reader.spark_sql("select count(*) from marts.fct_production")
    (table,) = _spark_tree(sql).find_all(exp.Table)
    assert table.db == "parquet"
    assert table.name == f"{SNAPSHOT}/marts/fct_production"
    assert table.alias == "fct_production"  # so fct_production.col still resolves


def test_an_alias_is_kept_and_every_mart_of_a_join_is_rewritten(reader):
    sql = reader.spark_sql(
        "select p.plant_id, sum(f.good_qty) from marts.fct_production as f"
        " join marts.dim_plant as p using (plant_id) group by 1"
    )
    tables = {t.alias: t.name for t in _spark_tree(sql).find_all(exp.Table)}
    assert tables == {
        "f": f"{SNAPSHOT}/marts/fct_production",
        "p": f"{SNAPSHOT}/marts/dim_plant",
    }


def test_statements_without_a_mart_stay_in_duckdb(reader):
    assert reader.spark_sql("select count(*) from ingest.load_log") is None
    assert reader.spark_sql("with marts as (select 1 as x) select x from marts") is None
    assert reader.spark_sql("select table_name from information_schema.tables") is None
    assert reader.execute("select 40 + 2").fetchone() == (42,)


def test_parameters_reach_spark_only_as_literals(reader):
    hostile = "SZ' or '1' = '1"
    sql = reader.spark_sql("select * from marts.dim_plant where plant_id = ?", [hostile])
    (literal,) = _spark_tree(sql).find_all(exp.Literal)
    assert literal.this == hostile and literal.is_string
    sql = reader.spark_sql(
        "select * from marts.dim_plant where list_contains($plants, plant_id)",
        {"plants": ["SZ", "DG"]},
    )
    assert {lit.this for lit in _spark_tree(sql).find_all(exp.Literal)} == {"SZ", "DG"}


def test_duckdb_dialect_is_rendered_as_spark_sql(reader):
    sql = reader.spark_sql(
        "select date_trunc('week', \"day\") as period, count(*) filter (where ok) as n"
        " from marts.fct_production group by all"
    )
    assert "DATE_TRUNC('WEEK'" in sql and "`day`" in sql
