"""The two other ways in, end to end in Chromium: OpenID Connect through Streamlit's
st.login against a real OIDC provider on localhost (oidc-provider-mock), and a trusted
reverse proxy's user header — believed from a trusted address, ignored from any other."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from app.accounts import Accounts
from tests.app.web.chromium import (
    HAS_CHROMIUM,
    chromium,
    heading,
    new_tab,
    select_options,
    serve_app,
    settle,
)

pytestmark = pytest.mark.skipif(not HAS_CHROMIUM, reason="no system Chromium")


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("modes") / "state.sqlite"
    accounts = Accounts(path)
    accounts.add_user(
        "sz.manager", role="plant_manager", plants=["SZ"], email="wang.fang@plant.example"
    )
    accounts.add_user("dg.analyst", role="analyst", plants=["DG"])
    return path


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def notice(tab) -> str:  # noqa: ANN001
    return tab.locator("[data-testid=stAlert]").first.inner_text()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the mock provider's Authlib use
def test_openid_connect(built_warehouse: Path, state: Path, browser, tmp_path: Path) -> None:
    with warnings.catch_warnings():  # Authlib warns about its own APIs the mock uses
        import authlib.deprecate  # noqa: F401 - it adds an "always" filter: ours goes first

        warnings.simplefilter("ignore", DeprecationWarning)
        from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as provider:
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "only-for-this-test-0123456789-0123456789"\n'
            'client_id = "andon"\n'
            'client_secret = "andon-test-secret"\n'
            f'server_metadata_url = "http://localhost:{provider.server_port}'
            '/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        with serve_app(
            built_warehouse, state, {"ANDON_AUTH": "oidc"}, ("--secrets.files", str(secrets))
        ) as url:
            for email, signed_in in (
                ("wang.fang@plant.example", True),
                ("stranger@elsewhere.example", False),
            ):
                tab = new_tab(browser)
                tab.goto(f"{url}/equipment")
                settle(tab)
                assert tab.locator("h1").first.inner_text() == "Sign in to Andon"
                tab.get_by_role("button", name="Sign in with single sign-on").click()
                tab.locator("input[name=sub]").fill(email)  # the provider's sign-in form
                tab.get_by_role("button", name="Authorize").click()
                tab.wait_for_url(f"{url}/**")
                settle(tab)
                if signed_in:
                    tab.wait_for_selector("[data-testid=stSidebarNavLink]")
                    settle(tab)
                    assert tab.locator("h1").first.inner_text() == "Overview"
                    sidebar = tab.locator("[data-testid=stSidebar]").inner_text()
                    assert "Plant manager · plants SZ" in sidebar
                    assert select_options(tab, "Plant") == ["All", "Suzhou Plant"]
                    tab.get_by_role("button", name="Sign out").click()
                    # st.logout ends the provider's session too (its end-session page)
                    tab.get_by_role("button", name="End session").click()
                    tab.wait_for_url(f"{url}/**")
                    assert heading(tab, "Sign in to Andon") == "Sign in to Andon"
                    assert tab.locator("[data-testid=stSidebarNavLink]").count() == 0
                else:
                    assert tab.locator("h1").first.inner_text() == "Sign in to Andon"
                    assert "Andon has no user for that identity" in notice(tab)
                    assert tab.locator("[data-testid=stSidebarNavLink]").count() == 0
                tab.context.close()
    rows = Accounts(state).audit_log(actions=["signin", "signin_failed", "signout"])
    assert [(e.username, e.action, e.detail.get("method")) for e in reversed(rows)] == [
        ("sz.manager", "signin", "oidc"),
        ("sz.manager", "signout", None),
        (None, "signin_failed", "oidc"),
    ]
    assert rows[0].detail["reason"] == "unknown_identity"
    assert rows[0].detail["attempted"] == "stranger@elsewhere.example"


def test_trusted_proxy_header(built_warehouse: Path, state: Path, browser) -> None:
    trusted = {"ANDON_AUTH": "proxy", "ANDON_TRUSTED_PROXIES": "127.0.0.1"}
    with serve_app(built_warehouse, state, trusted) as url:
        tab = new_tab(browser, extra_http_headers={"X-Forwarded-User": "dg.analyst"})
        tab.goto(f"{url}/?period=last_12_months")
        tab.wait_for_selector("[data-testid=stSidebarNavLink]")
        settle(tab)
        assert tab.locator("h1").first.inner_text() == "Overview"
        assert select_options(tab, "Plant") == ["All", "Dongguan Plant"]
        tab.get_by_role("button", name="Sign out").click()
        assert heading(tab, "Sign in to Andon") == "Sign in to Andon"
        assert tab.get_by_role("button", name="Sign in again").count() == 1
        tab.context.close()
        for headers, message in (
            ({}, "The sign-in proxy sent no user name."),
            ({"X-Forwarded-User": "mallory"}, "Andon has no user for that identity"),
        ):
            tab = new_tab(browser, extra_http_headers=headers)
            tab.goto(f"{url}/equipment")
            settle(tab)
            assert tab.locator("h1").first.inner_text() == "Sign in to Andon"
            assert message in notice(tab)
            assert tab.locator("[data-testid=stSidebarNavLink]").count() == 0
            tab.context.close()
    # the same header from an address that is not the proxy: not believed
    elsewhere = {"ANDON_AUTH": "proxy", "ANDON_TRUSTED_PROXIES": "10.255.0.1"}
    with serve_app(built_warehouse, state, elsewhere) as url:
        tab = new_tab(browser, extra_http_headers={"X-Forwarded-User": "dg.analyst"})
        tab.goto(f"{url}/")
        settle(tab)
        assert tab.locator("h1").first.inner_text() == "Sign in to Andon"
        assert "did not come through Andon's sign-in proxy" in notice(tab)
        assert tab.locator("[data-testid=stSidebarNavLink]").count() == 0
        tab.context.close()
