"""The Planning page and the Quality page's engineering changes: the chart and table
builders on hand-worked frames (app/web/plan_charts.py), and both pages on the built sample
warehouse — through AppTest and in the real app in headless Chromium, in English and 中文.

The sample (tests/sample_build.py) runs 2026-09-28 … 2026-10-11: Dongguan publishes a
schedule every six hours and changes most of its frozen window, Suzhou and Haiphong once a
day and change little; its one change in effect is ECO-26-0001 (FG-MC-100 B→C), effective
2026-10-28: after the newest data, shown among the changes still to come."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

from app.web import plan_charts
from metrics import load_registry
from metrics.colours import BAD, GOOD, TARGET, WARN
from metrics.i18n import t
from tests.app.web.chromium import (
    HAS_CHROMIUM,
    check_clean,
    chromium,
    demo_accounts,
    new_tab,
    open_nav,
    serve_app,
    settle,
    sign_in,
)
from tests.app.web.test_charts_spec import data_of, views
from tests.app.web.test_pages import no_errors

METRICS = load_registry().metrics
ECO_PERIOD = {"period": "last_12_months"}  # to the newest data: and the 30 days after it
VERSIONS_SQL = """
    select plan_version, cast(window_ops as bigint) as window_ops,
        cast(changed_ops as bigint) as changed_ops
    from marts.fct_schedule_versions where plant_id = 'DG' order by published_at desc
"""


def spec_of(chart) -> dict:  # noqa: ANN001 - an Altair chart
    """The chart's spec, validated against the Vega-Lite schema (the app skips that)."""
    return chart.to_dict(validate=True)


# ---------------------------------------------------------------------------- builders


def test_status_frame_colours_each_bar_by_its_target() -> None:
    # plan attainment: target 95 %, higher is better, amber within 5 points below it
    lines = pl.DataFrame(
        {"line": ["L1", "L2", "L3", "L4"], "plan_attainment": [0.85, 0.97, None, 0.92]}
    )
    frame = plan_charts.status_frame(lines, "line", METRICS["plan_attainment"], "en")
    assert frame["line"].to_list() == ["L2", "L4", "L1"]  # best first, no value: no bar
    assert frame["status"].to_list() == ["green", "amber", "red"]
    assert frame["text"].to_list() == ["97.0%", "92.0%", "85.0%"]
    assert frame["status_name"].to_list() == ["On target", "Near target", "Off target"]
    # schedule change rate: target 15 %, lower is better, amber up to 20 %
    plants = pl.DataFrame({"plant": ["DG", "SZ", "HP"], "schedule_change_rate": [0.88, 0.08, 0.18]})
    frame = plan_charts.status_frame(plants, "plant", METRICS["schedule_change_rate"], "zh")
    assert frame["plant"].to_list() == ["SZ", "HP", "DG"]
    assert frame["status"].to_list() == ["green", "amber", "red"]
    assert frame["status_name"].to_list() == ["达标", "接近目标", "未达标"]


def test_status_bars_spec() -> None:
    lines = pl.DataFrame({"line": ["L1", "L2", "L3"], "plan_attainment": [0.85, 0.97, 0.92]})
    spec = spec_of(
        plan_charts.status_bars(lines, "line", "Line", METRICS["plan_attainment"], "en", "T")
    )
    bars = next(v for v in views(spec) if v["mark"] in ("bar", {"type": "bar"}))
    colour = bars["encoding"]["color"]
    assert colour["scale"] == {
        "domain": ["On target", "Near target", "Off target"],
        "range": [GOOD, WARN, BAD],
    }
    assert bars["encoding"]["y"]["sort"] == ["L2", "L3", "L1"]
    assert bars["encoding"]["y"]["axis"]["labelLimit"] == 0
    rows = data_of(spec, bars)
    assert [(r["line"], r["status"], r["text"]) for r in rows] == [
        ("L2", "green", "97.0%"),
        ("L3", "amber", "92.0%"),
        ("L1", "red", "85.0%"),
    ]
    targets = [v for v in views(spec) if v.get("mark", {}).get("color") == TARGET]
    assert [data_of(spec, v)[0]["target"] for v in targets] == [0.95, 0.95]  # rule and label


def test_line_names_tell_plants_apart() -> None:
    frame = pl.DataFrame(
        {"line_id": ["SZ-ASSY1", "DG-ASSY1"], "line_label": ["Assembly Line 1"] * 2}
    )
    lines = pl.DataFrame({"line_id": ["DG-ASSY1", "SZ-ASSY1"], "plant_id": ["DG", "SZ"]})
    named = plan_charts.with_line_names(frame, lines)
    assert named["line_name"].to_list() == ["SZ · Assembly Line 1", "DG · Assembly Line 1"]


CHANGES = pl.DataFrame(
    {
        "effective_date": [date(2026, 6, 22), date(2026, 9, 7), date(2026, 6, 22)],
        "eco_id": ["ECO-26-0020", "ECO-26-0036", "ECO-26-0019"],
        "product_id": ["FG-MC-200", "FG-WH-220", "FG-MC-100"],
        "from_revision": ["C", "B", "B"],
        "to_revision": ["D", "C", "C"],
    }
)


