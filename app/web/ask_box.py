"""The question box: ask in English or Chinese, see how the question was read as editable
chips, and get the chart, the table, the SQL and a way into the SQL workbench.

The logic that needs no UI - the chips, re-running an edited reading through metrics.query
(the only SQL path), re-asking with a clarification's candidate, and the chart - is plain
functions; `render_ask_box` draws them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

import altair as alt
import polars as pl
import streamlit as st

import metrics
from app.web import charts, data
from app.web.downloads import download_buttons
from app.web.i18n import t
from app.web.kpi_cards import format_metric
from app.web.sidebar import context
from app.web.widgets import display_table, show_chart
from metrics.errors import MetricError
from metrics.nlq.answer import Answer, Chart, describe, order_rows, suggest_chart
from metrics.nlq.parser_types import Interpretation
from metrics.nlq.vocabulary import Vocabulary, for_connection
from metrics.registry import Registry

ASK_PAGE = "views/ask.py"
WORKBENCH_PAGE = "views/sql_workbench.py"
WORKBENCH_SQL = "wb_sql"  # the workbench editor's session-state key
EXAMPLES = {
    "en": (
        "OEE by line last week",
        "top 5 defect codes by defects this month",
        "on-time delivery by region this quarter",
        "which line has the lowest first pass yield",
        "OEE trend by week by plant",
    ),
    "zh": (
        "上个月各产线的OEE",
        "本季度各地区的准时交付率",
        "哪条产线直通率最低",
        "各工厂OEE趋势",
        "本月缺陷数量前5的缺陷代码",
    ),
}
_QUOTED = re.compile(r"[“']([^”']+)[”'](?=[\s.。,，?？]|$)")
Runner = Callable[[Interpretation], pl.DataFrame]


@dataclass(frozen=True)
class Chips:
    """The editable parts of an interpretation; `last_day` is inclusive."""

    metrics: tuple[str, ...]
    by: tuple[str, ...]
    where: tuple[tuple[str, tuple[str, ...]], ...]
    start: date | None
    last_day: date | None
    grain: str | None


def chips_of(interp: Interpretation) -> Chips:
    last = interp.end - timedelta(days=1) if interp.end else None
    where = tuple((d, tuple(v)) for d, v in interp.where.items())
    return Chips(tuple(interp.metrics), tuple(interp.by), where, interp.start, last, interp.grain)


def apply_chips(interp: Interpretation, chips: Chips) -> Interpretation:
    """The interpretation with the chips' values; a filter with no values is dropped."""
    where = {d: tuple(v) for d, v in chips.where if v}
    end = chips.last_day + timedelta(days=1) if chips.last_day else None
    excluded = {d: v for d, v in interp.excluded.items() if d in where}
    return replace(
        interp,
        metrics=tuple(chips.metrics),
        by=tuple(chips.by),
        where=where,
        start=chips.start,
        end=end,
        grain=chips.grain or None,
        excluded=excluded,
    )


def filter_options(vocab: Vocabulary, dim: str, chosen: tuple[str, ...]) -> list[str]:
    """The known values of a dimension, plus any chosen one the vocabulary lacks."""
    known = list(vocab.keys(dim))
    return known + [k for k in chosen if k not in known]


def edit_answer(answer: Answer, chips: Chips, vocab: Vocabulary, run: Runner) -> Answer:
    """The answer for edited chips, run through metrics.query; unchanged chips return it.

    A reading metrics cannot answer comes back as a clarification (nothing run)."""
    assert answer.interpretation is not None
    if chips == chips_of(answer.interpretation):
        return answer
    edited = apply_chips(answer.interpretation, chips)
    lang, registry = answer.lang, vocab.registry
    try:
        if not edited.metrics:
            raise MetricError(t("ask_pick_metric", lang))
        sql = metrics.compile(**edited.query_args(), lang=lang, registry=registry)
        frame = order_rows(run(edited), edited)
    except MetricError as error:
        return replace(
            answer,
            interpretation=edited,
            sql=None,
            data=None,
            chart=None,
            clarification=str(error),
            candidates=(),
        )
    chart = suggest_chart(edited, registry, frame.columns, lang)
    return replace(
        answer,
        interpretation=edited,
        summary=describe(edited, vocab, lang),
        sql=sql,
        data=frame,
        chart=chart,
    )


