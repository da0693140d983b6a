"""`andon ask`: a question in English or Chinese, answered by the governed metrics.

    andon ask "上周各产线的OEE"
    andon ask "which line had the lowest FPY last week" --format json
    andon ask "OEE by line last week" --plants SZ     # what Suzhou's manager would see

Like `andon query`, it answers for every plant unless --plants restricts it.

Registered on the `andon` Typer app by app/cli/main.py as `app.command("ask")(ask)`.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

from app.cli.options import Lang, WarehouseOption
from app.cli.query import PlantsOption, scope_of

console = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"


def ask(
    question: Annotated[str, typer.Argument(help="The question, e.g. 'OEE by line last week'.")],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The date 'today' means (YYYY-MM-DD) [default: newest]."),
    ] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,  # noqa: A002
    lang: Annotated[
        Lang | None, typer.Option(help="Language of labels [default: the question's].")
    ] = None,
    warehouse: WarehouseOption = None,
    plants: PlantsOption = None,
) -> None:
    """Ask a KPI question in plain English or Chinese; prints how it was read, then the data.

    Unclear questions get a question back with the closest candidates (exit code 3).
    """
    from app.accounts.audit import audit, cli_actor
    from metrics import MetricError
    from metrics import ask as ask_metrics

    scope = scope_of(plants)
    try:
        answer = ask_metrics(
            question,
            as_of,
            lang=lang.value if lang else None,
            warehouse=warehouse,
            scope=scope,
        )
    except MetricError as error:
        console.print(f"[red]{error}", highlight=False)
        raise typer.Exit(2) from None
    audit(
        cli_actor(),
        "ask",
        {"question": question, "answered": not answer.needs_clarification},
        warehouse=warehouse,
    )
    if format is Format.json:
        sys.stdout.write(
            json.dumps(answer.to_dict(), default=_json_default, ensure_ascii=False, indent=2) + "\n"
        )
    elif answer.clarification is not None:
        console.print(answer.clarification.message, markup=False, highlight=False)
    else:
        from app.cli.query import _print_table

        console.print(
            f"[bold]{answer.summary}[/] (confidence {answer.confidence:.0%})", highlight=False
        )
        _print_table(answer.data, answer.lang)
    if answer.needs_clarification:
        raise typer.Exit(3)


def _json_default(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
