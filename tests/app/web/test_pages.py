"""Every page renders on the built sample factory; filters change numbers; 中文 relabels."""

from __future__ import annotations

import pytest

from metrics.i18n import t
from metrics.scope import Scope

PAGES = {
    "overview": "page_overview",
    "equipment": "page_equipment",
    "quality": "page_quality",
    "planning": "page_planning",
    "delivery": "page_delivery",
    "order_journey": "page_journey",
    "inventory": "page_inventory",
    "health": "page_health",
    "sql_workbench": "page_workbench",
}


def no_errors(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not [e for e in at.error if "Refused" not in e.value], [e.value for e in at.error]


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_in_both_languages(open_page, page: str) -> None:
    at = open_page(page, period="last_12_months")
    no_errors(at)
    assert at.title[0].value == t(PAGES[page], "en")
    at.session_state["f_lang"] = "zh"
    at.run()
    no_errors(at)
    assert at.title[0].value == t(PAGES[page], "zh")
    assert at.session_state["andon_context"].filters.preset == "last_12_months"
    assert at.query_params.get("lang") in ("zh", ["zh"])


def card_values(at) -> dict[str, str]:
    """{KPI label without its status dot: value}."""
    return {m.label.split(" ", 1)[1]: m.value for m in at.metric}


def test_overview_cards_and_plant_filter(open_page) -> None:
    at = open_page("overview", period="last_12_months")
    everywhere = card_values(at)
    assert len(everywhere) == 9 and "OEE" in everywhere
    matrix = at.table[0].value  # drawn static: no column cut off
    assert len(matrix.data if hasattr(matrix, "data") else matrix) == 3  # three plants
    at.session_state["f_plant"] = "HP"
    at.run()
    no_errors(at)
    one_plant = card_values(at)
    assert one_plant.keys() == everywhere.keys()
    assert one_plant != everywhere
    one = at.table[0].value
    assert len(one.data if hasattr(one, "data") else one) == 1
    assert at.query_params.get("plant") in ("HP", ["HP"])


def test_link_restores_filters(open_page) -> None:
    at = open_page("overview", period="last_week", plant="SZ", lang="zh")
    no_errors(at)
    ctx = at.session_state["andon_context"]
    assert ctx.filters.preset == "last_week" and ctx.filters.plant == "SZ"
    assert at.title[0].value == "总览"
    assert any("设备综合效率" in m.label for m in at.metric)


def test_period_changes_numbers(open_page) -> None:
    at = open_page("overview", period="last_12_months")
    year = card_values(at)
    at.session_state["f_period"] = "last_week"
    at.run()
    assert card_values(at) != year


def test_equipment_drill_down(open_page) -> None:
    from app.web import data

    at = open_page("equipment", period="last_12_months")
    no_errors(at)
    assert len(at.table[0].value) == 3  # plants: the reliability table
    at.selectbox(key="drill_pick_0").set_value("SZ").run()
    no_errors(at)
    ctx = at.session_state["andon_context"]
    assert ctx.filters.plant == "SZ"
    lines = data.lines(ctx.key, scope=Scope.all())  # outside the app: say the scope
    line = lines.filter(lines["plant_id"] == "SZ")["line_id"][0]
    at.selectbox(key="drill_pick_1").set_value(line).run()
    no_errors(at)
    assert at.session_state["andon_context"].filters.line == line
    machines = data.equipment(ctx.key, scope=Scope.all())
    machine = machines.filter(machines["line_id"] == line)["equipment_id"][0]
    at.selectbox(key="drill_pick_2").set_value(machine).run()
    no_errors(at)
    assert at.session_state["drill_equipment"] == machine


def test_quality_lot_trace(open_page) -> None:
    from app.web import data

    at = open_page("quality", period="last_12_months")
    no_errors(at)
    key = at.session_state["andon_context"].key
    lot = (
        data.cursor(key)
        .execute("select lot_id from marts.fct_inspections where lot_id is not null limit 1")
        .fetchone()[0]
    )
    at.text_input(key="lot").input(lot).run()
    no_errors(at)
    tables = [d.value for d in at.dataframe]
    assert any("Work order" in frame.columns for frame in tables)
    at.text_input(key="lot").input("NO-SUCH-LOT").run()
    assert at.warning


def test_workbench_runs_and_refuses(open_page) -> None:
    at = open_page("sql_workbench")
    no_errors(at)
    at.text_area(key="wb_sql").input("select plant_id from marts.dim_plant order by 1")
    at.button[1].click().run()
    no_errors(at)
    result = at.dataframe[-1].value
    assert list(result["plant_id"]) == ["DG", "HP", "SZ"]
    at.text_area(key="wb_sql").input("drop table marts.dim_plant")
    at.button[1].click().run()
    assert at.error and "DROP" in at.error[0].value
