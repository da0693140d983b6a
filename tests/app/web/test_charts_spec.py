"""The dashboards' charts as Vega-Lite specs: every category is labelled whatever their
number, trends of KPIs of different size get a panel (and y scale) each with a labelled
target line, a KPI has the same colour in every language, a delta that rounds to zero is no
change, and the loss chart's numbers are the hand-worked ones."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from app.web import charts
from app.web.control_chart import characteristic_label
from app.web.kpi_cards import card_rows, delta_display, rounds_to_zero
from app.web.widgets import is_empty, metric_header
from metrics import load_registry
from metrics.colours import TARGET, metric_colour

METRICS = load_registry().metrics
LONG = "A category with a name much longer than any label limit would let through"


def names(count: int) -> list[str]:
    return [f"{LONG} {i:02d}" for i in range(count)]


def views(spec: dict, data: dict | None = None) -> list[dict]:
    """Every single view of a (layered, concatenated) spec, with the data it inherits."""
    data = spec.get("data", data)
    found = [{**spec, "data": data}] if "mark" in spec and data else []
    found += [spec] if "mark" in spec and not data else []
    for key in ("layer", "vconcat", "hconcat"):
        for part in spec.get(key, []):
            found += views(part, data)
    return found


def data_of(spec: dict, view: dict) -> list[dict]:
    return spec["datasets"][view["data"]["name"]] if view.get("data") else []


def category_axes(spec: dict, field: str) -> list[dict]:
    return [
        v["encoding"]["y"]
        for v in views(spec)
        if v.get("encoding", {}).get("y", {}).get("field") == field
    ]


def heights(spec: dict) -> list[int]:
    return [s["height"] for s in [spec, *spec.get("vconcat", [])] if "height" in s]


def assert_all_labelled(spec: dict, field: str, expected: list[str]) -> None:
    """Every category is in the data and on a vertical axis that shows labels in full and
    never hides one that would overlap."""
    axes = category_axes(spec, field)
    assert axes, f"no y axis of {field}"
    for axis in axes:
        assert axis["type"] == "nominal"
        assert axis["axis"]["labelLimit"] == 0 and axis["axis"]["labelOverlap"] is False
        assert axis["axis"]["labelAngle"] == 0
        if "sort" in axis and isinstance(axis["sort"], list):
            assert sorted(axis["sort"]) == sorted(expected)
    values = {row[field] for v in views(spec) for row in data_of(spec, v) if field in row}
    assert values == set(expected)


def heatmap_frame(rows: int) -> pl.DataFrame:
    days = [date(2026, 11, 1) + timedelta(days=d) for d in range(5)]
    return pl.DataFrame(
        {
            "period": [d for _ in range(rows) for d in days],
            "line_name": [n for n in names(rows) for _ in days],
            "oee": [0.8] * (rows * len(days)),
        }
    )


@pytest.mark.parametrize("count", [3, 12])
def test_every_category_is_labelled_and_the_chart_grows(count: int) -> None:
    labels = names(count)
    bars = pl.DataFrame(
        {
            "key": [f"K{i}" for i in range(count)],
            "label": labels,
            "hours": [float(count - i) for i in range(count)],
            "on_time_delivery": [0.9 - i / 100 for i in range(count)],
            "otif": [0.8 - i / 100 for i in range(count)],
            "oee": [0.8 - i / 100 for i in range(count)],
            "group": ["G1", "G2"] * (count // 2) + ["G1"] * (count % 2),
        }
    )
    built = {
        "heatmap": (
            charts.heatmap(heatmap_frame(count), "line_name", "Line", "oee", "OEE", "zh"),
            "line_name",
        ),
        "pareto": (charts.pareto(bars, "label", "Reason", "hours", "Hours", "en"), "label"),
        "drill": (charts.drill_bars(bars, "key", "label", METRICS["oee"], "Plant", "en"), "label"),
        "bars": (
            charts.metric_bars(
                bars, "label", "Region", [METRICS["on_time_delivery"], METRICS["otif"]], "en"
            ),
            "label",
        ),
        "grouped": (
            charts.grouped_bars(bars, "label", "Line", "group", "Plant", METRICS["oee"], "en"),
            "label",
        ),
    }
    row = {"heatmap": charts.HEAT_ROW, "drill": 30, "bars": 2 * charts.BAR_ROW + 8}
    for name, (chart, field) in built.items():
        spec = chart.to_dict()
        assert_all_labelled(spec, field, labels)
        assert spec["autosize"] == charts.FIT_X  # the plot keeps its height
        per_row = row.get(name, charts.ROW if name != "grouped" else 2 * charts.BAR_ROW + 8)
        assert spec["height"] == max(charts.MIN_HEIGHT, per_row * count), name


def test_pareto_folds_the_tail_into_other() -> None:
    frame = pl.DataFrame({"reason": names(20), "hours": [float(20 - i) for i in range(20)]})
    shown = charts.pareto_frame(frame, "reason", "hours", "en", top=15)
    assert shown.height == 15
    assert shown["reason"][-1] == "Other (6)" and shown["hours"][-1] == 6 + 5 + 4 + 3 + 2 + 1
    assert shown["cumulative_share"][-1] == pytest.approx(1.0)
    assert shown["rank"].to_list() == list(range(1, 16))
    assert (
        charts.pareto_frame(frame, "reason", "hours", "zh", top=15)["reason"][-1] == "其他（6项）"
    )


def trend_frame() -> pl.DataFrame:
    days = [date(2026, 11, d) for d in (1, 2, 3, 4)]
    return pl.DataFrame(
        {
            "period": days,
            "oee": [0.80, 0.82, 0.79, 0.81],
            "scrap_rate": [0.004, 0.005, 0.0045, None],
            "throughput_per_hour": [120.0, 125.0, 118.0, 121.0],
        }
    )


def test_trend_panels_have_own_scales_and_labelled_targets() -> None:
    chosen = [METRICS["oee"], METRICS["scrap_rate"], METRICS["throughput_per_hour"]]
    spec = charts.trend_panels(trend_frame(), chosen, "en").to_dict()
    assert spec["resolve"]["scale"]["y"] == "independent"
    panels = spec["vconcat"]
    assert [p["title"]["text"] for p in panels] == [m.label("en") for m in chosen]
    domains = []
    for panel, metric in zip(panels, chosen, strict=True):
        line = panel["layer"][0]
        scale = line["encoding"]["y"]["scale"]
        assert scale["zero"] is False
        domains.append(scale["domain"])
        rules = [v for v in panel["layer"] if v["mark"]["type"] == "rule"]
        texts = [v for v in panel["layer"] if v["mark"]["type"] == "text"]
        if metric.target is None:
            assert not rules and not texts  # a target line only where there is a target
            continue
        (rule,), (text,) = rules, texts
        assert rule["mark"]["color"] == TARGET
        assert data_of(spec, rule)[0]["target"] == metric.target
        assert (
            data_of(spec, text)[0]["text"]
            == {
                "oee": "Target 85.0%",
                "scrap_rate": "Target 1.00%",
            }[metric.name]
        )
    # OEE 79–82 % and target 85 %: the domain around them (span 6 pp, 15 % padding)
    assert domains[0] == pytest.approx([0.79 - 0.009, 0.85 + 0.009])
    # scrap 0.40–0.50 % with target 1 %: not from zero, and the null day left out
    assert domains[1] == pytest.approx([0.004 - 0.0009, 0.01 + 0.0009])
    assert len(data_of(spec, panels[1]["layer"][0])) == 3
    assert domains[2] == pytest.approx([118 - 1.05, 125 + 1.05])
    zh = charts.trend_panels(trend_frame(), chosen, "zh").to_dict()
    assert data_of(zh, zh["vconcat"][0]["layer"][2])[0]["text"] == "目标 85.0%"


def test_a_kpi_without_values_gets_no_panel() -> None:
    frame = trend_frame().with_columns(pl.lit(None, dtype=pl.Float64).alias("rework_rate"))
    spec = charts.trend_panels(frame, [METRICS["oee"], METRICS["rework_rate"]], "en").to_dict()
    assert len(spec["vconcat"]) == 1


def colours(spec: dict) -> list[str]:
    found = []
    for view in views(spec):
        mark, encoding = view["mark"], view.get("encoding", {})
        if mark["type"] in ("line", "bar") and "color" in mark:
            found.append(mark["color"])
        scale = encoding.get("color", {}).get("scale", {})
        found += scale.get("range", [])
    return found


def test_colours_follow_the_metric_name_in_every_language() -> None:
    chosen = [METRICS["oee"], METRICS["availability"], METRICS["performance"]]
    frame = trend_frame().with_columns(
        pl.col("oee").alias("availability"), pl.col("oee").alias("performance")
    )
    by_lang = {
        lang: colours(charts.trend_panels(frame, chosen, lang).to_dict()) for lang in ("en", "zh")
    }
    assert by_lang["en"] == by_lang["zh"] == [metric_colour(m.name) for m in chosen]
    assert len(set(by_lang["en"])) == 3
    split = pl.DataFrame({"region": ["A", "B"], "on_time_delivery": [0.9, 0.8], "otif": [0.8, 0.7]})
    pair = [METRICS["on_time_delivery"], METRICS["otif"]]
    en = charts.metric_bars(split, "region", "Region", pair, "en").to_dict()
    zh = charts.metric_bars(split, "region", "地区", pair, "zh").to_dict()
    assert colours(en) == colours(zh) == [metric_colour("on_time_delivery"), metric_colour("otif")]
    domain = views(zh)[0]["encoding"]["color"]["scale"]["domain"]
    assert domain == [m.label("zh") for m in pair]


def test_delta_that_rounds_to_zero_is_no_change() -> None:
    oee, days = METRICS["oee"], METRICS["days_of_inventory"]
    flat = delta_display(oee, -0.00004, "en")  # -0.004 pp shows as 0.0 pp
    assert (flat.text, flat.colour, flat.arrow) == ("0.0 pp", "off", "off")
    assert rounds_to_zero(oee, -0.00004) and not rounds_to_zero(oee, -0.0005)
    down = delta_display(oee, -0.003, "en")
    assert (down.text, down.colour, down.arrow) == ("-0.3 pp", "normal", "auto")
    fewer_days = delta_display(days, -2.1, "en")  # lower is better: a fall is good
    assert (fewer_days.text, fewer_days.colour, fewer_days.arrow) == ("-2.1", "inverse", "auto")
    assert delta_display(days, 0.04, "en").arrow == "off"
    assert delta_display(oee, None, "en") == delta_display(oee, float("nan"), "en")
    assert delta_display(oee, None, "en").text is None


def test_cards_fill_balanced_rows() -> None:
    assert card_rows(9) == [5, 4]
    assert card_rows(6) == [3, 3]
    assert card_rows(4) == [4]
    assert card_rows(11) == [4, 4, 3]
    assert card_rows(0) == []


def test_loss_frame_of_the_fast_guide_example() -> None:
    """KPIS.md's worked example: PBT 420 min, 47 min UNPLANNED_STOP, APT 373 min, ideal
    cycle 1 s, 19,271 produced of which 423 scrap: breakdowns 47 min, reduced speed
    373 min − 19,271 s = 3,109 s, quality loss 423 s; fully productive 18,848 s."""
    busy = 420 / 60
    losses = [
        ("oee_loss_breakdowns", 47 / 60),
        ("oee_loss_setup", 0.0),
        ("oee_loss_starved_blocked", None),
        ("oee_loss_unknown", 0.0),
        ("oee_loss_minor_stops", 0.0),
        ("oee_loss_reduced_speed", 3109 / 3600),
        ("oee_loss_quality", 423 / 3600),
    ]
    frame = charts.loss_frame(busy, losses, "en")
    assert frame["metric"].to_list()[:3] == [
        "oee_loss_reduced_speed",
        "oee_loss_breakdowns",
        "oee_loss_quality",
    ]
    assert frame["hours"].to_list()[:3] == pytest.approx([0.863611, 0.783333, 0.1175], abs=1e-6)
    assert frame["share"].to_list()[:3] == pytest.approx([0.123373, 0.111905, 0.016786], abs=1e-6)
    assert frame["text"].to_list()[:3] == ["0.9 h · 12.3%", "0.8 h · 11.2%", "0.1 h · 1.7%"]
    assert frame["factor"].to_list()[:3] == [
        "Performance loss",
        "Availability loss",
        "Quality loss",
    ]
    assert frame.filter(pl.col("metric") == "oee_loss_starved_blocked")["hours"][0] == 0.0
    fully = busy - sum(h or 0 for _, h in losses)
    assert fully * 3600 == pytest.approx(18848)
    assert charts.loss_summary(busy, fully, "en").startswith(
        "Planned busy time 7.0 h → fully productive time 5.2 h (74.8%)"
    )
    zh = charts.loss_frame(busy, losses, "zh")
    assert zh["loss"][0] == "速度降低" and zh["text"][0] == "0.9 小时 · 12.3%"
    assert charts.loss_frame(busy, losses, "vi")["text"][0] == "0,9 giờ · 12,3%"
    spec = charts.loss_bars(frame, "en").to_dict()
    assert_all_labelled(spec, "loss", frame["loss"].to_list())
    legend = views(spec)[0]["encoding"]["color"]
    assert legend["scale"]["domain"] == ["Availability loss", "Performance loss", "Quality loss"]
    assert legend["scale"]["range"] == [metric_colour(f) for f in charts.FACTORS]


def test_no_planned_time_is_no_data() -> None:
    for busy in (None, 0.0, float("nan")):
        assert charts.loss_frame(busy, [("oee_loss_breakdowns", 1.0)], "en").is_empty()
    zeros = charts.loss_frame(5.0, [("oee_loss_breakdowns", 0.0), ("oee_loss_setup", None)], "en")
    assert is_empty(zeros, ["hours"])
    assert not is_empty(charts.loss_frame(5.0, [("oee_loss_setup", 0.5)], "en"), ["hours"])
    assert is_empty(pl.DataFrame({"oee": [None, None]}), ["oee"])
    assert not is_empty(pl.DataFrame({"oee": [None, 0.8]}), ["oee"])


def test_headers_carry_units_from_the_registry() -> None:
    assert metric_header(METRICS["mtbf_hours"], "en") == "MTBF (h)"
    assert metric_header(METRICS["mttr_hours"], "zh").endswith("（小时）")
    assert metric_header(METRICS["mttr_hours"], "vi").endswith("(giờ)")
    assert metric_header(METRICS["avg_inventory_value"], "zh").endswith("（元）")
    assert metric_header(METRICS["days_of_inventory"], "en") == "Days of inventory"  # says it
    assert metric_header(METRICS["oee"], "en") == "OEE"  # a percentage


def test_axes_follow_the_readers_numbers() -> None:
    assert charts.locale("vi")["number"] == {
        "decimal": ",",
        "thousands": ".",
        "grouping": [3],
        "currency": ["", ""],
    }
    assert charts.locale("en")["number"]["decimal"] == "."
    expression = charts.number_axis_expr("zh")
    assert "亿" in expression and "万" in expression
    assert charts.number_axis_expr("en") is None


def test_characteristics_have_names() -> None:
    assert characteristic_label("solder_paste_height_um", "en") == "Solder paste height (µm)"
    assert characteristic_label("solder_paste_height_um", "zh") == "锡膏高度（µm）"
    assert characteristic_label("bore_diameter", "zh") == "Bore diameter"  # no entry: readable
