"""`run_sql`: one user query, checked, restricted to the user's plants, run in the sandbox.

    result = run_sql("select plant_id, sum(good_qty) from marts.fct_production group by 1",
                     Scope.of({"SZ"}), warehouse=path)
    result.frame, result.truncated, result.limited_by, result.bytes, result.elapsed_s

Order of the guarantees: the allowlist (guard.py) and the scope rewrite (rewrite.py) on the
text; the hardened read-only connection (connection.py); then the limits of limits.py —
a timeout that interrupts DuckDB, at most `max_rows` rows and `max_bytes` bytes of cell
data (counted inside DuckDB, so a single huge cell is refused before it leaves it), spills
capped in the run's own temp folder. Everything that goes wrong is a SandboxRefusal or a
QueryFailed with a message from the catalogue; DuckDB's messages lose server paths, and
for a plant-restricted user the messages of errors raised while reading rows (which could
quote another plant's values) say only what kind of error it was.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
from sqlglot import exp

from metrics.sandbox.connection import Sandbox, sandbox
from metrics.sandbox.errors import (
    QueryFailed,
    SandboxError,
    SandboxRefusal,
    clean_message,
    error_kind,
    server_paths,
)
from metrics.sandbox.guard import check_select, too_deep
from metrics.sandbox.limits import Limits, format_size
from metrics.sandbox.rewrite import restrict
from metrics.scope import Scope
from warehouse.location import warehouse_path
from warehouse.publish import current_published

ROW = "andon_sbx_row"
BYTES = "andon_sbx_bytes"
TOTAL = "andon_sbx_total"
COUNT = "andon_sbx_count"
HELPERS = (ROW, BYTES, TOTAL, COUNT)
TOO_LARGE = "andon-sandbox: row larger than the byte limit"
# DuckDB errors raised before any row is read: their text names only what the user wrote
BEFORE_ROWS = (
    duckdb.ParserException,
    duckdb.BinderException,
    duckdb.CatalogException,
    duckdb.SyntaxException,
    duckdb.PermissionException,
)
STRING_TYPES = {"varchar", "json"}
BINARY_TYPES = {"blob", "bit"}
WIDE_TYPES = {"hugeint", "uhugeint", "uuid", "interval", "decimal", "timestamp with time zone"}


@dataclass(frozen=True)
class SandboxResult:
    frame: pl.DataFrame
    truncated: bool  # rows were left out: see limited_by
    limited_by: str | None  # "rows" or "bytes" when truncated
    bytes: int  # estimated size of `frame`
    elapsed_s: float
    sql: str  # what ran: the query after the scope rewrite
    tables: frozenset[str]  # "schema.table" of every table read

    @property
    def milliseconds(self) -> float:
        return self.elapsed_s * 1000


def published_file(warehouse: str | Path | None = None) -> Path:
    """The published version of the warehouse readers see (or the build file as is)."""
    build = warehouse_path(warehouse)
    target = current_published(build) or build
    if not target.exists():
        raise QueryFailed("sbx_no_warehouse")
    return target


def prepare(
    sql: str, scope: Scope, tables: list[tuple[str, str]], limits: Limits | None = None
) -> tuple[str, frozenset[str]]:
    """The SQL that runs for `scope` — checked, every table replaced by its scoped
    subquery — and the tables it reads; a SandboxRefusal when it may not run."""
    limits = limits or Limits()
    if scope.is_empty:
        raise SandboxRefusal("sbx_no_plants")
    root = check_select(sql, scope, limits)
    try:
        root, read = restrict(root, scope, tables)
        return root.sql(dialect="duckdb", comments=False), read
    except RecursionError:
        raise too_deep(f"> {limits.max_depth}", limits) from None


def run_sql(
    sql: str,
    scope: Scope,
    warehouse: str | Path | None = None,
    limits: Limits | None = None,
) -> SandboxResult:
    """Runs one read-only query for `scope` on the published warehouse (SandboxRefusal
    or QueryFailed when it may not or could not run)."""
    limits = limits or Limits()
    if scope.is_empty:
        raise SandboxRefusal("sbx_no_plants")
    check_select(sql, scope, limits)  # refuse before opening anything
    database = published_file(warehouse)
    paths = [database, database.parent, warehouse_path(warehouse).parent, limits.temp_dir]
    try:
        with sandbox(database, limits) as box:
            hidden = server_paths([*paths, box.spill_dir])
            query, read = prepare(sql, scope, box.tables(), limits)
            return _execute(box, query, read, scope, limits, hidden)
    except SandboxError:
        raise
    except duckdb.Error as error:  # the file could not be attached
        raise QueryFailed(
            "sbx_failed", {"detail": clean_message(error, server_paths(paths))}
        ) from None


def limited_sql(query: str, limits: Limits) -> str:
    """The query with one row more than the limit, so that extra row says it was cut."""
    return f"select * from (\n{query}\n) as andon_result limit {limits.max_rows + 1}"


def size_expression(column: str, type_id: str) -> str:
    """The bytes of one cell, computed by DuckDB: the length of a text or blob, a fixed
    width for numbers and times, the length of the text form for nested values."""
    name = exp.to_identifier(column, quoted=True).sql(dialect="duckdb")
    if type_id in STRING_TYPES:
        return f"coalesce(strlen({name}), 0)"
    if type_id in BINARY_TYPES:
        return f"coalesce(octet_length({name}::blob), 0)"
    if type_id in WIDE_TYPES:
        return "16"
    if type_id in {"list", "struct", "map", "array", "union", "variant"}:
        return f"coalesce(strlen({name}::varchar), 0)"
    return "8"


def sized_sql(limited: str, columns: list[str], type_ids: list[str], limits: Limits) -> str:
    """`limited` with each row's running total of bytes; rows past `max_bytes` are left
    in DuckDB, and a first row above it alone stops the query."""
    sizes = " + ".join(size_expression(c, t) for c, t in zip(columns, type_ids, strict=True))
    cap = limits.max_bytes
    return (
        f"select * from (select *, sum({BYTES}) over (order by {ROW}"
        f" rows between unbounded preceding and current row) as {TOTAL},"
        f" count(*) over () as {COUNT} from ("
        f"select *, row_number() over () as {ROW}, ({sizes or '0'})::bigint as {BYTES}"
        f" from ({limited}) as andon_limited))"
        f" where case when {ROW} = 1 and {BYTES} > {cap} then error('{TOO_LARGE}')"
        f" else {TOTAL} <= {cap} end order by {ROW}"
    )


def _execute(
    box: Sandbox,
    query: str,
    read: frozenset[str],
    scope: Scope,
    limits: Limits,
    hidden: list[str],
) -> SandboxResult:
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            limited = limited_sql(query, limits)
            relation = box.con.sql(limited)
            sized = sized_sql(limited, relation.columns, [t.id for t in relation.types], limits)
            outcome["frame"] = box.con.sql(sized).pl()
        except Exception as error:  # noqa: BLE001 - reported to the user, never re-raised raw
            outcome["error"] = error

    started = time.perf_counter()
    worker = threading.Thread(target=work, name="andon-sandbox", daemon=True)
    worker.start()
    worker.join(limits.timeout_s)
    if worker.is_alive():
        box.con.interrupt()
        worker.join(5)
        raise QueryFailed("sbx_timeout", {"seconds": f"{limits.timeout_s:g}"})
    elapsed = time.perf_counter() - started
    if "error" in outcome:
        raise failure(outcome["error"], scope, limits, hidden)  # type: ignore[arg-type]
    frame = outcome["frame"]
    assert isinstance(frame, pl.DataFrame)
    count = int(frame[COUNT][0]) if frame.height else 0
    kept = frame.drop(HELPERS).head(limits.max_rows)
    limited_by = None
    if count > limits.max_rows:
        limited_by = "rows"
    if kept.height < min(count, limits.max_rows):
        limited_by = "bytes"
    return SandboxResult(
        frame=kept,
        truncated=limited_by is not None,
        limited_by=limited_by,
        bytes=int(kept.estimated_size()),
        elapsed_s=elapsed,
        sql=query,
        tables=read,
    )


def failure(error: Exception, scope: Scope, limits: Limits, hidden: list[str]) -> QueryFailed:
    """DuckDB's error as the user may see it."""
    message = clean_message(error, hidden)
    if TOO_LARGE in str(error):
        return QueryFailed("sbx_row_too_large", {"limit": format_size(limits.max_bytes)})
    if isinstance(error, duckdb.InterruptException):
        return QueryFailed("sbx_timeout", {"seconds": f"{limits.timeout_s:g}"})
    if isinstance(error, duckdb.OutOfMemoryException):
        if "max_temp_directory_size" in str(error):
            return QueryFailed("sbx_temp_full", {"limit": format_size(limits.max_temp_bytes)})
        return QueryFailed("sbx_memory", {"limit": format_size(limits.memory_limit_bytes)})
    if not scope.is_all and not isinstance(error, BEFORE_ROWS):
        return QueryFailed("sbx_failed_hidden", {"kind": error_kind(message)})
    return QueryFailed("sbx_failed", {"detail": message})
