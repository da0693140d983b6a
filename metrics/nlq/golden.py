"""Golden question files (tests/nlq/golden.yaml, heldout.yaml, heldout2.yaml, generated.yaml,
handwritten.yaml) and how an answer is scored, shared by the tests and benchmarks/nlq.py so
both count the same way."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from metrics.nlq.parser_types import Clarification, Interpretation

FIELDS = (
    "metrics",
    "by",
    "where",
    "excluded",
    "start",
    "end",
    "grain",
    "compare",
    "order",
    "limit",
)


@dataclass(frozen=True)
class Case:
    question: str
    expected: dict
    as_of: date

    @property
    def clarify(self) -> bool:
        return bool(self.expected.get("clarify"))


def load_cases(path: str | Path) -> list[Case]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    as_of = data["as_of"]
    return [Case(str(item["q"]), item, item.get("as_of", as_of)) for item in data["questions"]]


def expected_fields(case: Case) -> dict[str, object]:
    raw = case.expected
    return {
        "metrics": list(raw.get("metrics") or []),
        "by": list(raw.get("by") or []),
        "where": {d: sorted(map(str, v)) for d, v in (raw.get("where") or {}).items()},
        "excluded": {d: sorted(map(str, v)) for d, v in (raw.get("excluded") or {}).items()},
        "start": _iso(raw.get("start")),
        "end": _iso(raw.get("end")),
        "grain": raw.get("grain"),
        "compare": raw.get("compare"),
        "order": raw.get("order"),
        "limit": raw.get("limit"),
    }


def actual_fields(interp: Interpretation) -> dict[str, object]:
    return {
        "metrics": list(interp.metrics),
        "by": list(interp.by),
        "where": {d: sorted(v) for d, v in interp.where.items()},
        "excluded": {d: sorted(v) for d, v in interp.excluded.items()},
        "start": _iso(interp.start),
        "end": _iso(interp.end),
        "grain": interp.grain,
        "compare": interp.compare,
        "order": interp.order,
        "limit": interp.limit,
    }


def judge(case: Case, result: Interpretation | Clarification) -> tuple[bool, str]:
    """(correct, why not): an interpretation must match field by field; a clarification
    must be expected and offer the expected candidates."""
    if case.clarify:
        if not isinstance(result, Clarification):
            return False, f"expected a clarification, got {actual_fields(result)}"
        missing = [c for c in case.expected.get("candidates") or [] if c not in result.candidates]
        return (not missing, f"candidates {result.candidates} lack {missing}")
    if isinstance(result, Clarification):
        return False, f"asked back: {result.message}"
    want, got = expected_fields(case), actual_fields(result)
    diff = {k: (want[k], got[k]) for k in FIELDS if _key(k, want[k]) != _key(k, got[k])}
    return (not diff, f"expected vs got: {diff}")


def _key(field: str, value: object) -> object:
    """`by` is a grouping: the same dimensions in another order are the same answer (the
    table's columns only come in another order)."""
    return sorted(value) if field == "by" and isinstance(value, list) else value


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, date) else (str(value) if value else None)


@dataclass(frozen=True)
class Outcome:
    """How metrics.ask did on one case. correct: the interpretation (or the clarification)
    is the expected one; confident_wrong: it answered, and the answer is not the expected
    one (a wrong interpretation, or an answer to an unanswerable question)."""

    case: Case
    correct: bool
    answered: bool
    why: str
    ms: float

    @property
    def confident_wrong(self) -> bool:
        return self.answered and not self.correct


def evaluate(case: Case, vocab) -> Outcome:
    """Ask the case's question as a user would (metrics.ask: parse, confidence gate and
    compile, on `vocab`, without running the query) and judge what came back."""
    from metrics.nlq.ask import ask
    from metrics.nlq.normalize import has_cjk

    lang = "zh" if has_cjk(case.question) else "en"
    started = time.perf_counter()
    answer = ask(case.question, case.as_of, lang=lang, vocabulary=vocab, execute=False)
    ms = (time.perf_counter() - started) * 1000
    result = answer.clarification if answer.needs_clarification else answer.interpretation
    ok, why = judge(case, result)
    return Outcome(case, ok, not answer.needs_clarification, why, ms)
