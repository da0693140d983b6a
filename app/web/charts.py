"""Altair charts of the dashboards: built from Polars frames, titled and labelled in the
reader's language, every mark with a tooltip. Pure functions, so tests can inspect specs."""

from __future__ import annotations

from functools import partial
from typing import TypeVar

import altair as alt
import polars as pl

from metrics.formatting import axis_date_format
from metrics.i18n import t

# Altair validates every chart against the Vega-Lite JSON schema when it is built and again
# when Streamlit serialises it: most of a warm page run. The app's charts are fixed
# templates whose specs the tests validate (tests/app/test_tables.py), so the app skips it.
alt.utils.schemapi.disable_debug_mode()
Spec = TypeVar("Spec", bound=alt.TopLevelMixin)

PERCENT = ".1%"
HEIGHT = 260
DRILL = "drill"


def unvalidated(chart: Spec) -> Spec:
    """The chart, serialised without the schema validation (see above) when shown."""
    object.__setattr__(chart, "to_dict", partial(type(chart).to_dict, chart, validate=False))
    return chart


def _time_axis(lang: str, title: str | None = None) -> alt.Axis:
    return alt.Axis(format=axis_date_format(lang), title=title or t("date", lang), labelAngle=0)


def trend(
    frame: pl.DataFrame, series: dict[str, str], lang: str, *, percent: bool = True, title: str = ""
) -> alt.Chart:
    """Lines over `period`, one per column in `series` ({column: label})."""
    long = (
        frame.select("period", *series)
        .unpivot(index="period", on=list(series), variable_name="metric", value_name="value")
        .with_columns(pl.col("metric").replace_strict(series, return_dtype=pl.String))
    )
    value_format = PERCENT if percent else ",.2f"
    return (
        alt.Chart(long, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("period:T", axis=_time_axis(lang)),
            y=alt.Y("value:Q", title=t("value", lang), axis=alt.Axis(format=value_format)),
            color=alt.Color("metric:N", title=t("metric", lang), sort=list(series.values())),
            tooltip=[
                alt.Tooltip("period:T", title=t("date", lang), format="%Y-%m-%d"),
                alt.Tooltip("metric:N", title=t("metric", lang)),
                alt.Tooltip("value:Q", title=t("value", lang), format=value_format),
            ],
        )
        .properties(height=HEIGHT)
    )


def heatmap(
    frame: pl.DataFrame,
    row: str,
    row_title: str,
    value: str,
    value_title: str,
    lang: str,
    title: str = "",
) -> alt.Chart:
    """Cells of `value` (a ratio) per `row` label × day, red to green."""
    return (
        alt.Chart(frame, title=title)
        .mark_rect()
        .encode(
            x=alt.X(
                "yearmonthdate(period):O",
                title=t("date", lang),
                axis=alt.Axis(format=axis_date_format(lang), labelAngle=-45),
            ),
            y=alt.Y(f"{row}:N", title=row_title),
            color=alt.Color(
                f"{value}:Q",
                title=value_title,
                legend=alt.Legend(format=".0%"),
                scale=alt.Scale(scheme="redyellowgreen", domain=[0.4, 1]),
            ),
            tooltip=[
                alt.Tooltip(f"{row}:N", title=row_title),
                alt.Tooltip("period:T", title=t("date", lang), format="%Y-%m-%d"),
                alt.Tooltip(f"{value}:Q", title=value_title, format=PERCENT),
            ],
        )
        .properties(height=max(HEIGHT, 22 * frame[row].n_unique()))
    )


def waterfall_frame(steps: list[tuple[str, float]], lang: str) -> pl.DataFrame:
    """Bars from (label, hours): the first is the start total, the last the end total, the
    ones between are losses taken off the running total."""
    rows = []
    running = 0.0
    for index, (label, hours) in enumerate(steps):
        hours = hours or 0.0
        if index == 0 or index == len(steps) - 1:
            kind = t("loss_start", lang) if index == 0 else t("loss_end", lang)
            rows.append((index, label, 0.0, hours, hours, kind))
            running = hours
        else:
            rows.append((index, label, running - hours, running, -hours, t("loss_step", lang)))
            running -= hours
    return pl.DataFrame(
        rows, schema=["order", "step", "low", "high", "hours", "kind"], orient="row"
    )


def waterfall(frame: pl.DataFrame, lang: str, title: str = "") -> alt.Chart:
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X(
                "step:N",
                sort=alt.SortField("order"),
                title=None,
                axis=alt.Axis(labelAngle=-35, labelLimit=160, labelOverlap=False),
            ),
            y=alt.Y("low:Q", title=t("hours", lang)),
            y2="high:Q",
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(range=["#4c78a8", "#e45756", "#54a24b"]),
                sort=[t("loss_start", lang), t("loss_step", lang), t("loss_end", lang)],
            ),
            tooltip=[
                alt.Tooltip("step:N", title=t("loss_step", lang)),
                alt.Tooltip("hours:Q", title=t("hours", lang), format=",.1f"),
            ],
        )
        .properties(height=HEIGHT + 40)
    )


