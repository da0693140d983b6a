"""How fast each page of the app is: server-side run with cold caches (every query of the
page executed) as p50/p95 over several runs, and time to first full render in Chromium.

    python benchmarks/app.py [--warehouse PATH] [--runs 5] [--no-browser]

Goal: every page under 1 s to render.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warehouse.location import DEFAULT_PATH, ENV_VAR  # noqa: E402

APP = ROOT / "app" / "web" / "main.py"
PAGES = {  # page file → URL path
    "overview": "",
    "equipment": "equipment",
    "quality": "quality",
    "delivery": "delivery",
    "inventory": "inventory",
    "health": "health",
    "sql_workbench": "workbench",
}
PERIOD = "last_month"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def server_runs(runs: int) -> dict[str, list[float]]:
    """Seconds per page for a full script run with every cache cleared first."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    timings: dict[str, list[float]] = {page: [] for page in PAGES}
    for _ in range(runs):
        for page in PAGES:
            st.cache_data.clear()
            at = AppTest.from_file(str(APP), default_timeout=120)
            at.query_params["period"] = PERIOD
            if page != "overview":
                at.run()
                at.switch_page(f"views/{page}.py")
                st.cache_data.clear()
            started = time.perf_counter()
            at.run()
            timings[page].append(time.perf_counter() - started)
            if at.exception:
                raise SystemExit(f"{page}: {at.exception[0].message}")
    return timings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def browser_runs(warehouse: Path, runs: int) -> dict[str, list[float]]:
    """Seconds from navigation until the page's script finished and the DOM settled."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {**os.environ, ENV_VAR: str(warehouse), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(APP),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    timings: dict[str, list[float]] = {page: [] for page in PAGES}
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            tab = browser.new_page(viewport={"width": 1500, "height": 1000})
            tab.goto(f"{url}/?period={PERIOD}")  # warm the server once
            tab.wait_for_selector(IDLE, timeout=60_000)
            for _ in range(runs):
                for page, path in PAGES.items():
                    started = time.perf_counter()
                    tab.goto(f"{url}/{path}?period={PERIOD}")
                    tab.wait_for_selector("h1", timeout=60_000)
                    tab.wait_for_selector(IDLE, timeout=60_000)
                    timings[page].append(time.perf_counter() - started)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    return timings


def report(title: str, timings: dict[str, list[float]]) -> None:
    print(f"\n{title}")
    print(f"{'page':<15}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for page, values in timings.items():
        print(
            f"{page:<15}{statistics.median(values) * 1000:>10.0f}"
            f"{percentile(values, 0.95) * 1000:>10.0f}{max(values) * 1000:>10.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    os.environ[ENV_VAR] = str(args.warehouse.resolve())
    os.environ["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    print(f"warehouse {args.warehouse}, period {PERIOD}, {args.runs} runs")
    report("Server: all queries of the page, caches cleared (AppTest run)", server_runs(args.runs))
    if not args.no_browser and Path("/usr/bin/chromium").exists():
        report(
            "Chromium: first full render (navigation → script done)",
            browser_runs(args.warehouse.resolve(), args.runs),
        )


if __name__ == "__main__":
    main()
