"""From a question to an Interpretation (what metrics.query will be asked) or a Clarification.

Order of work: time phrases and comparisons (timephrases), top/bottom N, then the tokens
(lexer) are read for metrics, dimensions, values, exclusions and ranking words. Anything
unclear - no metric, a word naming two metrics, an unknown plant, a dimension a metric
cannot be split by - becomes a clarifying question with candidates, and nothing runs.

Rules that generalise beyond single sentences:
- Implied metric: with no metric named, a dimension that has one natural measure supplies
  it (defect types -> defect quantity; supplier + delivery/reliable/准时 -> supplier on-time;
  equipment or line + reliable/可靠 -> MTBF). Anything else still asks which metric.
- A value followed by another dimension's noun ('east china customers', '北美客户') filters
  on the value; only a child noun of the value's dimension ('SZ lines') also groups by it.
- Ranking words without best/worst ('rank', '排名', 'sorted') list the largest value first
  (for a loss or defect metric that is the biggest problem first, a Pareto); 'ascending' /
  '从低到高' reverse it; 'lowest first' / '从长到短' say the order outright. best/worst
  follow the metric's direction.
- A loss named ('changeover losses', '换型时间损失') is that loss; 'losses' alone is all
  of them. A delivery metric said of suppliers is the suppliers' on-time delivery.
- Two values of one dimension group by it only when compared ('compare SZ and DG') or
  when nothing else groups ('rework by line for MC-300 and MC-400' only filters).
- 各 / 每 before a dimension, or before a metric named by its dimension ('各供应商准时交货
  率'), groups by that dimension, even after a value ('苏州各线').
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from metrics.nlq import clarify
from metrics.nlq.lexer import BARRIER, Token, correct_cjk, fuzzy, scan
from metrics.nlq.normalize import CN_NUMBER, EN_NUMBER, has_cjk, keep_dates, normalize, to_int
from metrics.nlq.parser_types import Clarification, Interpretation
from metrics.nlq.timephrases import TimeFacts, TimeWindow, extract
from metrics.nlq.vocabulary import PARENTS, Vocabulary
from metrics.periods import step, unit_start

DEFAULT_DAYS = 30
DEFAULT_SPAN = {
    "day": (30, "day"),
    "week": (12, "week"),
    "month": (12, "month"),
    "quarter": (4, "quarter"),
    "year": (3, "year"),
}
_TOP_RE = re.compile(
    rf"(?<![a-z0-9])(?P<w>top|best|highest|bottom|worst|lowest|first|largest|biggest|limit)"
    rf" (?P<n>{EN_NUMBER})(?![a-z0-9])|(?<![a-z0-9])(?P<n2>{EN_NUMBER}) "
    r"(?P<w2>best|worst|highest|lowest|largest|biggest|smallest)(?![a-z0-9])|"
    rf"(?P<w3>排名前|前|后|倒数|最好的|最差的|最高的|最低的|最多的|最少的|最长的|最短的|最大的|"
    rf"最小的)(?P<n3>{CN_NUMBER})(?:名|个|条|家|台|位|款|种|大|项)?"
)
# '5 customers with the longest lead time': the count is said before the noun
_COUNT_FIRST_RE = re.compile(
    rf"(?<![a-z0-9-])(?P<n>{EN_NUMBER}) (?=(?:[a-z]+ ){{1,2}}(?:with|by|having|that have) "
    r"(?:the )?(?P<w>highest|lowest|longest|shortest|most|least|best|worst|largest|biggest|"
    r"smallest|fewest)\b)"
)
_TOP_DIRECTION = {
    "top": "high",
    "best": "best",
    "highest": "high",
    "bottom": "low",
    "worst": "worst",
    "lowest": "low",
    "first": "high",
    "limit": "high",
    "largest": "high",
    "biggest": "high",
    "smallest": "low",
    "排名前": "high",
    "前": "high",
    "后": "low",
    "倒数": "low",
    "最好的": "best",
    "最差的": "worst",
    "最高的": "high",
    "最低的": "low",
    "最多的": "high",
    "最少的": "low",
    "最长的": "high",
    "最短的": "low",
    "最大的": "high",
    "最小的": "low",
}
_SUPERLATIVE = {
    "最高": "high",
    "最大": "high",
    "最多": "high",
    "最长": "high",
    "最低": "low",
    "最小": "low",
    "最少": "low",
    "最短": "low",
    "最好": "best",
    "最差": "worst",
}
_SUPERLATIVE_BEFORE = re.compile(f"({'|'.join(_SUPERLATIVE)})的?\\s*$")
_RATE_CUES = re.compile(r"rate|ratio|percent|%|share|proportion|率|比例|百分比|占比")
_VERB = re.compile(r"[a-z](?:ed|ing)$")
# Metrics implied by a dimension when none is named: (dimensions, cue words or None, metric).
_DELIVERY_CUE = (
    r"deliver\w*|punctual\w*|late|lateness|reliab\w*|unreliab\w*|dependab\w*|"
    r"receiv\w*|receipts?|准时|交货|交付|到货|送货|收货|来料|到料|可靠|延误|延迟"
)
_RELIABLE_CUE = r"reliab\w*|unreliab\w*|dependab\w*|可靠|稳定"
_IMPLIED = (
    (("defect_code",), None, "defect_qty"),
    (("supplier",), re.compile(_DELIVERY_CUE), "supplier_on_time"),
    (("equipment", "line"), re.compile(_RELIABLE_CUE), "mtbf_hours"),
)
# A metric named with a dimension it lacks, that a sibling metric has: the sibling is meant
# ('宁波线缆的交货准时率': a supplier's on-time delivery).
_FOR_DIMENSION = {("on_time_delivery", "supplier"): "supplier_on_time"}
_QTY_CUES = re.compile(
    r"how many|how much|quantity|qty|count|units|pieces|pcs|数量|件数|多少件|"
    r"多少个|个数|数目|了多少"
)


# A KPI compared with a number ('OEE below 60%', '低于85%', '> 3 breakdowns'): the box does
# not filter on values, so it asks instead of answering the unfiltered question.
_THRESHOLD = re.compile(
    r"(?:(?<![a-z])(?:below|under|less than|lower than|above|over|more than|greater than|"
    r"higher than|at least|at most|exceeds?|exceeding|fewer than|no more than)|[<>≤≥]=?|"
    r"低于|高于|超过|大于|小于|不到|少于|多于|不足|不低于|不高于|达不到)\s*"
    r"(?>[0-9]+(?:\.[0-9]+)?)(?![0-9.])\s*"
    r"(?:%|percent|pct|(?P<unit>次|小时|hours?|units?|pieces?|breakdowns?|defects?)(?![a-z])|"
    r"(?!\s*(?:[a-z]+s\b|days?|weeks?|months?|years?|天|周|个月|月|年|台|条|家|个)))|"
    r"(?>[0-9]+(?:\.[0-9]+)?)(?![0-9.])\s*%?\s*(?:以上|以下|以内)"
)
# Words of units and time left over beside a metric: not words the box failed to read.
_UNIT_WORDS = frozenset(["hours", "hour", "time", "minutes", "kwh"])
# Short forms written out before the vocabulary reads the question ('units per hr').
_SHORT_FORMS = {"hr": "hour", "hrs": "hours", "pcs": "pieces", "thru": "through"}
_WRITTEN_OUT = re.compile(rf"(?<![a-z0-9])(?:{'|'.join(_SHORT_FORMS)})(?![a-z0-9])")


@dataclass
class _State:
    metrics: list[str] = field(default_factory=list)
    ambiguous: list[tuple[tuple[str, ...], str]] = field(default_factory=list)  # names, word
    by: list[str] = field(default_factory=list)
    plural: set[str] = field(default_factory=set)
    values: dict[str, list[str]] = field(default_factory=dict)
    excluded: dict[str, list[str]] = field(default_factory=dict)
    direction: str | None = None
    limit: int | None = None
    which: bool = False
    which_many: bool = False
    rank_only: bool = False
    unknown: list[str] = field(default_factory=list)
    unknown_entity: list[str] = field(default_factory=list)
    unknown_values: list[tuple[str, str]] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    negated: bool = False
    fuzzy: int = 0
    near_metrics: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    every: list[str] = field(default_factory=list)  # a group named at once ('losses')
    leading: list[str] = field(default_factory=list)  # dimensions metric names start with
    asked_which: bool = False  # 'which' / '哪' anywhere
    verbs: list[str] = field(default_factory=list)  # metrics named by a verb only ('make')
    versus: bool = False  # 'compare', 'vs', '对比'


def parse(
    question: str, vocab: Vocabulary, as_of: date, lang: str
) -> Interpretation | Clarification:
    """Read one question against the vocabulary and an as-of date."""
    facts, rest = extract(keep_dates(question), as_of)
    threshold = _THRESHOLD.search(rest)
    if threshold is not None:  # read the rest without the condition (its unit may be a metric)
        cut = threshold.start("unit") if threshold["unit"] else threshold.end()
        rest = rest[: threshold.start()] + " " + rest[cut:]
    rest = re.sub(r"<>|!=|\bnot in\b", " except ", rest)  # SQL-minded askers
    rest = normalize(rest.replace(";", f" {BARRIER} "))
    rest = _WRITTEN_OUT.sub(lambda m: _SHORT_FORMS[m[0]], rest)
    state = _State()
    rest = _top_n(rest, state)
    rest, state.fuzzy = correct_cjk(rest, vocab)
    tokens = fuzzy(scan(rest, vocab), vocab)
    _read(tokens, vocab, state)
    result = _resolve(state, facts, vocab, as_of, lang, question)
    if threshold is not None and isinstance(result, Interpretation):
        return clarify.threshold(vocab, result.metrics[0], threshold[0].strip(), lang)
    return result


def _top_n(text: str, state: _State) -> str:
    match = _TOP_RE.search(text)
    if not match:
        first = _COUNT_FIRST_RE.search(text)
        count = to_int(first["n"]) if first else None
        if first and count and 0 < count <= 1000:
            state.limit = count  # the superlative after it gives the direction
            return text[: first.start()] + text[first.end() :]
        return text
    word = match["w"] or match["w2"] or match["w3"]
    count = to_int(match["n"] or match["n2"] or match["n3"])
    if count and 0 < count <= 1000:
        state.direction, state.limit = _TOP_DIRECTION[word], count
        before = _SUPERLATIVE_BEFORE.search(text[: match.start()])
        if word in ("前", "排名前") and before:  # '最低的前3': the lowest three
            state.direction = _SUPERLATIVE[before[1]]
        return text[: match.start()] + f" {BARRIER} " + text[match.end() :]
    return text


def _read(tokens: list[Token], vocab: Vocabulary, state: _State) -> None:
    excluding = False
    for i, token in enumerate(tokens):
        prev = _neighbour(tokens, i, -1)
        nxt = _neighbour(tokens, i, 1)
        if token.kind == "marker":
            kind = token.marker
            if kind == "exclude":
                excluding = True
            elif kind == "close":
                excluding = False
            elif kind in ("which", "which_many"):
                state.asked_which = state.asked_which or kind == "which"
                if nxt is not None and _is_dim(nxt):
                    state.which = state.which or kind == "which"
                    state.which_many = state.which_many or kind == "which_many"
            elif kind in ("high", "low", "best", "worst"):
                state.direction = state.direction or kind
            elif kind in ("rank", "rank_low"):
                state.direction = state.direction or ("low" if kind == "rank_low" else "high")
                state.rank_only = True
            elif kind == "versus":
                state.versus = True
            elif kind in ("first_low", "first_high", "first_best", "first_worst"):
                state.direction = kind.removeprefix("first_").replace("_", "")
                state.rank_only = state.rank_only or state.limit is None
            continue
        if token.kind == "barrier":
            excluding = False
            continue
        if token.kind in ("stop", "number"):
            continue
        if token.kind == "unknown":
            excluding = False
            if token.text in _UNIT_WORDS:  # 'breakdown hours', 'changeover time' said loosely
                continue
            if _is_cue(token.text):
                state.cues.append(token.text)
                _cue_direction(token.text, state)
            elif token.near:
                _near(token, state)
            elif (_is_dim(prev) or _is_dim(nxt)) and not _VERB.search(token.text):
                dim = (prev if _is_dim(prev) else nxt).terms[0].dim  # type: ignore[union-attr]
                state.unknown_values.append((dim, token.text))
            elif _entity_like(token.text):
                state.unknown_entity.append(token.text)
            elif len(token.text) > 1:
                state.unknown.append(token.text)
            continue
        state.fuzzy += token.fuzzy
        for term in token.terms[:1] if len(token.terms) == 1 else _prefer(token.terms):
            if term.kind == "metric":
                excluding = False
                if term.every:
                    state.every.extend(n for n in term.names if n not in state.every)
                elif len(term.names) == 1:
                    state.metrics.extend(n for n in term.names if n not in state.metrics)
                dim = _leading_dimension(token.text, vocab)  # '供应商|准时交货率'
                if dim and dim not in state.leading:
                    state.leading.append(dim)
                grouped = i > 0 and tokens[i - 1].kind == "stop" and tokens[i - 1].text in _GROUPING
                if dim and grouped and dim not in state.by:  # '各|供应商准时交货率'
                    state.by.append(dim)
                if token.text in _VERB_WORDS:
                    state.verbs.extend(term.names)
                else:
                    state.ambiguous.append((term.names, token.text))
            elif term.kind == "dimension":
                excluding = False
                plural = token.text.endswith("s") and not term.dim.endswith("s")
                before = _value_before(tokens, i)
                raw_prev = tokens[i - 1] if i > 0 else None
                raw_next = tokens[i + 1] if i + 1 < len(tokens) else None
                grouping = (
                    token.text[:1] in ("各", "每")
                    or (
                        raw_prev is not None
                        and raw_prev.kind == "stop"
                        and raw_prev.text in _GROUPING
                    )
                    or (raw_next is not None and raw_next.kind == "stop" and raw_next.text in _EACH)
                )
                if _absorbed(term.dim, prev, nxt, raw_prev) or (
                    before is not None
                    and not grouping
                    and (not plural or before not in PARENTS.get(term.dim, {}))
                ):
                    continue
                if term.dim not in state.by:
                    state.by.append(term.dim)
                if plural:
                    state.plural.add(term.dim)
            elif term.kind == "value":
                target = state.excluded if excluding else state.values
                target.setdefault(term.dim, []).append("|".join(term.names))
                raw_prev = tokens[i - 1] if i > 0 else None
                if (  # 'by packing line': every packing line, one row each
                    len(term.names) > 1
                    and _names_its_dimension(token.text, term.dim, vocab)
                    and not excluding
                    and raw_prev is not None
                    and raw_prev.kind == "stop"
                    and raw_prev.text in _GROUPING
                    and term.dim not in state.by
                ):
                    state.by.append(term.dim)


def _names_its_dimension(text: str, dim: str, vocab: Vocabulary) -> bool:
    """'packing line' ends with a word for lines ('by Asian customers' is who, not how)."""
    last = text.rsplit(" ", 1)[-1]
    return any(t.kind == "dimension" and t.dim == dim for t in vocab.phrases.get(last, ()))


def _leading_dimension(text: str, vocab: Vocabulary) -> str | None:
    """The dimension a Chinese metric name starts with ('供应商准时交货率': supplier)."""
    if not has_cjk(text):
        return None
    for size in range(len(text) - 1, 1, -1):
        dims = [t.dim for t in vocab.phrases.get(text[:size], ()) if t.kind == "dimension"]
        if dims:
            return dims[0]
    return None


def _near(token: Token, state: _State) -> None:
    """A word only near vocabulary phrases (lexer's fuzzy rule): never read as one of them.
    Near metrics are asked about by name, a near value among its dimension's close values;
    a word only near a dimension is a word not understood."""
    metrics = tuple(dict.fromkeys(n for t in token.near if t.kind == "metric" for n in t.names))
    value = next((t for t in token.near if t.kind == "value"), None)
    if metrics:
        state.near_metrics.append((token.text, metrics))
    elif value is not None:
        state.unknown_values.append((value.dim, token.text))
    else:
        state.unknown_entity.append(token.text)


def _is_cue(word: str) -> bool:
    """A word that may imply a metric ('reliable', '准时'): Latin words whole, Chinese runs
    made only of cue words."""
    if has_cjk(word):
        cue = f"{_DELIVERY_CUE}|{_RELIABLE_CUE}"
        return (
            re.fullmatch(f"(?:{cue}|最|不|的)+", word) is not None
            and re.search(cue, word) is not None
        )
    return re.fullmatch(f"{_DELIVERY_CUE}|{_RELIABLE_CUE}", word) is not None


_NEGATIVE_CUE = re.compile(r"^(?:unreliab\w*|late|lateness)$|不可靠|不准时|不稳定|延误|延迟")


def _cue_direction(word: str, state: _State) -> None:
    """'最准时' is best, '最不可靠' worst; 'most unreliable' / 'late' turn most into worst."""
    negative = _NEGATIVE_CUE.search(word) is not None
    if has_cjk(word) and "最" in word:
        state.direction = state.direction or ("worst" if negative else "best")
    elif negative:
        state.negated = True


def _implied_metric(state: _State) -> str | None:
    """The one metric a dimension implies (see the module docstring), or None."""
    dims = set(state.by) | set(state.values) | set(state.excluded)
    cues = " ".join(state.cues)
    found = [
        metric
        for wanted, cue, metric in _IMPLIED
        if dims & set(wanted) and (cue is None or cue.search(cues))
    ]
    return found[0] if len(found) == 1 else None


def _entity_like(word: str) -> bool:
    """A word we do not know that looks like a name or code: guessing around it would be
    answering a different question (a machine type, a part number)."""
    if has_cjk(word):
        return len(word) >= 3
    return any(ch.isdigit() for ch in word) and any(ch.isalpha() for ch in word)


def _prefer(terms: tuple) -> tuple:
    """A phrase that is both a metric and something else reads as the metric."""
    metric = [t for t in terms if t.kind == "metric"]
    return tuple(metric[:1]) if metric else terms[:1]


def _neighbour(tokens: list[Token], i: int, step_: int) -> Token | None:
    j = i + step_
    while 0 <= j < len(tokens):
        token = tokens[j]
        if token.kind == "stop" and token.text in ("的", "the", "of", "at", "in", "for", "="):
            j += step_
            continue
        return token
    return None


def _is_dim(token: Token | None) -> bool:
    return (
        token is not None
        and token.kind == "term"
        and any(t.kind == "dimension" for t in token.terms)
    )


def _value_before(tokens: list[Token], i: int) -> str | None:
    """'北美客户', 'DG line': a value right before a dimension word says which ones; the
    value's dimension, or None."""
    if i == 0:
        return None
    prev, token = tokens[i - 1], tokens[i]
    adjacent = prev.start + len(prev.text) >= token.start - 1
    if not adjacent or prev.kind != "term":
        return None
    return next((t.dim for t in prev.terms if t.kind == "value"), None)


_GROUPING = frozenset(
    ["by", "per", "each", "every", "按", "各", "每", "分", "按照", "各个", "每个"]
)
_EACH = frozenset(["各自", "分别", "分别是", "each", "respectively"])  # after the noun
# Verbs that name a quantity only when nothing else does ('good parts ... make')
_VERB_WORDS = frozenset(
    ["make", "made", "makes", "making", "produce", "produces", "build", "builds", "built"]
)


def _absorbed(dim: str, prev: Token | None, nxt: Token | None, before: Token | None = None) -> bool:
    """'SZ plant', 'plant SZ', '华东地区': the dimension word only repeats a value's kind;
    never after a grouping word ('by line for the SMT lines', '各线')."""
    if before is not None and before.kind == "stop" and before.text in _GROUPING:
        return False
    for token in (prev, nxt):
        if (
            token is not None
            and token.kind == "term"
            and any(t.kind == "value" and t.dim == dim for t in token.terms)
        ):
            return True
    return False


def _resolve(
    state: _State, facts: TimeFacts, vocab: Vocabulary, as_of: date, lang: str, question: str
) -> Interpretation | Clarification:
    if state.unknown_values:
        dim, word = state.unknown_values[0]
        return clarify.unknown_value(vocab, dim, word, lang)
    if state.near_metrics:
        word, names = state.near_metrics[0]
        return clarify.ambiguous_metric(vocab, names, lang, words=word)
    metrics = list(state.metrics)
    groups = [n for n in state.every if n not in metrics]
    if not any(n in state.every for n in metrics):  # 'changeover losses': that loss only
        metrics += groups
    for names, word in state.ambiguous:
        chosen = _disambiguate(names, vocab, question, word)
        if chosen is None:
            if any(n in metrics for n in names):
                continue
            return clarify.ambiguous_metric(vocab, names, lang)
        if chosen not in metrics:
            metrics.append(chosen)
    if len(metrics) > 1:  # 'how many good parts did it make': the verb adds nothing
        metrics = [m for m in metrics if m not in state.verbs] or metrics
    if not metrics and not state.ambiguous:
        implied = _implied_metric(state)
        if implied is not None:
            metrics.append(implied)
    if not metrics:
        state.unknown += state.cues  # cue words support a metric; alone they are unknown
    if not metrics:
        return clarify.no_metric(vocab, state.unknown, lang)
    if state.unknown_entity or len(state.unknown) >= 2:
        words = state.unknown_entity + state.unknown
        return clarify.not_understood(vocab, words, metrics, lang)
    where, excluded = _filters(state, vocab)
    by = list(state.by)
    for dim in where:
        mentioned = len(set(state.values.get(dim, []))) >= 2
        if mentioned and dim not in by and not excluded.get(dim) and (state.versus or not by):
            by.append(dim)
    registry = vocab.registry
    for name in metrics:
        for dim in registry.metrics[name].required_dimensions:
            if dim not in by:
                by.append(dim)
    used = sorted({*by, *where, *excluded})
    metrics = list(
        dict.fromkeys(
            next((_FOR_DIMENSION[m, d] for d in used if (m, d) in _FOR_DIMENSION), m)
            for m in metrics
        )
    )
    problem = clarify.check_dimensions(vocab, metrics, by, list(where), lang)
    if problem is not None:
        return problem
    grain = facts.grain or facts.rank_period
    window, defaulted = _window(facts, grain, as_of)
    if grain is None and facts.trend:
        days = (window.end - window.start).days
        grain = "day" if days <= 45 else "week" if days <= 200 else "month"
    order, limit = _order(state, facts, metrics[0], vocab)
    if order is not None and not by and grain is None and state.leading:
        by.append(state.leading[0])  # '供应商准时交货率 哪间最差': by supplier
        state.which = state.which or state.asked_which
        order, limit = _order(state, facts, metrics[0], vocab)
    if order is not None and not by and grain is None:
        return clarify.rank_what(vocab, metrics[0], lang)
    confidence = max(0.0, 1.0 - 0.1 * state.fuzzy - 0.25 * len(state.unknown))
    return Interpretation(
        metrics=tuple(metrics),
        by=tuple(by),
        where=where,
        start=window.start,
        end=window.end,
        grain=grain,
        compare=facts.compare,
        order=order,
        limit=limit,
        excluded=excluded,
        period=window.label,
        defaulted_period=defaulted,
        confidence=round(confidence, 2),
        notes=[f"ignored: {w}" for w in state.unknown],
    )


def _disambiguate(
    names: tuple[str, ...], vocab: Vocabulary, question: str, word: str
) -> str | None:
    """The one of `names` a rate word (ratio) or a count word (sum) in the question picks;
    without either, a verb ('scrapped', 'scrapping') counts what was done (the sum)."""
    text = normalize(question)
    metrics = [vocab.registry.metrics[n] for n in names]
    if _RATE_CUES.search(text):
        ratios = [m.name for m in metrics if m.kind == "ratio"]
        if len(ratios) == 1:
            return ratios[0]
    sums = [m.name for m in metrics if m.kind == "sum"]
    if len(sums) == 1 and (_QTY_CUES.search(text) or _VERB.search(word)):
        return sums[0]
    return None


def _filters(
    state: _State, vocab: Vocabulary
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Included keys per dimension (exclusions subtracted), a child refining its parent."""
    keys: dict[str, set[str]] = {}
    for dim, listed in state.values.items():
        keys[dim] = {k for item in listed for k in item.split("|")}
    _refine(keys, vocab)
    excluded: dict[str, tuple[str, ...]] = {}
    for dim, listed in state.excluded.items():
        drop = {k for item in listed for k in item.split("|")}
        base = keys.get(dim) or _children(vocab, dim, keys)
        keys[dim] = base - drop
        excluded[dim] = tuple(sorted(drop))
    _refine(keys, vocab)
    return {d: tuple(sorted(v)) for d, v in keys.items()}, excluded


def _children(vocab: Vocabulary, dim: str, keys: dict[str, set[str]]) -> set[str]:
    """All keys of `dim` inside the parents already chosen (all of them without any)."""
    values = vocab.values.get(dim, {})
    chosen = set(values)
    for parent in PARENTS.get(dim, {}):
        if parent in keys:
            chosen = {k for k in chosen if values[k].parents.get(parent) in keys[parent]}
    return chosen


def _refine(keys: dict[str, set[str]], vocab: Vocabulary) -> None:
    """'苏州工厂的贴片线1': keep the SMT Line 1 of Suzhou, and drop the implied plant filter."""
    for dim in ("equipment", "line", "warehouse", "product"):
        if dim not in keys:
            continue
        values = vocab.values.get(dim, {})
        for parent in PARENTS.get(dim, {}):
            if parent not in keys:
                continue
            inside = {
                k
                for k in keys[dim]
                if values.get(k) and values[k].parents.get(parent) in keys[parent]
            }
            if inside:
                keys[dim] = inside
                del keys[parent]


def _window(facts: TimeFacts, grain: str | None, as_of: date) -> tuple[TimeWindow, bool]:
    if facts.window is not None:
        return facts.window, False
    after = as_of + timedelta(days=1)
    if facts.now and grain is None and not facts.trend and not facts.compare:
        # 'right now', '目前': the as-of date (for stock, the as-of date's snapshot)
        return TimeWindow(as_of, after, "today"), False
    if facts.compare_unit in ("week", "month", "quarter", "year") and facts.compare:
        unit = facts.compare_unit
        return TimeWindow(unit_start(as_of, unit), after, f"this {unit}"), False
    # With a grain, whole buckets: the current one (to date) and the ones before it.
    count, unit = DEFAULT_SPAN.get(grain or "", (DEFAULT_DAYS, "day"))
    start = step(unit_start(as_of, unit), unit, 1 - count) if grain else step(after, unit, -count)
    return TimeWindow(start, after, f"last {count} {unit}s"), True


def _order(
    state: _State, facts: TimeFacts, metric: str, vocab: Vocabulary
) -> tuple[str | None, int | None]:
    direction = state.direction
    if direction is None:
        return None, None
    if state.negated:
        direction = {"high": "worst", "best": "worst", "low": "best", "worst": "best"}[direction]
    higher = vocab.registry.metrics[metric].direction == "higher_is_better"
    if direction == "best":
        order = "desc" if higher else "asc"
    elif direction == "worst":
        order = "asc" if higher else "desc"
    else:
        order = "desc" if direction == "high" else "asc"
    if state.limit is not None:
        return order, state.limit
    if state.rank_only or state.which_many:
        return order, None
    if state.which or facts.rank_period:
        return order, 1
    singular = [d for d in state.by if d not in state.plural]
    return order, 1 if singular else None
