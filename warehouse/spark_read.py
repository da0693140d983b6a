"""Reading a build that Spark made: mart queries go to Spark, the rest to Andon's own file.

A published Spark build is two things (warehouse/spark_publish.py): a Parquet snapshot of
the marts, and the usual published DuckDB file holding the ingest log, quarantine, raw rows
and build records, in which `andon_meta.published_engine` names the snapshot and each mart
is a view over its Parquet files. `connect_read` hands such a file out as a `SparkReader`:
the same calls as a DuckDB connection, so the metrics layer, question box, reports, alerts
and API work unchanged, but a statement that reads a mart runs on Spark, transpiled from
DuckDB's dialect by sqlglot, against the snapshot (a build in progress is never read). Its
answer comes back as a DuckDB relation, so callers read it as they read any other.

The SQL workbench keeps its own hardened DuckDB (metrics/sandbox) over the same file: its
mart views read the snapshot, which `allowed_directories` opens to it and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

from warehouse.connections import SPARK_BUILD_TABLE, SparkReadError

SNAPSHOT_SCHEMAS = ("marts",)  # what readers may query; staging and intermediate stay in Spark


class SparkReader:
    """A read-only DuckDB connection whose mart statements run on Spark."""

    @classmethod
    def over(cls, control: duckdb.DuckDBPyConnection) -> SparkReader:
        """The reader of a published Spark build opened as `control`."""
        query = f"select snapshot, lake from {SPARK_BUILD_TABLE}"
        snapshot, lake = control.execute(query).fetchone()
        return cls(control, snapshot=str(snapshot), lake=Path(lake))

    def __init__(self, control: duckdb.DuckDBPyConnection, *, snapshot: str, lake: Path) -> None:
        self.control = control
        self.snapshot = snapshot.rstrip("/")
        self.lake = lake
        self._answers = duckdb.connect(":memory:")
        self._answers.execute("set TimeZone = 'UTC'")

    # --- the DuckDB connection calls readers make -------------------------------------
    def sql(self, query: str, params: object = None) -> duckdb.DuckDBPyRelation:
        spark_sql = self.spark_sql(query, params)
        if spark_sql is None:
            return self.control.sql(query, params=params)
        return self._answers.from_arrow(self._run(spark_sql))

    query = sql

    def execute(self, query: str, parameters: object = None) -> Any:
        spark_sql = self.spark_sql(query, parameters)
        if spark_sql is None:
            self.control.execute(query, parameters)
            return self.control
        # a cursor of its own: a result left half-fetched must not block the next query
        answer = self._answers.cursor()
        answer.register("spark_answer", self._run(spark_sql))
        return answer.execute("select * from spark_answer")

    def cursor(self) -> SparkReader:
        return SparkReader(self.control.cursor(), snapshot=self.snapshot, lake=self.lake)

    def close(self) -> None:
        self._answers.close()
        self.control.close()

    def __enter__(self) -> SparkReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:  # anything else is the control file's
        return getattr(self.control, name)

    # --- routing and transpiling ------------------------------------------------------
    def spark_sql(self, query: str, params: object = None) -> str | None:
        """The Spark SQL of a statement that reads a mart, else None (it stays in DuckDB)."""
        try:
            tree = sqlglot.parse_one(query, read="duckdb")
        except sqlglot.errors.ParseError:
            return None  # DuckDB gives the user its own message
        marts = [
            table
            for table in tree.find_all(exp.Table)
            if table.db.lower() in SNAPSHOT_SCHEMAS and not table.catalog
        ]
        if not marts:
            return None
        tree = _bind(tree, params)
        for table in marts:
            location = f"{self.snapshot}/{table.db.lower()}/{table.name.lower()}"
            relation = exp.Table(
                this=exp.to_identifier(location, quoted=True),
                db=exp.to_identifier("parquet"),
                alias=table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(table.name)),
            )
            table.replace(relation)
        return tree.sql("spark")

    def _run(self, spark_sql: str) -> pa.Table:
        from warehouse.spark import reader_session

        try:
            answer = reader_session(self.lake).sql(spark_sql).toArrow()
        except Exception as error:  # noqa: BLE001 - Py4J/Spark errors have no common base
            first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            raise SparkReadError(f"Spark could not answer the query: {first}") from None
        return utc_wall_clock(answer)


def _bind(tree: exp.Expression, params: object) -> exp.Expression:
    """The statement with its ? / $name parameters replaced by sqlglot literals."""
    if params is None:
        return tree
    positional = iter(params) if isinstance(params, Sequence) else iter(())
    named = params if isinstance(params, Mapping) else {}

    def literal(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder):
            value = named[node.name] if node.name and node.name != "?" else next(positional)
            return exp.convert(value)
        return node

    return tree.transform(literal)


def utc_wall_clock(table: pa.Table) -> pa.Table:
    """Spark's timestamps arrive zoned (UTC session); DuckDB's marts hold them as UTC wall
    clock (TIMESTAMP), so they are handed on the same way."""
    columns = []
    for field in table.schema:
        column = table.column(field.name)
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            column = column.cast(pa.timestamp(field.type.unit))
        columns.append(column)
    return pa.table(columns, names=table.column_names)
