"""KPI cards: a metric's value in the reader's language, its status against target
(respecting whether higher or lower is better), the delta vs the previous period, and a
sparkline.

A card is a bordered box whose title wraps (st.metric cuts its label short in a narrow
column, so the metric's own label is collapsed and the title is written above it), with the
comparison and the target in a caption below. A delta that rounds to zero at the metric's
decimals is no change: grey, without an arrow."""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl
import streamlit as st

from metrics.formatting import format_value, is_missing
from metrics.i18n import t
from metrics.registry import Metric
from metrics.status import status_key, target_status

STATUS_COLOURS = {"green": "green", "amber": "orange", "red": "red", "none": "gray"}
MAX_PER_ROW = 5


@dataclass(frozen=True)
class Card:
    metric: Metric
    value: float | None
    delta: float | None
    trend: list[float]


@dataclass(frozen=True)
class Delta:
    """How st.metric shows a delta: its text, colour mode and arrow."""

    text: str | None
    colour: str  # normal | inverse | off
    arrow: str  # auto | off


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


def rounds_to_zero(metric: Metric, value: float) -> bool:
    """Whether `value` is shown as zero at the metric's decimals (percent: of its points)."""
    decimals = int(metric.format.get("decimals", 2))
    shown = value * 100 if metric.format.get("style") == "percent" else value
    return round(shown, decimals) == 0


def delta_display(metric: Metric, delta: float | None, lang: str) -> Delta:
    """The delta's text, and green/red with an arrow by the metric's direction; none for a
    missing delta, grey without an arrow for one that rounds to zero."""
    if is_missing(delta) or (isinstance(delta, float) and math.isinf(delta)):
        return Delta(None, "off", "off")
    text = format_value(metric, delta, lang=lang, delta=True)
    if rounds_to_zero(metric, delta):
        return Delta(text, "off", "off")
    colour = "normal" if metric.direction == "higher_is_better" else "inverse"
    return Delta(text, colour, "auto")


def card_rows(count: int, most: int = MAX_PER_ROW) -> list[int]:
    """Cards per row: as few rows as `most` per row allows, balanced (9 -> 5, 4)."""
    if count <= 0:
        return []
    rows = math.ceil(count / most)
    size = math.ceil(count / rows)
    sizes = []
    while count > 0:
        sizes.append(min(size, count))
        count -= size
    return sizes


def render_cards(cards: list[Card], lang: str) -> None:
    """The cards in balanced rows of at most MAX_PER_ROW, each row as wide as the page."""
    start = 0
    widest = max(card_rows(len(cards)), default=0)
    for size in card_rows(len(cards)):
        for column, card in zip(st.columns(widest), cards[start : start + size], strict=False):
            with column:
                render_card(card, lang)
        start += size


def render_card(card: Card, lang: str) -> None:
    metric = card.metric
    state = target_status(metric, card.value)
    dot = f":{STATUS_COLOURS[state]}[●]"
    target = format_value(metric, metric.target, lang=lang)
    delta = delta_display(metric, card.delta, lang)
    with st.container(border=True):
        st.markdown(
            f"{dot} **{metric.label(lang)}**",
            help=f"{t('target', lang)}: {target} · {t(status_key(metric, state), lang)}",
        )
        st.metric(
            label=f"{dot} {metric.label(lang)}",
            label_visibility="collapsed",
            value=format_value(metric, card.value, lang=lang),
            delta=delta.text,
            delta_color=delta.colour,
            delta_arrow=delta.arrow,
            chart_data=card.trend or None,
            chart_type="area",
        )
        notes = []
        if delta.text is not None:
            notes.append(t("delta", lang))
        if metric.target is not None:
            notes.append(f"{t('target', lang)} {target}")
        if notes:
            st.caption(" · ".join(notes))
