"""metrics.i18n: one catalogue, every entry in every language (Vietnamese translated, not
copied), every registry name in every language, every key the code asks for present, English
only for a language Andon does not support, and a plant's language from its country."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from metrics.formatting import COLUMN_SUFFIXES
from metrics.i18n import (
    LANGS,
    catalogue,
    column_label,
    join,
    language_names,
    language_of_country,
    t,
)
from metrics.registry import AREAS, area_label, load_registry
from metrics.spc import RULES
from metrics.status import STATUSES

ROOT = Path(__file__).resolve().parents[2]
# t("key", …) / t('key', …) with a literal key, in any module of the app and the metrics layer
LITERAL_KEY = re.compile(r"""(?<![\w.])t\(\s*(["'])([A-Za-z0-9_]+)\1""")


# Words written alike in English and Vietnamese: names of formats, standards, KPIs and
# currency codes.
SAME_WORDS = {"oee", "cpk", "csv", "excel", "parquet", "sql", "pdf", "kpi", "usl", "lsl"}
SAME_WORDS |= {"e-mail", "webhook", "ppm", "mtbf", "mttr", "otif", "andon", "utc", "api"}
SAME_WORDS |= {"cny", "usd", "eur", "vnd"}
# Entries a Vietnamese reader sees in English on purpose: questions for the question box,
# which reads English and Chinese (metrics/nlq/vocabulary.py QUESTION_LANGS).
SAME_KEYS = {"ask_by_dimension"}
SAME_KEY_PREFIXES = ("ask_example_",)
# {placeholders}, strftime (%d) and day.js (DD/MM/YYYY, HH:mm) codes: not words
NOT_WORDS = re.compile(r"\{[^}]*\}|%-?[a-zA-Z]|\b(?:D{1,4}|M{1,4}|Y{2,4}|HH|mm|ss)\b")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _copied(en: str, vi: str) -> bool:
    """The Vietnamese text is the English one although it has words to translate."""
    if vi != en:
        return False
    words = re.findall(r"[^\W\d_][\w-]*", NOT_WORDS.sub(" ", en))
    return any(word.lower() not in SAME_WORDS for word in words)


def test_every_entry_has_every_language() -> None:
    problems = []
    for key, texts in catalogue().items():
        for lang in LANGS:
            text = texts.get(lang)
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{key}: no {lang}")
        extra = set(texts) - set(LANGS)
        if extra:
            problems.append(f"{key}: languages {sorted(extra)} are not in LANGS")
    assert problems == []


def test_placeholders_agree_across_languages() -> None:
    problems = []
    for key, texts in catalogue().items():
        english = _fields(texts["en"])
        for lang in LANGS:
            if lang in texts and _fields(texts[lang]) != english:
                problems.append(f"{key}: {lang} has {sorted(_fields(texts[lang]))}")
    assert problems == []


def test_vietnamese_is_translated_not_copied() -> None:
    copied = [
        key
        for key, texts in catalogue().items()
        if key not in SAME_KEYS
        and not key.startswith(SAME_KEY_PREFIXES)
        and _copied(texts["en"], texts.get("vi", ""))
    ]
    assert copied == []


def test_the_copy_check_itself() -> None:
    assert _copied("Quality", "Quality") and not _copied("Quality", "Chất lượng")
    assert not _copied("CSV", "CSV") and not _copied("Cpk", "Cpk")
    assert not _copied("{start} – {end}", "{start} – {end}")  # placeholders only
    assert not _copied("%-d %b %Y", "%-d %b %Y") and not _copied("D MMM YYYY", "D MMM YYYY")
    assert _copied("Download {what} as CSV", "Download {what} as CSV")


def test_every_registry_name_has_every_language() -> None:
    registry = load_registry()
    named = [
        *(("metric", n, m) for n, m in registry.metrics.items()),
        *(("dimension", n, d) for n, d in registry.dimensions.items()),
    ]
    problems = []
    for kind, name, item in named:
        for lang in LANGS:
            text = getattr(item, f"label_{lang}", None)
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{kind} {name}: no label_{lang}")
            elif item.label(lang) != text:
                problems.append(f"{kind} {name}: label({lang!r}) is not label_{lang}")
        if _copied(item.label_en, item.label_vi):
            problems.append(f"{kind} {name}: label_vi is the English label")
    for grain in registry.grains:
        for lang in LANGS:
            if not registry.grain_label(grain, lang).strip():
                problems.append(f"grain {grain}: no label_{lang}")
        if _copied(registry.grain_label(grain, "en"), registry.grain_label(grain, "vi")):
            problems.append(f"grain {grain}: label_vi is the English label")
    for area in AREAS:
        for lang in LANGS:
            if not area_label(area, lang).strip():
                problems.append(f"area {area}: no {lang} title")
    assert problems == []
    assert registry.metric("oee").label("vi") == "Hiệu suất thiết bị tổng thể (OEE)"
    assert registry.metric("availability").label("vi") == "Độ sẵn sàng"
    assert [registry.dimension(d).label("vi") for d in ("plant", "line", "equipment")] == [
        "Nhà máy",
        "Dây chuyền",
        "Thiết bị",
    ]
    assert registry.grain_label("month", "vi") == "Tháng"
    assert registry.metric("oee").label("fr") == "OEE"  # unsupported: English


def code_keys() -> dict[str, list[str]]:
    """Every literal key passed to t(...) in app/ and metrics/, with where it is used."""
    found: dict[str, list[str]] = {}
    for folder in ("app", "metrics"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for match in LITERAL_KEY.finditer(path.read_text(encoding="utf-8")):
                found.setdefault(match.group(2), []).append(str(path.relative_to(ROOT)))
    return found


def test_every_key_used_in_code_exists() -> None:
    keys = code_keys()
    assert len(keys) > 100  # the scan sees the call sites
    missing = {key: where for key, where in keys.items() if key not in catalogue()}
    assert missing == {}


def test_keys_built_in_code_exist() -> None:
    """Keys the code composes: status words, SPC rules, column suffixes, period presets."""
    from app.web.filters import PRESETS
    from ingest.contracts import load_contracts

    movement_types = load_contracts()["inventory_movements"].column("movement_type").enum

    composed = [f"status_{s}" for s in STATUSES] + ["status_missing"]
    composed += [f"spc_rule_{n}" for n in RULES]
    composed += [f"suffix{s}" for s in COLUMN_SUFFIXES]
    composed += list(PRESETS) + [f"download_{k}" for k in ("csv", "xlsx", "parquet")]
    composed += [f"movement_{m.lower()}" for m in movement_types]  # the contract's types
    assert [key for key in composed if key not in catalogue()] == []


def test_lookup_fills_placeholders_and_falls_back_to_english() -> None:
    assert t("as_of", "en", date="6 Oct 2026") == "Data as of 6 Oct 2026"
    assert t("as_of", "zh", date="2026年10月6日") == "数据截至 2026年10月6日"
    assert t("page_quality", "fr") == t("page_quality", "en") == "Quality"
    assert t("unit_pp", "vi", value="+2,1") == "+2,1 điểm %"
    # a {lang} placeholder is a value, not the language asked for
    refused = t("account_unknown_lang", "en", lang="fr", langs="en, zh, vi")
    assert refused == "Unknown language “fr”: use one of en, zh, vi."
    assert t("spc_rule_1", "zh") == "1点超出3σ"
    with pytest.raises(KeyError):
        t("no_such_key", "en")


def test_an_entry_without_a_language_shows_english(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = {"only_english": {"en": "Plant {name}", "zh": ""}}
    monkeypatch.setattr("metrics.i18n.catalogue", lambda: entries)
    assert t("only_english", "vi", name="SZ") == t("only_english", "zh", name="SZ") == "Plant SZ"


def test_column_labels() -> None:
    assert column_label("order_id", "zh") == "订单号"
    assert column_label("target", "en") == "Recipient"  # col_target: the delivery's target
    assert t("target", "en") == "Target"
    assert column_label("not_a_column", "en") is None
    for key, texts in catalogue().items():
        if key.startswith("col_"):
            for lang in LANGS:  # a header, never a raw snake_case name
                assert not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", texts[lang]), key


def test_join_per_language() -> None:
    assert join(["Plant", "Line"], "en") == "Plant, Line"
    assert join(["工厂", "产线"], "zh") == "工厂、产线"
    assert join(["Nhà máy", "Dây chuyền"], "vi") == "Nhà máy, Dây chuyền"


def test_language_names_and_the_language_of_a_plant() -> None:
    assert language_names() == {"en": "English", "zh": "中文", "vi": "Tiếng Việt"}
    assert [language_of_country(c) for c in ("CN", "TW", "HK", "SG", "VN")] == [
        "zh",
        "zh",
        "zh",
        "zh",
        "vi",
    ]
    assert [language_of_country(c) for c in ("vn", " cn ", "DE", "US", "", None)] == [
        "vi",
        "zh",
        "en",
        "en",
        "en",
        "en",
    ]
    assert set(map(language_of_country, ("CN", "VN", "MX"))) <= set(LANGS)


def test_a_vietnamese_asker_is_asked_back_in_words_the_question_box_reads() -> None:
    from metrics.nlq.clarify import Clarification, Option, rank_what, reask
    from metrics.nlq.vocabulary import Vocabulary, question_lang

    assert [question_lang(lang) for lang in LANGS] == ["en", "zh", "en"]
    vocab = Vocabulary.build({"plant": [{"key": "SZ", "en": "Suzhou Plant", "zh": "苏州工厂"}]})
    asked = rank_what(vocab, "oee", "vi")
    line = next(o for o in asked.options if o.key == "line")
    assert (line.label, line.words) == ("Dây chuyền", "Line")
    assert reask("OEE last week", asked, line) == "OEE last week by Line"
    unclear = Clarification("no_metric", "vi", (Option("metric", "oee", "x", words="OEE"),))
    assert reask("top 3 lines", unclear, unclear.options[0]) == "top 3 lines OEE"
    assert vocab.label("plant", "SZ", "vi") == "Suzhou Plant"  # no Vietnamese name: English
