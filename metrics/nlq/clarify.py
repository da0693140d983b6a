"""Clarifying questions: what to ask back when a question cannot be run, and what to offer.

Each builder returns a Clarification: why (`reason`), the asker's words it is about, the
metric or dimension it concerns and the options - metrics, dimensions or dimension values,
each with its key and label. Its `message` is written from those fields with the texts of
metrics/i18n.yaml, so a surface shows the options as choices and never reads the text back;
`reask` turns a chosen option into the next question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from metrics.i18n import join, t
from metrics.nlq.vocabulary import Vocabulary, question_lang

Reason = Literal[
    "empty",
    "ambiguous_metric",
    "no_metric",
    "not_understood",
    "unknown_value",
    "dimension_not_allowed",
    "rank_what",
    "cannot_answer",
    "outside_scope",
    "bad_date",
    "no_data",
    "too_long",
    "threshold",
]
POPULAR = (
    "oee",
    "availability",
    "first_pass_yield",
    "scrap_rate",
    "on_time_delivery",
    "inventory_turnover",
    "produced_qty",
)
NAMED = 5  # options a message names when it lists examples
MAX_VALUES = 6  # close values an unknown value is offered


@dataclass(frozen=True)
class Option:
    """One choice a clarification offers: a metric, a dimension, or a value of `dimension`."""

    kind: Literal["metric", "dimension", "value"]
    key: str
    label: str  # in the asker's language
    dimension: str | None = None
    # How a re-asked question writes it: the label in a language the question box reads
    # (English for a Vietnamese asker); empty: the label.
    words: str = field(default="", compare=False)


@dataclass(frozen=True)
class Clarification:
    """A question back to the asker, with the options to choose from; nothing is run."""

    reason: Reason
    lang: str = "en"
    options: tuple[Option, ...] = ()
    words: str = ""  # the asker's words it is about, as the parser read them
    metric: str = ""  # label of the metric it is about
    dimension: str = ""  # label of the dimension it is about
    detail: str = ""  # for cannot_answer: what metrics said; outside_scope: the asker's plants

    @property
    def candidates(self) -> tuple[str, ...]:
        """The options' keys: registry metric or dimension names, or dimension keys."""
        return tuple(option.key for option in self.options)

    @property
    def message(self) -> str:
        """The question back, in the asker's language."""
        if self.reason in ("cannot_answer", "bad_date", "no_data", "too_long"):
            return self.detail
        lang = self.lang
        named = [in_sentence(o.label, o.kind, lang) for o in self.options]
        fields = {
            "words": self.words,
            "metric": in_sentence(self.metric, "metric", lang),
            "dimension": in_sentence(self.dimension, "dimension", lang),
        }
        if self.reason == "empty":
            text = t("ask_empty", lang)
        elif self.reason == "ambiguous_metric":
            text = t("clarify_ambiguous_metric", lang, options=either(named, lang), **fields)
        elif self.reason == "no_metric":
            text = t("clarify_no_metric", lang, options=join(named[:NAMED], lang), **fields)
        elif self.reason == "not_understood":
            text = t("clarify_not_understood", lang, options=either(named, lang), **fields)
        elif self.reason == "unknown_value" and not named:
            text = t("clarify_unknown_value", lang, **fields)
        elif self.reason == "unknown_value":
            text = t("clarify_close_values", lang, options=either(named, lang), **fields)
        elif self.reason == "outside_scope" and not named:
            text = t("clarify_outside_scope", lang, plants=self.detail, **fields)
        elif self.reason == "outside_scope":
            text = t(
                "clarify_outside_scope_choose",
                lang,
                plants=self.detail,
                options=either(named, lang),
                **fields,
            )
        elif self.reason == "threshold":
            text = t("clarify_threshold", lang, **fields)
        elif self.reason == "dimension_not_allowed":
            text = t("clarify_dimension_not_allowed", lang, options=join(named, lang), **fields)
        else:
            text = t("clarify_rank_what", lang, options=join(named, lang), **fields)
        return text[:1].upper() + text[1:]


def in_sentence(label: str, kind: str, lang: str) -> str:
    """A metric or dimension label inside running text: lower case in English (OEE stays
    OEE); a value keeps its label."""
    if lang != "en" or kind == "value":
        return label
    return label.lower().replace("oee", "OEE")


def either(items: list[str], lang: str) -> str:
    """'a, b or c' / 'a、b还是c'."""
    if len(items) < 2:
        return "".join(items)
    return join(items[:-1], lang) + t("list_or", lang) + items[-1]


def _metric(vocab: Vocabulary, name: str, lang: str) -> Option:
    metric = vocab.registry.metrics[name]
    return Option("metric", name, metric.label(lang), words=metric.label(question_lang(lang)))


def _dimension(vocab: Vocabulary, name: str, lang: str) -> Option:
    dim = vocab.registry.dimensions[name]
    return Option("dimension", name, dim.label(lang), words=dim.label(question_lang(lang)))


