"""How fast each page of the app is, beside its goals:

- server: the page's script in AppTest with every cache cleared (all its queries run) and
  again with the caches kept (the script alone); their difference is the queries' time;
- first load: a fresh browser context opening the page's link with cold server caches (the
  published file is touched, so every cache key of the app changes): sign-in page, then from
  "Sign in" until the page is fully rendered;
- warm: the same page opened again in that session from the sidebar, after another page
  (a new script run of the page with the server's caches warm, no page reload).

"Fully rendered": the script finished, the page's heading is there, no skeleton or spinner
and nothing stale is left, every chart shown has drawn its canvas and every data grid shown
its cells (those in a closed expander or another tab are drawn when opened).
Each p50/p95 over --runs; also what the browser received over the page's websocket.

    python benchmarks/app.py [--warehouse PATH] [--runs 5] [--no-browser] [--pages a,b]

Goals: every page fully rendered in under 1 s warm and under 2 s on first load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warehouse.location import DEFAULT_PATH, ENV_VAR, STATE_ENV_VAR  # noqa: E402
from warehouse.publish import current_published  # noqa: E402

APP = ROOT / "app" / "web" / "main.py"
PAGES = {  # page file → URL path
    "overview": "",
    "equipment": "equipment",
    "quality": "quality",
    "planning": "planning",
    "delivery": "delivery",
    "order_journey": "journey",
    "inventory": "inventory",
    "health": "health",
    "sql_workbench": "workbench",
}
PERIOD = "last_month"
USER = "admin"  # the demo admin sees every page and every plant
WARM_GOAL_S = 1.0
FIRST_GOAL_S = 2.0
RENDERED = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (!document.querySelector('[data-testid=stMain] h1')) return false;
  if (document.querySelector(
    '[data-testid=stSkeleton], [data-testid=stSpinner], [data-stale=true]')) return false;
  for (const chart of document.querySelectorAll('[data-testid=stVegaLiteChart]'))
    if (chart.checkVisibility() && !chart.querySelector('canvas, svg.marks')) return false;
  for (const grid of document.querySelectorAll('[data-testid=stDataFrame]'))
    if (grid.checkVisibility() && !grid.querySelector('canvas')) return false;
  return true;
}"""
COUNTS = """() => ({
  elements: document.querySelectorAll(
    '[data-testid=stMain] [data-testid=stElementContainer]').length,
  charts: document.querySelectorAll('[data-testid=stVegaLiteChart]').length,
  tables: document.querySelectorAll('[data-testid=stDataFrame], [data-testid=stTable]').length,
})"""


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


