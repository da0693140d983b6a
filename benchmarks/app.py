"""How fast each page of the app is: server-side run with cold caches (every query of the
page executed) as p50/p95 over several runs, and time to first full render in Chromium.

    python benchmarks/app.py [--warehouse PATH] [--runs 5] [--no-browser]

Goal: every page under 1 s to render.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warehouse.location import DEFAULT_PATH, ENV_VAR, STATE_ENV_VAR  # noqa: E402

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
USER = "admin"  # the demo admin sees every page and every plant


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def demo_accounts(state: Path):  # noqa: ANN201 - app.accounts.Accounts
    """A state store of the benchmark's own holding the demo's users."""
    from app.accounts.service import Accounts
    from app.cli.users import DEMO_USERS

    accounts = Accounts(state)
    for username, display, role, plants, password in DEMO_USERS:
        accounts.ensure_user(
            username, role=role, plants=plants, password=password, display_name=display
        )
    return accounts


def password_of(username: str) -> str:
    from app.cli.users import DEMO_USERS

    return next(password for name, *_, password in DEMO_USERS if name == username)


def server_runs(runs: int, state: Path) -> dict[str, list[float]]:
    """Seconds per page for a full script run with every cache cleared first."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    accounts = demo_accounts(state)
    timings: dict[str, list[float]] = {page: [] for page in PAGES}
    for _ in range(runs):
        for page in PAGES:
            st.cache_data.clear()
            at = AppTest.from_file(str(APP), default_timeout=120)
            at.query_params["period"] = PERIOD
            signed = accounts.sign_in(USER, password_of(USER))
            at.session_state["andon_user"] = signed.user
            at.session_state["andon_session"] = signed.token
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


def browser_runs(warehouse: Path, state: Path, runs: int) -> dict[str, list[float]]:
    """Seconds from navigation until the page's script finished and the DOM settled."""
    from tests.app.web.chromium import IDLE, chromium, new_tab, serve_app, sign_in

    demo_accounts(state)
    timings: dict[str, list[float]] = {page: [] for page in PAGES}
    with serve_app(warehouse, state) as url, chromium() as browser:
        tab = new_tab(browser)
        tab.goto(f"{url}/?period={PERIOD}")  # warm the server once, and sign in
        sign_in(tab, USER, password_of(USER))
        for _ in range(runs):
            for page, path in PAGES.items():
                started = time.perf_counter()
                tab.goto(f"{url}/{path}?period={PERIOD}")
                tab.wait_for_selector("h1", timeout=60_000)
                tab.wait_for_selector(IDLE, timeout=60_000)
                timings[page].append(time.perf_counter() - started)
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
    state = Path(tempfile.mkdtemp(prefix="andon-bench-")) / "state.sqlite"
    os.environ[ENV_VAR] = str(args.warehouse.resolve())
    os.environ[STATE_ENV_VAR] = str(state)
    os.environ["ANDON_AUTH"] = "password"
    os.environ["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    print(f"warehouse {args.warehouse}, period {PERIOD}, {args.runs} runs, signed in as {USER}")
    report(
        "Server: all queries of the page, caches cleared (AppTest run)",
        server_runs(args.runs, state),
    )
    if not args.no_browser and Path("/usr/bin/chromium").exists():
        report(
            "Chromium: first full render (navigation → script done)",
            browser_runs(args.warehouse.resolve(), state, args.runs),
        )


if __name__ == "__main__":
    main()
