"""Every fixed text Andon shows, in each supported language, from one catalogue.

The catalogue is metrics/i18n.yaml: `key: {en: …, zh: …}`, one column per language, so a
third language is a column (and its code in LANGS), not a change at the call sites. Metric
and dimension names come from the registry, not from here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

import yaml

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
CATALOGUE_FILE = Path(__file__).with_name("i18n.yaml")


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """{key: {lang: text}} as written in metrics/i18n.yaml."""
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8")) or {}
    return {str(key): dict(texts) for key, texts in data.items()}


def has(key: str) -> bool:
    return key in catalogue()


def t(key: str, lang: str, **values: object) -> str:
    """The text `key` in `lang` with {placeholders} filled in; English for a language Andon
    does not support. An unknown key is a KeyError, so a typo fails in the tests."""
    texts = catalogue()[key]
    text = texts[lang if lang in LANGS else DEFAULT_LANG]
    return text.format(**values) if values else text


def join(items: Iterable[object], lang: str) -> str:
    """Items as a list in running text: "a, b" in English, "a、b" in Chinese."""
    return t("list_separator", lang).join(str(item) for item in items)


def column_label(column: str, lang: str) -> str | None:
    """The header of a row list's column `column` (entry col_<column>); None when the
    catalogue has none (metric and dimension columns are titled from the registry)."""
    key = f"col_{column}"
    return t(key, lang) if has(key) else None
