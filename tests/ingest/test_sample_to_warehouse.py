"""End to end: the sample factory, ingested, must equal the generator's ground truth.

The time-model SQL below is an independent re-statement of KPIS.md (shift windows in
plant-local time, states clipped to them, gaps as UNKNOWN), written for this test only.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest import ingest_inbox
from tests.conftest import SAMPLE_END, SAMPLE_START

STATE_COLUMNS = {
    "RUNNING": "running_s",
    "SETUP": "setup_s",
    "UNPLANNED_STOP": "unplanned_stop_s",
    "MINOR_STOP": "minor_stop_s",
    "STARVED": "starved_s",
    "BLOCKED": "blocked_s",
    "PLANNED_STOP": "planned_stop_s",
    "NOT_SCHEDULED": "not_scheduled_s",
}

SHIFT_WINDOWS_SQL = """
with shifts as (
    select * from raw.shifts
    qualify row_number() over (partition by plant_id, shift_code
                               order by _load_id desc, _source_row desc) = 1
),
equipment as (
    select * from raw.equipment
    qualify row_number() over (partition by equipment_id
                               order by _load_id desc, _source_row desc) = 1
),
days as (
    select unnest(generate_series($first - 1, $last, interval 1 day))::date as production_date
),
windows as (
    select
        e.equipment_id,
        d.production_date,
        d.production_date + s.start_time::time as shift_start,
        d.production_date + s.end_time::time
            + case when s.end_time::time <= s.start_time::time then interval 1 day
                   else interval 0 day end as shift_end
    from equipment as e
    join shifts as s on s.plant_id = e.plant_id
    cross join days as d
),
"""

TIME_MODEL_SQL = (
    SHIFT_WINDOWS_SQL
    + """
states as (
    select equipment_id, start_ts, coalesce(end_ts, start_ts) as end_ts, state
    from raw.equipment_states
    qualify row_number() over (partition by equipment_id, start_ts
                               order by _load_id desc, _source_row desc) = 1
),
coverage as (
    select equipment_id, min(start_ts) as first_ts, max(end_ts) as last_ts
    from states group by all
),
clipped as (
    select
        w.equipment_id,
        w.production_date,
        greatest(w.shift_start, c.first_ts) as window_start,
        least(w.shift_end, c.last_ts) as window_end
    from windows as w
    join coverage as c using (equipment_id)
    where least(w.shift_end, c.last_ts) > greatest(w.shift_start, c.first_ts)
),
state_seconds as (
    select
        w.equipment_id,
        w.production_date,
        s.state,
        sum(epoch(least(w.window_end, s.end_ts) - greatest(w.window_start, s.start_ts)))
            as seconds
    from clipped as w
    join states as s
        on s.equipment_id = w.equipment_id
        and s.start_ts < w.window_end
        and s.end_ts > w.window_start
    group by all
),
shift_seconds as (
    select equipment_id, production_date, sum(epoch(window_end - window_start)) as shift_seconds
    from clipped group by all
)
select
    sh.equipment_id,
    sh.production_date,
    sh.shift_seconds,
    ss.state,
    coalesce(ss.seconds, 0) as seconds
from shift_seconds as sh
left join state_seconds as ss using (equipment_id, production_date)
where sh.production_date between $first and $last
"""
)

QUANTITY_SQL = (
    SHIFT_WINDOWS_SQL
    + """
reports as (
    select * from raw.production_reports
    qualify row_number() over (partition by report_id order by _load_id desc, _source_row desc) = 1
)
select
    w.equipment_id,
    w.production_date,
    sum(r.produced_qty) as produced_qty,
    sum(r.good_qty) as good_qty,
    sum(r.scrap_qty) as scrap_qty,
    sum(r.rework_qty) as rework_qty
from reports as r
join windows as w
    on w.equipment_id = r.equipment_id
    and r.end_ts > w.shift_start
    and r.end_ts <= w.shift_end
