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


def test_plain_rows_and_frames_are_ordered_alike():
    """Ties keep the query's order, NULLs go last, NaN sorts above every number."""
    from datetime import date

    import polars as pl

    from metrics.nlq.answer import Rows, order_rows
    from metrics.nlq.parser_types import Interpretation

    rows = [("a", 0.5), ("b", None), ("c", 0.9), ("d", 0.5), ("e", float("nan")), ("f", None)]
    plain = Rows(["line_id", "oee"], rows)
    frame = pl.DataFrame(rows, schema=["line_id", "oee"], orient="row")
    for order, limit, want in [
        ("desc", None, ["e", "c", "a", "d", "b", "f"]),
        ("asc", None, ["a", "d", "c", "e", "b", "f"]),
        ("asc", 3, ["a", "d", "c"]),
    ]:
        interp = Interpretation(
            metrics=("oee",),
            by=("line",),
            where={},
            start=date(2026, 10, 1),
            end=date(2026, 10, 12),
            order=order,
            limit=limit,
        )
        assert [r[0] for r in order_rows(plain, interp).rows] == want
        assert order_rows(frame, interp)["line_id"].to_list() == want
