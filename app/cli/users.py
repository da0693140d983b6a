"""`andon users …` and `andon audit`: accounts and the audit log, in the state store
beside the warehouse ($ANDON_STATE, else state.sqlite next to the warehouse file).

    andon users add li.wei --role plant_manager --plants SZ [--name "Li Wei"] [--email …]
    andon users list [--json]
    andon users passwd li.wei [--password-stdin]
    andon users grant li.wei --role analyst --plants SZ,DG | --all-plants
    andon users disable li.wei / andon users enable li.wei
    andon users demo            the demo's four users (idempotent; demo passwords)
    andon audit [--since 2026-10-01] [--user li.wei] [--action signin] [--json]

Registered by app/cli/main.py: `app.add_typer(users_app, name="users")`,
`app.command("audit")(audit_command)`. Errors a user can act on exit with code 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from app.cli.options import WarehouseOption

console = Console(stderr=True)
out = Console()
if not out.is_terminal:
    out.width = max(out.width, 132)

users_app = typer.Typer(
    help="Andon's users: add, list, set passwords, grant roles and plants, disable.",
    no_args_is_help=True,
    add_completion=False,
)

ROLES_HELP = "admin, group_viewer, plant_manager, analyst or viewer"

# The demo's accounts: (user name, display name, role, plants, password). Demo only: the
# passwords are printed and in the README, so never keep these users on a real server.
DEMO_USERS = (
    ("admin", "Andon Admin", "admin", None, "andon-demo-admin"),
    ("sz.manager", "Wang Fang (Suzhou)", "plant_manager", ("SZ",), "andon-demo-sz"),
    ("dg.analyst", "Chen Jie (Dongguan)", "analyst", ("DG",), "andon-demo-dg"),
    ("group.viewer", "Li Na (Group)", "group_viewer", None, "andon-demo-group"),
)

PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of standard input (for scripts).",
    ),
]
PlantsOption = Annotated[
    str | None,
    typer.Option("--plants", help="The user's plants, comma-separated: SZ,DG."),
]
AllPlantsOption = Annotated[
    bool, typer.Option("--all-plants", help="Every plant (admins and group viewers always).")
]


@contextmanager
def _account_errors() -> Iterator[None]:
    """Unknown users, roles, plants and refused passwords: a message and exit code 2."""
    from app.accounts import AccountError
    from app.accounts.config import ConfigError

    try:
        yield
    except (AccountError, ConfigError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


def _accounts(warehouse: Path | None):  # noqa: ANN202 - app.accounts.Accounts
    from app.accounts import Accounts

    return Accounts.for_warehouse(warehouse)


def _actor() -> str:
    from app.accounts import cli_actor

    return cli_actor()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            console.print("[red]No password on standard input.[/red]")
            raise typer.Exit(2)
        return password
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def _plants(plants: str | None, all_plants: bool, *, required: bool) -> list[str] | None:
    """None for all plants, else the named plants (exit 2 for both or, when required,
    neither)."""
    if plants is not None and all_plants:
        console.print("[red]Use either --plants or --all-plants, not both.[/red]")
        raise typer.Exit(2)
    if all_plants:
        return None
    if plants is None:
        if required:
            console.print(
                "[red]Say which plants: --plants SZ,DG or --all-plants "
                "(admins and group viewers always see every plant).[/red]"
            )
            raise typer.Exit(2)
        return []
    return [p for p in plants.split(",") if p.strip()]


def _describe_plants(plants: tuple[str, ...] | None) -> str:
    return "all" if plants is None else ",".join(plants) or "none"


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="User name: lower-case letters, digits . _ @ -")],
    role: Annotated[str, typer.Option("--role", "-r", help=f"One of {ROLES_HELP}.")],
    plants: PlantsOption = None,
    all_plants: AllPlantsOption = False,
    name: Annotated[
        str | None, typer.Option("--name", help="Display name [default: the user name].")
    ] = None,
    email: Annotated[
        str | None, typer.Option(help="E-mail (matched for OIDC sign-in, used for reports).")
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            help="The user's language: en, zh or vi [default: their plants' language (by the "
            "plants' country: CN zh, VN vi) when they share one, else en]."
        ),
    ] = None,
    password_stdin: PasswordStdin = False,
    no_password: Annotated[
        bool,
        typer.Option(
            "--no-password", help="No password: the user signs in only through a proxy or OIDC."
        ),
    ] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Create a user; asks for the password twice (not shown) unless --password-stdin.

    Plant managers, analysts and viewers need --plants (or --all-plants); admins and group
    viewers always see every plant. Plants are checked against the warehouse's dim_plant.
    """
    from app.accounts import parse_role

    with _account_errors():
        chosen = parse_role(role)
        needs_plants = chosen.value not in ("admin", "group_viewer")
        scope = _plants(plants, all_plants, required=needs_plants)
        accounts = _accounts(warehouse)
        accounts.check_plants(chosen, scope)  # refuse unknown plants before the prompt
        password = None if no_password else _read_password(password_stdin)
        if lang is None:
            from app.accounts.plants import plants_language
            from metrics.i18n import DEFAULT_LANG
            from warehouse.location import warehouse_path

            lang = plants_language(warehouse_path(warehouse), scope) or DEFAULT_LANG
        user = accounts.add_user(
            username,
            role=chosen,
            plants=scope,
            password=password,
            display_name=name,
            email=email,
            lang=lang,
            actor=_actor(),
        )
    out.print(
        f"Added {user.username} ({user.role.value}, {user.scope.describe()}) "
        f"in {accounts.store.path}."
    )


