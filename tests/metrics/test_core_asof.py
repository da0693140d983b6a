"""metrics.asof: the as-of date is the day dbt flags in marts.dim_date; today only without
data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from metrics.asof import as_of_date


def _warehouse(path: Path, rows: list[tuple[str, bool]] | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    if rows is not None:
        con.execute("create table marts.dim_date (date_day date, is_as_of_date boolean)")
        if rows:
            con.executemany("insert into marts.dim_date values (?, ?)", rows)
    return con


def test_the_flagged_day(tmp_path: Path) -> None:
    rows = [("2026-10-05", False), ("2026-10-06", True), ("2026-10-31", False)]
    con = _warehouse(tmp_path / "a.duckdb", rows)
    # 2026-10-31 is in dim_date (e.g. a promised date) but the newest event was on the 6th
    assert as_of_date(con) == date(2026, 10, 6)


def test_today_without_data(tmp_path: Path) -> None:
    assert as_of_date(_warehouse(tmp_path / "none.duckdb", None)) == date.today()
    assert as_of_date(_warehouse(tmp_path / "empty.duckdb", [])) == date.today()


def test_the_built_warehouse_agrees_with_dbt(built_warehouse: Path) -> None:
    from warehouse.connections import connect_published

    con = connect_published(built_warehouse)
    try:
        flagged = con.execute(
            "select count(*), max(date_day) from marts.dim_date where is_as_of_date"
        ).fetchone()
        assert flagged is not None and flagged[0] == 1
        assert as_of_date(con) == flagged[1]
        # The sample runs 2026-09-28 … 2026-10-11 (tests/conftest.py); its newest events are
        # the night shift of the 11th, which ends on the morning of the 12th (plant-local).
        assert as_of_date(con) == date(2026, 10, 12)
        newest_production = con.execute(
            "select max(production_date) from marts.fct_equipment_shifts"
        ).fetchone()
        assert newest_production is not None and newest_production[0] <= as_of_date(con)
    finally:
        con.close()
