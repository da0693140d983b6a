"""Options every `andon` command that touches the warehouse shares, defined once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from metrics.i18n import LANGS
from warehouse.location import ENGINES, ENV_VAR

# The languages a command can answer in: the catalogue's (metrics.i18n.LANGS).
Lang = StrEnum("Lang", {code: code for code in LANGS})
Engine = StrEnum("Engine", {name: name for name in ENGINES})

WarehouseOption = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        "-w",
        show_default=False,
        help=f"Warehouse DuckDB file \\[default: ${ENV_VAR} or warehouse/andon.duckdb].",
    ),
]

SourcesOption = Annotated[
    Path | None,
    typer.Option(
        "--sources",
        show_default=False,
        help="Source systems file \\[default: $ANDON_SOURCES or ./sources.yaml].",
    ),
]

ReportsOption = Annotated[
    Path | None,
    typer.Option(
        "--reports",
        show_default=False,
        help="Folder of report/alert YAML \\[default: $ANDON_REPORTS or reports/].",
    ),
]


def parse_until(value: str | None) -> datetime | None:
    """`--until`: an ISO date-time (local time when it names no zone), or None."""
    if not value:
        return None
    try:
        stop = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO date-time", param_hint="--until"
        ) from None
    return stop if stop.tzinfo is not None else stop.astimezone()
