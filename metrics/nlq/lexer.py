"""Turning a normalised question into tokens: vocabulary phrases (longest match first),
structural words (by, top, excluding, which …), filler words, and what is left unknown.

Latin phrases must sit on word edges ("sz" is not inside "size"); Chinese has no spaces,
so Chinese phrases match anywhere, and where the longest phrase would leave unknown
characters behind, a shorter one that lets the next phrase match wins ('成品仓|库存周转
天数'). Unknown Latin words get one fuzzy pass for typos; Chinese ones one pass for a
wrong character (`correct_cjk`).

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
(that phrase then stands on its own); a window never starts or ends on a filler word, and a
lone word that belongs to a value's name ('screw' of screw fastening station) is no typo of
another phrase ('crew').
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
    "apart from|excl|besides|aside from|not counting|leaving out|excepting|"
    "除了|除去|除|不含|不包括|不包含|排除|剔除|去掉|不算",
    "close": "之外|以外|外",
    "which": "which|what|哪|哪个|哪一个|哪条|哪一条|哪家|哪台|哪一台|哪位|哪款|哪种|哪类|哪间",
    "which_many": "哪些|which ones",
    "high": "highest|max|maximum|most|top|largest|biggest|greatest|peak|higest|longest|"
    "最高|最大|最多|最长",
    "low": "lowest|min|minimum|least|bottom|smallest|shortest|最低|最小|最少|最短",
    "best": "best|strongest|最好|最佳|最优|表现最好|做得最好",
    "worst": "worst|weakest|poorest|最差|最糟|最糟糕|表现最差|最不好",
    "rank": "rank|ranking|ranked|rankings|sorted|sort|order by|pareto|排名|排行|排序|从高到低|"
    "降序|帕累托|柏拉图",
    "rank_low": "ascending|从低到高|升序|从小到大|从短到长|从少到多",
    # 'lowest first' / '从长到短' say the order outright, whatever came before
    "first_low": "lowest first|smallest first|shortest first|least first|"
    "lowest to highest|smallest to largest|low to high|asc",
    "first_best": "best first|best to worst|从好到差",
    "first_worst": "worst first|worst to best|从差到好",
    "first_high": "highest first|largest first|biggest first|longest first|most first|"
    "highest to lowest|largest to smallest|high to low|从大到小|从长到短|从多到少|"
    "desc|descending",
    "versus": "vs|versus|compare|compared|comparing|comparison|against|对比|比较|相比|比一比",
    # said about a metric, not asking for another: 'quality (the OEE factor)'
    "aside": "the oee factor|an oee factor|oee factor|break it down|break down",
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
pull up bring got getting looking look like doing hows how's went going take takes
took long
pcs pc pieces piece units unit percent percentage
chart graph plot table select provide provided send kindly ask need see values
development evolution break respectively factor sum
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
小时 小时数 时长 件 件数 台次 次 图 图表 瀑布图 柱状图 趋势图 报表 明细 坏了 要多久 多久
那天 当天的 各自 分别是
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
        found = _match(text, i, vocab)
        after = _skip_space(text, i + len(found.text)) if found is not None else 0
        several = found is not None and found.kind == "marker" and " " in found.text
        if found is not None and (
            several or (has_cjk(found.text) and _match(text, after, vocab) is None)
        ):
            found = _lookahead(text, i, found, vocab)
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


def _match(text: str, i: int, vocab: Vocabulary, longest: int = 0) -> Token | None:
    """The longest phrase, marker or filler word at `i` (no longer than `longest`)."""
    n = len(text)
    top = min(n, i + (longest or vocab.max_len))
    for end in range(top, i, -1):
        piece = text[i:end]
        if piece[-1] == " " or not _edge_ok(text, i, end):
            continue
        if piece in vocab.phrases:
            return Token("term", piece, i, vocab.phrases[piece])
        if piece in MARKERS:
            return Token("marker", piece, i, marker=MARKERS[piece])
        if piece in STOP_EN or piece in STOP_ZH:
            return Token("stop", piece, i)
    return None


def _lookahead(text: str, i: int, found: Token, vocab: Vocabulary) -> Token:
    """Of the phrases starting at `i`, the one that leaves the longest phrase right after
    it: Chinese has no spaces ('成品仓|库存周转天数', not '成品仓库|存周转天数'), and a
    marker may end where a metric starts ('lowest|first time right')."""
    best, covered = found, len(found.text) + _length_at(text, i + len(found.text), vocab)
    shorter = _match(text, i, vocab, len(found.text) - 1)
    while shorter is not None:
        reach = len(shorter.text) + _length_at(text, i + len(shorter.text), vocab)
        # a marker gives way to a metric on a tie ('best|first pass rate')
        if reach > covered or (reach == covered and found.kind == "marker"):
            best, covered = shorter, reach
        shorter = _match(text, i, vocab, len(shorter.text) - 1) if len(shorter.text) > 1 else None
    return best


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] == " ":
        i += 1
    return i


def _length_at(text: str, i: int, vocab: Vocabulary) -> int:
    i = _skip_space(text, i)
    token = _match(text, i, vocab) if i < len(text) else None
    return len(token.text) if token is not None and token.kind == "term" else 0


_GRAMMAR = frozenset("的了吗呢啊吧和与及跟在是按各每对比为把被从到")
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


def correct_cjk(text: str, vocab: Vocabulary) -> tuple[str, int]:
    """Chinese typos (a wrong character of the same sound: 值通率, 设备综合效律): a run of
    Chinese characters holding an unknown one, within one substituted character of exactly
    one meaning among phrases of three or more characters, is written as that phrase.
    Returns the text and how many were corrected (each counts as a fuzzy read)."""
    fixed = 0
    for _ in range(3):
        tokens = scan(text, vocab)
        found = _cjk_fix(text, tokens, vocab)
        if found is None:
            break
        start, phrase = found
        text = text[:start] + phrase + text[start + len(phrase) :]
        fixed += 1
    return text, fixed


def _cjk_fix(text: str, tokens: list[Token], vocab: Vocabulary) -> tuple[int, str] | None:
    """(start, phrase) of the first correction, or None. A window must hold the whole of
    every unknown run it touches ('海防报费率' is 海防 + 报废率, never 海防厂 + 费率)."""
    known = {
        i for t in tokens if t.kind != "unknown" for i in range(t.start, t.start + len(t.text))
    }
    unknown = [i for i, ch in enumerate(text) if has_cjk(ch) and i not in known]
    if not unknown:
        return None
    run_of: dict[int, tuple[int, int]] = {}
    runs: list[tuple[int, int]] = []
    for i in unknown:
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    for run in runs:
        for i in range(*run):
            run_of[i] = run
    # a typo may also be a one-character filler word (值通率: 值 is 'value'), never a
    # grammatical particle ('订单的' is no misspelt 订单量)
    loose = set(run_of) | {
        t.start
        for t in tokens
        if t.kind == "stop" and len(t.text) == 1 and has_cjk(t.text) and t.text not in _GRAMMAR
    }
    longest = max(vocab.cjk, default=0)
    for group in re.finditer(r"[\u3400-\u9fff]{3,}", text):
        inner = [run for run in runs if group.start() <= run[0] < group.end()]
        for size in range(min(len(group[0]), longest), 2, -1):
            starts = sorted(
                {
                    s
                    for a, b in inner
                    for s in range(max(group.start(), b - size), min(a, group.end() - size) + 1)
                }
            )
            for start in starts:
                end = start + size
                touched = {run_of[i] for i in range(start, end) if i in run_of}
                if not touched or any(a < start or b > end for a, b in touched):
                    continue
                window = text[start:end]
                near = [
                    p
                    for p in vocab.cjk.get(size, [])
                    if sum(a != b for a, b in zip(p, window, strict=True)) == 1
                    and all(
                        a == b or start + k in loose
                        for k, (a, b) in enumerate(zip(p, window, strict=True))
                    )
                ]
                if len({_meaning(vocab, p) for p in near}) == 1 and not _rereads(
                    tokens, start, end, near[0], window
                ):
                    return start, near[0]
    return None


def _rereads(tokens: list[Token], start: int, end: int, phrase: str, window: str) -> bool:
    """The correction would only turn a known word into another one with a neighbouring
    character ('线良率' is line + 良率, not 不良率)."""
    (k,) = (i for i, (a, b) in enumerate(zip(phrase, window, strict=True)) if a != b)
    rest = (start, start + k) if k == end - start - 1 else (start + 1, end) if k == 0 else None
    return rest is not None and any(
        t.kind == "term" and (t.start, t.start + len(t.text)) == rest for t in tokens
    )


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
            if len(window) < size or not _fuzzable(window, size, vocab):
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
            rivals = {_meaning(vocab, phrase) for phrase, d, _ in near if d <= RIVAL}
            if distance <= TIGHT and rivals == {_meaning(vocab, best)}:
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


def _meaning(vocab: Vocabulary, phrase: str) -> frozenset:
    """What a phrase means, whatever order its values were learned in."""
    return frozenset((t.kind, t.dim, frozenset(t.names)) for t in vocab.phrases[phrase])


def _fuzzable(window: list[Token], size: int, vocab: Vocabulary) -> bool:
    if any(t.kind not in ("unknown", "stop", "term") or has_cjk(t.text) for t in window):
        return False
    if window[0].kind == "stop" or window[-1].kind == "stop":
        return False
    if size == 1:  # a word of a longer phrase ('screw' of screw fastening station) is no typo
        return window[0].kind == "unknown" and window[0].text not in vocab.words
    return window[0].kind == "unknown" or window[-1].kind == "unknown"
