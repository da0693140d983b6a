"""Landing status: per system and entity, what is in the warehouse and how fresh it is."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest.contracts import SYSTEMS, load_contracts
from ingest.sqlparts import ident, lit, table
from warehouse.connections import connect_read, table_names

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
        tables = table_names(con, ("raw", "ingest"))
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


PULL_SCHEMA = {
    "source": pl.String,
    "system": pl.String,
    "entity": pl.String,
    "last_attempt_at": pl.Datetime("us"),
    "last_status": pl.String,
    "last_message": pl.String,
    "last_success_at": pl.Datetime("us"),
    "rows_landed_last": pl.Int64,
    "rows_landed_total": pl.Int64,
    "failures_since_success": pl.Int64,
    "watermark_column": pl.String,
    "watermark_high": pl.String,
}


def pull_status(warehouse: Path) -> pl.DataFrame:
    """One row per (source, entity) ever pulled: the last attempt and its outcome, the last
    successful pull, rows landed, failures since, and the watermark reached (UTC times)."""
    empty = pl.DataFrame(schema=PULL_SCHEMA)
    if not Path(warehouse).is_file():
        return empty
    con = connect_read(Path(warehouse))
    try:
        columns = {
            name
            for (name,) in con.execute(
                "select column_name from information_schema.columns"
                " where table_schema = 'ingest' and table_name = 'load_log'"
            ).fetchall()
        }
        if "origin" not in columns:
            return empty
        query = """
            with pulls as (
                select *, row_number() over (partition by origin, entity order by load_id desc)
                    as newest
                from ingest.load_log where origin is not null
            ),
            success as (
                select origin, entity, max(load_id) as load_id, max(finished_at) as at,
                    sum(rows_landed) as rows_landed_total
                from pulls where status in ('LANDED', 'SUPERSEDED') group by all
            ),
            marks as (
                select origin, entity, watermark_high,
                    row_number() over (partition by origin, entity order by load_id desc) as n
                from pulls where watermark_high is not null
                    and status in ('LANDED', 'SUPERSEDED')
            )
            select p.origin as source, p.system, p.entity, p.finished_at as last_attempt_at,
                p.status as last_status, p.message as last_message,
                s.at as last_success_at, p.rows_landed as rows_landed_last,
                coalesce(s.rows_landed_total, 0)::bigint as rows_landed_total,
                (select count(*) from pulls as f where f.origin = p.origin
                    and f.entity = p.entity and f.status = 'FAILED'
                    and f.load_id > coalesce(s.load_id, -1))::bigint as failures_since_success,
                p.watermark_column, m.watermark_high
            from pulls as p
            left join success as s on s.origin = p.origin and s.entity = p.entity
            left join marks as m on m.origin = p.origin and m.entity = p.entity and m.n = 1
            where p.newest = 1
            order by p.origin, p.system, p.entity
        """
        return con.sql(query).pl().cast(PULL_SCHEMA)
    finally:
        con.close()
