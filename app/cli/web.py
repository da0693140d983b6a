"""`andon app`: serve the Streamlit dashboards, on 127.0.0.1 unless told otherwise.

Sign-in is configured here and handed to the app's process as environment variables
(app/accounts/config.py reads them): `--auth password` (the default), `proxy` with
`--trusted-proxy`, `oidc` through Streamlit's st.login, or `none` (127.0.0.1 only)."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from app.cli.options import WarehouseOption
from warehouse.location import ENV_VAR, PROJECT_ROOT, warehouse_path

APP_SCRIPT = PROJECT_ROOT / "app" / "web" / "main.py"
DEFAULT_SECRETS = (
    PROJECT_ROOT / ".streamlit" / "secrets.toml",
    Path.home() / ".streamlit" / "secrets.toml",
)


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(2)


def _oidc_section(secrets: Path | None, provider: str | None) -> list[Path]:
    """The secrets files Streamlit will read; refuses when none has the [auth] settings
    st.login needs (or Authlib is missing)."""
    try:
        import authlib  # noqa: F401
    except ImportError:
        _fail("OIDC sign-in needs Authlib: `pip install 'Authlib>=1.3.2'` (pyproject lists it).")
    import tomllib

    files = [secrets] if secrets else [path for path in DEFAULT_SECRETS if path.exists()]
    if secrets and not secrets.exists():
        _fail(f"No secrets file {secrets}.")
    auth: dict = {}
    for path in files:
        try:
            auth.update(tomllib.loads(path.read_text(encoding="utf-8")).get("auth", {}))
        except tomllib.TOMLDecodeError as error:
            _fail(f"{path} is not valid TOML: {error}")
    section = auth.get(provider, {}) if provider else auth
    missing = [key for key in ("redirect_uri", "cookie_secret") if key not in auth] + [
        key for key in ("client_id", "client_secret", "server_metadata_url") if key not in section
    ]
    if not files or missing:
        where = f"[auth.{provider}]" if provider else "[auth]"
        _fail(
            f"OIDC sign-in needs {where} in .streamlit/secrets.toml with "
            f"{', '.join(missing) or 'its settings'} (see README, 'Sign-in with OpenID Connect')."
        )
    return files


def app_command(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on. Anything but 127.0.0.1 / localhost needs sign-in on."
        ),
    ] = "127.0.0.1",
    auth: Annotated[
        str,
        typer.Option(
            help="How people sign in: password (Andon's users), proxy (a trusted reverse "
            "proxy's header), oidc (OpenID Connect via st.login), none (127.0.0.1 only)."
        ),
    ] = "password",
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="With --auth proxy: an address or network the proxy connects from (repeat).",
        ),
    ] = None,
    proxy_header: Annotated[
        str, typer.Option(help="With --auth proxy: the header holding the user name.")
    ] = "X-Forwarded-User",
    oidc_provider: Annotated[
        str | None,
        typer.Option(help="With --auth oidc: the provider in secrets.toml [auth.PROVIDER]."),
    ] = None,
    secrets: Annotated[
        Path | None,
        typer.Option(help="With --auth oidc: the secrets.toml [default: .streamlit/secrets.toml]."),
    ] = None,
    session_idle_minutes: Annotated[
        int, typer.Option(help="A session ends after this many minutes without use.")
    ] = 480,
    session_max_hours: Annotated[
        int, typer.Option(help="A session ends this many hours after sign-in at the latest.")
    ] = 24,
    warehouse: WarehouseOption = None,
) -> None:
    """Start the Andon dashboards and SQL workbench (http://127.0.0.1:PORT by default)."""
    from app.accounts import Accounts, SessionPolicy
    from app.accounts.config import AuthConfig, AuthMode, ConfigError, parse_networks

    try:
        mode = AuthMode(auth.strip().lower())
    except ValueError:
        _fail(f"Unknown --auth {auth!r}: use one of {', '.join(m.value for m in AuthMode)}.")
    try:
        config = AuthConfig(
            mode=mode,
            proxy_header=proxy_header,
            trusted_proxies=parse_networks(trusted_proxy or []),
            oidc_provider=oidc_provider,
            session=SessionPolicy(
                idle=timedelta(minutes=session_idle_minutes),
                absolute=timedelta(hours=session_max_hours),
            ),
        )
        config.validate()
        config.check_bind(host)
    except ConfigError as error:
        _fail(str(error))
    build_file = warehouse_path(warehouse)
    env = dict(os.environ)
    env[ENV_VAR] = str(build_file)
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    env.update(config.to_env())
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_SCRIPT),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    if mode is AuthMode.OIDC:
        for path in _oidc_section(secrets, oidc_provider):
            command += ["--secrets.files", str(path)]
    if config.signs_in and not Accounts.for_warehouse(build_file).has_users():
        typer.echo(
            "No users yet: create one with `andon users add NAME --role admin` "
            "(or `andon users demo` for the demo's users).",
            err=True,
        )
    shown = "localhost" if host in ("127.0.0.1", "localhost") else host
    typer.echo(
        f"Andon app on http://{shown}:{port} (sign-in: {mode.value}; warehouse {env[ENV_VAR]})"
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(
            "Serving beyond this machine: put it behind a TLS reverse proxy (README, "
            "'Serving beyond localhost').",
            err=True,
        )
    # become the server (no parent left behind: a signal to this process reaches Streamlit)
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(PROJECT_ROOT)
    os.execve(sys.executable, command, env)
