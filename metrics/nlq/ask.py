"""metrics.ask: a question in English or Chinese -> an Answer, through metrics.query only.

No user text reaches SQL: the parser maps words to registry names and to dimension keys
that exist in the vocabulary, and metrics.compile turns those into sqlglot literals.

A question runs in the asker's plant scope: the vocabulary holds only the values the scope
may see, and the compiled query keeps only its plants' rows (no scope: nothing).

Before anything runs, a question longer than MAX_LENGTH is refused, a date that does not
exist or a range that ends before it starts is asked back (never read as something else),
and a period with no data - before the data's first day or after the as-of date - is
answered with the span the data covers.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import duckdb

from metrics.errors import MetricError
from metrics.i18n import t
from metrics.nlq.answer import Answer, describe, order_rows, suggest_chart
from metrics.nlq.cache import learned
from metrics.nlq.clarify import cannot_answer, empty, not_understood, outside_scope
from metrics.nlq.normalize import has_cjk, keep_dates, normalize
from metrics.nlq.parser import parse
from metrics.nlq.parser_types import Clarification, Interpretation
from metrics.nlq.timephrases import DAY, DateProblem, extract
from metrics.nlq.vocabulary import Vocabulary, aliases
from metrics.scope import ALL_PLANTS, NO_PLANTS, Scope
from metrics.timeexpr import parse_date

MIN_CONFIDENCE = 0.5
MAX_LENGTH = 300  # characters of a question after normalize(); longer ones are refused


def ask(
    question: str,
    as_of: object = None,
    *,
    lang: str | None = None,
    warehouse: str | Path | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    vocabulary: Vocabulary | None = None,
    execute: bool = True,
    scope: Scope = NO_PLANTS,
) -> Answer:
    """Answer a question, or ask one back (answer.clarification) and run nothing.

    as_of      the date 'today' means; default the warehouse's as-of date (metrics.asof)
    lang       en | zh for labels and messages; default from the question's script
    warehouse / con   the warehouse to read (see metrics.query)
    vocabulary  a prebuilt Vocabulary (it should be the scope's: cache.learned(con, scope));
               execute=False stops after compiling the SQL
    scope      the plants the asker may see (metrics.Scope); Scope.none() answers nothing
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
        newest = first_day = None
        if con is not None and (vocabulary is None or as_of is None or execute):
            known = learned(con, scope)
            vocabulary = vocabulary or known.vocabulary
            newest, first_day = known.as_of, known.first_day
        assert vocabulary is not None
        day = parse_date(as_of, "as_of") or parse_date(newest, "as_of") or date.today()
        answer = Answer(question, lang, day, scope=scope)
        refused = _refused(question, day, lang)
        result = refused or (parse(question, vocabulary, day, lang) if question.strip() else None)
        if result is None:
            result = empty(lang)
        if con is not None and not scope.is_all and question.strip() and refused is None:
            result = _outside_scope(question, con, vocabulary, day, lang, scope) or result
        if isinstance(result, Interpretation):
            result = _no_data(result, first_day, day, lang) or result
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
            answer.sql = compile_sql(
                **result.query_args(), lang=lang, registry=vocabulary.registry, scope=scope
            )
        except MetricError as error:
            answer.interpretation, answer.confidence = None, 0.0
            answer.clarification = cannot_answer(str(error), lang)
            return answer
        answer.timings_ms["interpret"] = _ms(started)
        if execute:
            started = time.perf_counter()
            frame = query(
                **result.query_args(),
                lang=lang,
                con=con,
                registry=vocabulary.registry,
                scope=scope,
            )
            answer.data = order_rows(frame, result)
            answer.timings_ms["query"] = _ms(started)
        columns = answer.data.columns if answer.data is not None else None
        answer.chart = suggest_chart(result, vocabulary.registry, columns, lang)
        return answer
    finally:
        if opened is not None:
            opened.close()


def _outside_scope(
    question: str,
    con: duckdb.DuckDBPyConnection,
    vocabulary: Vocabulary,
    day: date,
    lang: str,
    scope: Scope,
) -> Clarification | None:
    """A clarification when the question names only values outside `scope` (read as an
    all-plants user would read it), instead of answering for the asker's own plants as if
    the words were not there. None when it names none."""
    everything = learned(con, ALL_PLANTS).vocabulary
    wide = parse(question, everything, day, lang)
    if not isinstance(wide, Interpretation):
        return None
    for dim, keys in wide.where.items():
        if any(k in vocabulary.values.get(dim, {}) for k in keys):
            continue
        return outside_scope(
            vocabulary, dim, _typed(question, everything, dim, keys), scope.describe(lang), lang
        )
    return None


def _refused(question: str, day: date, lang: str) -> Clarification | None:
    """Why `question` is not read at all: too long, or a date in it that cannot be read
    (no such date; a range that ends before it starts). None when it may be read."""
    length = len(normalize(question))
    if length > MAX_LENGTH:
        return Clarification(
            "too_long", lang, detail=t("ask_too_long", lang, length=length, limit=MAX_LENGTH)
        )
    problem = extract(keep_dates(question), day)[0].problem
    if problem is None:
        return None
    return Clarification("bad_date", lang, words=problem.words, detail=_date_message(problem, lang))


def _date_message(problem: DateProblem, lang: str) -> str:
    values = problem.values
    if problem.kind in ("reversed", "two_periods", "vague", "ambiguous"):
        return t(f"ask_date_{problem.kind}", lang, words=problem.words, **values)
    return t(f"ask_date_no_{problem.why}", lang, words=problem.words, **values)


def _no_data(
    result: Interpretation, first_day: date | None, newest: date, lang: str
) -> Clarification | None:
    """A clarification when the period asked about lies wholly before the data's first day
    or after `newest` (the as-of date): saying so, with the span the data covers."""
    if result.start is None or result.end is None:
        return None
    before = first_day is not None and result.end <= first_day
    if not before and result.start <= newest:
        return None
    fields = {
        "period": result.period or f"{result.start}",
        "start": result.start,
        "last_day": result.end - DAY,
        "newest": newest,
    }
    if first_day is None:
        message = t("ask_no_data_after", lang, **fields)
    else:
        message = t("ask_no_data", lang, first=first_day, **fields)
    return Clarification("no_data", lang, words=str(fields["period"]), detail=message)


def _typed(question: str, vocabulary: Vocabulary, dim: str, keys: tuple[str, ...]) -> str:
    """The words of `question` that name one of `keys` of `dim` (the longest), or ""."""
    text = question.lower()
    found = ""
    for key in keys:
        value = vocabulary.values.get(dim, {}).get(key)
        for alias in {key.lower(), *(aliases(dim, value) if value else ())}:
            if alias in text and len(alias) > len(found):
                found = alias
    return found


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
