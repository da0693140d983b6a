"""The real app in headless Chromium: every page, 中文, a plant, a drill-down, a SQL query
and its CSV download, a question on the Ask page. Uses the system Chromium (never
`playwright install`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from warehouse.location import ENV_VAR, PROJECT_ROOT

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
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no system Chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(built_warehouse: Path):
    """`streamlit run app/web/main.py` as a subprocess, ready when /_stcore/health answers."""
    port = free_port()
    env = {
        **os.environ,
        ENV_VAR: str(built_warehouse),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
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
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the app did not start")
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def page(server: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            viewport={"width": 1500, "height": 1000}, accept_downloads=True
        )
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        yield tab
        browser.close()


def settle(tab) -> None:
    tab.wait_for_timeout(300)
    tab.wait_for_selector(IDLE)


def check_clean(tab) -> None:
    assert tab.locator("[data-testid=stException]").count() == 0


def open_nav(tab, title: str) -> None:
    """Click the sidebar navigation link of a page."""
    links = tab.locator("[data-testid=stSidebarNavLink]:visible")
    links.filter(has_text=title).first.click()
    settle(tab)


def pick(tab, label: str, option: str) -> None:
    """Choose `option` in the sidebar or page selectbox labelled `label`."""
    tab.locator("[data-testid=stSelectbox]").filter(has_text=label).first.click()
    tab.get_by_role("option", name=option, exact=True).click()
    settle(tab)


def test_app_in_browser(server: str, page, tmp_path: Path) -> None:
    tab = page
    tab.goto(f"{server}/?period=last_12_months")
    settle(tab)
    assert tab.locator("h1").first.inner_text() == "Overview"
    tab.wait_for_function("document.querySelectorAll('[data-testid=stMetric]').length === 9")
    for path, title in [
        ("equipment", "Equipment effectiveness"),
        ("quality", "Quality"),
        ("delivery", "Delivery"),
        ("inventory", "Inventory"),
        ("health", "Data health"),
        ("workbench", "SQL workbench"),
    ]:
        open_nav(tab, title)
        assert tab.locator("h1").first.inner_text() == title, path
        assert f"/{path}" in tab.url
        check_clean(tab)

    open_nav(tab, "Overview")
    tab.locator("[data-testid=stSidebar]").get_by_text("中文", exact=True).click()
    settle(tab)
    assert tab.locator("h1").first.inner_text() == "总览"
    assert "lang=zh" in tab.url and "period=last_12_months" in tab.url
    pick(tab, "工厂", "苏州工厂")
    assert "plant=SZ" in tab.url
    tab.wait_for_function("document.querySelectorAll('[data-testid=stMetric]').length === 9")
    tab.wait_for_timeout(800)
    overview_png = tab.screenshot(path=tmp_path / "overview_zh.png", full_page=True)
    assert overview_png.startswith(PNG_SIGNATURE) and len(overview_png) > 20_000
    check_clean(tab)

    open_nav(tab, "设备效率")
    drill = tab.locator("[data-testid=stMain] [data-testid=stSelectbox]").filter(has_text="产线")
    drill.first.wait_for()
    tab.wait_for_timeout(500)
    settle(tab)
    drill.first.scroll_into_view_if_needed()
    drill.first.click()
    options = tab.get_by_role("option")
    options.nth(1).wait_for()
    options.nth(1).click()
    settle(tab)
    assert "line=SZ-" in tab.url
    check_clean(tab)

    open_nav(tab, "SQL工作台")
    editor = tab.locator("textarea").first
    editor.fill("select plant_id, plant_name_zh from marts.dim_plant order by 1")
    editor.press("Control+Enter")
    settle(tab)
    with tab.expect_download() as caught:
        tab.locator("[data-testid=stDownloadButton] button").filter(has_text="CSV").first.click()
    text = Path(caught.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "plant_id,plant_name_zh"
    assert "苏州工厂" in text

    open_nav(tab, "问数")
    box = tab.locator("[data-testid=stMain] [data-testid=stTextInput] input").first
    box.fill("上个月各产线的OEE")
    box.press("Enter")
    settle(tab)
    tab.locator("[data-testid=stMain] [data-testid=stDataFrame]").first.wait_for()
    tab.wait_for_timeout(800)
    ask_png = tab.screenshot(path=tmp_path / "ask_zh.png", full_page=True)
    assert ask_png.startswith(PNG_SIGNATURE) and len(ask_png) > 20_000
    check_clean(tab)
