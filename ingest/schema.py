"""Warehouse tables ingest owns: `raw.<entity>` per contract and the `ingest` log schema."""

from __future__ import annotations

import duckdb

from ingest.contracts import Contract
from ingest.quarantine import DDL as QUARANTINE_DDL
from ingest.sqlparts import ident, table
from ingest.validate import raw_columns

LINEAGE = [
    ("_load_id", "BIGINT"),
    ("_source_file", "VARCHAR"),
    ("_source_row", "BIGINT"),
    ("_loaded_at", "TIMESTAMP"),
]
LOAD_LOG_DDL = """
create table if not exists ingest.load_log (
    load_id bigint primary key,
    system varchar not null,
    entity varchar not null,
    file varchar not null,
    inbox varchar not null,
    size_bytes bigint,
    content_hash varchar,
    format varchar,
    encoding varchar,
    delimiter varchar,
    rows_read bigint,
    rows_landed bigint,
    rows_quarantined bigint,
    status varchar not null,
    message varchar,
    started_at timestamp not null,
    finished_at timestamp,
    seconds double
)
"""
# Columns the load log gained with database pulls (README "Source databases"): which source a
# pull came from, the query it ran, its watermark range and the re-read rows it found
# unchanged. Null for files. Added to older warehouses by `ensure_schema`.
LOAD_LOG_PULL_COLUMNS = [
    ("origin", "VARCHAR"),
    ("query", "VARCHAR"),
    ("watermark_column", "VARCHAR"),
    ("watermark_low", "VARCHAR"),
    ("watermark_high", "VARCHAR"),
    ("rows_unchanged", "BIGINT"),
]


def raw_table_ddl(contract: Contract) -> str:
    """`create table if not exists raw.<entity>` with typed and lineage columns."""
    cols = raw_columns(contract) + LINEAGE
    body = ",\n    ".join(f"{ident(name)} {sql_type}" for name, sql_type in cols)
    return f"create table if not exists {table('raw', contract.entity)} (\n    {body}\n)"


def ensure_schema(con: duckdb.DuckDBPyConnection, contracts: dict[str, Contract]) -> None:
    """Create the raw and ingest schemas and tables if they do not exist yet."""
    con.execute("begin")
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists ingest")
    con.execute(LOAD_LOG_DDL)
    for name, sql_type in LOAD_LOG_PULL_COLUMNS:
        con.execute(f"alter table ingest.load_log add column if not exists {name} {sql_type}")
    con.execute(QUARANTINE_DDL)
    existing: dict[str, set[str]] = {}
    for entity, column in con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'raw'"
    ).fetchall():
        existing.setdefault(entity, set()).add(column)
    for contract in contracts.values():
        have = existing.get(contract.entity)
        if have is None:
            con.execute(raw_table_ddl(contract))
            continue
        for name, sql_type in raw_columns(contract) + LINEAGE:
            if name not in have:
                target = table("raw", contract.entity)
                con.execute(f"alter table {target} add column {ident(name)} {sql_type}")
    con.execute("commit")
