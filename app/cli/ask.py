"""`andon ask`: a question in English or Chinese, answered by the governed metrics.

    andon ask "上周各产线的OEE"
    andon ask "which line had the lowest FPY last week" --format json
    andon ask "OEE by line last week" --plants SZ     # what Suzhou's manager would see

Like `andon query`, it answers for every plant unless --plants restricts it.

A question may start with a dash: `andon ask -- "-oee by line"` or `andon ask "-oee by
line"` (AskCommand moves an argument that is no option of `ask` behind a `--`).

Registered on the `andon` Typer app by app/cli/main.py as
`app.command("ask", cls=AskCommand)(ask)`.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand

from app.cli.options import Lang, WarehouseOption
from app.cli.query import PlantsOption, scope_of

console = Console(stderr=True)


class AskCommand(TyperCommand):
    """`ask` with questions that start with '-': an argument that looks like an option but
    is none of this command's (and is no option's value) is the question, so it is moved
    behind '--' rather than refused as 'No such option'."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        if "--" not in args:
            args = _question_behind_dashes(self, ctx, args)
        return super().parse_args(ctx, args)


def _question_behind_dashes(
    command: TyperCommand, ctx: typer.Context, args: list[str]
) -> list[str]:
    names: dict[str, bool] = {}  # option name -> takes a value
    for param in command.get_params(ctx):
        if param.param_type_name == "option":
            for name in (*param.opts, *param.secondary_opts):
                names[name] = not param.is_flag and not param.count
    kept: list[str] = []
    moved: list[str] = []
    expects_value = False
    for arg in args:
        if expects_value:
            kept.append(arg)
            expects_value = False
            continue
        name = arg.split("=", 1)[0]
        if arg.startswith("-") and len(arg) > 1 and name not in names:
            moved.append(arg)
            continue
        kept.append(arg)
        expects_value = names.get(arg, False)
    return [*kept, "--", *moved] if moved else kept


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
    from metrics.errors import MetricError

    scope = scope_of(plants)
    try:
        answer = _answer(question, as_of, lang.value if lang else None, warehouse, scope)
    except MetricError as error:
        console.print(f"[red]{error}", highlight=False)
        raise typer.Exit(2) from None
    from app.accounts.audit import audit, cli_actor

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
            f"[bold]{escape(answer.summary)}[/] (confidence {answer.confidence:.0%})",
            highlight=False,
        )
        _print_table(answer.data, answer.lang)
    if answer.needs_clarification:
        raise typer.Exit(3)


def _answer(question, as_of, lang, warehouse, scope):  # noqa: ANN001, ANN202 - metrics.ask's
    """metrics.ask(question, ...) as the CLI shows it: the rows as plain values (Polars only
    for column types that need it; see metrics.nlq.answer.run_plain), the rest the same."""
    from metrics.nlq.answer import run_plain
    from metrics.nlq.ask import ask as ask_metrics
    from metrics.query import open_published
    from metrics.registry import load_registry

    con = open_published(warehouse, "Or pass warehouse=PATH.")  # as metrics.ask words it
    try:
        answer = ask_metrics(question, as_of, lang=lang, con=con, execute=False, scope=scope)
        run_plain(answer, con, load_registry())
        return answer
    finally:
        con.close()


def _json_default(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
