"""Altair charts of the dashboards: built from Polars frames, titled and labelled in the
reader's language, every mark with a tooltip. Pure functions, so tests can inspect specs.

Rules every chart here keeps, whatever the number of plants, lines or reasons:

- categories run down a vertical axis (horizontal bars), every label shown in full
  (`category_axis`: no length limit, no hiding of overlapping labels), and the chart grows
  one row per category (`rows_height`);
- each KPI has one colour everywhere, chosen by its metric *name* (metrics.colours), never
  by its label, so a KPI keeps its colour in every language;
- KPIs of different size get a panel each with its own y scale around the data
  (`trend_panels`), and a target line, labelled with its value, where the metric has one;
- numbers are written as the reader writes them: value labels come from
  metrics.formatting, axis ticks use the language's separators (`locale`);
- the plot area has the height asked for and the width of the page column
  (`FIT_X`; Streamlit's default "fit" squeezes the plot to make room for the axes).
"""

from __future__ import annotations

import hashlib
import math
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import partial, wraps
from typing import TypeVar

import altair as alt
import polars as pl

from metrics.colours import BAD, NEUTRAL, TARGET, metric_colour
from metrics.formatting import (
    LARGE_UNITS,
    axis_date_format,
    format_number,
    format_value,
    is_missing,
    number_separators,
)
from metrics.i18n import t
from metrics.registry import Metric

# Altair validates every chart against the Vega-Lite JSON schema when it is built and again
# when Streamlit serialises it: most of a warm page run. The app's charts are fixed
# templates whose specs the tests validate (tests/app/web/test_tables.py), so the app skips it.
alt.utils.schemapi.disable_debug_mode()
Spec = TypeVar("Spec", bound=alt.TopLevelMixin)

PERCENT = ".1%"
HEIGHT = 260
PANEL_HEIGHT = 96  # one KPI's panel of a trend
ROW = 26  # one category of a horizontal bar chart
HEAT_ROW = 22  # one row of a heatmap
BAR_ROW = 16  # one bar of a group of bars
MIN_HEIGHT = 60
BAR = metric_colour("oee")  # bars of a quantity that is no KPI (hours of a reason)
DRILL = "drill"
FIT_X = {"type": "fit-x", "contains": "padding"}
# The six big losses by the OEE factor they take from (KPIS.md): their bars have its colour.
LOSS_FACTORS = {
    "oee_loss_breakdowns": "availability",
    "oee_loss_setup": "availability",
    "oee_loss_starved_blocked": "availability",
    "oee_loss_unknown": "availability",
    "oee_loss_minor_stops": "performance",
    "oee_loss_reduced_speed": "performance",
    "oee_loss_quality": "quality",
}
FACTORS = ("availability", "performance", "quality")


MEMO_ENTRIES = 256
_memo: OrderedDict[str, alt.TopLevelMixin] = OrderedDict()
_memo_lock = threading.Lock()
Build = TypeVar("Build", bound=Callable[..., alt.TopLevelMixin])


