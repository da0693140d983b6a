"""Editing how a question was read: the chips a surface shows, and the answer they give.

A surface shows an answer's Interpretation as Chips (metrics, breakdowns, filters, period,
grain), lets the asker change them and asks `edit_answer` for the answer to the new reading.
The rows always come from a `Runner` the surface supplies - the web app's cached
metrics.query call - so there is one SQL path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

import polars as pl

from metrics.errors import MetricError
from metrics.i18n import t
from metrics.nlq.answer import Answer, describe, order_rows, suggest_chart
from metrics.nlq.clarify import cannot_answer
from metrics.nlq.parser_types import Interpretation
from metrics.nlq.vocabulary import Vocabulary
from metrics.query import compile as compile_sql
from metrics.registry import Registry

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


def grain_label(registry: Registry, grain: str | None, lang: str) -> str:
    """A grain chip's label; no grain is '(none)'."""
    if not grain:
        return t("none", lang)
    return str(registry.grains[grain].get(f"label_{lang}", grain))


def with_rows(answer: Answer, registry: Registry, run: Runner) -> Answer:
    """The answer with its rows from `run` (ordered and cut as asked) and their chart."""
    interp = answer.interpretation
    assert interp is not None
    frame = order_rows(run(interp), interp)
    chart = suggest_chart(interp, registry, frame.columns, answer.lang)
    return replace(answer, data=frame, chart=chart)


def edit_answer(answer: Answer, chips: Chips, vocab: Vocabulary, run: Runner) -> Answer:
    """The answer for edited chips; unchanged chips return it as it is.

    A reading metrics cannot answer comes back as a clarification, and nothing is run."""
    assert answer.interpretation is not None
    if chips == chips_of(answer.interpretation):
        return answer
    edited = apply_chips(answer.interpretation, chips)
    lang, registry = answer.lang, vocab.registry
    try:
        if not edited.metrics:
            raise MetricError(t("ask_pick_metric", lang))
        sql = compile_sql(**edited.query_args(), lang=lang, registry=registry, scope=answer.scope)
        answer = with_rows(replace(answer, interpretation=edited, sql=sql), registry, run)
    except MetricError as error:
        return replace(
            answer,
            interpretation=edited,
            sql=None,
            data=None,
            chart=None,
            clarification=cannot_answer(str(error), lang),
        )
    return replace(answer, summary=describe(edited, vocab, lang))
