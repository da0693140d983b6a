"""Section charts: Altair specs rendered to PNG by vl-convert, in the font that covers every
language of the reports (Noto Sans CJK: Chinese and Vietnamese alike, app/reports/fonts.py).

A chart draws its metric in the KPI's own colour (metrics/colours.py, as on the dashboards),
each bar or point labelled with its value, the target as a dashed line labelled
"Target 85.0%", and a value axis that shows the spread: when the values sit far from zero
(OEE between 80 % and 95 %) it starts just below them instead of at 0."""

from __future__ import annotations

import functools
import math
import unicodedata
from datetime import date
from pathlib import Path

import altair as alt
import polars as pl
import vl_convert as vlc

from app.reports.content import SectionData
from app.reports.fonts import font_dirs, report_font
from metrics.colours import TARGET, metric_colour
from metrics.formatting import axis_date_format, format_value
from metrics.i18n import t
from metrics.registry import Metric

WIDTH, HEIGHT = 420, 210  # the plot; the target's label sits right of it
MAX_POINT_LABELS = 16  # a line with more points than this is not labelled point by point
# Start the axis at zero unless the lowest value is above this share of the highest.
ZERO_UNLESS_ABOVE = 0.5
_STEPS = (1, 2, 2.5, 5, 10)


@functools.cache
def _register_fonts() -> None:
    """vl-convert only knows system fonts it was told about; register the report fonts once."""
    for folder in font_dirs():
        vlc.register_font_directory(str(folder))


def _nfc(text: object) -> str:
    """Composed characters (Vietnamese "ệ" as one code point), which every font draws."""
    return unicodedata.normalize("NFC", str(text))


def _step(span: float) -> float:
    """A round tick step giving about five ticks over `span`."""
    raw = span / 5 if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(s * power for s in _STEPS if s * power >= raw)


def value_domain(values: list[float], target: float | None) -> tuple[float, float] | None:
    """The value axis' range: None (Vega-Lite's own, from zero) when the values reach near
    zero or below it; else a range from a round step below the lowest value (or target) to
    a step above the highest, so differences between 80 % and 95 % show."""
    points = [v for v in values if v is not None and math.isfinite(v)]
    if target is not None:
        points.append(target)
    if not points:
        return None
    low, high = min(points), max(points)
    if low <= 0 or low <= high * ZERO_UNLESS_ABOVE:
        return None
    step = _step(high - low)
    start = math.floor((low - step / 2) / step) * step
    end = math.ceil((high + step / 2) / step) * step
    return (max(start, 0.0), end)


def _x_labels(data: SectionData) -> list[str]:
    """The category axis' labels: names as they are, days in the reader's axis format."""
    pattern = axis_date_format(data.lang)
    return [
        _nfc(value.strftime(pattern) if isinstance(value, date) else value)
        for value in data.frame[data.category].to_list()  # type: ignore[index]
    ]


def _side(values: list[float], index: int) -> str:
    """Where a point's label goes on a line: "below" when the point lies under the mean of
    its neighbours (a dip, the line leaves it upwards), else "above"."""
    neighbours = [values[j] for j in (index - 1, index + 1) if 0 <= j < len(values)]
    if not neighbours:
        return "above"
    return "below" if values[index] < sum(neighbours) / len(neighbours) else "above"


def _metric(data: SectionData) -> Metric:
    return next((m for m in data.metrics if m.name == data.section.chart_metric), data.metrics[0])


def chart_spec(data: SectionData) -> dict | None:
    """A Vega-Lite spec: a bar per category, or a line over time for a grain."""
    if data.category is None or data.frame.height == 0:
        return None
    metric = _metric(data)
    lang = data.lang
    rows = [
        {"category": label, "value": value, "text": _nfc(format_value(metric, value, lang=lang))}
        for label, value in zip(_x_labels(data), data.frame[metric.name].to_list(), strict=True)
        if value is not None
    ]
    if not rows:
        return None
    for i, row in enumerate(rows):
        row["side"] = _side([r["value"] for r in rows], i)
    frame = pl.DataFrame(rows)
    percent = metric.format.get("style") == "percent"
    axis_format = ".0%" if percent else ",.2~f"
    domain = value_domain(frame["value"].to_list(), metric.target)
    scale = alt.Scale(domain=list(domain), nice=False) if domain else alt.Scale(zero=True)
    colour = metric_colour(metric.name)
    y = alt.Y(
        "value:Q",
        title=_nfc(metric.label(lang)),
        axis=alt.Axis(format=axis_format, grid=True, gridColor="#eaeef2"),
        scale=scale,
    )
    x = alt.X(
        "category:N",
        title=_nfc(data.headers.get(data.category, "")),
        sort=None,
        axis=alt.Axis(labelAngle=-30 if frame.height > 6 else 0, labelLimit=160),
    )
    base = alt.Chart(alt.Data(values=frame.to_dicts()))
    layers: list[alt.Chart] = []
    if data.category == "period":
        layers.append(base.mark_line(point=True, color=colour).encode(x=x, y=y))
        if frame.height <= MAX_POINT_LABELS:
            # each label on the side of its point away from the line: above a peak, below a dip
            for side, dy in (("above", -9), ("below", 15)):
                labels = base.transform_filter(alt.datum.side == side).mark_text(
                    dy=dy, fontSize=10, color="#24292f"
                )
                layers.append(labels.encode(x=x, y=y, text="text:N"))
    else:
        bar = base.mark_bar(color=colour, size=min(38, 360 / max(frame.height, 1)))
        encoding = {"x": x, "y": y}
        if domain:
            encoding["y2"] = alt.datum(domain[0])  # bars rise from the axis' start
        layers.append(bar.encode(**encoding))
        labels = base.mark_text(dy=-7, fontSize=10, color="#24292f", fontWeight="bold")
        layers.append(labels.encode(x=x, y=y, text="text:N"))
    if metric.target is not None:
        label = _nfc(f"{t('target', lang)} {format_value(metric, metric.target, lang=lang)}")
        target = alt.Chart(alt.Data(values=[{"target": metric.target, "label": label}]))
        layers.append(
            target.mark_rule(color=TARGET, strokeDash=[5, 3], strokeWidth=1.5).encode(
                y=alt.Y("target:Q", scale=scale)
            )
        )
        layers.append(
            # right of the plot, level with its line, where no bar or point label can be
            target.mark_text(
                align="left", baseline="middle", dx=4, color=TARGET, fontWeight="bold"
            ).encode(y=alt.Y("target:Q", scale=scale), x=alt.value(WIDTH), text="label:N")
        )
    chart = (
        alt.layer(*layers)
        .properties(width=WIDTH, height=HEIGHT)
        .configure(font=report_font().family)
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=10, titleFontSize=11)
    )
    return chart.to_dict()


def render_png(spec: dict, scale: float = 2.0) -> bytes:
    """PNG bytes of a Vega-Lite spec."""
    _register_fonts()
    return vlc.vegalite_to_png(spec, scale=scale)


def section_png(data: SectionData) -> bytes | None:
    spec = chart_spec(data)
    return render_png(spec) if spec else None


def save_png(data: SectionData, path: Path) -> Path | None:
    png = section_png(data)
    if png is None:
        return None
    path.write_bytes(png)
    return path
