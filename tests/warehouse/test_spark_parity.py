"""The same dbt project on Apache Spark gives the marts and KPIs DuckDB gives.

A three-day slice of the sample factory is landed once and built twice, with
`build_warehouse(engine="duckdb")` and `build_warehouse(engine="spark")` (a local Spark
session, dbt-spark's session method). Every mart must be equal row for row (doubles to
1e-9) and every KPI of the registry, asked through the metrics layer of each published
build (the Spark one answers through Spark: warehouse/spark_read.py), must be equal too.
Then one more day lands, with a re-delivered file that supersedes an earlier load, and both
are built incrementally: equal again. A longer slice runs with `-m spark_long` (README).
"""

from __future__ import annotations

import json
import math
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest import ingest_inbox
from metrics import Scope
from metrics.query import query as metrics_query
from metrics.registry import load_registry
from warehouse.build import build_warehouse
from warehouse.connections import connect_published

pytest.importorskip("pyspark", reason="the Spark extra is installed by ./dev")
# Four Spark builds (about 4 minutes on a quiet 2-core machine, twice that when the cores
# are shared): more than the suite's 600 s per test.
pytestmark = pytest.mark.timeout(1800)

SEED = 5
SCALE = 0.2
START = date(2026, 9, 28)


SLICES = [
    pytest.param((START, 3), id="3days"),
    # a month boundary, two ISO weeks and both plants' weekends: `-m spark_long`
    pytest.param((START, 14), id="14days", marks=pytest.mark.spark_long),
]


def _rows(con, table: str) -> tuple[list[str], list[tuple]]:  # noqa: ANN001 - DuckDB or reader
    """A mart's columns by name and its rows in one order (the engines sort NULLs apart)."""
    relation = con.sql(f"select * from marts.{table}")
    columns = sorted(relation.columns)
    places = [relation.columns.index(c) for c in columns]
    rows = [tuple(_plain(row[i]) for i in places) for row in relation.fetchall()]
    return columns, sorted(rows, key=lambda row: [_sort_key(v) for v in row])