def _run_key() -> tuple[object, ...] | None:
    """The published build being read and the signed-in user's plants, in a script run
    (None outside one: tests)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    import streamlit as st

    from app.web.session import current_scope
    from app.web.sidebar import STATE

    context = st.session_state.get(STATE)
    plants = current_scope().plants
    return (getattr(context, "key", None), "all" if plants is None else tuple(sorted(plants)))


def memoized(build: Build) -> Build:
    """`build`, answering the same arguments with the same chart object. Building an Altair
    chart (and serialising it once, app.web.widgets.vega_lite_spec) is most of a warm page
    run; a rerun, a page opened again or a colleague in the same plants asks for a chart of
    the same rows. Keyed by the arguments' content (every row of the frames), the published
    build and the signed-in user's plants; the last MEMO_ENTRIES charts are kept, per
    process."""

    @wraps(build)
    def call(*args: object, **kwargs: object) -> alt.TopLevelMixin:
        try:
            content = pickle.dumps(
                (build.__qualname__, _run_key(), args, sorted(kwargs.items())), protocol=5
            )
        except (pickle.PicklingError, TypeError, AttributeError):  # built every time
            return build(*args, **kwargs)
        key = hashlib.sha256(content).hexdigest()
        with _memo_lock:
            chart = _memo.get(key)
            if chart is not None:
                _memo.move_to_end(key)
                return chart
        chart = build(*args, **kwargs)
        with _memo_lock:
            _memo[key] = chart
            while len(_memo) > MEMO_ENTRIES:
                _memo.popitem(last=False)
        return chart

    return call  # type: ignore[return-value]


def unvalidated(chart: Spec) -> Spec:
    """The chart, serialised without the schema validation (see above) when shown."""
    object.__setattr__(chart, "to_dict", partial(type(chart).to_dict, chart, validate=False))
    return chart


def locale(lang: str) -> dict[str, object]:
    """Vega's number locale for `lang`: the separators metrics.formatting writes."""
    thousands, decimal = number_separators(lang)
    return {
        "number": {
            "decimal": decimal,
            "thousands": thousands,
            "grouping": [3],
            "currency": ["", ""],
        }
    }


def finish(chart: Spec, lang: str) -> Spec:
    """The chart as it is shown: plot height as asked, page-column width, `lang`'s numbers."""
    return chart.properties(autosize=FIT_X).configure(locale=locale(lang))


def category_axis(title: str | None = None, **options: object) -> alt.Axis:
    """An axis of categories on which every label shows, in full."""
    return alt.Axis(
        title=title, labelLimit=0, labelOverlap=False, labelAngle=0, labelPadding=4, **options
    )


def rows_height(count: int, row: int = ROW, minimum: int = MIN_HEIGHT) -> int:
    """The plot height of `count` categories of `row` pixels each."""
    return max(minimum, row * max(count, 1))


def number_axis_expr(lang: str, decimals: int = 2) -> str | None:
    """A Vega label expression writing large numbers in `lang`'s myriad units (1.5亿, 2万),
    None for a language that writes plain thousands."""
    units = LARGE_UNITS.get(lang)
    if not units:
        return None
    expression = f"format(datum.value, ',.{decimals}~f')"
    for threshold, unit in reversed(units):
        expression = (
            f"abs(datum.value) >= {threshold:.0f} ? "
            f"format(datum.value / {threshold:.0f}, ',.{decimals}~f') + '{unit}' : {expression}"
        )
    return expression


def value_axis(lang: str, percent: bool, **options: object) -> alt.Axis:
    """A quantitative axis in the reader's number style."""
    if percent:
        return alt.Axis(format=".2~%", **options)
    expression = number_axis_expr(lang)
    if expression is not None:
        return alt.Axis(labelExpr=expression, **options)
    return alt.Axis(format=",.4~s", **options)


