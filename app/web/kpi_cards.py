"""KPI cards: a metric's value in the reader's language, its status against target
(respecting whether higher or lower is better), the delta vs the previous period, and a
sparkline."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from metrics.formatting import format_value, is_missing
from metrics.i18n import t
from metrics.registry import Metric
from metrics.status import status_key, target_status

STATUS_COLOURS = {"green": "green", "amber": "orange", "red": "red", "none": "gray"}


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
    state = target_status(metric, card.value)
    dot = f":{STATUS_COLOURS[state]}[●]"
    target = format_value(metric, metric.target, lang=lang)
    st.metric(
        label=f"{dot} {metric.label(lang)}",
        value=format_value(metric, card.value, lang=lang),
        delta=None
        if is_missing(card.delta)
        else format_value(metric, card.delta, lang=lang, delta=True),
        delta_color="normal" if metric.direction == "higher_is_better" else "inverse",
        delta_description=t("delta", lang),
        help=f"{t('target', lang)}: {target} · {t(status_key(metric, state), lang)}",
        chart_data=card.trend or None,
        chart_type="area",
        border=True,
    )
