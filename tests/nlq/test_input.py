"""Over-long questions are refused with the limit, never answered from their first words."""

from __future__ import annotations

from datetime import date

import pytest

import metrics
from metrics.nlq.ask import MAX_LENGTH

AS_OF = date(2026, 11, 30)
ALL = metrics.Scope.all()


def asked(question, vocab, **kw):
    return metrics.ask(question, AS_OF, vocabulary=vocab, execute=False, scope=ALL, **kw)


def test_a_question_of_5000_characters_is_refused(vocab):
    question = ("oee by line last week " * 228)[:5000]
    answer = asked(question, vocab)
    assert len(question) == 5000
    assert answer.clarification is not None and answer.clarification.reason == "too_long"
    assert answer.clarification.message == (
        "That question is too long (5000 characters): please ask it in at most 300 characters."
    )
    assert answer.interpretation is None and answer.sql is None and answer.summary == ""


def test_the_limit_is_counted_after_normalisation(vocab):
    spaced = "oee" + " " * 1000 + "by line last week"  # 1020 characters, 21 once normalised
    answer = asked(spaced, vocab)
    assert answer.clarification is None
    assert answer.interpretation.by == ("line",)


@pytest.mark.parametrize(("length", "refused"), [(MAX_LENGTH, False), (MAX_LENGTH + 1, True)])
def test_the_limit_is_300_characters(length, refused, vocab):
    question = "oee by line last week " + "x" * (length - 22)
    assert len(question) == length
    answer = asked(question, vocab)
    reason = answer.clarification.reason if answer.clarification else None
    assert (reason == "too_long") is refused
    assert MAX_LENGTH == 300


def test_the_refusal_is_in_the_askers_language(vocab):
    question = "上周各产线的OEE" * 40  # 360 characters
    answer = asked(question, vocab)
    assert answer.lang == "zh"
    assert answer.clarification.message == "问题太长（360 个字符）：请控制在 300 个字符以内。"
    vi = asked("oee " * 100, vocab, lang="vi")
    assert vi.clarification.message == (
        "Câu hỏi quá dài (399 ký tự): vui lòng hỏi trong tối đa 300 ký tự."
    )
