"""Golden question files (tests/nlq/golden.yaml, heldout.yaml) and how an answer is scored,
shared by the tests and benchmarks/nlq.py so both count the same way."""

from __future__ import annotations

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
    diff = {k: (want[k], got[k]) for k in FIELDS if want[k] != got[k]}
    return (not diff, f"expected vs got: {diff}")


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, date) else (str(value) if value else None)
