"""Identities vouched for by someone else — a trusted reverse proxy or an OpenID Connect
provider — matched to Andon users, who carry the role and plants. An identity without an
Andon user, or of a disabled user, gets nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.accounts.service import Accounts
from app.accounts.users import User


@dataclass(frozen=True)
class Match:
    user: User | None
    identity: str  # what the provider or proxy said, for messages and the audit log
    reason: str | None = None  # unknown_identity | disabled | unverified_email | no_identity


def match_username(accounts: Accounts, username: str) -> Match:
    """The proxy's user name, matched to an Andon user name (case-insensitive)."""
    user = accounts.get(username)
    if user is None:
        return Match(None, username, "unknown_identity")
    if not user.active:
        return Match(None, username, "disabled")
    return Match(user, username)


def match_oidc_claims(accounts: Accounts, claims: Mapping[str, Any]) -> Match:
    """An OIDC identity (st.user's claims): the e-mail first (unless the provider says it
    is not verified), then preferred_username, matched to an Andon user."""
    email = str(claims.get("email") or "").strip().lower()
    login = str(claims.get("preferred_username") or "").strip().lower()
    identity = email or login or str(claims.get("sub") or "")
    if not identity:
        return Match(None, "", "no_identity")
    if email:
        if claims.get("email_verified") is False:
            return Match(None, email, "unverified_email")
        row = accounts.store.user_by_email(email)
        if row is not None:
            user = accounts.to_user(row)
            return Match(user, email) if user.active else Match(None, email, "disabled")
    if login:
        found = match_username(accounts, login)
        return Match(found.user, identity, found.reason)
    return Match(None, identity, "unknown_identity")
