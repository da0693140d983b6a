"""Every text the accounts show exists in every language: the composed keys (roles,
audit actions, sign-in notices) and each error's message."""

from __future__ import annotations

import pytest

from app.accounts import ACTIONS, AccountError, Role
from metrics.i18n import LANGS, catalogue

NOTICES = [
    "signin_session_ended",
    "signin_signed_out",
    *(f"signin_{r}" for r in ("unknown_identity", "disabled", "unverified_email", "no_identity")),
    *(
        f"signin_proxy_{r}"
        for r in ("untrusted_peer", "no_header", "several", "forwarders_trusted")
    ),
]
COMPOSED = [f"role_{role.value}" for role in Role] + [f"audit_{a}" for a in ACTIONS] + NOTICES


@pytest.mark.parametrize("key", COMPOSED)
def test_composed_keys_exist(key: str) -> None:
    assert set(catalogue()[key]) == set(LANGS)


def test_errors_speak_both_languages() -> None:
    error = AccountError("account_unknown_plants", plants="XX", known="DG, HP, SZ")
    assert str(error) == "Unknown plant XX: the warehouse has DG, HP, SZ."
    assert error.text("zh") == "未知工厂 XX：数据仓库中有 DG, HP, SZ。"
