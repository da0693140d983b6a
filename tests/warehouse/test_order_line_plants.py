"""Sales order lines belong to the plant that fulfils them (KPIS.md), on the built sample
factory: the rule recomputed here in Python from the shipments and work orders must give
exactly fct_order_lines.plant_id (the dbt unit test int_order_lines_located has the
hand-worked precedence cases)."""

from __future__ import annotations

from pathlib import Path

from warehouse.connections import connect_published


def test_order_line_plants_follow_the_rule(built_warehouse: Path) -> None:
    con = connect_published(built_warehouse)
    try:
        shipments = con.execute(
            "select order_id, line_no, shipped_at, shipment_id, plant_id"
            " from marts.fct_shipments where plant_id is not null"
        ).fetchall()
        work_orders = con.execute(
            "select w.sales_order_id, w.sales_order_line, w.planned_start, w.work_order_id,"
            " l.plant_id from staging.stg_mes__work_orders w"
            " join marts.dim_line l on l.line_id = w.line_id"
            " where w.sales_order_id is not null and w.status <> 'CANCELLED'"
        ).fetchall()
        lines = con.execute(
            "select order_id, line_no, plant_id, plant_source from marts.fct_order_lines"
        ).fetchall()
        plants = {p for (p,) in con.execute("select plant_id from marts.dim_plant").fetchall()}
    finally:
        con.close()
    first_shipment: dict[tuple, tuple] = {}
    for order, line, at, shipment, plant in shipments:
        key = (order, line)
        if key not in first_shipment or (at, shipment) < first_shipment[key][:2]:
            first_shipment[key] = (at, shipment, plant)
    first_order: dict[tuple, tuple] = {}
    for order, line, start, work_order, plant in work_orders:
        key = (order, line)
        if key not in first_order or (start, work_order) < first_order[key][:2]:
            first_order[key] = (start, work_order, plant)
    expected = {}
    for order, line, _plant, _source in lines:
        key = (order, line)
        if key in first_shipment:
            expected[key] = (first_shipment[key][2], "SHIPMENT")
        elif key in first_order:
            expected[key] = (first_order[key][2], "WORK_ORDER")
        else:
            expected[key] = (None, None)
    assert {(o, n): (p, s) for o, n, p, s in lines} == expected
    shipped = [k for k, (p, s) in expected.items() if s == "SHIPMENT"]
    assert len(shipped) == 39 and {expected[k][0] for k in shipped} == plants
    # lines that neither shipped nor were made to order are unassigned; the sample factory's
    # work orders carry no sales order reference, so that is every line not shipped yet
    assert sum(1 for p, _ in expected.values() if p is None) == len(lines) - 39
