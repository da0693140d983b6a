"""Small layout pieces every page uses: a chart with its data downloads, a formatted table
with headers in the reader's language, and the note that says which sidebar filters a set of
KPIs cannot honour."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import altair as alt
import polars as pl
import streamlit as st

from app.web import charts, data
from app.web.downloads import download_buttons
from app.web.filters import Filters
from metrics.formatting import COLUMN_SUFFIXES, format_number, number_separators
from metrics.i18n import DEFAULT_LANG, column_label, has, join, t
from metrics.registry import Metric


def chart_with_data(
    chart: alt.TopLevelMixin, frame: pl.DataFrame, name: str, lang: str, **chart_args: object
) -> object:
    """Show an Altair chart and offer its data as CSV/XLSX; returns the selection event."""
    event = show_chart(chart, **chart_args)
    download_buttons(frame, name, lang)
    return event


def show_chart(chart: alt.TopLevelMixin, **chart_args: object) -> object:
    """st.altair_chart, full width, without re-validating the spec on every run and with the
    chart serialised once (the same element st.altair_chart sends: vega_lite_spec)."""
    chart_args.setdefault("width", "stretch")
    spec = vega_lite_spec(chart)
    if spec is None:  # a Streamlit without the converter: let it convert on every run
        return st.altair_chart(charts.unvalidated(chart), **chart_args)
    return st.vega_lite_chart(spec=spec, **chart_args)


def vega_lite_spec(chart: alt.TopLevelMixin) -> dict[str, Any] | None:
    """The chart's Vega-Lite spec as st.altair_chart makes it (its data as Arrow datasets),
    converted once per chart object (charts.memoized hands out the same object for the same
    rows) and returned as a fresh dict, as Streamlit edits the spec it is given."""
    converted = chart.__dict__.get("_andon_spec")
    if converted is None:
        try:  # Streamlit's own conversion (private: a later Streamlit may move it)
            from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec
        except ImportError:
            return None
        spec = _convert_altair_to_vega_lite_spec(charts.unvalidated(chart))
        datasets = spec.pop("datasets", None) or {}
        converted = (json.dumps(spec), datasets)
        object.__setattr__(chart, "_andon_spec", converted)
    text, datasets = converted
    spec = json.loads(text)
    if datasets:
        spec["datasets"] = dict(datasets)
    return spec


def dropped_note(filters: Filters, names: Iterable[str]) -> None:
    """Say so when a chosen filter does not apply to some of the KPIs shown."""
    dims: list[str] = []
    for name in names:
        for dim in filters.dropped(data.metric(name).dimensions):
            if dim not in dims:
                dims.append(dim)
    if dims:
        text = join((data.registry().dimension(d).label(filters.lang) for d in dims), filters.lang)
        st.caption(t("not_filtered_by", filters.lang, dims=text))


def no_data(
    frame: pl.DataFrame | None, lang: str, columns: Iterable[str] = (), title: str | None = None
) -> bool:
    """True (and an info box, naming the chart `title` when given) when there is nothing to
    draw: no rows, or (given `columns`) no value other than null or 0 in any of them."""
    if is_empty(frame, columns):
        st.info(f"**{title}** · {t('no_data', lang)}" if title else t("no_data", lang))
        return True
    return False


def is_empty(frame: pl.DataFrame | None, columns: Iterable[str] = ()) -> bool:
    """No rows, or no value other than null or 0 in `columns` (those the frame has)."""
    if frame is None or frame.is_empty():
        return True
    present = [c for c in columns if c in frame.columns]
    if not present:
        return False
    return not any(_has_value(frame[c]) for c in present)


def _has_value(series: pl.Series) -> bool:
    values = series.drop_nulls()
    if series.dtype.is_numeric():
        values = values.filter(values != 0)
    return values.len() > 0


def unit_text(metric: Metric, lang: str) -> str | None:
    """The unit of `metric` as a header writes it (h, 小时, giờ), None when the label says it
    (ratios shown as percent, counts, turns, an index)."""
    key = "unit_" + re.sub(r"[^a-z0-9]+", "_", metric.unit.lower()).strip("_")
    if metric.format.get("style") == "percent" or not has(key):
        return None
    return t(key, lang)


def metric_header(metric: Metric, lang: str) -> str:
    """A metric's column header with its unit: "MTBF (h)", "平均故障间隔（小时）" — not where
    the label already names it ("Days of inventory")."""
    unit = unit_text(metric, lang)
    label = metric.label(lang)
    if unit is None or _names(label, unit):
        return label
    return t("unit_suffix", lang, label=label, unit=unit)


def _names(label: str, unit: str) -> bool:
    """Whether `label` already says `unit`: as a word, or anywhere for CJK text."""
    if any(ord(char) >= 0x2E80 for char in unit):
        return unit in label
    return re.search(rf"(?<!\w){re.escape(unit)}(?!\w)", label, re.IGNORECASE) is not None


def equals_from(filters: Filters, *, equipment: str | None = None) -> tuple[tuple[str, str], ...]:
    """(column, value) pairs of the sidebar's plant/line/shift for the row lists."""
    pairs = (
        ("plant_id", filters.plant),
        ("line_id", filters.line),
        ("shift_code", filters.shift),
        ("equipment_id", equipment),
    )
    return tuple((c, v) for c, v in pairs if v)


IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
PERCENT_COLUMNS = {"cumulative_share", "unknown_share"}
CODE_COLUMNS = {"line_no", "source_row", "load_id", "attempt"}  # numbers that are names
FORMATS = {"int": "%,d", "number": "%,.2f", "decimal1": "%,.1f", "code": "%d", "percent": "percent"}


def is_identifier(name: object) -> bool:
    """True for a raw snake_case column name (what a reader should never see as a header)."""
    return isinstance(name, str) and IDENTIFIER.fullmatch(name) is not None


def header(column: str, lang: str, columns: Iterable[str] = ()) -> str:
    """The header of `column` in `lang`: the i18n column labels, then the registry's metric
    and dimension labels; a column already titled for the reader is kept as it is."""
    known = column_label(column, lang)
    if known is not None:
        return known
    registry = data.registry()
    for suffix in COLUMN_SUFFIXES:
        base = column.removesuffix(suffix)
        if base != column and base in registry.metrics:
            return metric_header(registry.metrics[base], lang) + t(f"suffix{suffix}", lang)
    if column in registry.metrics:
        return metric_header(registry.metrics[column], lang)
    if column.endswith("_label") and column.removesuffix("_label") in registry.dimensions:
        return registry.dimensions[column.removesuffix("_label")].label(lang)
    for name, dim in registry.dimensions.items():
        if column in (name, dim.key):
            if f"{name}_label" in columns or f"{name}_name" in columns:
                return dim.label(lang) + t("code_suffix", lang)
            return dim.label(lang)
    if not is_identifier(column):
        return column
    return column.replace("_", " ").capitalize()


def _kind(frame: pl.DataFrame, column: str) -> str:
    """How a column is shown when the caller says nothing: by its name and type."""
    dtype = frame.schema[column]
    registry = data.registry()
    base = column
    for suffix in COLUMN_SUFFIXES:
        base = base.removesuffix(suffix)
    if column in PERCENT_COLUMNS or (
        base in registry.metrics
        and registry.metrics[base].format.get("style") == "percent"
        and column == base
    ):
        return "percent"
    if dtype == pl.Date:
        return "date"
    if isinstance(dtype, pl.Datetime):
        times = frame[column].drop_nulls()
        midnight = times.is_empty() or bool((times.dt.truncate("1d") == times).all())
        return "date" if midnight else "datetime"
    if dtype.is_integer():
        return "code" if column in CODE_COLUMNS or column.endswith("_id") else "int"
    if dtype.is_numeric():
        values = frame[column].drop_nulls().cast(pl.Float64)
        whole = not values.is_empty() and bool((values == values.round(0)).all())
        return "int" if whole and "qty" in column else "number"
    return "text"


DECIMALS = {"int": 0, "number": 2, "decimal1": 1}


