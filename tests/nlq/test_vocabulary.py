"""The question box's words: the registry's synonyms and value words, and the fuzzy rule.

Each expected reading below is worked by hand from metrics/registry.yaml and the sample
factory (tests/nlq/dims.py): its material types are RM, SFG, FG and PKG, its regions East
China, South China, Europe and North America."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from metrics.errors import RegistryError
from metrics.nlq.clarify import reask
from metrics.nlq.lexer import fuzzy, scan
from metrics.nlq.normalize import has_cjk, normalize
from metrics.nlq.parser import parse
from metrics.nlq.parser_types import Clarification, Interpretation
from metrics.nlq.vocabulary import Term, Vocabulary
from metrics.registry import REGISTRY_PATH, load_registry

DAY = date(2026, 10, 11)
WORDS_PER_LANGUAGE = 5


def _parse(question, vocab):
    return parse(question, vocab, DAY, "zh" if has_cjk(question) else "en")


def _read(question, vocab) -> Interpretation:
    result = _parse(question, vocab)
    assert isinstance(result, Interpretation), result
    return result


# ------------------------------------------------------------------ registry words


def test_every_metric_and_dimension_has_five_words_in_each_language() -> None:
    registry = load_registry()
    entries = [*registry.metrics.items(), *registry.dimensions.items()]
    for name, entry in entries:
        for lang in ("en", "zh"):
            words = {normalize(w) for w in entry.synonyms[lang]}
            assert len(words) >= WORDS_PER_LANGUAGE, (name, lang, sorted(words))


def test_value_words_are_validated(tmp_path: Path) -> None:
    data = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    data["dimensions"]["material_type"]["values"][0]["key"] = "RM"  # 'keys' misspelt
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RegistryError, match=r"dimensions\.material_type\.values\.0\.key"):
        load_registry(path)
    data["dimensions"]["material_type"]["values"][0] = {"keys": [], "en": ["raw"]}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RegistryError, match=r"material_type\.values\.0\.keys"):
        load_registry(path)


def test_value_words_keep_to_the_values_the_scope_knows() -> None:
    registry = load_registry()
    europe_only = Vocabulary.build({"region": [{"key": "Europe", "en": "Europe", "zh": "欧洲"}]})
    assert europe_only.phrases["european"] == (Term("value", ("Europe",), dim="region"),)
    assert "north american" not in europe_only.phrases
    assert "asian" not in europe_only.phrases  # neither China region is known
    assert europe_only.label("material_type", "PKG", "zh") == "包材"
    nothing = Vocabulary.build({}, registry)
    assert "raw material" not in nothing.phrases and not nothing.keys("material_type")


# ------------------------------------------------------------------ metric words


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("可用率", "availability"),
        ("稼动率", "availability"),
        ("时间稼动率", "availability"),
        ("性能", "performance"),
        ("各产线的性能稼动率", "performance"),
        ("表现性", "performance"),
        ("良率", "first_pass_yield"),
        ("良品率", "quality"),
        ("质量率", "quality"),
        ("yield by line", "first_pass_yield"),
        ("FPY", "first_pass_yield"),
        ("first-time yield", "first_pass_yield"),
        ("straight-through rate", "first_pass_yield"),
        ("直通率", "first_pass_yield"),
        ("一次合格率", "first_pass_yield"),
        ("一次良率", "first_pass_yield"),
        ("准时交付率", "on_time_delivery"),
        ("准交率", "on_time_delivery"),
        ("交期达成率", "on_time_delivery"),
        ("OTIF", "otif"),
        ("准时足量交付率", "otif"),
        ("供应商准时交货率", "supplier_on_time"),
        ("供应商准交率", "supplier_on_time"),
        ("交货周期", "order_lead_time_days"),
        ("交期", "order_lead_time_days"),
    ],
)
def test_metric_words(question, metric, vocab):
    assert _read(question, vocab).metrics == (metric,)


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("how many units did we ship last week", "shipped_qty"),
        ("shipping by customer", "shipped_qty"),
        ("what did we produce last month", "produced_qty"),
        ("units made by line", "produced_qty"),
        ("producing by plant", "produced_qty"),
        ("scrapped by line", "scrap_qty"),
        ("scrapping rate by line", "scrap_rate"),
        ("scrapped percentage by line", "scrap_rate"),  # a rate word beats the verb
        ("share scrapped by line", "scrap_rate"),
        ("reworked last week", "rework_qty"),
        ("上周发货多少", "shipped_qty"),
        ("各客户的出货", "shipped_qty"),
        ("各产线生产了多少", "produced_qty"),
        ("产出", "produced_qty"),
        ("上周报废了多少", "scrap_qty"),
        ("各产线报废率", "scrap_rate"),
    ],
)
def test_verbs_imply_their_metric(question, metric, vocab):
    assert _read(question, vocab).metrics == (metric,)


def test_scrap_without_a_rate_or_count_word_still_asks(vocab):
    result = _parse("scrap by line", vocab)
    assert isinstance(result, Clarification)
    assert result.candidates == ("scrap_rate", "scrap_qty")


@pytest.mark.parametrize(
    "question", ["哪家供应商收货最准时", "which supplier receives most on time"]
)
def test_receiving_is_supplier_delivery(question, vocab):
    result = _read(question, vocab)
    expected = (("supplier_on_time",), ("supplier",), "desc")
    assert (result.metrics, result.by, result.order) == expected


# ------------------------------------------------------------------ values by their words


@pytest.mark.parametrize(
    ("question", "metric", "keys"),
    [
        ("shipments of raw material", "shipped_qty", ("RM",)),
        ("原材料库存金额", "avg_inventory_value", ("RM",)),
        ("原料的库存周转率", "inventory_turnover", ("RM",)),
        ("成品库存天数", "days_of_inventory", ("FG",)),
        ("finished goods inventory value", "avg_inventory_value", ("FG",)),
        ("包材的周转率", "inventory_turnover", ("PKG",)),
        ("inventory value of packaging materials", "avg_inventory_value", ("PKG",)),
        ("半成品库存天数", "days_of_inventory", ("SFG",)),
        ("semi-finished goods inventory value", "avg_inventory_value", ("SFG",)),
    ],
)
def test_material_types_by_their_words(question, metric, keys, vocab):
    result = _read(question, vocab)
    assert (result.metrics, result.where, result.by) == ((metric,), {"material_type": keys}, ())


@pytest.mark.parametrize(
    ("question", "metric", "regions"),
    [
        ("shipments to european customers", "shipped_qty", ("Europe",)),
        ("欧洲客户的准时交付率", "on_time_delivery", ("Europe",)),
        ("north american orders on time delivery", "on_time_delivery", ("North America",)),
        ("北美订单的准时交付率", "on_time_delivery", ("North America",)),
        ("华东客户的发货量", "shipped_qty", ("East China",)),
        ("华南地区的出货", "shipped_qty", ("South China",)),
        ("shipped qty to Asian customers", "shipped_qty", ("East China", "South China")),
        ("chinese customers on time delivery", "on_time_delivery", ("East China", "South China")),
        ("国内客户的发货量", "shipped_qty", ("East China", "South China")),
    ],
)
def test_regions_by_adjective_and_demonym(question, metric, regions, vocab):
    result = _read(question, vocab)
    # both China regions are one filter, not a comparison of the two
    assert (result.metrics, result.where, result.by) == ((metric,), {"region": regions}, ())


@pytest.mark.parametrize(
    ("question", "metric", "where", "by"),
    [
        ("on time delivery for automotive customers", "on_time_delivery", ("Automotive",), ()),
        ("汽车行业客户的准时交付率", "on_time_delivery", ("Automotive",), ()),
        ("OTD by customer segment", "on_time_delivery", None, ("customer_segment",)),
        ("按客户行业的准时交付率", "on_time_delivery", None, ("customer_segment",)),
        ("otif by industry", "otif", None, ("customer_segment",)),
        ("shipped qty to home appliances customers", "shipped_qty", ("Appliances",), ()),
        ("消费电子客户的发货量", "shipped_qty", ("Electronics",), ()),
        ("cogs by sector", "cogs", None, ("customer_segment",)),
    ],
)
def test_customer_segments_by_their_words(question, metric, where, by, vocab):
    # the sample's segments (ingest.sample.factory.CUSTOMERS): Industrial, Appliances,
    # Automotive, Electronics; "customers" after a segment word does not group by customer
    result = _read(question, vocab)
    wanted = {"customer_segment": where} if where else {}
    assert (result.metrics, result.where, result.by) == ((metric,), wanted, by)


@pytest.mark.parametrize(
    ("question", "metric", "by"),
    [
        ("inventory value by material type", "avg_inventory_value", ("material_type",)),
        ("按物料类型的发货量", "shipped_qty", ("material_type",)),
        ("shipments by product family", "shipped_qty", ("product_family",)),
        ("defects by defect code", "defect_qty", ("defect_code",)),
        ("scrap rate by production line", "scrap_rate", ("line",)),
    ],
)
def test_compound_dimension_nouns_are_one_dimension(question, metric, by, vocab):
    result = _read(question, vocab)
    assert (result.metrics, result.by, result.where) == ((metric,), by, {})


# ------------------------------------------------------------------ the fuzzy rule


def _tokens(question, vocab):
    return fuzzy(scan(normalize(question), vocab), vocab)


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("availibility", "availability"),  # one edit, nothing else within two
        ("avaiability", "availability"),  # 'capability' is three edits away
        ("yeild", "yield"),  # a swap of two letters is one edit
        ("lnie", "line"),
        ("dongguna", "dongguan"),
    ],
)
def test_a_tight_typo_with_no_rival_is_read(question, phrase, vocab):
    (token,) = _tokens(question, vocab)
    assert (token.kind, token.text, token.fuzzy) == ("term", phrase, True)


@pytest.mark.parametrize(
    ("question", "candidates"),
    [
        ("avalibility by line", ("availability",)),  # two edits: too far to be sure
        ("shippment", ("shipped_qty",)),  # two edits from 'shipments'
        ("reworkd", ("rework_rate", "rework_qty")),  # 'rework' and 'reworked' are rivals
    ],
)
def test_a_loose_typo_asks_with_its_candidates(question, candidates, vocab):
    result = _parse(question, vocab)
    assert isinstance(result, Clarification), result
    assert (result.reason, result.candidates) == ("ambiguous_metric", candidates)


def test_choosing_a_candidate_replaces_the_typo(vocab):
    result = _parse("avalibility by line", vocab)
    assert result.words == "avalibility"
    assert result.message == "Did you mean availability?"
    again = reask("Avalibility by line", result, result.options[0])
    assert again == "by line Availability"
    assert (_read(again, vocab).metrics, _read(again, vocab).by) == (("availability",), ("line",))


def test_a_loose_typo_of_a_value_asks_among_close_values(vocab):
    result = _parse("oee for dongguaaan", vocab)  # two edits from 'dongguan'
    assert isinstance(result, Clarification), result
    assert result.reason == "unknown_value" and "DG" in result.candidates


@pytest.mark.parametrize("question", ["inventory by warehouse", "原材料库存"])
def test_inventory_alone_asks_which_inventory_metric(question, vocab):
    result = _parse(question, vocab)
    assert isinstance(result, Clarification), result
    assert result.candidates == ("avg_inventory_value", "inventory_turnover", "days_of_inventory")


@pytest.mark.parametrize("question", ["defect code pareto", "缺陷代码帕累托"])
def test_pareto_ranks_the_biggest_first(question, vocab):
    result = _read(question, vocab)
    assert (result.metrics, result.by, result.order) == (("defect_qty",), ("defect_code",), "desc")
