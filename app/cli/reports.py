"""`andon report …`, `andon scheduler` and `andon alerts`: scheduled KPI reports and alerts.

    andon report list
    andon report run daily_plant_kpis --as-of 2026-10-07 --out /tmp/reports [--send]
    andon scheduler [--once | --until 2026-10-08T08:00+08:00] [--poll 30]
    andon alerts evaluate [--as-of DATE] | andon alerts list | andon alerts ack TOKEN --by NAME

Registered by app/cli/main.py: `app.add_typer(report_app, name="report")`,
`app.command("scheduler")(scheduler)`, `app.command("alerts")(alerts)`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.cli.options import WarehouseOption
from warehouse.location import warehouse_path

console = Console(stderr=True)
out = Console()

report_app = typer.Typer(
    help="Scheduled KPI reports: list them, or render (and send) one now.",
    no_args_is_help=True,
    add_completion=False,
)

ReportsOption = Annotated[
    Path | None,
    typer.Option(
        "--reports",
        show_default=False,
        help="Folder of report/alert YAML [default: $ANDON_REPORTS or reports/].",
    ),
]


def _fail(message: str) -> None:
    console.print(f"[red]{message}[/red]")
    raise typer.Exit(1)


def _definitions(folder: Path | None):  # noqa: ANN202 - dict[str, Report]
    from app.reports.definitions import DefinitionError, load_reports

    try:
        return load_reports(folder)
    except DefinitionError as error:
        _fail(str(error))


@report_app.command("list")
def list_reports(reports: ReportsOption = None, warehouse: WarehouseOption = None) -> None:
    """The report definitions, their schedule, next run and last delivery."""
    from zoneinfo import ZoneInfo

    from croniter import croniter

    from app.reports.state import StateStore, state_path

    state = StateStore(state_path(warehouse_path(warehouse)))
    table = Table()
    table.add_column("report", no_wrap=True)
    for heading in ("title", "period", "burst", "schedule", "next run", "last run"):
        table.add_column(heading, overflow="fold")
    for report in _definitions(reports).values():
        upcoming = "—"
        if report.cron:
            zone = ZoneInfo(report.timezone)
            upcoming = croniter(report.cron, datetime.now(zone)).get_next(datetime)
            upcoming = upcoming.strftime("%Y-%m-%d %H:%M %Z")
        last = state.rows(
            "select period, status from runs where report=? order by id desc limit 1",
            (report.name,),
        )
        table.add_row(
            report.name,
            report.title["en"],
            report.period,
            report.burst_per or "—",
            f"{report.cron or '—'} {report.timezone}",
            upcoming,
            f"{last[0]['period']} {last[0]['status']}" if last else "—",
        )
    state.close()
    out.print(table)


@report_app.command("run")
def run(
    name: Annotated[str, typer.Argument(help="Report name (see `andon report list`).")],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Run as if on this date (YYYY-MM-DD) [default: today]."),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder [default: report_output beside the warehouse]."),
    ] = None,
    send: Annotated[
        bool,
        typer.Option(
            "--send/--no-send",
            help="Deliver to the recipients (once per period; a re-run retries failures).",
        ),
    ] = False,
    slice_key: Annotated[
        list[str] | None, typer.Option("--slice", help="Only these burst slices (e.g. --slice SZ).")
    ] = None,
    warehouse: WarehouseOption = None,
    reports: ReportsOption = None,
) -> None:
    """Render a report now from the published warehouse (and with --send, deliver it)."""
    from app.reports.definitions import load_channels
    from app.reports.delivery import Deliverer
    from app.reports.runner import default_out_dir, run_report
    from app.reports.state import StateStore, state_path
    from warehouse.connections import NotPublished, connect_published

    definitions = _definitions(reports)
    if name not in definitions:
        _fail(f"No report named {name!r} (known: {', '.join(definitions) or 'none'}).")
    build_file = warehouse_path(warehouse)
    try:
        day = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        _fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD).")
    try:
        con = connect_published(build_file)
    except NotPublished as error:
        _fail(str(error))
    state = StateStore(state_path(build_file)) if send else None
    deliverer = Deliverer(load_channels(reports), state) if state else None
    try:
        results = run_report(
            definitions[name],
            day,
            con,
            out_dir or default_out_dir(build_file),
            send=send,
            state=state,
            deliverer=deliverer,
            slices=slice_key,
        )
    finally:
        con.close()
        if state:
            state.close()
    table = Table("slice", "lang", "period", "status", "files")
    for result in results:
        status = result.status + (f": {'; '.join(result.failures)}" if result.failures else "")
        table.add_row(
            result.slice_key,
            result.lang,
            result.period,
            status,
            "\n".join(str(f) for f in result.files),
        )
    out.print(table)
    if any(r.status == "failed" for r in results):
        raise typer.Exit(2)


def scheduler(
    once: Annotated[bool, typer.Option("--once", help="Run one tick and exit.")] = False,
    until: Annotated[str | None, typer.Option("--until", help="Stop after this ISO time.")] = None,
    poll: Annotated[float, typer.Option("--poll", help="Seconds between ticks.")] = 30.0,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder.")] = None,
    warehouse: WarehouseOption = None,
    reports: ReportsOption = None,
) -> None:
    """Run the report schedules (cron + time zone each), catching up missed runs; alerts too."""
    from app.reports.runner import default_out_dir
    from app.reports.scheduler import Scheduler
    from app.reports.state import StateStore, state_path

    build_file = warehouse_path(warehouse)
    stop = None
    if until:
        try:
            stop = datetime.fromisoformat(until)
        except ValueError:
            _fail(f"--until {until!r} is not an ISO date-time.")
        if stop.tzinfo is None:
            stop = stop.astimezone()
    _definitions(reports)
    state = StateStore(state_path(build_file))
    runner = Scheduler(
        build_file,
        state,
        out_dir or default_out_dir(build_file),
        reports,
        log=lambda line: console.print(line),
    )
    try:
        runner.serve(until=stop, once=once, poll_s=poll)
    except KeyboardInterrupt:
        console.print("scheduler stopped")
    finally:
        state.close()


class AlertAction(StrEnum):
    evaluate = "evaluate"
    list = "list"
    ack = "ack"


def alerts(
    action: Annotated[AlertAction, typer.Argument(help="evaluate | list | ack")] = AlertAction.list,
    token: Annotated[str | None, typer.Argument(help="Ack token (for ack).")] = None,
    by: Annotated[str, typer.Option("--by", help="Who acknowledges.")] = "",
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Evaluate as if on this date [default: the day after the newest data]."
        ),
    ] = None,
    history: Annotated[bool, typer.Option("--history", help="List the alert history.")] = False,
    warehouse: WarehouseOption = None,
    reports: ReportsOption = None,
) -> None:
    """Alert rules: evaluate them now, list open alerts (or --history), or acknowledge one."""
    from app.reports.alerts import acknowledge, evaluate_alerts
    from app.reports.state import StateStore, state_path

    build_file = warehouse_path(warehouse)
    if action is AlertAction.evaluate:
        day = date.fromisoformat(as_of) if as_of else None
        events = evaluate_alerts(build_file, day, folder=reports)
        for event in events:
            out.print(
                f"{event['event']:<10} {event['rule']} {event['entity']}: "
                f"{event['message']} → {event['contact'] or '—'}"
            )
        if not events:
            out.print("No alert changes.")
        return
    state = StateStore(state_path(build_file))
    try:
        if action is AlertAction.ack:
            if not token:
                _fail("Give the alert's ack token: andon alerts ack TOKEN")
            try:
                alert = acknowledge(state, token, by)
            except KeyError as error:
                _fail(str(error.args[0]))
            out.print(f"Acknowledged {alert['rule']} {alert['entity']}.")
            return
        if history:
            table = Table("at", "rule", "entity", "event", "message", "contact")
            for row in state.history():
                table.add_row(
                    row["at"],
                    row["rule"],
                    row["entity"],
                    row["event"],
                    row["message"] or "",
                    row["contact"] or "",
                )
        else:
            table = Table(
                "opened", "rule", "entity", "period", "message", "level", "acked", "token"
            )
            for row in state.open_alerts():
                table.add_row(
                    row["opened_at"],
                    row["rule"],
                    row["entity"],
                    row["period"] or "",
                    row["message"] or "",
                    str(row["level"]),
                    row["acked_by"] or ("yes" if row["acked_at"] else "no"),
                    row["token"],
                )
        out.print(table)
    finally:
        state.close()
