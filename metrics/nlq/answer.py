"""The Answer of the query box: interpretation, SQL, data, a suggested chart, confidence.

The chart is a plain spec (kind + encodings) so the CLI, the app and tests can read it
without Altair: a line over `period` for trends, bars for a breakdown by dimension, a
single value for a scalar.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from metrics.i18n import join, t
from metrics.nlq.clarify import Clarification, in_sentence
from metrics.nlq.parser_types import Interpretation
from metrics.nlq.vocabulary import Vocabulary
from metrics.registry import Registry
from metrics.scope import NO_PLANTS, Scope

if TYPE_CHECKING:
    import duckdb
    import polars as pl  # the type of Answer.data; only a query's result imports Polars

READ_PER = {
    "day": "read_per_day",
    "week": "read_per_week",
    "month": "read_per_month",
    "quarter": "read_per_quarter",
    "year": "read_per_year",
}
READ_COMPARE = {
    "previous_period": "read_vs_previous_period",
    "same_period_last_year": "read_vs_same_period_last_year",
}


@dataclass(frozen=True)
class Chart:
    kind: str  # line | bar | single_value
    y: tuple[str, ...]
    x: str | None = None
    color: str | None = None
    title: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "x": self.x,
            "y": list(self.y),
            "color": self.color,
            "title": self.title,
        }


@dataclass
class Answer:
    question: str
    lang: str
    as_of: date | None
    interpretation: Interpretation | None = None
    summary: str = ""
    sql: str | None = None
    data: pl.DataFrame | Rows | None = None  # Rows only from run_plain (the CLI)
    chart: Chart | None = None
    confidence: float = 0.0
    clarification: Clarification | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    scope: Scope = NO_PLANTS  # the asker's plants: an edited reading runs in the same scope

    @property
    def needs_clarification(self) -> bool:
        return self.clarification is not None

    @property
    def candidates(self) -> tuple[str, ...]:
        """The keys of the clarification's options (empty when the question was answered)."""
        return self.clarification.candidates if self.clarification else ()

    def to_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "lang": self.lang,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "interpretation": self.interpretation.to_dict() if self.interpretation else None,
            "summary": self.summary,
            "sql": self.sql,
            "confidence": self.confidence,
            "clarification": self.clarification.message if self.clarification else None,
            "candidates": list(self.candidates),
            "chart": self.chart.to_dict() if self.chart else None,
            "data": self.data.to_dicts() if self.data is not None else None,
            "timings_ms": self.timings_ms,
        }


@dataclass(frozen=True)
class Rows:
    """A result as DuckDB's plain rows: the part of a Polars DataFrame's interface that
    printing an Answer reads (columns, iter_rows, to_dicts, is_empty, height)."""

    columns: list[str]
    rows: list[tuple]

    @property
    def height(self) -> int:
        return len(self.rows)

    def iter_rows(self) -> Iterator[tuple]:
        return iter(self.rows)

    def to_dicts(self) -> list[dict[str, object]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def is_empty(self) -> bool:
        return not self.rows


# DuckDB types whose fetchall() values are the values Polars' iter_rows()/to_dicts() give
PLAIN_TYPES = frozenset(
    {"VARCHAR", "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "DOUBLE", "DATE"}
)


def run_plain(answer: Answer, con: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    """Run an answer that ask(..., execute=False) compiled (answer.sql) and fill in what
    ask(..., execute=True) would have: answer.data, the chart for its columns and the
    query's time. The query runs once; its rows stay plain Python values (Rows, no Polars)
    when every column's type reads the same both ways, else they are the DataFrame."""
    from metrics.query import fetch

    interp = answer.interpretation
    if interp is None or answer.sql is None:
        return
    started = time.perf_counter()
    result = fetch(con, answer.sql, PLAIN_TYPES)
    data = result if not isinstance(result, tuple) else Rows(*result)
    answer.data = order_rows(data, interp)
    answer.timings_ms["query"] = round((time.perf_counter() - started) * 1000, 2)
    answer.chart = suggest_chart(interp, registry, answer.data.columns, answer.lang)


def dimension_column(registry: Registry, dim: str, columns: list[str] | None) -> str:
    """The column that shows a dimension: its label column when the result has one."""
    label, key = f"{dim}_label", registry.dimensions[dim].key
    if columns is None:
        return label if registry.dimensions[dim].table else key
    return label if label in columns else key


def suggest_chart(
    interp: Interpretation, registry: Registry, columns: list[str] | None, lang: str
) -> Chart:
    labels = [registry.metrics[m].label(lang) for m in interp.metrics]
    title = " · ".join(labels)
    y = tuple(interp.metrics)
    dims = [dimension_column(registry, d, columns) for d in interp.by]
    if interp.grain:
        return Chart("line", y, "period", dims[0] if dims else None, title)
    if dims:
        return Chart("bar", y, dims[0], dims[1] if len(dims) > 1 else None, title)
    return Chart("single_value", y, None, None, title)


def order_rows(data: pl.DataFrame | Rows, interp: Interpretation) -> pl.DataFrame | Rows:
    """Sort by the first metric (NULLs last, NaN above every number, ties in the order the
    query gave) and keep the top/bottom N the question asked for; a DataFrame or Rows."""
    if interp.order is None:
        return data
    metric, descending = interp.metrics[0], interp.order == "desc"
    if isinstance(data, Rows):
        kept = data.rows
        if metric in data.columns:
            i = data.columns.index(metric)
            known = [row for row in kept if row[i] is not None]
            known.sort(key=lambda row: _sort_value(row[i]), reverse=descending)  # stable
            kept = known + [row for row in kept if row[i] is None]
        return Rows(data.columns, kept[: interp.limit] if interp.limit else kept)
    if metric in data.columns:
        data = data.sort(metric, descending=descending, nulls_last=True, maintain_order=True)
    return data.head(interp.limit) if interp.limit else data


def _sort_value(value: object) -> object:
    return math.inf if isinstance(value, float) and math.isnan(value) else value


def describe(interp: Interpretation, vocab: Vocabulary, lang: str) -> str:
    """One line saying how the question was read, in the asker's language."""
    registry = vocab.registry
    parts = [join((registry.metrics[m].label(lang) for m in interp.metrics), lang)]
    if interp.by:
        dims = [
            in_sentence(registry.dimensions[d].label(lang), "dimension", lang) for d in interp.by
        ]
        parts.append(t("read_by", lang, dimensions=join(dims, lang)))
    for dim, keys in interp.where.items():
        name = in_sentence(registry.dimensions[dim].label(lang), "dimension", lang)
        shown = join((vocab.label(dim, k, lang) for k in keys), lang)
        parts.append(t("read_filter", lang, dimension=name, values=shown))
    for dim, keys in interp.excluded.items():
        shown = join((vocab.label(dim, k, lang) for k in keys), lang)
        parts.append(t("read_excluding", lang, values=shown))
    if interp.start and interp.end:
        last = date.fromordinal(interp.end.toordinal() - 1)
        parts.append(f"{interp.start} – {last}")
    if interp.grain:
        parts.append(t(READ_PER[interp.grain], lang))
    if interp.compare:
        parts.append(t(READ_COMPARE[interp.compare], lang))
    if interp.order:
        high = interp.order == "desc"
        if interp.limit:
            parts.append(t("read_top" if high else "read_bottom", lang, n=interp.limit))
        else:
            parts.append(t("read_highest_first" if high else "read_lowest_first", lang))
    return " · ".join(parts)
