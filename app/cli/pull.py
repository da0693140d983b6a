"""`andon pull`: pull new and changed rows from the source databases in sources.yaml."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape

from app.cli.options import SourcesOption, WarehouseOption
from app.cli.tables import Col, print_table
from warehouse.location import warehouse_path

console = Console(stderr=True)
out = Console()  # tables: app/cli/tables.py (ids, paths and times never cut)


def load_sources_or_exit(sources):  # noqa: ANN001, ANN201 - Path | None → SourcesFile
    """The sources file, or a message naming file, key and line and exit code 2."""
    from ingest.sources import load_sources, sources_path
    from warehouse.config import ConfigError

    path = sources_path(sources)
    if not path.is_file():
        console.print(
            f'[red]No sources file at {path}: write one (README "Source databases") or pass'
            " --sources PATH."
        )
        raise typer.Exit(2)
    try:
        return load_sources(path)
    except ConfigError as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from None


def pull(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="Sources to pull \\[default: every database source].", show_default=False
        ),
    ] = None,
    entity: Annotated[
        list[str] | None,
        typer.Option("--entity", "-e", help="Only this entity (repeatable).", show_default=False),
    ] = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Read every row again and replace what earlier pulls landed (a full reload).",
        ),
    ] = False,
    sources: SourcesOption = None,
    warehouse: WarehouseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Pull from the source databases: rows past each entity's watermark (less its look-back),
    through the same validation and quarantine as files, one transaction per entity.

    A source that cannot be reached, a wrong password, a timeout or a changed table fails that
    entity only, with its reason in the load log and `andon status`; the warehouse keeps the
    last good data. Exits 1 when an entity failed, 2 when sources.yaml is refused.
    """
    from ingest.pull import pull_source

    config = load_sources_or_exit(sources)
    chosen = names or [s.name for s in config.databases]
    try:
        picked = [config.get(name) for name in chosen]
    except KeyError as error:
        console.print(f"[red]{error.args[0]}")
        raise typer.Exit(2) from None
    for source in picked:
        if not source.is_database:
            console.print(
                f"[red]{source.name} is a files source: use `andon ingest {source.inbox}`."
            )
            raise typer.Exit(2)
        unknown = sorted(set(entity or ()) - set(source.entities))
        if unknown and len(picked) == 1:
            console.print(
                f"[red]{source.name} has no entity {', '.join(unknown)}"
                f" (it has {', '.join(source.entities)})."
            )
            raise typer.Exit(2)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    target = warehouse_path(warehouse)
    reports = []
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[detail]}", style="dim"),
        console=console,
    ) as progress:
        for source in picked:
            task = progress.add_task(f"Pulling {source.name}", total=None, detail="")
            wanted = [e for e in source.entities if not entity or e in entity]

            def step(name: str, index: int, total: int, task=task) -> None:  # noqa: ANN001
                progress.update(task, completed=index - 1, total=total, detail=name)

            reports.append(pull_source(source, target, entities=wanted, full=full, on_entity=step))
            progress.update(task, completed=len(wanted), detail="")
    if as_json:
        out.print_json(json.dumps([r.to_dict() for r in reports], default=str))
    else:
        _print(reports)
    if any(r.failed for r in reports):
        raise typer.Exit(1)


def _print(reports) -> None:  # noqa: ANN001 - list[ingest.pull.PullReport]
    from metrics.formatting import NULL

    numbers = ("read", "landed", "quarantined", "unchanged")
    columns = [
        Col("source/entity", whole=True),
        *(Col(name, whole=True, justify="right") for name in numbers),
        Col("watermark (from → to)", whole=True),
    ]
    rows = []
    notes = []
    for report in reports:
        for r in report.results:
            mark = NULL
            if r.watermark_column:
                mark = f"{r.watermark_column} {r.watermark_low or '…'} → {r.watermark_high or NULL}"
            if r.status == "failed":
                notes.append(f"[red]failed[/red] {escape(f'{r.source}/{r.entity}: {r.message}')}")
            elif r.message:
                notes.append(escape(f"{r.source}/{r.entity}: {r.message}"))
            counts = (r.rows_read, r.rows_landed, r.rows_quarantined, r.rows_unchanged)
            rows.append((f"{r.source}/{r.entity}", *(f"{n:,}" for n in counts), mark))
    print_table(out, columns, rows, title="Pulled", box=box.SIMPLE_HEAD)
    for note in notes:
        out.print(note, soft_wrap=True)
