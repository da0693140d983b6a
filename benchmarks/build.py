"""Build benchmark: a full `andon build`, incremental ones (a day later, a 15-minute micro-batch)
and dashboard queries.

Prints, for the default demo (scale 1, 13 months) and, with `--big-scale S`, for a scale-S
factory, in one run:
  * full build      - `app.pipeline.run_pipeline` on a fresh warehouse (ingest + dbt build +
                      publish): seconds, split into ingest and dbt, and peak RSS
  * incremental     - one more day lands (the generator run again with end + 1 into the
                      same inbox: it is prefix-stable, so only the new day's files and the
                      tail of the last one are new) and `build` runs again on the same
                      warehouse: seconds, peak RSS, and its share of the full build
                      (goal: under 10 % at the large scale)
  * micro-batch     - then a 15-minute micro-batch of MES states and production counts (the
                      first 15 minutes of the day after, from the same generator, as files of
                      their own) lands and `build` runs again: seconds until it is published
  * metrics.query   - p50/p95 latency of four typical dashboard requests on the published
                      warehouse, opened per call (`warehouse=PATH`) and on one shared
                      connection (goal: p95 under 100 ms on the default demo)

The end date is fixed (default 2026-10-31) so runs are comparable. Each measurement runs in
a fresh child process; its peak RSS comes from the kernel (wait4). Work goes under
benchmarks/out/ (gitignored). Scale S multiplies the lines: S = 64 reaches about 50 million
equipment-state plus production-report rows over 13 months (scale 1: about 0.8 million).

    python benchmarks/build.py [--end 2026-10-31] [--big-scale S] [--reps 30] [--seed 42]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "out" / "build"
GIB = 1024**3
sys.path.insert(0, str(ROOT))

# (label, metrics, by, grain, period) - period is resolved against the data's as-of date.
REQUESTS = [
    (
        "OEE by line, daily, last 30 days",
        ["oee", "availability", "performance", "quality"],
        ["line"],
        "day",
        "last_30_days",
    ),
    (
        "FPY/scrap by family, weekly, last quarter",
        ["first_pass_yield", "scrap_rate"],
        ["product_family"],
        "week",
        "last_quarter",
    ),
    (
        "OTD/OTIF by region, monthly, last 12 months",
        ["on_time_delivery", "otif"],
        ["region"],
        "month",
        "last_12_months",
    ),
    (
        "Turnover/DOI by plant, last month",
        ["inventory_turnover", "days_of_inventory"],
        ["plant"],
        None,
        "last_month",
    ),
]


@dataclass
class Measurement:
    name: str
    seconds: float
    peak_rss: int
    data: dict
    cpu_seconds: float = 0.0  # user + system: the work done, whatever else shares the cores


def period(name: str, as_of: date) -> tuple[date, date]:
    """[start, end) of a dashboard period ending with the as-of date (the newest data)."""
    from metrics.periods import add_months, month_start, quarter_start

    month = month_start(as_of)
    if name == "last_30_days":
        return as_of - timedelta(days=29), as_of + timedelta(days=1)
    if name == "last_quarter":  # the last complete calendar quarter
        this_quarter = quarter_start(as_of)
        return add_months(this_quarter, -3), this_quarter
    if name == "last_12_months":  # the 12 complete months before this one
        return add_months(month, -12), month
    if name == "last_month":
        return add_months(month, -1), month
    raise ValueError(name)


def sample_period(end: date) -> tuple[date, date]:
    """The default demo's 13 months ending on `end`."""
    from ingest.sample.generate import default_period

    return default_period(end + timedelta(days=1))


def measure(name: str, *child_args: str) -> Measurement:
    """Run this script as a child doing one job; wall time and peak RSS from the kernel."""
    out = WORK / "child.json"
    out.unlink(missing_ok=True)
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, "--child", str(out), *child_args], cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{name} failed (exit {os.waitstatus_to_exitcode(status)})")
    data = json.loads(out.read_text()) if out.exists() else {}
    cpu = usage.ru_utime + usage.ru_stime
    return Measurement(name, seconds, usage.ru_maxrss * 1024, data, cpu)


# -- child jobs --------------------------------------------------------------------------
def child_generate(inbox: str, seed: str, start: str, end: str, scale: str) -> dict:
    from ingest.sample import generate_sample

    result = generate_sample(
        Path(inbox),
        seed=int(seed),
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
        scale=float(scale),
    )
    return {"rows": result.rows, "files": result.files, "seconds": result.seconds}


