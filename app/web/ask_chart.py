"""The Altair chart of a question-box answer, drawn from the answer's chart suggestion
(metrics.nlq.answer.Chart) in the asker's language. Pure functions, like app/web/charts.py,
whose building blocks it uses."""

from __future__ import annotations

import altair as alt
import polars as pl

from app.web import charts
from metrics.i18n import t
from metrics.nlq.answer import Chart
from metrics.registry import Registry


def chart_of(
    spec: Chart | None, frame: pl.DataFrame | None, registry: Registry, lang: str
) -> alt.Chart | None:
    """The chart the answer suggests; None for a single value or nothing to draw."""
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


def _is_percent(registry: Registry, name: str) -> bool:
    return registry.metrics[name].format.get("style") == "percent"


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
