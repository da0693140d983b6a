"""Andon's Streamlit app: the entry script signs the user in, decides the language (the
user's own, unless the link or the switcher says another: app/web/sidebar.py), sets up the
shared sidebar (who is signed in, language, the filters the page uses) and hands over to the
page the user picked, among the pages their role may see. Adding a page is one line in
PAGES, which also names the sidebar filters it uses.

Nothing is fetched from elsewhere (plants are offline): the app's icon is a file beside this
script, usage statistics are off (.streamlit/config.toml, `andon app`).

Until someone is signed in, every address shows the sign-in page (app/web/signin.py) and
nothing else runs: no sidebar, no data. Every page stays routable meanwhile, so a deep
link (/equipment?plant=SZ) opens that page once signed in.

Page files live in app/web/views/, not app/web/pages/: a `pages/` folder beside the entry script
switches Streamlit into its legacy multipage mode, which runs a deep-linked page without
this script (no sign-in, no sidebar, no filters)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `streamlit run app/web/main.py` puts only app/web/ on the path
    sys.path.insert(0, str(ROOT))

from app.accounts import Action, User, can  # noqa: E402
from app.accounts.config import AuthMode, is_loopback  # noqa: E402
from app.web import session, signin  # noqa: E402
from app.web.filters import FILTERS  # noqa: E402
from app.web.sidebar import decide_language, language_from_url, published_key, render  # noqa: E402
from metrics.i18n import t  # noqa: E402

PAGES_DIR = Path(__file__).resolve().parent / "views"
# The app's icon, inline in the page (a Material icon name would make the browser
# fetch it from a font server on every load; plants are offline).
ICON = Path(__file__).resolve().parent / "static" / "andon.svg"
KPI_FILTERS = FILTERS  # period, plant, line, shift, product family
# (file in app/web/views, label key in the i18n catalogue, icon, url path, the action the
# page needs, the sidebar filters it uses — the sidebar draws only those; the first page is
# at /)
PAGES = [
    ("overview.py", "page_overview", ":material/dashboard:", "overview", Action.READ, KPI_FILTERS),
    ("ask.py", "page_ask", ":material/chat:", "ask", Action.READ, ()),  # the question says
    (
        "equipment.py",
        "page_equipment",
        ":material/precision_manufacturing:",
        "equipment",
        Action.READ,
        ("period", "plant", "line", "shift"),
    ),
    ("quality.py", "page_quality", ":material/verified:", "quality", Action.READ, KPI_FILTERS),
    (
        "planning.py",
        "page_planning",
        ":material/event_note:",
        "planning",
        Action.READ,
        ("period", "plant", "line"),
    ),
    (
        "delivery.py",
        "page_delivery",
        ":material/local_shipping:",
        "delivery",
        Action.READ,
        ("period", "plant", "family"),
    ),
    (
        "order_journey.py",
        "page_journey",
        ":material/route:",
        "journey",
        Action.READ,
        ("period", "plant"),
    ),
    (
        "inventory.py",
        "page_inventory",
        ":material/inventory_2:",
        "inventory",
        Action.READ,
        ("period", "plant", "family"),
    ),
    ("health.py", "page_health", ":material/monitor_heart:", "health", Action.READ, ()),
    (
        "sql_workbench.py",
        "page_workbench",
        ":material/terminal:",
        "workbench",
        Action.WORKBENCH,
        (),
    ),
    ("reports.py", "page_reports", ":material/schedule_send:", "reports", Action.READ, ()),
    ("admin.py", "page_admin", ":material/admin_panel_settings:", "admin", Action.ADMIN, ()),
]
FILTERS_OF = {url: uses for _, _, _, url, _, uses in PAGES}


def pages_for(user: User | None, lang: str) -> list[st.Page]:
    """The pages `user` may open (None: every page, hidden behind the sign-in page)."""
    return [
        st.Page(
            PAGES_DIR / name,
            title=t(label, lang),
            icon=icon,
            url_path=None if index == 0 else url,
            default=index == 0,
        )
        for index, (name, label, icon, url, action, _) in enumerate(PAGES)
        if (PAGES_DIR / name).exists() and (user is None or can(user, action))
    ]


def filters_of(page: st.Page) -> tuple[str, ...]:
    """The sidebar filters `page` uses (the first page is at "/", url path "")."""
    return FILTERS_OF.get(page.url_path or PAGES[0][3], ())


def page_config(lang: str) -> None:
    st.set_page_config(page_title=t("app_title", lang), page_icon=str(ICON), layout="wide")


def main() -> None:
    config = session.auth_config()
    if config.mode is AuthMode.NONE and not is_loopback(st.get_option("server.address")):
        lang = st.session_state.get("f_lang") or language_from_url()
        page_config(lang)
        st.error(t("signin_none_refused", lang))
        st.stop()
    user = session.identify(config)
    if user is None:
        page_config(st.session_state.get(signin.LANG_KEY) or language_from_url())
        st.navigation(pages_for(None, language_from_url()), position="hidden")
        signin.render(config)
        return
    key = published_key()
    lang = decide_language(user, key)
    page_config(lang)
    page = st.navigation(pages_for(user, lang))
    render(filters_of(page), key)
    page.run()


if __name__ == "__main__":  # as Streamlit runs it; importing it (tests) runs nothing
    main()
