"""The Altair chart of a question-box answer, drawn from the answer's chart suggestion
(metrics.nlq.answer.Chart) in the asker's language. Pure functions, like app/web/charts.py,
whose building blocks it uses — so an answer's chart reads like the dashboards' charts:
trends as one panel per KPI with its target, categories as labelled horizontal bars, each
KPI in its own colour."""

from __future__ import annotations

import altair as alt
import polars as pl

from app.web import charts
from metrics.i18n import t
from metrics.nlq.answer import Chart
from metrics.registry import Registry


def chart_of(
    spec: Chart | None, frame: pl.DataFrame | None, registry: Registry, lang: str
) -> alt.TopLevelMixin | None:
    """The chart the answer suggests; None for a single value or nothing to draw."""
    if spec is None or frame is None or frame.is_empty() or spec.kind == "single_value":
        return None
    y = [m for m in spec.y if m in frame.columns and frame[m].drop_nulls().len()]
    if not y or spec.x is None or spec.x not in frame.columns:
        return None
    frame = distinct_labels(frame, [c for c in (spec.x, spec.color) if c], registry)
    metrics = [registry.metrics[m] for m in y]
    color = spec.color if spec.color in frame.columns else None
    if spec.kind == "line":
        if color is None:
            return charts.trend_panels(frame, metrics, lang, title=spec.title)
        title = column_title(color, registry, lang)
        return charts.trend_by(frame, color, title, metrics, lang, title=spec.title)
    x_title = column_title(spec.x, registry, lang)
    if color is None:
        return charts.metric_bars(frame, spec.x, x_title, metrics, lang, title=spec.title)
    if len(metrics) == 1:
        color_title = column_title(color, registry, lang)
        return charts.grouped_bars(
            frame, spec.x, x_title, color, color_title, metrics[0], lang, title=spec.title
        )
    both = frame.with_columns(
        pl.concat_str([spec.x, color], separator=" · ", ignore_nulls=True).alias("_category")
    )
    title = f"{x_title} · {column_title(color, registry, lang)}"
    return charts.metric_bars(both, "_category", title, metrics, lang, title=spec.title)


def column_title(column: str, registry: Registry, lang: str) -> str:
    """The axis or legend title of an answer's column: its dimension's name in `lang`."""
    base = column.removesuffix("_label")
    if base in registry.dimensions:
        return registry.dimensions[base].label(lang)
    for dim in registry.dimensions.values():
        if dim.key == column:
            return dim.label(lang)
    return t("value", lang) if column not in ("period",) else t("date", lang)


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
