"""`andon app`: 127.0.0.1 unless told otherwise, other addresses only with sign-in on, and
sign-in settings that cannot work refused before anything starts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest


def andon(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "app", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **env},
        timeout=60,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "ANDON_WAREHOUSE": str(tmp_path / "andon.duckdb"),
        "ANDON_STATE": str(tmp_path / "state.sqlite"),
        "HOME": str(tmp_path),  # no ~/.streamlit/secrets.toml of the machine's
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "0.0.0.0", "--auth", "none"], "Serving on 0.0.0.0 needs sign-in"),
        (["--auth", "ldap"], "Unknown --auth 'ldap': use one of password, proxy, oidc, none."),
        (["--auth", "proxy"], "The proxy sign-in mode needs the proxies' addresses"),
        (
            ["--auth", "proxy", "--trusted-proxy", "proxy.lan"],
            "'proxy.lan' in ANDON_TRUSTED_PROXIES / --trusted-proxy is not an IP address",
        ),
        (["--session-idle-minutes", "0"], "Session lengths must be greater than 0."),
    ],
)
def test_refused_before_starting(env: dict[str, str], args: list[str], message: str) -> None:
    result = andon(*args, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def test_oidc_needs_its_settings(env: dict[str, str], tmp_path: Path) -> None:
    missing = andon("--auth", "oidc", "--secrets", str(tmp_path / "nope.toml"), env=env)
    assert (
        missing.returncode == 2 and f"No secrets file {tmp_path / 'nope.toml'}." in missing.stderr
    )
    partial = tmp_path / "secrets.toml"
    partial.write_text('[auth]\nredirect_uri = "http://127.0.0.1:8501/oauth2callback"\n')
    result = andon("--auth", "oidc", "--secrets", str(partial), env=env)
    assert result.returncode == 2
    assert (
        "OIDC sign-in needs [auth] in .streamlit/secrets.toml with cookie_secret, client_id, "
        "client_secret, server_metadata_url"
    ) in " ".join(result.stderr.split())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_listens_on_loopback_only_by_default(env: dict[str, str]) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "app", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 40
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health").status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("the app did not start")
        family = psutil.Process(process.pid)
        listening = {
            conn.laddr.ip
            for proc in [family, *family.children(recursive=True)]
            for conn in proc.net_connections(kind="inet")
            if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port
        }
        assert listening == {"127.0.0.1"}
    finally:
        process.terminate()
        out, err = process.communicate(timeout=20)
    assert f"Andon app on http://localhost:{port} (sign-in: password;" in out
    assert "No users yet: create one with `andon users add NAME --role admin`" in err
