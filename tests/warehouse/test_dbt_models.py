"""The dbt project over a hand-made raw layer: real `dbt build` runs, hand-worked mart values.

One module-scoped warehouse is built three times (dbt start-up dominates): day one, then
one more day of extracts built incrementally, then the same raw data with --full-refresh.
The last test builds the two-week sample factory (conftest) and checks the marts against
the generator's ground truth, exactly.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.warehouse.raw_fixture import add_next_day, build_raw_fixture

REPO = Path(__file__).resolve().parents[2]
DBT = REPO / ".venv" / "bin" / "dbt"
TRUTH_COLUMNS = [
    "shift_seconds",
    "running_s",
    "setup_s",
    "unplanned_stop_s",
    "minor_stop_s",
    "starved_s",
    "blocked_s",
    "planned_stop_s",
    "not_scheduled_s",
    "unknown_s",
    "unplanned_stop_events",
    "produced_qty",
    "good_qty",
    "scrap_qty",
    "rework_qty",
    "ideal_produced_s",
    "ideal_good_s",
]


@dataclass
class DbtRun:
    returncode: int
    output: str
    results: dict[str, dict]  # unique_id -> result of run_results.json


def dbt_build(warehouse: Path, work: Path, *args: str) -> DbtRun:
    """`dbt build` against `warehouse`, with target and logs kept out of the repo."""
    env = dict(
        os.environ,
        ANDON_WAREHOUSE=str(warehouse),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
    )
    proc = subprocess.run(
        [str(DBT), "build", "--project-dir", str(REPO), "--profiles-dir", str(REPO), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    run_results = work / "target" / "run_results.json"
    results = {}
    if run_results.exists():
        for item in json.loads(run_results.read_text())["results"]:
            results[item["unique_id"]] = item
    return DbtRun(proc.returncode, proc.stdout + proc.stderr, results)


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def mart_tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every mart table's rows (lineage columns `_*` left out), in a stable order."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
                " order by table_name"
            ).fetchall()
        ]
        out = {}
        for table in tables:
            cols = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = 'marts' and table_name = ?"
                    " and not starts_with(column_name, '_')"
                    " order by ordinal_position",
                    [table],
                ).fetchall()
            ]
            out[table] = con.execute(
                f"select {', '.join(cols)} from marts.{table} order by all"
            ).fetchall()
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | DbtRun]:
    root = tmp_path_factory.mktemp("dbt")
    day1 = build_raw_fixture(root / "day1.duckdb")
    first = dbt_build(day1, root)
    assert first.returncode == 0, first.output[-4000:]

    incremental = root / "incremental.duckdb"
    shutil.copy(day1, incremental)
    add_next_day(incremental)
    second = dbt_build(incremental, root)
    assert second.returncode == 0, second.output[-4000:]

    full = root / "full.duckdb"
    shutil.copy(incremental, full)
    third = dbt_build(full, root, "--full-refresh")
    assert third.returncode == 0, third.output[-4000:]
    return {"day1": day1, "first": first, "incremental": incremental, "full": full}


def shift_row(warehouse: Path, equipment: str, day: str, shift: str) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cur = con.execute(
            "select * from marts.fct_equipment_shifts"
            " where equipment_id = ? and production_date = ? and shift_code = ?",
            [equipment, day, shift],
        )
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
        assert len(rows) == 1, rows
        return dict(zip(names, rows[0], strict=True))
    finally:
        con.close()


def test_worked_example(builds):
    row = shift_row(builds["day1"], "E1", "2026-01-05", "D")
    assert row["shift_s"] == 28_800
    assert row["planned_stop_s"] == 3_600
    assert row["pbt_s"] == 25_200
    assert row["apt_s"] == 22_380
    assert row["unplanned_stop_s"] == 2_820
    assert row["unplanned_stop_events"] == 1
    # the report ends exactly at 16:00, the end of shift D: it belongs to D
    assert row["produced_qty"] == 19_271
    assert row["ideal_produced_s"] == 19_271
    assert row["ideal_good_s"] == 18_848
    assert row["ideal_loss_s"] == 423
    assert round(row["availability"], 4) == 0.8881
    assert round(row["performance"], 4) == 0.8611
    assert round(row["quality"], 4) == 0.9780
    assert round(row["oee"], 4) == 0.7479


def test_shift_crossing_midnight_split(builds):
    states = dict(
        query(
            builds["day1"],
            "select state, seconds from marts.fct_equipment_shift_states"
            " where equipment_id = 'E2' and production_date = '2026-01-05' and shift_code = 'N'",
        )
    )
    # SETUP 15:00-21:00 contributes 20:00-21:00, 21:00-22:00 has no state, RUNNING
    # 22:00-02:00 crosses midnight, NOT_SCHEDULED from 02:00 to the shift end at 04:00.
    assert states == {"SETUP": 3_600, "UNKNOWN": 3_600, "RUNNING": 14_400, "NOT_SCHEDULED": 7_200}
    row = shift_row(builds["day1"], "E2", "2026-01-05", "N")
    assert (row["shift_s"], row["pot_s"], row["pbt_s"], row["apt_s"]) == (
        28_800,
        21_600,
        21_600,
        14_400,
    )
    assert row["produced_qty"] == 7_000  # the report ending at 01:00 on the 6th
    day_shift = shift_row(builds["day1"], "E2", "2026-01-05", "D")
    # E2's first state was sent in UTC (00:00Z = 08:00 Shanghai); SETUP 15:00-16:00 in D
    assert (day_shift["running_s"], day_shift["setup_s"]) == (25_200, 3_600)
    # the later extract of R4 (10,000) wins over the first one (9,000)
    assert day_shift["produced_qty"] == 10_000


def test_shift_time_only_counts_while_data_covers_it(builds):
    # E1's newest data is the open state at 16:00 on the 5th: shift N is not counted yet
    assert query(
        builds["day1"],
        "select count(*) from marts.fct_equipment_shifts"
        " where equipment_id = 'E1' and shift_code = 'N'",
    ) == [(0,)]
    # after the next day closes that state at 08:00, shift N is NOT_SCHEDULED time
    row = shift_row(builds["incremental"], "E1", "2026-01-05", "N")
    assert (row["shift_s"], row["not_scheduled_s"], row["pot_s"]) == (28_800, 28_800, 0)


def test_energy_converted_and_attributed(builds):
    rows = query(
        builds["day1"],
        "select equipment_id, production_date::varchar, shift_code, energy_kwh"
        " from marts.fct_energy order by all",
    )
    assert rows == [
        ("E1", "2026-01-05", "D", 2.5),  # 00:15Z = 08:15 in Asia/Shanghai
        ("E1", "2026-01-05", None, 1.0),  # 17:00 local, between shifts
        ("E2", "2026-01-05", "N", 3.0),
    ]


def test_delivery_and_supplier_flags(builds):
    lines = {
        (o, n): rest
        for o, n, *rest in query(
            builds["day1"],
            "select order_id, line_no, is_due, is_on_time, is_in_full, shipped_qty_by_promise,"
            " completed_date::varchar, lead_time_days, is_late_open from marts.fct_order_lines",
        )
    }
    assert lines[("SO1", 1)] == [1, 1, 0, 60, "2026-01-07", 6, 0]  # partial by the promise
    assert lines[("SO1", 2)] == [1, 0, 0, 0, "2026-01-06", 5, 0]  # late
    assert lines[("SO2", 1)] == [1, 1, 1, 20, "2026-01-05", 3, 0]  # 20:00Z = 04:00 next day
    assert lines[("SO2", 2)][:3] == [0, None, None]  # promised after the as-of date
    assert lines[("SO3", 1)][:3] == [0, None, None]  # cancelled
    assert lines[("SO3", 2)][-1] == 1  # due, nothing shipped
    po = dict(
        query(builds["day1"], "select po_id || '/' || line_no, is_on_time from marts.fct_po_lines")
    )
    assert po == {"PO1/1": 1, "PO1/2": 0}


def test_unknown_keys_are_flagged_not_dropped(builds):
    first = builds["first"]
    warned = {r["unique_id"].split(".")[2] for r in first.results.values() if r["status"] == "warn"}
    assert any(
        name.startswith("relationships_stg_mes__production_reports_equipment_id") for name in warned
    ), warned
    assert any(name.startswith("relationships_fct_order_lines_customer_id") for name in warned)
    assert any(name.startswith("relationships_fct_order_lines_material_id") for name in warned)
    assert query(
        builds["day1"], "select count(*) from marts.fct_order_lines where order_id = 'SO3'"
    ) == [(2,)]
    failed = [uid for uid, r in first.results.items() if r["status"] in ("fail", "error")]
    assert failed == []


def test_unit_and_singular_tests_ran(builds):
    kinds = {uid.split(".")[0] for uid in builds["first"].results}
    assert "unit_test" in kinds
    singular = [uid for uid in builds["first"].results if ".assert_" in uid]
    assert len(singular) >= 5


def test_incremental_run_equals_full_refresh(builds):
    incremental = mart_tables(builds["incremental"])
    full = mart_tables(builds["full"])
    assert incremental.keys() == full.keys()
    for table in full:
        assert incremental[table] == full[table], table
    # the revised report of an older date was picked up
    row = shift_row(builds["incremental"], "E2", "2026-01-05", "N")
    assert (row["good_qty"], row["scrap_qty"], row["rework_qty"]) == (6_950, 0, 50)


def test_incremental_run_rebuilds_only_touched_dates(builds):
    dates = query(
        builds["incremental"],
        "select production_date::varchar, min(_max_load_id), max(_max_load_id)"
        " from marts.fct_equipment_shifts group by 1 order by 1",
    )
    # day-one load ids are < 400; the next day's loads are 401-405
    assert all(low == high for _, low, high in dates)
    rebuilt = {d for d, low, _ in dates if low > 400}
    assert rebuilt == {"2026-01-05", "2026-01-06"}


def test_marts_match_sample_ground_truth(sample_inbox, landed_warehouse, tmp_path):
    import polars as pl

    warehouse = tmp_path / "andon.duckdb"
    shutil.copy(landed_warehouse[0], warehouse)
    run = dbt_build(warehouse, tmp_path)
    failed = [uid for uid, r in run.results.items() if r["status"] in ("fail", "error")]
    assert run.returncode == 0 and not failed, (failed, run.output[-4000:])

    truth = pl.read_parquet(sample_inbox / "_truth" / "equipment_day.parquet")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        marts = con.sql("""
            select equipment_id, production_date,
                sum(shift_s)::bigint as shift_seconds, sum(running_s)::bigint as running_s,
                sum(setup_s)::bigint as setup_s, sum(unplanned_stop_s)::bigint as unplanned_stop_s,
                sum(minor_stop_s)::bigint as minor_stop_s, sum(starved_s)::bigint as starved_s,
                sum(blocked_s)::bigint as blocked_s, sum(planned_stop_s)::bigint as planned_stop_s,
                sum(not_scheduled_s)::bigint as not_scheduled_s,
                sum(unknown_s)::bigint as unknown_s,
                sum(unplanned_stop_events)::bigint as unplanned_stop_events,
                sum(produced_qty) as produced_qty, sum(good_qty) as good_qty,
                sum(scrap_qty) as scrap_qty, sum(rework_qty) as rework_qty,
                round(sum(ideal_produced_s), 6) as ideal_produced_s,
                round(sum(ideal_good_s), 6) as ideal_good_s
            from marts.fct_equipment_shifts
            group by equipment_id, production_date
        """).pl()
    finally:
        con.close()
    keys = ["equipment_id", "production_date"]
    expected = truth.select(keys + TRUTH_COLUMNS).filter(pl.col("shift_seconds") > 0)
    got = marts.filter(pl.col("shift_seconds") > 0)
    joined = expected.join(got, on=keys, how="full", suffix="_mart", coalesce=True)
    problems = []
    for col in TRUTH_COLUMNS:
        diff = joined.filter(
            (pl.col(col).cast(pl.Float64) - pl.col(f"{col}_mart").cast(pl.Float64))
            .abs()
            .fill_null(1)
            > 1e-6
        )
        if diff.height:
            problems.append((col, diff.height, diff.select(keys + [col, f"{col}_mart"]).head(3)))
    assert not problems, problems
