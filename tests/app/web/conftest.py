"""App fixtures: the built sample warehouse handed to the app through ANDON_WAREHOUSE, a
state store of the test's own (ANDON_STATE) holding the demo's users, and pages opened
signed in as one of them (really signed in: a session in the state store)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.accounts import Accounts
from app.cli.users import DEMO_USERS
from warehouse.location import ENV_VAR, STATE_ENV_VAR

APP = str(Path(__file__).resolve().parents[3] / "app" / "web" / "main.py")
PASSWORDS = {username: password for username, _, _, _, password in DEMO_USERS}


@pytest.fixture
def app_env(built_warehouse: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv(ENV_VAR, str(built_warehouse))
    monkeypatch.setenv(STATE_ENV_VAR, str(tmp_path / "state.sqlite"))
    monkeypatch.setenv("ANDON_AUTH", "password")
    return built_warehouse


@pytest.fixture
def accounts(app_env: Path) -> Accounts:
    """The app's accounts with the demo's four users (see `andon users demo`)."""
    store = Accounts.for_warehouse(app_env)
    for username, display, role, plants, password in DEMO_USERS:
        store.ensure_user(
            username, role=role, plants=plants, password=password, display_name=display
        )
    return store


@pytest.fixture
def sign_in(accounts: Accounts):
    """sign_in(at, "dg.analyst"): a real password sign-in put in the AppTest's session."""

    def run(at, username: str = "admin"):  # noqa: ANN202 - AppTest
        signed = accounts.sign_in(username, PASSWORDS[username])
        assert signed is not None
        at.session_state["andon_user"] = signed.user
        at.session_state["andon_session"] = signed.token
        return signed

    return run


@pytest.fixture
def open_page(sign_in):
    """open_page("equipment", plant="SZ") -> AppTest after the page rendered, signed in as
    the demo admin (user="dg.analyst" for another demo user, user=None for nobody)."""
    from streamlit.testing.v1 import AppTest

    def run(page: str, user: str | None = "admin", **params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params.update(params)
        if user is not None:
            sign_in(at, user)
        at.run()
        if page != "overview":
            at.switch_page(f"views/{page}.py").run()
        return at

    return run
