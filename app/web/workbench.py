"""The SQL workbench's engine: a sandboxed read-only connection, a timed and row-limited
executor, the schema with dbt descriptions, and saved queries kept beside the warehouse.

Read-only three layers deep: sql_guard's allowlist (layer one), a connection that attaches
the published file READ_ONLY and then switches off file/URL access and locks its settings
(layer two), and a timeout plus row limit (layer three). The sandbox attaches the file into
an in-memory database because DuckDB refuses a second `connect()` to a file that the
dashboards already hold open with a different configuration.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import sqlglot
from sqlglot import exp

from app.web.sql_guard import SqlRefused, check_select

ROW_LIMIT = 10_000
TIMEOUT_S = 20.0
CATALOG = "andon"
SANDBOX_SETTINGS = (
    "set memory_limit = '1GB'",
    "set threads = 2",
    "set enable_external_access = false",
    "set lock_configuration = true",
)


@dataclass(frozen=True)
class QueryResult:
    frame: pl.DataFrame
    truncated: bool
    milliseconds: float


class QueryFailed(SqlRefused):
    """DuckDB refused or could not run the query (position as in the user's text)."""


def sandbox_connection(database: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that sees `database` read-only and can touch no other file."""
    con = duckdb.connect(":memory:")
    path = exp.Literal.string(str(database)).sql(dialect="duckdb")
    con.execute(f"attach {path} as {CATALOG} (read_only)")
    con.execute(f"use {CATALOG}")
    for setting in SANDBOX_SETTINGS:
        con.execute(setting)
    return con


def strip_trailing(sql: str) -> str:
    """The query text without trailing semicolons and comments, ready to wrap."""
    tokens = sqlglot.tokenize(sql, read="duckdb")
    meaningful = [tok for tok in tokens if tok.token_type != sqlglot.TokenType.SEMICOLON]
    if not meaningful:
        return ""
    return sql[: meaningful[-1].end + 1]


def wrap_with_limit(sql: str, limit: int) -> str:
    """SELECT * FROM (query) LIMIT limit+1, so one extra row says the result was cut."""
    return f"select * from (\n{strip_trailing(sql)}\n) as workbench_query limit {limit + 1}"


def run_query(
    database: Path, sql: str, *, limit: int = ROW_LIMIT, timeout_s: float = TIMEOUT_S
) -> QueryResult:
    """Check, then run one SELECT in the sandbox (raises SqlRefused or QueryFailed)."""
    check_select(sql)
    con = sandbox_connection(database)
    try:
        return execute(
            con, wrap_with_limit(sql, limit), limit=limit, timeout_s=timeout_s, line_offset=1
        )
    finally:
        con.close()


def execute(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    *,
    limit: int = ROW_LIMIT,
    timeout_s: float = TIMEOUT_S,
    line_offset: int = 0,
) -> QueryResult:
    """Run `sql` as is on `con` in a worker thread, interrupting it after `timeout_s`."""
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            relation = con.sql(sql)
            outcome["frame"] = relation.pl() if relation is not None else pl.DataFrame()
        except Exception as error:  # noqa: BLE001 - reported to the user, never re-raised raw
            outcome["error"] = error

    started = time.perf_counter()
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        con.interrupt()
        worker.join(5)
        raise QueryFailed(f"Stopped after {timeout_s:g} s: narrow the query or add filters.")
    elapsed = (time.perf_counter() - started) * 1000
    if "error" in outcome:
        raise failure(outcome["error"], line_offset)  # type: ignore[arg-type]
    frame = outcome["frame"]
    assert isinstance(frame, pl.DataFrame)
    return QueryResult(frame.head(limit), frame.height > limit, elapsed)


LINE_MARK = re.compile(r"^LINE (\d+): ")


def failure(error: Exception, line_offset: int = 0) -> QueryFailed:
    """DuckDB's message without the code echo, and its line/column when it gave one."""
    text = str(error).strip()
    lines = text.splitlines()
    message = lines[0] if lines else type(error).__name__
    line = column = None
    for index, row in enumerate(lines):
        mark = LINE_MARK.match(row)
        if not mark:
            continue
        line = max(1, int(mark.group(1)) - line_offset)
        caret = lines[index + 1] if index + 1 < len(lines) else ""
        if "^" in caret and not row[mark.end() :].startswith("..."):
            column = caret.index("^") - mark.end() + 1
        break
    return QueryFailed(message, line, column)


# -- schema browser ---------------------------------------------------------------------


def schema_columns(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Schemas, tables and columns of the warehouse (system schemas left out)."""
    return con.sql(
        "select table_schema as schema, table_name as table, column_name as column,"
        " data_type as type from information_schema.columns"
        " where table_catalog = current_database()"
        " and table_schema not in ('information_schema', 'pg_catalog')"
        " order by table_schema, table_name, ordinal_position"
    ).pl()


def manifest_descriptions(manifest: Path) -> dict[tuple[str, str], dict[str, str]]:
    """{(schema, table): {"": table description, column: description}} from dbt's manifest."""
    if not manifest.exists():
        return {}
    data = json.loads(manifest.read_text(encoding="utf-8"))
    found: dict[tuple[str, str], dict[str, str]] = {}
    nodes = list(data.get("nodes", {}).values()) + list(data.get("sources", {}).values())
    for node in nodes:
        if node.get("resource_type") not in ("model", "seed", "snapshot", "source"):
            continue
        table = node.get("alias") or node.get("identifier") or node.get("name")
        texts = {"": node.get("description") or ""}
        for name, column in (node.get("columns") or {}).items():
            texts[name] = column.get("description") or ""
        found[(node.get("schema"), table)] = texts
    return found


def manifest_path(build_file: Path) -> Path:
    return build_file.parent / "dbt_target" / "manifest.json"


# -- saved queries ----------------------------------------------------------------------


def store_path(build_file: Path) -> Path:
    """Saved queries live beside the warehouse, so every analyst of it sees them."""
    return build_file.parent / "workbench.sqlite"


def _store(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    con.execute(
        "create table if not exists saved_query (name text primary key, sql text not null,"
        " saved_at text not null)"
    )
    return con


def saved_queries(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    with _store(path) as con:
        return dict(con.execute("select name, sql from saved_query order by name").fetchall())


def save_query(path: Path, name: str, sql: str) -> None:
    name = name.strip()
    if not name:
        raise ValueError("Give the query a name.")
    with _store(path) as con:
        con.execute(
            "insert into saved_query values (?, ?, ?) on conflict (name) do update set"
            " sql = excluded.sql, saved_at = excluded.saved_at",
            [name, sql, datetime.now(UTC).isoformat(timespec="seconds")],
        )


def delete_query(path: Path, name: str) -> None:
    with _store(path) as con:
        con.execute("delete from saved_query where name = ?", [name])
