"""Opening the warehouse: one writer at a time, or many read-only readers.

DuckDB allows a single writing process or several read-only ones on a file, never both,
so every caller goes through these two functions and says which it needs.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# Enough for ingest's typed pass over a 10-million-row CSV (peak RSS 0.54 GB measured) while
# keeping its memory within 1.5x of bare DuckDB loading the same file.
WRITE_MEMORY_LIMIT = "400MB"
# Present in a published build that Spark made: where its mart snapshot is.
SPARK_BUILD_TABLE = "andon_meta.published_engine"


def connect_write(
    path: Path, *, memory_limit: str = WRITE_MEMORY_LIMIT
) -> duckdb.DuckDBPyConnection:
    """A read-write connection for ingest and build; timestamps are rendered in UTC."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute("set TimeZone = 'UTC'")
    return con


def connect_read(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection for status, queries and the app. A build that Spark made is
    read through a SparkReader (warehouse/spark_read.py): the same calls, marts on Spark."""
    con = duckdb.connect(str(path), read_only=True)
    con.execute("set TimeZone = 'UTC'")
    if table_names(con, ("andon_meta",)) & {SPARK_BUILD_TABLE}:
        from warehouse.spark_read import SparkReader

        return SparkReader.over(con)
    return con


class SparkReadError(duckdb.Error):
    """A mart query that Spark could not answer (the message says why). A duckdb.Error, so
    every reader that handles a failed DuckDB query handles it the same way."""


class NotPublished(RuntimeError):
    """Neither a published build nor a warehouse file exists, so there is nothing to read."""


def connect_published(build_file: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the last complete build (what the app and reports read).

    A warehouse that was never published (built by hand, or by dbt alone) is read as is.
    """
    from warehouse.publish import current_published

    target = current_published(build_file) or build_file
    if not target.exists():
        raise NotPublished(f"No warehouse at {build_file}: run `andon build --inbox INBOX` first.")
    return connect_read(target)


def table_names(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> set[str]:
    """The `schema.table` names present in these schemas (e.g. whether a log exists yet)."""
    return {
        name
        for (name,) in con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where list_contains($schemas, table_schema)",
            {"schemas": list(schemas)},
        ).fetchall()
    }
