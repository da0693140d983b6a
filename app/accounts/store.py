"""The accounts' tables in Andon's state store (the SQLite file beside the warehouse that
builds never replace, shared with app.reports.state). Every SQL statement on them is here.

    users            one row per account: role, plants (NULL = all), password hash, active
    sessions         one row per sign-in: the token's SHA-256 (never the token), when it
                     started, was last used, expires for good, and why it ended
    audit_log        who did what, when: sign-ins, queries, questions, workbench SQL,
                     downloads, report runs and sends, alert acks, account changes

Migrations are numbered and recorded in accounts_migrations, so opening the store any
number of times, from any number of processes, applies each one exactly once."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MIGRATIONS: tuple[str, ...] = (
    # 1: users, sessions, audit log
    """
    create table users (
        username text primary key,
        display_name text not null,
        email text unique,
        role text not null,
        plants text,
        lang text not null default 'en',
        password_hash text,
        active integer not null default 1,
        created_at text not null,
        updated_at text not null,
        password_changed_at text
    );
    create table sessions (
        token_hash text primary key,
        username text not null references users (username),
        method text not null,
        created_at text not null,
        last_seen_at text not null,
        expires_at text not null,
        ended_at text,
        end_reason text
    );
    create index sessions_user on sessions (username, ended_at);
    create table audit_log (
        id integer primary key,
        at text not null,
        username text,
        action text not null,
        ok integer not null default 1,
        detail text not null default '{}'
    );
    create index audit_at on audit_log (at);
    create index audit_user on audit_log (username, at);
    """,
)

_migrated: set[Path] = set()
_lock = threading.Lock()


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class UserRow:
    username: str
    display_name: str
    email: str | None
    role: str
    plants: tuple[str, ...] | None  # None = all plants
    lang: str
    password_hash: str | None
    active: bool
    created_at: datetime
    updated_at: datetime
    password_changed_at: datetime | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> UserRow:
        plants = row["plants"]
        return cls(
            username=row["username"],
            display_name=row["display_name"],
            email=row["email"],
            role=row["role"],
            plants=None if plants is None else tuple(json.loads(plants)),
            lang=row["lang"],
            password_hash=row["password_hash"],
            active=bool(row["active"]),
            created_at=datetime.fromisoformat(row["created_at"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
            password_changed_at=moment(row["password_changed_at"]),
        )


@dataclass(frozen=True)
class SessionRow:
    token_hash: str
    username: str
    method: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    end_reason: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> SessionRow:
        return cls(
            token_hash=row["token_hash"],
            username=row["username"],
            method=row["method"],
            created_at=datetime.fromisoformat(row["created_at"]),
            last_seen_at=datetime.fromisoformat(row["last_seen_at"]),
            expires_at=datetime.fromisoformat(row["expires_at"]),
            ended_at=moment(row["ended_at"]),
            end_reason=row["end_reason"],
        )


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    username: str | None
    action: str
    ok: bool
    detail: dict[str, Any]

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AuditEntry:
        return cls(
            id=row["id"],
            at=datetime.fromisoformat(row["at"]),
            username=row["username"],
            action=row["action"],
            ok=bool(row["ok"]),
            detail=json.loads(row["detail"]),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": stamp(self.at),
            "user": self.username,
            "action": self.action,
            "ok": self.ok,
            "detail": self.detail,
        }


def _plants_text(plants: Sequence[str] | None) -> str | None:
    return None if plants is None else json.dumps(sorted(set(plants)))


class AccountStore:
    """The accounts' tables of one state store file. Each call opens a short connection,
    so one store object serves every thread of the app."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _lock:
            if self.path not in _migrated or not self.path.exists():
                self._migrate()
                _migrated.add(self.path)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(str(self.path), timeout=30)) as db:
            db.row_factory = sqlite3.Row
            db.execute("pragma foreign_keys = on")
            with db:  # one transaction: commit on success, roll back on error
                yield db

    def _migrate(self) -> None:
        with closing(sqlite3.connect(str(self.path), timeout=30, isolation_level=None)) as db:
            db.execute("pragma journal_mode = wal")
            db.execute(
                "create table if not exists accounts_migrations ("
                "version integer primary key, applied_at text not null)"
            )
            for version, script in enumerate(MIGRATIONS, start=1):
                db.execute("begin immediate")  # one migrator at a time
                try:
                    done = db.execute(
                        "select 1 from accounts_migrations where version = ?", (version,)
                    ).fetchone()
                    if not done:
                        for statement in script.split(";"):
                            if statement.strip():
                                db.execute(statement)
                        db.execute(
                            "insert into accounts_migrations values (?, ?)",
                            (version, stamp(datetime.now(UTC))),
                        )
                    db.execute("commit")
                except BaseException:
                    db.execute("rollback")
                    raise

    def schema_version(self) -> int:
        with self._db() as db:
            row = db.execute("select max(version) from accounts_migrations").fetchone()
        return int(row[0] or 0)

    # -- users ------------------------------------------------------------------------

    def insert_user(
        self,
        *,
        username: str,
        display_name: str,
        email: str | None,
        role: str,
        plants: Sequence[str] | None,
        lang: str,
        password_hash: str | None,
        at: datetime,
    ) -> None:
        with self._db() as db:
            db.execute(
                "insert into users (username, display_name, email, role, plants, lang, "
                "password_hash, active, created_at, updated_at, password_changed_at) "
                "values (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
                (
                    username,
                    display_name,
                    email,
                    role,
                    _plants_text(plants),
                    lang,
                    password_hash,
                    stamp(at),
                    stamp(at),
                    stamp(at) if password_hash else None,
                ),
            )

    def user(self, username: str) -> UserRow | None:
        with self._db() as db:
            row = db.execute("select * from users where username = ?", (username,)).fetchone()
        return UserRow.from_row(row) if row else None

    def user_by_email(self, email: str) -> UserRow | None:
        with self._db() as db:
            row = db.execute("select * from users where email = ?", (email,)).fetchone()
        return UserRow.from_row(row) if row else None

    def users(self) -> list[UserRow]:
        with self._db() as db:
            rows = db.execute("select * from users order by username").fetchall()
        return [UserRow.from_row(row) for row in rows]

    def count_users(self) -> int:
        with self._db() as db:
            return int(db.execute("select count(*) from users").fetchone()[0])

    def set_password_hash(self, username: str, password_hash: str, at: datetime) -> bool:
        with self._db() as db:
            cursor = db.execute(
                "update users set password_hash = ?, password_changed_at = ?, updated_at = ? "
                "where username = ?",
                (password_hash, stamp(at), stamp(at), username),
            )
        return cursor.rowcount == 1

    def set_active(self, username: str, active: bool, at: datetime) -> bool:
        with self._db() as db:
            cursor = db.execute(
                "update users set active = ?, updated_at = ? where username = ?",
                (int(active), stamp(at), username),
            )
        return cursor.rowcount == 1

    def set_grant(
        self, username: str, role: str, plants: Sequence[str] | None, at: datetime
    ) -> bool:
        with self._db() as db:
            cursor = db.execute(
                "update users set role = ?, plants = ?, updated_at = ? where username = ?",
                (role, _plants_text(plants), stamp(at), username),
            )
        return cursor.rowcount == 1

    def set_profile(
        self,
        username: str,
        *,
        display_name: str | None,
        email: str | None,
        lang: str | None,
        at: datetime,
    ) -> bool:
        with self._db() as db:
            cursor = db.execute(
                "update users set display_name = coalesce(?, display_name), "
                "email = coalesce(?, email), lang = coalesce(?, lang), updated_at = ? "
                "where username = ?",
                (display_name, email, lang, stamp(at), username),
            )
        return cursor.rowcount == 1

    # -- sessions ---------------------------------------------------------------------

    def insert_session(
        self, token_hash: str, username: str, method: str, at: datetime, expires_at: datetime
    ) -> None:
        with self._db() as db:
            db.execute(
                "insert into sessions (token_hash, username, method, created_at, "
                "last_seen_at, expires_at) values (?, ?, ?, ?, ?, ?)",
                (token_hash, username, method, stamp(at), stamp(at), stamp(expires_at)),
            )

    def session(self, token_hash: str) -> SessionRow | None:
        with self._db() as db:
            row = db.execute(
                "select * from sessions where token_hash = ?", (token_hash,)
            ).fetchone()
        return SessionRow.from_row(row) if row else None

    def touch_session(self, token_hash: str, at: datetime) -> None:
        with self._db() as db:
            db.execute(
                "update sessions set last_seen_at = ? where token_hash = ? and ended_at is null",
                (stamp(at), token_hash),
            )

    def end_session(self, token_hash: str, at: datetime, reason: str) -> bool:
        with self._db() as db:
            cursor = db.execute(
                "update sessions set ended_at = ?, end_reason = ? "
                "where token_hash = ? and ended_at is null",
                (stamp(at), reason, token_hash),
            )
        return cursor.rowcount == 1

    def end_user_sessions(self, username: str, at: datetime, reason: str) -> int:
        with self._db() as db:
            cursor = db.execute(
                "update sessions set ended_at = ?, end_reason = ? "
                "where username = ? and ended_at is null",
                (stamp(at), reason, username),
            )
        return cursor.rowcount

    def open_sessions(self, username: str) -> list[SessionRow]:
        with self._db() as db:
            rows = db.execute(
                "select * from sessions where username = ? and ended_at is null "
                "order by created_at",
                (username,),
            ).fetchall()
        return [SessionRow.from_row(row) for row in rows]

    # -- audit log --------------------------------------------------------------------

    def insert_audit(
        self, at: datetime, username: str | None, action: str, ok: bool, detail: dict[str, Any]
    ) -> int:
        with self._db() as db:
            cursor = db.execute(
                "insert into audit_log (at, username, action, ok, detail) values (?, ?, ?, ?, ?)",
                (
                    stamp(at),
                    username,
                    action,
                    int(ok),
                    json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
                ),
            )
        return int(cursor.lastrowid or 0)

    def insert_audits(
        self, entries: Sequence[tuple[datetime, str | None, str, bool, dict[str, Any]]]
    ) -> None:
        """Several audit rows in one transaction (the HTTP API's writer batches its calls)."""
        with self._db() as db:
            db.executemany(
                "insert into audit_log (at, username, action, ok, detail) values (?, ?, ?, ?, ?)",
                [
                    (
                        stamp(at),
                        username,
                        action,
                        int(ok),
                        json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
                    )
                    for at, username, action, ok, detail in entries
                ],
            )

    def count_failed_signins(self, attempted: str, since: datetime) -> int:
        """Failed sign-ins with this attempted name since `since` (whether or not it exists)."""
        with self._db() as db:
            row = db.execute(
                "select count(*) from audit_log where action = 'signin_failed' and at >= ? "
                "and json_extract(detail, '$.attempted') = ?",
                (stamp(since), attempted),
            ).fetchone()
        return int(row[0])

    def audit_entries(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        username: str | None = None,
        actions: Sequence[str] | None = None,
        limit: int = 1000,
    ) -> list[AuditEntry]:
        """Newest first."""
        where, values = [], []
        if since is not None:
            where.append("at >= ?")
            values.append(stamp(since))
        if until is not None:
            where.append("at < ?")
            values.append(stamp(until))
        if username is not None:
            where.append("username = ?")
            values.append(username)
        if actions:
            where.append(f"action in ({', '.join('?' for _ in actions)})")
            values.extend(actions)
        sql = "select * from audit_log"
        if where:
            sql += " where " + " and ".join(where)
        sql += " order by at desc, id desc limit ?"
        values.append(int(limit))
        with self._db() as db:
            rows = db.execute(sql, values).fetchall()
        return [AuditEntry.from_row(row) for row in rows]