def bottom_legend(labels: Sequence[str], width: int = 420) -> alt.Legend:
    """A legend under the plot with every label in full: as many columns as labels of this
    length fit in `width` pixels (one per row when they are long)."""
    longest = max((len(str(label)) for label in labels), default=1)
    columns = max(1, min(4, width // (longest * 7 + 30)))
    return alt.Legend(orient="bottom", labelLimit=0, titleLimit=0, columns=columns)


SHORT_DAYS = 14


def _time_axis(
    lang: str, title: str | None = None, periods: pl.Series | None = None, **options: object
) -> alt.Axis:
    """A date axis. Over a short span of `periods` the ticks fall on whole days (the data is
    daily or coarser: a few days would otherwise get half-day ticks repeating a date)."""
    options.setdefault("labelAngle", 0)
    days = _span_days(periods)
    if days is not None and days <= SHORT_DAYS:
        options["tickCount"] = {"interval": "day", "step": max(1, math.ceil(days / 7))}
    return alt.Axis(format=axis_date_format(lang), title=title, **options)


def _span_days(periods: pl.Series | None) -> int | None:
    if periods is None or periods.drop_nulls().is_empty():
        return None
    first, last = periods.min(), periods.max()
    return max((last - first).days, 1)


def is_percent(metric: Metric) -> bool:
    return metric.format.get("style") == "percent"


def target_text(metric: Metric, lang: str) -> str:
    """ "Target 85.0%": a target line's label in `lang`."""
    return t("target_value", lang, value=format_value(metric, metric.target, lang=lang))


def value_domain(
    values: Sequence[float | None], target: float | None, percent: bool
) -> tuple[float, float]:
    """A y domain around the values (and the target, so its line shows), not from zero:
    15 % of the span added on each side; a percentage stays within 0–100 %."""
    points = [float(v) for v in values if not is_missing(v)]
    if target is not None:
        points.append(float(target))
    if not points:
        return (0.0, 1.0)
    low, high = min(points), max(points)
    span = high - low
    pad = span * 0.15 if span > 0 else max(abs(high) * 0.05, 0.005 if percent else 0.5)
    low, high = low - pad, high + pad
    if min(points) >= 0:
        low = max(low, 0.0)
    if percent:
        high = min(high, 1.0) if max(points) <= 1 else high
    return (low, high)


# ---------------------------------------------------------------------------- trends


@memoized
def trend_panels(
    frame: pl.DataFrame, metrics: Sequence[Metric], lang: str, *, title: str = ""
) -> alt.VConcatChart:
    """One panel per KPI over `period`, stacked, each with its own y scale around its data,
    its colour, and its target line labelled with the target's value. A KPI without values
    gets no panel; `frame` needs `period` and the metrics' columns."""
    shown = [m for m in metrics if m.name in frame.columns and frame[m.name].drop_nulls().len()]
    panels = []
    for index, metric in enumerate(shown):
        last = index == len(shown) - 1
        panels.append(_trend_panel(frame, metric, lang, x_title=t("date", lang) if last else None))
    chart = alt.vconcat(*panels, spacing=14, title=title).resolve_scale(y="independent")
    return finish(chart, lang)


def _trend_panel(
    frame: pl.DataFrame, metric: Metric, lang: str, x_title: str | None
) -> alt.LayerChart:
    return alt.layer(*trend_layers(frame, metric, lang, x_title=x_title)).properties(
        height=PANEL_HEIGHT,
        title=alt.TitleParams(
            metric.label(lang), anchor="start", fontSize=13, color=metric_colour(metric.name)
        ),
    )


def trend_layers(
    frame: pl.DataFrame,
    metric: Metric,
    lang: str,
    *,
    x_title: str | None,
    y_title: str | None = None,
    ticks: int = 4,
) -> list[alt.Chart]:
    """`metric` over `period` as a line in its colour, its y scale around its data and its
    target, with the dashed target line (target_marks) when it has one."""
    data = frame.select("period", pl.col(metric.name).alias("value")).drop_nulls("value")
    data = data.sort("period").with_columns(
        pl.Series("text", [format_value(metric, v, lang=lang) for v in data["value"]])
    )
    percent = is_percent(metric)
    low, high = value_domain(data["value"].to_list(), metric.target, percent)
    colour = metric_colour(metric.name)
    y = alt.Y(
        "value:Q",
        title=y_title,
        scale=alt.Scale(domain=[low, high], zero=False, nice=False),
        axis=value_axis(lang, percent, tickCount=ticks),
    )
    line = (
        alt.Chart(data)
        .mark_line(
            color=colour,
            stroke=colour,
            point=alt.OverlayMarkDef(color=colour, fill=colour, stroke=colour),
        )
        .encode(
            x=alt.X("period:T", axis=_time_axis(lang, x_title, data["period"])),
            y=y,
            tooltip=[
                alt.Tooltip("period:T", title=t("date", lang), format="%Y-%m-%d"),
                alt.Tooltip("text:N", title=metric.label(lang)),
            ],
        )
    )
    layers: list[alt.Chart] = [line]
    if metric.target is not None:
        layers += target_marks(metric, lang, "y")
    return layers


def target_marks(metric: Metric, lang: str, channel: str) -> list:
    """A dashed target rule across the plot (`channel` y: horizontal, x: vertical) and its
    label ("Target 85.0%") beside it."""
    data = pl.DataFrame({"target": [float(metric.target)], "text": [target_text(metric, lang)]})
    base = alt.Chart(data)
    position = {channel: alt.X("target:Q") if channel == "x" else alt.Y("target:Q")}
    tooltip = [alt.Tooltip("text:N", title=t("target", lang))]
    rule = base.mark_rule(color=TARGET, strokeDash=[4, 3], strokeWidth=1.5).encode(
        **position, tooltip=tooltip
    )
    if channel == "y":  # in the margin right of the plot, where no data point can hide it
        text = base.mark_text(
            color=TARGET, align="left", baseline="middle", dx=4, fontWeight="bold"
        ).encode(y=alt.Y("target:Q"), x=alt.value("width"), text="text:N")
    else:
        text = base.mark_text(
            color=TARGET, align="left", baseline="bottom", dx=3, dy=-2, fontWeight="bold"
        ).encode(x=alt.X("target:Q"), y=alt.value(0), text="text:N")
    return [rule, text]


@memoized
def trend_by(
    frame: pl.DataFrame,
    group: str,
    group_title: str,
    metrics: Sequence[Metric],
    lang: str,
    *,
    title: str = "",
) -> alt.VConcatChart:
    """Lines over `period` of each KPI per member of `group` (e.g. OEE per plant): one panel
    per KPI with its own y scale and target line, one colour per member, a shared legend."""
    shown = [m for m in metrics if m.name in frame.columns and frame[m.name].drop_nulls().len()]
    members = sorted(frame[group].drop_nulls().unique().to_list())
    height = HEIGHT - 60 if len(shown) == 1 else PANEL_HEIGHT + 30
    panels = []
    for index, metric in enumerate(shown):
        data = frame.select("period", group, pl.col(metric.name).alias("value")).drop_nulls()
        data = data.with_columns(
            pl.Series("text", [format_value(metric, v, lang=lang) for v in data["value"]])
        )
        percent = is_percent(metric)
        low, high = value_domain(data["value"].to_list(), metric.target, percent)
        last = index == len(shown) - 1
        line = (
            alt.Chart(data)
            .mark_line(point=True)
            .encode(
                x=alt.X(
                    "period:T",
                    axis=_time_axis(lang, t("date", lang) if last else None, data["period"]),
                ),
                y=alt.Y(
                    "value:Q",
                    title=None,
                    scale=alt.Scale(domain=[low, high], zero=False, nice=False),
                    axis=value_axis(lang, percent, tickCount=4),
                ),
                color=alt.Color(
                    f"{group}:N",
                    title=group_title,
                    sort=members,
                    legend=bottom_legend(members),
                ),
                tooltip=[
                    alt.Tooltip("period:T", title=t("date", lang), format="%Y-%m-%d"),
                    alt.Tooltip(f"{group}:N", title=group_title),
                    alt.Tooltip("text:N", title=metric.label(lang)),
                ],
            )
        )
        layers: list[alt.Chart] = [line]
        if metric.target is not None:
            layers += target_marks(metric, lang, "y")
        panel = alt.layer(*layers).properties(height=height)
        if len(shown) > 1 or not title:  # a lone panel under a title needs no title of its own
            panel = panel.properties(
                title=alt.TitleParams(metric.label(lang), anchor="start", fontSize=13)
            )
        panels.append(panel)
    chart = alt.vconcat(*panels, spacing=14, title=title).resolve_scale(y="independent")
    return finish(chart, lang)


# ---------------------------------------------------------------------------- heatmap


@memoized
def heatmap(
    frame: pl.DataFrame,
    row: str,
    row_title: str,
    value: str,
    value_title: str,
    lang: str,
    title: str = "",
) -> alt.Chart:
    """Cells of `value` (a ratio) per `row` label × day, red to green; one row per label,
    every label shown in full."""
    rows = sorted(frame[row].drop_nulls().unique().to_list())
    chart = (
        alt.Chart(frame, title=title)
        .mark_rect()
        .encode(
            x=alt.X(
                "yearmonthdate(period):O",
                title=t("date", lang),
                axis=alt.Axis(format=axis_date_format(lang), labelAngle=-45),
            ),
            y=alt.Y(f"{row}:N", sort=rows, axis=category_axis(row_title)),
            color=alt.Color(
                f"{value}:Q",
                title=value_title,
                legend=alt.Legend(format=".0%", titleLimit=0, orient="bottom"),
                scale=alt.Scale(scheme="redyellowgreen", domain=[0.4, 1], clamp=True),
            ),
            tooltip=[
                alt.Tooltip(f"{row}:N", title=row_title),
                alt.Tooltip("period:T", title=t("date", lang), format="%Y-%m-%d"),
                alt.Tooltip(f"{value}:Q", title=value_title, format=PERCENT),
            ],
        )
        .properties(height=rows_height(len(rows), HEAT_ROW))
    )
    return finish(chart, lang)


# ---------------------------------------------------------------------------- losses


def loss_frame(
    busy_hours: float | None, losses: Sequence[tuple[str, float | None]], lang: str
) -> pl.DataFrame:
    """Where planned busy time goes: one row per loss (metric name, hours), largest first,
    with its share of planned busy time, the OEE factor it takes from, and the labels the
    chart writes. Empty when there is no planned busy time (nothing to divide)."""
    columns = ["metric", "loss", "factor", "hours", "share", "text"]
    if is_missing(busy_hours) or busy_hours <= 0:
        return pl.DataFrame(schema=dict.fromkeys(columns, pl.String)).with_columns(
            pl.col("hours", "share").cast(pl.Float64)
        )
    rows = []
    for name, hours in losses:
        hours = 0.0 if is_missing(hours) else float(hours)
        share = hours / busy_hours
        factor = LOSS_FACTORS.get(name)
        rows.append(
            (
                name,
                t(f"loss_{name.removeprefix('oee_loss_')}", lang),
                t(f"loss_factor_{factor}", lang) if factor else t("loss_other", lang),
                hours,
                share,
                f"{hours_text(hours, lang)} · {share_text(share, lang)}",
            )
        )
    return pl.DataFrame(rows, schema=columns, orient="row").sort(
        "hours", "metric", descending=[True, False]
    )


def hours_text(hours: float | None, lang: str) -> str:
    """ "1,234.5 h" in the reader's number style and unit."""
    return t("unit_hours_value", lang, value=format_number(hours, lang, 1))


def share_text(share: float | None, lang: str) -> str:
    """ "5.8%" in the reader's number style."""
    if is_missing(share):
        return format_number(None, lang)
    return f"{format_number(share * 100, lang, 1)}%"


def loss_summary(busy_hours: float, fully_productive: float | None, lang: str) -> str:
    """ "Planned busy time 20,345.0 h → fully productive time 16,135.2 h (79.3%)"."""
    return t(
        "loss_summary",
        lang,
        busy=hours_text(busy_hours, lang),
        fully=hours_text(fully_productive, lang),
        share=share_text(
            None if is_missing(fully_productive) else fully_productive / busy_hours, lang
        ),
    )


@memoized
def loss_bars(frame: pl.DataFrame, lang: str, title: str = "") -> alt.Chart:
    """Each loss of `loss_frame` as a bar of its share of planned busy time, largest first,
    labelled with its hours and share, coloured by the OEE factor it takes from."""
    order = frame["loss"].to_list()
    top = max(frame["share"].max() or 0.0, 0.01)
    present = set(frame["factor"].to_list())
    kinds = [(t(f"loss_factor_{f}", lang), metric_colour(f)) for f in FACTORS]
    kinds = [(k, c) for k, c in [*kinds, (t("loss_other", lang), NEUTRAL)] if k in present]
    base = alt.Chart(frame, title=title).encode(
        y=alt.Y("loss:N", sort=order, axis=category_axis(t("loss_kind", lang))),
        x=alt.X(
            "share:Q",
            title=t("share_of_busy_time", lang),
            scale=alt.Scale(domain=[0, top * 1.45], nice=False),
            axis=alt.Axis(format=".1~%", tickCount=5),
        ),
        tooltip=[
            alt.Tooltip("loss:N", title=t("loss_kind", lang)),
            alt.Tooltip("factor:N", title=t("loss_factor", lang)),
            alt.Tooltip("text:N", title=t("hours", lang)),
        ],
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "factor:N",
            title=t("loss_factor", lang),
            scale=alt.Scale(domain=[k for k, _ in kinds], range=[c for _, c in kinds]),
            legend=bottom_legend([k for k, _ in kinds]),
        )
    )
    text = base.mark_text(align="left", dx=4, color="#333").encode(text="text:N")
    chart = alt.layer(bars, text).properties(height=rows_height(len(order)))
    return finish(chart, lang)


# ---------------------------------------------------------------------------- bars


@memoized
def pareto(
    frame: pl.DataFrame,
    category: str,
    category_title: str,
    value: str,
    value_title: str,
    lang: str,
    title: str = "",
    top: int = 15,
    colour: str = BAR,
) -> alt.Chart:
    """Horizontal bars largest first (beyond `top` the rest as one "Other" bar), with the
    cumulative share as a line on the axis above; every category labelled."""
    data = pareto_frame(frame, category, value, lang, top)
    order = data[category].to_list()
    base = alt.Chart(data, title=title).encode(
        y=alt.Y(f"{category}:N", sort=order, axis=category_axis(category_title))
    )
    tooltip = [
        alt.Tooltip(f"{category}:N", title=category_title),
        alt.Tooltip("value_text:N", title=value_title),
        alt.Tooltip("cumulative_share:Q", title=t("cumulative_share", lang), format=PERCENT),
    ]
    bars = base.mark_bar(color=colour).encode(
        x=alt.X(f"{value}:Q", title=value_title, axis=value_axis(lang, False)), tooltip=tooltip
    )
    line = base.mark_line(
        color=TARGET, stroke=TARGET, point=alt.OverlayMarkDef(color=TARGET, fill=TARGET)
    ).encode(
        x=alt.X(
            "cumulative_share:Q",
            title=t("cumulative_share", lang),
            axis=alt.Axis(format=".0%", orient="top"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        order=alt.Order("rank:Q"),
        tooltip=tooltip,
    )
    chart = (
        alt.layer(bars, line)
        .resolve_scale(x="independent")
        .properties(height=rows_height(len(order)))
    )
    return finish(chart, lang)


def pareto_frame(
    frame: pl.DataFrame, category: str, value: str, lang: str, top: int = 15
) -> pl.DataFrame:
    """`value` per `category`, largest first, the categories beyond `top` summed into one
    "Other (n)" row, with rank, cumulative share and the value as the reader writes it."""
    data = (
        frame.group_by(category)
        .agg(pl.col(value).sum())
        .sort([value, category], descending=[True, False])
    )
    if data.height > top:
        rest = data.slice(top - 1)
        other = pl.DataFrame(
            {category: [t("pareto_other", lang, count=rest.height)], value: [rest[value].sum()]},
            schema=data.schema,
        )
        data = pl.concat([data.head(top - 1), other])
    total = data[value].sum() or 1
    return data.with_columns(
        pl.int_range(1, data.height + 1).alias("rank"),
        (pl.col(value).cum_sum() / total).alias("cumulative_share"),
        pl.col(value)
        .map_elements(lambda v: format_number(v, lang, 1), return_dtype=pl.String)
        .alias("value_text"),
    )


@memoized
def drill_bars(
    frame: pl.DataFrame,
    key: str,
    label: str,
    metric: Metric,
    level_title: str,
    lang: str,
) -> alt.Chart:
    """Horizontal bars of a ratio per member, each labelled with its value, and the metric's
    target line; clicking a bar selects its key (drill down)."""
    value = metric.name
    data = frame.select(key, label, value).with_columns(
        pl.Series("text", [format_value(metric, v, lang=lang) for v in frame[value]])
    )
    order = data.sort(value, descending=True, nulls_last=True)[label].to_list()
    pick = alt.selection_point(name=DRILL, fields=[key], on="click")
    top = max([v for v in data[value].to_list() if v is not None] + [metric.target or 0, 0.01])
    base = alt.Chart(data).encode(
        y=alt.Y(f"{label}:N", sort=order, axis=category_axis(level_title)),
        x=alt.X(
            f"{value}:Q",
            title=metric.label(lang),
            axis=alt.Axis(format=".0%" if is_percent(metric) else ",.4~s"),
            scale=alt.Scale(domain=[0, top * 1.15], nice=False),
        ),
        tooltip=[
            alt.Tooltip(f"{label}:N", title=level_title),
            alt.Tooltip("text:N", title=metric.label(lang)),
        ],
    )
    colour = metric_colour(value)
    bars = (
        base.mark_bar(cursor="pointer")
        .encode(color=alt.condition(pick, alt.value(colour), alt.value(NEUTRAL)))
        .add_params(pick)
    )
    text = base.mark_text(align="left", dx=4, color="#333").encode(text="text:N")
    layers = [bars, text]
    if metric.target is not None:
        layers += target_marks(metric, lang, "x")
    chart = alt.layer(*layers).properties(height=rows_height(len(order), 30))
    return finish(chart, lang)


@memoized
def metric_bars(
    frame: pl.DataFrame,
    category: str,
    category_title: str,
    metrics: Sequence[Metric],
    lang: str,
    title: str = "",
) -> alt.Chart:
    """Horizontal bars of one or more KPIs per category (a group of bars per category, one
    colour per KPI by its name), each bar labelled with its value; with one KPI, its target
    line. Categories sorted by the first KPI, best first."""
    first = metrics[0]
    long = _long(frame, category, metrics, lang)
    best_first = first.direction == "higher_is_better"
    order = (
        frame.sort(first.name, descending=best_first, nulls_last=True)[category]
        .unique(maintain_order=True)
        .to_list()
    )
    labels = [m.label(lang) for m in metrics]
    percent = all(is_percent(m) for m in metrics)
    values = [v for v in long["value"].to_list() if v is not None]
    targets = [m.target for m in metrics if m.target is not None and len(metrics) == 1]
    top = max([*values, *targets, 0.0]) or 1.0
    encoding = {
        "y": alt.Y(f"{category}:N", sort=order, axis=category_axis(category_title)),
        "x": alt.X(
            "value:Q",
            title=labels[0] if len(metrics) == 1 else t("value", lang),
            axis=value_axis(lang, percent),
            scale=alt.Scale(domain=[0, top * 1.2], nice=False),
        ),
        "tooltip": [
            alt.Tooltip(f"{category}:N", title=category_title),
            alt.Tooltip("kpi:N", title=t("metric", lang)),
            alt.Tooltip("text:N", title=t("value", lang)),
        ],
    }
    if len(metrics) > 1:
        encoding["yOffset"] = alt.YOffset("kpi:N", sort=labels)
    base = alt.Chart(long, title=title).encode(**encoding)
    bars = base.mark_bar().encode(
        color=alt.Color(
            "kpi:N",
            title=t("metric", lang),
            scale=alt.Scale(domain=labels, range=[metric_colour(m.name) for m in metrics]),
            legend=bottom_legend(labels) if len(metrics) > 1 else None,
        )
    )
    text = base.mark_text(align="left", dx=4, color="#333", fontSize=10).encode(text="text:N")
    layers = [bars, text]
    if len(metrics) == 1 and first.target is not None:
        layers += target_marks(first, lang, "x")
    per_category = max(ROW, BAR_ROW * len(metrics) + 8)
    chart = alt.layer(*layers).properties(height=rows_height(len(order), per_category))
    return finish(chart, lang)


def _long(frame: pl.DataFrame, category: str, metrics: Sequence[Metric], lang: str) -> pl.DataFrame:
    """category, metric (name), kpi (label), value, text: one row per category × KPI."""
    parts = [
        frame.select(
            pl.col(category),
            pl.lit(m.name).alias("metric"),
            pl.lit(m.label(lang)).alias("kpi"),
            pl.col(m.name).cast(pl.Float64).alias("value"),
            pl.Series("text", [format_value(m, v, lang=lang) for v in frame[m.name]]),
        )
        for m in metrics
    ]
    return pl.concat(parts)


@memoized
def grouped_bars(
    frame: pl.DataFrame,
    category: str,
    category_title: str,
    group: str,
    group_title: str,
    metric: Metric,
    lang: str,
    title: str = "",
) -> alt.Chart:
    """Horizontal bars of one KPI per category and group (e.g. OEE per line and plant): a
    group of bars per category, one colour per group value."""
    data = frame.select(category, group, metric.name).with_columns(
        pl.Series("text", [format_value(metric, v, lang=lang) for v in frame[metric.name]])
    )
    categories = data[category].unique(maintain_order=True).to_list()
    groups = data[group].n_unique()
    chart = (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", sort=categories, axis=category_axis(category_title)),
            yOffset=alt.YOffset(f"{group}:N"),
            x=alt.X(
                f"{metric.name}:Q",
                title=metric.label(lang),
                axis=value_axis(lang, is_percent(metric)),
            ),
            color=alt.Color(
                f"{group}:N",
                title=group_title,
                legend=bottom_legend([str(g) for g in data[group].unique().to_list()]),
            ),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=category_title),
                alt.Tooltip(f"{group}:N", title=group_title),
                alt.Tooltip("text:N", title=metric.label(lang)),
            ],
        )
        .properties(height=rows_height(len(categories), max(ROW, BAR_ROW * groups + 8)))
    )
    return finish(chart, lang)


