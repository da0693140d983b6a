"""The `andon` command line: one entry point for the sample factory, ingest and status.

Later commands (build, query, ask, report, app) join this same Typer app.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from app.cli.api import api_command
from app.cli.ask import AskCommand, ask
from app.cli.options import Engine, ReportsOption, SourcesOption, WarehouseOption
from app.cli.pipeline import pipeline
from app.cli.pull import pull
from app.cli.query import query
from app.cli.reports import AlertsCommand, alerts, report_app, scheduler
from app.cli.tables import Col, print_table
from app.cli.tokens import tokens_app
from app.cli.users import audit_command, users_app
from app.cli.web import app_command
from warehouse.location import ENGINES, warehouse_path

if TYPE_CHECKING:
    from rich.progress import Progress

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")

APP_SETTINGS = {
    "name": "andon",
    "help": "Andon: factory KPIs from MES, ERP, WMS and SCADA extracts, in one DuckDB warehouse.",
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
}
app = typer.Typer(**APP_SETTINGS)
console = Console(stderr=True)
out = Console()  # tables: app/cli/tables.py (ids, paths and times never cut)


def _progress() -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.table import Column

    return Progress(
        TextColumn("[bold]{task.description}", justify="left"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn(
            "{task.fields[detail]}",
            style="dim",
            table_column=Column(no_wrap=True, overflow="ellipsis"),
        ),
        console=console,
        transient=False,
    )


@contextmanager
def _user_errors() -> Iterator[None]:
    """Errors a user can act on become a message and exit code 2, never a traceback."""
    import duckdb

    from ingest import IngestError

    try:
        yield
    except IngestError as error:
        console.print(f"[red]{escape(str(error))}")
        raise typer.Exit(2) from None
    except duckdb.IOException as error:
        console.print(
            f"[red]Cannot open the warehouse for writing ({escape(str(error))}). "
            "Is another `andon ingest` or `andon build` running?"
        )
        raise typer.Exit(2) from None


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


@app.command()
def sample(
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write the sample inbox into.")
    ] = Path("sample_inbox"),
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same files.")
    ] = 42,
    start: Annotated[
        str | None, typer.Option(help="First day (YYYY-MM-DD) [default: 13 months before --end].")
    ] = None,
    end: Annotated[
        str | None, typer.Option(help="Last day (YYYY-MM-DD) [default: yesterday].")
    ] = None,
    scale: Annotated[
        float,
        typer.Option(
            help="Size of the factory: 1 is the demo; 64 gives about 50M equipment-state and "
            "production-report rows over 13 months, for benchmarks."
        ),
    ] = 1.0,
) -> None:
    """Write a sample factory's MES/ERP/WMS/SCADA extracts (3 plants, 12 lines) into an inbox."""
    from ingest.sample import generate_sample

    first, last = _parse_date(start, "--start"), _parse_date(end, "--end")
    if scale <= 0:
        raise typer.BadParameter("must be greater than 0", param_hint="--scale")
    with _progress() as progress:
        task = progress.add_task("Generating", total=None, detail="")

        def report(label: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, detail=label)

        result = generate_sample(
            out_dir, seed=seed, start=first, end=last, scale=scale, progress=report
        )
    rows = [(entity, f"{count:,}") for entity, count in sorted(result.rows.items())]
    rows.append((Text("total", style="bold"), Text(f"{sum(result.rows.values()):,}", style="bold")))
    print_table(
        out,
        [Col("entity", whole=True), Col("rows", whole=True, justify="right")],
        rows,
        title=f"Sample factory {result.start} → {result.end} in {result.out}",
    )
    out.print(
        f"{result.files:,} files, {result.bad_rows} deliberately bad rows "
        f"(listed in _manifest/bad_rows.json), {result.seconds:.1f} s.",
        soft_wrap=True,
    )


