"""The shared sidebar: who is signed in, the language, and the period and dimension filters
the page uses, restored from and written back to the URL so a view can be shared as a link.
Pages read the result via `context()`.

A page names the filters it uses (app/web/main.py PAGES); the sidebar draws only those. The
others keep their values — in the session (the widgets' persist_state="session") and in the
URL — for the next page that uses them, and the page sees them unset (Filters.only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from app.accounts import User
from app.web import data, session, signin
from app.web.filters import (
    DEFAULT_PRESET,
    FILTERS,
    PRESETS,
    Filters,
    from_params,
    period_bounds,
    to_params,
)
from app.web.plant_locale import Place, default_language, place
from metrics.formatting import format_date
from metrics.i18n import DEFAULT_LANG, LANGS, t
from warehouse.connections import NotPublished

STATE = "andon_context"
SAVED = "andon_saved_filters"
LANG_FOR = "andon_lang_for"  # whose default language f_lang was set from (a user name)
FILTER_KEYS = ("f_lang", "f_period", "f_custom", "f_plant", "f_line", "f_shift", "f_family")
PAGE_PARAMS = ("ack",)  # URL parameters a page reads itself (the ack link of alert messages)
KEEP = "session"  # a filter keeps its value on the pages that do not draw it


@dataclass(frozen=True)
class Context:
    key: str
    as_of: date
    filters: Filters
    place: Place = Place(None, None)  # the user's plants' one language and time zone

    @property
    def lang(self) -> str:
        return self.filters.lang

    @property
    def timezone(self) -> str | None:
        """The time zone moments are shown in (None: UTC, said so)."""
        return self.place.timezone


def context() -> Context:
    """What the entry script decided for this run (pages call this, never the widgets)."""
    return st.session_state[STATE]


def language_from_url() -> str:
    lang = st.query_params.get("lang")
    return lang if lang in LANGS else DEFAULT_LANG


def published_key() -> str:
    """The published warehouse's key; without one the app says how to build it and stops."""
    try:
        return data.warehouse_key()
    except NotPublished:
        st.error(t("no_warehouse", st.session_state.get("f_lang") or language_from_url()))
        st.stop()
        raise


def user_language(user: User, key: str) -> str:
    """`user`'s language when neither the URL nor the switcher says one."""
    return default_language(getattr(user, "lang", None), place(key).lang)


def decide_language(user: User, key: str) -> str:
    """The language of this run: the switcher's once set; else, on the first run of a
    signed-in user, the URL's ?lang=, else the user's own language (user_language)."""
    if st.session_state.get(LANG_FOR) != user.username or st.session_state.get("f_lang") not in (
        LANGS
    ):
        asked = st.query_params.get("lang")
        st.session_state["f_lang"] = asked if asked in LANGS else user_language(user, key)
        st.session_state[LANG_FOR] = user.username
    return st.session_state["f_lang"]


def _seed_from_url(as_of: date) -> None:
    """First run of a session: the filter widgets start from the link's query parameters."""
    if st.session_state.get("f_seeded"):
        return
    filters = from_params(dict(st.query_params), as_of)
    st.session_state.update(
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


def _pick(
    bar, dimension: str, state_key: str, names: dict[str, str], lang: str, shown: bool
) -> str:
    """One sidebar filter: "all" or one value of a dimension, labelled in the language; drawn
    only when the page uses it (else its value is kept as it is, if it is still valid)."""
    options = ["", *names]
    _keep_valid(state_key, options)
    if shown:
        bar.selectbox(
            data.registry().dimension(dimension).label(lang),
            options,
            key=state_key,
            format_func=lambda k: names.get(k, t("all", lang)),
            persist_state=KEEP,
        )
    return _value(state_key) or ""


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
    if clicked:
        st.session_state[signin.LANG_KEY] = lang  # the sign-in page stays in this language
        if not session.sign_out():  # OIDC's sign-out navigates away by itself
            st.rerun()


def _language(bar) -> str:
    """The language switcher (one language always chosen)."""
    current = st.session_state.get("f_lang")
    if current not in LANGS:
        st.session_state["f_lang"] = DEFAULT_LANG
    bar.segmented_control(
        t("language", st.session_state["f_lang"]),
        options=list(LANGS),
        format_func=lambda code: t("language_name", code),
        key="f_lang",
        selection_mode="single",
        required=True,
    )
    return st.session_state.get("f_lang") or DEFAULT_LANG


def render(uses: tuple[str, ...] = FILTERS, key: str | None = None) -> Context:
    """Draw the sidebar with the filters in `uses` (names in filters.FILTERS), store the
    Context for the page, and mirror every filter into the URL."""
    key = key or published_key()
    user = session.current_user()
    account(st.sidebar, st.session_state.get("f_lang") or language_from_url())
    as_of = data.as_of_date(key)
    _seed_from_url(as_of)
    _restore_after_language_switch()
    bar = st.sidebar
    lang = _language(bar)
    bar.caption(t("as_of", lang, date=format_date(as_of, lang)))
    if "period" in uses:
        bar.selectbox(
            t("period", lang),
            PRESETS,
            key="f_period",
            format_func=lambda p: t(p, lang),
            persist_state=KEEP,
        )
    preset = _value("f_period") if _value("f_period") in PRESETS else DEFAULT_PRESET
    custom = None
    if preset == "custom":
        if "period" in uses:
            bar.date_input(t("period", lang), key="f_custom", max_value=as_of, persist_state=KEEP)
        picked = _value("f_custom")
        if isinstance(picked, tuple | list) and len(picked) == 2:
            custom = (picked[0], picked[1])
    start, end = period_bounds(preset, as_of, custom)
    plants = data.plants(key)
    plant_names = data.label_map(plants, "plant_id", lang)
    plant = _pick(bar, "plant", "f_plant", plant_names, lang, "plant" in uses)
    lines = data.lines(key)
    if plant:
        lines = lines.filter(lines["plant_id"] == plant)
    line_names = data.label_map(lines, "line_id", lang)
    line = _pick(bar, "line", "f_line", line_names, lang, "line" in uses)
    shift_names = {code: code for code in data.shifts(key)}
    shift = _pick(bar, "shift", "f_shift", shift_names, lang, "shift" in uses)
    families = data.family_labels(key, lang)
    family = _pick(bar, "product_family", "f_family", families, lang, "family" in uses)
    kept = Filters(
        preset, start, end, plant or None, line or None, shift or None, family or None, lang
    )
    if "period" in uses:
        bar.caption(
            t(
                "period_range",
                lang,
                start=format_date(start, lang),
                end=format_date(kept.last_day, lang),
            )
        )
    if any(name in uses for name in FILTERS):
        bar.caption(t("share_link", lang))
    own_lang = user_language(user, key) if user is not None else DEFAULT_LANG
    params = to_params(kept, default_lang=own_lang)
    params.update({k: v for k, v in st.query_params.to_dict().items() if k in PAGE_PARAMS})
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
    ctx = Context(key, as_of, kept.only(uses), place(key))
    st.session_state[STATE] = ctx
    st.session_state[SAVED] = {k: st.session_state[k] for k in FILTER_KEYS if k in st.session_state}
    return ctx