def pareto(
    frame: pl.DataFrame,
    category: str,
    category_title: str,
    value: str,
    value_title: str,
    lang: str,
    title: str = "",
    top: int = 15,
) -> alt.Chart:
    """Bars largest first with the cumulative share as a line on a second axis."""
    data = frame.sort(value, descending=True).head(top)
    total = frame[value].sum() or 1
    data = data.with_columns((pl.col(value).cum_sum() / total).alias("cumulative_share"))
    order = data[category].to_list()
    base = alt.Chart(data, title=title).encode(
        x=alt.X(
            f"{category}:N",
            sort=order,
            title=category_title,
            axis=alt.Axis(labelAngle=-35, labelLimit=140),
        )
    )
    tooltip = [
        alt.Tooltip(f"{category}:N", title=category_title),
        alt.Tooltip(f"{value}:Q", title=value_title, format=",.1f"),
        alt.Tooltip("cumulative_share:Q", title=t("cumulative_share", lang), format=PERCENT),
    ]
    bars = base.mark_bar().encode(y=alt.Y(f"{value}:Q", title=value_title), tooltip=tooltip)
    line = base.mark_line(point=True, color="#e45756").encode(
        y=alt.Y(
            "cumulative_share:Q",
            title=t("cumulative_share", lang),
            axis=alt.Axis(format=".0%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        tooltip=tooltip,
    )
    return alt.layer(bars, line).resolve_scale(y="independent").properties(height=HEIGHT)


def drill_bars(
    frame: pl.DataFrame,
    key: str,
    label: str,
    value: str,
    value_title: str,
    level_title: str,
    lang: str,
    target: float | None = None,
) -> alt.Chart:
    """Horizontal bars of a ratio per member; clicking a bar selects its key (drill down)."""
    pick = alt.selection_point(name=DRILL, fields=[key], on="click")
    bars = (
        alt.Chart(frame)
        .mark_bar(cursor="pointer")
        .encode(
            y=alt.Y(f"{label}:N", sort="-x", title=level_title),
            x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format=".0%")),
            color=alt.condition(pick, alt.value("#4c78a8"), alt.value("#a5b8cf")),
            tooltip=[
                alt.Tooltip(f"{label}:N", title=level_title),
                alt.Tooltip(f"{value}:Q", title=value_title, format=PERCENT),
            ],
        )
        .add_params(pick)
    )
    height = max(120, 28 * frame.height)
    if target is None:
        return bars.properties(height=height)
    rule = (
        alt.Chart(pl.DataFrame({"target": [target]}))
        .mark_rule(color="#e45756", strokeDash=[4, 3])
        .encode(
            x="target:Q", tooltip=[alt.Tooltip("target:Q", title=t("target", lang), format=PERCENT)]
        )
    )
    return alt.layer(bars, rule).properties(height=height)


def spc(
    points: pl.DataFrame, lines: dict[str, float | None], lang: str, title: str = ""
) -> alt.Chart:
    """Measurements in order with centre line, control limits and spec limits; out-of-control
    points in red, the baseline before the period in grey."""
    base = alt.Chart(points, title=title).encode(
        x=alt.X("sample:Q", title=t("samples", lang)),
        y=alt.Y("measured_value:Q", title=t("measurement", lang), scale=alt.Scale(zero=False)),
    )
    tooltip = [
        alt.Tooltip("sample:Q", title="#"),
        alt.Tooltip("inspected_at:T", title=t("date", lang), format="%Y-%m-%d %H:%M"),
        alt.Tooltip("measured_value:Q", title=t("measurement", lang), format=",.3f"),
        alt.Tooltip("lot_id:N", title=t("lot_id", lang)),
        alt.Tooltip("rules:N", title=t("rules_hit", lang)),
    ]
    line = base.mark_line(color="#9ab", strokeWidth=1)
    dots = base.mark_circle(size=40).encode(
        color=alt.Color(
            "flag:N",
            title=None,
            scale=alt.Scale(
                domain=[t("in_control", lang), t("out_of_control", lang), t("spc_baseline", lang)],
                range=["#4c78a8", "#e45756", "#b8c0c8"],
            ),
        ),
        tooltip=tooltip,
    )
    rows = [(name, value) for name, value in lines.items() if value is not None]
    limits = pl.DataFrame(rows, schema=["limit", "value"], orient="row")
    rules = (
        alt.Chart(limits)
        .mark_rule(strokeDash=[5, 3])
        .encode(
            y="value:Q",
            color=alt.Color("limit:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("limit:N"), alt.Tooltip("value:Q", format=",.3f")],
        )
    )
    return (
        alt.layer(line, dots, rules)
        .resolve_scale(color="independent")
        .properties(height=HEIGHT + 40)
    )


def histogram(
    frame: pl.DataFrame, field: str, title_x: str, lang: str, title: str = ""
) -> alt.Chart:
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X(f"{field}:Q", bin=alt.Bin(maxbins=30), title=title_x),
            y=alt.Y("count():Q", title=t("order_lines", lang)),
            tooltip=[
                alt.Tooltip(f"{field}:Q", bin=alt.Bin(maxbins=30), title=title_x),
                alt.Tooltip("count():Q", title=t("order_lines", lang)),
            ],
        )
        .properties(height=HEIGHT)
    )


def grouped_bars(
    frame: pl.DataFrame,
    category: str,
    category_title: str,
    value: str,
    value_title: str,
    value_format: str,
    title: str = "",
) -> alt.Chart:
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X(f"{category}:N", title=category_title, sort="-y", axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{value}:Q", title=value_title, axis=alt.Axis(format=value_format)),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=category_title),
                alt.Tooltip(f"{value}:Q", title=value_title, format=value_format),
            ],
        )
        .properties(height=HEIGHT - 40)
    )


MARKS = ("bar", "line", "point", "area")


def quick_chart(frame: pl.DataFrame, x: str, y: str, color: str | None, mark: str) -> alt.Chart:
    """The workbench's chart builder: any column against any column."""
    chart = alt.Chart(frame.head(5000))
    chart = {
        "bar": chart.mark_bar,
        "line": chart.mark_line,
        "point": chart.mark_point,
        "area": chart.mark_area,
    }[mark]()
    encoding = {"x": alt.X(x), "y": alt.Y(y), "tooltip": [c for c in (x, y, color) if c]}
    if color:
        encoding["color"] = alt.Color(color)
    return chart.encode(**encoding).properties(height=HEIGHT + 40)