def _value(vocab: Vocabulary, dim: str, key: str, lang: str) -> Option:
    label = vocab.label(dim, key, lang)
    return Option("value", key, label, dim, words=vocab.label(dim, key, question_lang(lang)))


def empty(lang: str) -> Clarification:
    return Clarification("empty", lang)


def cannot_answer(detail: str, lang: str) -> Clarification:
    """A reading metrics refused (its error says why); no options."""
    return Clarification("cannot_answer", lang, detail=detail)


def ambiguous_metric(
    vocab: Vocabulary, names: tuple[str, ...], lang: str, words: str = ""
) -> Clarification:
    """Which of `names` was meant; `words`: the asker's words only near them (a typo the
    fuzzy rule would not guess), replaced by the chosen metric when re-asked."""
    options = tuple(_metric(vocab, n, lang) for n in names)
    return Clarification("ambiguous_metric", lang, options, words=words)


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
    return Clarification("no_metric", lang, tuple(_metric(vocab, n, lang) for n in names))


def not_understood(
    vocab: Vocabulary, unknown: list[str], metrics: list[str], lang: str
) -> Clarification:
    options = tuple(_metric(vocab, n, lang) for n in metrics)
    return Clarification("not_understood", lang, options, words=" ".join(unknown))


def unknown_value(vocab: Vocabulary, dim: str, word: str, lang: str) -> Clarification:
    values = vocab.values.get(dim, {})
    labels = {v.label(lang): k for k, v in values.items()} | {k: k for k in values}
    close = process.extract(
        word, list(labels), scorer=Levenshtein.normalized_similarity, limit=MAX_VALUES
    )
    keys: list[str] = []
    for label, _score, _ in close:
        if labels[label] not in keys:
            keys.append(labels[label])
    keys = keys[:MAX_VALUES] or sorted(values)[:MAX_VALUES]
    options = tuple(_value(vocab, dim, k, lang) for k in keys)
    dimension = vocab.registry.dimensions[dim].label(lang)
    return Clarification("unknown_value", lang, options, words=word, dimension=dimension)


def outside_scope(vocab: Vocabulary, dim: str, words: str, plants: str, lang: str) -> Clarification:
    """The question names a `dim` value outside the asker's plants (`plants`, described):
    nothing runs, and the options are the values of `dim` the asker may see (`vocab` is
    the asker's scoped vocabulary, so no other plant's value is ever offered)."""
    options: tuple[Option, ...] = ()
    if words:
        keys = vocab.keys(dim)[:MAX_VALUES]
        options = tuple(_value(vocab, dim, k, lang) for k in keys)
    dimension = vocab.registry.dimensions[dim].label(lang)
    return Clarification(
        "outside_scope", lang, options, words=words, dimension=dimension, detail=plants
    )


def check_dimensions(
    vocab: Vocabulary, metrics: list[str], by: list[str], filtered: list[str], lang: str
) -> Clarification | None:
    """A metric asked by (or filtered on) a dimension its facts do not carry."""
    registry = vocab.registry
    for name in metrics:
        metric = registry.metrics[name]
        for dim in (*by, *filtered):
            if dim in metric.dimensions:
                continue
            return Clarification(
                "dimension_not_allowed",
                lang,
                tuple(_dimension(vocab, d, lang) for d in metric.dimensions),
                metric=metric.label(lang),
                dimension=registry.dimensions[dim].label(lang),
            )
    return None


def threshold(vocab: Vocabulary, name: str, words: str, lang: str) -> Clarification:
    """A value condition ('below 60%'): offered the metric ranked, lowest or highest first."""
    metric = vocab.registry.metrics[name]
    return Clarification(
        "threshold", lang, (_metric(vocab, name, lang),), words=words, metric=metric.label(lang)
    )


def rank_what(vocab: Vocabulary, name: str, lang: str) -> Clarification:
    metric = vocab.registry.metrics[name]
    options = tuple(_dimension(vocab, d, lang) for d in metric.dimensions[:4])
    return Clarification("rank_what", lang, options, metric=metric.label(lang))


def reask(question: str, clarification: Clarification, option: Option) -> str:
    """The question again with the chosen option: the words the clarification was about are
    replaced by a value (or dropped), a metric is added, a dimension becomes 'by …'."""
    lang = question_lang(clarification.lang)
    words = option.words or option.label
    if clarification.words:
        # The words as the asker typed them: any case, any spacing between them.
        typed = re.escape(clarification.words).replace(r"\ ", r"\s+")
        instead = words if option.kind == "value" else " "
        question = re.sub(typed, lambda _: instead, question, count=1, flags=re.IGNORECASE)
    if option.kind == "dimension":
        question = f"{question} {t('ask_by_dimension', lang, dimension=words)}"
    elif option.kind == "metric":
        question = f"{question} {words}"
    return " ".join(question.split())
