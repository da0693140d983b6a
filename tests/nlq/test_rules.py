"""The parser's general rules, each on a few sentences of its own (not from the YAML sets)."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.nlq.normalize import has_cjk
from metrics.nlq.parser import parse
from metrics.nlq.parser_types import Clarification, Interpretation

DAY = date(2026, 10, 11)  # a Sunday


def _parse(question, vocab):
    return parse(question, vocab, DAY, "zh" if has_cjk(question) else "en")


@pytest.mark.parametrize(
    ("question", "metric", "order"),
    [
        ("top 4 defect types last week", "defect_qty", "desc"),
        ("缺陷类型排名", "defect_qty", "desc"),
        ("which supplier delivers most punctually", "supplier_on_time", "desc"),
        ("哪家供应商交货最不准时", "supplier_on_time", "asc"),
        ("least reliable line", "mtbf_hours", "asc"),
        ("最可靠的设备", "mtbf_hours", "desc"),
    ],
)
def test_a_dimension_implies_its_metric(question, metric, order, vocab):
    result = _parse(question, vocab)
    assert isinstance(result, Interpretation), result
    assert result.metrics == (metric,) and result.order == order


@pytest.mark.parametrize(
    "question", ["top 5 customers", "各产线排名", "best supplier", "reliable customers"]
)
def test_no_natural_metric_still_asks(question, vocab):
    assert isinstance(_parse(question, vocab), Clarification)


def test_a_value_before_another_dimension_filters(vocab):
    result = _parse("shipments for north america customers", vocab)
    assert result.where == {"region": ("North America",)} and result.by == ()
    child = _parse("SZ lines scrap rate", vocab)  # a child dimension: its members, grouped
    assert child.by == ("line",)


@pytest.mark.parametrize(
    "question",
    ["除了东莞，其他工厂的OEE", "oee for the other plants except DG", "其余工厂的OEE除了东莞"],
)
def test_other_and_rest_are_modifiers(question, vocab):
    result = _parse(question, vocab)
    assert isinstance(result, Interpretation), result
    assert result.by == ("plant",) and result.where == {"plant": ("HP", "SZ")}


@pytest.mark.parametrize(
    "question", ["平均交货期", "average lead time by region", "mean lead time"]
)
def test_average_is_a_modifier(question, vocab):
    assert _parse(question, vocab).metrics == ("order_lead_time_days",)


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("oee right now", "2026-10-11", "2026-10-12"),
        ("当前的库存天数", "2026-10-11", "2026-10-12"),
        ("现在的产量", "2026-10-11", "2026-10-12"),
        ("output so far this year", "2026-01-01", "2026-10-12"),
        ("scrap rate past fortnight", "2026-09-28", "2026-10-12"),
        ("上上周的OEE", "2026-09-21", "2026-09-28"),
        ("上上个月的产量", "2026-08-01", "2026-09-01"),
        ("前天的报废率", "2026-10-09", "2026-10-10"),
        ("oee the day before yesterday", "2026-10-09", "2026-10-10"),
        ("oee last 2 quarters", "2026-04-12", "2026-10-12"),
        ("shipments H1 2026", "2026-01-01", "2026-07-01"),
        ("shipments in the second half of 2025", "2025-07-01", "2026-01-01"),
        ("上半年的发货量", "2026-01-01", "2026-07-01"),
        ("去年下半年的发货量", "2025-07-01", "2026-01-01"),
    ],
)
def test_time_phrases(question, start, end, vocab):
    result = _parse(question, vocab)
    assert isinstance(result, Interpretation), result
    assert (result.start.isoformat(), result.end.isoformat()) == (start, end)


@pytest.mark.parametrize(
    ("question", "order"),
    [
        ("rank lines by mttr", "desc"),  # lower is better: largest (worst) first
        ("rank lines by oee", "desc"),  # higher is better: largest (best) first
        ("各产线报废率排名", "desc"),
        ("各产线OEE从低到高排序", "asc"),
        ("best lines by mttr", "asc"),  # best / worst follow the metric's direction
        ("worst lines by oee", "asc"),
    ],
)
def test_ranking_direction(question, order, vocab):
    assert _parse(question, vocab).order == order


@pytest.mark.parametrize(
    ("question", "order", "limit"),
    [
        ("直通率最低的前3条产线", "asc", 3),  # the lowest three, not the top three
        ("OEE最差的前5台设备", "asc", 5),
        ("MTTR最高的前2条产线", "desc", 2),
        ("前3条产线的OEE", "desc", 3),
    ],
)
def test_a_superlative_before_first_n_sets_the_direction(question, order, limit, vocab):
    result = _parse(question, vocab)
    assert isinstance(result, Interpretation), result
    assert (result.order, result.limit) == (order, limit)


def test_an_unknown_name_is_not_split_by_a_filler_character(vocab):
    # 都 alone is 'all'; in 成都 it is half a city the sample has no plant in
    result = _parse("成都工厂的短停", vocab)
    assert isinstance(result, Clarification), result
    assert (result.reason, result.words, result.candidates) == (
        "unknown_value",
        "成都",
        ("SZ", "DG", "HP"),
    )
