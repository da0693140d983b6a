"""Every fixed text Andon shows, in each supported language, from one catalogue.

The catalogue is metrics/i18n.yaml: `key: {en: …, zh: …, vi: …}`, one column per language,
so another language is a column (and its code in LANGS), not a change at the call sites. An
entry missing a language shows English; tests/metrics/test_core_i18n.py keeps every entry
complete. Metric and dimension names come from the registry (`label_<lang>`), not from here.

A plant's default language follows its country (dim_plant.country, ISO 3166 alpha-2):
`language_of_country`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

import yaml

LANGS = ("en", "zh", "vi")
DEFAULT_LANG = "en"
CATALOGUE_FILE = Path(__file__).with_name("i18n.yaml")
# The language of a plant's country (ISO 3166 alpha-2); any other country reads English.
COUNTRY_LANGS = {"CN": "zh", "TW": "zh", "HK": "zh", "SG": "zh", "VN": "vi"}


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """{key: {lang: text}} as written in metrics/i18n.yaml."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 30x faster to load
    data = yaml.load(CATALOGUE_FILE.read_text(encoding="utf-8"), Loader=loader) or {}  # noqa: S506
    return {str(key): dict(texts) for key, texts in data.items()}


def has(key: str) -> bool:
    return key in catalogue()


def t(key: str, lang: str, /, **values: object) -> str:
    """The text `key` in `lang` with {placeholders} filled in; English for a language Andon
    does not support. An unknown key is a KeyError, so a typo fails in the tests. `key` and
    `lang` are positional only, so a text may have a {lang} or {key} placeholder."""
    texts = catalogue()[key]
    text = texts.get(lang if lang in LANGS else DEFAULT_LANG) or texts[DEFAULT_LANG]
    return text.format(**values) if values else text


def join(items: Iterable[object], lang: str) -> str:
    """Items as a list in running text: "a, b" in English, "a、b" in Chinese."""
    return t("list_separator", lang).join(str(item) for item in items)


def column_label(column: str, lang: str) -> str | None:
    """The header of a row list's column `column` (entry col_<column>); None when the
    catalogue has none (metric and dimension columns are titled from the registry)."""
    key = f"col_{column}"
    return t(key, lang) if has(key) else None


def language_names() -> dict[str, str]:
    """Each language's own name, for a language switcher: {"en": "English", "zh": "中文", …}
    (the catalogue's language_name)."""
    return {lang: t("language_name", lang) for lang in LANGS}


def language_of_country(country: str | None) -> str:
    """The default language of a plant in `country` (ISO 3166 alpha-2, any case): Chinese in
    CN, TW, HK and SG, Vietnamese in VN, English elsewhere and without a country."""
    return COUNTRY_LANGS.get((country or "").strip().upper(), DEFAULT_LANG)
