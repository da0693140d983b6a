"""How fast the HTTP API answers: p50/p95 latency and requests per second for cached and
uncached metric queries with 1, 8 and 32 concurrent clients, against `andon api` in its own
process on localhost (bounded loops; keep-alive connections, one per client thread).

    python benchmarks/api.py [--warehouse PATH] [--cached 3000] [--uncached 240]

Without --warehouse it builds a two-month, half-size sample factory in a temporary folder
first (about a minute). Cached = the same request again (answered from the per-build
cache); uncached = a different request every time (new window, metrics and grouping, so the
metrics layer compiles and DuckDB runs each). Goals at 8 clients: p95 < 20 ms cached,
< 100 ms uncached; at least 500 cached requests a second.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ANDON = Path(sys.executable).with_name("andon")
CLIENTS = (1, 8, 32)
START, END = date(2026, 10, 1), date(2026, 12, 1)
CACHED = "/api/v1/query?metrics=oee&by=line&from=2026-11-01&to=2026-12-01&format=csv"
METRIC_SETS = ("oee", "oee,availability", "availability,performance,quality", "first_pass_yield")
GROUPINGS = ("line", "plant", "equipment", "line,week")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def build_sample(folder: Path) -> Path:
    from app.pipeline import run_pipeline
    from ingest.sample import generate_sample

    generate_sample(folder / "inbox", seed=7, start=START, end=END, scale=0.5)
    result = run_pipeline(folder / "andon.duckdb", inbox=folder / "inbox")
    if not result.passed:
        sys.exit("The sample warehouse did not build: run `andon build` to see why.")
    return folder / "andon.duckdb"


def uncached_paths() -> list[str]:
    """Distinct requests: every (window, metrics, grouping), none asked twice."""
    days = (END - START).days
    windows = [
        (START + timedelta(days=a), START + timedelta(days=b))
        for a in range(days)
        for b in range(a + 7, days + 1)
    ]
    paths = []
    for (first, last), names, by in zip(
        windows, itertools.cycle(METRIC_SETS), itertools.cycle(GROUPINGS), strict=False
    ):
        paths.append(f"/api/v1/query?metrics={names}&by={by}&from={first}&to={last}&format=json")
    return paths


def run(port: int, token: str, paths: list[str], clients: int) -> tuple[list[float], float]:
    """Each client thread takes the next path until none is left; latencies in ms."""
    latencies: list[float] = []
    lock = threading.Lock()
    feed = iter(paths)
    failures: list[str] = []

    def client() -> None:
        con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"Bearer {token}"}
        mine = []
        while True:
            with lock:
                path = next(feed, None)
            if path is None:
                break
            began = time.perf_counter()
            con.request("GET", path, headers=headers)
            response = con.getresponse()
            response.read()
            mine.append((time.perf_counter() - began) * 1000)
            if response.status != 200:
                failures.append(f"{response.status} {path}")
        con.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        sys.exit(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return latencies, len(latencies) / elapsed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="a built warehouse (default: build one)")
    parser.add_argument("--cached", type=int, default=3000, help="cached requests per run")
    parser.add_argument("--uncached", type=int, default=240, help="uncached requests per run")
    parser.add_argument("--workers", type=int, default=2, help="`andon api --workers` (cores)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    from app.accounts import Accounts
    from app.accounts.tokens import ApiTokens

    with tempfile.TemporaryDirectory(prefix="andon-api-bench-") as tmp:
        folder = Path(tmp)
        warehouse = args.warehouse.resolve() if args.warehouse else build_sample(folder)
        state = folder / "state.sqlite"
        Accounts(state).add_user("bench", role="admin", plants=None)
        token = ApiTokens(state).create("bench", name="benchmark", actor="benchmark").token
        port = free_port()
        env = {
            **os.environ,
            "ANDON_WAREHOUSE": str(warehouse),
            "ANDON_STATE": str(state),
            "ANDON_API_RATE": "100000",  # the benchmark measures the server, not the limiter
            "ANDON_API_BURST": "100000",
        }
        server = subprocess.Popen(
            [str(ANDON), "api", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    probe = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    probe.request("GET", "/api/docs")
                    probe.getresponse().read()
                    probe.close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        sys.exit("`andon api` did not start")
                    time.sleep(0.2)
            run(port, token, [CACHED] * 200, 8)  # warm-up
            fresh = iter(uncached_paths())
            figures = []
            for mode, count in (("cached", args.cached), ("uncached", args.uncached)):
                for clients in CLIENTS:
                    if mode == "cached":
                        paths = [CACHED] * count
                    else:
                        paths = list(itertools.islice(fresh, count))
                        if len(paths) < count:
                            sys.exit("Not enough distinct requests for --uncached.")
                    latencies, rps = run(port, token, paths, clients)
                    figures.append(
                        {
                            "mode": mode,
                            "clients": clients,
                            "requests": len(latencies),
                            "p50_ms": round(statistics.median(latencies), 2),
                            "p95_ms": round(percentile(latencies, 0.95), 2),
                            "rps": round(rps, 1),
                        }
                    )
                    row = figures[-1]
                    print(
                        f"{mode:<9} {clients:>2} clients  {row['requests']:>5} requests  "
                        f"p50 {row['p50_ms']:>7.2f} ms  p95 {row['p95_ms']:>7.2f} ms  "
                        f"{row['rps']:>7.1f} req/s",
                        flush=True,
                    )
        finally:
            server.terminate()
            server.wait(timeout=10)
    goals = {
        "p95 cached < 20 ms at 8 clients": next(
            f for f in figures if f["mode"] == "cached" and f["clients"] == 8
        )["p95_ms"]
        < 20,
        "p95 uncached < 100 ms at 8 clients": next(
            f for f in figures if f["mode"] == "uncached" and f["clients"] == 8
        )["p95_ms"]
        < 100,
        ">= 500 cached req/s": max(f["rps"] for f in figures if f["mode"] == "cached") >= 500,
    }
    for goal, met in goals.items():
        print(f"{'met' if met else 'MISSED'}: {goal}")
    if args.json:
        args.json.write_text(json.dumps({"figures": figures, "goals": goals}, indent=2))


if __name__ == "__main__":
    main()
