"""A real API server on a free localhost port over the session's built sample warehouse, with
its own state store: users of Suzhou, Dongguan and every plant, their API tokens, and open
alerts of every plant (the alert rules run on the built warehouse)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.accounts import Accounts
from app.accounts.tokens import ApiTokens
from app.api import create_app
from app.api.server import Server
from app.reports.alerts import parse_rules, run_alerts
from app.reports.definitions import load_contacts
from app.reports.state import StateStore
from warehouse.connections import connect_published

FROM, TO = "2026-10-01", "2026-10-08"  # inside the sample fortnight (tests/conftest.py)
USERS = {  # name: (role, plants)
    "sz.manager": ("plant_manager", ["SZ"]),
    "dg.analyst": ("analyst", ["DG"]),
    "admin": ("admin", None),
    "nobody": ("viewer", []),
}
ALERT_RULES = {
    "defaults": {"grain": "day", "ack_timeout_minutes": 60},
    "rules": [
        {
            "name": "oee_low",
            "metric": "oee",
            "scope": ["plant"],
            "condition": {"type": "below", "value": 0.99},
        }
    ],
}


@dataclass
class Api:
    server: Server
    state: Path
    warehouse: Path
    tokens: dict[str, str]

    @property
    def url(self) -> str:
        return self.server.url + "/api/v1"

    def client(self, user: str | None = None, **kwargs) -> httpx.Client:  # noqa: ANN003
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)

    def flush_audit(self) -> None:
        self.server.app.state.runtime.audit.flush()


def _state(folder: Path, warehouse: Path) -> tuple[Path, dict[str, str]]:
    state = folder / "state.sqlite"
    accounts = Accounts(state)
    tokens = ApiTokens(state)
    made = {}
    for name, (role, plants) in USERS.items():
        accounts.add_user(name, role=role, plants=plants)
        made[name] = tokens.create(name, name="tests", actor="tests").token
    store = StateStore(state)
    con = connect_published(warehouse)
    try:
        run_alerts(con, store, None, parse_rules(ALERT_RULES), load_contacts())
    finally:
        con.close()
        store.close()
    return state, made


@pytest.fixture(scope="session")
def api(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    state, tokens = _state(tmp_path_factory.mktemp("api_state"), built_warehouse)
    app = create_app(built_warehouse, state, rate=10_000, burst=10_000, auth_cache_s=0)
    server = Server(app).start()
    yield Api(server, state, built_warehouse, tokens)
    server.stop()


@pytest.fixture(scope="session")
def strict_api(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """A second server with tight limits: 5 rows an answer, 3 requests at once, 1 a second."""
    state, tokens = _state(tmp_path_factory.mktemp("api_strict"), built_warehouse)
    app = create_app(built_warehouse, state, rate=1, burst=3, max_rows=5, auth_cache_s=0)
    server = Server(app).start()
    yield Api(server, state, built_warehouse, tokens)
    server.stop()
