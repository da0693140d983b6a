"""Generator of tests/nlq/generated.yaml: a large, seeded golden set for the query box.

    python -m tests.nlq.generate [--seed N] [--cap N] [--out PATH]

Questions are templates (plain, by, filter, by + filter, ranking, grain, compare, versus,
exclusion) filled with metric expressions (registry synonyms and plain labels, read at
generation time), dimension expressions (registry synonyms), filter values (codes and en/zh
names from tests/nlq/dims.py) and time phrases, in English and Chinese, plus typo variants
(one-letter slips in English words of six letters or more) and full-width variants.
Unanswerable questions (metrics Andon does not have, small talk, nonsense, impossible dates,
ambiguous terms, dimensions a metric lacks, unknown plants) must ask back.

Expected interpretations come from each template's intent and this module's own date
arithmetic, never from the parser. Terms the registry gives to two metrics are only used
in ask-back questions, except verb forms shared by a rate and its quantity ('scrapped',
which the box reads as the quantity unless a rate word comes with it): those are left out;
terms holding a grain word ('yearly inventory turns'), registry terms
that are a slip of another of the same entry ('plnat') and dimension terms that are part of
a value's name ('assembly line') are left out; cpk (which adds its required dimensions) is
left to golden.yaml. Typos go into words of the metric term or a one-word dimension term
only, and only where the slip is one edit from that word and from no other vocabulary word.
"""

from __future__ import annotations

import argparse
import calendar
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

from tests.nlq.dims import sample_rows

# An English verb form (scrapped, scrapping): not a question of its own when two metrics share it.
VERB_FORM = re.compile(r"[a-z](ed|ing)$")

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "metrics/registry.yaml"
OUT = Path(__file__).with_name("generated.yaml")
SEED = 20261011
CAP = 1300
AS_OF = date(2026, 10, 11)
# Other as-of dates (weekday, month, quarter and year boundaries) for part of the set.
OTHER_AS_OF = (date(2026, 1, 5), date(2026, 3, 31), date(2026, 7, 1))
SKIP_METRICS = {"cpk"}
DAY = timedelta(days=1)

EN_MONTHS = [calendar.month_name[m] for m in range(13)]
EN_MON = [calendar.month_abbr[m] for m in range(13)]
ZH_DIGITS = "零一二三四五六七八九十"
EN_NUMBERS = {2: "two", 3: "three", 5: "five", 10: "ten"}
ZH_MEASURE = {"line": "条", "equipment": "台"}


# ---------------------------------------------------------------------------- dates


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def default_window(as_of: date, grain: str | None) -> tuple[date, date]:
    """No time phrase: the last 30 days, or with a grain 12 whole weeks / months (the
    current one to date and the 11 before it)."""
    after = as_of + DAY
    if grain == "week":
        return week_start(as_of) - timedelta(weeks=11), after
    if grain == "month":
        return add_months(as_of.replace(day=1), -11), after
    return after - timedelta(days=30), after


@dataclass(frozen=True)
class TimePhrase:
    en: str | None
    zh: str | None
    start: date
    end: date
    long: bool = False  # spans several weeks: fits a week/month grain

    def __post_init__(self) -> None:
        if self.zh:
            object.__setattr__(self, "zh", _pad(self.zh))


