"""`andon report …`, `andon scheduler` and `andon alerts`: scheduled KPI reports and alerts.

    andon report list
    andon report run daily_plant_kpis --as-of 2026-10-07 --out /tmp/reports [--send] [--user NAME]
    andon report status
    andon scheduler [--once | --until 2026-10-08T08:00+08:00] [--poll 30]
    andon alerts evaluate [--as-of DATE] | andon alerts list [--user NAME]
    andon alerts ack TOKEN [--by NAME] [--user NAME]

The command line acts as the local operator (audited as cli:<os user>), who sees every plant;
`--user NAME` runs a report or lists and acknowledges alerts with that Andon user's plants
and role instead (audited as that user, via the command line). The scheduler runs the
definitions as written, for the plants each one states.

Registered by app/cli/main.py: `app.add_typer(report_app, name="report")`,
`app.command("scheduler")(scheduler)`, `app.command("alerts", cls=AlertsCommand)(alerts)`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperCommand

from app.cli.options import ReportsOption, WarehouseOption, parse_until
from app.cli.tables import Col, print_table
from warehouse.location import warehouse_path

if TYPE_CHECKING:
    import click

console = Console(stderr=True)
out = Console()  # tables: app/cli/tables.py (ids, tokens, paths and times never cut)

report_app = typer.Typer(
    help="Scheduled KPI reports: list them, render (and send) one now, see what is not sent.",
    no_args_is_help=True,
    add_completion=False,
)

UserOption = Annotated[
    str | None,
    typer.Option(
        "--user",
        show_default=False,
        help="Act with this Andon user's plants and role (see `andon users list`) "
        "[default: the local operator, every plant].",
    ),
]


STATUS_WORDS = {"skipped": "already sent for this period", "given_up": "given up"}


def _say(message: str, style: str | None = None) -> None:
    """A line for the user on stderr, as written: no markup (messages quote the user's own
    text, brackets included) and no wrapping (file:line: key stays one line)."""
    console.print(message, style=style, markup=False, highlight=False, soft_wrap=True)


def _fail(message: str) -> None:
    _say(message, "red")
    raise typer.Exit(1)


def _caller(user: str | None, build_file: Path):  # noqa: ANN202 - app.reports.access.Caller
    """The local operator, or (--user NAME) that active Andon user acting from the CLI."""
    from app.accounts import Accounts, cli_actor
    from app.reports.access import Caller
    from app.reports.state import state_path

    state_file = state_path(build_file)
    if user is None:
        return Caller.operator(state_file)
    found = Accounts(state_file).get(user)
    if found is None or not found.active:
        _fail(f"--user {user!r}: no active Andon user of that name (see `andon users list`).")
    return Caller.signed_in(found, state_file, via=cli_actor())


def _definitions(folder: Path | None, build_file: Path):  # noqa: ANN202 - ReportFiles
    """The folder's report definitions (their plants checked against the warehouse's); each
    refused file is printed (file, line, key) and the others are used."""
    from app.accounts.plants import warehouse_plants
    from app.reports.definitions import read_reports
    from warehouse.config import ConfigError

    try:
        files = read_reports(folder, warehouse_plants(build_file))
    except ConfigError as error:  # the registry itself
        _fail(str(error))
    for refused in files.refused:
        _say(f"Refused, the other reports are used: {refused}", "red")
    return files


@report_app.command("list")
def list_reports(reports: ReportsOption = None, warehouse: WarehouseOption = None) -> None:
    """The report definitions, their schedule, next run and last delivery."""
    from app.reports.runner import run_status
    from app.reports.state import StateStore, state_path

    build_file = warehouse_path(warehouse)
    state = StateStore(state_path(build_file))
    files = _definitions(reports, build_file)
    rows = []
    for report in files.reports.values():
        upcoming = report.next_fire(datetime.now().astimezone())
        upcoming = upcoming.strftime("%Y-%m-%d %H:%M %Z") if upcoming else "—"
        last = state.last_run(report.name)
        cells = (
            report.name,
            report.title["en"],
            ", ".join(report.plants) if report.plants else "all",
            report.period,
            report.burst_per or "—",
            f"{report.cron or '—'} {report.timezone}",
            upcoming,
            f"{last['period']} {run_status(state, last).replace('_', ' ')}" if last else "—",
        )
        rows.append(tuple(map(Text, cells)))
    state.close()
    columns = [
        Col("report", whole=True),
        Col("title"),
        Col("plants"),
        Col("period", whole=True),
        Col("burst", whole=True),
        Col("schedule"),
        Col("next run", whole=True),
        Col("last run"),
    ]
    print_table(out, columns, rows)
    if files.refused:
        raise typer.Exit(1)


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
            help="Deliver to the recipients (once per period; a re-run re-sends what has not "
            "arrived, given-up messages too).",
        ),
    ] = False,
    slice_key: Annotated[
        list[str] | None, typer.Option("--slice", help="Only these burst slices (e.g. --slice SZ).")
    ] = None,
    user: UserOption = None,
    warehouse: WarehouseOption = None,
    reports: ReportsOption = None,
) -> None:
    """Render a report now from the published warehouse (and with --send, deliver it).

    Each copy shows only its plants; with --user, only the copies within that user's plants
    run (one asked for outside them is refused, exit code 1)."""
    from app.accounts.plants import warehouse_plants
    from app.reports.definitions import DefinitionError, load_channels, load_contacts, load_report
    from app.reports.delivery import Deliverer
    from app.reports.runner import default_out_dir, run_report
    from app.reports.state import StateStore, state_path
    from warehouse.connections import NotPublished, connect_published

    build_file = warehouse_path(warehouse)
    caller = _caller(user, build_file)
    try:
        report = load_report(name, reports, warehouse_plants(build_file))
        channels = load_channels(reports) if send else {}
        contacts = load_contacts(reports) if send else None
    except DefinitionError as error:
        _fail(str(error))
    try:
        day = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        _fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD).")
    try:
        con = connect_published(build_file)
    except NotPublished as error:
        _fail(str(error))
    state = StateStore(state_path(build_file)) if send else None
    deliverer = Deliverer(channels, state) if state else None
    try:
        results = run_report(
            report,
            day,
            con,
            out_dir or default_out_dir(build_file),
            caller=caller,
            send=send,
            state=state,
            deliverer=deliverer,
            contacts=contacts,
            slices=slice_key,
            resend=True,
        )
    finally:
        con.close()
        if state:
            state.close()
    rows = []
    for result in results:
        notes = [*result.failures, *(f"not sent: {n}" for n in result.not_sent)]
        notes += [f"not sent to user {refusal}" for refusal in result.withheld]
        rows.append(
            (
                Text(result.slice_key),
                Text(result.lang),
                Text(result.period),
                Text("\n".join([STATUS_WORDS.get(result.status, result.status), *notes])),
                Text("\n".join(str(f) for f in result.files)),
            )
        )
    columns = [
        Col("slice", whole=True),
        Col("lang", whole=True),
        Col("period", whole=True),
        Col("status"),
        Col("files", whole=True),
    ]
    print_table(out, columns, rows)
    for result in results:
        if result.refusal is not None:
            _say(f"Refused: {result.refusal}", "red")
    if any(r.status == "retrying" for r in results):
        console.print(
            "Not everything arrived: `andon scheduler` keeps retrying until the deadline "
            "(see `andon report status`)."
        )
    if any(r.status in ("retrying", "given_up") for r in results):
        raise typer.Exit(2)
    if any(r.status == "refused" for r in results):
        raise typer.Exit(1)


@report_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    warehouse: WarehouseOption = None,
    reports: ReportsOption = None,
) -> None:
    """What has not been delivered: messages waiting, retrying or given up (with the reason),
    scheduled runs that failed, refused definitions, and how each channel is configured."""
    import json

    from app.reports.definitions import DefinitionError, load_channels
    from app.reports.delivery import Deliverer
    from app.reports.state import StateStore, state_path

    build_file = warehouse_path(warehouse)
    files = _definitions(reports, build_file)
    state = StateStore(state_path(build_file))
    try:
        try:
            deliverer = Deliverer(load_channels(reports), state)
        except DefinitionError as error:
            _fail(str(error))
        unsent = [row.as_dict() for row in state.unsent()]
        fires = state.failed_fires()
    finally:
        state.close()
    channels = deliverer.describe()
    if as_json:
        payload = {
            "deliveries": unsent,
            "fires": fires,
            "refused": [str(error) for error in files.refused],
            "channels": dict(channels),
        }
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return
    columns = [Col("channel", whole=True), Col("configured as", whole=True)]
    print_table(out, columns, [tuple(map(Text, row)) for row in channels], title="Channels")
    if not unsent:
        out.print("Every queued message was sent.")
    else:
        columns = [
            Col("id", whole=True, justify="right"),
            Col("what"),
            Col("channel", whole=True),
            Col("to", whole=True),
            Col("status", whole=True),
            Col("attempts", whole=True, justify="right"),
            Col("next attempt", whole=True),
            Col("deadline", whole=True),
            Col("last error"),
        ]
        rows = []
        for row in unsent:
            waiting = row["status"] in ("pending", "sending", "retrying")
            cells = (
                str(row["id"]),
                row["label"],
                row["channel"],
                row["target"],
                row["status"].replace("_", " "),
                str(row["attempts"]),
                row["next_attempt_at"] if waiting else "—",
                row["deadline"],
                row["last_error"] or "",
            )
            rows.append(tuple(map(Text, cells)))
        print_table(out, columns, rows, title="Messages not sent")
    if fires:
        columns = [
            Col("report", whole=True),
            Col("fire", whole=True),
            Col("status", whole=True),
            Col("attempts", whole=True, justify="right"),
            Col("next attempt", whole=True),
            Col("deadline", whole=True),
            Col("error"),
        ]
        rows = []
        for row in fires:
            cells = (
                row["report"],
                row["fire"],
                row["status"].replace("_", " "),
                str(row["attempts"]),
                row["next_attempt_at"] if row["status"] == "retrying" else "—",
                row["deadline"],
                row["last_error"] or "",
            )
            rows.append(tuple(map(Text, cells)))
        print_table(out, columns, rows, title="Scheduled runs that failed")


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
    stop = parse_until(until)
    state = StateStore(state_path(build_file))
    runner = Scheduler(
        build_file,
        state,
        out_dir or default_out_dir(build_file),
        reports,
        log=_say,
    )
    try:
        runner.serve(until=stop, once=once, poll_s=poll)
    except KeyboardInterrupt:
        console.print("scheduler stopped")
    finally:
        state.close()


class AlertsCommand(TyperCommand):
    """`andon alerts`: an ack token that starts with "-" (tokens made before Andon used hex
    ones, 1 in 64) is taken as the token, not as an option: `andon alerts ack -abc` and
    `andon alerts ack -- -abc` both work."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args = list(args)
        if len(args) >= 2 and args[0] == "ack" and args[1].startswith("-") and args[1] != "--":
            names = {name for param in self.params for name in param.opts + param.secondary_opts}
            if args[1].split("=", 1)[0] not in names:
                token = args.pop(1)
                args += ["--", token] if "--" not in args else [token]
        return super().parse_args(ctx, args)


