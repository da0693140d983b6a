"""The permission table as data: every (role, action, plant) the issue names, and what a
disabled user or nobody may do."""

from __future__ import annotations

import pytest

from app.accounts import PERMISSIONS, AccountError, Action, Role, User, can, parse_role
from metrics.scope import Scope

SZ_MANAGER = User("sz.manager", "SZ manager", Role.PLANT_MANAGER, Scope.of({"SZ"}))
DG_ANALYST = User("dg.analyst", "DG analyst", Role.ANALYST, Scope.of({"DG"}))
HP_VIEWER = User("hp.viewer", "HP viewer", Role.VIEWER, Scope.of({"HP"}))
ADMIN = User("admin", "Admin", Role.ADMIN, Scope.of({"SZ"}))  # granted plants are ignored
GROUP = User("group", "Group", Role.GROUP_VIEWER, Scope.none())
NOBODY_PLANTS = User("empty", "No plants", Role.ANALYST, Scope.none())

# (user, action, plant or None for "at all", allowed)
CASES = [
    (ADMIN, Action.ADMIN, None, True),
    (ADMIN, Action.WORKBENCH, "HP", True),
    (ADMIN, Action.RUN_REPORT, "DG", True),
    (ADMIN, Action.ACK_ALERT, "HP", True),
    (GROUP, Action.READ, "SZ", True),
    (GROUP, Action.READ, "HP", True),
    (GROUP, Action.DOWNLOAD, None, False),
    (GROUP, Action.WORKBENCH, None, False),
    (GROUP, Action.RUN_REPORT, "SZ", False),
    (GROUP, Action.ADMIN, None, False),
    (SZ_MANAGER, Action.READ, "SZ", True),
    (SZ_MANAGER, Action.READ, "DG", False),
    (SZ_MANAGER, Action.RUN_REPORT, "SZ", True),
    (SZ_MANAGER, Action.RUN_REPORT, "DG", False),
    (SZ_MANAGER, Action.RECEIVE_REPORT, "SZ", True),
    (SZ_MANAGER, Action.ACK_ALERT, "SZ", True),
    (SZ_MANAGER, Action.ACK_ALERT, "HP", False),
    (SZ_MANAGER, Action.WORKBENCH, None, False),
    (SZ_MANAGER, Action.DOWNLOAD, None, False),
    (SZ_MANAGER, Action.ADMIN, None, False),
    (DG_ANALYST, Action.WORKBENCH, None, True),
    (DG_ANALYST, Action.WORKBENCH, "DG", True),
    (DG_ANALYST, Action.WORKBENCH, "SZ", False),
    (DG_ANALYST, Action.DOWNLOAD, "DG", True),
    (DG_ANALYST, Action.RUN_REPORT, "DG", False),
    (DG_ANALYST, Action.ACK_ALERT, "DG", False),
    (DG_ANALYST, Action.ADMIN, None, False),
    (HP_VIEWER, Action.READ, "HP", True),
    (HP_VIEWER, Action.READ, "SZ", False),
    (HP_VIEWER, Action.DOWNLOAD, None, False),
    (HP_VIEWER, Action.WORKBENCH, None, False),
    (NOBODY_PLANTS, Action.READ, None, False),
    (NOBODY_PLANTS, Action.WORKBENCH, None, False),
]


@pytest.mark.parametrize(("user", "action", "plant", "allowed"), CASES)
def test_permission(user: User, action: Action, plant: str | None, allowed: bool) -> None:
    assert can(user, action, plant) is allowed
    assert can(user, action.value, plant) is allowed  # the action's name works too


def test_the_table_itself() -> None:
    assert {role: sorted(a.value for a in actions) for role, actions in PERMISSIONS.items()} == {
        Role.ADMIN: sorted(a.value for a in Action),
        Role.GROUP_VIEWER: ["read"],
        Role.PLANT_MANAGER: ["ack_alert", "read", "receive_report", "run_report"],
        Role.ANALYST: ["download", "read", "workbench"],
        Role.VIEWER: ["read"],
    }


def test_admins_and_group_viewers_see_every_plant() -> None:
    assert ADMIN.scope.is_all and GROUP.scope.is_all
    assert SZ_MANAGER.scope.plants == frozenset({"SZ"})


def test_nobody_and_the_disabled_may_do_nothing() -> None:
    disabled = User("x", "x", Role.ADMIN, Scope.all(), active=False)
    for action in Action:
        assert can(None, action) is False
        assert can(disabled, action, "SZ") is False


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("admin", Role.ADMIN),
        ("plant-manager", Role.PLANT_MANAGER),
        ("Plant Manager", Role.PLANT_MANAGER),
        (" group_viewer ", Role.GROUP_VIEWER),
    ],
)
def test_role_names(text: str, role: Role) -> None:
    assert parse_role(text) is role


def test_unknown_role_says_which_exist() -> None:
    with pytest.raises(AccountError) as caught:
        parse_role("boss")
    assert str(caught.value) == (
        "Unknown role “boss”: use one of admin, group_viewer, plant_manager, analyst, viewer."
    )
    assert caught.value.text("zh").startswith("未知角色“boss”")
