"""The question box: ask in English or Chinese, see how the question was read as editable
chips, and get the chart, the table, the SQL and a way into the SQL workbench.

This file lays out; what it shows comes from elsewhere: the answer and its clarifications
from metrics (metrics.ask, metrics.nlq.clarify), the chips and edits from
metrics.nlq.edits, the chart from app.web.ask_chart, the rows from app.web.data.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

import metrics
from app.accounts import Action, can
from app.web import data, session
from app.web.ask_chart import chart_of
from app.web.downloads import download_buttons
from app.web.session import current_scope
from app.web.sidebar import context
from app.web.widgets import display_table, show_chart
from metrics.formatting import format_value
from metrics.i18n import t
from metrics.nlq.answer import Answer
from metrics.nlq.cache import learned
from metrics.nlq.clarify import reask
from metrics.nlq.edits import (
    Chips,
    Runner,
    chips_of,
    edit_answer,
    filter_options,
    grain_label,
    with_rows,
)
from metrics.nlq.parser_types import Interpretation
from metrics.nlq.vocabulary import Vocabulary
from metrics.registry import Registry

ASK_PAGE = "views/ask.py"
WORKBENCH_PAGE = "views/sql_workbench.py"
WORKBENCH_SQL = "wb_sql"  # the workbench editor's session-state key
EXAMPLES = ("ask_example_1", "ask_example_2", "ask_example_3", "ask_example_4", "ask_example_5")
MAX_OPTIONS = 6  # a clarification's choices shown as buttons


def vocabulary(key: str) -> Vocabulary:
    """The query box's words for the published warehouse, in the signed-in user's plant scope
    (learned once per build and scope: metrics.nlq.cache)."""
    return learned(data.cursor(key), current_scope()).vocabulary


def runner(key: str, lang: str) -> Runner:
    """Runs an interpretation through the app's cached metrics.query call."""

    def run(interp: Interpretation) -> pl.DataFrame:
        return data.metric_frame(
            key=key,
            names=tuple(interp.metrics),
            by=tuple(interp.by),
            where=data.as_where({d: list(v) for d, v in interp.where.items()}),
            start=interp.start,
            end=interp.end,
            grain=interp.grain,
            compare=interp.compare,
            lang=lang,
        )

    return run


def _set_question(key: str, question: str) -> None:
    st.session_state[f"{key}_q"] = question


def _current_answer(key: str, question: str, lang: str) -> Answer | None:
    """The stored answer to (question, lang), asking anew (and resetting the chips)."""
    stored = st.session_state.get(f"{key}_answer")
    if not question.strip():
        return None
    if stored is not None and (stored.question, stored.lang) == (question, lang):
        return stored
    ctx = context()
    vocab = vocabulary(ctx.key)
    answer = metrics.ask(
        question,
        ctx.as_of,
        lang=lang,
        con=data.cursor(ctx.key),
        vocabulary=vocab,
        execute=False,
        scope=current_scope(),
    )
    if answer.interpretation is not None:
        answer = with_rows(answer, vocab.registry, runner(ctx.key, lang))
    st.session_state[f"{key}_answer"] = answer
    st.session_state[f"{key}_n"] = st.session_state.get(f"{key}_n", 0) + 1
    session.audit(
        "ask",
        {"question": question, "lang": lang, "answered": answer.interpretation is not None},
    )
    return answer


def _render_examples(lang: str, key: str) -> None:
    st.caption(t("ask_examples", lang))
    examples = [t(example, lang) for example in EXAMPLES]
    for index, (column, example) in enumerate(
        zip(st.columns(len(examples)), examples, strict=True)
    ):
        column.button(
            example,
            key=f"{key}_ex{index}",
            on_click=_set_question,
            args=(key, example),
            type="secondary",
            width="stretch",
        )


def _render_clarification(answer: Answer, key: str) -> None:
    clarification = answer.clarification
    assert clarification is not None
    st.warning(clarification.message, icon=":material/help:")
    options = clarification.options[:MAX_OPTIONS]
    if not options:
        return
    for index, (column, option) in enumerate(zip(st.columns(len(options)), options, strict=True)):
        column.button(
            option.label,
            key=f"{key}_c{index}",
            on_click=_set_question,
            args=(key, reask(answer.question, clarification, option)),
        )


def chip_key(key: str, name: str) -> str:
    """A chip's widget key: new for every new answer, so the chips start from its reading."""
    return f"{key}_{st.session_state.get(f'{key}_n', 0)}_{name}"


