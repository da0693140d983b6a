"""Each demo user in the real app, in Chromium: signs in, sees only their plants on every
page (KPI matrix, tables, filters, Ask, workbench) and only the pages their role may open,
downloads only if their role may, and signs out. Nobody signed in gets the sign-in page at
any address. One server, one browser, a fresh browser context per user."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.users import DEMO_USERS
from tests.app.web.chromium import (
    HAS_CHROMIUM,
    check_clean,
    chromium,
    demo_accounts,
    first_column,
    heading,
    nav_titles,
    new_tab,
    open_nav,
    select_options,
    serve_app,
    settle,
    sign_in,
)

pytestmark = pytest.mark.skipif(not HAS_CHROMIUM, reason="no system Chromium")

PASSWORDS = {username: password for username, _, _, _, password in DEMO_USERS}
NAMES = {"DG": "Dongguan Plant", "HP": "Haiphong Plant", "SZ": "Suzhou Plant"}
READ_PAGES = [
    "Overview",
    "Ask",
    "Equipment effectiveness",
    "Quality",
    "Planning",
    "Delivery",
    "Order journey",
    "Inventory",
    "Data health",
]
# user: (plants, pages in the navigation, may download)
USERS = {
    "admin": (
        ("DG", "HP", "SZ"),
        [*READ_PAGES, "SQL workbench", "Reports & alerts", "Users & audit"],
        True,
    ),
    "group.viewer": (("DG", "HP", "SZ"), [*READ_PAGES, "Reports & alerts"], False),
    "sz.manager": (("SZ",), [*READ_PAGES, "Reports & alerts"], False),
    "dg.analyst": (("DG",), [*READ_PAGES, "SQL workbench", "Reports & alerts"], True),
}


@pytest.fixture(scope="module")
def server(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    state = tmp_path_factory.mktemp("browser_users") / "state.sqlite"
    accounts = demo_accounts(state)
    with serve_app(built_warehouse, state) as url:
        yield url, accounts


@pytest.fixture(scope="module")
def browser(server):
    with chromium() as launched:
        yield launched


def forbidden(plants: tuple[str, ...]) -> list[str]:
    """Text that shows another plant: its name, or an id of its lines and machines."""
    others = sorted(set(NAMES) - set(plants))
    return [NAMES[p] for p in others] + [f"{p}-" for p in others]


def shown_text(tab) -> str:
    """The main area's text and every drawn table cell."""
    main = tab.locator("[data-testid=stMain]")
    cells = main.locator("[data-testid=stDataFrame] td").all_inner_texts()
    return main.inner_text() + "\n" + "\n".join(cells)


@pytest.mark.parametrize("username", list(USERS))
def test_each_user_sees_only_their_plants(server, browser, username: str) -> None:
    url, accounts = server
    plants, pages, may_download = USERS[username]
    names = [NAMES[p] for p in plants]
    tab = new_tab(browser)
    tab.goto(f"{url}/?period=last_12_months")
    settle(tab)
    sign_in(tab, username, PASSWORDS[username])

    assert nav_titles(tab) == pages
    assert tab.locator("h1").first.inner_text() == "Overview"
    tab.wait_for_function("document.querySelectorAll('[data-testid=stMetric]').length === 9")
    settle(tab)
    assert sorted(first_column(tab)) == names  # the plant × KPI matrix
    assert select_options(tab, "Plant") == ["All", *names]
    check_clean(tab)

    for title in pages[2:]:
        if title in ("SQL workbench", "Users & audit"):
            continue
        open_nav(tab, title)
        tab.wait_for_timeout(500)
        settle(tab)
        check_clean(tab)
        text = shown_text(tab)
        leaks = [token for token in forbidden(plants) if token in text]
        assert leaks == [], (title, leaks)
        if title == "Equipment effectiveness":
            assert sorted(first_column(tab)) == names  # OEE by plant, the drill-down's top
            buttons = tab.locator("[data-testid=stDownloadButton] button")
            assert (buttons.count() > 0) is may_download
            if may_download:
                with tab.expect_download() as caught:
                    buttons.filter(has_text="CSV").first.click()
                csv = Path(caught.value.path()).read_text(encoding="utf-8")
                assert [token for token in forbidden(plants) if token in csv] == []
                settle(tab)
                done = accounts.audit_log(username=username, actions=["download"])[0]
                assert done.detail["format"] == "csv" and done.detail["rows"] > 0

    open_nav(tab, "Ask")
    box = tab.locator("[data-testid=stMain] [data-testid=stTextInput] input").first
    box.fill("OEE by plant last month")
    box.press("Enter")
    settle(tab)
    assert sorted(first_column(tab)) == list(plants)  # the answer's table: plant codes
    check_clean(tab)

    if "SQL workbench" in pages:
        open_nav(tab, "SQL workbench")
        editor = tab.locator("textarea").first
        editor.fill("select distinct plant_id from marts.fct_equipment_shifts order by 1")
        editor.press("Control+Enter")
        settle(tab)
        assert first_column(tab, -1) == list(plants)

    tab.locator("[data-testid=stSidebar]").get_by_role("button", name="Sign out").click()
    assert heading(tab, "Sign in to Andon") == "Sign in to Andon"
    assert tab.get_by_text("You are signed out.").count() == 1
    assert tab.locator("[data-testid=stSidebarNavLink]").count() == 0
    rows = accounts.audit_log(username=username, actions=["signin", "signout", "ask"])
    assert [e.action for e in reversed(rows)][-3:] == ["signin", "ask", "signout"]
    tab.context.close()


def test_nobody_signed_in_gets_the_sign_in_page_at_any_address(server, browser) -> None:
    url, accounts = server
    tab = new_tab(browser)
    for path in ("equipment?plant=SZ&period=last_12_months", "workbench", "admin", ""):
        tab.goto(f"{url}/{path}")
        settle(tab)
        assert tab.locator("h1").first.inner_text() == "Sign in to Andon", path
        assert tab.locator("[data-testid=stMetric]").count() == 0
        assert tab.locator("[data-testid=stDataFrame]").count() == 0
        assert tab.locator("[data-testid=stSidebarNavLink]").count() == 0
    tab.goto(f"{url}/equipment?plant=SZ&period=last_12_months")
    settle(tab)
    tab.get_by_role("textbox", name="User name").fill("sz.manager")
    tab.get_by_role("textbox", name="Password").fill("not the password")
    tab.get_by_role("button", name="Sign in", exact=True).click()
    settle(tab)
    assert tab.get_by_text("Wrong user name or password, or the account is disabled.").count() == 1
    sign_in(tab, "sz.manager", PASSWORDS["sz.manager"])  # the deep link opens once signed in
    assert tab.locator("h1").first.inner_text() == "Equipment effectiveness"
    assert "/equipment" in tab.url and "plant=SZ" in tab.url
    failed = accounts.audit_log(actions=["signin_failed"])[0]
    assert (failed.username, failed.detail["reason"]) == ("sz.manager", "wrong_password")
    tab.context.close()