where w.production_date between $first and $last
group by all
"""
)


def _read(warehouse: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(
            sql.replace("$first", f"date '{SAMPLE_START}'").replace("$last", f"date '{SAMPLE_END}'")
        ).pl()


@pytest.fixture(scope="module")
def truth(sample_inbox: Path) -> pl.DataFrame:
    return pl.read_parquet(sample_inbox / "_truth" / "equipment_day.parquet")


def test_every_file_landed_and_every_row_accounted_for(landed_warehouse) -> None:
    warehouse, report = landed_warehouse
    assert report.results, "the sample inbox produced no files"
    assert not report.rejected, [r.message for r in report.rejected]
    assert {r.status for r in report.results} == {"landed"}
    for result in report.results:
        assert result.rows_read == result.rows_landed + result.rows_quarantined, result.file
    with duckdb.connect(str(warehouse), read_only=True) as con:
        log = con.sql(
            "select load_id, entity, rows_read, rows_landed, rows_quarantined "
            "from ingest.load_log where status = 'LANDED'"
        ).pl()
        assert (log["rows_read"] == log["rows_landed"] + log["rows_quarantined"]).all()
        for entity in log["entity"].unique():
            landed = con.sql(
                f"select _load_id as load_id, count(*) as n from raw.{entity} group by 1"
            ).pl()
            expected = log.filter(pl.col("entity") == entity).select("load_id", "rows_landed")
            merged = expected.join(landed, on="load_id", how="left").fill_null(0)
            assert (merged["rows_landed"] == merged["n"]).all(), entity
        quarantined = con.sql(
            "select load_id, count(*) as n from ingest.quarantine group by 1"
        ).pl()
        merged = log.join(quarantined, on="load_id", how="left").fill_null(0)
        assert (merged["rows_quarantined"] == merged["n"]).all()


def test_quarantine_holds_exactly_the_manifest_bad_rows(
    sample_inbox: Path, landed_warehouse
) -> None:
    warehouse, _ = landed_warehouse
    manifest = json.loads((sample_inbox / "_manifest" / "bad_rows.json").read_text())
    bad = {(m["file"], m["row"]): m for m in manifest if not m["lands"]}
    assert len(bad) >= 8
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.sql(
            'select file, source_row, "column", reason from ingest.quarantine'
        ).fetchall()
        assert {(file, row) for file, row, _, _ in rows} == set(bad)
        for file, row, column, reason in rows:
            expected = bad[(file, row)]
            if expected["column"]:
                assert expected["column"] in f"{column} {reason}", (file, row, reason)
        for m in manifest:
            if m["lands"]:
                entity = m["file"].split("/")[1]
                found = con.execute(
                    f"select count(*) from raw.{entity} where _source_file = ? and _source_row = ?",
                    [m["file"], m["row"]],
                ).fetchone()[0]
                assert found == 1, m


def test_state_seconds_match_ground_truth(landed_warehouse, truth: pl.DataFrame) -> None:
    warehouse, _ = landed_warehouse
    long = _read(warehouse, TIME_MODEL_SQL)
    wide = (
        long.filter(pl.col("state").is_not_null())
        .pivot(
            on="state",
            index=["equipment_id", "production_date", "shift_seconds"],
            values="seconds",
            aggregate_function="sum",
        )
        .join(
            long.select("equipment_id", "production_date", "shift_seconds").unique(),
            on=["equipment_id", "production_date", "shift_seconds"],
            how="right",
        )
    )
    for state, column in STATE_COLUMNS.items():
        if state not in wide.columns:
            wide = wide.with_columns(pl.lit(0.0).alias(state))
        wide = wide.rename({state: column})
    wide = wide.fill_null(0).with_columns(
        unknown_s=pl.col("shift_seconds") - pl.sum_horizontal(list(STATE_COLUMNS.values()))
    )
    columns = ["shift_seconds", *STATE_COLUMNS.values(), "unknown_s"]
    expected = truth.filter(pl.col("shift_seconds") > 0).select(
        "equipment_id", "production_date", *columns
    )
    actual = wide.filter(pl.col("shift_seconds") > 0).select(
        "equipment_id", "production_date", *columns
    )
    joined = expected.join(
        actual, on=["equipment_id", "production_date"], how="full", suffix="_landed", coalesce=True
    )
    assert joined.height == expected.height == actual.height
    for column in columns:
        diff = joined.filter(
            (pl.col(column).cast(pl.Float64) - pl.col(f"{column}_landed").cast(pl.Float64)).abs()
            > 1e-6
        )
        assert diff.is_empty(), (column, diff.head(5))
    assert truth["unknown_s"].sum() > 0, "the sample should contain data gaps"


def test_quantities_match_ground_truth(landed_warehouse, truth: pl.DataFrame) -> None:
    warehouse, _ = landed_warehouse
    actual = _read(warehouse, QUANTITY_SQL)
    columns = ["produced_qty", "good_qty", "scrap_qty", "rework_qty"]
    expected = truth.filter(pl.col("produced_qty") > 0).select(
        "equipment_id", "production_date", *columns
    )
    joined = expected.join(
        actual, on=["equipment_id", "production_date"], how="full", suffix="_landed", coalesce=True
    ).fill_null(0)
    assert joined.height == expected.height
    for column in columns:
        diff = joined.filter(
            (pl.col(column).cast(pl.Float64) - pl.col(f"{column}_landed").cast(pl.Float64)).abs()
            > 1e-6
        )
        assert diff.is_empty(), (column, diff.head(5))


def test_site_mapping_lands_haiphong_states(landed_warehouse) -> None:
    warehouse, _ = landed_warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        hp = con.execute(
            "select count(*), count(equipment_id) from raw.equipment_states "
            "where _source_file like 'mes/equipment_states/HP_%'"
        ).fetchone()
    assert hp[0] > 0 and hp[0] == hp[1]


def test_second_run_skips_everything(landed_warehouse, tmp_path: Path, sample_inbox: Path) -> None:
    warehouse, first = landed_warehouse
    copy = tmp_path / "again.duckdb"
    shutil.copy(warehouse, copy)
    again = ingest_inbox(sample_inbox, copy)
    assert {r.status for r in again.results} == {"skipped"}
    assert len(again.results) == len(first.results)
    with duckdb.connect(str(copy), read_only=True) as con:
        landed = con.execute("select count(*) from raw.production_reports").fetchone()[0]
        logged = con.execute("select count(*) from ingest.load_log").fetchone()[0]
    assert landed == sum(r.rows_landed for r in first.results if r.entity == "production_reports")
    assert logged == len(first.results)
