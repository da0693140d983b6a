"""`andon tokens …`: personal API tokens for the HTTP API (`andon api`), in the state store.

    andon tokens create --user sz.manager --name "MES dashboard" [--expires-days 90] [--quiet]
    andon tokens list [--user NAME] [--all] [--json]
    andon tokens revoke ID

The token is printed once, when it is made; the store keeps only its SHA-256. It carries
its user's role and plants at every call. The command line acts as the local operator, who
may make and revoke anyone's tokens (in the app's terms, an admin). Registered by
app/cli/main.py: `app.add_typer(tokens_app, name="tokens")`. Errors exit with code 2.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from app.cli.options import WarehouseOption
from app.cli.tables import Col, print_table

console = Console(stderr=True)
out = Console()  # tables: app/cli/tables.py (ids, paths and times never cut)

tokens_app = typer.Typer(
    help="Personal API tokens for `andon api`: create (shown once), list, revoke.",
    no_args_is_help=True,
    add_completion=False,
)


def _stores(warehouse):  # type: ignore[no-untyped-def]
    from app.accounts import Accounts
    from app.accounts.tokens import ApiTokens
    from warehouse.location import state_path, warehouse_path

    build_file = warehouse_path(warehouse)
    return Accounts.for_warehouse(build_file), ApiTokens(state_path(build_file))


def _fail(message: str) -> None:
    console.print(f"[red]{escape(message)}[/red]")
    raise typer.Exit(2)


@tokens_app.command("create")
def create(
    user: Annotated[str, typer.Option("--user", "-u", help="The Andon user the token acts as.")],
    name: Annotated[
        str, typer.Option("--name", "-n", help="What uses it, e.g. 'MES dashboard'.")
    ] = "api",
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", help="Days until it expires (default: never).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the token.")] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Make a token for USER and print it once (it cannot be shown again)."""
    from app.accounts import AccountError, cli_actor
    from app.accounts.tokens import TokenError

    accounts, tokens = _stores(warehouse)
    try:
        row = accounts.require(user)
    except AccountError as error:
        _fail(str(error))
    if not row.active:
        _fail(f"{row.username} is disabled: `andon users enable {row.username}` first.")
    expires = timedelta(days=expires_days) if expires_days is not None else None
    try:
        made = tokens.create(row.username, name=name, actor=cli_actor(), expires_in=expires)
    except TokenError as error:
        _fail(str(error))
    accounts.audit(
        cli_actor(),
        "token_create",
        {"user": row.username, "token": made.info.id, "name": made.info.name},
    )
    if quiet:
        print(made.token)
        return
    out.print(f"API token {made.info.id} for {row.username} ({made.info.name}):", soft_wrap=True)
    print(made.token)
    console.print(
        "Keep it now: it is shown this once. Send it as `Authorization: Bearer <token>`; "
        f"revoke it with `andon tokens revoke {made.info.id}`.",
        soft_wrap=True,
    )


@tokens_app.command("list")
def list_tokens(
    user: Annotated[str | None, typer.Option("--user", "-u", help="Only this user's.")] = None,
    include_revoked: Annotated[bool, typer.Option("--all", help="Revoked tokens too.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """The tokens (never their text): id, user, name, made, last used, expires, revoked."""
    _, tokens = _stores(warehouse)
    rows = [t.as_dict() for t in tokens.list(user, include_revoked=include_revoked)]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        out.print("No API tokens.")
        return
    columns = [
        Col("id", whole=True),
        Col("user", whole=True),
        Col("name"),
        *(Col(heading, whole=True) for heading in ("created", "last used", "expires", "revoked")),
    ]
    cells = [
        (
            Text(row["id"]),
            Text(row["user"]),
            Text(row["name"]),
            row["created_at"],
            row["last_used_at"] or "never",
            row["expires_at"] or "never",
            row["revoked_at"] or "",
        )
        for row in rows
    ]
    print_table(out, columns, cells, box=box.SIMPLE)


@tokens_app.command("revoke")
def revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (`andon tokens list`).")],
    warehouse: WarehouseOption = None,
) -> None:
    """Revoke a token for good: calls with it get 401 from now on."""
    from app.accounts import cli_actor
    from app.accounts.tokens import TokenError

    accounts, tokens = _stores(warehouse)
    try:
        found = tokens.revoke(token_id.strip(), actor=cli_actor())
    except TokenError as error:
        _fail(str(error))
    accounts.audit(cli_actor(), "token_revoke", {"user": found.username, "token": found.id})
    out.print(f"Revoked API token {found.id} of {found.username} ({found.name}).", soft_wrap=True)
