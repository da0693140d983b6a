"""Identities from a proxy or an OIDC provider, matched to Andon users (as data)."""

from __future__ import annotations

import pytest

from app.accounts import Accounts
from app.accounts.identity import match_oidc_claims, match_username


@pytest.fixture
def people(accounts: Accounts) -> Accounts:
    accounts.add_user("li.wei", role="plant_manager", plants=["SZ"], email="Li.Wei@plant.example")
    accounts.add_user("chen", role="analyst", plants=["DG"])
    accounts.add_user("gone", role="viewer", plants=["HP"], email="gone@plant.example")
    accounts.disable("gone")
    return accounts


# (claims, matched user or None, identity, reason)
CLAIMS = [
    (
        {"email": "li.wei@plant.example", "email_verified": True},
        "li.wei",
        "li.wei@plant.example",
        None,
    ),
    ({"email": "LI.WEI@PLANT.EXAMPLE"}, "li.wei", "li.wei@plant.example", None),
    (
        {"email": "other@plant.example", "preferred_username": "chen"},
        "chen",
        "other@plant.example",
        None,
    ),
    ({"preferred_username": "Chen"}, "chen", "chen", None),
    (
        {"email": "li.wei@plant.example", "email_verified": False},
        None,
        "li.wei@plant.example",
        "unverified_email",
    ),
    ({"email": "gone@plant.example"}, None, "gone@plant.example", "disabled"),
    (
        {"email": "stranger@elsewhere.example"},
        None,
        "stranger@elsewhere.example",
        "unknown_identity",
    ),
    ({"preferred_username": "root"}, None, "root", "unknown_identity"),
    ({"sub": "f81d4fae"}, None, "f81d4fae", "unknown_identity"),
    ({}, None, "", "no_identity"),
]


@pytest.mark.parametrize(("claims", "username", "identity", "reason"), CLAIMS)
def test_oidc_claims(people: Accounts, claims, username, identity, reason) -> None:
    match = match_oidc_claims(people, claims)
    assert (match.user.username if match.user else None, match.identity, match.reason) == (
        username,
        identity,
        reason,
    )


def test_proxy_names(people: Accounts) -> None:
    assert match_username(people, "LI.WEI").user.username == "li.wei"
    assert match_username(people, "gone").reason == "disabled"
    assert match_username(people, "nobody").reason == "unknown_identity"
    assert match_username(people, "bad name!").reason == "unknown_identity"
