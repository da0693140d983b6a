"""Saved workbench queries, kept beside the warehouse so every analyst of it sees them.
Only the SQL text is kept: running a saved query goes through the runner, in the scope of
whoever runs it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path


def store_path(build_file: Path) -> Path:
    return build_file.parent / "workbench.sqlite"


def _store(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    con.execute(
        "create table if not exists saved_query (name text primary key, sql text not null,"
        " saved_at text not null)"
    )
    return con


def saved_queries(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    with _store(path) as con:
        return dict(con.execute("select name, sql from saved_query order by name").fetchall())


def save_query(path: Path, name: str, sql: str) -> None:
    name = name.strip()
    if not name:
        raise ValueError("Give the query a name.")
    with _store(path) as con:
        con.execute(
            "insert into saved_query values (?, ?, ?) on conflict (name) do update set"
            " sql = excluded.sql, saved_at = excluded.saved_at",
            [name, sql, datetime.now(UTC).isoformat(timespec="seconds")],
        )


def delete_query(path: Path, name: str) -> None:
    with _store(path) as con:
        con.execute("delete from saved_query where name = ?", [name])
