"""The dbt project over a hand-made raw layer: real `dbt build` runs, hand-worked mart values.

dbt runs in-process (`warehouse.build.run_dbt`), three times on one warehouse file whose path
never changes, so dbt parses the project once and reuses it: day one (`dbt build`: every
model, data test and unit test), then one more day of extracts built incrementally (`dbt
build` without the unit tests, which do not read the warehouse), then the same raw data with
`dbt run --full-refresh`. A checkpointed copy of each state is kept for the tests. The last
test checks the session's built sample factory (conftest) against the generator's ground
truth, exactly.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

import metrics
from tests.warehouse.raw_fixture import add_next_day, build_raw_fixture
from warehouse.build import run_dbt

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
SINGULAR_TESTS = {
    "assert_dim_date_flags_one_as_of_date",
    "assert_oee_equals_a_times_p_times_q",
    "assert_production_has_routing",
    "assert_production_reconciles_with_reports",
    "assert_rows_landed_plus_quarantined_equal_rows_read",
    "assert_state_seconds_equal_shift_seconds",
    "assert_time_model_identities",
}


@dataclass(frozen=True)
class Build:
    warehouse: Path  # a checkpointed copy of the warehouse as this run left it
    statuses: dict[str, str]  # unique_id -> status of every node the run executed


def dbt(command: list[str], work: Path, keep: Path) -> Build:
    """Run one dbt command on `work`; it must pass. Keep a copy of the result at `keep`."""
    outcome = run_dbt(command, work)
    results = outcome.result.results if outcome.result is not None else []
    failed = [
        f"{r.node.unique_id}: {r.status} {(r.message or '').strip()[:500]}"
        for r in results
        if str(r.status) in ("error", "fail", "runtime error")
    ]
    assert outcome.success and not failed, (outcome.exception, failed)
    with duckdb.connect(str(work)) as con:  # dbt's own in-process instance: same config
        con.execute("checkpoint")
    keep.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(work, keep)
    return Build(keep, {r.node.unique_id: str(r.status) for r in results})


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def mart_tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every mart table's rows (lineage columns `_*` left out), in a stable order."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
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


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Build]:
    root = tmp_path_factory.mktemp("dbt")
    work = build_raw_fixture(root / "work" / "andon.duckdb")
    day1 = dbt(["build"], work, root / "day1" / "andon.duckdb")
    add_next_day(work)
    incremental = dbt(
        ["build", "--exclude", "test_type:unit"], work, root / "incremental" / "andon.duckdb"
    )
    full = dbt(["run", "--full-refresh"], work, root / "full" / "andon.duckdb")
    return {"day1": day1, "incremental": incremental, "full": full}


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
    row = shift_row(builds["day1"].warehouse, "E1", "2026-01-05", "D")
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
            builds["day1"].warehouse,
            "select state, seconds from marts.fct_equipment_shift_states"
            " where equipment_id = 'E2' and production_date = '2026-01-05' and shift_code = 'N'",
        )
    )
    # SETUP 15:00-21:00 contributes 20:00-21:00, 21:00-22:00 has no state, RUNNING
    # 22:00-02:00 crosses midnight, NOT_SCHEDULED from 02:00 to the shift end at 04:00.
    assert states == {"SETUP": 3_600, "UNKNOWN": 3_600, "RUNNING": 14_400, "NOT_SCHEDULED": 7_200}
    row = shift_row(builds["day1"].warehouse, "E2", "2026-01-05", "N")
    assert (row["shift_s"], row["pot_s"], row["pbt_s"], row["apt_s"]) == (
        28_800,
        21_600,
        21_600,
        14_400,
    )
    assert row["produced_qty"] == 7_000  # the report ending at 01:00 on the 6th
    day_shift = shift_row(builds["day1"].warehouse, "E2", "2026-01-05", "D")
    # E2's first state was sent in UTC (00:00Z = 08:00 Shanghai); SETUP 15:00-16:00 in D
    assert (day_shift["running_s"], day_shift["setup_s"]) == (25_200, 3_600)
    # the later extract of R4 (10,000) wins over the first one (9,000)
    assert day_shift["produced_qty"] == 10_000


def test_shift_time_only_counts_while_data_covers_it(builds):
    # E1's newest data is the open state at 16:00 on the 5th: shift N is not counted yet
    assert query(
        builds["day1"].warehouse,
        "select count(*) from marts.fct_equipment_shifts"
        " where equipment_id = 'E1' and shift_code = 'N'",
    ) == [(0,)]
    # after the next day closes that state at 08:00, shift N is NOT_SCHEDULED time
    row = shift_row(builds["incremental"].warehouse, "E1", "2026-01-05", "N")
    assert (row["shift_s"], row["not_scheduled_s"], row["pot_s"]) == (28_800, 28_800, 0)


def test_energy_converted_and_attributed(builds):
    rows = query(
        builds["day1"].warehouse,
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
            builds["day1"].warehouse,
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
    plants = {
        (o, n): (plant, source)
        for o, n, plant, source in query(
            builds["day1"].warehouse,
            "select order_id, line_no, plant_id, plant_source from marts.fct_order_lines",
        )
    }
    assert plants == {
        ("SO1", 1): ("P1", "SHIPMENT"),  # W1 is P1's warehouse (WO1 made for it too)
        ("SO1", 2): ("P1", "SHIPMENT"),
        ("SO2", 1): ("P1", "SHIPMENT"),
        ("SO2", 2): (None, None),  # nothing shipped by day one, no work order
        ("SO3", 1): (None, None),  # cancelled, nothing shipped, no work order
        ("SO3", 2): ("P1", "WORK_ORDER"),  # not shipped; WO3 on line L1 of P1 is made for it
    }
    po = dict(
        query(
            builds["day1"].warehouse,
            "select po_id || '/' || line_no, is_on_time from marts.fct_po_lines",
        )
    )
    assert po == {"PO1/1": 1, "PO1/2": 0}


def test_customer_segment_labels_and_on_time_delivery_by_segment(builds):
    warehouse = builds["day1"].warehouse
    # seed segment_labels names Automotive; Distributor is not in it and keeps its English name
    assert query(
        warehouse,
        "select customer_id, segment, segment_zh, segment_vi from marts.dim_customer order by 1",
    ) == [("C1", "Automotive", "汽车", "Ô tô"), ("C2", "Distributor", "Distributor", "Distributor")]
    # the customer's segment on its lines and shipments; SO3/1's customer C9 is unknown
    segments = dict(
        query(warehouse, "select order_id || '/' || line_no, segment from marts.fct_order_lines")
    )
    assert segments == {
        "SO1/1": "Automotive",
        "SO1/2": "Automotive",
        "SO3/2": "Automotive",
        "SO2/1": "Distributor",
        "SO2/2": "Distributor",
        "SO3/1": None,
    }
    assert query(
        warehouse,
        "select distinct customer_id, segment from marts.fct_shipments order by all",
    ) == [("C1", "Automotive"), ("C2", "Distributor")]
    # OTD by segment, due lines only: Automotive SO1/1 on time, SO1/2 late, SO3/2 nothing
    # shipped -> 1/3; Distributor SO2/1 on time (SO2/2 not due yet) -> 1/1; no segment
    # (SO3/1, unknown customer, cancelled: no due line) -> NULL.
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        frame = metrics.query(
            ["on_time_delivery"],
            by=["customer_segment"],
            start="2026-01-01",
            end="2026-02-01",
            lang="zh",
            con=con,
            scope=metrics.Scope.all(),
        )
    finally:
        con.close()
    rows = {
        r["segment"]: (r["customer_segment_label"], r["on_time_delivery"]) for r in frame.to_dicts()
    }
    assert rows == {
        "Automotive": ("汽车", pytest.approx(1 / 3)),
        "Distributor": ("Distributor", 1.0),
        None: (None, None),
    }


def test_unknown_keys_are_flagged_not_dropped(builds):
    warned = {
        uid.split(".")[2] for uid, status in builds["day1"].statuses.items() if status == "warn"
    }
    assert any(
        name.startswith("relationships_stg_mes__production_reports_equipment_id") for name in warned
    ), warned
    assert any(name.startswith("relationships_fct_order_lines_customer_id") for name in warned)
    assert any(name.startswith("relationships_fct_order_lines_material_id") for name in warned)
    assert query(
        builds["day1"].warehouse,
        "select count(*) from marts.fct_order_lines where order_id = 'SO3'",
    ) == [(2,)]


def test_every_fact_and_dim_date_has_unit_tests_and_the_singular_tests_ran(builds):
    statuses = builds["day1"].statuses
    marts = {
        table
        for (table,) in query(
            builds["day1"].warehouse,
            "select table_name from information_schema.tables where table_schema = 'marts'"
            " and (starts_with(table_name, 'fct_') or table_name = 'dim_date')",
        )
    }
    assert {"dim_date", "fct_inspections", "fct_inventory_daily", "fct_shipments"} <= marts
    unit_tested = {
        uid.split(".")[2]
        for uid, status in statuses.items()
        if uid.startswith("unit_test.") and status == "pass"
    }
    assert marts - unit_tested == set()
    singular = {uid.split(".")[2] for uid in statuses if uid.startswith("test.andon.assert_")}
    assert singular == SINGULAR_TESTS


def test_dim_date_spans_the_data_and_flags_the_as_of_date(builds):
    warehouse = builds["day1"].warehouse
    # from SO1's order date (01-01) to SO2/2's promised date (01-20)
    assert query(
        warehouse, "select min(date_day), max(date_day), count(*) from marts.dim_date"
    ) == [(date(2026, 1, 1), date(2026, 1, 20), 20)]
    # the newest event is shipment SH2 at 10:00 on 01-07 (states end on 01-06)
    assert query(warehouse, "select date_day from marts.dim_date where is_as_of_date") == [
        (date(2026, 1, 7),)
    ]
    assert query(warehouse, "select distinct as_of_date from marts.fct_order_lines") == [
        (date(2026, 1, 7),)
    ]


def test_inspections_belong_to_the_shift_they_are_made_in(builds):
    rows = query(
        builds["day1"].warehouse,
        "select inspection_id, production_date::varchar, shift_code from marts.fct_inspections"
        " order by 1",
    )
    assert rows == [("I1", "2026-01-05", "D"), ("I2", "2026-01-05", "N")]


def test_incremental_run_equals_full_refresh(builds):
    incremental = mart_tables(builds["incremental"].warehouse)
    full = mart_tables(builds["full"].warehouse)
    assert incremental.keys() == full.keys()
    for table in full:
        assert incremental[table] == full[table], table
    # the revised report of an older date was picked up
    row = shift_row(builds["incremental"].warehouse, "E2", "2026-01-05", "N")
    assert (row["good_qty"], row["scrap_qty"], row["rework_qty"]) == (6_950, 0, 50)


def test_incremental_run_rebuilds_only_touched_dates(builds):
    dates = query(
        builds["incremental"].warehouse,
        "select production_date::varchar, min(_max_load_id), max(_max_load_id)"
        " from marts.fct_equipment_shifts group by 1 order by 1",
    )
    # Day one's newest manufacturing load is the revised report (301); the next day's states
    # and reports are loads 401 and 402. E3's 01-03 is touched by neither: it keeps 301.
    assert dates == [
        ("2026-01-03", 301, 301),
        ("2026-01-05", 402, 402),
        ("2026-01-06", 402, 402),
    ]
    # stock: the next day's snapshots (load 405) rebuild 01-06 only; 01-05 keeps load 210
    snapshots = query(
        builds["incremental"].warehouse,
        "select snapshot_date::varchar, min(_max_load_id), max(_max_load_id)"
        " from marts.fct_inventory_daily group by 1 order by 1",
    )
    assert snapshots == [("2026-01-05", 210, 210), ("2026-01-06", 405, 405)]


def test_marts_match_sample_ground_truth(sample_inbox, built_warehouse):
    import polars as pl

    from warehouse.connections import connect_published

    truth = pl.read_parquet(sample_inbox / "_truth" / "equipment_day.parquet")
    with connect_published(built_warehouse) as con:
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
    keys = ["equipment_id", "production_date"]
    expected = truth.select(keys + TRUTH_COLUMNS).filter(pl.col("shift_seconds") > 0)
    got = marts.filter(pl.col("shift_seconds") > 0)
    assert expected.height > 100
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
