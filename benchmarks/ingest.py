"""Ingest benchmark: Andon's loader against the physical limit and against what plants do today.

Prints rows/s and peak RSS, side by side in one run, for:
  * andon     - `ingest_inbox` (contract checks, quarantine, lineage, load log, one transaction)
  * duckdb    - bare `create table as select * from read_csv(...)` on the same file
  * pandas    - pandas `read_csv` + `to_sql` into SQLite
on one large CSV (default 4 million rows, about 400 MB; goals: Andon >= 0.8x bare DuckDB's
throughput at <= 1.5x its peak RSS), then Andon alone on the same rows encoded GB18030 (decoded
in Python, so measured apart), on a 10-million-row file (peak RSS goal: under 2 GiB) and on the
scale-S sample factory.

Each measurement runs in a fresh child process; its peak RSS comes from the kernel (wait4).

    python benchmarks/ingest.py [--rows 4000000] [--big-rows 10000000] [--scale 1] [--skip-pandas]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file is named like the `ingest` package: import the package, not this script.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
WORK = ROOT / "benchmarks" / "out"
GIB = 1024**3

MOVEMENTS_SQL = """
copy (
    select
        'MV' || lpad(i::varchar, 10, '0') as movement_id,
        strftime(timestamp '2026-01-01 00:00:00' + to_seconds(i % 31536000),
                 '%Y-%m-%dT%H:%M:%S') || '+08:00' as movement_ts,
        ['SZ-RM', 'SZ-FG', 'DG-RM', 'DG-FG', 'HP-RM', 'HP-FG'][1 + i % 6] as warehouse_id,
        'RM-' || lpad((i % 480)::varchar, 4, '0') as material_id,
        ['GOODS_RECEIPT', 'ISSUE_TO_PRODUCTION', 'PRODUCTION_RECEIPT', 'SHIPMENT'][1 + i % 4]
            as movement_type,
        round(((i * 7919) % 100000) / 100.0 - 300, 2) as qty,
        'LOT' || lpad((i % 99991)::varchar, 6, '0') as lot_id,
        ['PO', 'WO', 'WO', 'SO'][1 + i % 4] as reference_type,
        'REF' || lpad((i % 777777)::varchar, 7, '0') as reference_id,
        1 + i % 9 as reference_line
    from range({rows}) as t(i)
) to '{path}' (header, delimiter ',')
"""


@dataclass
class Measurement:
    name: str
    rows: int
    seconds: float
    peak_rss: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def make_csv(rows: int) -> Path:
    """A WMS inventory-movements extract with `rows` rows (cached between runs)."""
    inbox = WORK / f"inbox_{rows}"
    path = inbox / "wms" / "inventory_movements" / f"movements_{rows}.csv"
    if not path.exists():
        import duckdb

        path.parent.mkdir(parents=True, exist_ok=True)
        duckdb.sql(MOVEMENTS_SQL.format(rows=rows, path=path))
    return path


def make_gb18030(csv: Path) -> Path:
    """The same extract encoded GB18030 (as Chinese ERP exports often are), with Chinese
    text in one column so it is not plain ASCII (cached between runs)."""
    inbox = csv.parents[2].with_name(csv.parents[2].name + "_gb18030")
    path = inbox / "wms" / "inventory_movements" / csv.name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with csv.open(encoding="utf-8") as src, path.open("w", encoding="gb18030") as dst:
            for line in src:
                dst.write(line.replace(",LOT", ",批次"))
    return path


def measure(name: str, rows: int, *child_args: str) -> Measurement:
    """Run this script as a child doing one job; wall time and peak RSS from the kernel."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, "--child", *child_args], cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{name} failed (exit {os.waitstatus_to_exitcode(status)})")
    return Measurement(name, rows, seconds, usage.ru_maxrss * 1024)


