"""`andon users …` and `andon audit` as an operator runs them: a real process, a real state
store, real exit codes. Plants are checked against the built sample warehouse."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SUBCOMMANDS = ["add", "list", "passwd", "grant", "disable", "enable", "demo"]


def andon(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, "COLUMNS": "200", **env},
        timeout=120,
    )


@pytest.fixture
def env(built_warehouse: Path, tmp_path: Path) -> dict[str, str]:
    """The sample warehouse, and a state store of this test's own."""
    return {"ANDON_WAREHOUSE": str(built_warehouse), "ANDON_STATE": str(tmp_path / "s.sqlite")}


@pytest.fixture
def bare(tmp_path: Path) -> dict[str, str]:
    """No warehouse built yet: plants are not checked."""
    return {
        "ANDON_WAREHOUSE": str(tmp_path / "none" / "andon.duckdb"),
        "ANDON_STATE": str(tmp_path / "s.sqlite"),
    }


def users(env: dict[str, str]) -> list[dict]:
    result = andon("users", "list", "--json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def audit(env: dict[str, str], *args: str) -> list[dict]:
    result = andon("audit", "--json", *args, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("command", [["users"], ["audit"], *(["users", c] for c in SUBCOMMANDS)])
def test_help(command: list[str], bare: dict[str, str]) -> None:
    result = andon(*command, "--help", env=bare)
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout and "--help" in result.stdout


def test_top_level_help_lists_users_and_audit(bare: dict[str, str]) -> None:
    result = andon("--help", env=bare)
    assert " users " in result.stdout and " audit " in result.stdout


def test_add_list_grant_passwd_disable(env: dict[str, str], tmp_path: Path) -> None:
    added = andon(
        "users", "add", "Li.Wei", "--role", "plant_manager", "--plants", "sz",
        "--name", "Li Wei", "--email", "li.wei@plant.example", "--lang", "zh",
        "--password-stdin", env=env, stdin="first-password\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert f"Added li.wei (plant_manager, plants SZ) in {tmp_path / 's.sqlite'}." in added.stdout
    assert "first-password" not in added.stdout + added.stderr
    assert users(env) == [
        {
            "username": "li.wei",
            "name": "Li Wei",
            "role": "plant_manager",
            "plants": ["SZ"],
            "active": True,
            "password": True,
            "email": "li.wei@plant.example",
            "lang": "zh",
        }
    ]
    granted = andon("users", "grant", "li.wei", "--role", "analyst", "--plants", "SZ,DG", env=env)
    assert granted.returncode == 0, granted.stderr
    assert "li.wei is now analyst for plants DG, SZ." in granted.stdout
    assert users(env)[0]["plants"] == ["DG", "SZ"]
    everything = andon("users", "grant", "li.wei", "--all-plants", env=env)
    assert "li.wei is now analyst for all plants." in everything.stdout
    passwd = andon("users", "passwd", "li.wei", "--password-stdin", env=env, stdin="second-pass\n")
    assert passwd.returncode == 0, passwd.stderr
    disabled = andon("users", "disable", "li.wei", env=env)
    assert disabled.returncode == 0 and users(env)[0]["active"] is False
    assert andon("users", "enable", "li.wei", env=env).returncode == 0
    assert users(env)[0]["active"] is True

    rows = audit(env)
    assert [(r["user"], r["action"]) for r in reversed(rows)] == [
        ("cli:" + _os_user(), "user_add"),
        ("cli:" + _os_user(), "user_grant"),
        ("cli:" + _os_user(), "user_grant"),
        ("cli:" + _os_user(), "user_passwd"),
        ("cli:" + _os_user(), "user_disable"),
        ("cli:" + _os_user(), "user_enable"),
    ]
    assert rows[-1]["detail"] == {"user": "li.wei", "role": "plant_manager", "plants": ["SZ"]}
    with sqlite3.connect(tmp_path / "s.sqlite") as db:
        (stored,) = db.execute("select password_hash from users").fetchone()
    assert stored.startswith("$argon2id$") and "second-pass" not in stored


def test_password_from_a_prompt_is_asked_twice(bare: dict[str, str]) -> None:
    added = andon(
        "users", "add", "chen", "--role", "viewer", "--plants", "DG",
        env=bare, stdin="typed-password\ntyped-password\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Repeat for confirmation" in added.stdout
    assert "typed-password" not in added.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "grant", "ghost", "--all-plants"], "No user “ghost”: `andon users list`"),
        (["users", "passwd", "ghost", "--password-stdin"], "No user “ghost”"),
        (["users", "disable", "ghost"], "No user “ghost”"),
        (
            ["users", "add", "x", "--role", "boss", "--all-plants", "--no-password"],
            "Unknown role “boss”: use one of admin, group_viewer, plant_manager, analyst,",
        ),
        (
            ["users", "add", "x", "--role", "viewer", "--plants", "SZ,XX", "--no-password"],
            "Unknown plant XX: the warehouse has DG, HP, SZ.",
        ),
        (
            ["users", "add", "x", "--role", "viewer", "--no-password"],
            "Say which plants: --plants SZ,DG or --all-plants",
        ),
        (
            ["users", "add", "x", "--role", "viewer", "--plants", "SZ", "--all-plants"],
            "Use either --plants or --all-plants, not both.",
        ),
        (
            ["users", "add", "x", "--role", "viewer", "--plants", "SZ", "--password-stdin"],
            "The password is too short: use at least 8 characters.",
        ),
        (["audit", "--action", "hack"], "Unknown action hack: use one of signin,"),
    ],
)
def test_mistakes_exit_2_with_a_message(env: dict[str, str], args: list[str], message: str) -> None:
    result = andon(*args, env=env, stdin="short\n")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in " ".join(result.stderr.split()), result.stderr
    assert "Traceback" not in result.stderr