# ---------------------------------------------------------------------------- SPC, histogram


@memoized
def spc(
    points: pl.DataFrame, lines: dict[str, float | None], lang: str, title: str = ""
) -> alt.Chart:
    """Measurements in order with centre line, control limits and spec limits; out-of-control
    points in red, the baseline before the period in grey."""
    base = alt.Chart(points, title=title).encode(
        x=alt.X("sample:Q", title=t("samples", lang), axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("measured_value:Q", title=t("measurement", lang), scale=alt.Scale(zero=False)),
    )
    tooltip = [
        alt.Tooltip("sample:Q", title="#"),
        alt.Tooltip("inspected_at:T", title=t("date", lang), format="%Y-%m-%d %H:%M"),
        alt.Tooltip("measured_value:Q", title=t("measurement", lang), format=",.3f"),
        alt.Tooltip("lot_id:N", title=t("lot_id", lang)),
        *(
            [alt.Tooltip("equipment:N", title=t("col_equipment_name", lang))]
            if "equipment" in points.columns
            else []
        ),
        alt.Tooltip("rules:N", title=t("rules_hit", lang)),
    ]
    line = base.mark_line(color="#9ab", strokeWidth=1)
    dots = base.mark_circle(size=40).encode(
        color=alt.Color(
            "flag:N",
            title=None,
            scale=alt.Scale(
                domain=[t("in_control", lang), t("out_of_control", lang), t("spc_baseline", lang)],
                range=[metric_colour("oee"), BAD, "#b8c0c8"],
            ),
            legend=alt.Legend(labelLimit=0, titleLimit=0),
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
            color=alt.Color("limit:N", title=None, legend=bottom_legend(list(lines))),
            tooltip=[alt.Tooltip("limit:N"), alt.Tooltip("value:Q", format=",.3f")],
        )
    )
    chart = (
        alt.layer(line, dots, rules)
        .resolve_scale(color="independent")
        .properties(height=HEIGHT + 40)
    )
    return finish(chart, lang)


@memoized
def histogram(
    frame: pl.DataFrame, field: str, title_x: str, lang: str, title: str = ""
) -> alt.Chart:
    chart = (
        alt.Chart(frame, title=title)
        .mark_bar(color=metric_colour("order_lead_time_days"))
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
    return finish(chart, lang)


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
