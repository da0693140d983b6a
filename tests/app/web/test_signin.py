"""The app's door, through AppTest on the sample warehouse: nobody signed in sees only the
sign-in page, whatever page is asked for; the form signs in; sessions that ended, users
disabled meanwhile and sign-out lead back to it; each role gets its pages; the admin page
manages users and shows the audit log."""

from __future__ import annotations

import pytest

from app.accounts import Accounts
from app.accounts.service import token_hash
from metrics.i18n import t
from tests.app.web.conftest import APP, PASSWORDS


def fresh(**params: str):  # noqa: ANN201 - AppTest
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    return at


def on_signin_page(at, lang: str = "en") -> bool:  # noqa: ANN001
    return (
        not at.exception
        and [title.value for title in at.title] == [t("signin_title", lang)]
        and not at.metric
        and not at.dataframe
        and not at.sidebar.children
    )


def test_nobody_signed_in_sees_only_the_sign_in_page(accounts: Accounts) -> None:
    at = fresh(period="last_12_months", plant="SZ").run()
    assert on_signin_page(at)
    at.switch_page("views/equipment.py").run()
    assert on_signin_page(at)
    at.switch_page("views/admin.py").run()
    assert on_signin_page(at)
    assert "andon_context" not in at.session_state  # the sidebar never ran: no data read


def test_the_sign_in_page_speaks_chinese(accounts: Accounts) -> None:
    at = fresh(lang="zh").run()
    assert on_signin_page(at, "zh")
    assert [w.label for w in at.text_input] == ["用户名", "密码"]


def test_the_sign_in_page_speaks_vietnamese_and_offers_every_language(accounts: Accounts) -> None:
    at = fresh(lang="vi").run()
    assert on_signin_page(at, "vi")
    labels = [w.label for w in at.text_input]
    assert labels == [t("signin_username", "vi"), t("signin_password", "vi")]
    switch = at.get("button_group")[0]
    assert switch.proto.options and [o.content for o in switch.proto.options] == [
        "English",
        "中文",
        "Tiếng Việt",
    ]


def sign_in_with_form(at, username: str, password: str) -> None:  # noqa: ANN001
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_pw").input(password)
    at.button[0].click().run()


def test_the_form_signs_in_and_opens_the_page_asked_for(accounts: Accounts) -> None:
    at = fresh(period="last_12_months").run()
    at.switch_page("views/equipment.py").run()
    sign_in_with_form(at, "sz.manager", "wrong password")
    assert at.error[0].value == t("signin_failed", "en")
    assert on_signin_page(at)  # the error is shown with the form, nothing else
    sign_in_with_form(at, "SZ.Manager", PASSWORDS["sz.manager"])
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == t("page_equipment", "en")
    assert at.session_state["andon_user"].username == "sz.manager"
    assert at.session_state["andon_context"].filters.preset == "last_12_months"
    failed, signed = accounts.audit_log(actions=["signin_failed", "signin"])[::-1]
    assert (failed.action, failed.detail["reason"]) == ("signin_failed", "wrong_password")
    assert (signed.action, signed.username) == ("signin", "sz.manager")


def test_signed_in_the_app_speaks_the_users_language(accounts: Accounts) -> None:
    accounts.update_profile("dg.analyst", lang="zh")
    at = fresh(period="last_week").run()  # the sign-in page: English, no link language
    sign_in_with_form(at, "dg.analyst", PASSWORDS["dg.analyst"])
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == t("page_overview", "zh")
    assert "lang" not in at.query_params  # their own language: the link need not say it
    at = fresh(lang="en").run()  # a link that says English: English for this session
    sign_in_with_form(at, "dg.analyst", PASSWORDS["dg.analyst"])
    assert at.title[0].value == t("page_overview", "en")


def test_an_unknown_name_gets_the_same_message(accounts: Accounts) -> None:
    at = fresh().run()
    sign_in_with_form(at, "nobody", PASSWORDS["admin"])
    assert at.error[0].value == t("signin_failed", "en")