def candidate_label(vocab: Vocabulary, candidate: str, lang: str) -> str:
    """A clarification candidate (metric, dimension or dimension value) in words."""
    registry = vocab.registry
    if candidate in registry.metrics:
        return registry.metrics[candidate].label(lang)
    if candidate in registry.dimensions:
        return registry.dimensions[candidate].label(lang)
    for dim in vocab.values:
        if candidate in vocab.values[dim]:
            return vocab.label(dim, candidate, lang)
    return candidate


def reask_question(answer: Answer, candidate: str, vocab: Vocabulary) -> str:
    """The question again with the chosen candidate: a quoted unknown word in the
    clarification is replaced by a value or dropped, a metric is added, a dimension
    becomes 'by …'."""
    lang, question = answer.lang, answer.question
    label = candidate_label(vocab, candidate, lang)
    quoted = _QUOTED.search(answer.clarification or "")
    is_value = candidate not in vocab.registry.metrics and (
        candidate not in vocab.registry.dimensions
    )
    if quoted:
        words = quoted.group(1)
        pattern = re.compile(re.escape(words).replace(r"\ ", r"\s+"), re.IGNORECASE)
        question = pattern.sub(label if is_value else " ", question, count=1)
    if candidate in vocab.registry.dimensions:
        question = f"{question} 按{label}" if lang == "zh" else f"{question} by {label}"
    elif not is_value:
        question = f"{question} {label}"
    return " ".join(question.split())


def _is_percent(registry: Registry, name: str) -> bool:
    return registry.metrics[name].format.get("style") == "percent"


def chart_of(
    spec: Chart | None, frame: pl.DataFrame | None, registry: Registry, lang: str
) -> alt.Chart | None:
    """The Altair chart the answer suggests; None for a single value or nothing to draw."""
    if spec is None or frame is None or frame.is_empty() or spec.kind == "single_value":
        return None
    y = [m for m in spec.y if m in frame.columns]
    if not y:
        return None
    frame = distinct_labels(frame, [c for c in (spec.x, spec.color) if c], registry)
    percent = all(_is_percent(registry, m) for m in y)
    series = {m: registry.metrics[m].label(lang) for m in y}
    if spec.kind == "line" and spec.color is None:
        return charts.trend(frame, series, lang, percent=percent, title=spec.title)
    value_format = charts.PERCENT if _is_percent(registry, y[0]) else ",.2f"
    if spec.kind == "bar" and spec.color is None and len(y) == 1:
        chart = charts.grouped_bars(
            frame, spec.x, spec.x, y[0], series[y[0]], value_format, title=spec.title
        )
        return chart.encode(
            x=alt.X(
                f"{spec.x}:N", title=None, sort="-y", axis=alt.Axis(labelAngle=-30, labelLimit=160)
            )
        )
    return _long_chart(spec, frame, series, value_format, lang)


def distinct_labels(frame: pl.DataFrame, columns: list[str], registry: Registry) -> pl.DataFrame:
    """Label columns that repeat (SMT Line 1 in every plant) get their key appended."""
    for column in columns:
        dim = registry.dimensions.get(column.removesuffix("_label"))
        if not column.endswith("_label") or dim is None or dim.key not in frame.columns:
            continue
        if frame.select(column).n_unique() < frame.select(column, dim.key).n_unique():
            frame = frame.with_columns(
                pl.format("{} ({})", pl.col(column), pl.col(dim.key)).alias(column)
            )
    return frame


