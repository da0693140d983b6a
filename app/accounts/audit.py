"""`audit(actor, action, detail)`: one line for any surface to record what someone did.

    from app.accounts import audit
    audit(user, "report_run", {"report": "daily_plant_kpis", "slice": "SZ", "period": "…"})

`actor` is a User, a user name, `cli_actor()` for the command line or "scheduler"; the
row goes to the audit log of the state store beside the warehouse (or $ANDON_STATE).
Actions in use (the admin page lists them, `andon audit --action` filters them):"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from app.accounts.users import User

ACTIONS: dict[str, str] = {
    "signin": "signed in (detail: method, from)",
    "signin_failed": "a sign-in that failed (detail: attempted name, reason)",
    "signout": "signed out",
    "session_end": "a session ended by itself (detail: reason idle | expired | disabled)",
    "query": "a governed metrics query (detail: metrics, by, where, period)",
    "ask": "a question asked in plain words (detail: question, answered)",
    "workbench_sql": "SQL run in the workbench (detail: sql, rows, error)",
    "download": "a table or chart downloaded (detail: name, format, rows, page)",
    "report_run": "a report rendered (detail: report, period, copies, status, formats; "
    "refused: the reasons)",
    "report_send": "a report sent (detail: report, period, copies, status, channels, "
    "recipients, withheld; refused: the reasons)",
    "alert_ack": "an alert acknowledged (detail: token, rule, entity, plant, by; refused: "
    "unknown_token | outside_scope | not_allowed)",
    "user_add": "an account created (detail: user, role, plants)",
    "user_grant": "an account's role or plants changed (detail: user, role, plants)",
    "user_passwd": "an account's password set",
    "user_disable": "an account disabled (its sessions end)",
    "user_enable": "an account enabled again",
    "user_profile": "an account's name, e-mail or language changed",
    "api_call": "an HTTP API call other than a query or question (detail: path, token, status)",
    "token_create": "a personal API token made (detail: user, token id, name)",
    "token_revoke": "a personal API token revoked (detail: user, token id)",
}


def cli_actor() -> str:
    """Who runs a command line: "cli:<operating-system user>"."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"cli:{name}"


def audit(
    actor: User | str | None,
    action: str,
    detail: dict[str, Any] | None = None,
    *,
    ok: bool = True,
    warehouse: Path | str | None = None,
) -> int:
    """Appends one row to the audit log; returns its id."""
    from app.accounts.service import Accounts

    return Accounts.for_warehouse(warehouse, known_plants=lambda: None).audit(
        actor, action, detail, ok=ok
    )