def time_phrases(as_of: date) -> list[TimePhrase]:
    after = as_of + DAY
    ws, ms, qs = week_start(as_of), as_of.replace(day=1), quarter_start(as_of)
    last_q = add_months(qs, -3)
    qn = (last_q.month - 1) // 3 + 1
    jan1 = date(as_of.year, 1, 1)
    out = [
        TimePhrase("today", "今天", as_of, after),
        TimePhrase("yesterday", "昨天", as_of - DAY, as_of),
        TimePhrase("the day before yesterday", "前天", as_of - 2 * DAY, as_of - DAY),
        TimePhrase("this week", "本周", ws, after),
        TimePhrase("last week", "上周", ws - timedelta(weeks=1), ws),
        TimePhrase("this month", "本月", ms, after),
        TimePhrase("last month", "上个月", add_months(ms, -1), ms),
        TimePhrase("month to date", "本月至今", ms, after),
        TimePhrase("this quarter", "本季度", qs, after),
        TimePhrase("last quarter", "上季度", last_q, qs, long=True),
        TimePhrase("this year", "今年", jan1, after, long=as_of.month > 2),
        TimePhrase("year to date", "年初至今", jan1, after, long=as_of.month > 2),
        TimePhrase("last year", "去年", date(as_of.year - 1, 1, 1), jan1, long=True),
        TimePhrase("last 7 days", "最近7天", after - timedelta(days=7), after),
        TimePhrase("last 14 days", "最近14天", after - timedelta(days=14), after),
        TimePhrase("last 30 days", "过去30天", after - timedelta(days=30), after),
        TimePhrase("last 2 weeks", "过去两周", after - timedelta(weeks=2), after),
        TimePhrase("last 3 months", "近3个月", add_months(after, -3), after, long=True),
        TimePhrase("last 6 months", "最近六个月", add_months(after, -6), after, long=True),
        TimePhrase(
            f"Q{qn} {last_q.year}", f"{last_q.year}年第{ZH_DIGITS[qn]}季度", last_q, qs, long=True
        ),
        TimePhrase(None, f"{last_q.year}年Q{qn}", last_q, qs, long=True),
        TimePhrase(f"in {as_of.year - 1}", f"{as_of.year - 1}年", date(as_of.year - 1, 1, 1), jan1),
    ]
    prev = add_months(ms, -2)
    out.append(
        TimePhrase(
            f"in {EN_MONTHS[prev.month]} {prev.year}",
            f"{prev.year}年{prev.month}月",
            prev,
            add_months(prev, 1),
        )
    )
    # explicit days and ranges, all in the past of as_of
    a, b = as_of - timedelta(days=20), as_of - timedelta(days=9)
    out += [
        TimePhrase(f"on {a.isoformat()}", f"{a.year}年{a.month}月{a.day}日", a, a + DAY),
        TimePhrase(
            f"between {a.isoformat()} and {b.isoformat()}",
            f"从{a.isoformat()}到{b.isoformat()}",
            a,
            b + DAY,
        ),
        TimePhrase(
            f"from {a.day} {EN_MON[a.month]} {a.year} to {b.day} {EN_MON[b.month]} {b.year}",
            f"{a.year}年{a.month}月{a.day}日到{b.year}年{b.month}月{b.day}日",
            a,
            b + DAY,
        ),
        TimePhrase(
            f"since {EN_MONTHS[a.month]} {a.day} {a.year}",
            f"自{a.year}年{a.month}月{a.day}日以来",
            a,
            after,
        ),
    ]
    if a.year == as_of.year and b.year == as_of.year:  # no year: only inside the current year
        out += [
            TimePhrase(
                f"from {a.day} {EN_MON[a.month]} to {b.day} {EN_MON[b.month]}",
                f"{a.month}月{a.day}日到{b.month}月{b.day}日",
                a,
                b + DAY,
            ),
            TimePhrase(f"on {EN_MON[b.month]} {b.day}", f"{b.month}月{b.day}日", b, b + DAY),
        ]
    return out


IMPOSSIBLE_DATES = [
    ("on Feb 30 2026", "2026年2月30日"),
    ("on 2026-02-30", "2026年2月30日到2026年3月5日"),
    ("on 2026-02-29", "2026年2月29日"),
    ("on April 31 2026", "2026年4月31日"),
    ("between 2026-06-31 and 2026-07-04", "2026年6月31日"),
    ("on 31 Sep 2026", "2026年9月31日"),
]


# ---------------------------------------------------------------------------- registry


def _norm(term: str) -> str:
    return re.sub(r"\s+", " ", str(term).strip().lower())


@dataclass
class Metric:
    name: str
    dims: list[str]
    higher: bool
    en: list[str] = field(default_factory=list)
    zh: list[str] = field(default_factory=list)


@dataclass
class Registry:
    metrics: dict[str, Metric]
    dims: dict[str, dict[str, list[str]]]  # dim -> lang -> synonyms
    ambiguous: dict[str, dict[str, list[str]]]  # lang -> term -> metrics sharing it
    words: set[str]  # every English word of the vocabulary, for typo safety


_GRAIN_WORDS = re.compile(
    r"\b(?:daily|weekly|monthly|quarterly|yearly|annually|trends?|trending|over time)\b|"
    r"(?:按|每|逐|分|以)个?(?:天|日|周|星期|月|季度|季|年)|(?:日|周|月|季|年)度|趋势|走势|变化"
)


def load_registry(path: Path = REGISTRY) -> Registry:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    dims = {
        name: {
            lang: [str(t) for t in (d.get("synonyms") or {}).get(lang) or []]
            for lang in ("en", "zh")
        }
        for name, d in raw["dimensions"].items()
    }
    for d in dims.values():
        for lang, ts in d.items():
            d[lang] = [t for t in ts if not any(_slipped(_norm(t), _norm(o)) for o in ts)]
    dim_terms = {_norm(t) for d in dims.values() for ts in d.values() for t in ts}
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    terms: dict[str, dict[str, list[str]]] = {}
    for name, m in raw["metrics"].items():
        syn = m.get("synonyms") or {}
        by_lang = {lang: [str(t) for t in syn.get(lang) or []] for lang in ("en", "zh")}
        for lang in ("en", "zh"):
            label = str(m.get(f"label_{lang}") or "")
            if label and not re.search(r"[:：/()（）]", label):
                by_lang[lang].append(label if label.isupper() or lang == "zh" else label.lower())
        terms[name] = by_lang
        for lang, ts in by_lang.items():
            for t in ts:
                owners[(lang, _norm(t))].add(name)
    ambiguous: dict[str, dict[str, list[str]]] = {"en": {}, "zh": {}}
    for (lang, term), names in owners.items():
        if len(names) > 1 and not VERB_FORM.search(term):
            ambiguous[lang][term] = sorted(names)
    metrics = {}
    for name, m in raw["metrics"].items():
        if name in SKIP_METRICS:
            continue
        metric = Metric(
            name, list(m.get("dimensions") or []), m.get("direction") != "lower_is_better"
        )
        for lang in ("en", "zh"):
            seen = set()
            for t in terms[name][lang]:
                key = _norm(t)
                if key in seen or len(owners[(lang, key)]) > 1 or key in dim_terms:
                    continue
                if _GRAIN_WORDS.search(key):  # 'yearly inventory turns' reads as a grain
                    continue
                if any(_slipped(key, _norm(o)) for o in terms[name][lang]):  # 'plnat'
                    continue
                seen.add(key)
                getattr(metric, lang).append(_pad(t) if lang == "zh" else t)
        if metric.en and metric.zh:
            metrics[name] = metric
    words = {
        w
        for ts in list(dims.values()) + list(terms.values())
        for t in ts.get("en", [])
        for w in re.findall(r"[a-z]+", t.lower())
    }
    return Registry(metrics, dims, ambiguous, words)