def child(job: str, source: str, target: str) -> None:
    """One measured job, in its own process."""
    Path(target).unlink(missing_ok=True)
    shutil.rmtree(target + ".wal", ignore_errors=True)
    if job == "andon":
        from ingest import ingest_inbox

        report = ingest_inbox(Path(source), Path(target))
        if report.rejected:
            raise SystemExit(report.rejected[0].message)
    elif job == "duckdb":
        import duckdb

        con = duckdb.connect(target)
        con.execute(f"create table movements as select * from read_csv('{source}')")
        con.close()
    elif job == "pandas":
        import sqlite3

        import pandas as pd

        frame = pd.read_csv(source)
        with sqlite3.connect(target) as con:
            frame.to_sql("movements", con, index=False, chunksize=100_000)


def print_table(title: str, results: list[Measurement]) -> None:
    print(f"\n{title}")
    print(f"{'method':<34}{'rows':>12}{'seconds':>10}{'rows/s':>14}{'peak RSS':>12}")
    for m in results:
        print(
            f"{m.name:<34}{m.rows:>12,}{m.seconds:>10.1f}{m.rows_per_second:>14,.0f}"
            f"{m.peak_rss / GIB:>10.2f} GiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4_000_000)
    parser.add_argument("--big-rows", type=int, default=10_000_000)
    parser.add_argument("--scale", type=float, default=1.0, help="sample factory scale S")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("JOB", "SOURCE", "TARGET"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    WORK.mkdir(parents=True, exist_ok=True)
    csv = make_csv(args.rows)
    inbox = csv.parents[2]
    size = csv.stat().st_size / 1024**2
    results = [
        measure("andon ingest", args.rows, "andon", str(inbox), str(WORK / "andon.duckdb")),
        measure(
            "bare duckdb CTAS read_csv", args.rows, "duckdb", str(csv), str(WORK / "bare.duckdb")
        ),
    ]
    if not args.skip_pandas:
        results.append(
            measure(
                "pandas read_csv + to_sql (SQLite)",
                args.rows,
                "pandas",
                str(csv),
                str(WORK / "pandas.sqlite"),
            )
        )
    print_table(f"One CSV file: {args.rows:,} rows, {size:,.0f} MB", results)
    andon, bare = results[0], results[1]
    print(
        f"andon throughput = {andon.rows_per_second / bare.rows_per_second:.2f}x bare DuckDB's"
        f" (goal >= 0.8x), peak RSS {andon.peak_rss / bare.peak_rss:.2f}x (goal <= 1.5x)"
    )
    gb = make_gb18030(csv)
    gb_run = measure(
        "andon ingest, GB18030",
        args.rows,
        "andon",
        str(gb.parents[2]),
        str(WORK / "andon_gb.duckdb"),
    )
    print_table(f"The same rows encoded GB18030 ({gb.stat().st_size / 1024**2:,.0f} MB)", [gb_run])
    if not args.skip_pandas:
        pandas = results[2]
        print(
            f"andon vs pandas->SQLite: {andon.rows_per_second / pandas.rows_per_second:.1f}x "
            f"faster (goal >= 3x), peak RSS {andon.peak_rss / pandas.peak_rss:.0%} of it "
            f"(goal <= 25%)"
        )

    if args.big_rows:
        big = make_csv(args.big_rows)
        big_run = measure(
            "andon ingest",
            args.big_rows,
            "andon",
            str(big.parents[2]),
            str(WORK / "andon_big.duckdb"),
        )
        print_table(f"One CSV file: {args.big_rows:,} rows (peak RSS goal < 2 GiB)", [big_run])

    sample_dir = WORK / f"sample_scale_{args.scale:g}"
    if not sample_dir.exists():
        from ingest.sample import generate_sample

        generate_sample(sample_dir, scale=args.scale)
    rows = _sample_rows(sample_dir)
    sample_run = measure(
        f"andon ingest (scale {args.scale:g})",
        rows,
        "andon",
        str(sample_dir),
        str(WORK / "andon_sample.duckdb"),
    )
    print_table(f"Sample factory, scale {args.scale:g}: every file, every format", [sample_run])


def _sample_rows(sample_dir: Path) -> int:
    """All rows the generator wrote, from its summary."""
    import json

    summary = json.loads((sample_dir / "_truth" / "summary.json").read_text())
    return sum(summary["rows"].values())


if __name__ == "__main__":
    main()
