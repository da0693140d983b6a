"""One test per golden question: the interpretation (or clarification) must be exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics.nlq import ask
from metrics.nlq.golden import judge, load_cases
from metrics.nlq.normalize import has_cjk
from metrics.nlq.parser import parse
from metrics.nlq.parser_types import Clarification

HERE = Path(__file__).parent
CASES = load_cases(HERE / "golden.yaml")


@pytest.mark.parametrize("case", CASES, ids=[c.question or "<empty>" for c in CASES])
def test_golden(case, vocab):
    if not case.question.strip():
        answer = ask(case.question, case.as_of, vocabulary=vocab, execute=False)
        assert answer.needs_clarification
        return
    result = parse(case.question, vocab, case.as_of, "zh" if has_cjk(case.question) else "en")
    ok, why = judge(case, result)
    assert ok, why


def test_golden_covers_the_brief():
    chinese = [c for c in CASES if has_cjk(c.question)]
    assert len(CASES) >= 150
    assert len(chinese) * 2 >= len(CASES)
    assert sum(c.clarify for c in CASES) >= 15


def test_clarification_is_in_the_askers_language(vocab):
    day = CASES[0].as_of
    assert parse("scrap", vocab, day, "en").message == "Did you mean scrap rate or scrap quantity?"
    assert parse("报废", vocab, day, "zh").message == "您是指报废率还是报废数量？"
    assert isinstance(parse("报废", vocab, day, "zh"), Clarification)


# Held-out sets were written after the parser and are never tuned on: they are tracked
# with a floor on accuracy (not entry by entry), and unanswerable ones must always ask back.
HELD_OUT = {"heldout.yaml": 0.9, "heldout2.yaml": 0.9}


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_held_out_accuracy(name, vocab):
    cases = load_cases(HERE / name)
    correct = 0
    for case in cases:
        lang = "zh" if has_cjk(case.question) else "en"
        answer = ask(case.question, case.as_of, lang=lang, vocabulary=vocab, execute=False)
        if case.clarify:
            assert answer.needs_clarification, f"answered unanswerable {case.question!r}"
        ok, _ = judge(case, parse(case.question, vocab, case.as_of, lang))
        correct += ok and answer.needs_clarification == case.clarify
    assert correct / len(cases) >= HELD_OUT[name], f"{name}: {correct}/{len(cases)}"


def test_heldout2_shape():
    cases = load_cases(HERE / "heldout2.yaml")
    assert len(cases) >= 40
    assert sum(has_cjk(c.question) for c in cases) * 2 >= len(cases)
    assert sum(c.clarify for c in cases) >= 5