# ---------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Value:
    dim: str
    keys: tuple[str, ...]
    en: str | None
    zh: str | None

    def __post_init__(self) -> None:
        if self.zh:
            object.__setattr__(self, "zh", _pad(self.zh))


def filter_values(rows: dict[str, list[dict]]) -> list[Value]:
    out: list[Value] = []
    plant_en = {p["key"]: p["en"] for p in rows["plant"]}
    plant_zh = {p["key"]: p["zh"] for p in rows["plant"]}
    for p in rows["plant"]:
        out += [
            Value("plant", (p["key"],), p["key"], p["key"]),
            Value("plant", (p["key"],), p["en"], p["zh"]),
            Value("plant", (p["key"],), p["en"].split()[0], p["zh"][:2]),
        ]
    for line in rows["line"]:
        out.append(Value("line", (line["key"],), line["key"], line["key"]))
        out.append(
            Value(
                "line",
                (line["key"],),
                f"{line['en']} at {plant_en[line['plant']]}",
                f"{plant_zh[line['plant']]}{line['zh']}",
            )
        )
    by_name: dict[str, list[dict]] = defaultdict(list)
    for e in rows["equipment"]:
        out.append(Value("equipment", (e["key"],), e["key"], e["key"]))
        by_name[e["en"]].append(e)
    for en, group in by_name.items():
        out.append(Value("equipment", tuple(sorted(e["key"] for e in group)), en, group[0]["zh"]))
    for p in rows["product"][::3]:
        out.append(Value("product", (p["key"],), p["key"], p["key"]))
    for dim in ("product_family", "region"):
        out += [Value(dim, (r["key"],), r["en"], r["zh"]) for r in rows[dim]]
    for dim in ("customer", "supplier"):
        for r in rows[dim]:
            ascii_name = r["en"].isascii()
            out.append(Value(dim, (r["key"],), r["key"], r["key"]))
            out.append(Value(dim, (r["key"],), r["en"] if ascii_name else None, r["zh"]))
    for w in rows["warehouse"]:
        out.append(Value("warehouse", (w["key"],), w["key"], w["key"]))
        out.append(Value("warehouse", (w["key"],), w["en"], w["zh"]))
    for d in rows["defect_code"]:
        out.append(Value("defect_code", (d["key"],), d["key"], d["key"]))
        out.append(Value("defect_code", (d["key"],), d["en"], d["zh"]))
    for s in rows["shift"]:
        out.append(Value("shift", (s["key"],), s["en"], s["zh"]))
    return out


# ---------------------------------------------------------------------------- cases


@dataclass
class Case:
    q: str
    lang: str
    metrics: list[str] | None = None
    by: list[str] = field(default_factory=list)
    where: dict[str, list[str]] = field(default_factory=dict)
    excluded: dict[str, list[str]] = field(default_factory=dict)
    start: date | None = None
    end: date | None = None
    grain: str | None = None
    compare: str | None = None
    order: str | None = None
    limit: int | None = None
    clarify: bool = False
    candidates: list[str] = field(default_factory=list)
    as_of: date = AS_OF
    kind: str = ""
    terms: list[tuple[str, str]] = field(default_factory=list)

    def entry(self) -> dict:
        item: dict = {"q": self.q}
        if self.as_of != AS_OF:
            item["as_of"] = self.as_of
        if self.clarify:
            item["clarify"] = True
            if self.candidates:
                item["candidates"] = self.candidates
            return item
        item["metrics"] = self.metrics
        for key in ("by", "where", "excluded"):
            if getattr(self, key):
                item[key] = getattr(self, key)
        item["start"], item["end"] = self.start, self.end
        for key in ("grain", "compare", "order", "limit"):
            if getattr(self, key) is not None:
                item[key] = getattr(self, key)
        return item