def test_change_marks_one_per_effective_date() -> None:
    marks = plan_charts.change_marks(CHANGES, as_of=date(2026, 9, 1))
    assert marks.to_dicts() == [
        {
            "effective_date": date(2026, 6, 22),
            "changes": 2,
            "eco_ids": "ECO-26-0019, ECO-26-0020",
            "products": "FG-MC-100 B→C, FG-MC-200 C→D",
            "upcoming": False,
        },
        {
            "effective_date": date(2026, 9, 7),
            "changes": 1,
            "eco_ids": "ECO-26-0036",
            "products": "FG-WH-220 B→C",
            "upcoming": True,
        },
    ]
    empty = plan_charts.change_marks(CHANGES.clear(), as_of=date(2026, 9, 1))
    assert empty.is_empty() and empty.columns == [
        "effective_date",
        "changes",
        "eco_ids",
        "products",
        "upcoming",
    ]


def eco_views(spec: dict) -> list[dict]:
    return [
        v
        for v in views(spec)
        if v.get("encoding", {}).get("x", {}).get("field") == "effective_date"
    ]


def test_trend_with_changes_draws_a_rule_on_each_effective_date() -> None:
    trend = pl.DataFrame(
        {
            "period": [date(2026, 6, 20), date(2026, 6, 21), date(2026, 6, 22), date(2026, 6, 23)],
            "first_pass_yield": [0.94, 0.941, 0.981, 0.98],
        }
    )
    marks = plan_charts.change_marks(CHANGES, as_of=date(2026, 9, 1))
    spec = spec_of(
        plan_charts.trend_with_changes(trend, METRICS["first_pass_yield"], marks, "en", "FPY")
    )
    rule, marker = eco_views(spec)
    assert rule["mark"]["type"] == "rule" and rule["mark"]["color"] == plan_charts.CHANGE_COLOUR
    assert marker["mark"]["shape"] == "triangle-down"
    assert [(r["eco_ids"], r["upcoming"]) for r in data_of(spec, rule)] == [
        ("ECO-26-0019, ECO-26-0020", False),
        ("ECO-26-0036", True),  # after the as-of date: drawn lighter
    ]
    assert rule["encoding"]["opacity"]["condition"]["test"] == "datum.upcoming"
    titles = [tip["title"] for tip in rule["encoding"]["tooltip"]]
    assert titles == ["Effective", "Changes", "Change (ECO)", "Product and revision"]
    line = next(v for v in views(spec) if v["mark"]["type"] == "line")
    assert [r["text"] for r in data_of(spec, line)] == ["94.0%", "94.1%", "98.1%", "98.0%"]
    target = next(v for v in views(spec) if v["mark"].get("color") == TARGET)
    assert data_of(spec, target)[0]["target"] == 0.98
    # no change in the period: the trend alone
    alone = spec_of(
        plan_charts.trend_with_changes(
            trend, METRICS["first_pass_yield"], marks.clear(), "zh", "FPY"
        )
    )
    assert eco_views(alone) == []


# ---------------------------------------------------------------------------- AppTest


def chart_specs(at) -> list[dict]:  # noqa: ANN001 - AppTest
    """The page's Vega-Lite specs, each with its datasets as rows."""

    def walk(node):  # noqa: ANN001, ANN202
        for child in getattr(node, "children", {}).values():
            yield child
            yield from walk(child)

    specs = []
    for element in walk(at._tree):
        if element.type != "vega_lite_chart":
            continue
        spec = json.loads(element.proto.spec)
        spec["datasets"] = {
            d.name: pa.ipc.open_stream(io.BytesIO(d.data.data)).read_all().to_pylist()
            for d in element.proto.datasets
        }
        specs.append(spec)
    return specs


def versions_from_mart(key: str) -> list[tuple]:
    from app.web import data

    return data.cursor(key).execute(VERSIONS_SQL).fetchall()


def test_planning_page_lists_dongguans_nervous_schedule(open_page) -> None:
    at = open_page("planning", period="last_12_months")
    no_errors(at)
    assert at.title[0].value == "Planning"
    assert [m.label.split(" ", 1)[1] for m in at.metric] == [
        "Plan attainment",
        "Planned quantity",
        "Schedule change rate",
    ]
    table = at.dataframe[0].value
    dg = table[table["Plant"] == "DG"]
    mart = versions_from_mart(at.session_state["andon_context"].key)
    assert len(mart) == 56  # every six hours for 14 days
    shown = list(
        zip(dg["Schedule version"], dg["Ops in frozen window"], dg["Ops changed"], strict=True)
    )
    assert [(v, None if w != w else int(w), None if c != c else int(c)) for v, w, c in shown] == [
        (v, w, c) for v, w, c in mart
    ]
    assert table["Published"].is_monotonic_decreasing  # newest first
    rates = {
        row["plant_label"]: row["value"]
        for spec in chart_specs(at)
        for view in views(spec)
        if view.get("encoding", {}).get("y", {}).get("field") == "plant_label"
        for row in data_of(spec, view)
    }
    assert rates["Dongguan Plant"] > 0.8 and rates["Suzhou Plant"] < 0.15
    assert rates["Haiphong Plant"] < 0.15

    at.session_state["f_lang"] = "zh"
    at.run()
    no_errors(at)
    assert at.title[0].value == "计划排程"
    assert "排程版本" in at.dataframe[0].value.columns