def child_build(inbox: str, warehouse: str) -> dict:
    from app.pipeline import run_pipeline as build

    started = time.perf_counter()
    result = build(Path(warehouse), inbox=Path(inbox))
    wall = time.perf_counter() - started
    if not result.passed:
        failures = [f"{n.unique_id}: {n.message}" for n in result.build.failures]
        raise SystemExit(f"build failed: {result.build.error or failures[:5]}")
    statuses = [r.status for r in result.ingest.results]
    landed = [r for r in result.ingest.results if r.status == "landed"]
    return {
        "wall": wall,
        "seconds": result.seconds,
        "ingest_seconds": result.ingest.seconds,
        "dbt_seconds": result.seconds - result.ingest.seconds,
        "files_landed": statuses.count("landed"),
        "files_skipped": statuses.count("skipped"),
        "rows_landed": sum(r.rows_landed for r in landed),
        "models": result.build.count("model"),
        "tests": result.build.count("test") + result.build.count("unit_test"),
    }


def timed_requests(kwargs: dict, warehouse: str, con, reps: int) -> tuple[list, list]:  # noqa: ANN001
    """Seconds of `reps` metrics.query calls opening the warehouse per call, and as many on
    the shared connection `con`."""
    import metrics

    per_call, shared = [], []
    for _ in range(reps):
        clock = time.perf_counter()
        metrics.query(**kwargs, warehouse=warehouse)
        per_call.append(time.perf_counter() - clock)
        clock = time.perf_counter()
        metrics.query(**kwargs, con=con)
        shared.append(time.perf_counter() - clock)
    return per_call, shared


def child_query(warehouse: str, reps: str) -> dict:
    import metrics
    from warehouse.connections import connect_published

    con = connect_published(Path(warehouse))
    as_of = con.execute("select max(production_date) from marts.fct_equipment_shifts").fetchall()[
        0
    ][0]
    figures = {"as_of": str(as_of), "requests": []}
    for label, names, by, grain, period_name in REQUESTS:
        start, end = period(period_name, as_of)
        kwargs = {"metrics": names, "by": by, "start": start, "end": end, "grain": grain}
        kwargs["scope"] = metrics.Scope.all()
        rows = metrics.query(**kwargs, warehouse=warehouse).height  # warm-up, and a sanity check
        per_call, shared = timed_requests(kwargs, warehouse, con, int(reps))
        figures["requests"].append(
            {
                "label": label,
                "rows": rows,
                "start": str(start),
                "end": str(end),
                "per_call": per_call,
                "shared": shared,
            }
        )
    con.close()
    return figures


def child_micro_batch(spare: str, inbox: str, day: str) -> dict:
    """Copy the first 15 minutes (06:00-06:15) of `day`'s MES states and production reports
    from the `spare` inbox into `inbox`, as new files."""
    window = (f"{day} 06:00:00", f"{day} 06:15:00")
    rows = 0
    for entity, columns in (
        ("equipment_states", ("start_ts", "STATE_START")),  # HP exports its own names
        ("production_reports", ("end_ts",)),
    ):
        for source in sorted((Path(spare) / "mes" / entity).glob(f"*{day}.jsonl")):
            keep = []
            for line in source.read_text().splitlines():
                record = json.loads(line)
                value = next(record[c] for c in columns if c in record) or ""
                if window[0] <= value[:19] < window[1]:
                    keep.append(line + "\n")
            if keep:
                target = Path(inbox) / "mes" / entity / f"{source.stem}_0600.jsonl"
                target.write_text("".join(keep))
                rows += len(keep)
    return {"rows": rows}


def child(out: str, job: str, *args: str) -> None:
    jobs = {
        "generate": child_generate,
        "build": child_build,
        "query": child_query,
        "micro_batch": child_micro_batch,
    }
    Path(out).write_text(json.dumps(jobs[job](*args)))


