"""The shared sidebar: language, period and dimension filters, restored from and written
back to the URL so a view can be shared as a link. Pages read the result via `context()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from app.web import data, session
from app.web.filters import PRESETS, Filters, from_params, period_bounds, to_params
from metrics.formatting import format_date
from metrics.i18n import DEFAULT_LANG, LANGS, t
from warehouse.connections import NotPublished

STATE = "andon_context"
SAVED = "andon_saved_filters"
FILTER_KEYS = ("f_lang", "f_period", "f_custom", "f_plant", "f_line", "f_shift", "f_family")
PAGE_PARAMS = ("ack",)  # URL parameters a page reads itself (the ack link of alert messages)


@dataclass(frozen=True)
class Context:
    key: str
    as_of: date
    filters: Filters

    @property
    def lang(self) -> str:
        return self.filters.lang


def context() -> Context:
    """What the entry script decided for this run (pages call this, never the widgets)."""
    return st.session_state[STATE]


def language_from_url() -> str:
    lang = st.query_params.get("lang")
    return lang if lang in LANGS else DEFAULT_LANG


def _seed_from_url(as_of: date) -> None:
    """First run of a session: widgets start from the link's query parameters."""
    if st.session_state.get("f_seeded"):
        return
    filters = from_params(dict(st.query_params), as_of)
    st.session_state.update(
        f_lang=filters.lang,
        f_period=filters.preset,
        f_custom=(filters.start, filters.last_day),
        f_plant=filters.plant or "",
        f_line=filters.line or "",
        f_shift=filters.shift or "",
        f_family=filters.family or "",
        f_seeded=True,
    )


def _restore_after_language_switch() -> None:
    """Widget labels change with the language, which makes Streamlit treat them as new
    widgets with default values; put back what the user had picked."""
    saved = st.session_state.get(SAVED)
    if not saved or saved.get("f_lang") == st.session_state.get("f_lang"):
        return
    for name, value in saved.items():
        if name != "f_lang":
            st.session_state[name] = value


def _value(key: str) -> object:
    """A widget's value read from session state (the one source pages and callbacks share)."""
    return st.session_state.get(key)


def _pick(bar, dimension: str, state_key: str, names: dict[str, str], lang: str) -> str:
    """One sidebar filter: "all" or one value of a dimension, labelled in the language."""
    options = ["", *names]
    _keep_valid(state_key, options)
    bar.selectbox(
        data.registry().dimension(dimension).label(lang),
        options,
        key=state_key,
        format_func=lambda k: names.get(k, t("all", lang)),
    )
    return _value(state_key)


def _keep_valid(key: str, options: list[str]) -> None:
    if st.session_state.get(key) not in options:
        st.session_state[key] = ""


def account(bar, lang: str) -> None:
    """Who is signed in (name, role, plants) and the sign-out button."""
    user = session.current_user()
    if user is None:
        return
    if user is session.LOCAL_ADMIN:
        bar.caption(t("signin_local", lang))
        return
    bar.markdown(f"**{t('signed_in_as', lang, name=user.display_name)}**")
    bar.caption(f"{t(f'role_{user.role.value}', lang)} · {user.scope.describe(lang)}")
    clicked = bar.button(t("sign_out", lang), icon=":material/logout:", key="andon_sign_out")
    if clicked and not session.sign_out():  # OIDC's sign-out navigates away by itself
        st.rerun()


def render() -> Context:
    """Draw the sidebar, store the Context for the pages, and mirror it into the URL."""
    account(st.sidebar, st.session_state.get("f_lang") or language_from_url())
    try:
        key = data.warehouse_key()
    except NotPublished:
        st.error(t("no_warehouse", language_from_url()))
        st.stop()
    as_of = data.as_of_date(key)
    _seed_from_url(as_of)
    _restore_after_language_switch()
    bar = st.sidebar
    bar.segmented_control(
        t("language", st.session_state.get("f_lang", DEFAULT_LANG)),
        options=list(LANGS),
        format_func=lambda code: t("language_name", code),
        key="f_lang",
        selection_mode="single",
    )
    lang = st.session_state.get("f_lang") or DEFAULT_LANG
    bar.caption(t("as_of", lang, date=format_date(as_of, lang)))
    bar.selectbox(t("period", lang), PRESETS, key="f_period", format_func=lambda p: t(p, lang))
    preset = _value("f_period")
    custom = None
    if preset == "custom":
        bar.date_input(t("period", lang), key="f_custom", max_value=as_of)
        picked = _value("f_custom")
        if isinstance(picked, tuple | list) and len(picked) == 2:
            custom = (picked[0], picked[1])
    start, end = period_bounds(preset, as_of, custom)
    plants = data.plants(key)
    plant = _pick(bar, "plant", "f_plant", data.label_map(plants, "plant_id", lang), lang)
    lines = data.lines(key)
    if plant:
        lines = lines.filter(lines["plant_id"] == plant)
    line = _pick(bar, "line", "f_line", data.label_map(lines, "line_id", lang), lang)
    shift = _pick(bar, "shift", "f_shift", {code: code for code in data.shifts(key)}, lang)
    family = _pick(bar, "product_family", "f_family", data.family_labels(key, lang), lang)
    filters = Filters(
        preset, start, end, plant or None, line or None, shift or None, family or None, lang
    )
    bar.caption(
        t(
            "period_range",
            lang,
            start=format_date(start, lang),
            end=format_date(filters.last_day, lang),
        )
    )
    bar.caption(t("share_link", lang))
    params = to_params(filters)
    params.update({k: v for k, v in st.query_params.to_dict().items() if k in PAGE_PARAMS})
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
    ctx = Context(key, as_of, filters)
    st.session_state[STATE] = ctx
    st.session_state[SAVED] = {k: st.session_state[k] for k in FILTER_KEYS if k in st.session_state}
    return ctx
