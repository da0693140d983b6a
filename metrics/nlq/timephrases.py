"""Time expressions in English and Chinese, resolved against an as-of date.

Each pattern turns a span of the question into a half-open window [start, end), a
comparison or a grain; the parser removes the span so its words are not read twice.
Current periods (this month, last 7 days, MTD, since …) end after the as-of date (the
newest data); named periods and explicit ranges are taken as written.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from rapidfuzz import process
from rapidfuzz.distance import OSA

from metrics.nlq.normalize import CN_NUMBER, EN_NUMBER, has_cjk, to_int
from metrics.periods import add_months, step, unit_start

DAY = timedelta(days=1)
_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_WORD = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORD = r"(?:st|nd|rd|th)?"
_UNIT_EN = {"day": "day", "week": "week", "month": "month", "quarter": "quarter", "year": "year"}
_UNIT_ZH = {
    "天": "day",
    "日": "day",
    "周": "week",
    "星期": "week",
    "个星期": "week",
    "礼拜": "week",
    "个礼拜": "week",
    "月": "month",
    "个月": "month",
    "季度": "quarter",
    "个季度": "quarter",
    "季": "quarter",
    "年": "year",
}
_GRAIN_WORDS = {
    "day": "day",
    "daily": "day",
    "week": "week",
    "weekly": "week",
    "month": "month",
    "monthly": "month",
    "quarter": "quarter",
    "quarterly": "quarter",
    "year": "year",
    "yearly": "year",
    "annually": "year",
    "天": "day",
    "日": "day",
    "周": "week",
    "星期": "week",
    "月": "month",
    "季度": "quarter",
    "季": "quarter",
    "年": "year",
}


class DateProblem(Exception):  # noqa: N818 - a finding, raised to stop the search
    """A date or range of the question that cannot be read as written.

    kind     invalid (no such date: `why` is month | day | year | week), reversed (ends
             before it starts), two_periods (two periods that are no comparison), vague
             ('mid-September': no dates) or ambiguous ('10/5': October 5 or May 10)
    words    the asker's words for it
    values   what the message names: year, month, day, days (in that month), first, last
    """

    def __init__(self, kind: str, words: str, why: str = "", **values: object) -> None:
        super().__init__(kind, words, why)
        self.kind, self.words, self.why, self.values = kind, words.strip(), why, values
        self.match: re.Match[str] | None = None  # where in the question, once found


def make_date(year: int, month: int, day: int, words: str) -> date:
    """date(year, month, day), or DateProblem naming what does not exist."""
    if not 1 <= year <= 9999:
        raise DateProblem("invalid", words, "year", year=year)
    if not 1 <= month <= 12:
        raise DateProblem("invalid", words, "month", month=month)
    days = monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise DateProblem("invalid", words, "day", year=year, month=month, day=day, days=days)
    return date(year, month, day)


@dataclass(frozen=True)
class TimeWindow:
    start: date
    end: date
    label: str


@dataclass
class TimeFacts:
    """What the time phrases of one question said."""

    window: TimeWindow | None = None
    compare: str | None = None
    compare_unit: str | None = None
    grain: str | None = None
    trend: bool = False
    rank_period: str | None = None
    now: bool = False
    problem: DateProblem | None = None  # a date that cannot be read: the window is unset


def _month_of(word: str) -> int:
    return _MONTHS[word[:4] if word.startswith("sept") else word[:3]]


class _Resolver:
    """The pattern handlers: each takes a regex match and returns a window or None."""

    def __init__(self, as_of: date, month_first: bool = False) -> None:
        self.as_of = as_of
        self.after = as_of + DAY
        self.month_first = month_first  # '10/5' in a Chinese question is October 5

    def current(self, unit: str, label: str) -> TimeWindow:
        return TimeWindow(unit_start(self.as_of, unit), self.after, label)

    def previous(self, unit: str, label: str) -> TimeWindow:
        this = unit_start(self.as_of, unit)
        return TimeWindow(step(this, unit, -1), this, label)

    def rolling(self, count: int, unit: str, label: str) -> TimeWindow:
        return TimeWindow(step(self.after, unit, -count), self.after, label)

    def year_for(self, month: int, day: int = 1) -> int:
        """The year of a month/day named without one: the latest not after the as-of date."""
        if not 1 <= month <= 12:
            raise DateProblem("invalid", str(month), "month", month=month)
        candidate = date(self.as_of.year, month, max(1, min(day, 28)))
        return self.as_of.year if candidate <= self.as_of else self.as_of.year - 1

    def month(self, year: int | None, month: int, label: str) -> TimeWindow:
        year = year or self.year_for(month)
        first = date(year, month, 1)
        return TimeWindow(first, add_months(first, 1), label)

    def quarter(self, year: int | None, quarter: int, label: str) -> TimeWindow:
        year = year or self.year_for(3 * quarter - 2)
        first = date(year, 3 * quarter - 2, 1)
        return TimeWindow(first, add_months(first, 3), label)

    def day(self, year: int | None, month: int, day: int, words: str = "") -> date:
        words = words or f"{month}/{day}"
        if not 1 <= month <= 12:
            raise DateProblem("invalid", words, "month", month=month)
        return make_date(year if year is not None else self.year_for(month, day), month, day, words)


def _en_date(text: str, resolver: _Resolver) -> date | None:
    """'2026-10-01', '2026/10/1', 'oct 1', '1 oct', 'october 1st 2026'."""
    text = text.strip()
    iso = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    if iso:
        return make_date(int(iso[1]), int(iso[2]), int(iso[3]), text)
    dotted = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)  # 15.09.2026: day first
    if dotted:
        return make_date(int(dotted[3]), int(dotted[2]), int(dotted[1]), text)
    named = re.fullmatch(rf"({_MONTH_WORD})\.? (\d{{1,2}}){_ORD},?(?: (\d{{4}}))?", text) or None
    if named:
        year = int(named[3]) if named[3] else None
        return resolver.day(year, _month_of(named[1]), int(named[2]), text)
    named = re.fullmatch(rf"(\d{{1,2}}){_ORD} (?:of )?({_MONTH_WORD})\.?(?:,? (\d{{4}}))?", text)
    if named:
        year = int(named[3]) if named[3] else None
        return resolver.day(year, _month_of(named[2]), int(named[1]), text)
    return None


def _zh_date(text: str, resolver: _Resolver, month_hint: int | None = None) -> date | None:
    """'2026年10月1日', '10月1号', '1日' (month from the other end of a range), ISO dates."""
    text = text.strip()
    iso = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    if iso:
        return make_date(int(iso[1]), int(iso[2]), int(iso[3]), text)
    found = re.fullmatch(rf"(?:(\d{{4}})年)?(?:({CN_NUMBER})月)?({CN_NUMBER})[日号]", text)
    if not found:
        return None
    month = to_int(found[2]) if found[2] else month_hint
    day = to_int(found[3])
    if day is not None and month is None and not found[1]:  # 5号: the latest 5th
        return _latest_day(resolver, day, text)
    if month is None or day is None:
        return None
    return resolver.day(int(found[1]) if found[1] else None, month, day, text)


_EN_DATE = (
    rf"(?:\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|\d{{1,2}}\.\d{{1,2}}\.\d{{4}}|"
    rf"{_MONTH_WORD}\.? \d{{1,2}}{_ORD}"
    rf"(?:,? \d{{4}})?|\d{{1,2}}{_ORD} (?:of )?{_MONTH_WORD}\.?(?:,? \d{{4}})?)"
)
_ZH_DATE = (
    rf"(?:\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|"
    rf"(?:\d{{4}}年)?(?:{CN_NUMBER}月)?{CN_NUMBER}[日号])"
)

_BOUNDARY = r"(?:(?<![a-z0-9])(?=[a-z0-9])|(?<=[a-z0-9])(?![a-z0-9]))"


def _re(pattern: str) -> re.Pattern[str]:
    """Compile with an ASCII word boundary: Chinese characters count as \\w in Python."""
    return re.compile(pattern.replace(r"\b", _BOUNDARY))


YEAR_CROSSING_DAYS = 183  # a range without years may run into the next year by this much
_YEAR_IN = re.compile(r"(?:19|20)\d{2}")
Handler = Callable[[re.Match[str], _Resolver], "TimeWindow | None"]


def _range(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    first_text, last_text = match["a"], match["b"]
    first = _en_date(first_text, r) or _zh_date(first_text, r)
    if first is None:
        return None
    last = _en_date(last_text, r) or _zh_date(last_text, r, first.month)
    words = match.group(0)
    if last is None:
        bare = re.fullmatch(r"\d{1,2}", last_text.strip())
        last = make_date(first.year, first.month, int(bare[0]), words) if bare else None
    if last is None:
        return None
    first_year, last_year = _YEAR_IN.search(first_text), _YEAR_IN.search(last_text)
    if last_year and not first_year:
        first = make_date(last.year, first.month, first.day, first_text)
    elif not last_year:
        last = make_date(first.year, last.month, last.day, last_text)
        if last < first and last.month < first.month:
            # 'Dec 15 to Jan 10' runs into the next year; 'Oct 15 to Oct 1' is reversed
            following = make_date(first.year + 1, last.month, last.day, last_text)
            last = following if (following - first).days <= YEAR_CROSSING_DAYS else last
    if last < first:
        raise DateProblem("reversed", words, first=first, last=last)
    return TimeWindow(first, last + DAY, f"{first} – {last}")


def _since(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    text = match["a"]
    first = _en_date(text, r) or _zh_date(text, r)
    if first is None:
        month = re.fullmatch(rf"({_MONTH_WORD})(?: (\d{{4}}))?", text.strip())
        zh_month = re.fullmatch(rf"(?:(\d{{4}})年)?({CN_NUMBER})月份?", text.strip())
        if month:
            first = r.month(int(month[2]) if month[2] else None, _month_of(month[1]), "").start
        elif zh_month and to_int(zh_month[2]):
            first = r.month(
                int(zh_month[1]) if zh_month[1] else None, to_int(zh_month[2]) or 1, ""
            ).start
    if first is None:
        return None
    return TimeWindow(first, max(r.after, first + DAY), f"since {first}")


def _iso_week(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    """'calendar week 40', 'KW 40', 'cw40', '2026-W40', '第40周': the ISO week (Monday on);
    without a year, the as-of date's ISO year (a week to come has no data yet)."""
    week = to_int(match["w"] or "")
    if week is None:
        return None
    year = int(match["y"]) if match["y"] else r.as_of.isocalendar().year
    weeks = date(year, 12, 28).isocalendar().week
    if not 1 <= week <= weeks:
        raise DateProblem("invalid", match.group(0), "week", week=week, year=year, weeks=weeks)
    start = date.fromisocalendar(year, week, 1)  # a week number names this year's week
    return TimeWindow(start, start + 7 * DAY, f"week {week} {start.isocalendar().year}")


