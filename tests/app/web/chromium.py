"""Running the real app for browser tests: `streamlit run app/web/main.py` as a subprocess
on a free port, the system Chromium through Playwright (never `playwright install`), and
the few page actions the browser tests share (sign in, wait, read a table)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warehouse.location import ENV_VAR, PROJECT_ROOT, STATE_ENV_VAR

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
HAS_CHROMIUM = Path(CHROMIUM).exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_app(
    warehouse: Path, state: Path, extra: dict[str, str] | None = None, args: tuple[str, ...] = ()
) -> Iterator[str]:
    """The app on 127.0.0.1:<free port>, as `andon app` starts it (sign-in settings in the
    environment, X-Forwarded-For trusted from nowhere); yields its URL."""
    port = free_port()
    env = {
        **os.environ,
        ENV_VAR: str(warehouse),
        STATE_ENV_VAR: str(state),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "FORWARDED_ALLOW_IPS": "",
        "ANDON_AUTH": "password",
        **(extra or {}),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app/web/main.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            *args,
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 40
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("the app did not start")
        yield url
    finally:
        process.terminate()
        process.wait(10)


def demo_accounts(state: Path):  # noqa: ANN201 - app.accounts.Accounts
    """A state store at `state` holding the demo's four users (see `andon users demo`)."""
    from app.accounts import Accounts
    from app.cli.users import DEMO_USERS

    accounts = Accounts(state)
    for username, display, role, plants, password in DEMO_USERS:
        accounts.ensure_user(
            username, role=role, plants=plants, password=password, display_name=display
        )
    return accounts


@contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_tab(browser, **options):  # noqa: ANN001, ANN201 - playwright Browser, Page
    context = browser.new_context(
        viewport={"width": 1500, "height": 1000}, accept_downloads=True, **options
    )
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    return tab


def settle(tab) -> None:  # noqa: ANN001
    tab.wait_for_timeout(300)
    tab.wait_for_selector(IDLE)


def check_clean(tab) -> None:  # noqa: ANN001
    assert tab.locator("[data-testid=stException]").count() == 0


def sign_in(tab, username: str, password: str) -> None:  # noqa: ANN001
    """Fill the sign-in form and wait for the page behind it."""
    tab.get_by_role("textbox", name="User name").fill(username)
    tab.get_by_role("textbox", name="Password").fill(password)
    tab.get_by_role("button", name="Sign in", exact=True).click()
    tab.wait_for_selector("[data-testid=stSidebarNavLink]")
    settle(tab)


def nav_titles(tab) -> list[str]:  # noqa: ANN001
    """The sidebar navigation's page titles."""
    links = tab.locator("[data-testid=stSidebarNavLink]")
    return [text.split("\n")[-1].strip() for text in links.all_inner_texts()]


def open_nav(tab, title: str) -> None:  # noqa: ANN001
    links = tab.locator("[data-testid=stSidebarNavLink]:visible")
    links.filter(has_text=title).first.click()
    settle(tab)


def first_column(tab, index: int = 0) -> list[str]:  # noqa: ANN001
    """The first column of the index-th table in the main area (a data grid, as its
    accessible grid shows it: the rows drawn on screen; or a static st.table)."""
    tables = "[data-testid=stMain] :is([data-testid=stDataFrame], [data-testid=stTable])"
    cells = "td[aria-colindex='1'], [data-testid=stTableStyledTable] tbody tr > :first-child"
    table = tab.locator(tables).nth(index)
    table.locator(cells).first.wait_for(state="attached")
    return table.locator(cells).all_inner_texts()


def select_options(tab, label: str, where: str = "[data-testid=stSidebar]") -> list[str]:  # noqa: ANN001
    """The options of the selectbox labelled `label` (opened, read, closed again)."""
    tab.locator(f"{where} [data-testid=stSelectbox]").filter(has_text=label).first.click()
    options = tab.get_by_role("option")
    options.first.wait_for()
    texts = options.all_inner_texts()
    tab.keyboard.press("Escape")
    return texts


def heading(tab, text: str) -> str:  # noqa: ANN001
    """Waits until the page's first heading reads `text` (a rerun may still be on its way)."""
    tab.locator("h1").filter(has_text=text).first.wait_for()
    settle(tab)
    return tab.locator("h1").first.inner_text()
