"""Roles and the one permission table: who may do what, and within which plants.

A user's plants are a `Scope` (metrics.scope); admins and group viewers always see every
plant. `can(user, action)` is the only place that answers "may this user do that"; every
surface (app pages, CLI, reports, alerts) asks it."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from app.accounts.errors import AccountError

if TYPE_CHECKING:
    from app.accounts.users import User


class Role(StrEnum):
    ADMIN = "admin"
    GROUP_VIEWER = "group_viewer"
    PLANT_MANAGER = "plant_manager"
    ANALYST = "analyst"
    VIEWER = "viewer"


class Action(StrEnum):
    READ = "read"  # dashboards, Ask, the reports page (within the user's plants)
    DOWNLOAD = "download"  # CSV / Excel downloads of tables and charts
    WORKBENCH = "workbench"  # the SQL workbench
    RUN_REPORT = "run_report"  # render a report now (and send it)
    RECEIVE_REPORT = "receive_report"  # be a report's recipient
    ACK_ALERT = "ack_alert"  # acknowledge an alert of one of the user's plants
    ADMIN = "admin"  # users, report definitions, the audit log


# The permission table, as data: role -> the actions it may take. Every action except
# `admin` applies only within the user's plants.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.GROUP_VIEWER: frozenset({Action.READ}),
    Role.PLANT_MANAGER: frozenset(
        {Action.READ, Action.RUN_REPORT, Action.RECEIVE_REPORT, Action.ACK_ALERT}
    ),
    Role.ANALYST: frozenset({Action.READ, Action.DOWNLOAD, Action.WORKBENCH}),
    Role.VIEWER: frozenset({Action.READ}),
}

# Roles whose scope is every plant, whatever plants were granted.
ALL_PLANT_ROLES = frozenset({Role.ADMIN, Role.GROUP_VIEWER})


def parse_role(text: str) -> Role:
    """A role from its name ("plant_manager", "plant-manager", "Plant Manager")."""
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return Role(key)
    except ValueError:
        names = ", ".join(role.value for role in Role)
        raise AccountError("account_unknown_role", role=text, roles=names) from None


def can(user: User | None, action: Action | str, plant: str | None = None) -> bool:
    """Whether `user` may take `action` — for one plant when `plant` is given, else at all
    (on at least one plant). Nobody signed in, or a disabled user, may do nothing."""
    if user is None or not user.active:
        return False
    if Action(action) not in PERMISSIONS[user.role]:
        return False
    if Action(action) is Action.ADMIN:
        return True
    scope = user.scope
    if plant is None:
        return not scope.is_empty
    return scope.allows(plant)