class Generator:
    def __init__(self, registry: Registry, rows: dict[str, list[dict]], seed: int) -> None:
        self.reg = registry
        self.rows = rows
        self.rng = random.Random(seed)
        self.values = filter_values(rows)
        self.all_keys = {dim: [r["key"] for r in rs] for dim, rs in rows.items()}
        self.used: list[tuple[str, str]] = []  # (metric | dim, term) of the case being built
        names = " | ".join(str(r.get("en", "")).lower() for rs in rows.values() for r in rs)
        self.value_words = set(re.findall(r"[a-z]+", names))
        for terms in self.reg.dims.values():  # 'assembly line' would read as a line's name
            terms["en"] = [t for t in terms["en"] if " " not in t or t.lower() not in names]

    # ------------------------------------------------------------ pickers
    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def as_of(self) -> date:
        return AS_OF if self.rng.random() < 0.7 else self.pick(OTHER_AS_OF)

    def metric(self, need: str | None = None) -> Metric:
        pool = [m for m in self.reg.metrics.values() if need is None or need in m.dims]
        return self.pick(pool)

    def term(self, metric: Metric, lang: str) -> str:
        term = self.pick(getattr(metric, lang))
        self.used.append(("metric", term))
        return term

    def by_dims(self, metric: Metric) -> list[str]:
        return [d for d in metric.dims if self.reg.dims.get(d, {}).get("en") and d in self.rows]

    def dim_term(self, dim: str, lang: str, plural: bool | None = None) -> str | None:
        terms = self.reg.dims[dim][lang]
        if lang == "en" and plural is not None:
            terms = [t for t in terms if _is_plural(t, terms) == plural]
        if not terms:
            return None
        term = self.pick(terms)
        self.used.append(("dim", term))
        return term

    def time(self, as_of: date, lang: str, long: bool | None = None) -> TimePhrase | None:
        """A time phrase in lang, or None (the default window) one time in six."""
        if long is None and self.rng.random() < 1 / 6:
            return None
        pool = [
            t for t in time_phrases(as_of) if getattr(t, lang) and (long is None or t.long == long)
        ]
        return self.pick(pool)

    def value(self, lang: str, dims: list[str], exclude: str | None = None) -> Value | None:
        pool = [v for v in self.values if v.dim in dims and v.dim != exclude and getattr(v, lang)]
        return self.pick(pool) if pool else None

    @staticmethod
    def window(case: Case, tp: TimePhrase | None) -> None:
        if tp is None:
            case.start, case.end = default_window(case.as_of, case.grain)
        else:
            case.start, case.end = tp.start, tp.end

    # ------------------------------------------------------------ answerable templates
    def simple(self, lang: str) -> Case:
        as_of, m = self.as_of(), self.metric()
        tp = self.time(as_of, lang)
        t, mt = (getattr(tp, lang) if tp else ""), self.term(m, lang)
        if lang == "en":
            q = self.pick(["{m} {t}", "what was the {m} {t}", "show me the {m} {t}", "{t} {m}"])
        else:
            q = self.pick(["{t}的{m}", "{t}{m}是多少", "请问{t}的{m}", "{m}{t}"])
        case = Case(_clean(q.format(m=mt, t=t)), lang, [m.name], as_of=as_of, kind="simple")
        self.window(case, tp)
        return case

    def by(self, lang: str) -> Case:
        as_of, m = self.as_of(), self.metric()
        dim = self.pick(self.by_dims(m))
        tp = self.time(as_of, lang)
        t, mt, dt = (getattr(tp, lang) if tp else ""), self.term(m, lang), self.dim_term(dim, lang)
        if lang == "en":
            q = self.pick(
                ["{m} by {d} {t}", "show me {m} by {d} {t}", "{t} {m} per {d}", "{m} {t} by {d}"]
            )
        else:
            q = self.pick(["{t}各{d}的{m}", "{t}按{d}的{m}", "各{d}{t}的{m}", "{t}分{d}的{m}"])
        case = Case(
            _clean(q.format(m=mt, d=dt, t=t)), lang, [m.name], [dim], as_of=as_of, kind="by"
        )
        self.window(case, tp)
        return case

    def filtered(self, lang: str, with_by: bool) -> Case | None:
        as_of, m = self.as_of(), self.metric()
        v = self.value(lang, m.dims)
        if v is None:
            return None
        dims = [d for d in self.by_dims(m) if d != v.dim]
        dim = self.pick(dims) if with_by and dims else None
        tp = self.time(as_of, lang)
        t, mt, vt = (getattr(tp, lang) if tp else ""), self.term(m, lang), getattr(v, lang)
        dt = self.dim_term(dim, lang) if dim else ""
        if lang == "en":
            forms = (
                ["{m} by {d} for {v} {t}", "{m} for {v} by {d} {t}"]
                if dim
                else [
                    "{m} for {v} {t}",
                    "what was the {m} for {v} {t}",
                    "{v} {m} {t}",
                ]
            )
        else:
            forms = (
                ["{v}{t}各{d}的{m}", "{t}{v}各{d}的{m}"]
                if dim
                else [
                    "{v}{t}的{m}",
                    "{t}{v}的{m}",
                    "请问{v}{t}的{m}是多少",
                ]
            )
        q = _clean(self.pick(forms).format(m=mt, d=dt, v=vt, t=t))
        case = Case(q, lang, [m.name], [dim] if dim else [], {v.dim: sorted(v.keys)}, as_of=as_of)
        case.kind = "filter+by" if dim else "filter"
        self.window(case, tp)
        return case

    def ranking(self, lang: str) -> Case | None:
        as_of, m = self.as_of(), self.metric()
        dim = self.pick(self.by_dims(m))
        tp = self.time(as_of, lang)
        t, mt = (getattr(tp, lang) if tp else ""), self.term(m, lang)
        style = self.pick(["top", "bottom", "highest", "lowest", "best", "worst"])
        n = self.pick([3, 5, 10]) if style in ("top", "bottom") else 1
        order = {
            "top": "desc",
            "highest": "desc",
            "bottom": "asc",
            "lowest": "asc",
            "best": "desc" if m.higher else "asc",
            "worst": "asc" if m.higher else "desc",
        }[style]
        if lang == "en":
            if n > 1:
                dt = self.dim_term(dim, "en", plural=True)
                if dt is None:
                    return None
                num = EN_NUMBERS[n] if n in EN_NUMBERS and self.rng.random() < 0.3 else str(n)
                q = f"{style} {num} {dt} by {mt} {t}"
            else:
                dt = self.dim_term(dim, "en", plural=False)
                if dt is None:
                    return None
                q = f"which {dt} had the {style} {mt} {t}"
        else:
            dt = self.dim_term(dim, "zh")
            word = {
                "top": "最高",
                "highest": "最高",
                "bottom": "最低",
                "lowest": "最低",
                "best": "最好",
                "worst": "最差",
            }[style]
            mw = ZH_MEASURE.get(dim, "个")
            q = f"{t}{mt}{word}的前{n}{mw}{dt}" if n > 1 else f"{t}哪{mw}{dt}的{mt}{word}"
        case = Case(_clean(q), lang, [m.name], [dim], as_of=as_of, order=order, limit=n)
        case.kind = "ranking"
        self.window(case, tp)
        return case

    def grain(self, lang: str) -> Case:
        as_of, m = self.as_of(), self.metric()
        grain = self.pick(["day", "week", "month", "trend"])
        tp = None
        if grain in ("week", "month"):
            tp = self.time(as_of, lang, long=True) if self.rng.random() < 0.7 else None
        elif self.rng.random() < 0.7:  # a day grain (or a trend) over a few weeks at most
            short = [
                p
                for p in time_phrases(as_of)
                if getattr(p, lang) and 7 * DAY <= p.end - p.start <= 31 * DAY
            ]
            tp = self.pick(short)
        t, mt = (getattr(tp, lang) if tp else ""), self.term(m, lang)
        if lang == "en":
            q = {
                "day": self.pick(["daily {m} {t}", "{m} by day {t}", "{m} per day {t}"]),
                "week": self.pick(["weekly {m} {t}", "{m} by week {t}"]),
                "month": self.pick(["monthly {m} {t}", "{m} by month {t}"]),
                "trend": self.pick(["{m} trend {t}", "{m} over time {t}"]),
            }[grain]
        else:
            q = {
                "day": self.pick(["{t}每天的{m}", "{t}按天的{m}"]),
                "week": self.pick(["{t}按周的{m}", "{t}每周的{m}"]),
                "month": self.pick(["{t}按月的{m}", "{t}每月的{m}"]),
                "trend": self.pick(["{t}{m}趋势", "{t}{m}走势"]),
            }[grain]
        g = "day" if grain == "trend" else grain
        case = Case(_clean(q.format(m=mt, t=t)), lang, [m.name], as_of=as_of, grain=g, kind="grain")
        self.window(case, tp)
        return case

    def compare(self, lang: str) -> Case:
        as_of, m = self.as_of(), self.metric()
        tp = self.pick(
            [p for p in time_phrases(as_of) if getattr(p, lang) and p.en != "today"][:13]
        )
        kind = self.pick(["previous_period", "same_period_last_year"])
        t, mt = getattr(tp, lang), self.term(m, lang)
        if lang == "en":
            tail = (
                "compared to the previous period"
                if kind == "previous_period"
                else self.pick(["year over year", "vs same period last year"])
            )
            q = f"{mt} {t} {tail}"
        else:
            q = f"{t}{mt}{'环比' if kind == 'previous_period' else '同比'}"
        case = Case(_clean(q), lang, [m.name], as_of=as_of, compare=kind, kind="compare")
        self.window(case, tp)
        return case

    def versus(self, lang: str) -> Case | None:
        as_of = self.as_of()
        dim = self.pick(["plant", "region", "product_family"])
        m = self.metric(dim)
        pool = [v for v in self.values if v.dim == dim and len(v.keys) == 1 and getattr(v, lang)]
        a, b = self.rng.sample(pool, 2)
        if a.keys == b.keys:
            return None
        tp = self.time(as_of, lang)
        t, mt = (getattr(tp, lang) if tp else ""), self.term(m, lang)
        va, vb = getattr(a, lang), getattr(b, lang)
        if lang == "en":
            q = self.pick(["compare {a} and {b} {m} {t}", "{a} vs {b} {m} {t}"])
        else:
            q = self.pick(["对比{a}和{b}{t}的{m}", "{a}与{b}{t}的{m}对比"])
        case = Case(
            _clean(q.format(a=va, b=vb, m=mt, t=t)),
            lang,
            [m.name],
            [dim],
            {dim: sorted(a.keys + b.keys)},
            as_of=as_of,
            kind="versus",
        )
        self.window(case, tp)
        return case

    def exclusion(self, lang: str) -> Case:
        as_of = self.as_of()
        dim = self.pick(["plant", "region"])
        m = self.metric(dim)
        v = self.pick([v for v in self.values if v.dim == dim and getattr(v, lang)])
        tp = self.time(as_of, lang)
        t, mt, vt = (getattr(tp, lang) if tp else ""), self.term(m, lang), getattr(v, lang)
        if lang == "en":
            dt = self.dim_term(dim, "en", plural=False)
            q = self.pick(["{m} by {d} excluding {v} {t}", "{m} by {d} except {v} {t}"])
        else:
            dt = self.dim_term(dim, "zh")
            q = self.pick(["除{v}之外各{d}{t}的{m}", "{t}除了{v}以外各{d}的{m}"])
        rest = sorted(k for k in self.all_keys[dim] if k not in v.keys)
        case = Case(
            _clean(q.format(m=mt, d=dt, v=vt, t=t)),
            lang,
            [m.name],
            [dim],
            {dim: rest},
            {dim: sorted(v.keys)},
            as_of=as_of,
            kind="exclusion",
        )
        self.window(case, tp)
        return case

    # ------------------------------------------------------------ variants
    def typo(self, case: Case) -> Case | None:
        words = [  # words of its metric term, or a one-word dimension term; no value names
            w
            for kind, term in case.terms
            for w in re.findall(r"[A-Za-z]+", term)
            if len(w) >= 6
            and (kind == "metric" or " " not in term)
            and w.lower() not in _TEMPLATE_WORDS
            and w.lower() not in self.value_words
            and re.search(rf"(?<![A-Za-z]){w}(?![A-Za-z])", case.q)
        ]
        if not words:
            return None
        word = self.pick(words)
        for _ in range(10):
            slip = _slip(word, self.rng)
            if slip and self._typo_safe(slip.lower(), word.lower()):
                q = re.sub(rf"(?<![A-Za-z]){word}(?![A-Za-z])", slip, case.q, count=1)
                return _variant(case, q, "typo")
        return None

    def _typo_safe(self, slip: str, word: str) -> bool:
        if slip in self.reg.words or slip in _TEMPLATE_WORDS:
            return False
        near = [w for w in self.reg.words | _TEMPLATE_WORDS if _damerau1(slip, w)]
        return near == [word]

    @staticmethod
    def fullwidth(case: Case, rng: random.Random) -> Case:
        if case.lang == "zh" or rng.random() < 0.5:
            q = "".join(_wide(c) if c.isascii() and c.isalnum() else c for c in case.q)
        else:  # only the first acronym or number
            q = re.sub(
                r"\b(?:[A-Z]{2,}|\d+)\b",
                lambda mt: "".join(map(_wide, mt.group())),
                case.q,
                count=1,
            )
        return _variant(case, q, "fullwidth")

    # ------------------------------------------------------------ must ask back
    def unanswerable(self, lang: str) -> Case:
        as_of = self.as_of()
        kind = self.pick(
            [
                "scope",
                "scope",
                "small_talk",
                "nonsense",
                "date",
                "ambiguous",
                "no_dim",
                "unknown_plant",
                "no_metric",
            ]
        )
        tp = self.time(as_of, lang)
        t = getattr(tp, lang) if tp else ""
        case = Case("", lang, clarify=True, as_of=as_of, kind=f"ask:{kind}")
        if kind == "scope":
            if lang == "en":
                thing = self.pick(OUT_OF_SCOPE_EN)
                dim = self.dim_term(self.pick(["plant", "line", "region"]), "en", plural=False)
                q = self.pick(["{x} {t}", "{x} by {d} {t}", "what was the {x} {t}"])
            else:
                thing = self.pick(OUT_OF_SCOPE_ZH)
                dim = self.dim_term(self.pick(["plant", "line", "region"]), "zh")
                q = self.pick(["{t}的{x}", "{t}各{d}的{x}", "{x}是多少"])
            case.q = q.format(x=thing, d=dim, t=t)
        elif kind == "small_talk":
            case.q = self.pick(SMALL_TALK_EN if lang == "en" else SMALL_TALK_ZH)
        elif kind == "nonsense":
            if lang == "en":
                case.q = " ".join(_gibberish(self.rng) for _ in range(self.rng.randint(1, 4)))
            else:
                case.q = self.pick(NONSENSE_ZH)
        elif kind == "date":
            m = self.metric()
            en, zh = self.pick(IMPOSSIBLE_DATES)
            case.q = f"{self.term(m, 'en')} {en}" if lang == "en" else f"{zh}的{self.term(m, 'zh')}"
            case.as_of = AS_OF
        elif kind == "ambiguous":
            terms = self.reg.ambiguous[lang]
            if not terms:
                return self.unanswerable(lang)
            term = self.pick(sorted(terms))
            case.candidates = terms[term]
            shared = [
                d
                for d in ("line", "plant", "shift")
                if all(
                    d in self.reg.metrics.get(n, Metric(n, [], True)).dims or n in SKIP_METRICS
                    for n in terms[term]
                )
            ]
            dim = self.pick(shared) if shared else None
            if lang == "en":
                d = f" by {self.dim_term(dim, 'en', plural=False)}" if dim else ""
                case.q = f"{term}{d} {t}"
            else:
                d = f"各{self.dim_term(dim, 'zh')}的" if dim else "的"
                case.q = f"{t}{d}{term}"
        elif kind == "no_dim":
            m = self.metric()
            missing = [d for d in self.reg.dims if d not in m.dims and self.reg.dims[d][lang]]
            dim = self.pick(missing)
            dt = self.dim_term(dim, lang)
            case.q = (
                f"{self.term(m, 'en')} by {dt} {t}"
                if lang == "en"
                else f"{t}各{dt}的{self.term(m, 'zh')}"
            )
        elif kind == "unknown_plant":
            m = self.metric("plant")
            city = self.pick(UNKNOWN_PLANTS)
            case.candidates = list(self.all_keys["plant"])
            case.q = (
                f"{city[0]} plant {self.term(m, 'en')} {t}"
                if lang == "en"
                else f"{city[1]}工厂{t}的{self.term(m, 'zh')}"
            )
        else:  # a value and a time but no metric
            v = self.value(lang, ["line", "plant", "equipment"])
            case.q = f"{getattr(v, lang)} {t}" if lang == "en" else f"{getattr(v, lang)}{t}"
        case.q = _clean(case.q)
        return case

    # ------------------------------------------------------------ the set
    def build(self, cap: int) -> list[Case]:
        plan = [  # (template, share of the answerable base)
            (self.simple, 0.14),
            (self.by, 0.15),
            (lambda lang: self.filtered(lang, False), 0.15),
            (lambda lang: self.filtered(lang, True), 0.12),
            (self.ranking, 0.14),
            (self.grain, 0.10),
            (self.compare, 0.08),
            (self.versus, 0.06),
            (self.exclusion, 0.06),
        ]
        n_ask = int(cap * 0.12)
        n_variants = int(cap * 0.16)
        n_base = cap - n_ask - n_variants
        seen: set[str] = set()
        base: list[Case] = []

        def add(case: Case | None, into: list[Case]) -> bool:
            if case is None or not case.q.strip() or case.q.lower() in seen:
                self.used = []
                return False
            if not case.terms:
                case.terms, self.used = self.used, []
            seen.add(case.q.lower())
            into.append(case)
            return True

        for template, share in plan:
            want, tries, got = round(n_base * share), 0, 0
            while got < want and tries < want * 20:
                tries += 1
                got += add(template("en" if tries % 2 else "zh"), base)
        asks: list[Case] = []
        tries = 0
        while len(asks) < n_ask and tries < n_ask * 20:
            tries += 1
            add(self.unanswerable("en" if tries % 2 else "zh"), asks)
        variants: list[Case] = []
        tries = 0
        english = [c for c in base if c.lang == "en"]
        while len(variants) < n_variants and tries < n_variants * 20:
            tries += 1
            if tries % 3:
                add(self.typo(self.pick(english)), variants)
            else:
                add(self.fullwidth(self.pick(base), self.rng), variants)
        return base + variants + asks


