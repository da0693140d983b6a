"""Clarifying questions in the asker's language, each with the closest candidates."""

from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from metrics.nlq.parser_types import Clarification
from metrics.nlq.vocabulary import Vocabulary

POPULAR = (
    "oee",
    "availability",
    "first_pass_yield",
    "scrap_rate",
    "on_time_delivery",
    "inventory_turnover",
    "produced_qty",
)


def _join(words: list[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(words[:-1]) + "还是" + words[-1] if len(words) > 1 else words[0]
    return ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]


def _metric_label(vocab: Vocabulary, name: str, lang: str) -> str:
    metric = vocab.registry.metrics[name]
    return metric.label_zh if lang == "zh" else metric.label_en.lower().replace("oee", "OEE")


def ambiguous_metric(vocab: Vocabulary, names: tuple[str, ...], lang: str) -> Clarification:
    labels = [_metric_label(vocab, n, lang) for n in names]
    message = (
        f"您是指{_join(labels, lang)}？" if lang == "zh" else f"Did you mean {_join(labels, lang)}?"
    )
    return Clarification(message, tuple(names), "ambiguous_metric")


def no_metric(vocab: Vocabulary, unknown: list[str], lang: str) -> Clarification:
    suggestions: list[str] = []
    choices = {}
    for metric in vocab.registry.metrics.values():
        for word in (
            metric.label_en.lower(),
            metric.name.replace("_", " "),
            *metric.synonyms.get("en", ()),
        ):
            choices[word.lower()] = metric.name
    for word in unknown:
        found = process.extractOne(
            word, list(choices), scorer=Levenshtein.normalized_similarity, score_cutoff=0.6
        )
        if found and choices[found[0]] not in suggestions:
            suggestions.append(choices[found[0]])
    names = tuple(suggestions) or POPULAR
    labels = [_metric_label(vocab, n, lang) for n in names[:5]]
    if lang == "zh":
        message = f"您想看哪个指标？例如：{'、'.join(labels)}。"
    else:
        message = f"Which metric do you mean? For example: {', '.join(labels)}."
    return Clarification(message, names, "no_metric")


def not_understood(
    vocab: Vocabulary, unknown: list[str], metrics: list[str], lang: str
) -> Clarification:
    words = " ".join(unknown)
    labels = [_metric_label(vocab, n, lang) for n in metrics]
    if lang == "zh":
        message = f"没有理解“{words}”。您是想看{_join(labels, lang)}吗？请换个说法。"
    else:
        message = (
            f"I did not understand '{words}'. Do you want {_join(labels, lang)}? Please rephrase."
        )
    return Clarification(message, tuple(metrics), "not_understood")


def unknown_value(vocab: Vocabulary, dim: str, word: str, lang: str) -> Clarification:
    values = vocab.values.get(dim, {})
    dimension = vocab.registry.dimensions[dim]
    dim_label = dimension.label_zh if lang == "zh" else dimension.label_en.lower()
    labels = {v.label(lang): k for k, v in values.items()} | {k: k for k in values}
    close = process.extract(word, list(labels), scorer=Levenshtein.normalized_similarity, limit=6)
    keys: list[str] = []
    for label, _score, _ in close:
        if labels[label] not in keys:
            keys.append(labels[label])
    keys = keys[:6] or sorted(values)[:6]
    shown = [values[k].label(lang) if k in values else k for k in keys]
    if not shown:
        message = (
            f"没有找到{dim_label}“{word}”。"
            if lang == "zh"
            else f"I don't know the {dim_label} '{word}'."
        )
    elif lang == "zh":
        message = f"没有找到{dim_label}“{word}”。您是指{_join(shown, lang)}？"
    else:
        message = f"I don't know the {dim_label} '{word}'. Did you mean {_join(shown, lang)}?"
    return Clarification(message, tuple(keys), "unknown_value")


def check_dimensions(
    vocab: Vocabulary, metrics: list[str], by: list[str], filtered: list[str], lang: str
) -> Clarification | None:
    """A metric asked by (or filtered on) a dimension its facts do not carry."""
    for name in metrics:
        metric = vocab.registry.metrics[name]
        for dim in (*by, *filtered):
            if dim in metric.dimensions:
                continue
            label = _metric_label(vocab, name, lang)
            allowed = [vocab.registry.dimensions[d].label(lang) for d in metric.dimensions]
            dim_label = vocab.registry.dimensions[dim].label(lang)
            if lang == "zh":
                message = f"{label}不能按{dim_label}分析。可以按：{'、'.join(allowed)}。"
            else:
                message = (
                    f"{label[0].upper() + label[1:]} can't be broken down or filtered "
                    f"by {dim_label.lower()}. Try: {', '.join(a.lower() for a in allowed)}."
                )
            return Clarification(message, metric.dimensions, "dimension_not_allowed")
    return None


def rank_what(vocab: Vocabulary, name: str, lang: str) -> Clarification:
    metric = vocab.registry.metrics[name]
    dims = metric.dimensions[:4]
    labels = [vocab.registry.dimensions[d].label(lang) for d in dims]
    label = _metric_label(vocab, name, lang)
    if lang == "zh":
        message = f"按什么比较{label}？例如：{'、'.join(labels)}。"
    else:
        message = f"Rank {label} across what? For example: {', '.join(x.lower() for x in labels)}."
    return Clarification(message, dims, "rank_what")
