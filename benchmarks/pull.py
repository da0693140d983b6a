"""Pull benchmark: Andon's database pull against the database's own bulk export.

A WMS movement journal (default 5 million rows: ids, text codes, timestamps, decimals) is
generated server-side in a throw-away PostgreSQL and MariaDB server (tests/dbservers.py),
then, per database, side by side:
  * limit      - the database's own bulk export: PostgreSQL `COPY (…) TO STDOUT (FORMAT csv)`
                 read by psycopg and discarded; MariaDB `SELECT … INTO OUTFILE` (the server
                 writes the file itself)
  * connectorx - `connectorx.read_sql(…, return_type="arrow_stream")` batches written to
                 Parquet with pyarrow's ParquetWriter
  * andon pull - `ingest.pull.pull_source(source, warehouse, full=True)` from a sources.yaml:
                 the read, the contract checks, quarantine, lineage and load log, into a fresh
                 warehouse
Each measurement runs in a fresh child process; seconds are the job's own (interpreter start
and imports excluded), peak RSS comes from the kernel (wait4). Goal: the Andon pull at
>= 0.5 of the limit's rows/s with a peak RSS under 1 GiB.

    python benchmarks/pull.py [--rows 5000000] [--only postgresql|mariadb] [--batch-size 100000]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORK = ROOT / "benchmarks" / "out"
MIB = 1024**2
GOAL_SHARE, GOAL_RSS = 0.5, 1024 * MIB
PASSWORD_ENV = "ANDON_BENCH_DB_PASSWORD"
CHUNK = 1_000_000  # rows per generating INSERT
TABLE = "stock_move"
COLUMNS = {  # source column → inventory_movements contract column
    "move_no": "movement_id",
    "move_time": "movement_ts",
    "wh_code": "warehouse_id",
    "item_code": "material_id",
    "move_type": "movement_type",
    "move_qty": "qty",
    "lot_no": "lot_id",
}
SELECT = f"select id, {', '.join(COLUMNS)}, updated_at from {{table}}"
WAREHOUSES = ("SZ-RM", "SZ-FG", "DG-RM", "DG-FG", "HP-RM", "HP-FG")
MOVES = ("GOODS_RECEIPT", "ISSUE_TO_PRODUCTION", "PRODUCTION_RECEIPT", "SHIPMENT")

PG_DDL = f"""
create schema if not exists wms;
create table wms.{TABLE} (
    id bigint not null, move_no varchar(20) not null, move_time timestamp(6) not null,
    wh_code varchar(8) not null, item_code varchar(12) not null,
    move_type varchar(24) not null, move_qty numeric(18,4) not null, lot_no varchar(16),
    updated_at timestamp(6) not null
)"""
PG_FILL = f"""
insert into wms.{TABLE}
select i, 'MV-' || lpad(i::text, 10, '0'),
       timestamp '2026-01-01' + (i % 31536000) * interval '1 second',
       (array{list(WAREHOUSES)})[1 + i % 6], 'RM-' || lpad((i % 480)::text, 4, '0'),
       (array{list(MOVES)})[1 + i % 4], round(((i * 7919) % 100000) / 100.0 - 300, 2),
       case when i % 5 = 0 then null else 'LOT' || lpad((i % 99991)::text, 6, '0') end,
       timestamp '2026-01-01' + i * interval '1 second'
from generate_series({{low}}::bigint, {{high}}::bigint) as i"""
MY_DDL = f"""
create table {TABLE} (
    id bigint not null primary key, move_no varchar(20) not null,
    move_time datetime(6) not null, wh_code varchar(8) not null,
    item_code varchar(12) not null, move_type varchar(24) not null,
    move_qty decimal(18,4) not null, lot_no varchar(16), updated_at datetime(6) not null,
    key ix_updated_at (updated_at)
) engine=InnoDB default charset=utf8mb4"""
_ELT_WH = ", ".join(f"'{w}'" for w in WAREHOUSES)
_ELT_MV = ", ".join(f"'{m}'" for m in MOVES)
MY_FILL = f"""
insert into {TABLE}
select seq, concat('MV-', lpad(seq, 10, '0')),
       timestamp '2026-01-01 00:00:00' + interval (seq % 31536000) second,
       elt(1 + seq % 6, {_ELT_WH}), concat('RM-', lpad(seq % 480, 4, '0')),
       elt(1 + seq % 4, {_ELT_MV}), round(((seq * 7919) % 100000) / 100.0 - 300, 2),
       if(seq % 5 = 0, null, concat('LOT', lpad(seq % 99991, 6, '0'))),
       timestamp '2026-01-01 00:00:00' + interval seq second
