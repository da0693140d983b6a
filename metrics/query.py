"""The public face of the semantic layer: compile a metric request to SQL, or answer it.

import metrics
frame = metrics.query(["oee", "availability"], by=["line"], where={"plant": ["SZ"]},
                      start="2026-10-01", end="2026-11-01", grain="week",
                      scope=metrics.Scope.of({"SZ", "DG"}))
sql = metrics.compile(["oee"], by=["line"], scope=metrics.Scope.all())

Every call carries the caller's plant scope (metrics/scope.py); without one it is
Scope.none() and the answer is empty: a caller without scope gets nothing, never everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from metrics.compiler import compile_sql
from metrics.errors import MetricError
from metrics.registry import Registry, load_registry
from metrics.request import MetricQuery
from metrics.scope import NO_PLANTS, Scope

if TYPE_CHECKING:
    import polars as pl  # DuckDB's .pl() imports it when a query runs


def make_query(
    metrics: str | Iterable[str] | MetricQuery,
    by: str | Iterable[str] | None = None,
    where: Mapping[str, str | Iterable[str]] | None = None,
    start: object = None,
    end: object = None,
    grain: str | None = None,
    compare: str | None = None,
    lang: str = "en",
) -> MetricQuery:
    """A MetricQuery from the loose arguments of `query`/`compile` (or the one given)."""
    if isinstance(metrics, MetricQuery):
        return metrics
    return MetricQuery.build(metrics, by, where, start, end, grain, compare, lang)


def compile(  # noqa: A001 - the public name callers expect: metrics.compile(...)
    metrics: str | Iterable[str] | MetricQuery,
    by: str | Iterable[str] | None = None,
    where: Mapping[str, str | Iterable[str]] | None = None,
    start: object = None,
    end: object = None,
    grain: str | None = None,
    compare: str | None = None,
    lang: str = "en",
    registry: Registry | None = None,
    *,
    scope: Scope = NO_PLANTS,
) -> str:
    """The DuckDB SQL statement answering the request for `scope` (see `query`)."""
    request = make_query(metrics, by, where, start, end, grain, compare, lang)
    return compile_sql(request, registry or load_registry(), scope)


def query(
    metrics: str | Iterable[str] | MetricQuery,
    by: str | Iterable[str] | None = None,
    where: Mapping[str, str | Iterable[str]] | None = None,
    start: object = None,
    end: object = None,
    grain: str | None = None,
    compare: str | None = None,
    lang: str = "en",
    warehouse: str | Path | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    registry: Registry | None = None,
    *,
    scope: Scope = NO_PLANTS,
) -> pl.DataFrame:
    """Answer a metric request as a Polars DataFrame.

    metrics  names from the registry (a list, or one comma-separated string)
    by       dimensions to group by (plant, line, …); a grain name here sets `grain`
    where    {dimension: [key values]}: rows whose key is in the list
    start    first date included (YYYY-MM-DD or date); end: first date excluded
    grain    day | week (ISO, Monday) | month | quarter | year → a `period` column
    compare  previous_period | same_period_last_year → <metric>_previous / _last_year and
             <metric>_delta (current − compared) columns
    lang     en | zh for the <dimension>_label columns
    warehouse / con  the DuckDB file to open read-only, or an open connection to use
    scope    the plants the caller may see (metrics.Scope): only their rows are read, a
             `where` on other plants gives nothing; Scope.none() (the default) reads no
             rows at all, Scope.all() every plant

    Columns: period, then <key>, <dimension>_label per dimension, then one per metric.
    """
    request = make_query(metrics, by, where, start, end, grain, compare, lang)
    sql = compile_sql(request, registry or load_registry(), scope)
    if con is not None:
        return fetch_frame(con, sql)
    connection = open_published(warehouse, "Or pass --warehouse / warehouse=PATH.")
    try:
        return fetch_frame(connection, sql)
    finally:
        connection.close()


def open_published(warehouse: str | Path | None, hint: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published build of `warehouse` (see
    warehouse.connections.connect_published), or a MetricError that ends with `hint`."""
    from warehouse.connections import NotPublished, connect_published
    from warehouse.location import warehouse_path

    try:
        return connect_published(warehouse_path(warehouse))
    except NotPublished as error:
        raise MetricError(f"{error} {hint}") from None


def fetch(
    con: duckdb.DuckDBPyConnection, sql: str, plain: frozenset[str]
) -> tuple[list[str], list[tuple]] | pl.DataFrame:
    """A compiled query run once: (column names, rows as plain Python values) when every
    column's DuckDB type is in `plain` (no Polars: for a caller that only prints them, like
    `andon ask`), else the Polars DataFrame `query` returns."""
    with _marts_read():
        relation = con.sql(sql)
        if {str(t) for t in relation.types} <= plain:
            return list(relation.columns), relation.fetchall()
        return relation.pl()


def fetch_frame(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    """A compiled query's result as the Polars DataFrame `query` returns."""
    with _marts_read():
        return con.sql(sql).pl()


@contextmanager
def _marts_read() -> Iterator[None]:
    from warehouse.connections import SparkReadError

    try:
        yield
    except SparkReadError as error:
        raise MetricError(str(error)) from None
    except duckdb.CatalogException as error:
        raise MetricError(
            f"The warehouse lacks a mart this query reads ({error}). Build the marts "
            "(dbt) before querying metrics."
        ) from None
