"""Apache Spark as the build engine: the same dbt project, run by dbt-spark, on Parquet.

Ingest still lands every row in the DuckDB build file (its contracts, quarantine and load
log do not change). `andon build --engine spark` then writes what dbt reads (`raw`,
`ingest` and the build's test window) as Parquet into the lake folder beside the build file,
declares them as tables in a Spark session, and runs `dbt build --target spark` in that same
session: dbt-spark's session method takes the running session, so nothing is configured
twice. Every model is a Parquet table under `<lake>/warehouse/<schema>.db/<table>`.

Locally the session runs in this process (`local[2]`) with a Derby metastore inside the
lake, so nothing lands in the working directory or /tmp. On a cluster the group sets
ANDON_SPARK_MASTER (and the lake on shared storage): see README "Apache Spark".
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from sqlglot import exp

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# What dbt reads that ingest (and the build's window) wrote into the DuckDB build file.
LANDED_SCHEMAS = ("raw", "ingest")
LANDED_TABLES = ("andon_meta.test_window",)
# What dbt writes on Spark: the schemas of models and seeds (generate_schema_name).
MODEL_SCHEMAS = ("seeds", "staging", "intermediate", "marts")
MASTER_ENV = "ANDON_SPARK_MASTER"
LOGGING = Path(__file__).with_name("spark-log4j2.properties")


def lake_dir(build_file: Path) -> Path:
    """The Spark lake of a warehouse: Parquet tables, metastore and scratch, beside the file."""
    return build_file.parent / "spark"


def session_settings(lake: Path, *, catalog: str = "hive") -> dict[str, str]:
    """Spark settings of Andon's sessions: everything Spark writes stays inside `lake`,
    timestamps are UTC, and a short slice is not split into hundreds of tasks."""
    lake = lake.resolve()
    master = os.environ.get(MASTER_ENV, "local[2]")
    java = f"-Duser.timezone=UTC -Dderby.system.home={lake} -Dlog4j2.configurationFile={LOGGING}"
    if master.startswith("local"):
        # The driver is the whole cluster, running a build's few hundred small queries: the
        # quick JIT alone (C1, with room for its code) and the serial collector spend 40 %
        # less CPU than the JVM's defaults (3-day slice: 179 s of CPU against 292 s).
        java += " -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=256m -XX:+UseSerialGC"
    settings = {
        "spark.master": master,
        "spark.app.name": "andon",
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.extraJavaOptions": java,
        "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
        "spark.sql.warehouse.dir": str(lake / "warehouse"),
        "spark.local.dir": str(lake / "scratch" / "local"),
        "spark.sql.catalogImplementation": catalog,
        "spark.sql.shuffle.partitions": os.environ.get("ANDON_SPARK_SHUFFLE_PARTITIONS", "4"),
        "spark.sql.adaptive.enabled": "true",
        # dbt-spark turns ANSI mode off for its session; readers must compute the same.
        "spark.sql.ansi.enabled": "false",
        # DuckDB's TIMESTAMP is a wall clock in UTC: read it as Spark's TIMESTAMP (UTC session).
        "spark.sql.parquet.inferTimestampNTZ.enabled": "false",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }
    if master.startswith("local"):
        settings |= {
            # this machine only: no other interface is needed
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            # one plant's data on one machine: compiling each of a build's few hundred small
            # queries to Java costs more than it saves (a 7-day slice builds 23 % faster)
            "spark.sql.codegen.wholeStage": "false",
        }
    if catalog == "hive":
        settings |= {
            "spark.hadoop.javax.jdo.option.ConnectionURL": (
                f"jdbc:derby:;databaseName={lake / 'metastore_db'};create=true"
            ),
            "spark.hadoop.hive.exec.scratchdir": str(lake / "scratch" / "hive"),
            "spark.hadoop.hive.exec.local.scratchdir": str(lake / "scratch" / "hive-local"),
            "spark.hadoop.hive.downloaded.resources.dir": str(lake / "scratch" / "resources"),
            "spark.hadoop.hive.metastore.schema.verification": "false",
            "spark.hadoop.datanucleus.schema.autoCreateAll": "true",
        }
    return settings


def spark_session(lake: Path, *, catalog: str = "hive") -> SparkSession:
    """This process's Spark session with Andon's settings (started once, then reused)."""
    from pyspark.sql import SparkSession

    lake.mkdir(parents=True, exist_ok=True)
    (lake / "scratch").mkdir(exist_ok=True)
    settings = session_settings(lake, catalog=catalog)
    running = running_session()
    if running is not None:
        conf = running.sparkContext.getConf()
        same = all(
            conf.get(key) == settings[key]
            for key in ("spark.sql.warehouse.dir", "spark.sql.catalogImplementation")
        )
        if same:
            return running
        running.stop()  # another lake's session: its warehouse and metastore are not ours
    # pyspark warns at start when pandas 3 is installed; Andon hands Spark no pandas frames
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    builder = SparkSession.builder
    if catalog == "hive":
        builder = builder.enableHiveSupport()
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def export_landed(
    build_file: Path, lake: Path, changed: frozenset[str] | None = None
) -> dict[str, Path]:
    """Write every table dbt reads from the build file as Parquet under `<lake>/landed/`;
    returns `schema.table` -> folder. Each table is written whole, then swapped in. With
    `changed` (the raw entities with new loads), other raw tables keep their last export."""
    from warehouse.connections import connect_read

    folder = lake / "landed"
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    con = connect_read(build_file)
    try:
        names = [
            f"{schema}.{table}"
            for schema, table in con.execute(
                "select table_schema, table_name from information_schema.tables"
                " where list_contains($schemas, table_schema)"
                " or list_contains($tables, table_schema || '.' || table_name)"
                " order by 1, 2",
                {"schemas": list(LANDED_SCHEMAS), "tables": list(LANDED_TABLES)},
            ).fetchall()
        ]
        for name in names:
            target = folder / name
            written[name] = target
            entity = name.removeprefix("raw.")
            kept = changed is not None and entity != name and entity not in changed
            if kept and target.is_dir():
                continue
            partial = folder / f".{name}.part"
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            columns = con.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema || '.' || table_name = ? order by ordinal_position",
                [name],
            ).fetchall()
            # JSON is text to every other engine.
            select = ", ".join(
                f'"{column}"::varchar as "{column}"' if kind == "JSON" else f'"{column}"'
                for column, kind in columns
            )
            schema, table = name.split(".")
            file = exp.Literal.string(str(partial / "part-0.parquet")).sql("duckdb")
            con.execute(
                f'copy (select {select} from "{schema}"."{table}") to {file}'
                " (format parquet, compression zstd)"
            )
            shutil.rmtree(target, ignore_errors=True)
            os.replace(partial, target)
    finally:
        con.close()
    return written


def declare_landed(session: SparkSession, landed: dict[str, Path]) -> None:
    """Declare the exported tables in the session's catalog (external Parquet tables)."""
    for name, folder in landed.items():
        schema = name.split(".")[0]
        session.sql(f"create database if not exists `{schema}`")
        session.sql(f"drop table if exists {_quoted(name)}")
        location = exp.Literal.string(str(folder.resolve())).sql("spark")
        session.sql(f"create table {_quoted(name)} using parquet location {location}")


