"""metrics.ask: a question in English or Chinese -> an Answer, through metrics.query only.

No user text reaches SQL: the parser maps words to registry names and to dimension keys
that exist in the vocabulary, and metrics.compile turns those into sqlglot literals.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import duckdb

from metrics.errors import MetricError
from metrics.nlq.answer import Answer, describe, order_rows, suggest_chart
from metrics.nlq.clarify import cannot_answer, empty, not_understood
from metrics.nlq.normalize import has_cjk
from metrics.nlq.parser import parse
from metrics.nlq.parser_types import Clarification, Interpretation
from metrics.nlq.vocabulary import Vocabulary, for_connection
from metrics.timeexpr import parse_date

MIN_CONFIDENCE = 0.5


def ask(
    question: str,
    as_of: object = None,
    *,
    lang: str | None = None,
    warehouse: str | Path | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    vocabulary: Vocabulary | None = None,
    execute: bool = True,
) -> Answer:
    """Answer a question, or ask one back (answer.clarification) and run nothing.

    as_of      the date 'today' means; default the warehouse's as-of date (metrics.asof)
    lang       en | zh for labels and messages; default from the question's script
    warehouse / con   the warehouse to read (see metrics.query)
    vocabulary  a prebuilt Vocabulary (tests); execute=False stops after compiling the SQL
    """
    from metrics.query import compile as compile_sql
    from metrics.query import query

    lang = lang or ("zh" if has_cjk(question) else "en")
    opened = None
    if con is None and (execute or vocabulary is None or as_of is None):
        from warehouse.connections import NotPublished, connect_published
        from warehouse.location import warehouse_path

        try:
            con = opened = connect_published(warehouse_path(warehouse))
        except NotPublished as error:
            raise MetricError(f"{error} Or pass warehouse=PATH.") from None
    try:
        started = time.perf_counter()
        newest = None
        if vocabulary is None and con is not None:
            vocabulary, newest = for_connection(con)
        elif con is not None and as_of is None:
            newest = for_connection(con)[1]
        assert vocabulary is not None
        day = parse_date(as_of, "as_of") or parse_date(newest, "as_of") or date.today()
        answer = Answer(question, lang, day)
        result = parse(question, vocabulary, day, lang) if question.strip() else None
        if result is None:
            result = empty(lang)
        if isinstance(result, Interpretation) and result.confidence < MIN_CONFIDENCE:
            words = [n.removeprefix("ignored: ") for n in result.notes]
            result = not_understood(vocabulary, words, list(result.metrics), lang)
        if isinstance(result, Clarification):
            answer.clarification = result
            answer.timings_ms["interpret"] = _ms(started)
            return answer
        answer.interpretation, answer.confidence = result, result.confidence
        answer.summary = describe(result, vocabulary, lang)
        try:
            answer.sql = compile_sql(**result.query_args(), lang=lang, registry=vocabulary.registry)
        except MetricError as error:
            answer.interpretation, answer.confidence = None, 0.0
            answer.clarification = cannot_answer(str(error), lang)
            return answer
        answer.timings_ms["interpret"] = _ms(started)
        if execute:
            started = time.perf_counter()
            frame = query(**result.query_args(), lang=lang, con=con, registry=vocabulary.registry)
            answer.data = order_rows(frame, result)
            answer.timings_ms["query"] = _ms(started)
        columns = answer.data.columns if answer.data is not None else None
        answer.chart = suggest_chart(result, vocabulary.registry, columns, lang)
        return answer
    finally:
        if opened is not None:
            opened.close()


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
