"""Password hashing with Argon2id (argon2-cffi): salted, memory-hard, verified in constant
time by the library. Andon never stores or logs a password, only its hash."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.accounts.errors import PasswordError

MIN_LENGTH = 8
MAX_LENGTH = 256

_hasher = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked when the user name is unknown, so a wrong name takes as long as a wrong
    password; made on first sign-in, not at import (every `andon` command imports this)."""
    return _hasher.hash("andon: no such user")


def check_policy(password: str, username: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordError("password_too_short", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise PasswordError("password_too_long", n=MAX_LENGTH)
    if password.strip().lower() == username.strip().lower():
        raise PasswordError("password_is_username")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches `stored_hash`; a missing hash is checked against a dummy
    (and fails), so the time taken does not tell whether the user exists."""
    dummy = _dummy_hash()  # made on the first check, whichever way it goes
    try:
        return _hasher.verify(stored_hash or dummy, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's (rehash on sign-in)."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
