"""Who is signed in to this browser session, and which plants they may see.

The signed-in user lives in st.session_state["andon_user"] (an app.accounts.User) and the
state store's session token in st.session_state["andon_session"]. The entry script
(app/web/main.py) calls `identify()` on every run: it checks the session (expired, signed
out, user disabled or re-granted since) or signs the user in through the configured mode
(app/accounts/config.py). Every page and data helper asks `current_scope()` for the plants
to show: nobody signed in sees no plant at all."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app.accounts import Accounts, Role, User
from app.accounts.config import AuthConfig, AuthMode, ConfigError, proxy_identity
from app.accounts.identity import Match, match_oidc_claims, match_username
from metrics.i18n import DEFAULT_LANG, t
from metrics.scope import Scope

USER_KEY = "andon_user"
SESSION_KEY = "andon_session"  # the state store's session token of this browser session
NOTICE_KEY = "andon_signin_notice"  # why the sign-in page is shown (an i18n key)
SIGNED_OUT_KEY = "andon_signed_out"  # signed out here: don't sign in again by proxy / OIDC
LOCAL_ADMIN = User("local", "Local administrator", Role.ADMIN, Scope.all())


def current_user() -> User | None:
    """The signed-in user, or None."""
    user = st.session_state.get(USER_KEY)
    return user if isinstance(user, User) and user.active else None


def current_scope() -> Scope:
    """The plants the signed-in user may see; Scope.none() when nobody is signed in."""
    user = current_user()
    return user.scope if user is not None else Scope.none()


def auth_config() -> AuthConfig:
    """The sign-in configuration ($ANDON_AUTH …); a broken one stops the app with the fix."""
    try:
        return AuthConfig.from_env()
    except ConfigError as error:
        lang = st.query_params.get("lang") or DEFAULT_LANG
        st.error(t("signin_config_error", lang, error=str(error)))
        st.stop()
        raise


@st.cache_resource(show_spinner=False, max_entries=4)
def _accounts(state_file: str, idle: float, absolute: float, failures: int) -> Accounts:
    from datetime import timedelta
    from pathlib import Path

    from app.accounts import SessionPolicy

    policy = SessionPolicy(
        idle=timedelta(seconds=idle), absolute=timedelta(seconds=absolute), max_failures=failures
    )
    return Accounts(Path(state_file), policy=policy)


def accounts() -> Accounts:
    """The accounts of the state store beside the app's warehouse."""
    from warehouse.location import state_path, warehouse_path

    policy = auth_config().session
    return _accounts(
        str(state_path(warehouse_path())),
        policy.idle.total_seconds(),
        policy.absolute.total_seconds(),
        policy.max_failures,
    )


def client_address() -> str:
    """The browser connection's address as Streamlit sees it ("127.0.0.1" on this machine:
    Streamlit reports loopback connections as None)."""
    return st.context.ip_address or "127.0.0.1"


def audit(action: str, detail: dict[str, Any] | None = None, *, ok: bool = True) -> None:
    """Records what the signed-in user did (see app.accounts.audit.ACTIONS)."""
    accounts().audit(current_user(), action, detail, ok=ok)


def _set(user: User | None, token: str | None = None) -> User | None:
    if user is None:
        st.session_state.pop(USER_KEY, None)
        st.session_state.pop(SESSION_KEY, None)
    else:
        st.session_state[USER_KEY] = user
        if token is not None:
            st.session_state[SESSION_KEY] = token
    return user


def identify(config: AuthConfig | None = None) -> User | None:
    """The user of this run, signed in by the configured mode, or None (the caller then
    shows the sign-in page; NOTICE_KEY says why, when there is something to say)."""
    config = config or auth_config()
    if config.mode is AuthMode.NONE:
        return _set(LOCAL_ADMIN)
    store = accounts()
    token = st.session_state.get(SESSION_KEY)
    if token:
        user = store.resume(token)
        if user is not None and _still_vouched(config, user):
            return _set(user)
        if user is not None:  # the proxy or provider no longer vouches for this user
            store.sign_out(token, user)
        else:
            st.session_state[NOTICE_KEY] = "signin_session_ended"
        _set(None)
    if st.session_state.get(SIGNED_OUT_KEY) or config.mode is AuthMode.PASSWORD:
        return None
    match = _vouched(config, store)
    if match is None:
        return None
    if match.user is None:
        st.session_state[NOTICE_KEY] = f"signin_{match.reason}"
        _audit_refusal(store, config, match)
        return None
    signed = store.start_session(match.user, config.mode.value, source=client_address())
    return _set(signed.user, signed.token)


def _vouched(config: AuthConfig, store: Accounts) -> Match | None:
    """Who the proxy header or the OIDC provider says this is (None: nobody yet)."""
    if config.mode is AuthMode.PROXY:
        said = proxy_identity(
            config, st.context.headers.get_all(config.proxy_header), client_address()
        )
        if said.username is None:
            st.session_state[NOTICE_KEY] = f"signin_proxy_{said.reason}"
            return None
        return match_username(store, said.username)
    if not st.user.is_logged_in:
        return None
    return match_oidc_claims(store, st.user.to_dict())


def _still_vouched(config: AuthConfig, user: User) -> bool:
    """A proxy or OIDC session lasts only while the proxy or provider says the same user."""
    if config.mode is AuthMode.PASSWORD:
        return True
    match = _vouched(config, accounts())
    return match is not None and match.user is not None and match.user.username == user.username


_refused: set[tuple[str, str]] = set()  # (session, identity) refusals already audited


def _audit_refusal(store: Accounts, config: AuthConfig, match: Match) -> None:
    """One audit row per browser session and refused identity (not one per rerun)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    key = (ctx.session_id if ctx else "", match.identity)
    if key in _refused:
        return
    if len(_refused) > 10_000:  # a long-running server: forget old sessions' refusals
        _refused.clear()
    _refused.add(key)
    store.audit(
        None,
        "signin_failed",
        {
            "method": config.mode.value,
            "attempted": match.identity,
            "reason": match.reason,
            "from": client_address(),
        },
        ok=False,
    )


def sign_in(username: str, password: str) -> User | None:
    """Password sign-in from the sign-in page; None for any failure (one message for all).
    TooManyAttempts when this name failed too often lately."""
    signed = accounts().sign_in(username, password, source=client_address())
    if signed is None:
        return None
    st.session_state.pop(NOTICE_KEY, None)
    st.session_state.pop(SIGNED_OUT_KEY, None)
    return _set(signed.user, signed.token)


def sign_in_again() -> None:
    """After a proxy or OIDC sign-out: let the proxy / provider sign this session in again."""
    st.session_state.pop(SIGNED_OUT_KEY, None)
    st.session_state.pop(NOTICE_KEY, None)


def sign_out() -> bool:
    """Ends the session in the state store and in this browser session; with OIDC also
    Streamlit's identity cookie and the provider's session (st.logout, which navigates
    away: True, so the caller does not rerun)."""
    config = auth_config()
    user = current_user()
    token = st.session_state.get(SESSION_KEY)
    if config.mode is not AuthMode.NONE:
        accounts().sign_out(token, user)
    _set(None)
    st.session_state[NOTICE_KEY] = "signin_signed_out"
    if config.mode in (AuthMode.PROXY, AuthMode.OIDC):
        st.session_state[SIGNED_OUT_KEY] = True
    if config.mode is AuthMode.OIDC and st.user.is_logged_in:
        st.logout()
        return True
    return False
