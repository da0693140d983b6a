"""Answers on the hand-worked warehouse (tests/metrics/factory.py): golden numbers by hand.

GOLDEN is data: (request, expected rows). Each expected row lists the key columns and
metric values that must match (floats to 1e-9); rows are compared in order.
"""

from __future__ import annotations

from datetime import date

import pytest

import metrics
from metrics.registry import GRAINS
from tests.metrics.factory import EQUIPMENT_SHIFTS

OCT = {"start": "2026-10-01", "end": "2026-11-01"}
ALL = metrics.Scope.all()
D = date.fromisoformat

GOLDEN = [
    # KPIS.md fast guide, to 4 dp: 0.8881, 0.8611, 0.9780, 0.7479.
    (
        dict(
            metrics=["availability", "performance", "quality", "oee"],
            by=["equipment"],
            where={"equipment": ["SZ-L2-M1"]},
            **OCT,
        ),
        [
            {
                "equipment_id": "SZ-L2-M1",
                "equipment_label": "Machine SZ-L2-M1",
                "availability": 22380 / 25200,
                "performance": 19271 / 22380,
                "quality": 18848 / 19271,
                "oee": 18848 / 25200,
            }
        ],
    ),
    # KPIS.md roll-up: 215 / 400 = 0.5375, not the mean of 0.8 and 0.45.
    (
        dict(
            metrics=["oee"],
            by=["line"],
            where={"line": "SZ-L1"},
            start="2026-10-05",
            end="2026-10-12",
        ),
        [{"line_id": "SZ-L1", "line_label": "SMT Line 1", "oee": 0.5375}],
    ),
    (
        dict(
            metrics=["oee"],
            by=["equipment"],
            where={"line": ["SZ-L1"]},
            start="2026-10-05",
            end="2026-10-12",
        ),
        [{"equipment_id": "SZ-L1-M1", "oee": 0.8}, {"equipment_id": "SZ-L1-M2", "oee": 0.45}],
    ),
    # ISO weeks: Sunday 2026-10-04 falls in the week of Monday 2026-09-28.
    (
        dict(metrics=["oee"], by=["line"], where={"line": ["SZ-L1"]}, grain="week", **OCT),
        [
            {"period": D("2026-09-28"), "line_id": "SZ-L1", "oee": 480 / 1000},
            {"period": D("2026-10-05"), "line_id": "SZ-L1", "oee": 0.5375},
        ],
    ),
    # Months: October = (18,848 + 4,800 + 8,100 + 480) / (25,200 + 6,000 + 18,000 + 1,000).
    (
        dict(
            metrics=["oee"],
            by=["plant"],
            where={"plant": ["SZ"]},
            grain="month",
            start="2026-10-01",
            end="2026-12-01",
        ),
        [
            {
                "period": D("2026-10-01"),
                "plant_id": "SZ",
                "plant_label": "Suzhou Plant",
                "oee": 32228 / 50200,
            },
            {"period": D("2026-11-01"), "plant_id": "SZ", "oee": 11400 / 20000},
        ],
    ),
    # Zero PBT at Dongguan: NULL, never 0 and never an error.
    (
        dict(
            metrics=["availability", "performance", "quality", "oee", "mtbf_hours"],
            by=["plant"],
            where={"plant": ["DG"]},
            **OCT,
        ),
        [
            {
                "plant_id": "DG",
                "availability": None,
                "performance": None,
                "quality": None,
                "oee": None,
                "mtbf_hours": None,
            }
        ],
    ),
    # Chinese labels.
    (
        dict(metrics=["oee"], by=["plant"], lang="zh", **OCT),
        [
            {"plant_id": "DG", "plant_label": "东莞工厂", "oee": None},
            {"plant_id": "SZ", "plant_label": "苏州工厂", "oee": 32228 / 50200},
        ],
    ),
    # October against September (whole months) and against October 2025.
    (
        dict(
            metrics=["oee"],
            by=["line"],
            where={"line": ["SZ-L2"]},
            compare="previous_period",
            **OCT,
        ),
        [
            {
                "line_id": "SZ-L2",
                "oee": 18848 / 25200,
                "oee_previous": 0.54,
                "oee_delta": 18848 / 25200 - 0.54,
            }
        ],
    ),
    (
        dict(
            metrics=["oee"],
            by=["line"],
            where={"line": ["SZ-L2"]},
            compare="same_period_last_year",
            **OCT,
        ),
        [
            {
                "line_id": "SZ-L2",
                "oee": 18848 / 25200,
                "oee_last_year": 0.9,
                "oee_delta": 18848 / 25200 - 0.9,
            }
        ],
    ),
    # The previous period of Oct–Nov is Aug–Sep, bucket by bucket: Oct ↔ Aug, Nov ↔ Sep.
    (
        dict(
            metrics=["oee"],
            by=["line"],
            where={"line": ["SZ-L2"]},
            grain="month",
            compare="previous",
            start="2026-10-01",
            end="2026-12-01",
        ),
        [
            {"period": D("2026-10-01"), "oee": 18848 / 25200, "oee_previous": None},
            {"period": D("2026-11-01"), "oee": 0.57, "oee_previous": 0.54, "oee_delta": 0.03},
        ],
    ),
    # Day grain, previous 7 days: 2026-10-05 compares with 2026-09-28 (no data) …
    (
        dict(
            metrics=["oee"],
            where={"line": ["SZ-L2"]},
            grain="day",
            compare="previous",
            start="2026-10-05",
            end="2026-10-12",
        ),
        [{"period": D("2026-10-05"), "oee": 18848 / 25200, "oee_previous": None}],
    ),
    # … and same period last year at day grain is 52 weeks back: Monday 2025-10-06.
    (
        dict(
            metrics=["oee"],
            where={"line": ["SZ-L2"]},
            grain="day",
            compare="last_year",
            start="2026-10-05",
            end="2026-10-06",
        ),
        [{"period": D("2026-10-05"), "oee": 18848 / 25200, "oee_last_year": 0.9}],
    ),
    # Loss waterfall of SZ-L1 in the week of 2026-10-05 (hours); PBT − losses = 12,900 s.
    (
        dict(
            metrics=[
                "planned_busy_hours",
                "oee_loss_breakdowns",
                "oee_loss_setup",
                "oee_loss_starved_blocked",
                "oee_loss_unknown",
                "oee_loss_minor_stops",
                "oee_loss_reduced_speed",
                "oee_loss_quality",
                "fully_productive_hours",
            ],
            where={"line": ["SZ-L1"]},
            start="2026-10-05",
            end="2026-10-12",
        ),
        [
            {
                "planned_busy_hours": 24000 / 3600,
                "oee_loss_breakdowns": 1800 / 3600,
                "oee_loss_setup": 3000 / 3600,
                "oee_loss_starved_blocked": 3000 / 3600,
                "oee_loss_unknown": 1800 / 3600,
                "oee_loss_minor_stops": 0.0,
                "oee_loss_reduced_speed": 600 / 3600,
                "oee_loss_quality": 900 / 3600,
                "fully_productive_hours": 12900 / 3600,
            }
        ],
    ),
    # MTBF 14,400 s / 3 breakdowns; MTTR 1,800 s / 3; throughput 230 units / 4 h.
    (
        dict(
            metrics=["mtbf_hours", "mttr_hours", "throughput_per_hour"],
            where={"line": ["SZ-L1"]},
            start="2026-10-05",
            end="2026-10-12",
        ),
        [{"mtbf_hours": 4.0 / 3, "mttr_hours": 1 / 6, "throughput_per_hour": 57.5}],
    ),
    # Energy: 520 kWh / 18,848 good; by shift the out-of-shift reading has no good units,
    # and shift B has good units but no readings (unknown, not 0).
    (
        dict(metrics=["energy_kwh_per_unit"], by=["line"], where={"line": ["SZ-L2"]}, **OCT),
        [{"line_id": "SZ-L2", "energy_kwh_per_unit": 520 / 18848}],
    ),
    (
        dict(metrics=["energy_kwh_per_unit"], by=["shift"], **OCT),
        [
            {"shift_code": "A", "shift_label": "A", "energy_kwh_per_unit": 500 / 19063},
            {"shift_code": "B", "energy_kwh_per_unit": None},
            {"shift_code": None, "energy_kwh_per_unit": None},
        ],
    ),
    # Count-based yields by product.
    (
        dict(
            metrics=["first_pass_yield", "scrap_rate", "rework_rate", "produced_qty"],
            by=["product"],
            **OCT,
        ),
        [
            {
                "product_id": "FG-100",
                "product_label": "Power module",
                "first_pass_yield": 18848 / 19271,
                "scrap_rate": 423 / 19271,
                "rework_rate": 0.0,
                "produced_qty": 19271,
            },
            {
                "product_id": "FG-200",
                "product_label": "Controller",
                "first_pass_yield": 223 / 238,
                "scrap_rate": 10 / 238,
                "rework_rate": 5 / 238,
                "produced_qty": 238,
            },
        ],
    ),
    # defect_ppm across two facts; DG-L1 has defects but no production: NULL.
    (
        dict(metrics=["defect_ppm", "defect_qty"], by=["line"], **OCT),
        [
            {"line_id": "DG-L1", "defect_ppm": None, "defect_qty": 2},
            {"line_id": "SZ-L1", "defect_ppm": 3 / 238 * 1e6, "defect_qty": 3},
            {"line_id": "SZ-L2", "defect_ppm": 20 / 19271 * 1e6, "defect_qty": 20},
        ],
    ),
    (
        dict(metrics=["inspection_pass_rate", "inspections"], by=["plant"], **OCT),
        [
            {"plant_id": "DG", "inspection_pass_rate": 0.0, "inspections": 1},
            {"plant_id": "SZ", "inspection_pass_rate": 7 / 9, "inspections": 9},
        ],
    ),
    (
        dict(metrics=["defect_qty"], by=["defect_code"], lang="zh", **OCT),
        [
            {"defect_code": "D01", "defect_code_label": "连锡", "defect_qty": 22},
            {"defect_code": "D02", "defect_code_label": "划伤", "defect_qty": 3},
            {"defect_code": None, "defect_qty": 0},
        ],
    ),
    # cpk: 0.14 / (3 × 0.0316228) and 0.5 / (3 × 0.141421); attribute-only groups: NULL.
    (
        dict(metrics=["cpk"], by=["product", "characteristic"], **OCT),
        [
            {"product_id": "FG-100", "characteristic": "solder_height", "cpk": 1.4757295747},
            {"product_id": "FG-100", "characteristic": "visual", "cpk": None},
            {"product_id": "FG-200", "characteristic": "torque", "cpk": 1.1785113019},
            {"product_id": "FG-200", "characteristic": "visual", "cpk": None},
        ],
    ),
    # Delivery: due lines promised in October (cancelled and not-yet-due lines excluded).
    (
        dict(metrics=["on_time_delivery", "otif", "order_lead_time_days"], **OCT),
        [{"on_time_delivery": 2 / 3, "otif": 1 / 3, "order_lead_time_days": 36.0}],
    ),
    (
        dict(metrics=["on_time_delivery", "otif"], by=["customer"], **OCT),
        [
            {"customer_id": "C1", "customer_label": "Acme", "on_time_delivery": 1.0, "otif": 0.5},
            {"customer_id": "C2", "on_time_delivery": 0.0, "otif": 0.0},
        ],
    ),
    (
        dict(metrics=["on_time_delivery"], by=["region"], lang="zh", **OCT),
        [
            {"region": "EAST", "region_label": "华东", "on_time_delivery": 1.0},
            {"region": "EU", "region_label": "欧洲", "on_time_delivery": 0.0},
        ],
    ),
    # Customer segment (factory.SEGMENT_OF: C1 Automotive, C2 Industrial). Due in October:
    # Automotive O1-1 on time and in full, O1-2 on time but short -> OTD 2/2, OTIF 1/2;
    # Industrial O2-1 late -> 0/1, 0/1. Lead time Automotive (38 + 49) / 2, Industrial 21.
    (
        dict(
            metrics=["on_time_delivery", "otif", "order_lead_time_days"],
            by=["customer_segment"],
            lang="vi",
            **OCT,
        ),
        [
            {
                "segment": "Automotive",
                "customer_segment_label": "Ô tô",
                "on_time_delivery": 1.0,
                "otif": 0.5,
                "order_lead_time_days": 43.5,
            },
            {
                "segment": "Industrial",
                "customer_segment_label": "Công nghiệp",
                "on_time_delivery": 0.0,
                "otif": 0.0,
                "order_lead_time_days": 21.0,
            },
        ],
    ),
    (
        dict(metrics=["on_time_delivery"], by=["customer_segment"], lang="zh", **OCT),
        [
            {"segment": "Automotive", "customer_segment_label": "汽车", "on_time_delivery": 1.0},
            {"segment": "Industrial", "customer_segment_label": "工业", "on_time_delivery": 0.0},
        ],
    ),
    # Filtered to Automotive: O1-1 and O1-2 only; ordered in October: O3-1's 40 (Automotive),
    # O2-1's 80 + O2-2's 10 (Industrial); both shipments are C1's: 100 + 50 shipped.
    (
        dict(
            metrics=["on_time_delivery", "otif"],
            where={"customer_segment": ["Automotive"]},
            **OCT,
        ),
        [{"on_time_delivery": 1.0, "otif": 0.5}],
    ),
    (
        dict(metrics=["order_qty"], by=["customer_segment"], **OCT),
        [{"segment": "Automotive", "order_qty": 40}, {"segment": "Industrial", "order_qty": 90}],
    ),
    (
        dict(metrics=["shipped_qty", "cogs"], where={"customer_segment": "Automotive"}, **OCT),
        [{"shipped_qty": 150, "cogs": 200000.0}],
    ),
    (dict(metrics=["order_qty"], **OCT), [{"order_qty": 130}]),
    (
        dict(metrics=["supplier_on_time"], by=["supplier"], **OCT),
        [
            {"supplier_id": "S1", "supplier_label": "Slow Parts", "supplier_on_time": 0.5},
            {"supplier_id": "S2", "supplier_on_time": 1.0},
        ],
    ),
    (
        dict(metrics=["supplier_on_time", "schedule_adherence"], **OCT),
        [{"supplier_on_time": 2 / 3, "schedule_adherence": 2 / 3}],
    ),
    (
        dict(metrics=["schedule_adherence"], by=["line"], **OCT),
        [
            {"line_id": "SZ-L1", "schedule_adherence": 0.5},
            {"line_id": "SZ-L2", "schedule_adherence": 1.0},
        ],
    ),
    # Inventory, October: COGS 200,000; average of 80k, 100k, 120k = 100,000.
    (
        dict(
            metrics=[
                "cogs",
                "avg_inventory_value",
                "inventory_turnover",
                "annualized_inventory_turnover",
                "days_of_inventory",
            ],
            **OCT,
        ),
        [
            {
                "cogs": 200000,
                "avg_inventory_value": 100000,
                "inventory_turnover": 2.0,
                "annualized_inventory_turnover": 2.0 * 365 / 31,
                "days_of_inventory": 15.5,
            }
        ],
    ),
    # Same month by product: FG-100 150,000 / 73,333.33; FG-200 50,000 / 26,666.67.
    (
        dict(metrics=["inventory_turnover", "days_of_inventory"], by=["product"], **OCT),
        [
            {
                "product_id": "FG-100",
                "inventory_turnover": 150000 / (220000 / 3),
                "days_of_inventory": (220000 / 3) / (150000 / 31),
            },
            {
                "product_id": "FG-200",
                "inventory_turnover": 50000 / (80000 / 3),
                "days_of_inventory": (80000 / 3) / (50000 / 31),
            },
        ],
    ),
    # Clipped period 10-10 .. 11-01 = 22 days: COGS 50,000, snapshots 16th and 31st.
    (
        dict(
            metrics=["inventory_turnover", "annualized_inventory_turnover", "days_of_inventory"],
            start="2026-10-10",
            end="2026-11-01",
        ),
        [
            {
                "inventory_turnover": 50000 / 110000,
                "annualized_inventory_turnover": 50000 / 110000 * 365 / 22,
                "days_of_inventory": 110000 / (50000 / 22),
            }
        ],
    ),
    (
        dict(metrics=["days_of_inventory"], grain="month", start="2026-10-10", end="2026-11-01"),
        [{"period": D("2026-10-01"), "days_of_inventory": 48.4}],
    ),
    # A month bucket without start/end is the whole calendar month (31 days).
    (
        dict(metrics=["days_of_inventory"], grain="month"),
        [{"period": D("2026-10-01"), "days_of_inventory": 15.5}],
    ),
    # Stock but no shipments in September: turnover 0, days of inventory NULL.
    (
        dict(
            metrics=["inventory_turnover", "days_of_inventory", "cogs"],
            start="2026-10-16",
            end="2026-10-17",
        ),
        [{"inventory_turnover": 0.0, "days_of_inventory": None, "cogs": None}],
    ),
    (
        dict(metrics=["shipped_qty"], by=["warehouse"], lang="zh", **OCT),
        [{"warehouse_id": "SZ-FG", "warehouse_label": "苏州成品仓", "shipped_qty": 150}],
    ),
]


