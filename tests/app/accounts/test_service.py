"""Accounts on a real state store: users, hashing, sign-in, session expiry with a moving
clock, disabling, grants and the audit rows each step leaves."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from app.accounts import (
    AccountError,
    Accounts,
    PasswordError,
    Role,
    SessionPolicy,
    TooManyAttempts,
    UnknownUser,
)
from app.accounts.passwords import hash_password, verify_password
from app.accounts.service import token_hash
from app.accounts.store import MIGRATIONS, AccountStore
from metrics.scope import Scope


def actions(accounts: Accounts) -> list[tuple[str | None, str, bool]]:
    """The audit log oldest first, as (user, action, ok)."""
    return [(e.username, e.action, e.ok) for e in reversed(accounts.audit_log())]


def test_passwords_are_argon2_hashes_never_the_text(accounts: Accounts, tmp_path: Path) -> None:
    accounts.add_user("li.wei", role="viewer", plants=["SZ"], password="correct horse")
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        (stored,) = db.execute("select password_hash from users").fetchone()
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert verify_password(stored, "correct horse") is True
    assert verify_password(stored, "correct horsE") is False
    assert verify_password(None, "anything") is False
    assert verify_password("not a hash", "anything") is False
    assert hash_password("same") != hash_password("same")  # salted


def test_add_user_normalises_and_checks(accounts: Accounts) -> None:
    user = accounts.add_user(
        " Li.Wei ", role="Plant Manager", plants="sz, dg,SZ", password="a-long-one"
    )
    assert (user.username, user.role, user.scope) == (
        "li.wei",
        Role.PLANT_MANAGER,
        Scope.of({"SZ", "DG"}),
    )
    assert user.display_name == "li.wei" and user.lang == "en" and user.active
    boss = accounts.add_user("boss", role="admin", plants=["SZ"], password="a-long-one")
    assert boss.scope.is_all  # admins see every plant, whatever was asked for
    with pytest.raises(AccountError, match="User “li.wei” already exists"):
        accounts.add_user("li.wei", role="viewer", plants=["SZ"], password="a-long-one")
    with pytest.raises(AccountError, match=r"Unknown plant XX: the warehouse has DG, HP, SZ\."):
        accounts.add_user("x", role="viewer", plants=["XX"], password="a-long-one")
    with pytest.raises(AccountError, match="is not a valid user name"):
        accounts.add_user("no spaces", role="viewer", plants=["SZ"], password="a-long-one")
    with pytest.raises(PasswordError, match="at least 8 characters"):
        accounts.add_user("short", role="viewer", plants=["SZ"], password="1234567")
    with pytest.raises(PasswordError, match="may not be the user name"):
        accounts.add_user("username1", role="viewer", plants=["SZ"], password="USERNAME1")
    with pytest.raises(AccountError, match="is not an e-mail address"):
        accounts.add_user("y", role="viewer", plants=["SZ"], email="nope", password="a-long-one")
    assert [u.username for u in accounts.users()] == ["boss", "li.wei"]


def test_sign_in_and_out(accounts: Accounts, clock) -> None:
    accounts.add_user("li.wei", role="viewer", plants=["HP"], password="a-long-one")
    signed = accounts.sign_in("LI.WEI", "a-long-one", source="10.0.0.7")
    assert signed is not None and signed.user.username == "li.wei"
    assert accounts.resume(signed.token) == signed.user
    session = accounts.store.session(token_hash(signed.token))
    assert session is not None and session.method == "password"
    assert session.expires_at == clock.now + timedelta(hours=24)
    accounts.sign_out(signed.token)
    assert accounts.resume(signed.token) is None
    accounts.sign_out(signed.token)  # twice: nothing more happens
    assert actions(accounts) == [
        (None, "user_add", True),
        ("li.wei", "signin", True),
        ("li.wei", "signout", True),
    ]
    first = accounts.audit_log(actions=["signin"])[0]
    assert first.detail == {"method": "password", "from": "10.0.0.7"}


def test_failures_look_alike_and_are_audited_with_the_reason(accounts: Accounts) -> None:
    accounts.add_user("li.wei", role="viewer", plants=["HP"], password="a-long-one")
    accounts.add_user("gone", role="viewer", plants=["HP"], password="a-long-one")
    accounts.disable("gone")
    assert accounts.sign_in("li.wei", "wrong password") is None
    assert accounts.sign_in("nobody", "a-long-one") is None
    assert accounts.sign_in("gone", "a-long-one") is None  # right password, disabled
    assert accounts.sign_in("", "") is None
    failed = accounts.audit_log(actions=["signin_failed"])
    assert [(e.username, e.detail["attempted"], e.detail["reason"]) for e in failed] == [
        (None, "", "unknown_user"),
        ("gone", "gone", "disabled"),
        (None, "nobody", "unknown_user"),
        ("li.wei", "li.wei", "wrong_password"),
    ]
    assert not any(e.ok for e in failed)
    assert all("a-long-one" not in str(e.detail) for e in accounts.audit_log())


def test_too_many_failures_lock_a_name_for_a_while(accounts: Accounts, clock) -> None:
    accounts.add_user("li.wei", role="viewer", plants=["HP"], password="a-long-one")
    for _ in range(5):
        assert accounts.sign_in("li.wei", "guess") is None
        clock.advance(seconds=10)
    with pytest.raises(TooManyAttempts) as caught:
        accounts.sign_in("li.wei", "a-long-one")  # even the right password
    assert str(caught.value) == (
        "Too many failed sign-ins with this name: wait 15 minutes, or ask an administrator "
        "to set a new password."
    )
    with pytest.raises(TooManyAttempts):  # a name that does not exist locks the same way
        for _ in range(6):
            accounts.sign_in("nobody", "guess")
    clock.advance(minutes=15)
    assert accounts.sign_in("li.wei", "a-long-one") is not None


def test_sessions_end_when_idle_or_too_old(tmp_path: Path, clock) -> None:
    policy = SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=2))
    accounts = Accounts(tmp_path / "state.sqlite", clock=clock, policy=policy)
    accounts.add_user("li.wei", role="viewer", plants=["HP"], password="a-long-one")

    idle = accounts.sign_in("li.wei", "a-long-one")
    clock.advance(minutes=29)
    assert accounts.resume(idle.token) is not None  # used within 30 minutes: still valid
    clock.advance(minutes=29)
    assert accounts.resume(idle.token) is not None  # the last use counts, not the sign-in
    clock.advance(minutes=30)
    assert accounts.resume(idle.token) is None
    assert accounts.resume(idle.token) is None  # and stays ended

    busy = accounts.sign_in("li.wei", "a-long-one")
    for _ in range(7):  # in use every 20 minutes for 2 h 20 min
        clock.advance(minutes=20)
        alive = accounts.resume(busy.token) is not None
    assert alive is False  # the absolute limit ends even a busy session

    ended = accounts.audit_log(actions=["session_end"])
    assert [e.detail["reason"] for e in reversed(ended)] == ["idle", "expired"]
    assert accounts.store.session(token_hash(busy.token)).end_reason == "expired"


def test_disabling_and_new_passwords_end_open_sessions(accounts: Accounts) -> None:
    accounts.add_user("li.wei", role="viewer", plants=["HP"], password="a-long-one")
    one = accounts.sign_in("li.wei", "a-long-one")
    two = accounts.sign_in("li.wei", "a-long-one")
    accounts.set_password("li.wei", "another-one", actor="cli:root")
    assert accounts.resume(one.token) is None and accounts.resume(two.token) is None
    assert accounts.sign_in("li.wei", "a-long-one") is None
    three = accounts.sign_in("li.wei", "another-one")
    accounts.disable("li.wei", actor="cli:root")
    assert accounts.resume(three.token) is None
    assert accounts.sign_in("li.wei", "another-one") is None
    accounts.enable("li.wei", actor="cli:root")
    assert accounts.sign_in("li.wei", "another-one") is not None
    assert accounts.audit_log(actions=["user_disable"])[0].detail == {
        "user": "li.wei",
        "sessions_ended": 1,
    }
    assert accounts.audit_log(actions=["user_passwd"])[0].username == "cli:root"


def test_a_grant_applies_to_an_open_session(accounts: Accounts) -> None:
    accounts.add_user("li.wei", role="viewer", plants=["HP"], password="a-long-one")
    signed = accounts.sign_in("li.wei", "a-long-one")
    accounts.grant("li.wei", role="analyst", plants=["SZ", "DG"], actor="admin")
    user = accounts.resume(signed.token)
    assert (user.role, user.scope) == (Role.ANALYST, Scope.of({"SZ", "DG"}))
    accounts.grant("li.wei", plants=None)  # all plants, role kept
    assert accounts.resume(signed.token).scope.is_all
    assert accounts.resume(signed.token).role is Role.ANALYST
    grants = [e.detail for e in reversed(accounts.audit_log(actions=["user_grant"]))]
    assert grants == [
        {"user": "li.wei", "role": "analyst", "plants": ["DG", "SZ"]},
        {"user": "li.wei", "role": "analyst", "plants": "all"},
    ]
    with pytest.raises(UnknownUser, match="No user “ghost”"):
        accounts.grant("ghost", role="viewer", plants=["SZ"])


def test_ensure_user_is_idempotent(accounts: Accounts) -> None:
    user, created = accounts.ensure_user(
        "sz.manager", role="plant_manager", plants=["SZ"], password="demo-pass", display_name="SZ"
    )
    assert created and user.scope == Scope.of({"SZ"})
    accounts.grant("sz.manager", role="viewer", plants=["HP"])
    accounts.set_password("sz.manager", "changed-it")
    accounts.disable("sz.manager")
    again, created = accounts.ensure_user(
        "sz.manager", role="plant_manager", plants=["SZ"], password="demo-pass", display_name="SZ"
    )
    assert not created
    assert (again.role, again.scope, again.active) == (Role.PLANT_MANAGER, Scope.of({"SZ"}), True)
    assert accounts.sign_in("sz.manager", "demo-pass") is not None
    assert len(accounts.users()) == 1


def test_audit_rows_and_filters(accounts: Accounts, clock) -> None:
    accounts.audit("li.wei", "ask", {"question": "上个月各产线的OEE", "answered": True})
    clock.advance(hours=1)
    accounts.audit("admin", "download", {"name": "load_log", "format": "csv", "rows": 12})
    clock.advance(hours=1)
    accounts.audit(None, "signin_failed", {"attempted": "x"}, ok=False)
    newest = accounts.audit_log()
    assert [e.action for e in newest] == ["signin_failed", "download", "ask"]
    assert newest[2].detail == {"question": "上个月各产线的OEE", "answered": True}
    assert [e.action for e in accounts.audit_log(username="LI.WEI")] == ["ask"]
    assert [e.action for e in accounts.audit_log(since=clock.now - timedelta(hours=1))] == [
        "signin_failed",
        "download",
    ]
    assert [e.action for e in accounts.audit_log(actions=["ask", "download"], limit=1)] == [
        "download"
    ]
    assert newest[1].as_dict() == {
        "id": 2,
        "at": "2026-10-06T09:00:00+00:00",
        "user": "admin",
        "action": "download",
        "ok": True,
        "detail": {"format": "csv", "name": "load_log", "rows": 12},
    }


def test_migrations_are_applied_once(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    first = AccountStore(path)
    first.insert_audit(first_moment(), "a", "ask", True, {})
    for _ in range(3):
        assert AccountStore(path).schema_version() == len(MIGRATIONS)
    with sqlite3.connect(path) as db:
        assert db.execute("select count(*) from accounts_migrations").fetchone() == (1,)
        assert db.execute("select count(*) from audit_log").fetchone() == (1,)


def test_the_state_store_is_shared_with_reports(tmp_path: Path, monkeypatch) -> None:
    """Accounts and app.reports.state use the one file beside the warehouse."""
    from app.reports.state import StateStore, state_path

    monkeypatch.delenv("ANDON_STATE", raising=False)
    warehouse = tmp_path / "wh" / "andon.duckdb"
    accounts = Accounts.for_warehouse(warehouse)
    assert accounts.store.path == state_path(warehouse) == tmp_path / "wh" / "state.sqlite"
    StateStore(state_path(warehouse)).close()  # the reports' tables beside ours
    accounts.add_user("li.wei", role="viewer", plants=["SZ"], password="a-long-one")
    with sqlite3.connect(accounts.store.path) as db:
        tables = {row[0] for row in db.execute("select name from sqlite_master")}
    assert {"users", "sessions", "audit_log", "runs", "outbox"} <= tables
    monkeypatch.setenv("ANDON_STATE", str(tmp_path / "elsewhere.sqlite"))
    assert Accounts.for_warehouse(warehouse).store.path == tmp_path / "elsewhere.sqlite"


def first_moment():
    from datetime import UTC, datetime

    return datetime(2026, 1, 1, tzinfo=UTC)


def test_a_user_speaks_one_of_the_catalogue_languages(accounts: Accounts) -> None:
    user = accounts.add_user("nguyen.an", role="plant_manager", plants=["HP"], lang="vi")
    assert user.lang == "vi" and accounts.get("nguyen.an").lang == "vi"
    assert accounts.update_profile("nguyen.an", lang="zh").lang == "zh"
    with pytest.raises(AccountError, match="Unknown language “fr”: use one of en, zh, vi."):
        accounts.add_user("x", role="viewer", plants=["SZ"], lang="fr")
    with pytest.raises(AccountError, match="Unknown language “de”"):
        accounts.update_profile("nguyen.an", lang="de")