# -- the run -----------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run_scale(scale: float, seed: int, end: date, reps: int) -> dict:
    start, _ = sample_period(end)
    folder = WORK / f"scale_{scale:g}"
    inbox, warehouse = folder / "inbox", folder / "andon.duckdb"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"\nScale {scale:g}: {start} .. {end}, seed {seed}", flush=True)
    gen = measure("generate", "generate", str(inbox), str(seed), str(start), str(end), str(scale))
    rows = gen.data["rows"]
    state_production = rows.get("equipment_states", 0) + rows.get("production_reports", 0)
    print(
        f"  generated {sum(rows.values()):,} rows in {gen.data['files']:,} files "
        f"({state_production:,} state + production rows) in {gen.seconds:.0f} s",
        flush=True,
    )
    nxt, after = end + timedelta(days=1), end + timedelta(days=2)
    spare = folder / "spare"  # the same factory two days on: the micro-batch comes from it
    measure("generate", "generate", str(spare), str(seed), str(start), str(after), str(scale))
    full = measure("full build", "build", str(inbox), str(warehouse))
    print(f"  full build done in {full.seconds:.0f} s", flush=True)
    measure("generate", "generate", str(inbox), str(seed), str(start), str(nxt), str(scale))
    incr = measure("incremental build", "build", str(inbox), str(warehouse))
    print(f"  incremental build done in {incr.seconds:.0f} s", flush=True)
    batch = measure("micro-batch", "micro_batch", str(spare), str(inbox), str(after))
    micro = measure("micro-batch build", "build", str(inbox), str(warehouse))
    print(f"  micro-batch ({batch.data['rows']:,} rows) built in {micro.seconds:.1f} s", flush=True)
    queries = measure("queries", "query", str(warehouse), str(reps))
    return {
        "scale": scale,
        "start": start,
        "end": end,
        "rows": state_production,
        "all_rows": sum(rows.values()),
        "full": full,
        "incremental": incr,
        "micro": micro,
        "queries": queries,
        "load": os.getloadavg(),
    }


def report(result: dict) -> None:
    full, incr, micro = result["full"], result["incremental"], result["micro"]
    print(
        f"\n== Scale {result['scale']:g}: {result['start']} .. {result['end']}, "
        f"{result['rows']:,} state + production rows ({result['all_rows']:,} rows in all)"
    )
    print(
        f"{'build':<22}{'seconds':>9}{'CPU s':>8}{'ingest s':>10}{'dbt s':>9}"
        f"{'files new/skipped':>20}{'rows landed':>13}{'peak RSS':>12}"
    )
    builds = (
        ("full (fresh)", full),
        ("incremental (+1 day)", incr),
        ("micro-batch (15 min)", micro),
    )
    for name, m in builds:
        d = m.data
        print(
            f"{name:<22}{m.seconds:>9.1f}{m.cpu_seconds:>8.1f}{d['ingest_seconds']:>10.1f}"
            f"{d['dbt_seconds']:>9.1f}"
            f"{d['files_landed']:>10,}/{d['files_skipped']:<9,}{d['rows_landed']:>13,}"
            f"{m.peak_rss / GIB:>8.2f} GiB"
        )
    print(
        f"incremental = {incr.seconds / full.seconds:.1%} of the full build "
        f"({incr.cpu_seconds / full.cpu_seconds:.1%} of its CPU time) "
        f"(goal <= 10% on the demo, <= 5% at 50M rows); micro-batch published in "
        f"{micro.seconds:.1f} s ({micro.seconds / full.seconds:.1%}); dbt: "
        f"{full.data['models']} models, {full.data['tests']} tests (incremental: "
        f"{incr.data['tests']}, unit tests skipped when the code is unchanged)"
    )
    print(
        "load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.1f}" for x in result["load"])
    )
    q = result["queries"].data
    print(
        f"\nmetrics.query latency, {len(q['requests'][0]['per_call'])} repetitions, "
        f"as of {q['as_of']} (goal p95 < 100 ms on the default demo)"
    )
    print(
        f"{'request':<46}{'rows':>6}{'open/call p50':>15}{'p95':>8}{'shared con p50':>16}{'p95':>8}"
    )
    for r in q["requests"]:
        per, shared = r["per_call"], r["shared"]
        print(
            f"{r['label']:<46}{r['rows']:>6}"
            f"{statistics.median(per) * 1000:>12.1f} ms{percentile(per, 0.95) * 1000:>5.0f} ms"
            f"{statistics.median(shared) * 1000:>13.1f} ms"
            f"{percentile(shared, 0.95) * 1000:>5.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--end",
        type=date.fromisoformat,
        default=date(2026, 10, 31),
        help="last day of the 13-month sample (fixed so runs compare)",
    )
    parser.add_argument(
        "--big-scale",
        type=float,
        default=0.0,
        help="also measure a scale-S factory (0 = skip; 64 = ~50M rows)",
    )
    parser.add_argument("--reps", type=int, default=30, help="repetitions per query")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-demo", action="store_true", help="only the --big-scale run")
    parser.add_argument("--child", nargs="+", metavar="ARG")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    WORK.mkdir(parents=True, exist_ok=True)
    scales = ([] if args.skip_demo else [1.0]) + ([args.big_scale] if args.big_scale else [])
    results = [run_scale(scale, args.seed, args.end, args.reps) for scale in scales]
    for result in results:
        report(result)


if __name__ == "__main__":
    main()
