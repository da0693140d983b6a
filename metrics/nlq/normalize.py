"""Text normalisation shared by the vocabulary and the parser.

Questions arrive in any width, case and spacing ("ＯＥＥ，（苏州）", "SZ-SMT1", "sz smt1"), so
both sides of every match go through the same `normalize` and compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

CJK = r"\u3400-\u9fff"
_CJK_RE = re.compile(f"[{CJK}]")
_SEPARATORS = re.compile(r"[\s\-_/·,，、;；:：!！?？()（）\[\]【】\"'“”‘’`=<>*|]+")
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_NUMBER = "[0-9零〇一二两三四五六七八九十]+"
_EN_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
}
EN_NUMBER = "(?:[0-9]+|" + "|".join(_EN_NUMBERS) + ")"


def has_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))


def normalize(text: str) -> str:
    """NFKC (full width to ASCII), lower case, separators and punctuation to single spaces.

    Dots survive only between digits (0.75 kw) so 'Inc.' and 'Inc' match alike."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(?<![0-9])\.|\.(?![0-9])", " ", text)
    text = _SEPARATORS.sub(" ", text)
    return " ".join(text.split())


def keep_dates(text: str) -> str:
    """NFKC + lower case only (the time parser needs the dashes of 2026-10-01), traditional
    Chinese as simplified (產量 is 产量): how a question is read before anything else."""
    text = " ".join(unicodedata.normalize("NFKC", text).lower().split())
    return _simplified(text) if has_cjk(text) else text


@lru_cache(maxsize=1)
def _converter():
    from opencc import OpenCC  # traditional -> simplified tables, loaded on first need

    return OpenCC("t2s")


# Cantonese words for their Mandarin ones, after simplification ('各厂嘅OEE', '今个月').
_CANTONESE = (
    ("嘅", "的"),
    ("睇下", "看下"),
    ("睇", "看"),
    ("边间", "哪间"),
    ("边个", "哪个"),
    ("边条", "哪条"),
    ("边家", "哪家"),
    ("系几多", "是多少"),
    ("几多", "多少"),
    ("今个", "这个"),
    ("咗", "了"),
    ("冇", "没有"),
    ("乜嘢", "什么"),
    ("嗰", "那"),
)


# Characters only Cantonese writes: with none of them, 周边 and 重点 stay Mandarin.
_CANTONESE_MARK = re.compile(
    "[嘅咗冇睇嗰乜係喺佢哋啲噉]|几多|幾多|今个|今個|边间|邊間|边个|邊個|边家|邊家"
)


def _simplified(text: str) -> str:
    cantonese = _CANTONESE_MARK.search(text) is not None
    text = _converter().convert(text)
    if cantonese:
        for cantonese, mandarin in _CANTONESE:
            text = text.replace(cantonese, mandarin)
    return text


def to_int(token: str) -> int | None:
    """An int from digits, Chinese numerals up to 99 (十五, 二十一, 两) or English words."""
    token = token.strip()
    if not token:
        return None
    if token.isdigit():
        return int(token)
    if token in _EN_NUMBERS:
        return _EN_NUMBERS[token]
    if "十" in token:
        tens, _, ones = token.partition("十")
        high = _CN_DIGITS.get(tens) if tens else 1
        low = _CN_DIGITS.get(ones) if ones else 0
        if high is None or low is None:
            return None
        return high * 10 + low
    if all(ch in _CN_DIGITS for ch in token):
        value = 0
        for ch in token:
            value = value * 10 + _CN_DIGITS[ch]
        return value
    return None
