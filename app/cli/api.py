"""`andon api [--host 127.0.0.1] [--port 8000]`: the HTTP API (FastAPI on uvicorn) over the
published warehouse. Every call needs a personal API token (`andon tokens create`), on any
host, so listening beyond localhost is allowed; put TLS at a reverse proxy in front of it.
Registered by app/cli/main.py: `app.command("api")(api_command)`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from app.cli.options import WarehouseOption

console = Console(stderr=True)


def api_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    rate: Annotated[
        float | None, typer.Option(help="Requests a second per token (default 20).")
    ] = None,
    burst: Annotated[
        int | None, typer.Option(help="Requests a token may make at once (default 40).")
    ] = None,
    max_rows: Annotated[
        int | None, typer.Option(help="Rows one answer may hold (default 100000).")
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Worker processes (each with its own cache; 1 per core).")
    ] = 1,
    warehouse: WarehouseOption = None,
) -> None:
    """Serve the metrics API: /api/v1/… (docs at /api/docs), for personal API tokens."""
    from app.api.server import serve

    overrides = {k: v for k, v in {"rate": rate, "burst": burst, "max_rows": max_rows}.items() if v}
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(
            f"Listening on {host}: every call still needs an API token; serve it behind a "
            "TLS proxy so tokens never cross the network in clear text."
        )
    console.print(
        f"Andon API on http://{host}:{port}/api/v1 — docs at http://{host}:{port}/api/docs"
    )
    try:
        serve(host, port, workers=workers, warehouse=warehouse, **overrides)
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
