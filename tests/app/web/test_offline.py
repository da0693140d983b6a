"""The app needs nothing but its own server: plants are offline. In Chromium, every request
the page makes — the sign-in page, signing in, every page in the navigation, running a
report, signing out — goes to 127.0.0.1 (the app's own icon is inline, not a font server's),
and the status markers are drawn, not emoji a machine without an emoji font shows as boxes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import pytest

from app.accounts import Accounts
from app.cli.users import DEMO_USERS
from app.reports.alerts.transitions import Fired
from app.reports.state import StateStore
from tests.app.web.chromium import (
    HAS_CHROMIUM,
    check_clean,
    chromium,
    heading,
    new_tab,
    serve_app,
    settle,
    sign_in,
)

pytestmark = pytest.mark.skipif(not HAS_CHROMIUM, reason="no system Chromium")

PASSWORDS = {username: password for username, _, _, _, password in DEMO_USERS}
NAV = "[data-testid=stSidebarNavLink]"
# in the page itself, never a request: inline images (the icon) and the page's own blobs
INLINE = ("data", "blob")
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2b55]")


@pytest.fixture(scope="module")
def server(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    """The app with the demo's users and one open alert (for the Reports page's markers)."""
    state = tmp_path_factory.mktemp("offline") / "state.sqlite"
    accounts = Accounts(state)
    for username, display, role, plants, password in DEMO_USERS:
        accounts.ensure_user(
            username, role=role, plants=plants, password=password, display_name=display
        )
    store = StateStore(state)
    store.record_fired(
        Fired(
            rule="oee_below_target",
            entity="plant=SZ",
            period="2026-10-05",
            value=0.7,
            at=datetime(2026, 10, 6, tzinfo=UTC),
            label="Suzhou Plant",
            detail="70.0% vs target 85.0%",
            plant="SZ",
            role="Production Excellence",
            token="sz" + "0" * 30,
        )
    )
    store.close()
    with serve_app(built_warehouse, state) as url:
        yield url


def elsewhere(urls: list[str], server: str) -> list[str]:
    """The URLs that leave the machine: anything not on the app's own host and port."""
    own = urlparse(server)
    return sorted(
        {
            url
            for url in urls
            if urlparse(url).scheme not in INLINE
            and (urlparse(url).hostname, urlparse(url).port) != (own.hostname, own.port)
        }
    )


def test_every_request_stays_on_this_machine(server: str) -> None:
    seen: list[str] = []
    with chromium() as browser:
        tab = new_tab(browser)
        tab.on("request", lambda request: seen.append(request.url))
        tab.on("websocket", lambda socket: seen.append(socket.url))
        tab.goto(f"{server}/?lang=zh&period=last_month")
        settle(tab)
        tab.locator("[data-testid=stMain]").get_by_text("English", exact=True).click()
        settle(tab)
        assert tab.locator("h1").first.inner_text() == "Sign in to Andon"
        icons = tab.locator("link[rel*=icon]").evaluate_all("links => links.map(l => l.href)")
        assert icons and all(icon.startswith("data:image/svg+xml") for icon in icons), icons
        sign_in(tab, "admin", PASSWORDS["admin"])
        count = tab.locator(NAV).count()
        assert count == 12
        for index in range(count):
            tab.locator(NAV).nth(index).click()
            settle(tab)
            tab.wait_for_timeout(300)
            check_clean(tab)
        assert tab.locator("h1").first.inner_text() == "Users & audit"
        tab.locator(NAV).filter(has_text="Reports & alerts").first.click()
        settle(tab)
        main = tab.locator("[data-testid=stMain]")
        line = main.locator("[data-testid=stMarkdownContainer]").filter(has_text="oee_below_target")
        assert not EMOJI.search(line.first.inner_text())
        assert line.first.locator("span[style*=color]").inner_text() == "●"
        tab.get_by_role("button", name="Run", exact=True).click()  # render a report copy
        settle(tab)
        main.get_by_text("rendered", exact=True).wait_for()
        tab.get_by_role("button", name="Sign out").click()
        assert heading(tab, "Sign in to Andon") == "Sign in to Andon"
        tab.context.close()
    assert len(seen) > 20  # the recording worked
    assert elsewhere(seen, server) == []
