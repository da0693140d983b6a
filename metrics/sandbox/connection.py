"""The hardened DuckDB connection one workbench run uses, and the tables it can see.

An in-memory database that attaches the published file READ_ONLY as `andon`. Everything
that must hold is set while the configuration is still open, then locked:

- spills go to a fresh folder of the sandbox temp directory (never the working
  directory), capped by `max_temp_directory_size`, and removed after the run;
- `memory_limit` and `threads` bound the run;
- no extension is installed or loaded, Python objects are not readable as tables;
- a published Spark build's mart views may read its Parquet snapshot folder
  (`allowed_directories`), and nothing else;
- after the attach, `enable_external_access = false` (no file, URL or other database)
  and `lock_configuration = true` (no SET can undo any of it).

The sandbox attaches into :memory: because DuckDB refuses a second `connect()` to a file
that the dashboards already hold open with a different configuration.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlglot import exp

from metrics.sandbox.limits import Limits
from metrics.sandbox.rewrite import CATALOG
from warehouse.connections import SPARK_BUILD_TABLE

AFTER_ATTACH = (
    f"use {CATALOG}",
    "set TimeZone = 'UTC'",
    "set enable_external_access = false",
    "set lock_configuration = true",
)
TABLES_SQL = (
    "select schema_name, table_name from duckdb_tables() where database_name = $catalog"
    " union all select schema_name, view_name from duckdb_views()"
    " where database_name = $catalog and not internal"
)


@dataclass(frozen=True)
class Sandbox:
    con: duckdb.DuckDBPyConnection
    database: Path  # the published file
    spill_dir: Path  # this run's temp folder

    def tables(self) -> list[tuple[str, str]]:
        """(schema, table) of every table and view of the attached warehouse."""
        rows = self.con.execute(TABLES_SQL, {"catalog": CATALOG}).fetchall()
        return [(str(schema), str(name)) for schema, name in rows]


def spill_folder(limits: Limits) -> Path:
    """A fresh folder for one run's temp files, inside the sandbox temp directory."""
    limits.temp_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Path(tempfile.mkdtemp(prefix="run-", dir=limits.temp_dir))


def spark_snapshot(con: duckdb.DuckDBPyConnection) -> str | None:
    """The mart snapshot folder of an attached published Spark build, else None."""
    schema, table = SPARK_BUILD_TABLE.split(".")
    present = con.execute(
        "select count(*) from duckdb_tables()"
        " where database_name = ? and schema_name = ? and table_name = ?",
        [CATALOG, schema, table],
    ).fetchone()[0]
    if not present:
        return None
    row = con.execute(f"select snapshot from {CATALOG}.{SPARK_BUILD_TABLE}").fetchone()
    return str(row[0]) if row else None


@contextmanager
def sandbox(database: Path, limits: Limits | None = None) -> Iterator[Sandbox]:
    """An in-memory DuckDB that sees `database` read-only and can touch no other file."""
    limits = limits or Limits()
    spill = spill_folder(limits)
    con = None
    try:
        con = duckdb.connect(
            ":memory:",
            config={
                "temp_directory": str(spill),
                "max_temp_directory_size": f"{limits.max_temp_bytes} bytes",
                "memory_limit": f"{limits.memory_limit_bytes} bytes",
                "threads": str(limits.threads),
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
                "allow_community_extensions": False,
                "python_enable_replacements": False,
            },
        )
        path = exp.Literal.string(str(database)).sql(dialect="duckdb")
        con.execute(f"attach {path} as {CATALOG} (read_only)")
        snapshot = spark_snapshot(con)
        if snapshot is not None:  # a Spark build's mart views read its Parquet snapshot
            folder = exp.Literal.string(snapshot.rstrip("/") + "/").sql(dialect="duckdb")
            con.execute(f"set allowed_directories = [{folder}]")
        for setting in AFTER_ATTACH:
            con.execute(setting)
        yield Sandbox(con, database, spill)
    finally:
        if con is not None:
            con.close()
        shutil.rmtree(spill, ignore_errors=True)