def server_runs(
    pages: dict[str, str], runs: int, state: Path
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Seconds per page for a full script run with every cache cleared first (cold), and for
    the run after it with the caches kept (warm)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    accounts = demo_accounts(state)
    cold: dict[str, list[float]] = {page: [] for page in pages}
    warm: dict[str, list[float]] = {page: [] for page in pages}
    for _ in range(runs):
        for page in pages:
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
            for timings in (cold, warm):
                started = time.perf_counter()
                at.run()
                timings[page].append(time.perf_counter() - started)
                if at.exception:
                    raise SystemExit(f"{page}: {at.exception[0].message}")
    return cold, warm


def _rendered(tab, title: str | None = None) -> None:  # noqa: ANN001 - playwright Page
    """Waits until the page is fully rendered (RENDERED), its heading reading `title`."""
    tab.wait_for_function(
        f"() => ({RENDERED})() && (!{json.dumps(title)} || "
        f"document.querySelector('[data-testid=stMain] h1').innerText === {json.dumps(title)})",
        polling="raf",
        timeout=60_000,
    )


def _open(tab, url: str, path: str) -> None:  # noqa: ANN001
    """In-app navigation to the page at `path`: its link in the sidebar (no page reload)."""
    tab.locator(f"[data-testid=stSidebarNavLink][href='{url}/{path}']").first.click()


def _fill_sign_in(tab) -> None:  # noqa: ANN001
    tab.get_by_role("textbox", name="User name").fill(USER)
    tab.get_by_role("textbox", name="Password").fill(password_of(USER))


def _sign_in(tab) -> None:  # noqa: ANN001
    _fill_sign_in(tab)
    tab.get_by_role("button", name="Sign in", exact=True).click()


def browser_runs(
    pages: dict[str, str], warehouse: Path, state: Path, runs: int
) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, dict[str, int]]]:
    """Seconds until fully rendered: first load (a fresh context opening the page's link,
    cold server caches) and warm (the page opened again from the sidebar after another
    page); and per page what it drew and what its warm opening received."""
    from tests.app.web.chromium import chromium, new_tab, serve_app

    demo_accounts(state)
    published = current_published(warehouse) or warehouse
    first: dict[str, list[float]] = {page: [] for page in pages}
    warm: dict[str, list[float]] = {page: [] for page in pages}
    sizes: dict[str, dict[str, int]] = {}
    with serve_app(warehouse, state) as url, chromium() as browser:
        tab = new_tab(browser)  # the server process imports every page once, unmeasured
        tab.goto(f"{url}/?period={PERIOD}")
        _sign_in(tab)
        _rendered(tab)
        for path in PAGES.values():
            _open(tab, url, path)
            tab.wait_for_timeout(200)
            _rendered(tab)
        tab.context.close()
        for _ in range(runs):
            for page, path in pages.items():
                os.utime(published)  # a new warehouse key: every server cache is cold
                tab = new_tab(browser)
                received = [0, 0]

                def count(ws, received=received) -> None:  # noqa: ANN001
                    def frame(payload: bytes | str) -> None:
                        received[0] += 1
                        received[1] += len(payload)

                    ws.on("framereceived", frame)

                tab.on("websocket", count)
                started = time.perf_counter()
                tab.goto(f"{url}/{path}?period={PERIOD}")
                tab.get_by_role("textbox", name="User name").wait_for()
                shell = time.perf_counter() - started  # the app's page and sign-in form
                _fill_sign_in(tab)  # typing is not counted
                started = time.perf_counter()
                tab.get_by_role("button", name="Sign in", exact=True).click()
                tab.wait_for_selector("[data-testid=stSidebarNavLink]", timeout=60_000)
                _rendered(tab)
                first[page].append(shell + time.perf_counter() - started)
                title = tab.locator("[data-testid=stMain] h1").first.inner_text()
                other = "ask" if path != "ask" else ""
                _open(tab, url, other)
                tab.wait_for_function(
                    f"() => document.querySelector('[data-testid=stMain] h1')?.innerText"
                    f" !== {json.dumps(title)}",
                    polling="raf",
                )
                _rendered(tab)
                received[:] = [0, 0]
                started = time.perf_counter()
                _open(tab, url, path)
                _rendered(tab, title)
                warm[page].append(time.perf_counter() - started)
                tab.wait_for_timeout(300)
                sizes[page] = {
                    **tab.evaluate(COUNTS),
                    "frames": received[0],
                    "kib": received[1] // 1024,
                }
                tab.context.close()
    return first, warm, sizes


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:>8.0f}{percentile(values, 0.95) * 1000:>8.0f}"


def report_server(cold: dict[str, list[float]], warm: dict[str, list[float]]) -> None:
    print("\nServer (AppTest run, ms p50 / p95): cold = caches cleared, warm = caches kept")
    print(f"{'page':<15}{'cold':>16}{'warm':>16}{'queries p50':>14}")
    for page in cold:
        queries = statistics.median(cold[page]) - statistics.median(warm[page])
        print(f"{page:<15}{_ms(cold[page])}{_ms(warm[page])}{queries * 1000:>14.0f}")


def report_browser(
    first: dict[str, list[float]], warm: dict[str, list[float]], sizes: dict[str, dict[str, int]]
) -> None:
    print(
        f"\nChromium, fully rendered (ms p50 / p95; goals: first load < {FIRST_GOAL_S * 1000:.0f},"
        f" warm < {WARM_GOAL_S * 1000:.0f})"
    )
    print(
        f"{'page':<15}{'first load':>16}{'':>4}{'warm':>16}{'':>4}"
        f"{'elements':>10}{'charts':>8}{'tables':>8}{'ws KiB':>8}"
    )
    for page in first:
        ok_first = "ok" if percentile(first[page], 0.95) < FIRST_GOAL_S else "NO"
        ok_warm = "ok" if percentile(warm[page], 0.95) < WARM_GOAL_S else "NO"
        size = sizes[page]
        print(
            f"{page:<15}{_ms(first[page])}{ok_first:>4}{_ms(warm[page])}{ok_warm:>4}"
            f"{size['elements']:>10}{size['charts']:>8}{size['tables']:>8}{size['kib']:>8}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--pages", help="comma-separated page names (default: all)")
    args = parser.parse_args()
    pages = PAGES
    if args.pages:
        pages = {page: PAGES[page] for page in args.pages.split(",")}
    state = Path(tempfile.mkdtemp(prefix="andon-bench-")) / "state.sqlite"
    os.environ[ENV_VAR] = str(args.warehouse.resolve())
    os.environ[STATE_ENV_VAR] = str(state)
    os.environ["ANDON_AUTH"] = "password"
    os.environ["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    print(f"warehouse {args.warehouse}, period {PERIOD}, {args.runs} runs, signed in as {USER}")
    if not args.no_server:
        report_server(*server_runs(pages, args.runs, state))
    if not args.no_browser and Path("/usr/bin/chromium").exists():
        report_browser(*browser_runs(pages, args.warehouse.resolve(), state, args.runs))


if __name__ == "__main__":
    main()
