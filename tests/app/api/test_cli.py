"""`andon tokens create|list|revoke` and `andon api`: the command line makes a token shown
once, and the server it starts answers the README's curl request with the app's numbers."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import polars as pl
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

import metrics
from app.accounts import Accounts
from app.cli.main import app
from metrics.scope import Scope

ANDON = Path(sys.executable).with_name("andon")


def _env(warehouse: Path, state: Path) -> dict[str, str]:
    return {"ANDON_WAREHOUSE": str(warehouse), "ANDON_STATE": str(state)}


def test_tokens_are_made_once_listed_without_their_text_and_revoked(
    built_warehouse, tmp_path
) -> None:
    state = tmp_path / "state.sqlite"
    Accounts(state).add_user("sz.manager", role="plant_manager", plants=["SZ"])
    runner = CliRunner()
    env = _env(built_warehouse, state)
    made = runner.invoke(
        app, ["tokens", "create", "--user", "sz.manager", "--name", "MES", "-q"], env=env
    )
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("andon_pat_") and "\n" not in token
    listed = runner.invoke(app, ["tokens", "list", "--json"], env=env)
    rows = json.loads(listed.stdout)
    assert [(r["user"], r["name"], r["revoked_at"]) for r in rows] == [("sz.manager", "MES", None)]
    assert token not in listed.stdout
    unknown = runner.invoke(app, ["tokens", "create", "--user", "nobody"], env=env)
    assert unknown.exit_code == 2
    revoked = runner.invoke(app, ["tokens", "revoke", rows[0]["id"]], env=env)
    assert revoked.exit_code == 0 and "Revoked API token" in revoked.stdout
    assert json.loads(runner.invoke(app, ["tokens", "list", "--json"], env=env).stdout) == []
    missing = runner.invoke(app, ["tokens", "revoke", "feedbeef"], env=env)
    assert missing.exit_code == 2 and "andon tokens list" in missing.output
    actions = [e.action for e in Accounts(state).audit_log()]
    assert "token_create" in actions and "token_revoke" in actions


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_andon_api_serves_the_readme_curl_request(built_warehouse, tmp_path) -> None:
    state = tmp_path / "state.sqlite"
    Accounts(state).add_user("sz.manager", role="plant_manager", plants=["SZ"])
    env = {**os.environ, **_env(built_warehouse, state)}
    token = subprocess.run(
        [str(ANDON), "tokens", "create", "--user", "sz.manager", "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    port = _free_port()
    server = subprocess.Popen(
        [str(ANDON), "api", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/query"
        params = {
            "metrics": "oee",
            "by": "line",
            "from": "2026-10-01",
            "to": "2026-10-08",
            "format": "csv",
        }
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(
                    url, params=params, headers={"Authorization": f"Bearer {token}"}
                )
                break
            except httpx.ConnectError:
                assert server.poll() is None and time.monotonic() < deadline, server.stdout.read()
                time.sleep(0.2)
        assert response.status_code == 200, response.text
        want = metrics.query(
            "oee",
            by="line",
            start="2026-10-01",
            end="2026-10-08",
            warehouse=built_warehouse,
            scope=Scope.of({"SZ"}),
        )
        got = pl.read_csv(io.BytesIO(response.content[3:]), schema=want.schema)
        assert_frame_equal(got, want, check_exact=True)
        assert set(got["line_id"].str.slice(0, 2)) == {"SZ"}
    finally:
        server.terminate()
        server.wait(timeout=10)