class AlertAction(StrEnum):
    evaluate = "evaluate"
    list = "list"
    ack = "ack"


def alerts(
    action: Annotated[AlertAction, typer.Argument(help="evaluate | list | ack")] = AlertAction.list,
    token: Annotated[str | None, typer.Argument(help="Ack token (for ack).")] = None,
    by: Annotated[
        str,
        typer.Option(
            "--by", help="Who acknowledges [default: --user, else the operator, cli:<os user>]."
        ),
    ] = "",
    user: UserOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Judge the period ending before this date [default: the as-of date, the "
            "newest data day].",
        ),
    ] = None,
    history: Annotated[bool, typer.Option("--history", help="List the alert history.")] = False,
    warehouse: WarehouseOption = None,
    reports: ReportsOption = None,
) -> None:
    """Alert rules: evaluate them now (for every plant), list open alerts (or --history), or
    acknowledge one; with --user, only that user's plants' alerts, acknowledged if their
    role may."""
    from app.reports.access import Refused
    from app.reports.alerts import acknowledge, alert_history, evaluate_alerts, open_alerts
    from app.reports.state import StateStore, state_path
    from warehouse.config import ConfigError

    build_file = warehouse_path(warehouse)
    if action is AlertAction.evaluate:
        day = date.fromisoformat(as_of) if as_of else None
        try:
            events = evaluate_alerts(build_file, day, folder=reports)
        except ConfigError as error:
            _fail(str(error))
        for event in events:
            line = (
                f"{event['event']:<10} {event['rule']} {event['entity']}: "
                f"{event['message']} → {event['contact'] or '—'}"
            )
            out.print(Text(line), soft_wrap=True)
        if not events:
            out.print("No alert changes.")
        return
    caller = _caller(user, build_file)
    state = StateStore(state_path(build_file))
    try:
        if action is AlertAction.ack:
            if not token:
                _fail("Give the alert's ack token: andon alerts ack TOKEN")
            try:
                alert = acknowledge(state, token, caller, by)
            except Refused as error:
                _fail(str(error))
            out.print(Text(f"Acknowledged {alert['rule']} {alert['entity']}."), soft_wrap=True)
            return
        if history:
            columns = [
                Col("at", whole=True),
                Col("rule", whole=True),
                Col("entity", whole=True),
                Col("event", whole=True),
                Col("message"),
                Col("contact"),
            ]
            rows = [
                tuple(
                    Text(cell or "")
                    for cell in (
                        row["at"],
                        row["rule"],
                        row["entity"],
                        row["event"],
                        row["message"],
                        row["contact"],
                    )
                )
                for row in alert_history(state, caller.scope)
            ]
        else:
            columns = [
                Col("opened", whole=True),
                Col("rule", whole=True),
                Col("entity", whole=True),
                Col("period", whole=True),
                Col("message"),
                Col("level", whole=True, justify="right"),
                Col("acked"),
                Col("token", whole=True),
            ]
            rows = [
                tuple(
                    Text(cell or "")
                    for cell in (
                        row["opened_at"],
                        row["rule"],
                        row["entity"],
                        row["period"],
                        row["message"],
                        str(row["level"]),
                        row["acked_by"] or ("yes" if row["acked_at"] else "no"),
                        row["token"],
                    )
                )
                for row in open_alerts(state, caller.scope)
            ]
        print_table(out, columns, rows)
    finally:
        state.close()