@app.command()
def ingest(
    inbox: Annotated[
        Path,
        typer.Argument(help="Inbox folder: <inbox>/<mes|erp|wms|scada>/<entity>/<files>."),
    ],
    warehouse: WarehouseOption = None,
    mapping: Annotated[
        Path | None,
        typer.Option(help="Column mapping file [default: <inbox>/andon_mapping.yaml if present]."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Land every new or changed extract in the warehouse; bad rows go to quarantine.

    Files already landed with the same content are skipped. Exits with code 1 when a file
    was rejected whole (its message names the file and the problem).
    """
    from ingest import ingest_inbox

    if not inbox.is_dir():
        console.print(f"[red]Inbox {inbox} is not a folder.")
        raise typer.Exit(2)
    target = warehouse_path(warehouse)
    with _progress() as progress:
        task = progress.add_task("Ingesting", total=None, detail="")

        def on_file(event) -> None:  # noqa: ANN001 - ingest.FileEvent
            if event.phase == "start":
                progress.update(task, total=event.total, detail=event.file)
            else:
                progress.update(task, completed=event.index)

        with _user_errors():
            report = ingest_inbox(inbox, target, mapping=mapping, on_file=on_file)
    if as_json:
        out.print_json(json.dumps(report.to_dict(), default=str))
    else:
        _print_ingest_summary(report, target)
    if report.rejected:
        raise typer.Exit(1)


def _print_ingest_summary(report, target: Path) -> None:  # noqa: ANN001 - ingest.IngestReport
    totals: dict[str, list[int]] = {}
    for result in report.results:
        row = totals.setdefault(f"{result.system}/{result.entity}", [0, 0, 0, 0, 0, 0])
        row[{"landed": 0, "skipped": 1, "rejected": 2}[result.status]] += 1
        row[3] += result.rows_read
        row[4] += result.rows_landed
        row[5] += result.rows_quarantined
    counts = ("files", "skipped", "rejected", "rows read", "landed", "quarantined")
    print_table(
        out,
        [Col("entity", whole=True), *(Col(c, whole=True, justify="right") for c in counts)],
        [(entity, *(f"{value:,}" for value in row)) for entity, row in sorted(totals.items())],
        title=f"Ingest into {target}",
        box=box.SIMPLE_HEAD,
    )
    for result in report.results:
        if result.status == "rejected":
            out.print(
                f"[red]rejected[/red] {escape(f'{result.file}: {result.message}')}", soft_wrap=True
            )
    quarantined = sum(r.rows_quarantined for r in report.results)
    if quarantined:
        out.print(
            f"[yellow]{quarantined:,} rows quarantined[/yellow] — see ingest.quarantine "
            "(file, row, column, reason, original text).",
            soft_wrap=True,
        )


@app.command()
def status(
    warehouse: WarehouseOption = None,
    sources: SourcesOption = None,
    reports: ReportsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Show what has landed, per source and entity (files, rows, newest time, quarantine), each
    database pull (last pull, failures, watermark) and the pipeline service (running or not,
    each source's last pull, next run and lag, the last build, the next reports)."""
    from app.cli.pipeline import print_pipeline_status
    from app.service.status import pipeline_status
    from ingest import landing_status, pull_status
    from metrics.formatting import NULL

    target = warehouse_path(warehouse)
    if not target.exists():
        console.print(f"[yellow]No warehouse at {target} yet: run `andon ingest INBOX` first.")
        raise typer.Exit(1)
    frame = landing_status(target)
    pulls = pull_status(target)
    if as_json:
        service = pipeline_status(target, sources=sources, reports=reports).to_dict()
        shown = {"entities": frame.to_dicts(), "pulls": pulls.to_dicts(), "pipeline": service}
        out.print_json(json.dumps(shown, default=str))
        return
    rows = []
    for row in frame.iter_rows(named=True):
        newest = (row["newest_event_time"] or NULL)[:16]
        loaded = row["last_loaded_at"].strftime("%Y-%m-%d %H:%M") if row["last_loaded_at"] else NULL
        rows.append(
            (
                f"{row['system']}/{row['entity']}",
                *(f"{row[c]:,}" for c in ("files", "rows", "quarantined_rows", "rejected_files")),
                newest,
                loaded,
            )
        )
    numbers = ("files", "rows", "quarantined", "rejected")
    columns = [
        Col("entity", whole=True),
        *(Col(name, whole=True, justify="right") for name in numbers),
        Col("newest data", whole=True),
        Col("loaded (UTC)", whole=True),
    ]
    print_table(out, columns, rows, title=f"Landed in {target}", box=box.SIMPLE_HEAD)
    if pulls.height:
        _print_pulls(pulls)
    print_pipeline_status(target, sources=sources, reports=reports, to=out)


def _print_pulls(pulls) -> None:  # noqa: ANN001 - polars frame of ingest.pull_status
    from metrics.formatting import NULL

    columns = [
        Col("source/entity", whole=True),
        Col("last pull (UTC)", whole=True),
        Col("status", whole=True),
        Col("landed", whole=True, justify="right"),
        Col("last good (UTC)", whole=True),
        Col("watermark", whole=True),
    ]
    rows = []
    failures = []
    for row in pulls.iter_rows(named=True):
        name = f"{row['source']}/{row['entity']}"
        failed = row["last_status"] == "FAILED"
        if failed:
            failures.append(f"[red]{escape(name)}[/red]: {escape(row['last_message'] or '')}")
        good = row["last_success_at"]
        rows.append(
            (
                name,
                row["last_attempt_at"].strftime("%Y-%m-%d %H:%M"),
                Text(f"failed ×{row['failures_since_success']}", style="red") if failed else "ok",
                f"{row['rows_landed_last'] or 0:,}",
                good.strftime("%Y-%m-%d %H:%M") if good else NULL,
                f"{row['watermark_column']} {row['watermark_high']}"
                if row["watermark_high"]
                else NULL,
            )
        )
    print_table(out, columns, rows, title="Pulled from source databases", box=box.SIMPLE_HEAD)
    for line in failures:
        out.print(line, soft_wrap=True)


DEFAULT_ENGINE = Engine("duckdb")


@app.command()
def build(
    inbox: Annotated[
        Path | None,
        typer.Option(help="Ingest new and changed files from this inbox before building."),
    ] = None,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Rebuild every incremental mart from scratch.")
    ] = False,
    engine: Annotated[
        Engine,
        typer.Option(
            envvar="ANDON_ENGINE",
            help="Where dbt builds the models: duckdb (this machine's warehouse file) or"
            " spark (Apache Spark: a local session, or the cluster in $ANDON_SPARK_MASTER).",
        ),
    ] = DEFAULT_ENGINE,
    warehouse: WarehouseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run the dbt models and tests, then put the new warehouse into service.

    Readers (the app, reports) keep the previous complete version until this build has
    passed every test; a failed build names the model or test that failed and exits 1.
    With --engine spark the same models run on Apache Spark and readers query its marts.
    """
    from app.pipeline import run_pipeline

    target = warehouse_path(warehouse)
    with _progress() as progress:
        task = progress.add_task("Building", total=None, detail="")

        def report(label: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total or None, detail=label[:60])

        def on_file(event) -> None:  # noqa: ANN001 - ingest.FileEvent
            progress.update(
                task,
                description="Ingesting",
                completed=event.index,
                total=event.total,
                detail=event.file,
            )

        with _user_errors():
            result = run_pipeline(
                target,
                inbox=inbox,
                full_refresh=full_refresh,
                progress=report,
                on_ingest_file=on_file,
                engine=engine.value,
            )
    if as_json:
        out.print_json(json.dumps(result.to_dict(), default=str))
    else:
        _print_build_summary(result)
    if not result.passed:
        raise typer.Exit(1)


def _print_build_summary(run) -> None:  # noqa: ANN001 - app.pipeline.PipelineResult
    result = run.build
    if run.ingest is not None:
        landed = sum(r.status == "landed" for r in run.ingest.results)
        out.print(f"Ingest: {landed} new files, {len(run.ingest.rejected)} rejected.")
    tests = result.count("test") + result.count("unit_test")
    out.print(
        f"dbt on {ENGINES[result.engine]}: {result.count('model')} models, {tests} tests, "
        f"{len(result.warnings)} warnings, {len(result.failures)} failures; "
        f"the build took {run.seconds:.1f} s."
    )
    for node in result.warnings:
        out.print(f"[yellow]warn[/yellow] {node.name}: {node.failures:,} rows flagged")
    for node in result.failures:
        out.print(
            f"[red]{node.status}[/red] {node.resource_type} {escape(node.name)}: "
            f"{escape(node.message or '')}",
            soft_wrap=True,
        )
    if result.error:
        out.print(f"[red]{result.error}")
    if result.passed:
        out.print(
            f"[green]Published[/green] {result.published} — readers now see this build.",
            soft_wrap=True,
        )
        kinds = Counter(event["event"] for event in run.alerts)
        if kinds:
            out.print("Alerts: " + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())))
        if run.alert_error:
            out.print(f"[yellow]{run.alert_error}")
    else:
        out.print("[red]Build failed[/red]: readers keep the last published build.")


app.command("pull")(pull)
app.command("query")(query)
app.command("ask", cls=AskCommand)(ask)
app.add_typer(report_app, name="report")
app.command("scheduler")(scheduler)
app.command("pipeline")(pipeline)
app.command("alerts", cls=AlertsCommand)(alerts)
app.command("app")(app_command)
app.add_typer(users_app, name="users")
app.command("audit")(audit_command)
app.command("api")(api_command)
app.add_typer(tokens_app, name="tokens")


def main() -> None:
    """Console-script entry point."""
    sys.exit(app_for(sys.argv[1:])())


def app_for(args: list[str]) -> typer.Typer:
    """The app that runs `andon ARGS`: for one of the app's plain commands (`andon ask …`),
    an `andon` app with that command alone, else the whole app. Typer builds the options of
    every command before it runs one (about 0.1 s for all of them, a tenth of a cold
    `andon ask`); the command parses and runs the same either way."""
    from typer.main import get_command_name

    for info in app.registered_commands:
        name = info.name or get_command_name(info.callback.__name__)
        if args and args[0] == name:
            # the callback keeps it a group (`andon ask …`, not a lone command); it does nothing
            alone = typer.Typer(callback=_no_group_options, **APP_SETTINGS)
            alone.registered_commands.append(info)
            return alone
    return app


def _no_group_options() -> None:
    """`andon` itself takes no options."""


if __name__ == "__main__":
    main()
