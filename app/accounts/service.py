"""Accounts: users, sign-in, sessions and the audit log, on top of the state store.

Every surface goes through `Accounts`: the CLI (`andon users …`), the app's sign-in page
and admin page, the proxy and OIDC modes. Messages never tell whether a user name exists:
a wrong name, a wrong password and a disabled account all fail the same way (and take the
same time, see passwords.py); the audit log keeps the real reason for the admins."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.accounts import passwords
from app.accounts.errors import AccountError, TooManyAttempts, UnknownUser
from app.accounts.roles import ALL_PLANT_ROLES, Role, parse_role
from app.accounts.store import AccountStore, AuditEntry, SessionRow, UserRow
from app.accounts.users import User
from metrics.i18n import LANGS
from metrics.scope import Scope

Clock = Callable[[], datetime]
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PLANT_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
METHODS = ("password", "proxy", "oidc", "local")


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class SessionPolicy:
    """How long a sign-in lasts: `idle` without use, `absolute` at most whatever happens."""

    idle: timedelta = timedelta(hours=8)
    absolute: timedelta = timedelta(hours=24)
    touch_every: timedelta = timedelta(minutes=1)  # how often last use is written back
    max_failures: int = 5  # failed sign-ins with one name within `lockout` …
    lockout: timedelta = timedelta(minutes=15)  # … refuse that name until they are older


@dataclass(frozen=True)
class SignedIn:
    """A started session: the user, and the token the browser session keeps (the store
    keeps only its SHA-256)."""

    user: User
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_username(text: str) -> str:
    name = text.strip().lower()
    if not USERNAME.match(name):
        raise AccountError("account_bad_username", name=text)
    return name


def parse_plants(text: str | Iterable[str]) -> tuple[str, ...]:
    """Plant ids from "SZ,DG" or an iterable; upper-cased, de-duplicated, in order."""
    items = text.split(",") if isinstance(text, str) else list(text)
    plants: list[str] = []
    for item in items:
        plant = str(item).strip().upper()
        if not plant:
            continue
        if not PLANT_ID.match(plant):
            raise AccountError("account_bad_plant", plant=item)
        if plant not in plants:
            plants.append(plant)
    return tuple(plants)


class Accounts:
    """Users, sessions and the audit log of one state store file."""

    def __init__(
        self,
        state_file: Path,
        *,
        clock: Clock = utc_now,
        policy: SessionPolicy | None = None,
        known_plants: Callable[[], frozenset[str] | None] | None = None,
    ) -> None:
        self.store = AccountStore(state_file)
        self.clock = clock
        self.policy = policy or SessionPolicy()
        # the plants a grant may name (None: not checked, e.g. no warehouse built yet)
        self.known_plants = known_plants or (lambda: None)

    @classmethod
    def for_warehouse(cls, warehouse: Path | str | None = None, **kwargs: Any) -> Accounts:
        """The accounts of the state store beside `warehouse` (or $ANDON_STATE)."""
        from app.accounts.plants import warehouse_plants
        from warehouse.location import state_path, warehouse_path

        build_file = warehouse_path(warehouse)
        kwargs.setdefault("known_plants", lambda: warehouse_plants(build_file))
        return cls(state_path(build_file), **kwargs)

    def now(self) -> datetime:
        return self.clock().astimezone(UTC).replace(microsecond=0)

    # -- users ------------------------------------------------------------------------

    def to_user(self, row: UserRow) -> User:
        role = Role(row.role)
        scope = Scope.all() if row.plants is None else Scope.of(row.plants)
        return User(
            username=row.username,
            display_name=row.display_name,
            role=role,
            scope=scope,
            active=row.active,
            lang=row.lang,
            email=row.email,
        )

    def get(self, username: str) -> User | None:
        try:
            name = normalise_username(username)
        except AccountError:
            return None
        row = self.store.user(name)
        return self.to_user(row) if row else None

    def require(self, username: str) -> UserRow:
        row = self.store.user(normalise_username(username))
        if row is None:
            raise UnknownUser("account_unknown_user", name=username)
        return row

    def rows(self) -> list[UserRow]:
        return self.store.users()

    def users(self) -> list[User]:
        return [self.to_user(row) for row in self.store.users()]

    def has_users(self) -> bool:
        return self.store.count_users() > 0

    def check_plants(self, role: Role, plants: Iterable[str] | None) -> tuple[str, ...] | None:
        """The plants to store for a grant: None (all plants) for admin and group viewer or
        when all plants were asked for; else the named plants, checked against the warehouse."""
        if role in ALL_PLANT_ROLES or plants is None:
            return None
        chosen = parse_plants(plants)
        known = self.known_plants()
        if known is not None:
            unknown = [plant for plant in chosen if plant not in known]
            if unknown:
                raise AccountError(
                    "account_unknown_plants",
                    plants=", ".join(unknown),
                    known=", ".join(sorted(known)) or "-",
                )
        return chosen

    def add_user(
        self,
        username: str,
        *,
        role: Role | str,
        plants: Iterable[str] | None = (),
        password: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
        lang: str = "en",
        actor: str | None = None,
    ) -> User:
        """A new user; `plants` None = all plants. Without a password the user can sign in
        only through the proxy or OIDC modes."""
        name = normalise_username(username)
        chosen_role = parse_role(role) if isinstance(role, str) else role
        stored_plants = self.check_plants(chosen_role, plants)
        if lang not in LANGS:
            raise AccountError("account_unknown_lang", lang=lang, langs=", ".join(LANGS))
        mail = self._check_email(email)
        if self.store.user(name) is not None:
            raise AccountError("account_exists", name=name)
        if mail and self.store.user_by_email(mail) is not None:
            raise AccountError("account_email_taken", email=mail)
        hashed = None
        if password is not None:
            passwords.check_policy(password, name)
            hashed = passwords.hash_password(password)
        self.store.insert_user(
            username=name,
            display_name=(display_name or name).strip(),
            email=mail,
            role=chosen_role.value,
            plants=stored_plants,
            lang=lang,
            password_hash=hashed,
            at=self.now(),
        )
        self.audit(
            actor,
            "user_add",
            {"user": name, "role": chosen_role.value, "plants": _plants_detail(stored_plants)},
        )
        user = self.get(name)
        assert user is not None
        return user

    def _check_email(self, email: str | None) -> str | None:
        if email is None or not email.strip():
            return None
        mail = email.strip().lower()
        if not EMAIL.match(mail):
            raise AccountError("account_bad_email", email=email)
        return mail

    def set_password(self, username: str, password: str, *, actor: str | None = None) -> None:
        """A new password; every open session of the user ends."""
        row = self.require(username)
        passwords.check_policy(password, row.username)
        now = self.now()
        self.store.set_password_hash(row.username, passwords.hash_password(password), now)
        self.store.end_user_sessions(row.username, now, "password_changed")
        self.audit(actor, "user_passwd", {"user": row.username})

    def disable(self, username: str, *, actor: str | None = None) -> None:
        """The user can no longer sign in; their open sessions end now."""
        row = self.require(username)
        now = self.now()
        self.store.set_active(row.username, False, now)
        ended = self.store.end_user_sessions(row.username, now, "disabled")
        self.audit(actor, "user_disable", {"user": row.username, "sessions_ended": ended})

    def enable(self, username: str, *, actor: str | None = None) -> None:
        row = self.require(username)
        self.store.set_active(row.username, True, self.now())
        self.audit(actor, "user_enable", {"user": row.username})

    def grant(
        self,
        username: str,
        *,
        role: Role | str | None = None,
        plants: Iterable[str] | None = (),
        actor: str | None = None,
    ) -> User:
        """Sets the role (kept when None) and the plants (None = all plants). Takes effect
        on the user's next page view."""
        row = self.require(username)
        chosen_role = Role(row.role) if role is None else parse_role(str(role))
        stored = self.check_plants(chosen_role, plants)
        self.store.set_grant(row.username, chosen_role.value, stored, self.now())
        self.audit(
            actor,
            "user_grant",
            {"user": row.username, "role": chosen_role.value, "plants": _plants_detail(stored)},
        )
        user = self.get(row.username)
        assert user is not None
        return user

    def update_profile(
        self,
        username: str,
        *,
        display_name: str | None = None,
        email: str | None = None,
        lang: str | None = None,
        actor: str | None = None,
    ) -> User:
        row = self.require(username)
        if lang is not None and lang not in LANGS:
            raise AccountError("account_unknown_lang", lang=lang, langs=", ".join(LANGS))
        mail = self._check_email(email)
        if mail:
            other = self.store.user_by_email(mail)
            if other is not None and other.username != row.username:
                raise AccountError("account_email_taken", email=mail)
        self.store.set_profile(
            row.username, display_name=display_name, email=mail, lang=lang, at=self.now()
        )
        self.audit(actor, "user_profile", {"user": row.username})
        user = self.get(row.username)
        assert user is not None
        return user

    def ensure_user(
        self,
        username: str,
        *,
        role: Role | str,
        plants: Iterable[str] | None,
        password: str,
        display_name: str,
        lang: str = "en",
        actor: str | None = None,
    ) -> tuple[User, bool]:
        """The user as given, created or brought back to exactly this (role, plants,
        password, active): idempotent, for the demo. Returns (user, created)."""
        existing = self.store.user(normalise_username(username))
        if existing is None:
            user = self.add_user(
                username,
                role=role,
                plants=plants,
                password=password,
                display_name=display_name,
                lang=lang,
                actor=actor,
            )
            return user, True
        user = self.grant(existing.username, role=role, plants=plants, actor=actor)
        if not passwords.verify_password(existing.password_hash, password):
            self.set_password(existing.username, password, actor=actor)
        if not existing.active:
            self.enable(existing.username, actor=actor)
        refreshed = self.get(existing.username)
        assert refreshed is not None
        return refreshed, False

    # -- signing in -------------------------------------------------------------------

    def sign_in(
        self, username: str, password: str, *, source: str | None = None
    ) -> SignedIn | None:
        """A session for the right name and password of an active user, else None. The
        caller shows one message for every failure; the audit log keeps the reason."""
        try:
            name = normalise_username(username)
        except AccountError:
            name = None
        attempted = username.strip().lower()[:64]
        detail: dict[str, Any] = {"method": "password", "attempted": attempted}
        if source:
            detail["from"] = source
        since = self.now() - self.policy.lockout
        if self.store.count_failed_signins(attempted, since) >= self.policy.max_failures:
            self.audit(name, "signin_failed", {**detail, "reason": "locked"}, ok=False)
            minutes = int(self.policy.lockout.total_seconds() // 60)
            raise TooManyAttempts("signin_locked", minutes=minutes)
        row = self.store.user(name) if name else None
        ok = passwords.verify_password(row.password_hash if row else None, password)
        if row is None or not ok or not row.active:
            reason = "unknown_user" if row is None else "disabled" if ok else "wrong_password"
            self.audit(
                row.username if row else None,
                "signin_failed",
                {**detail, "reason": reason},
                ok=False,
            )
            return None
        if row.password_hash and passwords.needs_rehash(row.password_hash):
            self.store.set_password_hash(
                row.username, passwords.hash_password(password), self.now()
            )
        return self.start_session(self.to_user(row), "password", source=source)

    def start_session(self, user: User, method: str, *, source: str | None = None) -> SignedIn:
        """A new session for an already identified, active user (any sign-in method)."""
        if method not in METHODS:
            raise ValueError(f"unknown sign-in method {method!r}")
        if not user.active:
            raise AccountError("account_disabled", name=user.username)
        token = secrets.token_urlsafe(32)
        now = self.now()
        self.store.insert_session(
            token_hash(token), user.username, method, now, now + self.policy.absolute
        )
        detail: dict[str, Any] = {"method": method}
        if source:
            detail["from"] = source
        self.audit(user.username, "signin", detail)
        return SignedIn(user, token)

    def resume(self, token: str | None) -> User | None:
        """The user of a session still valid now (its use is recorded), else None; a session
        found idle, past its end, or of a disabled user is ended (and audited). The user is
        read afresh, so a changed grant applies from the next page view."""
        if not token:
            return None
        key = token_hash(token)
        session = self.store.session(key)
        if session is None or session.ended_at is not None:
            return None
        now = self.now()
        row = self.store.user(session.username)
        reason = self._end_reason(session, row, now)
        if reason:
            self.store.end_session(key, now, reason)
            self.audit(session.username, "session_end", {"reason": reason})
            return None
        if now - session.last_seen_at >= self.policy.touch_every:
            self.store.touch_session(key, now)
        assert row is not None
        return self.to_user(row)

    def _end_reason(self, session: SessionRow, row: UserRow | None, now: datetime) -> str | None:
        if row is None or not row.active:
            return "disabled"
        if now >= session.expires_at:
            return "expired"
        if now - session.last_seen_at >= self.policy.idle:
            return "idle"
        return None

    def sign_out(self, token: str | None, user: User | None = None) -> None:
        """Ends the session (a second sign-out of the same session is a no-op)."""
        if token and self.store.end_session(token_hash(token), self.now(), "signed_out"):
            session = self.store.session(token_hash(token))
            self.audit(session.username if session else user and user.username, "signout", {})
        elif user is not None and not token:
            self.audit(user.username, "signout", {})

    def open_sessions(self, username: str) -> list[SessionRow]:
        return self.store.open_sessions(normalise_username(username))

    # -- audit ------------------------------------------------------------------------

    def audit(
        self,
        actor: User | str | None,
        action: str,
        detail: dict[str, Any] | None = None,
        *,
        ok: bool = True,
    ) -> int:
        """Records one action: who (a User, a user name, "cli:<os user>", "scheduler" or
        None for nobody signed in), what, and its detail (kept as JSON)."""
        name = actor.username if isinstance(actor, User) else actor
        return self.store.insert_audit(self.now(), name, action, ok, dict(detail or {}))

    def audit_log(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        username: str | None = None,
        actions: Iterable[str] | None = None,
        limit: int = 1000,
    ) -> list[AuditEntry]:
        """The audit log, newest first."""
        return self.store.audit_entries(
            since=since,
            until=until,
            username=username.strip().lower() if username else None,
            actions=list(actions) if actions else None,
            limit=limit,
        )


def _plants_detail(plants: tuple[str, ...] | None) -> str | list[str]:
    return "all" if plants is None else sorted(plants)