def _render_chips(answer: Answer, vocab: Vocabulary, key: str) -> Chips:
    """The interpretation as widgets; returns what they now say."""
    lang, registry = answer.lang, vocab.registry
    assert answer.interpretation is not None
    original = chips_of(answer.interpretation)
    top = st.columns([3, 2, 2, 1])
    chosen = top[0].multiselect(
        t("ask_metrics", lang),
        list(registry.metrics),
        default=list(original.metrics),
        key=chip_key(key, "metrics"),
        format_func=lambda m: registry.metrics[m].label(lang),
    )
    by = top[1].multiselect(
        t("by", lang),
        list(registry.dimensions),
        default=list(original.by),
        key=chip_key(key, "by"),
        format_func=lambda d: registry.dimensions[d].label(lang),
    )
    period = top[2].date_input(
        t("period", lang), value=(original.start, original.last_day), key=chip_key(key, "period")
    )
    grains = ["", *registry.grains]
    grain = top[3].selectbox(
        t("ask_grain", lang),
        grains,
        key=chip_key(key, "grain"),
        index=grains.index(original.grain or ""),
        format_func=lambda g: grain_label(registry, g, lang),
    )
    where = []
    if original.where:
        columns = st.columns(len(original.where))
        for column, (dim, keys) in zip(columns, original.where, strict=True):
            picked = column.multiselect(
                registry.dimensions[dim].label(lang),
                filter_options(vocab, dim, keys),
                default=list(keys),
                key=chip_key(key, f"w_{dim}"),
                format_func=lambda k, d=dim: vocab.label(d, k, lang),
            )
            where.append((dim, tuple(picked)))
    start, last = (
        period
        if isinstance(period, tuple) and len(period) == 2
        else (original.start, original.last_day)
    )
    return Chips(tuple(chosen), tuple(by), tuple(where), start, last, grain or None)


def _render_result(answer: Answer, registry: Registry, key: str, *, compact: bool) -> None:
    lang, frame = answer.lang, answer.data
    st.caption(f"{t('ask_read_as', lang)}: {answer.summary}")
    if frame is None or frame.is_empty():
        st.info(t("no_data", lang))
        return
    chart = chart_of(answer.chart, frame, registry, lang)
    if chart is not None:
        show_chart(chart)
    elif frame.height == 1:
        _render_values(answer, registry, frame)
    if compact:
        return
    display_table(frame, lang)
    download_buttons(frame, f"{key}_answer", lang)
    st.code(answer.sql or "", language="sql")
    if can(session.current_user(), Action.WORKBENCH) and st.button(
        t("ask_open_workbench", lang), key=f"{key}_wb", icon=":material/terminal:"
    ):
        open_in_workbench(answer.sql or "")


def _render_values(answer: Answer, registry: Registry, frame: pl.DataFrame) -> None:
    names = [m for m in frame.columns if m in registry.metrics]
    for column, name in zip(st.columns(max(len(names), 1)), names, strict=False):
        metric = registry.metrics[name]
        value = format_value(metric, frame[name][0], lang=answer.lang)
        column.metric(metric.label(answer.lang), value)


def open_in_workbench(sql: str) -> None:
    """Put the SQL into the workbench's editor and go there."""
    st.session_state[WORKBENCH_SQL] = sql
    st.switch_page(WORKBENCH_PAGE)


def _open_ask_page(key: str, question: str) -> None:
    st.session_state["ask_q"] = question
    st.switch_page(ASK_PAGE)


def render_ask_box(lang: str, *, key: str, compact: bool = False) -> Answer | None:
    """The box, its examples (full page) and the answer; returns the answer shown."""
    if not compact:
        _render_examples(lang, key)
    question = st.text_input(
        t("ask_label", lang),
        key=f"{key}_q",
        placeholder=t(EXAMPLES[0], lang),
        icon=":material/chat:",
    )
    answer = _current_answer(key, question, lang)
    if answer is None:
        return None
    vocab = vocabulary(context().key)
    if answer.needs_clarification:
        _render_clarification(answer, key)
        return answer
    if not compact:
        chips = _render_chips(answer, vocab, key)
        answer = edit_answer(answer, chips, vocab, runner(context().key, lang))
        if answer.clarification is not None:
            st.warning(answer.clarification.message, icon=":material/help:")
            return answer
    _render_result(answer, vocab.registry, key, compact=compact)
    if compact and st.button(
        t("ask_more", lang), key=f"{key}_more", icon=":material/arrow_forward:"
    ):
        _open_ask_page(key, question)
    return answer
