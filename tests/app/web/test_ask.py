"""The Ask page and the overview's ask box: chips, edits through metrics.query, chart choice,
clarifications, and the hand-over to the SQL workbench."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from app.web.ask_box import (
    Chips,
    apply_chips,
    chart_of,
    chips_of,
    edit_answer,
    filter_options,
    reask_question,
)
from app.web.i18n import t
from metrics import load_registry
from metrics.nlq import Answer, Chart, Interpretation
from tests.app.web.test_pages import no_errors
from tests.nlq.dims import sample_vocabulary

READING = Interpretation(
    ("oee", "availability"),
    by=("line",),
    where={"plant": ("SZ",)},
    start=date(2026, 9, 28),
    end=date(2026, 10, 5),
)


@pytest.fixture(scope="module")
def vocab():
    return sample_vocabulary()


def frame_of(interp: Interpretation) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "line_id": ["SZ-SMT1", "SZ-SMT2"],
            "line_label": ["a", "b"],
            **{m: [0.8, 0.7] for m in interp.metrics},
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
    assert {"SZ", "HP", "DG"} <= set(options) and options[-1] == "XX"


def test_edit_answer_runs_through_the_runner(vocab) -> None:
    answer = Answer("q", "en", date(2026, 10, 11), interpretation=READING, sql="old")
    calls: list[Interpretation] = []

    def run(interp: Interpretation) -> pl.DataFrame:
        calls.append(interp)
        return frame_of(interp)

    assert edit_answer(answer, chips_of(READING), vocab, run) is answer and not calls
    one = chips_of(READING).__class__(**{**chips_of(READING).__dict__, "metrics": ("oee",)})
    edited = edit_answer(answer, one, vocab, run)
    assert calls[0].metrics == ("oee",) and "availability" not in edited.data.columns
    assert "availability" not in edited.sql and edited.chart.kind == "bar"
    empty = one.__class__(**{**one.__dict__, "metrics": ()})
    assert edit_answer(answer, empty, vocab, run).needs_clarification


def test_reask_question_uses_the_choice(vocab) -> None:
    unknown = Answer(
        "OEE at plant Xyzzy last week",
        "en",
        None,
        clarification="I don't know the plant 'xyzzy'. Did you mean Suzhou Plant?",
        candidates=("SZ",),
    )
    assert reask_question(unknown, "SZ", vocab) == "OEE at plant Suzhou Plant last week"
    vague = Answer("blorp", "en", None, clarification="Which metric do you mean?")
    assert reask_question(vague, "oee", vocab) == "blorp OEE"
    rank = Answer("哪个OEE最低", "zh", None, clarification="按什么比较OEE？")
    assert reask_question(rank, "line", vocab) == "哪个OEE最低 按产线"


def test_chart_follows_the_suggestion() -> None:
    registry = load_registry()
    frame = pl.DataFrame({"line_label": ["a", "b"], "oee": [0.8, 0.7]})
    bar = chart_of(Chart("bar", ("oee",), "line_label"), frame, registry, "en").to_dict()
    assert bar["mark"]["type"] == "bar" and bar["encoding"]["y"]["axis"]["format"] == ".1%"
    trend = pl.DataFrame(
        {
            "period": [date(2026, 10, 1), date(2026, 10, 2)],
            "oee": [0.8, 0.7],
            "plant_label": ["SZ", "SZ"],
        }
    )
    line = chart_of(Chart("line", ("oee",), "period"), trend, registry, "zh").to_dict()
    assert line["mark"]["type"] == "line"
    by_plant = chart_of(Chart("line", ("oee",), "period", "plant_label"), trend, registry, "en")
    assert by_plant.to_dict()["encoding"]["color"]["field"] == "plant_label"
    twins = pl.DataFrame(
        {"line_id": ["DG-SMT1", "SZ-SMT1"], "line_label": ["SMT 1", "SMT 1"], "oee": [0.8, 0.7]}
    )
    values = chart_of(Chart("bar", ("oee",), "line_label"), twins, registry, "en").data
    assert list(values["line_label"]) == ["SMT 1 (DG-SMT1)", "SMT 1 (SZ-SMT1)"]
    assert chart_of(Chart("single_value", ("oee",)), frame.head(1), registry, "en") is None


def ask(at, question: str):
    at.text_input(key="ask_q").input(question).run()
    no_errors(at)
    return at


def test_ask_page_both_languages(open_page) -> None:
    at = open_page("ask")
    no_errors(at)
    assert at.title[0].value == t("page_ask", "en")
    assert any(b.label == "OEE by line last week" for b in at.button)
    ask(at, "OEE by line last week")
    table = at.dataframe[-1].value
    assert "Line" in table.columns and len(table) >= 6
    assert "select" in at.code[0].value.lower() and "oee" in at.code[0].value.lower()
    at.session_state["f_lang"] = "zh"
    at.run()
    no_errors(at)
    assert at.title[0].value == "问数"
    assert any(b.label == "上个月各产线的OEE" for b in at.button)
    ask(at, "上个月各产线的OEE")
    table = at.dataframe[-1].value
    assert "贴片线1" in list(table["产线"])


def test_unclear_question_offers_candidates(open_page) -> None:
    at = ask(open_page("ask"), "blorp")
    assert at.warning and not at.dataframe
    choice = next(b for b in at.button if b.label == "OEE")
    choice.click().run()
    no_errors(at)
    assert at.text_input(key="ask_q").value == "blorp OEE"
    assert "OEE" in at.dataframe[-1].value.columns


def test_edit_chip_and_open_in_workbench(open_page) -> None:
    at = ask(open_page("ask"), "OEE and availability by line last week")
    availability = load_registry().metrics["availability"].label("en")
    assert availability in at.dataframe[-1].value.columns
    chip = next(m for m in at.multiselect if m.key and m.key.endswith("_metrics"))
    chip.unselect("availability").run()
    no_errors(at)
    assert availability not in at.dataframe[-1].value.columns
    sql = at.code[0].value
    assert "availability" not in sql
    at.button(key="ask_wb").click().run()
    no_errors(at)
    assert at.title[0].value == t("page_workbench", "en")
    assert at.session_state["wb_sql"] == sql
    assert at.text_area(key="wb_sql").value == sql


def test_overview_box_answers_inline(open_page) -> None:
    at = open_page("overview", period="last_12_months")
    at.text_input(key="ov_ask_q").input("OEE by plant last week").run()
    no_errors(at)
    assert len(at.metric) == 9
    assert any(c.value.startswith("Read as: OEE · by plant") for c in at.caption)
    at.button(key="ov_ask_more").click().run()
    no_errors(at)
    assert at.title[0].value == t("page_ask", "en")
    assert at.text_input(key="ask_q").value == "OEE by plant last week"
    assert "Plant" in at.dataframe[-1].value.columns