def test_ended_sessions_and_disabled_users_go_back_to_sign_in(open_page, accounts) -> None:
    at = open_page("overview", user="dg.analyst", period="last_12_months")
    assert at.title[0].value == t("page_overview", "en")
    accounts.sign_out(at.session_state["andon_session"])  # e.g. signed out in another place
    at.run()
    assert on_signin_page(at)
    assert at.warning[0].value == t("signin_session_ended", "en")
    assert not at.metric

    at = open_page("overview", user="dg.analyst", period="last_12_months")
    token = at.session_state["andon_session"]
    accounts.disable("dg.analyst", actor="admin")
    at.run()
    assert on_signin_page(at)
    assert "andon_session" not in at.session_state and "andon_user" not in at.session_state
    assert accounts.store.session(token_hash(token)).end_reason == "disabled"
    assert accounts.audit_log(actions=["user_disable"])[0].detail == {
        "user": "dg.analyst",
        "sessions_ended": 1,
    }


def test_sign_out(open_page, accounts: Accounts) -> None:
    at = open_page("overview", user="group.viewer", period="last_12_months")
    token = at.session_state["andon_session"]
    sidebar_text = [m.value for m in at.sidebar.markdown]
    assert "**Signed in as Li Na (Group)**" in sidebar_text
    at.sidebar.button(key="andon_sign_out").click().run()
    assert at.title[0].value == t("signin_title", "en")
    assert at.success[0].value == t("signin_signed_out", "en")
    assert accounts.resume(token) is None
    assert accounts.audit_log()[0].action == "signout"


PAGES_OF = {
    "admin": {"sql_workbench", "admin"},
    "dg.analyst": {"sql_workbench"},
    "sz.manager": set(),
    "group.viewer": set(),
}


@pytest.mark.parametrize("username", list(PAGES_OF))
def test_pages_by_role(open_page, username: str) -> None:
    at = open_page("overview", user=username, period="last_12_months")
    for page, title in (("sql_workbench", "page_workbench"), ("admin", "page_admin")):
        if page in PAGES_OF[username]:
            at.switch_page(f"views/{page}.py").run()
            assert not at.exception, [e.message for e in at.exception]
            assert at.title[0].value == t(title, "en")
        else:  # not in this role's navigation at all
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(f"views/{page}.py")


def test_downloads_only_for_roles_that_may(open_page) -> None:
    analyst = open_page("equipment", user="dg.analyst", period="last_12_months")
    manager = open_page("equipment", user="sz.manager", period="last_12_months")
    assert len(analyst.get("download_button")) > 0
    assert len(manager.get("download_button")) == 0


def test_sign_in_off_is_refused_off_loopback(accounts, monkeypatch) -> None:
    monkeypatch.setenv("ANDON_AUTH", "none")
    at = fresh().run()  # AppTest sets no server address: not known to be 127.0.0.1
    assert at.error[0].value == t("signin_none_refused", "en")
    assert not at.metric


def test_admin_page_manages_users_and_shows_the_audit_log(open_page, accounts) -> None:
    at = open_page("admin", period="last_12_months")
    assert not at.exception, [e.message for e in at.exception]
    users = at.dataframe[0].value
    assert list(users["User"]) == ["admin", "dg.analyst", "group.viewer", "sz.manager"]
    assert list(users["Plants"]) == ["all plants", "DG", "all plants", "SZ"]
    form = "admin_add"
    inputs = {w.label: w for w in at.text_input if w.form_id == form}
    inputs["User name"].input("hp.viewer")
    inputs["Password"].input("haiphong-pass")
    role = next(s for s in at.selectbox if s.form_id == form and s.label == "Role")
    role.set_value("viewer")
    plants = next(m for m in at.multiselect if m.form_id == form)
    plants.set_value(["HP"])
    next(b for b in at.button if b.form_id == form).click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.success[0].value == "Added hp.viewer."
    added = accounts.get("hp.viewer")
    assert (added.role.value, added.scope.plants) == ("viewer", frozenset({"HP"}))
    assert accounts.sign_in("hp.viewer", "haiphong-pass") is not None
    log = at.dataframe[-1].value
    assert "User added" in list(log["Action"]) and "Signed in" in list(log["Action"])
    row = accounts.audit_log(actions=["user_add"])[0]
    assert (row.username, row.detail) == (
        "admin",
        {"user": "hp.viewer", "role": "viewer", "plants": ["HP"]},
    )
