"""KPI cards: a metric's value in the reader's language, its status against target
(respecting whether higher or lower is better), the delta vs the previous period, and a
sparkline."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from app.web.i18n import NULL, format_number, is_missing, t
from metrics.formatting import format_value
from metrics.registry import Metric

AMBER_BAND = 0.05  # within 5 % of target (relative) is amber, beyond is red
STATUS_COLOURS = {"green": "green", "amber": "orange", "red": "red", "none": "gray"}
STATUS_LABELS = {
    "green": "on_target",
    "amber": "near_target",
    "red": "off_target",
    "none": "no_target",
}


def status(metric: Metric, value: object) -> str:
    """green / amber / red against the metric's target, or none without target or value."""
    target = metric.target
    if target is None or is_missing(value):
        return "none"
    number = float(value)  # type: ignore[arg-type]
    higher = metric.direction == "higher_is_better"
    if (number >= target) if higher else (number <= target):
        return "green"
    band = abs(target) * AMBER_BAND
    if (number >= target - band) if higher else (number <= target + band):
        return "amber"
    return "red"


def format_metric(metric: Metric, value: object, lang: str, *, delta: bool = False) -> str:
    """Percentages as the registry says; large amounts in 万/亿 for Chinese readers."""
    if is_missing(value):
        return NULL
    if metric.format.get("style") != "percent" and not delta and lang == "zh":
        return format_number(value, lang, int(metric.format.get("decimals", 2)))
    return format_value(metric, value, delta=delta)


@dataclass(frozen=True)
class Card:
    metric: Metric
    value: float | None
    delta: float | None
    trend: list[float]


def cards_from(current: pl.DataFrame, trend: pl.DataFrame, metrics: list[Metric]) -> list[Card]:
    """One card per metric from a one-row compare frame and a period-bucketed trend frame."""
    row = current.row(0, named=True) if current.height else {}
    cards = []
    for metric in metrics:
        series = []
        if metric.name in trend.columns:
            series = [v for v in trend.sort("period")[metric.name].to_list() if v is not None]
        cards.append(Card(metric, row.get(metric.name), row.get(f"{metric.name}_delta"), series))
    return cards


def render_card(card: Card, lang: str) -> None:
    metric = card.metric
    state = status(metric, card.value)
    dot = f":{STATUS_COLOURS[state]}[●]"
    target = format_metric(metric, metric.target, lang) if metric.target is not None else NULL
    st.metric(
        label=f"{dot} {metric.label(lang)}",
        value=format_metric(metric, card.value, lang),
        delta=None
        if is_missing(card.delta)
        else format_metric(metric, card.delta, lang, delta=True),
        delta_color="normal" if metric.direction == "higher_is_better" else "inverse",
        delta_description=t("delta", lang),
        help=f"{t('target', lang)}: {target} · {t(STATUS_LABELS[state], lang)}",
        chart_data=card.trend or None,
        chart_type="area",
        border=True,
    )
