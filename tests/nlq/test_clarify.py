"""Clarifying questions: typed options from the parser, the text written from them in the
asker's language, and the next question when an option is chosen."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.nlq import clarify
from metrics.nlq.ask import ask
from metrics.nlq.clarify import Clarification, Option, reask
from metrics.nlq.parser import parse

DAY = date(2026, 10, 11)

# question, language, reason, candidates, message - as the asker sees them
CASES = [
    ("scrap", "en", "ambiguous_metric", ("scrap_rate", "scrap_qty"),
     "Did you mean scrap rate or scrap quantity?"),
    ("报废", "zh", "ambiguous_metric", ("scrap_rate", "scrap_qty"), "您是指报废率还是报废数量？"),
    ("blorp", "en", "no_metric", clarify.POPULAR,
     "Which metric do you mean? For example: OEE, availability, first pass yield, scrap rate,"
     " on-time delivery."),
    ("blorp", "zh", "no_metric", clarify.POPULAR,
     "您想看哪个指标？例如：设备综合效率、时间开动率/可用率、直通率、报废率、准时交付率。"),
    ("wibble wobble oee", "en", "not_understood", ("oee",),
     "I did not understand 'wibble wobble'. Do you want OEE? Please rephrase."),
    ("wibble wobble oee", "zh", "not_understood", ("oee",),
     "没有理解“wibble wobble”。您是想看设备综合效率吗？请换个说法。"),
    ("OEE at plant Xyzzy last week", "en", "unknown_value", ("SZ", "DG", "HP"),
     "I don't know the plant 'xyzzy'. Did you mean Suzhou Plant, Dongguan Plant or Haiphong"
     " Plant?"),
    ("上海工厂的产量", "zh", "unknown_value", ("SZ", "DG", "HP"),
     "没有找到工厂“上海”。您是指苏州工厂、东莞工厂还是海防工厂？"),
    ("oee by customer", "en", "dimension_not_allowed", ("plant", "line", "equipment", "shift"),
     "OEE can't be broken down or filtered by customer. Try: plant, line, equipment, shift."),
    ("oee by customer", "zh", "dimension_not_allowed", ("plant", "line", "equipment", "shift"),
     "设备综合效率不能按客户分析。可以按：工厂、产线、设备、班次。"),
    ("on-time delivery by line", "en", "dimension_not_allowed",
     ("plant", "customer", "region", "customer_segment", "product", "product_family"),
     "On-time delivery can't be broken down or filtered by line. Try: plant, customer,"
     " region, customer segment, product / material, product family."),
    ("rank oee", "en", "rank_what", ("plant", "line", "equipment", "shift"),
     "Rank OEE across what? For example: plant, line, equipment, shift."),
    ("rank oee", "zh", "rank_what", ("plant", "line", "equipment", "shift"),
     "按什么比较设备综合效率？例如：工厂、产线、设备、班次。"),
]  # fmt: skip


@pytest.mark.parametrize(("question", "lang", "reason", "candidates", "message"), CASES)
def test_clarification_is_typed_and_written_from_its_fields(
    question, lang, reason, candidates, message, vocab
):
    result = parse(question, vocab, DAY, lang)
    assert isinstance(result, Clarification), result
    assert (result.reason, result.lang, result.candidates) == (reason, lang, candidates)
    assert result.message == message


def test_options_carry_kind_key_and_label(vocab):
    value = parse("OEE at plant Xyzzy last week", vocab, DAY, "zh")
    assert value.words == "xyzzy" and value.dimension == "工厂"
    assert value.options == (
        Option("value", "SZ", "苏州工厂", "plant"),
        Option("value", "DG", "东莞工厂", "plant"),
        Option("value", "HP", "海防工厂", "plant"),
    )
    metric = parse("scrap", vocab, DAY, "en")
    assert metric.options == (
        Option("metric", "scrap_rate", "Scrap rate"),
        Option("metric", "scrap_qty", "Scrap quantity"),
    )
    dims = parse("rank oee", vocab, DAY, "en")
    assert dims.metric == "OEE" and [o.kind for o in dims.options] == ["dimension"] * 4
    assert dims.options[0] == Option("dimension", "plant", "Plant")


def test_unknown_value_without_close_values(vocab):
    # the sample vocabulary has no inspection characteristics to offer
    en = clarify.unknown_value(vocab, "characteristic", "zz", "en")
    assert (en.options, en.message) == ((), "I don't know the characteristic 'zz'.")
    assert (
        clarify.unknown_value(vocab, "characteristic", "zz", "zh").message
        == "没有找到检验特性“zz”。"
    )


def test_empty_and_refused_questions(vocab):
    empty = ask("  ", DAY, lang="zh", vocabulary=vocab, execute=False)
    assert empty.clarification == Clarification("empty", "zh")
    assert empty.clarification.message == "请输入一个问题，例如：上周各产线的OEE"
    assert empty.to_dict()["clarification"] == "请输入一个问题，例如：上周各产线的OEE"
    refused = clarify.cannot_answer("No data for grain 'hour'.", "en")
    assert (refused.message, refused.candidates) == ("No data for grain 'hour'.", ())


def test_reask_with_a_value_replaces_the_unknown_words(vocab):
    unknown = parse("OEE at plant Xyzzy last week", vocab, DAY, "en")
    suzhou = unknown.options[0]
    assert reask("OEE at plant Xyzzy last week", unknown, suzhou) == (
        "OEE at plant Suzhou Plant last week"
    )
    # the words are found in any case and spacing, and a label is inserted as it is
    odd = Option("value", "X", r"Plant \1 & \g<0>", "plant")
    assert reask("oee  at plant XYZZY", unknown, odd) == r"oee at plant Plant \1 & \g<0>"


def test_reask_with_a_metric_or_a_dimension(vocab):
    vague = parse("blorp", vocab, DAY, "en")
    assert reask("blorp", vague, vague.options[0]) == "blorp OEE"
    words = parse("wibble wobble oee", vocab, DAY, "en")
    assert reask("wibble  wobble oee", words, words.options[0]) == "oee OEE"
    rank = parse("哪个OEE最低", vocab, DAY, "zh")
    line = next(o for o in rank.options if o.key == "line")
    assert reask("哪个OEE最低", rank, line) == "哪个OEE最低 按产线"
    rank_en = parse("rank oee", vocab, DAY, "en")
    assert reask("rank oee", rank_en, rank_en.options[1]) == "rank oee by Line"
    # the chosen question is answered
    assert parse("哪个OEE最低 按产线", vocab, DAY, "zh").by == ("line",)
