"""How a question was read, in one line in the asker's language (metrics.nlq.answer.describe)."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.nlq import Interpretation
from metrics.nlq.answer import READ_COMPARE, READ_PER, describe
from metrics.registry import GRAINS
from metrics.timeexpr import COMPARE_SUFFIX

FULL = Interpretation(
    ("oee", "availability"),
    by=("plant", "line"),
    where={"plant": ("SZ", "DG")},
    excluded={"line": ("SZ-PACK1",)},
    start=date(2026, 9, 28),
    end=date(2026, 10, 5),
    grain="week",
    compare="same_period_last_year",
    order="desc",
    limit=3,
)


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        (
            "en",
            "OEE, Availability · by plant, line · plant: Suzhou Plant, Dongguan Plant"
            " · excluding Packing Line 1 · 2026-09-28 – 2026-10-04 · per week"
            " · vs same period last year · top 3",
        ),
        (
            "zh",
            "设备综合效率、时间开动率/可用率 · 按工厂、产线 · 工厂：苏州工厂、东莞工厂"
            " · 不含 包装线1 · 2026-09-28 – 2026-10-04 · 按周 · 同比 · 前3",
        ),
    ],
)
def test_describe_every_part(lang, line, vocab):
    assert describe(FULL, vocab, lang) == line


def test_describe_order_without_limit(vocab):
    low = Interpretation(("scrap_rate",), by=("line",), order="asc", compare="previous_period")
    assert describe(low, vocab, "en") == "Scrap rate · by line · vs previous period · lowest first"
    assert describe(low, vocab, "zh") == "报废率 · 按产线 · 环比 · 从低到高"


def test_every_grain_and_comparison_has_words():
    assert set(READ_PER) == set(GRAINS)
    assert set(READ_COMPARE) == set(COMPARE_SUFFIX)