def test_grant_to_a_plant_role_needs_plants(env: dict[str, str]) -> None:
    andon("users", "add", "boss", "--role", "admin", "--no-password", env=env)
    result = andon("users", "grant", "boss", "--role", "plant_manager", env=env)
    assert result.returncode == 2
    assert "Say which plants the plant_manager boss gets" in result.stderr


def test_demo_users_are_idempotent(env: dict[str, str]) -> None:
    first = andon("users", "demo", env=env)
    assert first.returncode == 0, first.stderr
    assert "demo only" in first.stdout and first.stdout.count("created") == 4
    for password in ("andon-demo-admin", "andon-demo-sz", "andon-demo-dg", "andon-demo-group"):
        assert password in first.stdout
    andon("users", "grant", "sz.manager", "--role", "viewer", "--plants", "HP", env=env)
    again = andon("users", "demo", env=env)
    assert again.returncode == 0 and again.stdout.count("reset") == 4
    assert [(u["username"], u["role"], u["plants"]) for u in users(env)] == [
        ("admin", "admin", "all"),
        ("dg.analyst", "analyst", ["DG"]),
        ("group.viewer", "group_viewer", "all"),
        ("sz.manager", "plant_manager", ["SZ"]),
    ]


def test_audit_filters(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from app.accounts import Accounts

    monkeypatch.setenv("ANDON_STATE", env["ANDON_STATE"])
    accounts = Accounts.for_warehouse(env["ANDON_WAREHOUSE"])
    assert str(accounts.store.path) == env["ANDON_STATE"]
    accounts.audit("li.wei", "ask", {"question": "上个月各产线的OEE"})
    accounts.audit("chen", "download", {"name": "load_log", "format": "csv"})
    accounts.audit(None, "signin_failed", {"attempted": "root"}, ok=False)
    assert [r["action"] for r in audit(env)] == ["signin_failed", "download", "ask"]
    assert [r["detail"] for r in audit(env, "--user", "li.wei")] == [
        {"question": "上个月各产线的OEE"}
    ]
    assert [r["user"] for r in audit(env, "--action", "download", "-a", "ask")] == [
        "chen",
        "li.wei",
    ]
    assert audit(env, "--since", "2999-01-01") == []
    table = andon("audit", env=env)
    assert table.returncode == 0 and "上个月各产线的OEE" in table.stdout
    bad = andon("audit", "--since", "yesterday", env=env)
    assert bad.returncode == 2 and "is not a date or time" in bad.stderr


def _os_user() -> str:
    import getpass

    return getpass.getuser()


def test_a_new_user_gets_their_plants_language(env: dict[str, str]) -> None:
    """Without --lang: Haiphong (VN) is Vietnamese, Suzhou + Dongguan (CN) Chinese, plants in
    two countries English; --lang wins."""
    for name, plants, lang in [
        ("hp.manager", "HP", None),
        ("cn.manager", "SZ,DG", None),
        ("mixed.analyst", "SZ,HP", None),
        ("hp.english", "HP", "en"),
    ]:
        extra = ("--lang", lang) if lang else ()
        added = andon(
            "users", "add", name, "--role", "plant_manager", "--plants", plants, *extra,
            "--no-password", env=env,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
    langs = {user["username"]: user["lang"] for user in users(env)}
    assert langs == {
        "hp.manager": "vi",
        "cn.manager": "zh",
        "mixed.analyst": "en",
        "hp.english": "en",
    }