def _close(actual: object, expected: object) -> bool:
    if expected is None or actual is None:
        return actual is expected
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return actual == pytest.approx(expected, rel=1e-9, abs=1e-9)
    return actual == expected


@pytest.mark.parametrize(
    ("request_", "expected"),
    GOLDEN,
    ids=[f"{i}-{'+'.join(r['metrics'])}" for i, (r, _) in enumerate(GOLDEN)],
)
def test_golden(con, request_: dict, expected: list[dict]) -> None:
    frame = metrics.query(**request_, con=con, scope=ALL)
    rows = frame.to_dicts()
    assert len(rows) == len(expected), frame
    for row, want in zip(rows, expected, strict=True):
        for column, value in want.items():
            assert _close(row[column], value), (column, row[column], value, frame)


def test_fast_guide_to_four_decimals(con) -> None:
    row = metrics.query(
        ["availability", "performance", "quality", "oee"],
        by="equipment",
        where={"equipment": "SZ-L2-M1"},
        con=con,
        scope=ALL,
        **OCT,
    ).row(0, named=True)
    assert [round(row[m], 4) for m in ("availability", "performance", "quality", "oee")] == [
        0.8881,
        0.8611,
        0.9780,
        0.7479,
    ]


def test_output_columns_in_order(con) -> None:
    frame = metrics.query(
        ["oee", "availability"],
        by=["plant", "line"],
        grain="week",
        compare="previous",
        con=con,
        scope=ALL,
        **OCT,
    )
    assert frame.columns == [
        "period",
        "plant_id",
        "plant_label",
        "line_id",
        "line_label",
        "oee",
        "oee_previous",
        "oee_delta",
        "availability",
        "availability_previous",
        "availability_delta",
    ]