def _vague(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    """'mid-September', 'end of last month', '月底': no dates can be read from it."""
    raise DateProblem("vague", match.group(0))


def _ten_days(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    """'9月上旬' / 中旬 / 下旬: days 1-10, 11-20, 21 to the month's end."""
    month = to_int(match["m"])
    if month is None:
        return None
    window = r.month(int(match["y"]) if match["y"] else None, month, "")
    first = window.start + DAY * {"上": 0, "中": 10, "下": 20}[match["p"]]
    end = window.end if match["p"] == "下" else first + 10 * DAY
    return TimeWindow(first, end, f"{first} – {end - DAY}")


def _nth(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    """'on the 5th': that day of the latest month that has had it."""
    first = _latest_day(r, int(match["d"]), match.group(0))
    return TimeWindow(first, first + DAY, f"bare:{first}")


def _latest_day(r: _Resolver, day: int, words: str) -> date:
    """The latest date on or before the as-of date whose day of the month is `day`."""
    if not 1 <= day <= 31:
        raise DateProblem(
            "invalid",
            words,
            "day",
            year=r.as_of.year,
            month=r.as_of.month,
            day=day,
            days=monthrange(r.as_of.year, r.as_of.month)[1],
        )
    month = r.as_of.replace(day=1)
    if day > r.as_of.day:
        month = add_months(month, -1)
    while day > monthrange(month.year, month.month)[1]:
        month = add_months(month, -1)
    return date(month.year, month.month, day)


def _numeric_date(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    """'10/5', '10/5/2026' (month and day in an order only the writer knows: asked back unless
    one of them is over 12), '5.10.2026' (day first)."""
    a, b = int(match["a"]), int(match["b"])
    year_text = match["y"]
    year = (2000 + int(year_text) if len(year_text) == 2 else int(year_text)) if year_text else None
    words = match.group(0)
    if match["sep"] == "." or a > 12 >= b:
        day, month = a, b
    elif r.month_first or b > 12 >= a:  # a Chinese question: 10/5 is October 5
        day, month = b, a
    elif a == b:
        day = month = a
    else:
        first = r.day(year, a, b, words)
        last = r.day(year, b, a, words)
        raise DateProblem("ambiguous", words, first=first, last=last)
    moment = r.day(year, month, day, words)
    return TimeWindow(moment, moment + DAY, str(moment))


def _numeric_range(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    """'9/15-9/30', '9/15到9/30': both ends read as `_numeric_date` reads one."""
    ends = []
    for text in (match["a"], match["b"]):
        a, b = text.split("/")
        ends.append(_numeric_date(_Groups(a=a, b=b, y=None, sep="/", _words=text), r))
    first, last = ends[0].start, ends[1].start
    if last < first:
        raise DateProblem("reversed", match.group(0), first=first, last=last)
    return TimeWindow(first, last + DAY, f"{first} – {last}")


def _on_day(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    day = _en_date(match["a"], r) or _zh_date(match["a"], r)
    if day is None:
        return None
    bare = re.fullmatch(rf"{CN_NUMBER}[日号]", match["a"].strip()) is not None
    return TimeWindow(day, day + DAY, f"bare:{day}" if bare else str(day))


def _rolling(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    count = to_int(match["n"] or "1")
    unit = _UNIT_EN.get(match["u"].rstrip("s")) or _UNIT_ZH.get(match["u"])
    if not count or not unit or count > 400:
        return None
    return r.rolling(count, unit, f"last {count} {unit}s")


def _relative(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    word, unit = match["w"], _UNIT_EN.get(match["u"]) or _UNIT_ZH.get(match["u"])
    if unit is None:
        return None
    if word in ("this", "current", "本", "这", "这个", "当", "今"):
        return r.current(unit, f"this {unit}")
    if word in ("past",):
        return r.rolling(1, unit, f"past {unit}")
    if word in _NEXT_WORDS:
        start = step(unit_start(r.as_of, unit), unit, 1)
        return TimeWindow(start, step(start, unit, 1), f"next {unit}")
    return r.previous(unit, f"last {unit}")


_NEXT_WORDS = ("next", "coming", "upcoming", "下个", "下一个", "下", "明")


def _fixed(kind: str) -> Handler:
    def handler(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
        if kind == "today":
            return TimeWindow(r.as_of, r.after, "today")
        if kind == "tomorrow":
            return TimeWindow(r.after, r.after + DAY, "tomorrow")
        if kind == "yesterday":
            return TimeWindow(r.as_of - DAY, r.as_of, "yesterday")
        if kind == "before_yesterday":
            return TimeWindow(r.as_of - 2 * DAY, r.as_of - DAY, "the day before yesterday")
        if kind == "last_year":
            return r.previous("year", "last year")
        return r.current(kind, f"{kind} to date")

    return handler


def _before_last(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    """'上上周', 'the week before last': the period before the previous one."""
    word = match["u"]
    unit = _UNIT_EN.get(word) or _UNIT_ZH.get(word) or ("day" if word == "大前天" else None)
    if unit is None:
        return None
    if unit == "day":
        return TimeWindow(r.as_of - 3 * DAY, r.as_of - 2 * DAY, "three days ago")
    this = unit_start(r.as_of, unit)
    return TimeWindow(step(this, unit, -2), step(this, unit, -1), f"the {unit} before last")


def _half(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    """'H1 2026', 'second half of 2025', '上半年', '去年下半年'."""
    groups = match.groupdict()
    half = (
        1
        if (groups.get("h") or groups.get("h2") or groups.get("zh") or "") in ("1", "first", "上")
        else 2
    )
    year_text = groups.get("y") or groups.get("y2") or groups.get("y3")
    rel = groups.get("rel")
    if year_text:
        year = int(year_text)
    elif rel in ("去年", "上年", "last"):
        year = r.as_of.year - 1
    elif rel in ("今年", "本年", "this"):
        year = r.as_of.year
    else:
        year = r.year_for(1 if half == 1 else 7)
    first = date(year, 1 if half == 1 else 7, 1)
    return TimeWindow(first, add_months(first, 6), f"H{half} {year}")


def _before_last_any(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    unit = match["u"] or match["u2"]
    return _before_last(_Groups(u=unit), r)


def _half_any(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    groups = match.groupdict()
    word = groups.get("hw")
    half = (
        groups.get("h")
        or groups.get("h2")
        or groups.get("zh")
        or ("1" if word in ("first", "1st") else "2")
    )
    return _half(
        _Groups(
            h=half,
            y=groups.get("y"),
            y2=groups.get("y2"),
            y3=groups.get("y3"),
            rel=groups.get("rel") or groups.get("rel2"),
        ),
        r,
    )


class _Groups(dict):
    """Named groups handed from one handler to another (match['x'] and groupdict())."""

    def __init__(self, **groups: str | None) -> None:
        super().__init__(groups)

    def __getitem__(self, key: str) -> str | None:  # type: ignore[override]
        return self.get(key)

    def groupdict(self) -> dict[str, str | None]:
        return {k: v for k, v in self.items() if k != "_words"}

    def group(self, _index: int = 0) -> str:
        """The words of the match the groups came from."""
        return self.get("_words") or ""


def _month(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    words = match["m"]
    by_name = words.isascii() and words.isalpha()  # "Oct"; 十三 is alphabetic too
    month = _month_of(words) if by_name else to_int(words)
    if month is None:
        return None
    if not 1 <= month <= 12:  # 十三月, 0月: no such month, never another one
        raise DateProblem("invalid", match.group(0), "month", month=month)
    year = int(match["y"]) if match["y"] else None
    window = r.month(year, month, "")
    return TimeWindow(window.start, window.end, window.start.strftime("%B %Y"))


def _month_number(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    """'13月', '十三月', '0月': no such month (the month patterns would read '13月' and
    '十三月' as March)."""
    month = to_int(match["m"])
    if month is not None and not 1 <= month <= 12:
        raise DateProblem("invalid", match.group(0), "month", month=month)
    return None


def _far_year(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    """A year the other patterns do not take (1850, 2150): its window, which has no data."""
    year = int(match["y"] or match["y2"] or match["y3"])
    return TimeWindow(date(year, 1, 1), date(year + 1, 1, 1), str(year))


def _quarter(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    groups = match.groupdict()
    number = to_int(groups.get("q") or groups.get("q2") or "") or _ORDINALS.get(
        groups.get("o") or ""
    )
    year = groups.get("y") or groups.get("y2")
    if not number or not 1 <= number <= 4:
        return None
    window = r.quarter(int(year) if year else None, number, "")
    return TimeWindow(window.start, window.end, f"Q{number} {window.start.year}")


def _year(match: re.Match[str], r: _Resolver) -> TimeWindow | None:
    year = int(match["y"])
    return TimeWindow(date(year, 1, 1), date(year + 1, 1, 1), str(year))


_EN_UNIT = r"(?P<u>days?|weeks?|months?|quarters?|years?)"
# Things numbered like days ('3号机', '1号仓'): after them N号 is no date.
_NUMBERED_THINGS = "线|机|仓|库|车间|厂|工位|设备|产线|班|台|楼|门|位|工|品|件|料|箱|柜|区|站|炉|窑"
_ZH_UNIT = r"(?P<u>天|日|个星期|星期|礼拜|周|个月|月|个季度|季度|年)"
_YEAR = r"(?P<y>(?:19|20)\d{2})"
_TIME_PATTERNS: list[tuple[str, Handler]] = [
    (
        r"(?<![0-9零〇一二两三四五六七八九十])(?P<m>[0-9零〇一二两三四五六七八九十]+)月",
        _month_number,
    ),
    (
        rf"(?:from |between )?(?P<a>{_EN_DATE})(?: (?:to|and|until|till|through) | ?[-~–—] ?)"
        rf"(?P<b>{_EN_DATE}|\d{{1,2}}{_ORD})\b",
        _range,
    ),
    (
        rf"(?:从|自)?(?P<a>{_ZH_DATE}) ?(?:到|至|~|-|—) ?(?P<b>{_ZH_DATE}|\d{{1,2}})(?:之间|期间)?",
        _range,
    ),
    (rf"\bsince (?P<a>{_EN_DATE}|{_MONTH_WORD}(?: \d{{4}})?)\b", _since),
    (r"(?:\bdate )?>=? ?(?P<a>\d{4}-\d{1,2}-\d{1,2})\b", _since),  # date >= 2026-07-01
    (
        rf"(?:自|从)(?P<a>{_ZH_DATE}|(?:\d{{4}}年)?{CN_NUMBER}月份?) ?(?:以来|起|开始|至今|到现在)",
        _since,
    ),
    (rf"(?P<a>{_ZH_DATE}|(?:\d{{4}}年)?{CN_NUMBER}月份?)(?:以来|起至今|至今)", _since),
    (
        r"\b(?:month to date|mtd|so far this month|this month so far)\b|本月至今|月初至今|"
        r"本月以来|这个月以来|本月到目前为止",
        _fixed("month"),
    ),
    (
        r"\b(?:year to date|ytd|so far this year|this year so far)\b|年初至今|今年以来|本年至今|"
        r"今年至今|今年到目前为止",
        _fixed("year"),
    ),
    (
        r"\b(?:quarter to date|qtd|so far this quarter|this quarter so far)\b|本季度至今|季初至今",
        _fixed("quarter"),
    ),
    (
        r"\b(?:week to date|wtd|so far this week|this week so far)\b|本周至今|周初至今",
        _fixed("week"),
    ),
    (
        r"\b(?:since|from) (?:the )?(?:beginning|start) of (?:the |this )?"
        r"(?P<u>week|month|quarter|year)\b|(?P<u2>年|月)初(?:到现在|到今天|以来|至今)",
        lambda m, r: r.current(
            _UNIT_EN.get(m["u"] or "") or _UNIT_ZH[m["u2"]], f"this {m['u'] or m['u2']} to date"
        ),
    ),
    (
        rf"\b(?:early|mid|late|end of|beginning of|start of|middle of|the end of|"
        rf"the beginning of|the start of|the middle of)[- ]?(?:the )?(?:{_MONTH_WORD}|"
        rf"(?:this|last|next) (?:month|year|quarter)|month|year|quarter)\b|"
        rf"\b(?:first|second|third|fourth|last) week of (?:the )?(?:{_MONTH_WORD}|month)\b|"
        rf"(?:{CN_NUMBER}月|本月|上个?月|这个月|今年|去年)?(?:月初|月底|月末|年初|年底|年末)|"
        rf"{CN_NUMBER}月(?:初|底|末|中)",
        _vague,
    ),
    (
        rf"(?:(?P<y>(?:19|20)\d{{2}})年)?(?P<m>{CN_NUMBER})月份?(?P<p>上|中|下)旬",
        _ten_days,
    ),
    (
        r"(?<!last )(?<!this )(?<!next )(?<!past )(?<!prior )(?<!previous )"
        r"\b(?:calendar week|iso week|cw|kw|week|wk|w)\.? ?(?P<w>\d{1,2})(?:,? (?:of |in )?"
        r"(?P<y>(?:19|20)\d{2}))?\b|\b(?P<y2>(?:19|20)\d{2})-?w(?P<w2>\d{1,2})\b|"
        rf"(?:(?P<y3>(?:19|20)\d{{2}})年)?第(?P<w3>{CN_NUMBER})周",
        lambda m, r: _iso_week(
            _Groups(w=m["w"] or m["w2"] or m["w3"], y=m["y"] or m["y2"] or m["y3"], _words=m[0]),
            r,
        ),
    ),
    (
        r"\b(?:in |over |during |for )?(?:the )?(?:last|past|previous|prior) "
        r"(?:fortnight|two weeks)\b|(?:最近|近|过去)的?半个月",
        lambda m, r: r.rolling(2, "week", "last 2 weeks"),
    ),
    (
        r"\b(?:in |over |during |for )?(?:the )?(?:last|past|previous|prior) half (?:a )?year\b|"
        r"(?:最近|近|过去)的?半年",
        lambda m, r: r.rolling(6, "month", "last 6 months"),
    ),
    (
        r"\b(?:the )?day before yesterday\b|(?P<u>大前天)",
        lambda m, r: _before_last(m, r) if m["u"] else _fixed("before_yesterday")(m, r),
    ),
    (
        r"\b(?:the )?(?P<u>week|month|quarter|year) before last\b|上上(?:个|一个)?"
        r"(?P<u2>周|星期|礼拜|月|季度|季)",
        lambda m, r: _before_last_any(m, r),
    ),
    (
        r"\b(?:(?P<rel>this|last) )?(?:h(?P<h>[12])|(?P<hw>first|second|1st|2nd) half)(?: of)?"
        r"(?: (?P<y>(?:19|20)\d{2}))?\b|\b(?P<y2>(?:19|20)\d{2}) h(?P<h2>[12])\b|"
        r"(?:(?P<y3>(?:19|20)\d{2})年|(?P<rel2>今年|去年|本年|上年))?的?(?P<zh>上|下)半年",
        lambda m, r: _half_any(m, r),
    ),
    (
        rf"\b(?:in |over |during |for )?(?:the )?(?:last|past|previous|prior|recent) "
        rf"(?P<n>{EN_NUMBER}) {_EN_UNIT}\b",
        _rolling,
    ),
    (rf"(?:最近|近|过去|前|最后)的?(?P<n>{CN_NUMBER}) ?{_ZH_UNIT}(?:内|以来|里)?", _rolling),
    (
        r"\b(?P<w>this|current|last|previous|prior|past|next|coming|upcoming) "
        r"(?P<u>day|week|month|quarter|year)\b",
        _relative,
    ),
    (
        r"(?P<w>本|这个|这|当|上个|上一个|上|去|今|下个|下一个|下|明)"
        r"(?P<u>个星期|星期|个礼拜|礼拜|周|季度|季|月|年)(?:度)?",
        _relative,
    ),
    (r"\btoday\b|今天|今日|当天|本日", _fixed("today")),
    (r"\btomorrow\b|明天|明日", _fixed("tomorrow")),
    (r"\byesterday\b|昨天|昨日", _fixed("yesterday")),
    (r"前天", _fixed("before_yesterday")),
    (r"上一年|上年度|上年", _fixed("last_year")),
    (
        r"(?<![0-9./-])(?P<a>\d{1,2}/\d{1,2}) ?(?:-|~|–|to|到|至) ?(?P<b>\d{1,2}/\d{1,2})"
        r"(?![0-9./-])",
        _numeric_range,
    ),
    (
        r"(?<![0-9./-])(?P<a>\d{1,2})(?P<sep>/)(?P<b>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?"
        r"(?![0-9./-])|(?<![0-9./-])(?P<a2>\d{1,2})(?P<sep2>\.)(?P<b2>\d{1,2})\.(?P<y2>\d{4})"
        r"(?![0-9./-])",
        lambda m, r: _numeric_date(
            _Groups(
                a=m["a"] or m["a2"],
                b=m["b"] or m["b2"],
                y=m["y"] or m["y2"],
                sep=m["sep"] or m["sep2"],
                _words=m[0],
            ),
            r,
        ),
    ),
    (
        r"\bon the (?P<d>\d{1,2})(?:st|nd|rd|th)\b(?! (?:of|week|day|quarter|month))|"
        r"\bthe (?P<d2>\d{1,2})(?:st|nd|rd|th)(?= *(?:$|[,.?!;]))",
        lambda m, r: _nth(_Groups(d=m["d"] or m["d2"], _words=m[0]), r),
    ),
    (
        rf"\b(?:on )?(?P<a>\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|{_MONTH_WORD}\.? \d{{1,2}}{_ORD}"
        rf"(?:,? \d{{4}})?|\d{{1,2}}{_ORD} (?:of )?{_MONTH_WORD}(?:,? \d{{4}})?)\b",
        _on_day,
    ),
    (rf"(?P<a>(?:\d{{4}}年)?{CN_NUMBER}月{CN_NUMBER}[日号])", _on_day),
    (rf"(?<![0-9月])(?P<a>{CN_NUMBER}[日号])(?:那天|当天)?(?!{_NUMBERED_THINGS})", _on_day),
    (
        rf"(?:{_YEAR}年)?第?(?P<q>[1-4一二三四])季度?|(?P<y2>(?:19|20)\d{{2}})年 ?q(?P<q2>[1-4])",
        _quarter,
    ),
    (
        rf"\b(?:in )?(?:q(?P<q>[1-4])|(?P<o>first|second|third|fourth|1st|2nd|3rd|4th) quarter)"
        rf"(?: of)?(?: {_YEAR})?\b|\b(?P<y2>(?:19|20)\d{{2}}) q(?P<q2>[1-4])\b",
        _quarter,
    ),
    (rf"\b(?:in )?(?P<m>{_MONTH_WORD})\.?(?: of)?(?:,? {_YEAR})?\b", _month),
    (rf"\bmonth (?P<m>\d{{1,3}})(?: of| in)?(?:,? {_YEAR})?\b", _month),
    (r"(?<![0-9-])(?P<y>(?:19|20)\d{2})-(?P<m>\d{1,2})(?![0-9-])", _month),  # 2026-09
    (
        r"(?:(?P<y>(?:19|20)\d{2})年)?(?P<m>1[0-2]|0?[1-9]|十一|十二|十|[一二三四五六七八九])月份?"
        r"(?![0-9零一二三四五六七八九十]+[日号])",
        _month,
    ),
    (rf"\b(?:in |for |during )?{_YEAR}(?:年度?)?(?![-0-9])", _year),
    (
        r"(?:\b(?:in|for|during|year) )(?P<y>[12][0-9]{3})(?![-./0-9a-z])|"
        r"(?<![-/.a-z0-9])(?P<y2>[12][0-9]{3})年|(?<![-/.a-z0-9])(?P<y3>18[0-9]{2}|21[0-9]{2})"
        r"(?![-./0-9a-z])",
        _far_year,
    ),
]
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}


_COMPILED = [(_re(p), h) for p, h in _TIME_PATTERNS]
_COMPARES = [
    (
        r"(?:\b(?:vs\.?|versus|compared (?:to|with)|against|over) (?:the )?"
        r"(?:same (?:period|time) )?(?:last|previous|prior) year\b|\byear (?:over|on) year\b|"
        r"\byoy\b|同比|去年同期|"
        r"\b(?:(?:vs\.?|versus|compared? (?:to|with)|against|and|with) )?(?:the )?same "
        r"(?:period|time|day|week|month|quarter) (?:of |in )?(?:last|previous|the previous) year\b|"
        r"(?:和|与|跟|比|较|对比)去年(?:同期)?(?:比|相比|比较|对比)?)",
        "same_period_last_year",
        None,
    ),
    (
        r"(?:\b(?:vs\.?|versus|compared (?:to|with)|against|over) (?:the )?(?:last|previous|prior) "
        r"(?P<u>period|day|week|month|quarter)\b|\b(?P<u2>period|day|week|month|quarter) "
        r"(?:over|on) (?:period|day|week|month|quarter)\b|\b(?P<u3>mom|wow|qoq|pop)\b|环比|"
        r"(?:和|与|跟|同|比|较|对比|vs\.? ?)(?:上个|上一个|上|前一)"
        r"(?P<u4>月|周|星期|礼拜|季度|期|天|日)"
        r"(?:比|相比|比较|对比)?|"
        r"\b(?:vs\.?|versus|compared? (?:to|with)|against|and|than) (?:the )?"
        r"(?P<u5>day|week|month|quarter|year) before\b|"
        r"\bcompare (?:to|with) (?:the )?(?:last|previous|prior) "
        r"(?P<u6>period|day|week|month|quarter)\b)",
        "previous_period",
        None,
    ),
]
_COMPARE_RE = [(_re(p), c, u) for p, c, u in _COMPARES]
_SHORT_UNITS = {
    "mom": "month",
    "wow": "week",
    "qoq": "quarter",
    "pop": None,
    "月": "month",
    "周": "week",
    "星期": "week",
    "礼拜": "week",
    "季度": "quarter",
    "天": "day",
    "日": "day",
    "期": None,
    "period": None,
}
_GRAIN_RE = _re(
    r"\b(?:by|per|each|every|over|across) (?P<a>day|week|month|quarter|year)s?\b"
    r"(?! (?:of|on|to|in)\b)|"
    r"\b(?P<b>daily|weekly|monthly|quarterly|yearly|annually)\b|"
    r"\b(?P<e>day|week|month|quarter|year) (?:by|on|over) (?:day|week|month|quarter|year)\b|"
    r"(?:按|每|逐|分|以)(?:个)?(?P<c>天|日|周|星期|月|季度|季|年)(?:度)?|(?P<d>日|周|月|季|年)度"
)
_RANK_PERIOD_RE = _re(
    r"\bwhich (?P<a>day|week|month)\b|(?:哪|哪一|哪个)(?P<b>天|日|周|星期|个月|月)"
)
_NOW_RE = _re(
    r"\b(?:right now|as of now|as of today|at the moment|at present|currently|now|"
    r"current|latest)\b|目前|现在|当前|此刻|眼下|当下|最新"
)
_TREND_RE = _re(r"\btrends?\b|\bover time\b|\btrending\b|趋势|走势|变化")


def _find_window(text: str, resolver: _Resolver) -> tuple[TimeWindow | None, str]:
    """The first time phrase of `text` (patterns in order) and the text without it."""
    for pattern, handler in _COMPILED:
        for match in pattern.finditer(text):
            try:
                window = handler(match, resolver)
            except DateProblem as problem:
                problem.match = match
                raise
            if window is not None:
                return window, _blank(text, match)
    return None, text


def _two_periods(facts: TimeFacts, second: TimeWindow) -> None:
    """Two periods in one question: one inside the other is the narrower one ('2026
    September'); the one right before the other ('last month vs this month', '上个月跟上上个
    月比') or the same one a year earlier is a comparison of the later one; any other pair
    cannot be answered as one window, and is asked back."""
    first = facts.window
    assert first is not None
    day = next((w for w in (first, second) if w.label.startswith("bare:")), None)
    month = next((w for w in (first, second) if _is_month(w)), None)
    if (  # 上个月3号, 'last month on the 3rd': that day of that month
        day is not None
        and month is not None
        and day is not month
        and day.start.day <= (month.end - month.start).days
    ):
        inside = month.start.replace(day=day.start.day)
        facts.window = TimeWindow(inside, inside + DAY, str(inside))
        return
    early, late = sorted((first, second), key=lambda w: (w.start, w.end))
    if early.start <= late.start and late.end <= early.end:
        facts.window = late if late.end - late.start < early.end - early.start else early
        return
    if late.start <= early.start and early.end <= late.end:
        facts.window = early
        return
    if facts.compare is None and early.end == late.start:
        facts.window, facts.compare = late, "previous_period"
        return
    if facts.compare is None and add_months(early.start, 12) == late.start:
        facts.window, facts.compare = late, "same_period_last_year"
        return
    words = ", ".join(f"{w.start} – {w.end - DAY}" for w in (early, late))
    raise DateProblem("two_periods", words, first=early.start, last=late.start)


def _is_month(window: TimeWindow) -> bool:
    return window.start.day == 1 and window.end == add_months(window.start, 1)


_REL_YEAR_EN = {"last": -1, "this": 0, "next": 1, "previous": -1, "prior": -1}
_REL_YEAR_ZH = {"去年": -1, "上年": -1, "今年": 0, "本年": 0, "明年": 1, "前年": -2}
_PART_EN = (
    rf"(?:{_MONTH_WORD}|q[1-4]|h[12]|(?:first|second|third|fourth|1st|2nd|3rd|4th) "
    r"(?:quarter|half))"
)
_PART_ZH = rf"(?:第?[1-4一二三四]季度|q[1-4]|{CN_NUMBER}月|[上下]半年)"
_REL_YEAR_RES = (
    (_re(rf"\b(?P<x>{_PART_EN})(?: of)? (?P<rel>last|this|next|previous|prior) year\b"), "en"),
    (_re(rf"\b(?P<rel>last|this|next|previous|prior) year'?s? (?P<x>{_PART_EN})\b"), "en"),
    (re.compile(rf"(?P<rel>去年|上年|今年|本年|明年|前年)的?(?P<x>{_PART_ZH})"), "zh"),
)


def _absolute_years(text: str, as_of: date) -> str:
    """'September last year', 'last year's Q3', '去年9月', '今年第三季度': the month, quarter
    or half of that year, with the year written out (the patterns then read it as named)."""
    for pattern, lang in _REL_YEAR_RES:

        def written(match: re.Match[str], lang: str = lang) -> str:
            shift = (_REL_YEAR_EN if lang == "en" else _REL_YEAR_ZH)[match["rel"]]
            year = as_of.year + shift
            return f"{match['x']} {year}" if lang == "en" else f"{year}年{match['x']}"

        text = pattern.sub(written, text)
    return text


def _blank(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + " ; " + text[match.end() :]


_ABBREVIATIONS = {
    "wk": "week",
    "wks": "weeks",
    "mth": "month",
    "mths": "months",
    "yr": "year",
    "yrs": "years",
    "qtr": "quarter",
    "qtrs": "quarters",
    "yday": "yesterday",
}
# Time words long enough to be told from others by one typo ('yesterdya', 'montly').
_TIME_WORDS = [
    "yesterday",
    "tomorrow",
    "monthly",
    "weekly",
    "quarter",
    "quarters",
    "quarterly",
    "months",
    "january",
    "february",
    "august",
    "september",
    "october",
    "november",
    "december",
    "previous",
    "fortnight",
]
_LATIN_WORD = re.compile(r"[a-z]+")


def _spell_time_words(text: str) -> str:
    """Abbreviations ('last wk', 'this qtr') and one-typo time words ('yesterdya') written
    out, so the patterns read them."""

    def fixed(match: re.Match[str]) -> str:
        word = match[0]
        if word in _ABBREVIATIONS:
            return _ABBREVIATIONS[word]
        if len(word) < 6 or word in _TIME_WORDS:
            return word
        near = process.extractOne(word, _TIME_WORDS, scorer=OSA.distance, score_cutoff=1)
        return near[0] if near else word

    return _LATIN_WORD.sub(fixed, text)


def extract(text: str, as_of: date) -> tuple[TimeFacts, str]:
    """Find the time phrases of `text` (NFKC, lower case); return them and the rest."""
    facts = TimeFacts()
    text = _spell_time_words(text)
    for pattern, compare, unit in _COMPARE_RE:
        match = pattern.search(text)
        if match and facts.compare is None:
            facts.compare = compare
            named = next((g for g in match.groupdict().values() if g), None)
            facts.compare_unit = unit or _SHORT_UNITS.get(named or "", named)
            text = _blank(text, match)
    match = _RANK_PERIOD_RE.search(text)
    if match:
        word = match["a"] or match["b"]
        facts.rank_period = _GRAIN_WORDS.get(word.replace("个", ""), "day")
        text = _blank(text, match)
    resolver = _Resolver(as_of, month_first=has_cjk(text))
    text = _absolute_years(text, as_of)
    try:
        facts.window, text = _find_window(text, resolver)
        if facts.window is not None:
            second, text = _find_window(text, resolver)
            if second is not None:
                _two_periods(facts, second)
    except DateProblem as problem:
        facts.problem, facts.window = problem, None
        text = _blank(text, problem.match) if problem.match else text
    match = _NOW_RE.search(text)
    if match:
        facts.now = facts.window is None
        text = _blank(text, match)
    match = _GRAIN_RE.search(text)
    if match:
        word = next(g for g in match.groupdict().values() if g)
        facts.grain = _GRAIN_WORDS[word]
        text = _blank(text, match)
    match = _TREND_RE.search(text)
    if match:
        # '与上月相比有什么变化': a change against the other period, not a trend
        facts.trend = not (facts.compare and match[0] == "变化")
        text = _blank(text, match)
    return facts, text
