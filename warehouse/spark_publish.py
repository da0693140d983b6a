"""Publishing a Spark build: a snapshot of the marts beside the published DuckDB file.

Spark rewrites a table's files in place while it builds, so readers never read the build's
own tables: after a build passed, each mart's Parquet folder is copied to
`published/spark-<build id>/marts/<table>/`, and the published DuckDB copy (ingest log,
quarantine, raw rows, build records) gets one view per mart over those files and the row in
`andon_meta.published_engine` that tells readers to send mart queries to Spark (see
warehouse/spark_read.py). The pointer switch is the usual one (warehouse/publish.py), so a
reader sees the whole new build or the previous one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow.parquet as pq
from sqlglot import exp

from warehouse.connections import SPARK_BUILD_TABLE
from warehouse.publish import current_published, publish, published_dir
from warehouse.spark import MODEL_SCHEMAS, model_tables, table_location
from warehouse.spark_read import SNAPSHOT_SCHEMAS, utc_wall_clock

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def snapshot_dir(build_file: Path, build_id: str) -> Path:
    return published_dir(build_file) / f"spark-{build_id}"


def publish_spark(build_file: Path, build_id: str, session: SparkSession, lake: Path) -> Path:
    """Snapshot the marts Spark built, then publish the DuckDB file that points at them."""
    snapshot = snapshot_dir(build_file, build_id)
    shutil.rmtree(snapshot, ignore_errors=True)
    for schema in SNAPSHOT_SCHEMAS:
        for table in model_tables(session, schema):
            name = f"{schema}.{table}"
            target = snapshot / schema / table
            shutil.copytree(
                table_location(session, name),
                target,
                ignore=shutil.ignore_patterns("_*", ".*"),  # _SUCCESS, .crc files
            )
            if not any(target.rglob("*.parquet")):
                # Spark writes no file for an empty table: one with its columns and no rows,
                # so both DuckDB and Spark read it as an empty table.
                columns = utc_wall_clock(session.table(name).limit(0).toArrow())
                pq.write_table(columns, target / "empty.parquet")
    return _publish_snapshot(build_file, build_id, snapshot, lake)


def republish_spark(build_file: Path, build_id: str) -> Path | None:
    """Publish a build that changed nothing with the published snapshot's files (hard links,
    no Spark session); None when the published build is not a Spark build."""
    published = current_published(build_file)
    if published is None:
        return None
    with duckdb.connect(str(published), read_only=True) as con:
        try:
            row = con.execute(f"select snapshot, lake from {SPARK_BUILD_TABLE}").fetchone()
        except duckdb.CatalogException:
            return None
    previous, lake = Path(row[0]), Path(row[1])
    if not previous.is_dir():
        return None
    snapshot = snapshot_dir(build_file, build_id)
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(previous, snapshot, copy_function=os.link)
    return _publish_snapshot(build_file, build_id, snapshot, lake)


def _publish_snapshot(build_file: Path, build_id: str, snapshot: Path, lake: Path) -> Path:
    """Publish the build file with a view per snapshot folder and the snapshot's row."""

    def point_at_snapshot(copy: Path) -> None:
        with duckdb.connect(str(copy)) as con:
            for schema in MODEL_SCHEMAS:
                con.execute(f'drop schema if exists "{schema}" cascade')
            for schema in SNAPSHOT_SCHEMAS:
                con.execute(f'create schema "{schema}"')
                folders = (
                    sorted((snapshot / schema).iterdir()) if (snapshot / schema).is_dir() else []
                )
                for folder in folders:
                    files = exp.Literal.string(str(folder / "**" / "*.parquet")).sql("duckdb")
                    con.execute(
                        f'create view "{schema}"."{folder.name}" as select * from'
                        f" read_parquet({files}, hive_partitioning = true)"
                    )
            con.execute(
                f"create or replace table {SPARK_BUILD_TABLE} as select ? as snapshot, ? as lake",
                [str(snapshot), str(lake)],
            )

    return publish(build_file, build_id, prepare=point_at_snapshot)