def _plain(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


def _sort_key(value: object) -> tuple:
    if value is None:
        return (0, "")
    if isinstance(value, float | int):
        return (1, round(float(value), 6))
    return (2, str(value))


def _same(left: object, right: object) -> bool:
    if isinstance(left, float | int) and isinstance(right, float | int):
        return math.isclose(float(left), float(right), rel_tol=1e-9, abs_tol=1e-9)
    return left == right


def _differences(duck: Path, spark: Path) -> dict[str, str]:
    """Mart -> what differs, comparing the two published builds table by table."""
    found = {}
    with duckdb.connect(str(duck), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables"
                " where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        duck_rows = {table: _rows(con, table) for table in tables}
    reader = connect_published(spark)
    try:
        for table in tables:
            columns, rows = duck_rows[table]
            spark_columns, spark_rows = _rows(reader, table)
            if columns != spark_columns:
                found[table] = f"columns {sorted(set(columns) ^ set(spark_columns))}"
            elif len(rows) != len(spark_rows):
                found[table] = f"{len(rows)} rows on DuckDB, {len(spark_rows)} on Spark"
            else:
                for left, right in zip(rows, spark_rows, strict=True):
                    if not all(_same(a, b) for a, b in zip(left, right, strict=True)):
                        found[table] = f"first different row: {left} vs {right}"
                        break
    finally:
        reader.close()
    return found


def _kpis(published: Path) -> dict[str, list[dict]]:
    """Every KPI of the registry by day (those with a plant dimension by plant too, Cpk per
    product and characteristic), and the OEE family by line and week: a few requests of
    many metrics each, as a dashboard asks them."""
    registry = load_registry()
    metrics = sorted(registry.metrics.items())
    requests = {
        "by plant": (
            [n for n, m in metrics if m.kind != "cpk" and "plant" in m.dimensions],
            ["plant"],
            "day",
        ),
        "overall": (
            [n for n, m in metrics if m.kind != "cpk" and "plant" not in m.dimensions],
            [],
            "day",
        ),
        "cpk": ([n for n, m in metrics if m.kind == "cpk"], ["product", "characteristic"], None),
        "oee by line": (["oee", "availability", "performance", "quality"], ["line"], "week"),
    }
    answers = {}
    con = connect_published(published)
    try:
        for label, (names, by, grain) in requests.items():
            if not names:
                continue
            frame = metrics_query(
                names, by=by, grain=grain, con=con, registry=registry, scope=Scope.all()
            )
            answers[label] = frame.sort(frame.columns).to_dicts()
    finally:
        con.close()
    assert answers["by plant"] and answers["oee by line"]
    return answers


def _kpi_differences(duck: dict, spark: dict) -> list[str]:
    different = []
    for name, rows in duck.items():
        others = spark[name]
        same = len(rows) == len(others) and all(
            a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
            for a, b in zip(rows, others, strict=True)
        )
        if not same:
            different.append(f"{name}: {rows[:2]} vs {others[:2]}")
    return different


def _redeliver(inbox: Path, day: date) -> None:
    """`day`'s production reports again, one quantity revised and one row left out."""
    path = inbox / "mes" / "production_reports" / f"production_reports_{day}.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    rows[0]["good_qty"] -= 1
    rows[0]["scrap_qty"] += 1
    path.write_text("".join(json.dumps(r) + "\n" for r in rows[:2] + rows[3:]))


def _build(path: Path, engine: str):  # noqa: ANN202 - BuildResult
    result = build_warehouse(path, engine=engine)
    assert result.passed, (engine, result.error, [(n.name, n.message) for n in result.failures])
    return result


@pytest.fixture(scope="module", params=SLICES)
def engines(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    from ingest.sample import generate_sample

    start, days = request.param
    end = start + timedelta(days=days - 1)
    root = tmp_path_factory.mktemp("spark-parity")
    inbox, spare = root / "inbox", root / "spare"
    duck, spark = root / "duckdb" / "andon.duckdb", root / "spark" / "andon.duckdb"
    generate_sample(inbox, seed=SEED, start=start, end=end, scale=SCALE)
    ingest_inbox(inbox, duck)
    spark.parent.mkdir()
    shutil.copyfile(duck, spark)
    full = {"duckdb": _build(duck, "duckdb"), "spark": _build(spark, "spark")}
    first = {
        "marts": _differences(full["duckdb"].published, full["spark"].published),
        "kpis": _kpi_differences(_kpis(full["duckdb"].published), _kpis(full["spark"].published)),
    }
    # one more day (the generator is prefix-stable) and an earlier day re-delivered
    generate_sample(spare, seed=SEED, start=start, end=end + timedelta(days=1), scale=SCALE)
    shutil.copytree(spare, inbox, dirs_exist_ok=True)
    _redeliver(inbox, start + timedelta(days=1))
    for path in (duck, spark):
        report = ingest_inbox(inbox, path)
        assert any("supersedes" in (r.message or "") for r in report.results)
    incremental = {"duckdb": _build(duck, "duckdb"), "spark": _build(spark, "spark")}
    second = {
        "marts": _differences(incremental["duckdb"].published, incremental["spark"].published),
        "kpis": _kpi_differences(
            _kpis(incremental["duckdb"].published), _kpis(incremental["spark"].published)
        ),
    }
    # nothing new: published again from the snapshot's files, no Spark node runs
    unchanged = _build(spark, "spark")
    third = _differences(incremental["duckdb"].published, unchanged.published)
    yield {
        "full": full,
        "incremental": incremental,
        "first": first,
        "second": second,
        "unchanged": unchanged,
        "third": third,
    }
    from warehouse.spark import running_session

    session = running_session()
    if session is not None:
        session.stop()  # this worker's other tests do not need its memory


def test_spark_full_build_gives_duckdbs_marts(engines):
    assert engines["full"]["spark"].engine == "spark"
    assert engines["full"]["spark"].count("model") == engines["full"]["duckdb"].count("model")
    assert engines["first"]["marts"] == {}


def test_spark_full_build_gives_duckdbs_kpis(engines):
    assert engines["first"]["kpis"] == []


def test_spark_incremental_build_gives_duckdbs_marts_and_kpis(engines):
    assert not engines["incremental"]["spark"].full_refresh
    assert engines["second"]["marts"] == {}
    assert engines["second"]["kpis"] == []


def test_a_build_with_nothing_new_publishes_the_same_marts_without_spark(engines):
    unchanged = engines["unchanged"]
    assert (
        unchanged.nodes == [] and unchanged.published != engines["incremental"]["spark"].published
    )
    assert engines["third"] == {}
    snapshot = next(unchanged.published.parent.glob(f"spark-{unchanged.build_id}"))
    files = list(snapshot.rglob("*.parquet"))
    assert files and all(f.stat().st_nlink >= 2 for f in files)  # the previous snapshot's


def test_readers_of_a_spark_build_query_spark(engines):
    from warehouse.spark_read import SparkReader

    reader = connect_published(engines["incremental"]["spark"].published)
    try:
        assert isinstance(reader, SparkReader)
        # a mart statement is sent to Spark against the published snapshot ...
        spark_sql = reader.spark_sql("select count(*) from marts.fct_production")
        assert "parquet.`" in spark_sql and "/spark-" in spark_sql
        # ... the ingest log and build records stay in Andon's own file
        assert reader.spark_sql("select count(*) from ingest.load_log") is None
        (engine,) = reader.execute(
            "select engine from andon_meta.build_log order by started_at desc limit 1"
        ).fetchone()
        assert engine == "spark"
    finally:
        reader.close()
