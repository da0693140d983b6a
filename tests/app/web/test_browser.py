"""The real app in headless Chromium, signed in as the demo admin: every page, 中文 and
Tiếng Việt, a plant kept across pages that do not show the filters, a drill-down, a SQL query
and its CSV download, a question on the Ask page. Uses the system Chromium (never
`playwright install`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics.i18n import t
from tests.app.web.chromium import (
    HAS_CHROMIUM,
    check_clean,
    chromium,
    demo_accounts,
    new_tab,
    open_nav,
    serve_app,
    settle,
    sign_in,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.skipif(not HAS_CHROMIUM, reason="no system Chromium")


@pytest.fixture(scope="module")
def server(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    """The app on a free port, with the demo's users in a state store of its own."""
    state = tmp_path_factory.mktemp("browser") / "state.sqlite"
    demo_accounts(state)
    with serve_app(built_warehouse, state) as url:
        yield url


@pytest.fixture(scope="module")
def page(server: str):
    with chromium() as browser:
        yield new_tab(browser)


def pick(tab, label: str, option: str) -> None:
    """Choose `option` in the sidebar or page selectbox labelled `label`."""
    tab.locator("[data-testid=stSelectbox]").filter(has_text=label).first.click()
    tab.get_by_role("option", name=option, exact=True).click()
    settle(tab)


def test_app_in_browser(server: str, page, tmp_path: Path) -> None:
    tab = page
    tab.goto(f"{server}/?period=last_12_months")
    settle(tab)
    assert tab.locator("h1").first.inner_text() == "Sign in to Andon"
    sign_in(tab, "admin", "andon-demo-admin")
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

    open_nav(tab, "数据健康")  # uses no sidebar filter: none drawn, every one kept
    assert tab.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").count() == 0
    assert "plant=SZ" in tab.url and "period=last_12_months" in tab.url
    open_nav(tab, "交付")  # period, plant and product family
    labels = tab.locator("[data-testid=stSidebar] [data-testid=stSelectbox] label")
    assert labels.all_inner_texts() == ["期间", "工厂", "产品系列"]
    plant = tab.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").nth(1)
    assert "苏州工厂" in plant.inner_text() + plant.locator("input").input_value()
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

    tab.locator("[data-testid=stSidebar]").get_by_text("Tiếng Việt", exact=True).click()
    settle(tab)
    assert tab.locator("h1").first.inner_text() == t("page_workbench", "vi")
    assert "lang=vi" in tab.url
    tab.locator("[data-testid=stSidebar]").get_by_text("中文", exact=True).click()
    settle(tab)

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