from seq_{{low}}_to_{{high}}"""


@dataclass
class Measurement:
    database: str
    method: str
    rows: int
    seconds: float
    peak_rss: int
    note: str = ""

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# ---- the parent: servers, data, measurements ---------------------------------------------


def start_server(kind: str):  # noqa: ANN201 - tests.dbservers server
    from tests.dbservers import MariaDBServer, PostgresServer

    if kind == "postgresql":
        server = PostgresServer(
            settings={"shared_buffers": "256MB", "work_mem": "64MB", "max_wal_size": "4GB"}
        )
    else:
        server = MariaDBServer(
            settings={"innodb-buffer-pool-size": "512M", "innodb-log-file-size": "256M"}
        )
    reason = server.unavailable()
    if reason:
        raise SystemExit(reason)
    return server.start()


def fill(server, rows: int) -> float:  # noqa: ANN001
    """Generate the journal server-side; returns the seconds it took."""
    started = time.perf_counter()
    con = server.connect(autocommit=True)
    try:
        cur = con.cursor()
        if server.kind == "postgresql":
            for statement in PG_DDL.split(";"):
                cur.execute(statement)
            for low in range(1, rows + 1, CHUNK):
                cur.execute(PG_FILL.format(low=low, high=min(rows, low + CHUNK - 1)))
            cur.execute(f"alter table wms.{TABLE} add primary key (id)")
            cur.execute(f"create index on wms.{TABLE} (updated_at)")
            cur.execute(f"vacuum (analyze) wms.{TABLE}")  # hint bits set: reads do not write
        else:
            cur.execute(MY_DDL)
            for low in range(1, rows + 1, CHUNK):
                cur.execute("begin")
                cur.execute(MY_FILL.format(low=low, high=min(rows, low + CHUNK - 1)))
                cur.execute("commit")
            cur.execute(f"analyze table {TABLE}")
        cur.close()
    finally:
        con.close()
    return time.perf_counter() - started


def table_name(kind: str) -> str:
    return f"wms.{TABLE}" if kind == "postgresql" else TABLE


def write_sources(server, work: Path) -> Path:  # noqa: ANN001
    import yaml

    kind = server.kind
    entity = {
        "table": table_name(kind),
        "columns": COLUMNS,
        "watermark": {"column": "updated_at", "lookback": "2h"},
    }
    content = {
        "sources": {
            f"bench_{kind}": {
                "kind": kind,
                "description": "pull benchmark",
                "connection": {**server.connection(), "password_env": PASSWORD_ENV},
                "timeout_s": 7200,
                "entities": {"inventory_movements": entity},
            }
        }
    }
    path = work / f"sources_{kind}.yaml"
    path.write_text(yaml.safe_dump(content, sort_keys=False))
    return path


def measure(database: str, method: str, job: dict) -> Measurement:
    """Run this script as a child doing one job; its own seconds, the kernel's peak RSS."""
    result = Path(job["work"]) / f"result_{database}_{job['job']}.json"
    result.unlink(missing_ok=True)
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", json.dumps({**job, "result": str(result)})],
        cwd=ROOT,
    )
    _, status, usage = os.wait4(child.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0 or not result.exists():
        return Measurement(
            database, method, 0, 0.0, usage.ru_maxrss * 1024, f"failed (exit {code})"
        )
    done = json.loads(result.read_text())
    return Measurement(
        database,
        method,
        done["rows"],
        done["seconds"],
        usage.ru_maxrss * 1024,
        done.get("note", ""),
    )


def bench(kind: str, rows: int, batch_size: int, work: Path) -> list[Measurement]:
    print(f"\n{kind}: starting a server and generating {rows:,} rows …", flush=True)
    server = start_server(kind)
    try:
        seconds = fill(server, rows)
        print(f"{kind}: generated in {seconds:.1f}s (server start {server.start_seconds:.1f}s)")
        os.environ[PASSWORD_ENV] = server.password
        sql = SELECT.format(table=table_name(kind))
        base = {"kind": kind, "url": server.url(), "sql": sql, "work": str(work), "rows": rows}
        if kind == "mariadb":
            base["outfile"] = str(server.files_dir / "limit.csv")
        results = [
            measure(kind, "limit: " + LIMIT_NAMES[kind], {**base, "job": "limit"}),
            measure(
                kind,
                "connectorx arrow_stream → parquet",
                {**base, "job": "connectorx", "batch_size": batch_size},
            ),
            measure(
                kind,
                "andon pull_source (full)",
                {**base, "job": "andon", "sources": str(write_sources(server, work))},
            ),
        ]
        for leftover in work.glob(f"{kind}*"):
            shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink()
        return results
    finally:
        server.close()


LIMIT_NAMES = {
    "postgresql": "COPY TO STDOUT (csv) via psycopg",
    "mariadb": "SELECT … INTO OUTFILE (server)",
}


# ---- the children -------------------------------------------------------------------------


def child(job: dict) -> None:
    """One measured job, in its own process; writes {rows, seconds, note} to job['result']."""
    kind, work = job["kind"], Path(job["work"])
    note = ""
    started = time.perf_counter()
    if job["job"] == "limit":
        rows = limit_postgres(job) if kind == "postgresql" else limit_mariadb(job)
    elif job["job"] == "connectorx":
        import connectorx
        import pyarrow.parquet as pq

        path = work / f"{kind}_connectorx.parquet"
        reader = connectorx.read_sql(
            job["url"], job["sql"], return_type="arrow_stream", batch_size=job["batch_size"]
        )
        rows = 0
        with pq.ParquetWriter(path, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                rows += batch.num_rows
        note = f"{path.stat().st_size / MIB:,.0f} MiB parquet"
    else:
        rows, note = andon_pull(job, work)
        if rows is None:
            Path(job["result"]).write_text(json.dumps({"rows": 0, "seconds": 0, "note": note}))
            return
    seconds = time.perf_counter() - started
    if job["job"] != "andon" and rows != job["rows"]:
        note += f" (expected {job['rows']:,} rows)"
    Path(job["result"]).write_text(json.dumps({"rows": rows, "seconds": seconds, "note": note}))


def limit_postgres(job: dict) -> int:
    """COPY … TO STDOUT (FORMAT csv), every chunk read and written to /dev/null."""
    import psycopg

    with psycopg.connect(job["url"]) as con, open(os.devnull, "wb") as sink:
        cur = con.cursor()
        with cur.copy(f"copy ({job['sql']}) to stdout (format csv)") as copy:
            for data in copy:  # a chunk of rows at a time
                sink.write(data)
        return cur.rowcount  # from the server's "COPY n"


def limit_mariadb(job: dict) -> int:
    """SELECT … INTO OUTFILE: the server writes the CSV itself (in its secure-file-priv dir)."""
    from urllib.parse import unquote, urlparse

    import pymysql

    url = urlparse(job["url"])
    outfile = Path(job["outfile"])
    con = pymysql.connect(
        host=url.hostname,
        port=url.port,
        user=unquote(url.username or ""),
        password=unquote(url.password or ""),
        database=url.path.lstrip("/"),
    )
    try:
        with con.cursor() as cur:
            select = job["sql"].replace(
                " from ",
                f" into outfile '{outfile}' fields terminated by"
                " ',' optionally enclosed by '\"' from ",
                1,
            )
            rows = cur.execute(select)
    finally:
        con.close()
    with contextlib.suppress(PermissionError):  # else it goes with the server's directory
        outfile.unlink()
    return rows


def andon_pull(job: dict, work: Path) -> tuple[int | None, str]:
    try:
        from ingest.pull import pull_source
        from ingest.sources import load_sources
    except ImportError as error:
        return None, f"not available ({error})"
    warehouse = work / f"{job['kind']}_andon" / "andon.duckdb"
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    sources = load_sources(Path(job["sources"]))
    report = pull_source(sources.get(f"bench_{job['kind']}"), warehouse, full=True)
    result = report.results[0]
    if result.status != "landed":
        return None, f"{result.status}: {result.message[:200]}"
    note = f"read {result.rows_read:,}, landed {result.rows_landed:,}"
    if result.rows_quarantined:
        note += f", quarantined {result.rows_quarantined:,}"
    return result.rows_landed, note


# ---- output ---------------------------------------------------------------------------------


def print_table(title: str, results: list[Measurement]) -> None:
    print(f"\n{title}")
    print(
        f"{'database':<12}{'method':<38}{'rows':>12}{'seconds':>9}{'rows/s':>13}"
        f"{'of limit':>10}{'peak RSS':>12}  note"
    )
    limits = {m.database: m.rows_per_second for m in results if m.method.startswith("limit")}
    for m in results:
        limit = limits.get(m.database) or 0
        share = f"{m.rows_per_second / limit:.2f}" if limit and m.rows else "-"
        print(
            f"{m.database:<12}{m.method:<38}{m.rows:>12,}{m.seconds:>9.2f}"
            f"{m.rows_per_second:>13,.0f}{share:>10}{m.peak_rss / MIB:>8,.0f} MiB  {m.note}"
        )
    print(f"goal: andon pull >= {GOAL_SHARE} of the limit at < {GOAL_RSS // MIB // 1024} GiB")
    for m in results:
        if m.method.startswith("andon") and m.rows:
            limit = limits.get(m.database) or 0
            share = m.rows_per_second / limit if limit else 0
            ok = share >= GOAL_SHARE and m.peak_rss < GOAL_RSS
            print(
                f"  {m.database}: {share:.2f} of the limit, {m.peak_rss / MIB:,.0f} MiB"
                f" -> {'met' if ok else 'NOT met'}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--only", choices=["postgresql", "mariadb"])
    parser.add_argument("--batch-size", type=int, default=100_000, help="ConnectorX batch rows")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return

    WORK.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="pull-", dir=WORK))
    try:
        results: list[Measurement] = []
        for kind in [args.only] if args.only else ["postgresql", "mariadb"]:
            results += bench(kind, args.rows, args.batch_size, work)
        print_table(f"Pulling one {args.rows:,}-row table (9 columns)", results)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