@users_app.command("list")
def list_users(
    as_json: Annotated[bool, typer.Option("--json", help="Print the users as JSON.")] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Every user: role, plants, whether active and whether a password is set."""
    accounts = _accounts(warehouse)
    rows = accounts.rows()
    if as_json:
        out.print_json(
            json.dumps(
                [
                    {
                        "username": r.username,
                        "name": r.display_name,
                        "role": r.role,
                        "plants": "all" if r.plants is None else list(r.plants),
                        "active": r.active,
                        "password": r.password_hash is not None,
                        "email": r.email,
                        "lang": r.lang,
                    }
                    for r in rows
                ]
            )
        )
        return
    if not rows:
        out.print(f"No users yet in {accounts.store.path}: `andon users add NAME --role admin`.")
        return
    table = Table(title=f"Users in {accounts.store.path}", box=box.SIMPLE_HEAD, padding=(0, 1))
    for column in ("user", "name", "role", "plants", "active", "password", "e-mail", "lang"):
        table.add_column(column, no_wrap=True)
    for r in rows:
        table.add_row(
            r.username,
            escape(r.display_name),
            r.role,
            _describe_plants(r.plants),
            "yes" if r.active else "[red]disabled[/red]",
            "set" if r.password_hash else "none",
            escape(r.email or ""),
            r.lang,
        )
    out.print(table)


@users_app.command("passwd")
def passwd(
    username: Annotated[str, typer.Argument(help="The user whose password to set.")],
    password_stdin: PasswordStdin = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Set a user's password (asked twice, not shown); the user's open sessions end."""
    with _account_errors():
        accounts = _accounts(warehouse)
        row = accounts.require(username)
        password = _read_password(password_stdin)
        accounts.set_password(row.username, password, actor=_actor())
    out.print(f"Password of {row.username} set; their open sessions were ended.")


@users_app.command("grant")
def grant(
    username: Annotated[str, typer.Argument(help="The user to change.")],
    role: Annotated[
        str | None, typer.Option("--role", "-r", help=f"New role: {ROLES_HELP} [default: kept].")
    ] = None,
    plants: PlantsOption = None,
    all_plants: AllPlantsOption = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Set a user's role and plants (--plants SZ,DG or --all-plants).

    Applies from the user's next page view."""
    from app.accounts import parse_role

    with _account_errors():
        accounts = _accounts(warehouse)
        row = accounts.require(username)
        chosen = parse_role(role) if role is not None else parse_role(row.role)
        if plants is None and not all_plants:
            keep = None if row.plants is None else list(row.plants)
            if chosen.value not in ("admin", "group_viewer") and keep is None and role:
                console.print(
                    f"[red]Say which plants the {chosen.value} {row.username} gets: "
                    "--plants SZ,DG or --all-plants.[/red]"
                )
                raise typer.Exit(2)
            scope = keep
        else:
            scope = _plants(plants, all_plants, required=True)
        user = accounts.grant(row.username, role=chosen, plants=scope, actor=_actor())
    out.print(f"{user.username} is now {user.role.value} for {user.scope.describe()}.")


@users_app.command("disable")
def disable(
    username: Annotated[str, typer.Argument(help="The user to disable.")],
    warehouse: WarehouseOption = None,
) -> None:
    """Stop a user from signing in; their open sessions end at once."""
    with _account_errors():
        accounts = _accounts(warehouse)
        row = accounts.require(username)
        accounts.disable(row.username, actor=_actor())
    out.print(f"{row.username} is disabled; their open sessions were ended.")


@users_app.command("enable")
def enable(
    username: Annotated[str, typer.Argument(help="The user to enable again.")],
    warehouse: WarehouseOption = None,
) -> None:
    """Let a disabled user sign in again."""
    with _account_errors():
        accounts = _accounts(warehouse)
        row = accounts.require(username)
        accounts.enable(row.username, actor=_actor())
    out.print(f"{row.username} can sign in again.")


@users_app.command("demo")
def demo(warehouse: WarehouseOption = None) -> None:
    """Create (or reset) the demo's four users with demo passwords. Demo only.

    admin, sz.manager (Suzhou plant manager), dg.analyst (Dongguan analyst) and
    group.viewer; running it again puts them back as they were."""
    with _account_errors():
        accounts = _accounts(warehouse)
        table = Table(
            title="Demo users — demo only: anyone who reads this can sign in",
            box=box.SIMPLE_HEAD,
            padding=(0, 1),
        )
        for column in ("user", "password", "role", "plants", ""):
            table.add_column(column, no_wrap=True)
        for username, display, role, plants, password in DEMO_USERS:
            user, created = accounts.ensure_user(
                username,
                role=role,
                plants=plants,
                password=password,
                display_name=display,
                actor=_actor(),
            )
            table.add_row(
                user.username,
                password,
                user.role.value,
                user.scope.describe(),
                "created" if created else "reset",
            )
    out.print(table)
    out.print(
        "Sign in at http://localhost:8501 with one of these. Remove them before serving "
        "real data: `andon users disable NAME`."
    )


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM)",
            param_hint="--since",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def audit_command(
    since: Annotated[
        str | None,
        typer.Option(help="From this date or time (YYYY-MM-DD[THH:MM], UTC unless an offset)."),
    ] = None,
    user: Annotated[str | None, typer.Option("--user", "-u", help="Only this user.")] = None,
    action: Annotated[
        list[str] | None,
        typer.Option("--action", "-a", help="Only these actions (repeat): signin, download …"),
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows, newest first.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """The audit log, newest first: who did what, when.

    Sign-ins, queries, questions, workbench SQL, downloads, report runs and sends, alert
    acks and account changes."""
    from app.accounts import ACTIONS

    unknown = [a for a in action or [] if a not in ACTIONS]
    if unknown:
        console.print(
            f"[red]Unknown action {', '.join(unknown)}: use one of {', '.join(ACTIONS)}.[/red]"
        )
        raise typer.Exit(2)
    if limit <= 0:
        raise typer.BadParameter("must be greater than 0", param_hint="--limit")
    accounts = _accounts(warehouse)
    entries = accounts.audit_log(
        since=_since(since), username=user, actions=action or None, limit=limit
    )
    if as_json:
        out.print_json(json.dumps([entry.as_dict() for entry in entries], ensure_ascii=False))
        return
    table = Table(title=f"Audit log in {accounts.store.path}", box=box.SIMPLE_HEAD, padding=(0, 1))
    for column in ("at (UTC)", "user", "action", "ok", "detail"):
        table.add_column(column, no_wrap=column != "detail")
    for entry in entries:
        table.add_row(
            entry.at.strftime("%Y-%m-%d %H:%M:%S"),
            entry.username or "-",
            entry.action,
            "yes" if entry.ok else "[red]no[/red]",
            escape(json.dumps(entry.detail, ensure_ascii=False, sort_keys=True)),
        )
    out.print(table)
    if not entries:
        out.print("No audit rows match.")
