"""`andon query`: governed metrics from the command line.

    andon query oee availability --by line --where plant=SZ --from 2026-10-01 --to 2026-11-01 \
        --grain week --compare previous --lang zh --format table --sql [--plants SZ,DG]

The command line runs as the local operator, who can read the warehouse file anyway: it
sees every plant, unless --plants restricts it to what a plant manager of those plants sees.

Registered on the `andon` Typer app by app/cli/main.py as `app.command("query")(query)`.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from app.cli.options import Lang, WarehouseOption
from app.cli.tables import Col, print_table

if TYPE_CHECKING:
    from metrics.scope import Scope

console = Console(stderr=True)

PlantsOption = Annotated[
    str | None,
    typer.Option(
        "--plants",
        help="Answer as a user who sees only these plants (comma-separated ids, e.g. SZ,DG) "
        "[default: every plant].",
        show_default=False,
    ),
]


def scope_of(plants: str | None) -> Scope:
    """Every plant for the local operator, or only `plants` (comma-separated ids)."""
    from metrics.scope import Scope

    if plants is None:
        return Scope.all()
    listed = _split([plants])
    if not listed:
        raise typer.BadParameter("name at least one plant id, e.g. SZ,DG", param_hint="--plants")
    return Scope.of(listed)


class Grain(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


class Compare(StrEnum):
    previous = "previous"
    last_year = "last_year"


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _parse_where(values: list[str] | None) -> dict[str, list[str]]:
    where: dict[str, list[str]] = {}
    for item in values or []:
        dim, sep, listed = item.partition("=")
        if not sep or not dim.strip() or not listed.strip():
            raise typer.BadParameter(
                f"{item!r} is not DIMENSION=VALUE[,VALUE…], e.g. plant=SZ", param_hint="--where"
            )
        where.setdefault(dim.strip(), []).extend(v.strip() for v in listed.split(",") if v.strip())
    return where


def _list_metrics(lang: str) -> None:
    from metrics import load_registry
    from metrics.i18n import t
    from metrics.registry import AREAS

    registry = load_registry()
    rows = [
        (metric.name, metric.label(lang), metric.unit, ", ".join(metric.dimensions))
        for area in AREAS
        for metric in registry.metrics.values()
        if metric.area == area
    ]
    columns = [Col("metric", whole=True), Col("label"), Col("unit", whole=True), Col("dimensions")]
    shown = Console()
    print_table(shown, columns, [tuple(map(Text, row)) for row in rows], title=t("metric", lang))
    dims = ", ".join(registry.dimensions)
    shown.print(f"Dimensions: {dims}; grains: day, week, month, quarter, year.")


def query(
    metrics: Annotated[
        list[str] | None,
        typer.Argument(
            help="Metric names (space- or comma-separated), e.g. oee availability. See --list.",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            "-b",
            help="Group by a dimension (repeat or comma-separate): "
            "plant, line, equipment, shift, product, product_family, material_type, "
            "customer, region, customer_segment, supplier, warehouse, defect_code, "
            "characteristic.",
        ),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            help="Filter DIMENSION=VALUE[,VALUE…] on dimension keys, "
            "e.g. plant=SZ or line=SZ-L1,SZ-L2 (repeatable).",
        ),
    ] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="First date included (YYYY-MM-DD).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="First date excluded (YYYY-MM-DD).")
    ] = None,
    grain: Annotated[
        Grain | None, typer.Option(help="Time buckets (week = ISO week from Monday).")
    ] = None,
    compare: Annotated[
        Compare | None,
        typer.Option(help="Add <metric>_previous or _last_year and <metric>_delta columns."),
    ] = None,
    lang: Annotated[Lang, typer.Option(help="Language of labels.")] = Lang.en,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,  # noqa: A002
    warehouse: WarehouseOption = None,
    plants: PlantsOption = None,
    show_sql: Annotated[
        bool, typer.Option("--sql", help="Also print the SQL (to stderr).")
    ] = False,
    list_: Annotated[
        bool, typer.Option("--list", help="List the metrics and dimensions, then exit.")
    ] = False,
) -> None:
    """Answer governed metrics (OEE, yield, OTD, inventory turns …) by dimension and period.

    Every metric is a ratio of sums at the grain asked for; a zero denominator shows "—".

    Run `--list` for every metric with its labels, unit and allowed dimensions.
    """
    from app.accounts.audit import audit, cli_actor
    from metrics import MetricError
    from metrics import compile as compile_metrics
    from metrics import query as run_query

    if list_:
        _list_metrics(lang.value)
        return
    names = _split(metrics)
    if not names:
        console.print(
            "[red]Name at least one metric, e.g. `andon query oee --by line`; "
            "`--list` shows them all."
        )
        raise typer.Exit(2)
    scope = scope_of(plants)
    arguments = dict(
        metrics=names,
        by=_split(by),
        where=_parse_where(where),
        start=from_,
        end=to,
        grain=grain.value if grain else None,
        compare=compare.value if compare else None,
        lang=lang.value,
    )
    try:
        if show_sql:
            console.print(compile_metrics(**arguments, scope=scope), markup=False, highlight=False)
        frame = run_query(**arguments, warehouse=warehouse, scope=scope)
    except MetricError as error:
        console.print(f"[red]{escape(str(error))}", markup=True, highlight=False)
        raise typer.Exit(2) from None
    audit(
        cli_actor(),
        "query",
        {**arguments, "plants": scope.describe(), "rows": frame.height},
        warehouse=warehouse,
    )
    if format is Format.csv:
        sys.stdout.write(frame.write_csv())
    elif format is Format.json:
        rows = frame.to_dicts()
        sys.stdout.write(json.dumps(rows, default=_json_default, ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
    else:
        _print_table(frame, lang.value)


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _print_table(frame, lang: str) -> None:  # noqa: ANN001 - polars.DataFrame
    from metrics import load_registry
    from metrics.formatting import NULL, format_value, metric_of_column

    registry = load_registry()
    shown: dict[str, object] = {}
    columns = []
    for column in frame.columns:
        metric = metric_of_column(column, dict(registry.metrics))
        shown[column] = metric
        header = column
        if metric is not None and column == metric.name:
            header = f"{metric.label(lang)}\n{column}"
        # keys, periods and values whole; names (labels) wrap at their words
        columns.append(
            Col(
                header,
                whole=not column.endswith("_label"),
                justify="right" if metric is not None else "left",
            )
        )
    rows = []
    for row in frame.iter_rows():
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            metric = shown[column]
            if metric is not None:
                cells.append(
                    format_value(metric, value, lang=lang, delta=column.endswith("_delta"))
                )
            else:
                cells.append(NULL if value is None else str(value))
        rows.append(tuple(map(Text, cells)))
    print_table(Console(), columns, rows)
    if frame.is_empty():
        console.print("No rows: nothing matches the filters and period.")
