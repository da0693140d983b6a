"""SQL workbench: one read-only SELECT at a time against the published warehouse, in the
signed-in user's plants (metrics.sandbox), with the schema they may query and its dbt
descriptions, a quick chart, downloads, saved queries and history. Every run is audited.

The dbt docs are written in English: in another language each column also gets its name in
that language where the catalogue or the registry has one, and the page says the
descriptions are English."""

import polars as pl
import streamlit as st

from app.accounts import Action, can
from app.web import charts, data, session
from app.web.downloads import download_buttons
from app.web.sidebar import context
from app.web.widgets import display_table
from metrics import sandbox
from metrics.formatting import NULL
from metrics.i18n import DEFAULT_LANG, column_label, t
from metrics.sandbox.limits import LimitError
from metrics.scope import Scope

HISTORY = "wb_history"
RESULT = "wb_result"
EXAMPLE = (
    "select plant_id, line_id, sum(pbt_s) / 3600 as pbt_hours\n"
    "from marts.fct_equipment_shifts\ngroup by all\norder by 1, 2"
)

ctx = context()
lang, key = ctx.lang, ctx.key
build, published = data.key_paths(key)
store = sandbox.store_path(build)
st.title(t("page_workbench", lang))
user = session.current_user()
if not can(user, Action.WORKBENCH):
    st.warning(t("sbx_signed_out" if user is None else "sbx_no_permission", lang))
    st.stop()
scope = session.current_scope()
try:
    limits = sandbox.Limits()
except LimitError as error:
    st.error(str(error))
    st.stop()
caption = [
    t(
        "sbx_limits",
        lang,
        rows=f"{limits.max_rows:,}",
        bytes=sandbox.format_size(limits.max_bytes),
        seconds=f"{limits.timeout_s:g}",
    )
]
if not scope.is_all:
    caption.insert(0, t("sbx_sees", lang, scope=scope.describe(lang)))
st.caption(" ".join(caption))


@st.cache_data(ttl=600, show_spinner=False)
def schema_of(warehouse_key: str, scope: Scope) -> tuple[pl.DataFrame, dict]:
    build_file, target = data.key_paths(warehouse_key)
    columns = sandbox.schema_columns(target, scope)
    return columns, sandbox.manifest_descriptions(sandbox.manifest_path(build_file))


def column_name(column: str, lang: str) -> str:
    """A warehouse column's name in `lang`: the catalogue's column label, else the registry's
    dimension or metric of that name or key; "" when neither has one."""
    known = column_label(column, lang)
    if known is not None:
        return known
    registry = data.registry()
    if column in registry.metrics:
        return registry.metrics[column].label(lang)
    for name, dim in registry.dimensions.items():
        if column in (name, dim.key):
            return dim.label(lang)
    return ""


def set_sql(text: str) -> None:
    st.session_state["wb_sql"] = text


def run(sql: str) -> sandbox.SandboxResult | sandbox.SandboxError:
    """Runs `sql` in the user's scope and audits it, refused or not."""
    try:
        outcome: sandbox.SandboxResult | sandbox.SandboxError = sandbox.run_sql(
            sql, scope, warehouse=build, limits=limits
        )
    except sandbox.SandboxError as error:
        outcome = error
    failed = isinstance(outcome, sandbox.SandboxError)
    session.audit(
        "workbench_sql",
        {
            "sql": sql,
            "rows": None if failed else outcome.frame.height,
            "error": outcome.message if failed else None,
        },
        ok=not failed,
    )
    return outcome


