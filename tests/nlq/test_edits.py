"""Editing how a question was read: chips round-trip, edits run through the runner only,
and a reading metrics cannot answer comes back as a clarification."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl

from metrics.nlq import Answer, Interpretation
from metrics.nlq.edits import (
    Chips,
    apply_chips,
    chips_of,
    edit_answer,
    filter_options,
    grain_label,
    with_rows,
)

READING = Interpretation(
    ("oee", "availability"),
    by=("line",),
    where={"plant": ("SZ",)},
    start=date(2026, 9, 28),
    end=date(2026, 10, 5),
)


def frame_of(interp: Interpretation) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "line_id": ["SZ-SMT1", "SZ-SMT2"],
            "line_label": ["a", "b"],
            **{m: [0.7, 0.8] for m in interp.metrics},
        }
    )


def test_chips_round_trip_and_edits() -> None:
    chips = chips_of(READING)
    assert chips.last_day == date(2026, 10, 4)
    assert apply_chips(READING, chips) == READING
    edited = apply_chips(
        READING, Chips(("oee",), (), (("plant", ()),), date(2026, 10, 1), date(2026, 10, 1), "day")
    )
    assert edited.metrics == ("oee",) and edited.by == () and edited.where == {}
    assert (edited.start, edited.end, edited.grain) == (date(2026, 10, 1), date(2026, 10, 2), "day")


def test_filter_options_keep_unknown_choice(vocab) -> None:
    options = filter_options(vocab, "plant", ("SZ", "XX"))
    assert options == ["DG", "HP", "SZ", "XX"]


def test_grain_labels(vocab) -> None:
    assert grain_label(vocab.registry, "week", "zh") == "周"
    assert grain_label(vocab.registry, None, "en") == "(none)"


def test_with_rows_orders_and_suggests_the_chart(vocab) -> None:
    top = replace(READING, order="desc", limit=1)
    answer = with_rows(Answer("q", "en", None, interpretation=top), vocab.registry, frame_of)
    assert answer.data.to_dicts() == [
        {"line_id": "SZ-SMT2", "line_label": "b", "oee": 0.8, "availability": 0.8}
    ]
    assert (answer.chart.kind, answer.chart.x, answer.chart.y) == (
        "bar",
        "line_label",
        ("oee", "availability"),
    )


def test_edit_answer_runs_through_the_runner(vocab) -> None:
    answer = Answer("q", "en", date(2026, 10, 11), interpretation=READING, sql="old")
    calls: list[Interpretation] = []

    def run(interp: Interpretation) -> pl.DataFrame:
        calls.append(interp)
        return frame_of(interp)

    assert edit_answer(answer, chips_of(READING), vocab, run) is answer and not calls
    one = replace(chips_of(READING), metrics=("oee",))
    edited = edit_answer(answer, one, vocab, run)
    assert calls[0].metrics == ("oee",) and edited.data.columns == ["line_id", "line_label", "oee"]
    assert "availability" not in edited.sql and edited.chart.kind == "bar"
    assert edited.summary == "OEE · by line · plant: Suzhou Plant · 2026-09-28 – 2026-10-04"
    none = edit_answer(answer, replace(one, metrics=()), vocab, run)
    assert none.clarification.reason == "cannot_answer" and len(calls) == 1
    assert none.clarification.message == "Pick at least one KPI."
    assert (none.sql, none.data, none.chart) == (None, None, None)
