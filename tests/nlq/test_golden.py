"""One test per golden question: the interpretation (or clarification) must be exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics.nlq import ask
from metrics.nlq.golden import evaluate, judge, load_cases
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
HELD_OUT = {
    "heldout.yaml": 0.9,
    "heldout2.yaml": 0.9,
    "heldout3.yaml": 0.95,
    "heldout4.yaml": 0.95,
    "heldout5.yaml": 0.95,
    "plm_aps.yaml": 0.95,
}


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_held_out_accuracy(name, vocab):
    cases = load_cases(HERE / name)
    outcomes = [evaluate(case, vocab) for case in cases]
    for outcome in outcomes:
        if outcome.case.clarify:
            assert not outcome.answered, f"answered unanswerable {outcome.case.question!r}"
    correct = sum(o.correct for o in outcomes)
    assert correct / len(cases) >= HELD_OUT[name], f"{name}: {correct}/{len(cases)}"


def test_heldout2_shape():
    cases = load_cases(HERE / "heldout2.yaml")
    assert len(cases) >= 40
    assert sum(has_cjk(c.question) for c in cases) * 2 >= len(cases)
    assert sum(c.clarify for c in cases) >= 5


# The generated set (tests/nlq/generate.py: templates x registry synonyms x dimension values
# x time phrases, typo and full-width variants, unanswerables) is scored as a whole: a floor
# on accuracy, and no confident wrong answer (an answer, to an unanswerable question or
# with an interpretation other than the expected one).
GENERATED = HERE / "generated.yaml"
GENERATED_FLOOR = 0.97


def test_generated_accuracy(vocab):
    cases = load_cases(GENERATED)
    wrong = [o for o in (evaluate(c, vocab) for c in cases) if not o.correct]
    confident = [o for o in wrong if o.confident_wrong]
    accuracy = 1 - len(wrong) / len(cases)
    listing = "\n".join(
        f"  {'CONFIDENT WRONG ' if o.confident_wrong else 'asked back '}{o.case.question!r}"
        f" (as of {o.case.as_of}): {o.why}"
        for o in sorted(wrong, key=lambda o: not o.confident_wrong)
    )
    assert accuracy >= GENERATED_FLOOR and not confident, (
        f"generated.yaml: accuracy {accuracy:.1%} (floor {GENERATED_FLOOR:.0%}), "
        f"{len(wrong)} wrong of {len(cases)}, {len(confident)} confidently wrong:\n{listing}"
    )


def test_generated_shape():
    cases = load_cases(GENERATED)
    questions = [c.question for c in cases]
    assert 1000 <= len(cases) <= 1500
    assert len({q.lower() for q in questions}) == len(questions)
    chinese = sum(has_cjk(q) for q in questions)
    assert 0.35 <= chinese / len(cases) <= 0.65
    assert sum(c.clarify for c in cases) >= 100
    assert sum(any(0xFF01 <= ord(ch) <= 0xFF5E for ch in q) for q in questions) >= 30
    assert len({c.as_of for c in cases}) >= 3


def test_generator_is_deterministic_and_dates_are_its_own():
    from datetime import date

    from tests.nlq.generate import default_window, generate, time_phrases

    first, second = generate(cap=1000), generate(cap=1000)
    assert [c.entry() for c in first] == [c.entry() for c in second]
    assert len(first) == 1000
    # the generator's date arithmetic agrees with the hand-written golden answers
    day = date(2026, 10, 11)
    phrases = {p.en: (p.start, p.end) for p in time_phrases(day) if p.en}
    assert phrases["last week"] == (date(2026, 9, 28), date(2026, 10, 5))
    assert phrases["this month"] == (date(2026, 10, 1), date(2026, 10, 12))
    assert phrases["last quarter"] == (date(2026, 7, 1), date(2026, 10, 1))
    assert phrases["Q3 2026"] == (date(2026, 7, 1), date(2026, 10, 1))
    assert phrases["last 3 months"] == (date(2026, 7, 12), date(2026, 10, 12))
    assert phrases["last 2 weeks"] == (date(2026, 9, 28), date(2026, 10, 12))
    assert phrases["in 2025"] == (date(2025, 1, 1), date(2026, 1, 1))
    assert default_window(day, None) == (date(2026, 9, 12), date(2026, 10, 12))
    assert default_window(day, "week") == (date(2026, 7, 20), date(2026, 10, 12))
    january = {p.en: (p.start, p.end) for p in time_phrases(date(2026, 1, 5)) if p.en}
    assert january["last quarter"] == (date(2025, 10, 1), date(2026, 1, 1))
    assert january["last month"] == (date(2025, 12, 1), date(2026, 1, 1))
    assert january["this week"] == (date(2026, 1, 5), date(2026, 1, 6))
