"""Ask: a question in English or Chinese, answered through the metrics layer, with the
reading as editable chips, the chart, the table, the SQL and a way into the workbench."""

import streamlit as st

from app.web.ask_box import render_ask_box
from app.web.sidebar import context
from metrics.i18n import t

lang = context().lang
st.title(t("page_ask", lang))
render_ask_box(lang, key="ask")
