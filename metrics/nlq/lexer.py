"""Turning a normalised question into tokens: vocabulary phrases (longest match first),
structural words (by, top, excluding, which …), filler words, and what is left unknown.

Latin phrases must sit on word edges ("sz" is not inside "size"); Chinese has no spaces,
so Chinese phrases match anywhere. Unknown Latin words get one fuzzy pass for typos.

The fuzzy rule (decided here and nowhere else): an unknown Latin word, or a window of up to
four tokens with an unknown word at an end ('annaul inventory turns', 'cost of goods
shippde'), is compared with every vocabulary phrase of as many words within `_limit`
edits (OSA: a swap of two letters is one edit; words shorter than FUZZY_MIN_LEN are never
compared). It reads as the nearest phrase only when that phrase is at most TIGHT edits away
and no phrase meaning anything else is within RIVAL edits ('avaiability' is availability:
'capability' is three edits away). Otherwise nothing is guessed: the token stays unknown
and carries the meanings of every phrase within `_limit` (`near`), and the parser asks which
one was meant (metrics offered by name, a value among the dimension's close values) instead
of answering. A window holding a known phrase is read only when sure, never asked about
(that phrase then stands on its own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from metrics.nlq.normalize import has_cjk
from metrics.nlq.vocabulary import Term, Vocabulary

BARRIER = "#"
_MARKER_WORDS = {
    "exclude": "excluding|exclude|except|except for|without|minus|other than|not including|"
    "apart from|excl|除了|除去|除|不含|不包括|不包含|排除|剔除|去掉|不算",
    "close": "之外|以外|外",
    "which": "which|what|哪|哪个|哪一个|哪条|哪一条|哪家|哪台|哪一台|哪位|哪款|哪种|哪类",
    "which_many": "哪些|which ones",
    "high": "highest|max|maximum|most|top|largest|biggest|greatest|peak|higest|longest|"
    "最高|最大|最多|最长",
    "low": "lowest|min|minimum|least|bottom|smallest|shortest|最低|最小|最少|最短",
    "best": "best|strongest|最好|最佳|最优|表现最好|做得最好",
    "worst": "worst|weakest|poorest|最差|最糟|最糟糕|表现最差|最不好",
    "rank": "rank|ranking|ranked|rankings|sorted|sort|order by|pareto|排名|排行|排序|从高到低|"
    "降序|帕累托|柏拉图",
    "rank_low": "ascending|从低到高|升序",
    "versus": "vs|versus|compare|compared|comparing|comparison|against|对比|比较|相比|比一比",
}
MARKERS = {w: kind for kind, words in _MARKER_WORDS.items() for w in words.split("|")}

_STOP_EN_TEXT = """
a an the of for in on at to from by per each every all across and or with within over show
me please what whats what's is are was were be been how did do does give list tell get i we
us our my want would like could can you see view display find look up data value values
number numbers kpi kpis metric metrics figure figures current currently overall total
breakdown broken down split grouped group report had has have that this these those it its
much many there so far as well versus between where which any some per-line per-plant
compare than vs vs. whole entire level shown by-line other others rest remaining
average avg mean orders
"""
STOP_EN = frozenset(_STOP_EN_TEXT.split())
_STOP_ZH_TEXT = """
请问 请 帮我 帮忙 麻烦 给我 我想 我要 想要 想 看一下 看下 看看 看 查一下
查下 查询 查看 查 显示 展示 列出 告诉我 一下 的 是 多少 是多少 怎么样 怎样
如何 情况 表现 水平 数据 指标 了 吗 呢 啊 吧 在 和 与 及 跟 以及 还有
各 各个 每个 每条 每台 每家 每 按 按照 分 分别 都 所有 全部 整体 总体
当前 目前 现在 为 有 有多少 几 个 条 台 家 位 名 中 里 对 比 下 期间
这段时间 时间 相关 统计 汇总 一共 共 大 总 值 其他 其它 其余 另外 剩下 剩余 别的
平均 平均的 均值
"""
STOP_ZH = frozenset(_STOP_ZH_TEXT.split())
_WORD = re.compile(r"[a-z0-9.%]+")
_LATIN = re.compile(r"[a-z0-9]")


@dataclass
class Token:
    kind: str  # term | marker | stop | unknown | number | barrier
    text: str
    start: int
    terms: tuple[Term, ...] = ()
    marker: str = ""
    fuzzy: bool = False
    flags: set[str] = field(default_factory=set)
    near: tuple[Term, ...] = ()  # an unknown word's near (but not certain) meanings


def _edge_ok(text: str, start: int, end: int) -> bool:
    phrase = text[start:end]
    if _LATIN.match(phrase[0]) and start > 0 and _LATIN.match(text[start - 1]):
        return False
    return not (_LATIN.match(phrase[-1]) and end < len(text) and _LATIN.match(text[end]))


def scan(text: str, vocab: Vocabulary) -> list[Token]:
    """Longest-match tokens of `text` (already normalised)."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == " ":
            i += 1
            continue
        if text[i] == BARRIER:
            tokens.append(Token("barrier", BARRIER, i))
            i += 1
            continue
        found = None
        for end in range(min(n, i + vocab.max_len), i, -1):
            piece = text[i:end]
            if piece[-1] == " " or not _edge_ok(text, i, end):
                continue
            if piece in vocab.phrases:
                found = Token("term", piece, i, vocab.phrases[piece])
            elif piece in MARKERS:
                found = Token("marker", piece, i, marker=MARKERS[piece])
            elif piece in STOP_EN or piece in STOP_ZH:
                found = Token("stop", piece, i)
            if found:
                break
        if found is None:
            word = _WORD.match(text, i)
            if word:
                kind = "number" if re.fullmatch(r"[0-9.%]+", word[0]) else "unknown"
                found = Token(kind, word[0], i)
            else:
                found = Token("unknown", text[i], i)
        tokens.append(found)
        i += len(found.text)
    return _merge_cjk(tokens)


