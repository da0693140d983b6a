"""Charts of planning and engineering change, built like app/web/charts.py (Polars in,
Altair out, labelled in the reader's language, a tooltip on every mark, pure so tests can
read the specs):

- `status_bars`: one KPI per category as horizontal bars, each bar coloured by its status
  against the metric's target (on target, near it, off it — as the KPI cards' dots), with
  its value and the target line;
- `trend_with_changes`: a KPI's trend with the engineering changes that take effect in the
  period drawn over it — a dashed rule and a marker on each effective date, the changes of
  that day in the marker's tooltip (`change_marks` makes that frame).
"""

from __future__ import annotations

from datetime import date

import altair as alt
import polars as pl

from app.web.charts import (
    ROW,
    bottom_legend,
    category_axis,
    finish,
    is_percent,
    memoized,
    rows_height,
    target_marks,
    trend_layers,
    value_axis,
)
from metrics.colours import BAD, GOOD, NEUTRAL, WARN
from metrics.formatting import format_value
from metrics.i18n import t
from metrics.registry import Metric
from metrics.status import STATUSES, status_key, target_status

STATUS_FILLS = {"green": GOOD, "amber": WARN, "red": BAD, "none": NEUTRAL}
CHANGE_COLOUR = "#6f4e9c"  # engineering changes: no KPI has it
TREND_HEIGHT = 220


def status_frame(frame: pl.DataFrame, category: str, metric: Metric, lang: str) -> pl.DataFrame:
    """category, value, text, status (green/amber/red/none) and its name in `lang`: one
    row per category with a value, best first by the metric's direction."""
    data = frame.select(pl.col(category), pl.col(metric.name).cast(pl.Float64).alias("value"))
    data = data.filter(pl.col("value").is_not_null())
    statuses = [target_status(metric, v) for v in data["value"]]
    data = data.with_columns(
        pl.Series("text", [format_value(metric, v, lang=lang) for v in data["value"]]),
        pl.Series("status", statuses, dtype=pl.String),
        pl.Series("status_name", [t(status_key(metric, s), lang) for s in statuses]),
    )
    best_first = metric.direction == "higher_is_better"
    return data.sort(["value", category], descending=[best_first, False])


@memoized
def status_bars(
    frame: pl.DataFrame,
    category: str,
    category_title: str,
    metric: Metric,
    lang: str,
    title: str = "",
) -> alt.Chart:
    """Horizontal bars of `metric` per `category`, best first, each coloured by its status
    against the target and labelled with its value; the target line where there is one."""
    data = status_frame(frame, category, metric, lang)
    order = data[category].to_list()
    present = [s for s in STATUSES if s in set(data["status"].to_list())]
    names = [t(status_key(metric, s), lang) for s in present]
    values = [v for v in data["value"].to_list() if v is not None]
    top = max([*values, metric.target or 0.0, 0.01 if is_percent(metric) else 1.0])
    base = alt.Chart(data, title=title).encode(
        y=alt.Y(f"{category}:N", sort=order, axis=category_axis(category_title)),
        x=alt.X(
            "value:Q",
            title=metric.label(lang),
            axis=value_axis(lang, is_percent(metric)),
            scale=alt.Scale(domain=[0, top * 1.2], nice=False),
        ),
        tooltip=[
            alt.Tooltip(f"{category}:N", title=category_title),
            alt.Tooltip("text:N", title=metric.label(lang)),
            alt.Tooltip("status_name:N", title=t("status", lang)),
        ],
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "status_name:N",
            title=t("status", lang),
            scale=alt.Scale(domain=names, range=[STATUS_FILLS[s] for s in present]),
            legend=bottom_legend(names),
        )
    )
    text = base.mark_text(align="left", dx=4, color="#333").encode(text="text:N")
    layers = [bars, text]
    if metric.target is not None:
        layers += target_marks(metric, lang, "x")
    chart = alt.layer(*layers).properties(height=rows_height(len(order), ROW + 4))
    return finish(chart, lang)


def with_line_names(frame: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """`frame` (by line: line_id, line_label) with `line_name` = "SZ · Assembly Line 1":
    lines of different plants share names, and a chart keys its bars by the name."""
    named = frame.join(lines.select("line_id", "plant_id"), on="line_id", how="left")
    return named.with_columns(
        pl.concat_str(["plant_id", "line_label"], separator=" · ", ignore_nulls=True).alias(
            "line_name"
        )
    )


def change_marks(changes: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """One row per effective date of `changes` (rows of plan_lists.effective_changes):
    the date, how many changes take effect on it, their ids and what each changes
    ("FG-WH-220 B→C"), in id order, and whether the date is still to come after `as_of`."""
    columns = {"effective_date": pl.Date, "changes": pl.UInt32, "eco_ids": pl.String}
    if changes.is_empty():
        return pl.DataFrame(schema={**columns, "products": pl.String, "upcoming": pl.Boolean})
    described = changes.sort("eco_id").with_columns(
        pl.format("{} {}→{}", "product_id", "from_revision", "to_revision").alias("what")
    )
    return (
        described.group_by("effective_date")
        .agg(
            pl.len().alias("changes"),
            pl.col("eco_id").str.join(", ").alias("eco_ids"),
            pl.col("what").str.join(", ").alias("products"),
        )
        .sort("effective_date")
        .with_columns((pl.col("effective_date") > as_of).alias("upcoming"))
    )


@memoized
def trend_with_changes(
    trend: pl.DataFrame, metric: Metric, marks: pl.DataFrame, lang: str, title: str = ""
) -> alt.LayerChart:
    """`metric` over `period` (its colour, its target line) with a dashed rule and a
    marker at the top on each date of `marks` (change_marks), the day's changes in the
    tooltip of both; the dates still to come lighter."""
    layers = trend_layers(
        trend, metric, lang, x_title=t("date", lang), y_title=metric.label(lang), ticks=5
    )
    if not marks.is_empty():
        tooltip = [
            alt.Tooltip("effective_date:T", title=t("col_effective_date", lang), format="%Y-%m-%d"),
            alt.Tooltip("changes:Q", title=t("eco_count", lang)),
            alt.Tooltip("eco_ids:N", title=t("col_eco_id", lang)),
            alt.Tooltip("products:N", title=t("eco_products", lang)),
        ]
        base = alt.Chart(marks).encode(
            x=alt.X("effective_date:T"),
            opacity=alt.condition("datum.upcoming", alt.value(0.45), alt.value(1.0)),
            tooltip=tooltip,
        )
        layers += [
            base.mark_rule(color=CHANGE_COLOUR, strokeDash=[6, 3], strokeWidth=1.5),
            base.mark_point(
                shape="triangle-down", filled=True, size=110, color=CHANGE_COLOUR
            ).encode(y=alt.value(6)),
        ]
    chart = alt.layer(*layers, title=title).properties(height=TREND_HEIGHT)
    return finish(chart, lang)
