"""The build's own records in the published warehouse (andon_meta): the last build and each
source's freshness, read in the caller's scope. One place for the Data Health page and the
HTTP API; a warehouse built by hand may lack the tables, so each read is optional."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl
from sqlglot import exp, select

from metrics.scope import Scope, scoped_table

BUILD_LOG = "andon_meta.build_log"
FRESHNESS = "andon_meta.source_freshness"
FRESHNESS_COLUMNS = (
    "source",
    "entity",
    "status",
    "max_loaded_at",
    "age_hours",
    "warn_after_hours",
    "error_after_hours",
)


def has_table(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, table = qualified.split(".")
    rows = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return bool(rows and rows[0][0])


def _read(con: duckdb.DuckDBPyConnection, query: exp.Expression) -> pl.DataFrame:
    return con.sql(query.sql("duckdb")).pl()


def last_build(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, Any] | None:
    """The newest build_log row as a dict (None before any build was recorded)."""
    if not has_table(con, BUILD_LOG):
        return None
    rows = _read(
        con,
        select("*")
        .from_(scoped_table(BUILD_LOG, scope, alias="build_log"))
        .order_by("started_at desc")
        .limit(1),
    )
    return rows.row(0, named=True) if rows.height else None


def freshness(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Freshness per source table as of the newest build that checked it, worst first."""
    if not has_table(con, FRESHNESS):
        return pl.DataFrame()
    newest = select("max(build_id)").from_(scoped_table(FRESHNESS, scope, alias="newest"))
    query = (
        select(*FRESHNESS_COLUMNS)
        .from_(scoped_table(FRESHNESS, scope, alias="source_freshness"))
        .where(exp.column("build_id").eq(exp.Subquery(this=newest)))
        .order_by("status desc", "source", "entity")
    )
    return _read(con, query)