def _bucket(day: date, grain: str) -> date:
    if grain == "day":
        return day
    if grain == "week":
        return date.fromordinal(day.toordinal() - day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


@pytest.mark.parametrize("grain", GRAINS)
def test_ratio_of_sums_at_every_grain(con, grain: str) -> None:
    sums: dict[tuple[date, str], list[float]] = {}
    for row in EQUIPMENT_SHIFTS:
        key = (_bucket(row["production_date"], grain), row["plant_id"])
        total = sums.setdefault(key, [0.0, 0.0])
        total[0] += row["ideal_good_s"]
        total[1] += row["pbt_s"]
    expected = {k: (g / p if p else None) for k, (g, p) in sums.items()}
    frame = metrics.query(["oee"], by=["plant"], grain=grain, con=con, scope=ALL)
    got = {(r["period"], r["plant_id"]): r["oee"] for r in frame.to_dicts()}
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert _close(got[key], value), key


@pytest.mark.parametrize(
    ("by", "grain"),
    [
        (["line"], None),
        (["plant"], None),
        (["plant"], "month"),
        (["equipment"], "week"),
        ([], "year"),
    ],
)
def test_availability_performance_quality_multiply_to_oee(con, by, grain) -> None:
    frame = metrics.query(
        ["availability", "performance", "quality", "oee"], by=by, grain=grain, con=con, scope=ALL
    )
    checked = 0
    for row in frame.to_dicts():
        if row["oee"] is None:
            assert row["availability"] is None
            continue
        product = row["availability"] * row["performance"] * row["quality"]
        assert product == pytest.approx(row["oee"], rel=1e-12)
        checked += 1
    assert checked > 0


def test_sql_injection_in_filter_values_is_a_literal(con, marts_path) -> None:
    attack = "SZ' ; drop table marts.fct_equipment_shifts; --"
    frame = metrics.query(
        ["oee"], by=["plant"], where={"plant": [attack]}, con=con, scope=ALL, **OCT
    )
    assert frame.height == 0
    sql = metrics.compile(["oee"], by=["plant"], where={"plant": [attack]}, scope=ALL)
    assert "'SZ'' ; drop table marts.fct_equipment_shifts; --'" in sql
    assert con.execute("select count(*) from marts.fct_equipment_shifts").fetchall()[0][0] == len(
        EQUIPMENT_SHIFTS
    )
    quoted = metrics.query(
        ["oee"], where={"line": ['SZ-L1") or 1=1 --', "x'||'y"]}, con=con, scope=ALL
    )
    assert quoted.to_dicts() == [{"oee": None}]


def test_every_metric_answers_by_every_allowed_dimension(con) -> None:
    registry = metrics.load_registry()
    for metric in registry.metrics.values():
        required = list(metric.required_dimensions)
        for dim in metric.dimensions:
            by = list(dict.fromkeys([*required, dim]))
            frame = metrics.query([metric.name], by=by, con=con, scope=ALL, **OCT)
            assert metric.name in frame.columns
        frame = metrics.query(
            [metric.name],
            by=required,
            grain="month",
            compare="previous",
            con=con,
            scope=ALL,
            start="2026-09-01",
            end="2026-12-01",
        )
        assert f"{metric.name}_delta" in frame.columns


def test_query_opens_the_warehouse_read_only(marts_path) -> None:
    frame = metrics.query(["oee"], by=["plant"], warehouse=marts_path, **OCT, scope=ALL)
    assert frame["plant_id"].to_list() == ["DG", "SZ"]


def test_missing_warehouse_is_a_metric_error(tmp_path) -> None:
    with pytest.raises(metrics.MetricError, match="No warehouse at"):
        metrics.query(["oee"], warehouse=tmp_path / "absent.duckdb")