OUT_OF_SCOPE_EN = [
    "employee turnover",
    "headcount",
    "revenue",
    "profit margin",
    "gross margin",
    "net profit",
    "customer satisfaction",
    "market share",
    "overtime hours",
    "absenteeism",
    "sales revenue",
    "employee engagement",
]
OUT_OF_SCOPE_ZH = [
    "销售额利润率",
    "员工流失率",
    "员工人数",
    "净利润",
    "毛利率",
    "客户满意度",
    "市场份额",
    "加班时长",
    "营业收入",
    "销售额",
]
SMALL_TALK_EN = [
    "how is the weather",
    "what's the weather in Suzhou tomorrow",
    "will it rain today",
    "tell me a joke",
    "hello",
    "hi there",
    "thanks",
    "who are you",
    "what time is it",
    "good morning",
]
SMALL_TALK_ZH = [
    "今天天气怎么样",
    "明天会下雨吗",
    "苏州明天的天气",
    "讲个笑话",
    "你好",
    "谢谢",
    "你是谁",
    "现在几点了",
    "早上好",
    "随便聊聊",
]
NONSENSE_ZH = ["啊啊啊啊", "哈哈哈", "嗯嗯", "咕噜咕噜", "呃呃呃", "么么哒", "啦啦啦啦啦"]
UNKNOWN_PLANTS = [("Berlin", "柏林"), ("Munich", "慕尼黑"), ("Chengdu", "成都"), ("Wuhan", "武汉")]
_TEMPLATE_WORDS = {
    "what", "was", "show", "the", "for", "which", "had", "highest", "lowest", "best", "worst",
    "top", "bottom", "daily", "weekly", "monthly", "trend", "over", "time", "compared",
    "previous", "period", "year", "same", "last", "compare", "excluding", "except", "this",
    "month", "week", "today", "yesterday", "quarter", "days", "weeks", "months", "between",
    "from", "since", "before",
}  # fmt: skip