# One-character filler words that are never the second character of a name.
_PARTICLES = frozenset("的了吗呢啊吧和与及跟在是按各每对比为有中里下分共总大值个条台家位名几")


def _merge_cjk(tokens: list[Token]) -> list[Token]:
    """Runs of unknown Chinese characters become one unknown word; a lone unknown character
    takes a following one-character filler word that is not a particle ('成都': 都 is also
    'all'), so an unknown name is not lost."""
    out: list[Token] = []
    for token in tokens:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == "unknown"
            and len(prev.text) == 1
            and has_cjk(prev.text)
            and prev.start + 1 == token.start
            and token.kind == "stop"
            and len(token.text) == 1
            and has_cjk(token.text)
            and token.text not in _PARTICLES
        ):
            prev.text += token.text
            continue
        if (
            token.kind == "unknown"
            and has_cjk(token.text)
            and prev is not None
            and prev.kind == "unknown"
            and has_cjk(prev.text)
            and prev.start + len(prev.text) == token.start
        ):
            prev.text += token.text
            continue
        out.append(token)
    return [t for t in out if not (t.kind == "unknown" and has_cjk(t.text) and len(t.text) < 2)]


FUZZY_MIN_LEN = 4  # characters a word needs to be compared at all
TIGHT = 1  # edits a fuzzy hit may be from its phrase and still be read without asking
RIVAL = 2  # a phrase of another meaning this close makes the hit a question


def _limit(word: str) -> int:
    """Edits within which a phrase is near `word` (and so a candidate to ask about)."""
    return 1 if len(word) <= 5 else 2 if len(word) <= 10 else 3


def fuzzy(tokens: list[Token], vocab: Vocabulary) -> list[Token]:
    """Unknown Latin words (windows of up to three) read by the fuzzy rule (module doc)."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        sure: Token | None = None
        unsure: tuple[int, Token] | None = None
        for size in (4, 3, 2, 1):
            window = tokens[i : i + size]
            if len(window) < size or not _fuzzable(window, size):
                continue
            text = " ".join(t.text for t in window)
            if len(text) < FUZZY_MIN_LEN:
                continue
            near = process.extract(
                text,
                vocab.fuzzy.get(text.count(" ") + 1, []),
                scorer=OSA.distance,
                score_cutoff=_limit(text),
                limit=None,
            )
            if not near:
                continue
            best, distance, _ = min(near, key=lambda hit: (hit[1], hit[0]))
            rivals = {vocab.phrases[phrase] for phrase, d, _ in near if d <= RIVAL}
            if distance <= TIGHT and rivals == {vocab.phrases[best]}:
                sure = Token("term", best, window[0].start, vocab.phrases[best], fuzzy=True)
                i += size
                break
            if unsure is None and all(t.kind != "term" for t in window):
                ordered = sorted(near, key=lambda hit: (hit[1], hit[0]))
                terms = tuple(dict.fromkeys(t for p, _, _ in ordered for t in vocab.phrases[p]))
                unsure = (size, Token("unknown", text, window[0].start, fuzzy=True, near=terms))
        if sure is not None:
            out.append(sure)
        elif unsure is not None:
            out.append(unsure[1])
            i += unsure[0]
        else:
            out.append(tokens[i])
            i += 1
    return out


def _fuzzable(window: list[Token], size: int) -> bool:
    if any(t.kind not in ("unknown", "stop", "term") or has_cjk(t.text) for t in window):
        return False
    if size == 1:
        return window[0].kind == "unknown"
    return window[0].kind == "unknown" or window[-1].kind == "unknown"