def _as_text(column: str, kind: str, lang: str) -> pl.Expr:
    """Numbers of `column` as `lang` writes them (format_number), percentages with "%"."""
    if kind == "percent":
        return pl.col(column).map_elements(
            lambda v: f"{format_number(v * 100, lang, 1)}%", return_dtype=pl.String
        )
    decimals = DECIMALS[kind]
    return pl.col(column).map_elements(
        lambda v: format_number(v, lang, decimals), return_dtype=pl.String
    )


def display_table(
    frame: pl.DataFrame,
    lang: str,
    formats: dict[str, str] | None = None,
    *,
    style: Callable[[object], object] | None = None,
    column_config: dict[str, object] | None = None,
    widths: dict[str, int | str] | None = None,
    **options: object,
) -> None:
    """Show a row list: headers in `lang`, dates as dates, quantities with thousands
    separators, ratios as percentages.

    `formats` overrides the inferred kind per (original) column: date, datetime, int,
    number, decimal1, code, percent or text. `style` gets the relabelled pandas frame and
    returns a Styler; `column_config` (by original column) is merged over the built one;
    `widths` (by original column: pixels, or small/medium/large) sizes columns, keeping
    their formats."""
    formats = formats or {}
    own_separators = number_separators(lang) != number_separators(DEFAULT_LANG)
    names: dict[str, str] = {}
    config: dict[str, object] = {}
    casts = []
    for column in frame.columns:
        title = header(column, lang, frame.columns)
        while title in names.values():
            title += " "  # two sources of one header: keep both columns
        names[column] = title
        kind = formats.get(column) or _kind(frame, column)
        dtype = frame.schema[column]
        if kind == "date":
            if dtype != pl.Date:
                casts.append(pl.col(column).cast(pl.Date))
            config[title] = st.column_config.DateColumn(title, format=t("fmt_date_column", lang))
        elif kind == "datetime":
            config[title] = st.column_config.DatetimeColumn(
                title, format=t("fmt_datetime_column", lang)
            )
        elif kind in FORMATS and dtype.is_numeric() and kind != "code" and own_separators:
            # Streamlit's number formats write 1,234.5 whatever the language: a reader who
            # writes 1.234,5 gets the numbers as text in their style, right-aligned.
            casts.append(_as_text(column, kind, lang))
            config[title] = st.column_config.TextColumn(title, alignment="right")
        elif kind in FORMATS and dtype.is_numeric():
            if isinstance(dtype, pl.Decimal):
                casts.append(pl.col(column).cast(pl.Float64))
            config[title] = st.column_config.NumberColumn(title, format=FORMATS[kind])
        if column_config and column in column_config:
            config[title] = column_config[column]
        if widths and column in widths:
            sized = dict(config.get(title) or st.column_config.Column(title))
            sized["width"] = widths[column]
            config[title] = sized
    shown = frame.with_columns(casts) if casts else frame
    shown = shown.rename(names)
    body = style(shown.to_pandas()) if style is not None else shown
    options.setdefault("hide_index", True)
    options.setdefault("width", "stretch")
    st.dataframe(body, column_config=config, **options)


def summary_table(
    frame: pl.DataFrame, lang: str, *, style: Callable[[object], object] | None = None
) -> None:
    """A short table of formatted values (a few rows, a column per KPI) drawn static, as wide
    as the page, its headers wrapping, so no column is cut off however narrow the column or
    long the language's labels. Headers in `lang` as display_table writes them."""
    names = {c: plain(header(c, lang, frame.columns)) for c in frame.columns}
    texts = [
        pl.col(c).map_elements(plain, return_dtype=pl.String)
        for c, d in frame.schema.items()
        if d == pl.String
    ]
    shown = frame.with_columns(texts).rename(names).to_pandas()
    st.table(style(shown) if style is not None else shown, hide_index=True)


MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~])")


def plain(text: str) -> str:
    """`text` as itself where Streamlit reads Markdown (st.table's cells and headers)."""
    return MARKDOWN.sub(r"\\\1", text)
