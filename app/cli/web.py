"""`andon app`: serve the Streamlit dashboards on localhost."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Annotated

import typer

from app.cli.options import WarehouseOption
from warehouse.location import ENV_VAR, PROJECT_ROOT, warehouse_path

APP_SCRIPT = PROJECT_ROOT / "app" / "web" / "main.py"


def app_command(
    port: Annotated[int, typer.Option(help="Port to serve on (localhost only).")] = 8501,
    warehouse: WarehouseOption = None,
) -> None:
    """Start the Andon dashboards and SQL workbench at http://localhost:PORT."""
    env = dict(os.environ)
    env[ENV_VAR] = str(warehouse_path(warehouse))
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_SCRIPT),
        "--server.port",
        str(port),
        "--server.address",
        "localhost",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    typer.echo(f"Andon app on http://localhost:{port} (warehouse {env[ENV_VAR]})")
    raise typer.Exit(subprocess.call(command, env=env, cwd=PROJECT_ROOT))