# ---------------------------------------------------------------------------- text helpers


def _pad(text: str) -> str:
    """Chinese text slots: a space where ASCII meets ASCII ('贴片线1 9月21日', 'SZ 上周')."""
    edge = str.isascii
    head = " " if text[:1].isalnum() and edge(text[:1]) else ""
    tail = " " if text[-1:].isalnum() and edge(text[-1:]) else ""
    return f"{head}{text}{tail}"


def _slipped(term: str, other: str) -> bool:
    """A registry term that is a same-length slip of another of the same entry ('plnat')."""
    return term != other and len(term) == len(other) and _damerau1(term, other)


def _clean(text: str) -> str:
    """Collapse spaces; a Chinese template whose time slot stayed empty loses its 的."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"^的|(?<=请问)\s*的", "", text).strip()


def _wide(char: str) -> str:
    return chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char


def _variant(case: Case, q: str, kind: str) -> Case:
    copy = Case(**{**case.__dict__, "q": q, "kind": f"{case.kind}+{kind}"})
    return copy


def _is_plural(term: str, terms: list[str]) -> bool:
    last = term.split()[-1]
    stems = {t.split()[-1] for t in terms if t != term}
    return last.endswith("s") and (
        last[:-1] in stems or last[:-2] in stems or f"{last[:-3]}y" in stems
    )


_NEIGHBOURS = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
    "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
    "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc",
    "y": "tu", "z": "x",
}  # fmt: skip


def _slip(word: str, rng: random.Random) -> str | None:
    """One slip inside the word (first letter kept): swap, drop, double or a neighbour key."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double", "key"])
    if kind == "swap":
        if word[i] == word[i + 1]:
            return None
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    options = _NEIGHBOURS.get(word[i].lower(), "")
    return word[:i] + rng.choice(options) + word[i + 1 :] if options else None


