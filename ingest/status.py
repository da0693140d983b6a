"""Landing status: per system and entity, what is in the warehouse and how fresh it is."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest.contracts import SYSTEMS, load_contracts
from ingest.sqlparts import ident, lit, table
from warehouse.connections import connect_read

SCHEMA = {
    "system": pl.String,
    "entity": pl.String,
    "files": pl.Int64,
    "rows": pl.Int64,
    "newest_event_time": pl.String,
    "quarantined_rows": pl.Int64,
    "rejected_files": pl.Int64,
    "last_loaded_at": pl.Datetime("us"),
}


def _empty(contracts) -> pl.DataFrame:
    rows = [
        {
            "system": c.system,
            "entity": c.entity,
            "files": 0,
            "rows": 0,
            "newest_event_time": None,
            "quarantined_rows": 0,
            "rejected_files": 0,
            "last_loaded_at": None,
        }
        for c in contracts
    ]
    return pl.DataFrame(rows, schema=SCHEMA)


def landing_status(warehouse: Path) -> pl.DataFrame:
    """One row per contract entity: files, rows, newest event time, quarantine, rejections."""
    contracts = sorted(load_contracts().values(), key=lambda c: (SYSTEMS.index(c.system), c.entity))
    if not Path(warehouse).is_file():
        return _empty(contracts)
    con = connect_read(Path(warehouse))
    try:
        tables = {
            name
            for (name,) in con.execute(
                "select table_schema || '.' || table_name from information_schema.tables"
                " where table_schema in ('raw', 'ingest')"
            ).fetchall()
        }
        if "ingest.load_log" not in tables:
            return _empty(contracts)
        parts = []
        for order, c in enumerate(contracts):
            present = f"raw.{c.entity}" in tables
            rows = f"(select count(*) from {table('raw', c.entity)})" if present else "0"
            newest = (
                f"(select max({ident(c.event_time)})::varchar from {table('raw', c.entity)})"
                if present and c.event_time
                else "null::varchar"
            )
            parts.append(
                f"select {order} as ord, {lit(c.system)} as system,"
                f" {lit(c.entity)} as entity, {rows} as rows, {newest} as newest_event_time"
            )
        query = f"""
            with entities as ({" union all ".join(parts)}),
            landed as (
                select entity, count(*) as files, sum(rows_quarantined) as quarantined_rows,
                    max(finished_at) as last_loaded_at
                from ingest.load_log where status = 'LANDED' group by entity
            ),
            latest as (
                select entity, status,
                    row_number() over (partition by file order by load_id desc) as rn
                from ingest.load_log where status in ('LANDED', 'REJECTED')
            ),
            rejected as (
                select entity, count(*) as rejected_files from latest
                where rn = 1 and status = 'REJECTED' group by entity
            )
            select e.system, e.entity, coalesce(l.files, 0)::bigint as files,
                e.rows::bigint as rows, e.newest_event_time,
                coalesce(l.quarantined_rows, 0)::bigint as quarantined_rows,
                coalesce(r.rejected_files, 0)::bigint as rejected_files, l.last_loaded_at
            from entities as e
            left join landed as l on l.entity = e.entity
            left join rejected as r on r.entity = e.entity
            order by e.ord
        """
        return con.sql(query).pl().cast(SCHEMA)
    finally:
        con.close()
