"""How the box reads words nobody listed for it: descriptions of values, short names,
Chinese typos, time phrases with relative years, two periods, and the rules that keep a
partial match from becoming a confident wrong answer. Each expectation is worked out by
hand for as_of 2026-10-11 (a Sunday; 'this month' is 10-01 .. 10-12, end exclusive)."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.nlq.ask import ask
from metrics.nlq.lexer import correct_cjk
from metrics.nlq.normalize import has_cjk, normalize
from metrics.nlq.parser import parse
from metrics.nlq.parser_types import Clarification, Interpretation
from metrics.nlq.vocabulary import descriptions

DAY = date(2026, 10, 11)
LAST_30 = (date(2026, 9, 12), date(2026, 10, 12))


def _read(question, vocab):
    result = parse(question, vocab, DAY, "zh" if has_cjk(question) else "en")
    assert isinstance(result, Interpretation), f"{question!r} asked back: {result}"
    return result


def _window(result):
    return (result.start, result.end)


# ------------------------------------------------------------------ values by description


@pytest.mark.parametrize(
    ("question", "dim", "keys"),
    [
        # a line type named with its plant: that plant's line, and no plant filter
        ("availability of the Suzhou assembly line", "line", ("SZ-ASSY1",)),
        ("good parts off the assy line at hp", "line", ("HP-ASSY1",)),
        ("海防包装线的时间开动率", "line", ("HP-PACK1",)),
        ("oee of the SMT lines at Dongguan", "line", ("DG-SMT1", "DG-SMT2")),
        # a store by its material type and plant
        ("inventory value in the Haiphong raw material warehouse", "warehouse", ("HP-RM",)),
        ("苏州FG仓的库存周转率", "warehouse", ("SZ-FG",)),
        ("东莞成品仓库存周转天数", "warehouse", ("DG-FG",)),
        # machines by kind, plural, initials, without 'machine'
        ("mttr for the labelers", "equipment", ("DG-PACK1-M01", "HP-PACK1-M01", "SZ-PACK1-M01")),
        (
            "breakdown hours on the pick n place machines",
            "equipment",
            ("DG-SMT2-M02", "HP-SMT2-M02", "SZ-SMT2-M02"),
        ),
        ("mtbf of the SPI at Suzhou", "equipment", ("SZ-SMT1-M02",)),
        # products by what they are
        ("defect ppm for the humidity sensor", "product", ("FG-SM-130",)),
        ("压力传感器的检验合格率", "product", ("FG-SM-120",)),
        ("电池包线束的报废率", "product", ("FG-WH-240",)),
        ("consumption value of copper wire", "product", ("RM-WIRE-1.5",)),
        # customers and suppliers by their short names
        ("order lead time for Bremer", "customer", ("CUST-007",)),
        ("cost of goods shipped to Texas EV in September", "customer", ("CUST-012",)),
        ("芯源今年的准时交货率", "supplier", ("SUP-02",)),
        ("海川科技的订单量", "customer", ("CUST-004",)),
        # defects by a plural or one of their words
        ("housing scratches by line", "defect_code", ("D-SCRATCH",)),
        ("how many tombstoned parts last week", "defect_code", ("D-TOMB",)),
        ("missing labels last month", "defect_code", ("D-LABEL",)),
        # regions by a word for several of them
        ("海外客户本月出货量", "region", ("Europe", "North America")),
    ],
)
def test_a_value_is_read_from_its_description(question, dim, keys, vocab):
    result = _read(question, vocab)
    assert result.where.get(dim) == keys, result.where
    assert "plant" not in result.where or dim not in ("line", "warehouse", "equipment")


def test_a_description_never_shadows_a_known_word(vocab):
    # 华东 is a region before it is the start of 上海华东电气's name
    assert [t.kind for t in vocab.phrases["华东"]] == ["value"]
    assert vocab.phrases["华东"][0].dim == "region"
    # '精密' begins two suppliers' names: it names neither
    assert "精密" not in vocab.phrases


def test_descriptions_of_a_line(vocab):
    kinds, shorts = descriptions(
        "line", vocab.values["line"]["SZ-ASSY1"], vocab.values, vocab.registry
    )
    assert {"assembly line", "assembly lines", "assy line", "装配线"} <= kinds and not shorts


# ------------------------------------------------------------------ Chinese typos


@pytest.mark.parametrize(
    ("text", "corrected"),
    [
        ("海防报费率", "海防报废率"),  # 费 for 废
        ("苏州各线值通率", "苏州各线直通率"),  # 值 for 直, a filler character
        ("设备综合效律", "设备综合效率"),
        ("库存周专率", "库存周转率"),
    ],
)
def test_a_chinese_typo_of_one_character_is_corrected(text, corrected, vocab):
    assert correct_cjk(normalize(text), vocab) == (corrected, 1)


@pytest.mark.parametrize("text", ["哪条线良率最低", "北美订单的准时交付率", "柏林工厂"])
def test_known_words_and_particles_are_not_typos(text, vocab):
    assert correct_cjk(normalize(text), vocab) == (normalize(text), 0)


def test_a_corrected_word_costs_confidence(vocab):
    assert _read("海防报费率本月", vocab).confidence == 0.9
    assert _read("海防报废率本月", vocab).confidence == 1.0


# ------------------------------------------------------------------ words that imply a metric


@pytest.mark.parametrize(
    ("question", "metrics"),
    [
        ("how many units went out the door from haiphong last week", ("shipped_qty",)),
        ("上个月发了多少货", ("shipped_qty",)),
        ("深圳海川科技本季度订了多少", ("order_qty",)),
        ("how much did Texas EV Components order in September", ("order_qty",)),
        ("kWh per good unit by plant last month", ("energy_kwh_per_unit",)),
        ("每件合格品耗电多少度", ("energy_kwh_per_unit",)),
        ("贴标机坏了修一次平均要多久", ("mttr_hours",)),
        ("thruput per hour sz-smt1 today", ("throughput_per_hour",)),
        ("海防这个月检验了多少次", ("inspections",)),
        # a named loss is that loss, not every loss ('损失', 'loses' also say 'losses')
        ("东莞各产线上周的换型时间损失", ("oee_loss_setup",)),
        ("which line loses the most time to changeovers", ("oee_loss_setup",)),
        (
            "oee losses by line",
            tuple(
                f"oee_loss_{n}"
                for n in (
                    "breakdowns",
                    "setup",
                    "starved_blocked",
                    "unknown",
                    "minor_stops",
                    "reduced_speed",
                    "quality",
                )
            ),
        ),
        # delivery words with suppliers are the suppliers' on-time delivery
        ("宁波线缆今年的交货准时率", ("supplier_on_time",)),
        ("which supplier is worst at delivering on time", ("supplier_on_time",)),
    ],
)
def test_words_that_imply_a_metric(question, metrics, vocab):
    assert _read(question, vocab).metrics == metrics


def test_pass_rate_in_chinese_is_asked_about():
    from tests.nlq.dims import sample_vocabulary

    result = parse("上个月合格率多少", sample_vocabulary(), DAY, "zh")
    assert isinstance(result, Clarification)
    assert {"first_pass_yield", "inspection_pass_rate"} <= set(result.candidates)


# ------------------------------------------------------------------ grouping and ranking


@pytest.mark.parametrize(
    ("question", "by"),
    [
        ("各供应商准时交货率，上个月", ("supplier",)),  # 各 + a metric named by its dimension
        ("苏州各线值通率 上周", ("line",)),
        ("HP 各条线的 OEE 趋势", ("line",)),
        ("fully productive hours by line for the SMT lines at Dongguan", ("line",)),
        # two values filter; they group only when compared or when nothing else groups
        ("rework qty by line for MC-300 and MC-400", ("line",)),
        ("compare SZ and DG on fpy", ("plant",)),
    ],
)
def test_grouping(question, by, vocab):
    assert _read(question, vocab).by == by


@pytest.mark.parametrize(
    ("question", "order", "limit"),
    [
        ("rank lines by MTBF, lowest first", "asc", None),
        ("近一个月各产品的订单交付周期，从长到短", "desc", None),
        ("5 customers with the longest order lead time", "desc", 5),
        ("苏州工厂平均故障间隔时间最短的五台设备", "asc", 5),
        ("平均修复时间最长的5台设备", "desc", 5),
        ("which sku had the lowest first time right", "asc", 1),
    ],
)
def test_ranking(question, order, limit, vocab):
    result = _read(question, vocab)
    assert (result.order, result.limit) == (order, limit)


# ------------------------------------------------------------------ time


@pytest.mark.parametrize(
    ("question", "window", "compare"),
    [
        ("去年9月的OEE", (date(2025, 9, 1), date(2025, 10, 1)), None),
        ("oee september last year", (date(2025, 9, 1), date(2025, 10, 1)), None),
        ("last year's Q4 OTD", (date(2025, 10, 1), date(2026, 1, 1)), None),
        ("今年第三季度的OEE", (date(2026, 7, 1), date(2026, 10, 1)), None),
        ("produced qty for Sept 1-15", (date(2026, 9, 1), date(2026, 9, 16)), None),
        ("dg oee last wk", (date(2026, 9, 28), date(2026, 10, 5)), None),
        ("OEE yesterdya", (date(2026, 10, 10), date(2026, 10, 11)), None),
        ("oee month 3", (date(2026, 3, 1), date(2026, 4, 1)), None),
        # two periods: the one before, or the same a year earlier, is a comparison
        (
            "oee last month vs this month",
            (date(2026, 10, 1), date(2026, 10, 12)),
            "previous_period",
        ),
        ("上个月报废率跟上上个月比", (date(2026, 9, 1), date(2026, 10, 1)), "previous_period"),
        (
            "scrap rate last week vs the week before",
            (date(2026, 9, 28), date(2026, 10, 5)),
            "previous_period",
        ),
        (
            "fpy this month compared with the same month last year",
            (date(2026, 10, 1), date(2026, 10, 12)),
            "same_period_last_year",
        ),
        ("欧洲客户的OTIF vs 上月", (date(2026, 10, 1), date(2026, 10, 12)), "previous_period"),
        # a period inside another is the narrower one
        ("oee 2026 september", (date(2026, 9, 1), date(2026, 10, 1)), None),
    ],
)
def test_time_phrases(question, window, compare, vocab):
    result = _read(question, vocab)
    assert (_window(result), result.compare) == (window, compare)


def test_a_month_grain_without_a_period_is_twelve_whole_months(vocab):
    result = _read("monthly scrap rate", vocab)
    assert (_window(result), result.grain) == ((date(2025, 11, 1), date(2026, 10, 12)), "month")
    result = _read("weekly oee", vocab)  # 12 ISO weeks, the current one to date
    assert (_window(result), result.grain) == ((date(2026, 7, 20), date(2026, 10, 12)), "week")


def test_change_against_another_period_is_no_trend(vocab):
    result = _read("北美客户本月的订单交付周期与上月相比有什么变化", vocab)
    assert (result.grain, result.compare) == (None, "previous_period")


@pytest.mark.parametrize(
    ("question", "reason", "says"),
    [
        ("oee next month", "no_data", "2026-11-01 – 2026-11-30"),
        ("明年的OEE", "no_data", "2027-01-01 – 2027-12-31"),
        ("oee tomorrow", "no_data", "2026-10-12 – 2026-10-12"),
        ("下个月OEE预测", "no_data", "2026-11-01 – 2026-11-30"),
        ("scrap rate for month 13 of 2026", "bad_date", "month 13"),
        ("10月0日的OEE", "bad_date", "0日"),
        ("oee january and march", "bad_date", "2026-01-01 – 2026-01-31, 2026-03-01 – 2026-03-31"),
    ],
)
def test_periods_that_cannot_be_answered_are_asked_back(question, reason, says, vocab):
    answer = ask(question, DAY, vocabulary=vocab, execute=False)
    assert answer.clarification is not None, answer.interpretation
    assert answer.clarification.reason == reason
    assert says in answer.clarification.message


def test_a_no_data_message_in_chinese_has_no_english_label(vocab):
    answer = ask("下周的产量", DAY, vocabulary=vocab, execute=False)
    assert answer.clarification.message == (
        "所问时间段（2026-10-12 – 2026-10-18）没有数据：最新数据日期为 2026-10-11。"
    )


def test_by_days_of_supply_is_no_daily_grain(vocab):
    result = _read("top 10 items by days on hand last 14 days", vocab)
    assert (result.metrics, result.grain, result.by) == (("days_of_inventory",), None, ("product",))
    assert _window(result) == (date(2026, 9, 28), date(2026, 10, 12))


def test_a_word_of_a_name_is_no_typo_of_another(vocab):
    # 'screw' is one edit from the shift word 'crew', but it is a word of a machine's name
    result = _read("kWh per good piece for the screw fastenning stations", vocab)
    assert result.by == () and result.where == {
        "equipment": ("DG-ASSY1-M01", "HP-ASSY1-M01", "SZ-ASSY1-M01")
    }
    assert _window(result) == LAST_30


@pytest.mark.parametrize(
    ("question", "window"),
    [
        ("OEE for calendar week 40", (date(2026, 9, 28), date(2026, 10, 5))),  # ISO, Monday on
        ("oee KW 40", (date(2026, 9, 28), date(2026, 10, 5))),
        ("oee 2026-W01", (date(2025, 12, 29), date(2026, 1, 5))),
        ("第40周的OEE", (date(2026, 9, 28), date(2026, 10, 5))),
        ("9月上旬的OEE", (date(2026, 9, 1), date(2026, 9, 11))),
        ("9月下旬的OEE", (date(2026, 9, 21), date(2026, 10, 1))),
        ("oee 13/5", (date(2026, 5, 13), date(2026, 5, 14))),  # only one order is a date
        ("oee 5.10.2026", (date(2026, 10, 5), date(2026, 10, 6))),  # dots: day first
        ("oee 2026/10/05", (date(2026, 10, 5), date(2026, 10, 6))),
        ("oee on the 5th", (date(2026, 10, 5), date(2026, 10, 6))),
        ("oee on the 20th", (date(2026, 9, 20), date(2026, 9, 21))),  # October's is to come
    ],
)
def test_more_ways_to_name_a_period(question, window, vocab):
    assert _window(_read(question, vocab)) == window


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("oee mid-September", "Which dates do you mean by 'mid-september'?"),
        ("oee first week of October", "Which dates do you mean by 'first week of october'?"),
        ("9月底的OEE", "“9月底”具体指哪几天？"),
        ("oee 10/5", "'10/5' can be read as 2026-10-05 or as 2026-05-10."),
        ("oee week 60", "2026 has 53 ISO weeks, so there is no week 60"),
        ("lines with OEE below 60%", "I can't keep only the rows where OEE is below 60%."),
        ("OEE低于60%的产线", "暂不支持只保留设备综合效率低于60%的行"),
        ("OEE 85%以上的产线", "设备综合效率85%以上"),
        ("machines with more than 3 breakdowns", "is more than 3 breakdowns"),
    ],
)
def test_vague_dates_and_value_conditions_are_asked_back(question, says, vocab):
    answer = ask(question, DAY, vocabulary=vocab, execute=False)
    assert answer.clarification is not None, answer.interpretation
    assert says in answer.clarification.message


@pytest.mark.parametrize(
    "question", ["oee over the last 7 days", "year over year oee", "top 3 lines by oee"]
)
def test_over_and_top_are_no_value_conditions(question, vocab):
    _read(question, vocab)


def test_traditional_chinese_reads_as_simplified(vocab):
    result = _read("各工廠上週的準時交貨率", vocab)
    assert (result.metrics, result.by) == (("on_time_delivery",), ("plant",))
    result = _read("產量 上週", vocab)
    assert (result.metrics, _window(result)) == (
        ("produced_qty",),
        (date(2026, 9, 28), date(2026, 10, 5)),
    )


def test_sql_words_are_read(vocab):
    result = _read(
        "select scrap rate from plants group by plant order by scrap rate desc limit 3", vocab
    )
    assert (result.metrics, result.by, result.order, result.limit) == (
        ("scrap_rate",),
        ("plant",),
        "desc",
        3,
    )


@pytest.mark.parametrize(
    ("question", "window", "limit"),
    [
        # 'last week 5 worst': last week and a top 5, not ISO week 5
        ("oee last week 5 worst lines", (date(2026, 9, 28), date(2026, 10, 5)), 5),
        ("oee 9/15-9/30", (date(2026, 9, 15), date(2026, 10, 1)), None),
        ("9/15到9/30的直通率", (date(2026, 9, 15), date(2026, 10, 1)), None),
        # a bare day beside a month is that day of that month
        ("上个月3号的OEE", (date(2026, 9, 3), date(2026, 9, 4)), None),
        ("oee last month on the 3rd", (date(2026, 9, 3), date(2026, 9, 4)), None),
        # the latest month that had the day
        ("oee on the 31st", (date(2026, 8, 31), date(2026, 9, 1)), None),
        ("oee since the beginning of the year", (date(2026, 1, 1), date(2026, 10, 12)), None),
        ("今年年初到现在的OEE", (date(2026, 1, 1), date(2026, 10, 12)), None),
    ],
)
def test_review_cases_of_time(question, window, limit, vocab):
    result = _read(question, vocab)
    assert (_window(result), result.limit) == (window, limit)


@pytest.mark.parametrize(
    "question",
    ["oee over 12 weeks", "OEE 超过30天", "3号机的OEE", "oee for lines with more than 2 machines"],
)
def test_numbers_that_are_no_conditions_or_dates(question, vocab):
    result = _read(question, vocab)
    assert _window(result) == LAST_30


def test_cantonese_words_change_only_cantonese_text():
    assert normalize_question("周边条件 重点样品") == "周边条件 重点样品"
    assert normalize_question("各廠嘅OEE") == "各厂的oee"


def normalize_question(text):
    from metrics.nlq.normalize import keep_dates

    return keep_dates(text)
