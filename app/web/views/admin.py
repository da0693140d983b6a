"""Users & audit (administrators only): every account with its role and plants, forms to
add a user, change a grant, set a password, disable or enable; and the audit log, its
moments in the administrator's plants' time zone (UTC, said so, for plants in several)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import polars as pl
import streamlit as st

from app.accounts import ACTIONS, AccountError, Action, Role, can
from app.web import data, session
from app.web.plant_locale import moment_text
from app.web.sidebar import context
from metrics.i18n import LANGS, t

ctx = context()
lang = ctx.lang
me = session.current_user()
st.title(t("page_admin", lang))
if not can(me, Action.ADMIN):  # the navigation shows this page to admins only
    st.error(t("admin_only", lang))
    st.stop()
store = session.accounts()
plants = data.plants(ctx.key)
plant_ids = [str(p) for p in plants["plant_id"].to_list()]
plant_names = data.label_map(plants, "plant_id", lang)


def role_label(role: str) -> str:
    return t(f"role_{role}", lang)


def plants_label(value: tuple[str, ...] | None) -> str:
    return t("scope_all_plants", lang) if value is None else ", ".join(value) or "-"


def refused(error: AccountError) -> None:
    st.error(error.text(lang))


users_tab, audit_tab = st.tabs([t("admin_users", lang), t("admin_audit", lang)])

with users_tab:
    rows = store.rows()
    st.dataframe(
        pl.DataFrame(
            {
                t("admin_col_user", lang): [r.username for r in rows],
                t("admin_col_name", lang): [r.display_name for r in rows],
                t("admin_col_role", lang): [role_label(r.role) for r in rows],
                t("admin_col_plants", lang): [plants_label(r.plants) for r in rows],
                t("admin_col_active", lang): [r.active for r in rows],
                t("admin_col_password", lang): [r.password_hash is not None for r in rows],
                t("admin_col_email", lang): [r.email or "" for r in rows],
                t("admin_col_lang", lang): [t("language_name", r.lang) for r in rows],
            },
            schema_overrides={t("admin_col_active", lang): pl.Boolean},
        ),
        hide_index=True,
        width="stretch",
    )

    add_column, change_column = st.columns(2)
    with add_column, st.form("admin_add", clear_on_submit=True):
        st.subheader(t("admin_add_user", lang))
        username = st.text_input(t("signin_username", lang))
        name = st.text_input(t("admin_col_name", lang))
        email = st.text_input(t("admin_col_email", lang))
        role = st.selectbox(
            t("admin_col_role", lang), [r.value for r in Role], format_func=role_label
        )
        chosen = st.multiselect(
            t("admin_col_plants", lang),
            plant_ids,
            format_func=lambda p: plant_names.get(p, p),
            placeholder=t("admin_choose_plants", lang),
        )
        every = st.checkbox(t("scope_all_plants", lang))
        user_lang = st.selectbox(
            t("language", lang), list(LANGS), format_func=lambda c: t("language_name", c)
        )
        password = st.text_input(t("signin_password", lang), type="password")
        if st.form_submit_button(t("admin_add", lang), type="primary"):
            try:
                added = store.add_user(
                    username,
                    role=role,
                    plants=None if every else chosen,
                    password=password or None,
                    display_name=name or None,
                    email=email or None,
                    lang=user_lang,
                    actor=me,
                )
                st.success(t("admin_added", lang, user=added.username))
            except AccountError as error:
                refused(error)

    with change_column:
        st.subheader(t("admin_change_user", lang))
        names = [r.username for r in rows]
        if names:
            picked = st.selectbox(t("admin_col_user", lang), names, key="admin_pick")
            row = next(r for r in rows if r.username == picked)
            with st.form("admin_grant"):
                new_role = st.selectbox(
                    t("admin_col_role", lang),
                    [r.value for r in Role],
                    index=[r.value for r in Role].index(row.role),
                    format_func=role_label,
                )
                new_plants = st.multiselect(
                    t("admin_col_plants", lang),
                    plant_ids,
                    default=[p for p in row.plants or () if p in plant_ids],
                    format_func=lambda p: plant_names.get(p, p),
                    placeholder=t("admin_choose_plants", lang),
                )
                new_every = st.checkbox(t("scope_all_plants", lang), value=row.plants is None)
                if st.form_submit_button(t("admin_save_grant", lang)):
                    try:
                        done = store.grant(
                            row.username,
                            role=new_role,
                            plants=None if new_every else new_plants,
                            actor=me,
                        )
                        st.success(
                            t(
                                "admin_granted",
                                lang,
                                user=done.username,
                                role=role_label(done.role.value),
                                plants=done.scope.describe(lang),
                            )
                        )
                    except AccountError as error:
                        refused(error)
            with st.form("admin_password", clear_on_submit=True):
                new_password = st.text_input(t("admin_new_password", lang), type="password")
                if st.form_submit_button(t("admin_set_password", lang)):
                    try:
                        store.set_password(row.username, new_password, actor=me)
                        st.success(t("admin_password_set", lang, user=row.username))
                    except AccountError as error:
                        refused(error)
            if row.active:
                if row.username != me.username and st.button(
                    t("admin_disable", lang), key="admin_disable", icon=":material/block:"
                ):
                    store.disable(row.username, actor=me)
                    st.rerun()
            elif st.button(t("admin_enable", lang), key="admin_enable"):
                store.enable(row.username, actor=me)
                st.rerun()

with audit_tab:
    filters = st.columns(3)
    who = filters[0].selectbox(
        t("admin_col_user", lang),
        ["", *[r.username for r in store.rows()]],
        format_func=lambda u: u or t("all", lang),
        key="audit_user",
    )
    what = filters[1].multiselect(
        t("admin_col_action", lang),
        list(ACTIONS),
        format_func=lambda a: t(f"audit_{a}", lang),
        key="audit_actions",
        placeholder=t("admin_every_action", lang),
    )
    since_day = filters[2].date_input(
        t("admin_since", lang),
        value=datetime.now(UTC).date() - timedelta(days=7),
        key="audit_since",
    )
    entries = store.audit_log(
        since=datetime.combine(since_day, time(), tzinfo=UTC),
        username=who or None,
        actions=what or None,
        limit=2000,
    )
    st.caption(t("admin_audit_rows", lang, n=len(entries)))
    st.dataframe(
        pl.DataFrame(
            {
                t("admin_col_at", lang): [moment_text(e.at, lang, ctx.timezone) for e in entries],
                t("admin_col_user", lang): [e.username or "-" for e in entries],
                t("admin_col_action", lang): [
                    t(f"audit_{e.action}", lang) if e.action in ACTIONS else e.action
                    for e in entries
                ],
                t("admin_col_ok", lang): [e.ok for e in entries],
                t("admin_col_detail", lang): [
                    json.dumps(e.detail, ensure_ascii=False, sort_keys=True) for e in entries
                ],
            },
            schema_overrides={
                t("admin_col_at", lang): pl.String,
                t("admin_col_ok", lang): pl.Boolean,
            },
        ),
        hide_index=True,
        width="stretch",
    )
