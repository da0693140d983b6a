"""Text normalisation shared by the vocabulary and the parser.

Questions arrive in any width, case and spacing ("ＯＥＥ，（苏州）", "SZ-SMT1", "sz smt1"), so
both sides of every match go through the same `normalize` and compare equal.
"""

from __future__ import annotations

import re
import unicodedata

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
    """NFKC + lower case only: the time parser needs the dashes of 2026-10-01."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


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