def _long_chart(
    spec: Chart, frame: pl.DataFrame, series: dict[str, str], value_format: str, lang: str
) -> alt.Chart:
    """Lines or grouped bars of one or more metrics, coloured by a dimension or metric."""
    index = [c for c in (spec.x, spec.color) if c]
    long = frame.unpivot(
        index=index, on=list(series), variable_name="metric", value_name="value"
    ).with_columns(pl.col("metric").replace_strict(series, return_dtype=pl.String))
    color = spec.color if spec.color and len(series) == 1 else "metric"
    x_type = "T" if spec.kind == "line" else "N"
    base = alt.Chart(long, title=spec.title)
    mark = base.mark_line(point=True) if spec.kind == "line" else base.mark_bar()
    encoding = {
        "x": alt.X(f"{spec.x}:{x_type}", title=None),
        "y": alt.Y("value:Q", title=t("value", lang), axis=alt.Axis(format=value_format)),
        "color": alt.Color(f"{color}:N", title=None),
        "tooltip": [
            *(alt.Tooltip(f"{c}:N") for c in index if c != "period"),
            alt.Tooltip("metric:N", title=t("metric", lang)),
            alt.Tooltip("value:Q", title=t("value", lang), format=value_format),
        ],
    }
    if spec.kind == "bar":
        encoding["xOffset"] = alt.XOffset(f"{color}:N")
    return mark.encode(**encoding).properties(height=charts.HEIGHT)


# ------------------------------------------------------------------ the UI


def vocabulary(key: str) -> Vocabulary:
    """The query box's words for the published warehouse (cached per file by metrics)."""
    return for_connection(data.cursor(key))[0]


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
    answer = metrics.ask(
        question,
        ctx.as_of,
        lang=lang,
        con=data.cursor(ctx.key),
        vocabulary=vocabulary(ctx.key),
        execute=False,
    )
    if answer.interpretation is not None:
        answer = replace(
            answer,
            data=order_rows(runner(ctx.key, lang)(answer.interpretation), answer.interpretation),
        )
        answer.chart = suggest_chart(
            answer.interpretation, vocabulary(ctx.key).registry, answer.data.columns, lang
        )
    st.session_state[f"{key}_answer"] = answer
    st.session_state[f"{key}_n"] = st.session_state.get(f"{key}_n", 0) + 1
    return answer


def _render_examples(lang: str, key: str) -> None:
    st.caption(t("ask_examples", lang))
    columns = st.columns(len(EXAMPLES[lang]))
    for index, (column, example) in enumerate(zip(columns, EXAMPLES[lang], strict=True)):
        column.button(
            example,
            key=f"{key}_ex{index}",
            on_click=_set_question,
            args=(key, example),
            type="secondary",
            width="stretch",
        )


def _render_clarification(answer: Answer, vocab: Vocabulary, key: str) -> None:
    st.warning(answer.clarification, icon=":material/help:")
    if not answer.candidates:
        return
    columns = st.columns(min(len(answer.candidates), 6))
    for index, candidate in enumerate(answer.candidates[:6]):
        columns[index].button(
            candidate_label(vocab, candidate, answer.lang),
            key=f"{key}_c{index}",
            on_click=_set_question,
            args=(key, reask_question(answer, candidate, vocab)),
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
        format_func=lambda g: _grain_label(registry, g, lang),
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


def _grain_label(registry: Registry, grain: str, lang: str) -> str:
    if not grain:
        return t("none", lang)
    return str(registry.grains[grain].get(f"label_{lang}", grain))


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
    if st.button(t("ask_open_workbench", lang), key=f"{key}_wb", icon=":material/terminal:"):
        open_in_workbench(answer.sql or "")


def _render_values(answer: Answer, registry: Registry, frame: pl.DataFrame) -> None:
    names = [m for m in frame.columns if m in registry.metrics]
    for column, name in zip(st.columns(max(len(names), 1)), names, strict=False):
        metric = registry.metrics[name]
        column.metric(metric.label(answer.lang), format_metric(metric, frame[name][0], answer.lang))


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
        t("ask_label", lang), key=f"{key}_q", placeholder=EXAMPLES[lang][0], icon=":material/chat:"
    )
    answer = _current_answer(key, question, lang)
    if answer is None:
        return None
    vocab = vocabulary(context().key)
    if answer.needs_clarification:
        _render_clarification(answer, vocab, key)
        return answer
    if not compact:
        chips = _render_chips(answer, vocab, key)
        answer = edit_answer(answer, chips, vocab, runner(context().key, lang))
        if answer.needs_clarification:
            st.warning(answer.clarification, icon=":material/help:")
            return answer
    _render_result(answer, vocab.registry, key, compact=compact)
    if compact and st.button(
        t("ask_more", lang), key=f"{key}_more", icon=":material/arrow_forward:"
    ):
        _open_ask_page(key, question)
    return answer
