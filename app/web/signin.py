"""The sign-in page: what everyone sees until they are signed in, whatever page the link
named (the entry script keeps that page's address, so signing in opens it).

Password mode shows the form; OIDC mode a button to the identity provider (st.login);
proxy mode explains why the proxy's word was not taken. Every message is in the page's
language (the link's ?lang=, else English, until the switch here is used), and no message
tells whether a user name exists. Once signed in, the app speaks the user's own language
unless the link or this switch said another (app/web/sidebar.py decide_language)."""

from __future__ import annotations

import streamlit as st

from app.accounts import TooManyAttempts
from app.accounts.config import AuthConfig, AuthMode
from app.web import session
from metrics.i18n import DEFAULT_LANG, LANGS, t

LANG_KEY = "signin_lang"


def _language() -> str:
    """The sign-in page's language switch, mirrored into the URL's lang parameter (which
    the sidebar then starts from)."""
    lang = st.query_params.get("lang")
    if st.session_state.get(LANG_KEY) not in LANGS:
        st.session_state[LANG_KEY] = lang if lang in LANGS else DEFAULT_LANG

    def keep() -> None:
        chosen = st.session_state.get(LANG_KEY) or DEFAULT_LANG
        st.session_state[LANG_KEY] = chosen
        st.query_params["lang"] = chosen
        st.session_state["f_lang"] = chosen

    st.segmented_control(
        t("language", st.session_state[LANG_KEY]),
        options=list(LANGS),
        format_func=lambda code: t("language_name", code),
        key=LANG_KEY,
        selection_mode="single",
        required=True,
        on_change=keep,
    )
    return st.session_state.get(LANG_KEY) or DEFAULT_LANG


def render(config: AuthConfig) -> None:
    """Draw the sign-in page; on success rerun into the page the address names."""
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        lang = _language()
        st.title(t("signin_title", lang))
        notice = st.session_state.get(session.NOTICE_KEY)
        if notice:
            (st.success if notice == "signin_signed_out" else st.warning)(t(notice, lang))
        if config.mode is AuthMode.PASSWORD:
            _password_form(lang)
        elif config.mode is AuthMode.OIDC:
            _oidc(config, lang)
        else:
            _proxy(lang)


def _password_form(lang: str) -> None:
    store = session.accounts()
    if not store.has_users():
        st.info(t("signin_no_users", lang))
    # cleared on submit: the password does not stay in the session's state
    with st.form("andon_signin", enter_to_submit=True, clear_on_submit=True):
        username = st.text_input(t("signin_username", lang), key="signin_username")
        password = st.text_input(t("signin_password", lang), type="password", key="signin_pw")
        submitted = st.form_submit_button(t("signin_submit", lang), type="primary")
    if not submitted:
        return
    try:
        user = session.sign_in(username, password)
    except TooManyAttempts as error:
        st.error(error.text(lang))
        return
    if user is None:
        st.error(t("signin_failed", lang))
        return
    st.rerun()  # into the page the address names, in the user's language (sidebar.py)


def _oidc(config: AuthConfig, lang: str) -> None:
    if st.session_state.get(session.SIGNED_OUT_KEY) and st.user.is_logged_in:
        if st.button(t("signin_again", lang), type="primary"):
            session.sign_in_again()
            st.rerun()
        return
    if st.button(t("signin_oidc", lang), type="primary", icon=":material/login:"):
        session.sign_in_again()
        if config.oidc_provider:
            st.login(config.oidc_provider)
        else:
            st.login()
    # identified by the provider, but not as an Andon user: let them switch identities
    if st.user.is_logged_in and st.button(t("sign_out", lang)):
        st.logout()


def _proxy(lang: str) -> None:
    if st.session_state.get(session.SIGNED_OUT_KEY) and st.button(
        t("signin_again", lang), type="primary"
    ):
        session.sign_in_again()
        st.rerun()
