"""metrics.i18n: one catalogue, every entry in every language, every key the code asks for
present, and English only for a language Andon does not support."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from metrics.formatting import COLUMN_SUFFIXES
from metrics.i18n import LANGS, catalogue, column_label, join, t
from metrics.spc import RULES
from metrics.status import STATUSES

ROOT = Path(__file__).resolve().parents[2]
# t("key", …) / t('key', …) with a literal key, in any module of the app and the metrics layer
LITERAL_KEY = re.compile(r"""(?<![\w.])t\(\s*(["'])([A-Za-z0-9_]+)\1""")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


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
    for key, texts in catalogue().items():
        assert len({frozenset(_fields(texts[lang])) for lang in LANGS}) == 1, key


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

    composed = [f"status_{s}" for s in STATUSES] + ["status_missing"]
    composed += [f"spc_rule_{n}" for n in RULES]
    composed += [f"suffix{s}" for s in COLUMN_SUFFIXES]
    composed += list(PRESETS) + [f"download_{k}" for k in ("csv", "xlsx", "parquet")]
    assert [key for key in composed if key not in catalogue()] == []


def test_lookup_fills_placeholders_and_falls_back_to_english() -> None:
    assert t("as_of", "en", date="6 Oct 2026") == "Data as of 6 Oct 2026"
    assert t("as_of", "zh", date="2026年10月6日") == "数据截至 2026年10月6日"
    assert t("page_quality", "fr") == t("page_quality", "en") == "Quality"
    assert t("spc_rule_1", "zh") == "1点超出3σ"
    with pytest.raises(KeyError):
        t("no_such_key", "en")


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