st.session_state.setdefault("wb_sql", EXAMPLE)
st.session_state.setdefault(HISTORY, [])
browser, editor = st.columns([2, 3])
with browser:
    st.markdown(f"**{t('schema_browser', lang)}**")
    columns, described = schema_of(key, scope)
    schemas = columns["schema"].unique(maintain_order=True).to_list()
    default = schemas.index("marts") if "marts" in schemas else 0
    schema = st.selectbox(
        t("wb_schema", lang),
        schemas,
        index=default,
        key="wb_schema",
        label_visibility="collapsed",
    )
    tables = columns.filter(pl.col("schema") == schema)["table"].unique(maintain_order=True)
    table = st.selectbox(
        t("wb_table", lang), tables.to_list(), key="wb_table", label_visibility="collapsed"
    )
    notes = described.get((schema, table), {})
    english = lang != DEFAULT_LANG  # the dbt docs have no other language
    if english and any(notes.values()):
        st.caption(t("wb_docs_english", lang))
    if notes.get(""):
        st.caption(notes[""])
    picked = columns.filter(pl.col("schema") == schema, pl.col("table") == table)
    shown = picked.select("column")
    if english:  # beside the column its name in the reader's language, where one is known
        shown = shown.with_columns(
            pl.col("column")
            .map_elements(lambda c: column_name(c, lang), return_dtype=pl.String)
            .alias("name_in_lang")
        )
    shown = shown.with_columns(picked["type"])
    if any(text for name, text in notes.items() if name):  # only when dbt documents them
        shown = shown.with_columns(
            pl.col("column")
            .replace_strict(notes, default="", return_dtype=pl.String)
            .alias("description_en" if english else "description")
        )
    display_table(shown, lang, height=300)
    st.button(
        "SELECT *",
        on_click=set_sql,
        args=(f"select *\nfrom {schema}.{table}\nlimit 100",),
        icon=":material/input:",
    )

with editor:
    with st.form("wb_form"):
        sql = st.text_area(t("sql", lang), key="wb_sql", height=200)
        submitted = st.form_submit_button(
            t("run", lang), type="primary", icon=":material/play_arrow:"
        )
    if submitted:
        st.session_state[RESULT] = run(sql)
        history = [q for q in st.session_state[HISTORY] if q != sql]
        st.session_state[HISTORY] = [sql, *history][:20]
    outcome = st.session_state.get(RESULT)
    if isinstance(outcome, sandbox.SandboxError):
        where = ""
        if outcome.line:
            spot = t("at_position", lang, line=outcome.line, col=outcome.column or "?")
            where = f" ({spot})"
        failed = isinstance(outcome, sandbox.QueryFailed)
        title = t("query_error", lang) if failed else t("refused", lang)
        st.error(f"**{title}**{where}: {outcome.text(lang)}")
    elif isinstance(outcome, sandbox.SandboxResult):
        limited = ""
        if outcome.limited_by == "rows":
            limited = t("row_limited", lang, limit=f"{limits.max_rows:,}")
        elif outcome.limited_by == "bytes":
            limited = t("bytes_limited", lang, limit=sandbox.format_size(limits.max_bytes))
        st.caption(
            t(
                "rows_shown",
                lang,
                rows=f"{outcome.frame.height:,}",
                ms=f"{outcome.milliseconds:,.0f}",
                limited=limited,
            )
        )
        st.dataframe(outcome.frame, hide_index=True, width="stretch", height=320)
        download_buttons(outcome.frame, "query_result", lang, kinds=("csv", "xlsx", "parquet"))
        if outcome.frame.width >= 2 and outcome.frame.height:
            with st.expander(t("chart_builder", lang), expanded=False):
                names = outcome.frame.columns
                c1, c2, c3, c4 = st.columns(4)
                x = c1.selectbox(t("x", lang), names, index=0, key="wb_x")
                y = c2.selectbox(t("y", lang), names, index=len(names) - 1, key="wb_y")
                color = c3.selectbox(
                    t("color", lang),
                    ["", *names],
                    key="wb_color",
                    format_func=lambda c: c or t("none", lang),
                )
                mark = c4.selectbox(t("mark", lang), charts.MARKS, key="wb_mark")
                st.altair_chart(
                    charts.quick_chart(outcome.frame, x, y, color or None, mark), width="stretch"
                )

    saved_col, history_col = st.columns(2)
    with saved_col, st.expander(t("saved_queries", lang)):
        saved = sandbox.saved_queries(store)
        name = st.text_input(t("save_as", lang), key="wb_name")
        if st.button(t("save", lang), key="wb_save") and name.strip():
            sandbox.save_query(store, name, st.session_state["wb_sql"])
            saved = sandbox.saved_queries(store)
        if saved:
            pick = st.selectbox(t("saved_queries", lang), list(saved), key="wb_saved")
            load, delete = st.columns(2)
            load.button(t("load", lang), on_click=set_sql, args=(saved[pick],), key="wb_load")
            if delete.button(t("delete", lang), key="wb_delete"):
                sandbox.delete_query(store, pick)
                st.rerun()
    with history_col, st.expander(t("history", lang)):
        for index, past in enumerate(st.session_state[HISTORY]):
            st.button(
                past.splitlines()[0][:70] if past.strip() else NULL,
                key=f"wb_h{index}",
                on_click=set_sql,
                args=(past,),
                type="tertiary",
                help=past,
            )
