"""Spark benchmark: the same dbt project built on DuckDB and on Apache Spark (a local
session), side by side, on a slice of the sample factory.

Prints, in one run, for each engine:
  * full build      - `app.pipeline.run_pipeline(engine=...)` on a fresh warehouse folder
                      (ingest + dbt build + publish): wall seconds, dbt seconds (total minus
                      ingest), CPU seconds, peak RSS of the build process (kernel, wait4) and
                      peak RSS of its whole process tree (the Spark JVM is a child of the
                      Python process; summed RSS sampled every 0.2 s)
  * incremental     - one more day lands (the generator run again with end + 1 into the same
                      inbox: it is prefix-stable) and the pipeline runs again on the same
                      warehouse: the same figures, and the share of the full build
  * no change       - the pipeline once more with nothing new landed
  * metrics.query   - p50/p95 latency of benchmarks/build.py's four dashboard requests on
                      each engine's published build (opened per call, and on one shared
                      connection from `warehouse.connections.connect_published`; a Spark
                      build answers through Spark), and the time of the first mart query
                      in a fresh process (on Spark it starts the session)
  * KPI parity      - whether those requests give the same KPIs on both engines (doubles
                      to 1e-9); a mismatch is printed loudly

Each measurement runs in a fresh child process. Work goes under benchmarks/out/spark/
(gitignored). A failing build prints the failing nodes and the script exits non-zero.

    python benchmarks/spark.py [--days 7] [--end 2026-10-31] [--scale 1] [--seed 42] [--reps 20]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "out" / "spark"
GIB = 1024**3
ENGINES = ("duckdb", "spark")
BUILD_FAILED = 3  # a child's exit code when a build ran but did not pass
sys.path.insert(0, str(ROOT))


def _build_benchmark():  # noqa: ANN202 - a module
    """benchmarks/build.py, for its REQUESTS and `period` (loaded by path: the name
    `build` is also PyPA's package)."""
    spec = importlib.util.spec_from_file_location(
        "benchmarks_build", ROOT / "benchmarks" / "build.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


_BUILD = _build_benchmark()
REQUESTS, period, percentile = _BUILD.REQUESTS, _BUILD.period, _BUILD.percentile
child_generate = _BUILD.child_generate  # the same sample generation job


@dataclass
class Measurement:
    name: str
    seconds: float
    peak_rss: int  # the child process (and descendants it reaped), from wait4
    tree_rss: int  # summed RSS of the child's process tree, sampled
    cpu_seconds: float  # user + system of the whole tree
    data: dict = field(default_factory=dict)


class Failed(Exception):
    """A step that did not complete; the message says why (no traceback)."""


class TreeSampler(threading.Thread):
    """Samples the summed RSS and the CPU time of a process and its descendants."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak = 0
        self.cpu: dict[int, float] = {}  # pid -> user + system at its last sample
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.stop.is_set():
            try:
                processes = [root, *root.children(recursive=True)]
            except psutil.Error:
                return
            total = 0
            for process in processes:
                try:
                    total += process.memory_info().rss
                    times = process.cpu_times()
                    self.cpu[process.pid] = times.user + times.system
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self.stop.wait(self.every)


def measure(name: str, *child_args: str) -> Measurement:
    """Run this script as a child doing one job: wall time, peak RSS from the kernel, and
    the process tree's peak RSS and CPU time (the Spark JVM is a grandchild)."""
    out = WORK / "child.json"
    log = WORK / "logs" / f"{name.replace(' ', '_')}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    started = time.perf_counter()
    with log.open("w") as stderr:  # dbt and Spark talk: kept in the log
        child = subprocess.Popen(
            [sys.executable, __file__, "--child", str(out), *child_args],
            cwd=ROOT,
            stdout=stderr,
            stderr=stderr,
        )
        sampler = TreeSampler(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    code = os.waitstatus_to_exitcode(status)
    data = json.loads(out.read_text()) if out.exists() else {}
    if code == BUILD_FAILED and data.get("failed"):
        details = "\n".join(data["failed"])
        raise Failed(f"{name}: the build did not pass (log: {log})\n{details}")
    if code != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-15:]
        raise Failed(f"{name} failed (exit {code}); the end of {log}:\n    " + "\n    ".join(tail))
    wait4_cpu = usage.ru_utime + usage.ru_stime
    cpu = max(wait4_cpu, sum(sampler.cpu.values()))
    peak = usage.ru_maxrss * 1024
    return Measurement(name, seconds, peak, max(sampler.peak, peak), cpu, data)


# -- child jobs --------------------------------------------------------------------------
def child_build(inbox: str, warehouse: str, engine: str) -> dict:
    from app.pipeline import run_pipeline

    started = time.perf_counter()
    try:
        result = run_pipeline(Path(warehouse), inbox=Path(inbox), engine=engine)
    except Exception as error:  # noqa: BLE001 - reported as a failed build, traceback in the log
        traceback.print_exc()
        return {
            "failed": [f"  the pipeline raised {type(error).__name__}: {_first_line(str(error))}"]
        }
    wall = time.perf_counter() - started
    built = result.build
    if not result.passed:
        lines = [f"  error: {_first_line(built.error)}"] if built.error else []
        lines += [
            f"  {node.unique_id} ({node.status}): {_first_line(node.message)}"
            for node in built.failures
        ]
        return {"failed": lines or ["  (no failing node named)"]}
    statuses = [r.status for r in result.ingest.results]
    return {
        "wall": wall,
        "seconds": result.seconds,
        "ingest_seconds": result.ingest.seconds,
        "dbt_seconds": result.seconds - result.ingest.seconds,
        "build_seconds": built.seconds,
        "files_landed": statuses.count("landed"),
        "models": built.count("model"),
        "tests": built.count("test") + built.count("unit_test"),
    }


def _first_line(text: str | None, limit: int = 300) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    first = lines[0] if lines else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _plain(value: object) -> object:
    """A KPI cell as JSON: Decimals as doubles, dates as ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def child_query(warehouse: str, reps: str) -> dict:
    import metrics
    from warehouse.connections import connect_published

    clock = time.perf_counter()
    con = connect_published(Path(warehouse))
    connect = time.perf_counter() - clock
    clock = time.perf_counter()
    first, last = con.execute(
        "select min(production_date), max(production_date) from marts.fct_equipment_shifts"
    ).fetchall()[0]
    first_query = time.perf_counter() - clock
    figures = {
        "connect": connect,
        "first_query": first_query,
        "as_of": str(last),
        "requests": [],
    }
    for label, names, by, grain, period_name in REQUESTS:
        start, end = period(period_name, last)
        kwargs = {"metrics": names, "by": by, "start": start, "end": end, "grain": grain}
        kwargs["scope"] = metrics.Scope.all()
        clock = time.perf_counter()
        frame = metrics.query(**kwargs, con=con)
        warm_up = time.perf_counter() - clock
        clipped = frame.height == 0 and (start, end) != (first, last + timedelta(days=1))
        if clipped:  # the dashboard period holds none of the slice's rows: ask for the slice
            kwargs["start"], kwargs["end"] = start, end = first, last + timedelta(days=1)
            frame = metrics.query(**kwargs, con=con)
        per_call, shared = _BUILD.timed_requests(kwargs, warehouse, con, int(reps))
        figures["requests"].append(
            {
                "label": label,
                "start": str(start),
                "end": str(end),
                "clipped": clipped,
                "warm_up": warm_up,
                "per_call": per_call,
                "shared": shared,
                "columns": frame.columns,
                "rows": [[_plain(v) for v in row] for row in frame.iter_rows()],
            }
        )
    con.close()
    return figures


def child(out: str, job: str, *args: str) -> None:
    jobs = {"generate": child_generate, "build": child_build, "query": child_query}
    data = jobs[job](*args)
    Path(out).write_text(json.dumps(data, default=str))
    if data.get("failed"):
        sys.exit(BUILD_FAILED)


# -- KPI parity --------------------------------------------------------------------------
def _same(left: object, right: object) -> bool:
    numbers = (float, int)
    if isinstance(left, numbers) and isinstance(right, numbers):
        if isinstance(left, bool) or isinstance(right, bool):
            return left == right
        left, right = float(left), float(right)
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)
    return left == right


def _sort_key(row: list) -> list:
    return [
        (0, "")
        if v is None
        else (1, round(float(v), 6))
        if isinstance(v, int | float)
        else (2, str(v))
        for v in row
    ]


def kpi_differences(duck: dict, spark: dict) -> str | None:
    """What differs between two engines' answers to one request, or None."""
    if duck["columns"] != spark["columns"]:
        return f"columns {duck['columns']} vs {spark['columns']}"
    if len(duck["rows"]) != len(spark["rows"]):
        return f"{len(duck['rows'])} rows on DuckDB, {len(spark['rows'])} on Spark"
    rows = zip(
        sorted(duck["rows"], key=_sort_key), sorted(spark["rows"], key=_sort_key), strict=True
    )
    for left, right in rows:
        if not all(_same(a, b) for a, b in zip(left, right, strict=True)):
            columns = duck["columns"]
            different = [c for c, a, b in zip(columns, left, right, strict=True) if not _same(a, b)]
            return f"{different} differ, first row: {left} vs {right}"
    return None


# -- the run -----------------------------------------------------------------------------
STEPS = ("full", "incremental", "no change")


def run(args: argparse.Namespace) -> tuple[dict, dict[str, str]]:
    """Every measurement; a failed engine skips its later steps, the other goes on."""
    start = args.end - timedelta(days=args.days - 1)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    inbox = WORK / "inbox"
    warehouses = {engine: WORK / engine / "andon.duckdb" for engine in ENGINES}
    results: dict = {"start": start, "end": args.end, "builds": {}, "queries": {}}
    failed: dict[str, str] = {}
    print(
        f"Slice: {start} .. {args.end} ({args.days} days), scale {args.scale:g}, "
        f"seed {args.seed}; work in {WORK.relative_to(ROOT)}",
        flush=True,
    )

    def generate(end: date) -> Measurement:
        job = ("generate", str(inbox), str(args.seed), str(start), str(end), str(args.scale))
        return measure(f"generate to {end}", *job)

    gen = generate(args.end)
    rows = gen.data["rows"]
    results["rows"] = sum(rows.values())
    results["state_production"] = rows.get("equipment_states", 0) + rows.get(
        "production_reports", 0
    )
    print(
        f"  generated {results['rows']:,} rows in {gen.data['files']:,} files "
        f"in {gen.seconds:.0f} s",
        flush=True,
    )
    for step in STEPS:
        if step == "incremental":
            nxt = args.end + timedelta(days=1)
            generate(nxt)
            results["end"] = nxt
        for engine in ENGINES:
            if engine in failed:
                continue
            name = f"{step} build on {engine}"
            try:
                m = measure(name, "build", str(inbox), str(warehouses[engine]), engine)
            except Failed as error:
                failed[engine] = str(error)
                print(f"  {name}: FAILED (details at the end)", flush=True)
                continue
            results["builds"][step, engine] = m
            print(f"  {name} done in {m.seconds:.1f} s", flush=True)
    for engine in ENGINES:
        if engine in failed:
            continue
        name = f"metrics.query on {engine}"
        try:
            results["queries"][engine] = measure(
                name, "query", str(warehouses[engine]), str(args.reps)
            )
        except Failed as error:
            failed[engine] = str(error)
            print(f"  {name}: FAILED (details at the end)", flush=True)
            continue
        print(f"  {name} done", flush=True)
    results["load"] = os.getloadavg()
    return results, failed


def _ms(seconds: float) -> str:
    """A latency in a unit that fits it: 7.7 ms, 412 ms, 3.22 s."""
    if seconds < 0.1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def report(results: dict, failed: dict[str, str], reps: int) -> bool:
    """Prints the figures side by side; False when the KPIs differ."""
    builds = results["builds"]
    print(
        f"\n== {results['start']} .. {results['end']} (the last day landed for the "
        f"incremental build): {results['rows']:,} rows generated at first, "
        f"{results['state_production']:,} state + production rows"
    )
    print(
        f"{'build':<22}{'engine':<8}{'seconds':>9}{'dbt s':>8}{'ingest s':>10}{'CPU s':>8}"
        f"{'models':>8}{'tests':>7}{'peak RSS':>11}{'tree RSS':>11}{'of full':>9}"
    )
    for step in STEPS:
        for engine in ENGINES:
            m = builds.get((step, engine))
            label = step if engine == ENGINES[0] else ""
            if m is None:
                print(f"{label:<22}{engine:<8}{'— (failed or skipped)':>30}")
                continue
            d, full = m.data, builds.get(("full", engine))
            share = f"{m.seconds / full.seconds:>8.1%}" if step != "full" and full else ""
            print(
                f"{label:<22}{engine:<8}{m.seconds:>9.1f}{d['dbt_seconds']:>8.1f}"
                f"{d['ingest_seconds']:>10.1f}{m.cpu_seconds:>8.1f}{d['models']:>8}"
                f"{d['tests']:>7}{m.peak_rss / GIB:>7.2f} GiB{m.tree_rss / GIB:>7.2f} GiB"
                f"{share:>9}"
            )
    ratios = []
    for step in STEPS:
        duck, spark = builds.get((step, "duckdb")), builds.get((step, "spark"))
        if duck and spark:
            dbt = spark.data["dbt_seconds"] / max(duck.data["dbt_seconds"], 1e-9)
            ratios.append(f"{step} {spark.seconds / duck.seconds:.1f}× ({dbt:.1f}× in dbt)")
    if ratios:
        print("Spark / DuckDB wall time: " + ", ".join(ratios))
    print(
        "peak RSS: the build process (kernel, wait4); tree RSS: its process tree summed "
        "(the Spark JVM included), sampled every 0.2 s; CPU s: the whole tree"
    )
    print(
        "load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.1f}" for x in results["load"])
    )

    queries = results["queries"]
    if queries:
        any_q = next(iter(queries.values())).data
        print(f"\nmetrics.query latency, {reps} repetitions, as of {any_q['as_of']}")
        for engine, m in queries.items():
            q = m.data
            print(
                f"  {engine}: open {_ms(q['connect'])}, first mart query {_ms(q['first_query'])}"
                + (" (starts the Spark session)" if engine == "spark" else "")
                + f"; query process peak tree RSS {m.tree_rss / GIB:.2f} GiB"
            )
        print(
            f"{'request':<46}{'engine':<8}{'rows':>6}{'first':>9}{'open/call p50':>15}{'p95':>10}"
            f"{'shared con p50':>16}{'p95':>10}"
        )
        for i, (label, *_rest) in enumerate(REQUESTS):
            for engine, m in queries.items():
                r = m.data["requests"][i]
                per, shared = r["per_call"], r["shared"]
                print(
                    f"{label if engine == ENGINES[0] else '':<46}{engine:<8}{len(r['rows']):>6}"
                    f"{_ms(r['warm_up']):>9}{_ms(statistics.median(per)):>15}"
                    f"{_ms(percentile(per, 0.95)):>10}{_ms(statistics.median(shared)):>16}"
                    f"{_ms(percentile(shared, 0.95)):>10}"
                )
        clipped = [r for r in any_q["requests"] if r["clipped"]]
        for r in clipped:
            print(
                f'  note: "{r["label"]}" gives no rows on the slice; asked for the whole '
                f"slice instead ({r['start']} .. {r['end']}, end excluded)"
            )

    equal = True
    if len(queries) == len(ENGINES):
        duck, spark = (queries[e].data["requests"] for e in ENGINES)
        differences = []
        for d, s in zip(duck, spark, strict=True):
            found = kpi_differences(d, s)
            if found:
                differences.append(f"  {d['label']}: {found}")
        if differences:
            equal = False
            print("\n" + "!" * 88)
            print("!!! KPI MISMATCH: DuckDB and Spark give different KPIs for these requests:")
            print("\n".join(differences))
            print("!" * 88)
        else:
            print(
                f"\nKPIs equal on both engines (doubles to 1e-9): "
                f"{len(duck)} of {len(duck)} requests"
            )
    for engine, message in failed.items():
        print(f"\n{'!' * 88}\n!!! {engine.upper()} FAILED: {message}\n{'!' * 88}")
    return equal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7, help="days in the slice")
    parser.add_argument(
        "--end",
        type=date.fromisoformat,
        default=date(2026, 10, 31),
        help="last day of the slice (fixed so runs compare)",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="the sample factory's scale")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reps", type=int, default=20, help="repetitions per query")
    parser.add_argument("--child", nargs="+", metavar="ARG")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.days < 1 or args.reps < 1:
        parser.error("--days and --reps must be at least 1")
    try:
        results, failed = run(args)
    except Failed as error:  # the slice could not be generated: nothing to compare
        raise SystemExit(f"!!! {error}") from None
    equal = report(results, failed, args.reps)
    if failed or not equal:
        sys.exit(1)


if __name__ == "__main__":
    main()