def _damerau1(a: str, b: str) -> bool:
    """Edit distance (with adjacent swaps) of at most one."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _gibberish(rng: random.Random) -> str:
    consonants, vowels = "bcdfghjklmnpqrstvwxz", "aeiou"
    return "".join(
        rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 3))
    ) + rng.choice(consonants)


# ---------------------------------------------------------------------------- output

HEADER = """\
# GENERATED by `python -m tests.nlq.generate` (seed {seed}) from metrics/registry.yaml and
# tests/nlq/dims.py: do not edit by hand, re-run the generator. Same format as golden.yaml
# (end exclusive; omitted keys empty or null; `clarify: true` must ask back, offering the
# candidates listed). Expected interpretations come from the generator's templates and date
# arithmetic, not from the parser. {n} questions:
# {summary}.
"""


def render(cases: list[Case], seed: int) -> str:
    counts: dict[str, int] = defaultdict(int)
    for case in cases:
        counts[case.kind.split("+")[0] if not case.kind.startswith("ask") else "ask back"] += 1
        if "+" in case.kind:
            counts[case.kind.split("+")[1]] += 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    lines = [
        HEADER.format(seed=seed, n=len(cases), summary=_wrap(summary)),
        f"as_of: {AS_OF}",
        "questions:",
    ]
    for case in cases:
        flow = yaml.dump(
            case.entry(),
            Dumper=_Dumper,
            allow_unicode=True,
            default_flow_style=True,
            width=10_000,
            sort_keys=False,
        )
        lines.append(f"  - {flow.strip()}")
    return "\n".join(lines) + "\n"


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:
        return True


def _wrap(text: str) -> str:
    out, line = [], ""
    for word in text.split(" "):
        if len(line) + len(word) > 86:
            out.append(line.rstrip())
            line = ""
        line += word + " "
    out.append(line.rstrip())
    return "\n# ".join(out)


def generate(seed: int = SEED, cap: int = CAP) -> list[Case]:
    return Generator(load_registry(), sample_rows(), seed).build(cap)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--cap", type=int, default=CAP, help="Number of questions (1,000-1,500).")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    cases = generate(args.seed, args.cap)
    args.out.write_text(render(cases, args.seed), encoding="utf-8")
    print(f"wrote {len(cases)} questions to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