def _quoted(name: str) -> str:
    return ".".join(f"`{part}`" for part in name.split("."))


def model_tables(session: SparkSession, schema: str) -> list[str]:
    """The tables dbt built in `schema` on Spark (none when the schema does not exist)."""
    if not session.catalog.databaseExists(schema):
        return []
    return sorted(
        t.name
        for t in session.catalog.listTables(schema)
        if not t.isTemporary and t.tableType != "VIEW"
    )


def table_location(session: SparkSession, name: str) -> str:
    """Where a Spark table's files are (a local path or a cluster URI)."""
    rows = session.sql(f"describe formatted {_quoted(name)}").collect()
    for row in rows:
        if row[0] == "Location":
            return row[1].removeprefix("file:")
    raise LookupError(f"Spark table {name} has no location")


def running_session() -> SparkSession | None:
    """This process's Spark session, from any thread (getActiveSession sees only its own
    thread's), or None when none runs."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    if SparkContext._active_spark_context is None:  # noqa: SLF001 - pyspark's own test
        return None
    return SparkSession.builder.getOrCreate()


def reader_session(lake: Path) -> SparkSession:
    """The session readers query with: this process's (a build's) when one runs, else a new
    one with an in-memory catalog (readers name Parquet folders, not metastore tables)."""
    return running_session() or spark_session(lake, catalog="in-memory")
