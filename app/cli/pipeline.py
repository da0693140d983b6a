"""`andon pipeline`: the pipeline as one long-lived process (app/service), and its status.

    andon pipeline                      serve until stopped (SIGTERM / Ctrl+C)
    andon pipeline --once               one tick: what is due, then exit (1 if something failed)
    andon pipeline --until 2026-10-08T08:00+08:00 --poll 10
    andon pipeline --status [--json]    the service, each source, the last build, next reports

Registered by app/cli/main.py: `app.command("pipeline")(pipeline)`. `andon status` shows the
same status through `print_pipeline_status` (and `pipeline_status(...).to_dict()` for JSON).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.text import Text

from app.cli.options import ReportsOption, SourcesOption, WarehouseOption, parse_until
from app.cli.tables import Col, print_table
from warehouse.location import warehouse_path

console = Console(stderr=True)
out = Console()  # tables: app/cli/tables.py (ids, paths and times never cut)

NONE = "—"


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else NONE


def _log(line: str) -> None:
    """One line per event, time-stamped (UTC), on stderr (the journal, under systemd)."""
    lower = line.lower()
    style = None
    if "failed" in lower or "refused" in lower or "not a folder" in lower:
        style = "red"
    elif "busy" in lower or "no schedule" in lower or "polling" in lower:
        style = "yellow"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    console.print(f"{stamp} {line}", style=style, markup=False, highlight=False, soft_wrap=True)


def service_line(service) -> Text:  # noqa: ANN001 - app.service.heartbeat.ServiceState
    """ "running (pid 123, last tick 20 s ago)" or "not running since …"."""
    from app.service.status import format_duration

    now = datetime.now(UTC)
    if service.state == "running":
        tick = (
            f"last tick {format_duration((now - service.last_tick_at).total_seconds())} ago"
            f" ({service.last_tick_result})"
            if service.last_tick_at
            else "first tick running"
        )
        text = Text.assemble(("running", "green"), f" (pid {service.pid}, {tick})")
        if service.step:
            since = format_duration((now - service.step_since).total_seconds())
            text.append(f"; now {service.step} for {since}")
        return text
    if service.state == "never":
        return Text.assemble(
            ("not running", "yellow"),
            " — never started on this warehouse: run `andon pipeline` "
            "(deploy/andon-pipeline.service runs it under systemd)",
        )
    why = "stopped" if service.state == "stopped" else "ended without stopping: killed or crashed"
    return Text.assemble(
        ("not running", "red"), f" since {_when(service.since)} UTC ({why}, pid {service.pid})"
    )


def print_pipeline_status(
    build_file: Path,
    *,
    sources: Path | None = None,
    reports: Path | None = None,
    to: Console | None = None,
) -> None:
    """The pipeline part of `andon status`: the service, each source (schedule, last pull,
    next run, lag, what failed), the last build and the next reports."""
    from app.service.status import format_duration, pipeline_status

    to = to or out
    status = pipeline_status(build_file, sources=sources, reports=reports, live=True)
    to.print(
        Text.assemble(("Pipeline service: ", "bold"), service_line(status.service)), soft_wrap=True
    )
    if status.sources_error:
        to.print(Text(f"Sources: {status.sources_error}", style="yellow"), soft_wrap=True)
    if status.sources:
        columns = [
            Col(heading, whole=True, justify="right" if heading == "rows" else "left")
            for heading in (
                "source",
                "kind",
                "where",
                "schedule",
                "last pull (UTC)",
                "status",
                "rows",
                "next run (UTC)",
                "lag",
            )
        ]
        rows = []
        problems = []
        for source in status.sources:
            schedule = f"{source.schedule} {source.timezone}" if source.schedule else NONE
            if source.watch:
                schedule = "watched" + (f"; {schedule}" if source.schedule else "")
            state = source.last_status or "never"
            colour = {"ok": "green", "partial": "yellow", "failed": "red"}.get(state, "yellow")
            upcoming = _when(source.next_run)
            if source.overdue:
                upcoming = Text(f"{upcoming} overdue", style="red")
            elif source.next_run is None:
                upcoming = "as files arrive" if source.watch else "on demand"
            rows.append(
                (
                    Text(source.name),
                    Text(source.kind),
                    Text(source.where),
                    Text(schedule),
                    _when(source.last_attempt_at),
                    Text(state, style=colour),
                    f"{source.rows_landed:,}" if source.rows_landed is not None else NONE,
                    upcoming,
                    format_duration(source.lag_s) if source.lag_s is not None else "never",
                )
            )
            if source.message:
                problems.append((source.name, source.message))
        title = f"Sources ({status.sources_file})"
        print_table(to, columns, rows, title=title, box=box.SIMPLE_HEAD)
        for name, message in problems:
            to.print(Text.assemble((name, "red"), f": {message}"), soft_wrap=True)
    build = status.build
    if build is None:
        to.print(Text.assemble(("Build: ", "bold"), "none yet"))
    else:
        colour = {"passed": "green", "failed": "red"}.get(build.status, "yellow")
        line = Text.assemble(
            ("Build: ", "bold"),
            (build.status, colour),
            f" {_when(build.finished_at or build.started_at)} UTC",
            f" ({build.build_id})" if build.build_id else "",
            f" by {build.by}" if build.by != "pipeline" else "",
        )
        if build.status == "failed" and build.message:
            line.append(f": {build.message}")
        if build.pending and build.retry_at:
            line.append(f"; retried at {_when(build.retry_at)} UTC or when new data lands")
        elif build.pending:
            line.append("; new data waits for the next build")
        to.print(line, soft_wrap=True)
    if status.reports:
        upcoming = ", ".join(
            f"{item['report']} {_when(item['next_fire'])} UTC" for item in status.reports[:3]
        )
        to.print(Text.assemble(("Next reports: ", "bold"), upcoming), soft_wrap=True)
    if status.read not in ("live", "none"):
        to.print(Text(f"(warehouse figures from the {status.read} copy)", style="dim"))


def pipeline(
    once: Annotated[
        bool,
        typer.Option(
            "--once",
            help="One tick — pull what is due, land settled files, build if data landed, "
            "reports — then exit (code 1 when something failed).",
        ),
    ] = False,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Stop after this ISO date-time.", show_default=False),
    ] = None,
    poll: Annotated[
        float,
        typer.Option(
            "--poll",
            help="Seconds between ticks; a watched inbox's new files land sooner.",
            min=0.1,
        ),
    ] = 30.0,
    settle: Annotated[
        float,
        typer.Option(
            "--settle",
            help="Seconds a new file must stay unchanged before it lands (never half-written).",
            min=0.0,
        ),
    ] = 3.0,
    events: Annotated[
        bool,
        typer.Option(
            "--events/--no-events",
            help="Wake on file events in watched inboxes (watchdog); --no-events: polling only.",
        ),
    ] = True,
    show_status: Annotated[
        bool, typer.Option("--status", help="Print the pipeline's status and exit.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="With --status: print JSON.")] = False,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Report output folder.", show_default=False),
    ] = None,
    sources: SourcesOption = None,
    warehouse: WarehouseOption = None,
    reports: ReportsOption = None,
) -> None:
    """Keep the warehouse fresh by itself: pull each source on its own cron, land new files
    in watched inboxes, build and publish when data landed, send due reports and alerts.

    One long-lived process, restart-safe: a crash mid-step resumes cleanly at the next start
    (no double loads, no double sends). SIGTERM or Ctrl+C stops after the current step; a
    second one abandons it. Run it as a service with deploy/andon-pipeline.service.
    """
    from app.reports.state import StateStore, state_path
    from app.service.heartbeat import AlreadyRunning
    from app.service.service import PipelineService, install_signal_handlers

    build_file = warehouse_path(warehouse)
    if show_status or as_json:
        if as_json:
            from app.service.status import pipeline_status

            status = pipeline_status(build_file, sources=sources, reports=reports)
            out.print_json(json.dumps(status.to_dict(), default=str))
        else:
            print_pipeline_status(build_file, sources=sources, reports=reports)
        return
    stop = parse_until(until)
    state = StateStore(state_path(build_file))
    service = PipelineService(
        build_file,
        state,
        sources_file=sources,
        reports=reports,
        out_dir=out_dir,
        poll_s=poll,
        settle_s=settle,
        watch_events=events,
        log=_log,
    )
    install_signal_handlers(service)
    try:
        result = service.serve(until=stop, once=once)
    except AlreadyRunning as error:
        console.print(f"[red]{error}")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        result = None
    finally:
        state.close()
    if once and result is not None and not result.ok:
        raise typer.Exit(1)
