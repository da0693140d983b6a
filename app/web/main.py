"""Andon's Streamlit app: the entry script sets up the shared sidebar (language, filters)
and hands over to the page the user picked. Adding a page is one line in PAGES.

Page files live in app/web/views/, not app/web/pages/: a `pages/` folder beside the entry script
switches Streamlit into its legacy multipage mode, which runs a deep-linked page without
this script (no sidebar, no filters)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `streamlit run app/web/main.py` puts only app/web/ on the path
    sys.path.insert(0, str(ROOT))

from app.web.sidebar import language_from_url, render  # noqa: E402
from metrics.i18n import t  # noqa: E402

PAGES_DIR = Path(__file__).resolve().parent / "views"
# (file in app/web/views, label key in i18n.LABELS, icon, url path; the first page is at /)
PAGES = [
    ("overview.py", "page_overview", ":material/dashboard:", "overview"),
    ("ask.py", "page_ask", ":material/chat:", "ask"),
    ("equipment.py", "page_equipment", ":material/precision_manufacturing:", "equipment"),
    ("quality.py", "page_quality", ":material/verified:", "quality"),
    ("delivery.py", "page_delivery", ":material/local_shipping:", "delivery"),
    ("inventory.py", "page_inventory", ":material/inventory_2:", "inventory"),
    ("health.py", "page_health", ":material/monitor_heart:", "health"),
    ("sql_workbench.py", "page_workbench", ":material/terminal:", "workbench"),
    ("reports.py", "page_reports", ":material/schedule_send:", "reports"),
]


def main() -> None:
    lang = st.session_state.get("f_lang") or language_from_url()
    st.set_page_config(
        page_title=t("app_title", lang), page_icon=":material/factory:", layout="wide"
    )
    pages = [
        st.Page(
            PAGES_DIR / name,
            title=t(label, lang),
            icon=icon,
            url_path=None if index == 0 else url,
            default=index == 0,
        )
        for index, (name, label, icon, url) in enumerate(PAGES)
        if (PAGES_DIR / name).exists()
    ]
    render()
    page = st.navigation(pages)
    page.run()


main()
