"""Section charts: Altair specs rendered to PNG by vl-convert, with a CJK font so Chinese
labels show as text rather than empty boxes."""

from __future__ import annotations

import functools
from pathlib import Path

import altair as alt
import polars as pl
import vl_convert as vlc

from app.reports.content import SectionData
from app.reports.fonts import CJK_FAMILY, font_dirs

COLOR = "#1f6feb"


@functools.cache
def _register_fonts() -> None:
    """vl-convert only knows system fonts it was told about; register the CJK ones once."""
    for folder in font_dirs():
        vlc.register_font_directory(str(folder))


def chart_spec(data: SectionData) -> dict | None:
    """A Vega-Lite spec: a bar per category, or a line over time for a grain."""
    if data.category is None or data.frame.height == 0:
        return None
    metric = next((m for m in data.metrics if m.name == data.section.chart_metric), data.metrics[0])
    frame = data.frame.select(
        pl.col(data.category).cast(pl.Utf8).alias("category"), pl.col(metric.name).alias("value")
    ).drop_nulls("value")
    if frame.height == 0:
        return None
    percent = metric.format.get("style") == "percent"
    axis_format = ".0%" if percent else ",.2~f"
    y = alt.Y("value:Q", title=metric.label(data.lang), axis=alt.Axis(format=axis_format))
    x = alt.X(
        "category:N",
        title=data.headers.get(data.category, ""),
        sort=None,
        axis=alt.Axis(labelAngle=-30),
    )
    base = alt.Chart(alt.Data(values=frame.to_dicts()))
    mark = (
        base.mark_line(point=True, color=COLOR)
        if data.category == "period"
        else (base.mark_bar(color=COLOR, size=min(36, 380 / max(frame.height, 1))))
    )
    layers = [mark.encode(x=x, y=y)]
    if metric.target is not None:
        rule = (
            alt.Chart(alt.Data(values=[{"target": metric.target}]))
            .mark_rule(color="#d1242f", strokeDash=[4, 3])
            .encode(y="target:Q")
        )
        layers.append(rule)
    chart = alt.layer(*layers).properties(width=440, height=200).configure(font=CJK_FAMILY)
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
