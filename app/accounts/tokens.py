"""Personal API tokens: how another system calls Andon's HTTP API as one of its users.

A token is `andon_pat_` + 43 characters of `secrets.token_urlsafe(32)` (256 random bits).
It is shown once, when it is made; the state store keeps only its SHA-256, a short public
id (to list and revoke it by), its owner, a name, when it was made, last used, expires and
was revoked. A token carries its owner's role and plants as they are at each call: a changed
grant applies at once, a disabled user's tokens stop working, and so does a revoked one.

    tokens = ApiTokens(state_path(build_file))
    made = tokens.create("sz.manager", name="MES dashboard", actor="admin")
    made.token            # give it to the caller now: it cannot be shown again
    tokens.verify(text)   # the ApiToken (not revoked, not expired), else None
    tokens.revoke(made.info.id, actor="sz.manager")

Users revoke their own tokens and admins anyone's (`may_manage`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.accounts.roles import Role
from app.accounts.users import User

PREFIX = "andon_pat_"
TOKEN_BYTES = 32
TOUCH_EVERY = timedelta(minutes=1)  # how often `last_used_at` is written back

SCHEMA = """
create table if not exists api_tokens (
    id text primary key,
    token_hash text not null unique,
    username text not null,
    name text not null,
    created_at text not null,
    created_by text not null,
    expires_at text,
    last_used_at text,
    revoked_at text,
    revoked_by text
);
create index if not exists api_tokens_user on api_tokens (username, revoked_at);
"""

_ready: set[Path] = set()
_lock = threading.Lock()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class TokenError(ValueError):
    """A token request that cannot be done; the message says what to do instead."""


@dataclass(frozen=True)
class ApiToken:
    """A token as it is listed: everything but the token itself."""

    id: str
    username: str
    name: str
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ApiToken:
        return cls(
            id=row["id"],
            username=row["username"],
            name=row["name"],
            created_at=datetime.fromisoformat(row["created_at"]),
            created_by=row["created_by"],
            expires_at=_moment(row["expires_at"]),
            last_used_at=_moment(row["last_used_at"]),
            revoked_at=_moment(row["revoked_at"]),
            revoked_by=row["revoked_by"],
        )

    def active(self, at: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or at < self.expires_at)

    def as_dict(self) -> dict[str, str | None]:
        def text(value: datetime | None) -> str | None:
            return _stamp(value) if value else None

        return {
            "id": self.id,
            "user": self.username,
            "name": self.name,
            "created_at": text(self.created_at),
            "created_by": self.created_by,
            "expires_at": text(self.expires_at),
            "last_used_at": text(self.last_used_at),
            "revoked_at": text(self.revoked_at),
            "revoked_by": self.revoked_by,
        }


@dataclass(frozen=True)
class NewToken:
    """A token just made: `token` is the only time its text exists outside the caller."""

    info: ApiToken
    token: str


def may_manage(actor: User | None, owner: str) -> bool:
    """Whether `actor` may make, list or revoke tokens of `owner`: their own, or an admin
    anyone's. None is the local operator of the command line, who may."""
    if actor is None:
        return True
    if not actor.active:
        return False
    return actor.role is Role.ADMIN or actor.username == owner


class ApiTokens:
    """The api_tokens table of one state store file (a short connection per call, so one
    object serves every thread of the API server)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _lock:
            if self.path not in _ready or not self.path.exists():
                with closing(sqlite3.connect(str(self.path), timeout=30)) as db:
                    db.execute("pragma journal_mode = wal")
                    db.executescript(SCHEMA)
                _ready.add(self.path)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(str(self.path), timeout=30)) as db:
            db.row_factory = sqlite3.Row
            with db:
                yield db

    def create(
        self,
        username: str,
        *,
        name: str,
        actor: str,
        expires_in: timedelta | None = None,
        at: datetime | None = None,
    ) -> NewToken:
        """A new token for `username` (who must exist: the caller checks)."""
        label = " ".join(name.split())
        if not label:
            raise TokenError("Give the token a name that says what uses it, e.g. --name 'MES'.")
        if len(label) > 100:
            raise TokenError("A token name has at most 100 characters.")
        if expires_in is not None and expires_in <= timedelta(0):
            raise TokenError("A token must expire in the future: give a positive number of days.")
        moment = at or _now()
        token = PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        token_id = secrets.token_hex(4)
        expires = moment + expires_in if expires_in is not None else None
        with self._db() as db:
            db.execute(
                "insert into api_tokens (id, token_hash, username, name, created_at, "
                "created_by, expires_at) values (?, ?, ?, ?, ?, ?, ?)",
                (
                    token_id,
                    hash_token(token),
                    username,
                    label,
                    _stamp(moment),
                    actor,
                    _stamp(expires) if expires else None,
                ),
            )
        found = self.get(token_id)
        assert found is not None
        return NewToken(found, token)

    def get(self, token_id: str) -> ApiToken | None:
        with self._db() as db:
            row = db.execute("select * from api_tokens where id = ?", (token_id,)).fetchone()
        return ApiToken.from_row(row) if row else None

    def list(self, username: str | None = None, *, include_revoked: bool = False) -> list[ApiToken]:
        sql, values = "select * from api_tokens", []
        where = []
        if username is not None:
            where.append("username = ?")
            values.append(username)
        if not include_revoked:
            where.append("revoked_at is null")
        if where:
            sql += " where " + " and ".join(where)
        with self._db() as db:
            rows = db.execute(sql + " order by created_at, id", values).fetchall()
        return [ApiToken.from_row(row) for row in rows]

    def revoke(self, token_id: str, *, actor: str, at: datetime | None = None) -> ApiToken:
        """Revoke it for good (revoking twice changes nothing); TokenError when unknown."""
        with self._db() as db:
            db.execute(
                "update api_tokens set revoked_at = ?, revoked_by = ? "
                "where id = ? and revoked_at is null",
                (_stamp(at or _now()), actor, token_id),
            )
        found = self.get(token_id)
        if found is None:
            raise TokenError(f"No API token {token_id!r}: `andon tokens list` shows their ids.")
        return found

    def verify(self, token: str | None, at: datetime | None = None) -> ApiToken | None:
        """The active token with this text, else None (unknown, revoked or expired); its last
        use is written back at most once a minute."""
        if not token or not token.startswith(PREFIX) or len(token) > 200:
            return None
        digest = hash_token(token)
        with self._db() as db:
            row = db.execute("select * from api_tokens where token_hash = ?", (digest,)).fetchone()
        if row is None or not hmac.compare_digest(row["token_hash"], digest):
            return None
        found = ApiToken.from_row(row)
        moment = at or _now()
        if not found.active(moment):
            return None
        if found.last_used_at is None or moment - found.last_used_at >= TOUCH_EVERY:
            with self._db() as db:
                db.execute(
                    "update api_tokens set last_used_at = ? where id = ?",
                    (_stamp(moment), found.id),
                )
        return found
