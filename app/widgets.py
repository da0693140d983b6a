"""Small layout pieces every page uses: a chart with its data downloads, a formatted table,
and the note that says which sidebar filters a set of KPIs cannot honour."""

from __future__ import annotations

from collections.abc import Iterable

import altair as alt
import polars as pl
import streamlit as st

from app import data
from app.downloads import download_buttons
from app.filters import Filters
from app.i18n import t


def chart_with_data(chart: alt.TopLevelMixin, frame: pl.DataFrame, name: str, lang: str,
                    **chart_args: object) -> object:
    """Show an Altair chart and offer its data as CSV/XLSX; returns the selection event."""
    event = st.altair_chart(chart, width="stretch", **chart_args)
    download_buttons(frame, name, lang)
    return event


def dropped_note(filters: Filters, names: Iterable[str]) -> None:
    """Say so when a chosen filter does not apply to some of the KPIs shown."""
    dims: list[str] = []
    for name in names:
        for dim in filters.dropped(data.metric(name).dimensions):
            if dim not in dims:
                dims.append(dim)
    if dims:
        labels = "、".join if filters.lang == "zh" else ", ".join
        text = labels(data.registry().dimension(d).label(filters.lang) for d in dims)
        st.caption(t("not_filtered_by", filters.lang, dims=text))


def no_data(frame: pl.DataFrame | None, lang: str) -> bool:
    """True (and an info box) when there is nothing to draw."""
    if frame is None or frame.is_empty():
        st.info(t("no_data", lang))
        return True
    return False


def equals_from(filters: Filters, *, equipment: str | None = None) -> tuple[tuple[str, str], ...]:
    """(column, value) pairs of the sidebar's plant/line/shift for the row lists."""
    pairs = (("plant_id", filters.plant), ("line_id", filters.line),
             ("shift_code", filters.shift), ("equipment_id", equipment))
    return tuple((c, v) for c, v in pairs if v)