def test_planning_versions_are_the_callers_plants(open_page) -> None:
    at = open_page("planning", user="sz.manager", period="last_12_months")
    no_errors(at)
    lang = at.session_state["andon_context"].lang
    table = at.dataframe[0].value
    assert set(table[load_registry().dimension("plant").label(lang)]) == {"SZ"}


def test_quality_page_draws_the_changes_over_first_pass_yield(open_page) -> None:
    at = open_page("quality", **ECO_PERIOD)
    no_errors(at)
    changes = next(d.value for d in at.dataframe if "Change (ECO)" in d.value.columns)
    assert changes[["Change (ECO)", "From revision", "To revision"]].values.tolist() == [
        ["ECO-26-0001", "B", "C"]
    ]
    assert str(changes["Effective"].iloc[0])[:10] == "2026-10-28"
    rules = [
        (view, spec)
        for spec in chart_specs(at)
        for view in eco_views(spec)
        if view["mark"]["type"] == "rule"
    ]
    assert len(rules) == 1
    view, spec = rules[0]
    assert [r["eco_ids"] for r in data_of(spec, view)] == ["ECO-26-0001"]
    assert [r["products"] for r in data_of(spec, view)] == ["FG-MC-100 B→C"]
    assert t("eco_list_upcoming", "en", days=30) in [m.value.strip("*") for m in at.markdown]
    assert t("no_superseded", "en") in [s.value for s in at.success]
    # Dongguan makes no FG-MC-100: its Quality page has no change to show
    at = open_page("quality", user="dg.analyst", **ECO_PERIOD)
    no_errors(at)
    lang = at.session_state["andon_context"].lang
    assert t("no_effective_changes", lang) in [i.value for i in at.info]


# ---------------------------------------------------------------------------- browser

ECO_MARKS = """() => Array.from(document.querySelectorAll('[data-testid=stMain] .vega-embed'))
  .map(chart => chart.querySelectorAll('[stroke="COLOUR"], [fill="COLOUR"]').length)
""".replace("COLOUR", plan_charts.CHANGE_COLOUR)


def column(tab, index: int, table: int = 0) -> list[str]:  # noqa: ANN001
    """The `index`-th column (from 1) of the `table`-th data grid, as drawn on screen."""
    grid = tab.locator("[data-testid=stMain] [data-testid=stDataFrame]").nth(table)
    cells = grid.locator(f"td[aria-colindex='{index}']")
    cells.first.wait_for(state="attached")
    return cells.all_inner_texts()


@pytest.mark.skipif(not HAS_CHROMIUM, reason="no system Chromium")
def test_both_pages_in_browser(built_warehouse: Path, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    demo_accounts(state)
    query = "&".join(f"{k}={v}" for k, v in ECO_PERIOD.items())
    from warehouse.connections import connect_published

    mart = connect_published(built_warehouse).execute(VERSIONS_SQL).fetchall()
    with serve_app(built_warehouse, state) as url, chromium() as browser:
        tab = new_tab(browser)
        tab.goto(f"{url}/quality?{query}")  # the ECO-26-0001 ahead of the data
        settle(tab)
        sign_in(tab, "admin", "andon-demo-admin")
        assert tab.locator("h1").first.inner_text() == "Quality"
        assert "ECO-26-0001" in column(tab, 2)
        tab.wait_for_function(f"() => ({ECO_MARKS})().some(count => count >= 2)")
        check_clean(tab)

        open_nav(tab, "Planning")
        assert tab.locator("h1").first.inner_text() == "Planning"
        tab.wait_for_function("document.querySelectorAll('[data-testid=stMetric]').length === 3")
        versions, windows, changed = column(tab, 2), column(tab, 5), column(tab, 6)
        drawn = {v: (w, c) for v, w, c in zip(versions, windows, changed, strict=True)}
        dongguan = [(v, str(w), str(c)) for v, w, c in mart if v in drawn]
        assert len(dongguan) >= 3  # the newest versions on screen include Dongguan's
        assert [(v, *drawn[v]) for v, _, _ in dongguan] == dongguan
        check_clean(tab)

        tab.locator("[data-testid=stSidebar]").get_by_text("中文", exact=True).click()
        settle(tab)
        assert tab.locator("h1").first.inner_text() == "计划排程"
        assert "冻结期" in tab.locator("[data-testid=stMain] h3").all_inner_texts()[0]
        open_nav(tab, "质量")
        assert tab.locator("h1").first.inner_text() == "质量"
        assert "ECO-26-0001" in column(tab, 2)
        tab.wait_for_function(f"() => ({ECO_MARKS})().some(count => count >= 2)")
        check_clean(tab)
