"""The Ask page and the overview's ask box: the chart of an answer, clarifications offered as
buttons, chip edits, and the hand-over to the SQL workbench. The logic behind them is tested
in tests/nlq/test_clarify.py and tests/nlq/test_edits.py."""

from __future__ import annotations

from datetime import date

import polars as pl

from app.web.ask_chart import chart_of
from metrics import load_registry
from metrics.i18n import t
from metrics.nlq import Chart
from tests.app.web.test_pages import no_errors


def test_chart_follows_the_suggestion() -> None:
    registry = load_registry()
    frame = pl.DataFrame({"line_label": ["a", "b"], "oee": [0.8, 0.7]})
    bar = chart_of(Chart("bar", ("oee",), "line_label"), frame, registry, "en").to_dict()
    bars = bar["layer"][0]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["y"]["field"] == "line_label"  # categories down the side
    assert bars["encoding"]["y"]["axis"]["labelLimit"] == 0
    assert bars["encoding"]["x"]["axis"]["format"] == ".2~%"
    assert any(layer["mark"]["type"] == "rule" for layer in bar["layer"])  # OEE's target
    trend = pl.DataFrame(
        {
            "period": [date(2026, 10, 1), date(2026, 10, 2)],
            "oee": [0.8, 0.7],
            "plant_label": ["SZ", "SZ"],
        }
    )
    line = chart_of(Chart("line", ("oee",), "period"), trend, registry, "zh").to_dict()
    assert line["vconcat"][0]["layer"][0]["mark"]["type"] == "line"
    by_plant = chart_of(Chart("line", ("oee",), "period", "plant_label"), trend, registry, "en")
    panel = by_plant.to_dict()["vconcat"][0]["layer"][0]
    assert panel["encoding"]["color"]["field"] == "plant_label"
    twins = pl.DataFrame(
        {"line_id": ["DG-SMT1", "SZ-SMT1"], "line_label": ["SMT 1", "SMT 1"], "oee": [0.8, 0.7]}
    )
    values = chart_of(Chart("bar", ("oee",), "line_label"), twins, registry, "en").to_dict()
    shown = next(iter(values["datasets"].values()))
    assert sorted({row["line_label"] for row in shown}) == ["SMT 1 (DG-SMT1)", "SMT 1 (SZ-SMT1)"]
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
    assert at.warning[0].value.startswith("Which metric do you mean? For example: OEE,")
    assert not at.dataframe
    choice = next(b for b in at.button if b.label == "OEE")
    choice.click().run()
    no_errors(at)
    assert at.text_input(key="ask_q").value == "blorp OEE"
    assert "OEE" in at.dataframe[-1].value.columns


def test_unknown_value_is_replaced_by_the_choice(open_page) -> None:
    at = ask(open_page("ask"), "OEE by line at plant Xyzzy last week")
    options = [b.label for b in at.button if b.key and b.key.startswith("ask_c")]
    assert sorted(options) == ["Dongguan Plant", "Haiphong Plant", "Suzhou Plant"]
    first, second, third = options  # the text names the buttons, in their order
    assert at.warning[0].value == (
        f"I don't know the plant 'xyzzy'. Did you mean {first}, {second} or {third}?"
    )
    next(b for b in at.button if b.label == "Suzhou Plant").click().run()
    no_errors(at)
    assert at.text_input(key="ask_q").value == "OEE by line at plant Suzhou Plant last week"
    assert not at.warning
    assert any(
        c.value.startswith("Read as: OEE · by line · plant: Suzhou Plant") for c in at.caption
    )
    assert len(at.dataframe[-1].value) == 4  # the four Suzhou lines


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
