"""Turning a normalised question into tokens: vocabulary phrases (longest match first),
structural words (by, top, excluding, which …), filler words, and what is left unknown.

Latin phrases must sit on word edges ("sz" is not inside "size"); Chinese has no spaces,
so Chinese phrases match anywhere. Unknown Latin words get one fuzzy pass for typos.
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
    "rank": "rank|ranking|ranked|rankings|sorted|sort|order by|排名|排行|排序|从高到低|降序",
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
average avg mean
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


def _merge_cjk(tokens: list[Token]) -> list[Token]:
    """Runs of unknown Chinese characters become one unknown word."""
    out: list[Token] = []
    for token in tokens:
        prev = out[-1] if out else None
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


def _limit(word: str) -> int:
    return 1 if len(word) <= 5 else 2 if len(word) <= 10 else 3


def fuzzy(tokens: list[Token], vocab: Vocabulary) -> list[Token]:
    """Replace unknown Latin words (windows of up to three) with their nearest phrase."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        done = False
        for size in (3, 2, 1):
            window = tokens[i : i + size]
            if len(window) < size or not _fuzzable(window, size):
                continue
            text = " ".join(t.text for t in window)
            choices = vocab.fuzzy.get(size, [])
            best = (
                process.extractOne(text, choices, scorer=OSA.distance, score_cutoff=_limit(text))
                if len(text) >= 4
                else None
            )
            if best is not None:
                out.append(
                    Token("term", best[0], window[0].start, vocab.phrases[best[0]], fuzzy=True)
                )
                i += size
                done = True
                break
        if not done:
            out.append(tokens[i])
            i += 1
    return out


def _fuzzable(window: list[Token], size: int) -> bool:
    if any(t.kind not in ("unknown", "stop") or has_cjk(t.text) for t in window):
        return False
    if size == 1:
        return window[0].kind == "unknown"
    return window[0].kind == "unknown" or window[-1].kind == "unknown"
