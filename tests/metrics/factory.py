"""A tiny hand-worked warehouse: the marts of docs/marts.md with a few rows each.

Every number the tests assert is worked out by hand from these rows (see the comments).
Tables are created from the registry's column lists, typed by column name.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from metrics.registry import load_registry

D = date.fromisoformat


def column_type(column: str) -> str:
    if column == "is_as_of_date":
        return "BOOLEAN"
    if column.endswith("_date") or column in ("date_day", "month_start", "week_start"):
        return "DATE"
    if column.endswith(("_at", "_ts")) or column in (
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
    ):
        return "TIMESTAMP"
    if column.startswith("is_") or column in (
        "line_no",
        "year",
        "quarter",
        "month",
        "iso_year",
        "iso_week",
        "day_of_week",
        "fiscal_year",
        "fiscal_quarter",
        "events",
        "unplanned_stop_events",
        "window_ops",
        "changed_ops",
        "open_ecos",
    ):
        return "INTEGER"
    if column.endswith(("_s", "_qty", "_kwh", "_value", "_cost", "_days", "_min", "_hours")) or (
        column in ("seconds", "lsl", "usl", "cogs", "produced_qty_with_revision")
    ):
        return "DOUBLE"
    return "VARCHAR"


def equipment_shift(
    equipment: str,
    day: str,
    shift: str,
    *,
    cycle_s: float,
    planned_stop: float = 0,
    running: float = 0,
    minor: float = 0,
    setup: float = 0,
    unplanned: float = 0,
    events: int = 0,
    starved: float = 0,
    blocked: float = 0,
    unknown: float = 0,
    not_scheduled: float = 0,
    produced: float = 0,
    good: float = 0,
    scrap: float = 0,
    rework: float = 0,
) -> dict[str, Any]:
    """One fct_equipment_shifts row from the state seconds and quantities (KPIS.md time model)."""
    plant, line = equipment.split("-")[0], "-".join(equipment.split("-")[:2])
    apt = running + minor
    pbt = apt + setup + unplanned + starved + blocked + unknown
    pot = pbt + planned_stop
    ideal_produced = cycle_s * produced
    return {
        "plant_id": plant,
        "line_id": line,
        "equipment_id": equipment,
        "production_date": D(day),
        "shift_code": shift,
        "shift_s": pot + not_scheduled,
        "not_scheduled_s": not_scheduled,
        "pot_s": pot,
        "planned_stop_s": planned_stop,
        "pbt_s": pbt,
        "running_s": running,
        "minor_stop_s": minor,
        "apt_s": apt,
        "setup_s": setup,
        "unplanned_stop_s": unplanned,
        "starved_s": starved,
        "blocked_s": blocked,
        "unknown_s": unknown,
        "unplanned_stop_events": events,
        "produced_qty": produced,
        "good_qty": good,
        "scrap_qty": scrap,
        "rework_qty": rework,
        "ideal_produced_s": ideal_produced,
        "ideal_good_s": cycle_s * good,
        "ideal_loss_s": cycle_s * (scrap + rework),
        "reduced_speed_s": apt - minor - ideal_produced,
        "fully_productive_s": cycle_s * good,
    }


# fct_equipment_shifts
#  fast guide (KPIS.md): 480 min shift, 60 min planned stop, 47 min breakdown, 1 s cycle,
#    19,271 produced, 423 scrap -> PBT 25,200 s, APT 22,380 s.
#  roll-up (KPIS.md): SZ-L1-M1 PBT 100 min, run 90, cycle 1 min, 80/80;
#    SZ-L1-M2 PBT 300 min, run 150, 150 produced, 135 good -> line OEE 12,900/24,000.
EQUIPMENT_SHIFTS = [
    equipment_shift(
        "SZ-L2-M1",
        "2026-10-05",
        "A",
        cycle_s=1,
        planned_stop=3600,
        running=22380,
        unplanned=2820,
        events=1,
        produced=19271,
        good=18848,
        scrap=423,
    ),
    equipment_shift(
        "SZ-L1-M1",
        "2026-10-06",
        "A",
        cycle_s=60,
        running=5400,
        unplanned=600,
        events=1,
        produced=80,
        good=80,
    ),
    equipment_shift(
        "SZ-L1-M2",
        "2026-10-06",
        "A",
        cycle_s=60,
        running=9000,
        setup=3000,
        starved=2000,
        blocked=1000,
        unknown=1800,
        unplanned=1200,
        events=2,
        produced=150,
        good=135,
        scrap=10,
        rework=5,
    ),
    # Sunday 2026-10-04 belongs to ISO week starting Monday 2026-09-28.
    equipment_shift(
        "SZ-L1-M1",
        "2026-10-04",
        "B",
        cycle_s=60,
        running=500,
        unplanned=500,
        events=1,
        produced=8,
        good=8,
    ),
    # A Dongguan shift wholly not scheduled: PBT 0 -> every ratio NULL.
    equipment_shift("DG-L1-M1", "2026-10-07", "A", cycle_s=1, not_scheduled=28800),
    # September (previous period of October): OEE 5,400 / 10,000.
    equipment_shift(
        "SZ-L2-M1",
        "2026-09-07",
        "A",
        cycle_s=1,
        running=8000,
        unplanned=2000,
        events=1,
        produced=6000,
        good=5400,
        scrap=600,
    ),
    # November: OEE 11,400 / 20,000.
    equipment_shift(
        "SZ-L2-M1",
        "2026-11-02",
        "A",
        cycle_s=1,
        running=16000,
        unplanned=4000,
        events=2,
        produced=12000,
        good=11400,
        scrap=600,
    ),
    # October last year: OEE 9,000 / 10,000.
    equipment_shift(
        "SZ-L2-M1", "2025-10-06", "B", cycle_s=1, running=9000, setup=1000, produced=9000, good=9000
    ),
]


def production(
    equipment: str,
    day: str,
    shift: str,
    product: str,
    family: str,
    cycle_s: float,
    produced: float,
    good: float,
    scrap: float = 0,
    rework: float = 0,
) -> dict:
    row = {
        "plant_id": equipment[:2],
        "line_id": equipment[:5],
        "equipment_id": equipment,
        "production_date": D(day),
        "shift_code": shift,
        "product_id": product,
        "product_family": family,
        "produced_qty": produced,
        "good_qty": good,
        "scrap_qty": scrap,
        "rework_qty": rework,
        "ideal_produced_s": cycle_s * produced,
        "ideal_good_s": cycle_s * good,
        "ideal_loss_s": cycle_s * (scrap + rework),
    }
    return row


PRODUCTION = [
    production("SZ-L2-M1", "2026-10-05", "A", "FG-100", "Power", 1, 19271, 18848, 423),
    production("SZ-L1-M1", "2026-10-06", "A", "FG-200", "Control", 60, 80, 80),
    production("SZ-L1-M2", "2026-10-06", "A", "FG-200", "Control", 60, 150, 135, 10, 5),
    production("SZ-L1-M1", "2026-10-04", "B", "FG-200", "Control", 60, 8, 8),
    production("SZ-L2-M1", "2026-09-07", "A", "FG-100", "Power", 1, 6000, 5400, 600),
    production("SZ-L2-M1", "2026-11-02", "A", "FG-100", "Power", 1, 12000, 11400, 600),
    production("SZ-L2-M1", "2025-10-06", "B", "FG-100", "Power", 1, 9000, 9000),
]

ENERGY = [
    {
        "plant_id": "SZ",
        "line_id": "SZ-L2",
        "equipment_id": "SZ-L2-M1",
        "production_date": D("2026-10-05"),
        "shift_code": "A",
        "energy_kwh": 500.0,
    },
    {
        "plant_id": "SZ",
        "line_id": "SZ-L2",
        "equipment_id": "SZ-L2-M1",
        "production_date": D("2026-10-05"),
        "shift_code": None,
        "energy_kwh": 20.0,
    },
]


def inspection(
    number: int,
    equipment: str,
    day: str,
    product: str,
    characteristic: str,
    value: float | None,
    lsl: float | None,
    usl: float | None,
    passed: bool,
    defect: str | None = None,
    defect_qty: float = 0,
) -> dict:
    return {
        "inspection_id": f"I{number}",
        "inspected_at": datetime.fromisoformat(f"{day} 10:00"),
        "inspected_date": D(day),
        "plant_id": equipment[:2],
        "line_id": equipment[:5],
        "equipment_id": equipment,
        "shift_code": "A",
        "product_id": product,
        "product_family": "Power" if product == "FG-100" else "Control",
        "lot_id": "L1",
        "work_order_id": "W1",
        "characteristic": characteristic,
        "measured_value": value,
        "lsl": lsl,
        "usl": usl,
        "result": "PASS" if passed else "FAIL",
        "is_pass": int(passed),
        "defect_code": defect,
        "defect_qty": defect_qty,
    }


# cpk FG-100 solder_height: 1.00 … 1.08 -> mean 1.04, s = sqrt(0.004 / 4) = 0.0316228,
#   min(1.2 − 1.04, 1.04 − 0.9) / (3 s) = 0.14 / 0.0948683 = 1.475730.
# cpk FG-200 torque: 2.4, 2.6 -> mean 2.5, s = 0.141421, 0.5 / 0.424264 = 1.178511.
INSPECTIONS = [
    inspection(1, "SZ-L2-M1", "2026-10-05", "FG-100", "solder_height", 1.00, 0.9, 1.2, True),
    inspection(2, "SZ-L2-M1", "2026-10-05", "FG-100", "solder_height", 1.02, 0.9, 1.2, True),
    inspection(3, "SZ-L2-M1", "2026-10-06", "FG-100", "solder_height", 1.04, 0.9, 1.2, True),
    inspection(4, "SZ-L2-M1", "2026-10-06", "FG-100", "solder_height", 1.06, 0.9, 1.2, True),
    inspection(5, "SZ-L2-M1", "2026-10-07", "FG-100", "solder_height", 1.08, 0.9, 1.2, True),
    inspection(6, "SZ-L2-M1", "2026-10-05", "FG-100", "visual", None, None, None, False, "D01", 20),
    inspection(7, "SZ-L1-M2", "2026-10-06", "FG-200", "torque", 2.4, 2.0, 3.0, True),
    inspection(8, "SZ-L1-M2", "2026-10-06", "FG-200", "torque", 2.6, 2.0, 3.0, True),
    inspection(9, "SZ-L1-M2", "2026-10-06", "FG-200", "visual", None, None, None, False, "D02", 3),
    inspection(10, "DG-L1-M1", "2026-10-07", "FG-100", "visual", None, None, None, False, "D01", 2),
]


# The customers' industry segments, carried onto their order and shipment lines.
SEGMENT_OF = {"C1": "Automotive", "C2": "Industrial"}


def order_line(
    order: str,
    line: int,
    customer: str,
    region: str,
    material: str,
    qty: float,
    ordered: str,
    promised: str,
    status: str,
    due: int,
    first_shipped: str | None,
    shipped: float,
    by_promise: float,
    completed: str | None,
    plant: str | None,
) -> dict:
    on_time = in_full = None
    if due:
        on_time = int(first_shipped is not None and D(first_shipped) <= D(promised))
        in_full = int(by_promise >= qty)
    return {
        "order_id": order,
        "line_no": line,
        "plant_id": plant,
        "plant_source": "SHIPMENT" if first_shipped else ("WORK_ORDER" if plant else None),
        "customer_id": customer,
        "region": region,
        "segment": SEGMENT_OF[customer],
        "material_id": material,
        "product_family": "Power" if material == "FG-100" else "Control",
        "order_qty": qty,
        "order_date": D(ordered),
        "requested_date": D(promised),
        "promised_date": D(promised),
        "status": status,
        "as_of_date": D("2026-11-05"),
        "is_due": due,
        "first_shipped_date": D(first_shipped) if first_shipped else None,
        "shipped_qty": shipped,
        "shipped_qty_by_promise": by_promise,
        "is_on_time": on_time,
        "is_in_full": in_full,
        "completed_date": D(completed) if completed else None,
        "lead_time_days": (D(completed) - D(ordered)).days if completed else None,
        "is_completed": int(completed is not None),
        "open_qty": qty - shipped,
        "is_late_open": 0,
        "is_at_risk": 0,
    }


# Due in October: O1-1 (on time, in full), O1-2 (on time, short by the promise), O2-1 (late).
# OTD 2/3, OTIF 1/3; C1 OTD 2/2, OTIF 1/2; C2 0/1. Lead time (38 + 49 + 21) / 3 = 36 days.
# Segments (SEGMENT_OF): Automotive = C1, OTD 2/2, OTIF 1/2, lead time (38 + 49) / 2 = 43.5;
# Industrial = C2, OTD 0/1, lead time 21. Ordered in October: Automotive 40 (O3-1),
# Industrial 80 + 10 = 90 (O2-1, O2-2 cancelled but ordered).
# Fulfilling plants: O1-1 and O2-1 SZ, O1-2 and O2-2 DG, O3-1 unassigned (not shipped, no
# work order). SZ: OTD 1/2, OTIF 1/2, lead time (38 + 21) / 2 = 29.5; DG: OTD 1/1, OTIF 0/1,
# lead time 49. Ordered in October: SZ 80, DG 10, unassigned 40 (all plants 130).
ORDER_LINES = [
    order_line(
        "O1",
        1,
        "C1",
        "EAST",
        "FG-100",
        100,
        "2026-09-01",
        "2026-10-10",
        "CLOSED",
        1,
        "2026-10-09",
        100,
        100,
        "2026-10-09",
        "SZ",
    ),
    order_line(
        "O1",
        2,
        "C1",
        "EAST",
        "FG-200",
        50,
        "2026-09-01",
        "2026-10-15",
        "CLOSED",
        1,
        "2026-10-14",
        50,
        30,
        "2026-10-20",
        "DG",
    ),
    order_line(
        "O2",
        1,
        "C2",
        "EU",
        "FG-100",
        80,
        "2026-10-01",
        "2026-10-20",
        "CLOSED",
        1,
        "2026-10-22",
        80,
        0,
        "2026-10-22",
        "SZ",
    ),
    order_line(
        "O2",
        2,
        "C2",
        "EU",
        "FG-100",
        10,
        "2026-10-02",
        "2026-10-25",
        "CANCELLED",
        0,
        None,
        0,
        0,
        None,
        "DG",
    ),
    order_line(
        "O3",
        1,
        "C1",
        "EAST",
        "FG-200",
        40,
        "2026-10-10",
        "2026-11-20",
        "OPEN",
        0,
        None,
        0,
        0,
        None,
        None,
    ),
]


def po_line(
    po: str, supplier: str, material: str, promised: str, due: int, on_time: int | None
) -> dict:
    return {
        "po_id": po,
        "line_no": 1,
        "supplier_id": supplier,
        "material_id": material,
        "material_type": "RAW",
        "plant_id": "SZ",
        "order_qty": 100.0,
        "order_date": D("2026-09-01"),
        "promised_date": D(promised),
        "as_of_date": D("2026-11-05"),
        "is_due": due,
        "received_qty": 100.0,
        "received_qty_by_promise": 100.0 if on_time else 0.0,
        "first_receipt_date": D(promised),
        "is_on_time": on_time if due else None,
    }


# Supplier on time in October: S1 1/2, S2 1/1 (P4 is not due yet) -> 2/3.
PO_LINES = [
    po_line("P1", "S1", "RM-1", "2026-10-05", 1, 1),
    po_line("P2", "S1", "RM-2", "2026-10-12", 1, 0),
    po_line("P3", "S2", "RM-1", "2026-10-08", 1, 1),
    po_line("P4", "S2", "RM-1", "2026-11-30", 0, None),
]


def work_order(number: int, line: str, planned_end: str, completed: int, on_time: int) -> dict:
    end = datetime.fromisoformat(f"{planned_end} 16:00")
    return {
        "work_order_id": f"W{number}",
        "plant_id": line[:2],
        "line_id": line,
        "product_id": "FG-200" if line == "SZ-L1" else "FG-100",
        "product_family": "Control" if line == "SZ-L1" else "Power",
        "sales_order_id": None,
        "sales_order_line": None,
        "planned_qty": 100.0,
        "planned_start": end,
        "planned_end": end,
        "planned_end_date": D(planned_end),
        "actual_start": end,
        "actual_end": end if completed else None,
        "status": "COMPLETED" if completed else "RELEASED",
        "is_completed": completed,
        "is_on_schedule": on_time,
    }


# Schedule adherence in October: SZ-L1 1/2, SZ-L2 1/1 (W4 not completed) -> 2/3.
WORK_ORDERS = [
    work_order(1, "SZ-L1", "2026-10-06", 1, 1),
    work_order(2, "SZ-L1", "2026-10-07", 1, 0),
    work_order(3, "SZ-L2", "2026-10-08", 1, 1),
    work_order(4, "SZ-L2", "2026-10-09", 0, 0),
]


def shipment(number: int, day: str, material: str, qty: float, cogs: float) -> dict:
    return {
        "shipment_id": f"S{number}",
        "order_id": "O1",
        "line_no": number,
        "shipped_at": datetime.fromisoformat(f"{day} 09:00"),
        "shipped_date": D(day),
        "plant_id": "SZ",
        "warehouse_id": "SZ-FG",
        "customer_id": "C1",
        "region": "EAST",
        "segment": SEGMENT_OF["C1"],
        "material_id": material,
        "material_type": "FG",
        "product_family": "Power" if material == "FG-100" else "Control",
        "shipped_qty": qty,
        "cogs": cogs,
    }


# Inventory, October: snapshots on the 1st, 16th and 31st worth 80,000, 100,000 and 120,000
# -> average 100,000; COGS 200,000 -> turnover 2.0, annualized 2 × 365 / 31, DOI 15.5 days.
SHIPMENTS = [
    shipment(1, "2026-10-09", "FG-100", 100, 150000.0),
    shipment(2, "2026-10-14", "FG-200", 50, 50000.0),
]


def snapshot(day: str, material: str, value: float) -> dict:
    return {
        "snapshot_date": D(day),
        "plant_id": "SZ",
        "warehouse_id": "SZ-FG",
        "material_id": material,
        "material_type": "FG",
        "product_family": "Power" if material == "FG-100" else "Control",
        "on_hand_qty": value / 100,
        "inventory_value": value,
    }


INVENTORY = [
    snapshot("2026-10-01", "FG-100", 60000),
    snapshot("2026-10-01", "FG-200", 20000),
    snapshot("2026-10-16", "FG-100", 70000),
    snapshot("2026-10-16", "FG-200", 30000),
    snapshot("2026-10-31", "FG-100", 90000),
    snapshot("2026-10-31", "FG-200", 30000),
]


def planned(line: str, day: str, product: str, planned_qty: float, good_qty: float) -> dict:
    return {
        "plant_id": line[:2],
        "line_id": line,
        "product_id": product,
        "product_family": "Power" if product == "FG-100" else "Control",
        "production_date": D(day),
        "planned_qty": planned_qty,
        "good_qty": good_qty,
    }


# Plan attainment, October: SZ (95 + 60 + 10) / (100 + 50 + 0) = 165 / 150 = 1.1 (SZ-L2 made
# 10 of a product it had not planned: counted, planned 0); DG 150 / 200 = 0.75; all plants
# 315 / 350 = 0.9 (not the mean of the line-days). By line: SZ-L1 155 / 150, SZ-L2 NULL
# (nothing planned), DG-L1 0.75. planned_qty: SZ 150, DG 200.
PLAN = [
    planned("SZ-L1", "2026-10-06", "FG-200", 100, 95),
    planned("SZ-L1", "2026-10-07", "FG-200", 50, 60),
    planned("SZ-L2", "2026-10-06", "FG-100", 0, 10),
    planned("DG-L1", "2026-10-06", "FG-100", 200, 150),
]


def version(plant: str, number: int, day: str, window: int | None, changed: int | None) -> dict:
    published = datetime.fromisoformat(f"{day} 06:00")
    return {
        "plan_version": f"{plant}-V{number}",
        "plant_id": plant,
        "published_at": published,
        "published_date": D(day),
        "horizon_start": published,
        "horizon_end": published,
        "previous_plan_version": f"{plant}-V{number - 1}" if number > 1 else None,
        "window_ops": window,
        "changed_ops": changed,
    }


# Schedule change rate, October: SZ (1 + 9) / (10 + 30) = 0.25 (the mean of the versions'
# rates would be 0.2); DG 16 / 20 = 0.8; all (1 + 9 + 16) / (10 + 30 + 20) = 26 / 60. A
# plant's first version has no previous one: NULL, left out.
SCHEDULE_VERSIONS = [
    version("SZ", 1, "2026-10-01", None, None),
    version("SZ", 2, "2026-10-02", 10, 1),
    version("SZ", 3, "2026-10-03", 30, 9),
    version("DG", 1, "2026-10-01", None, None),
    version("DG", 2, "2026-10-02", 20, 16),
]


def change(
    eco: str,
    product: str,
    status: str,
    created: str,
    approved: str | None,
    effective: str | None,
    closed: str | None,
    approval_days: float | None,
    effect_days: float | None,
) -> dict:
    def ts(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text) if text else None

    return {
        "eco_id": eco,
        "product_id": product,
        "from_revision": "A",
        "to_revision": "B",
        "status": status,
        "created_at": ts(created),
        "approved_at": ts(approved),
        "effective_date": D(effective) if effective else None,
        "closed_at": ts(closed),
        "created_date": ts(created).date(),
        "approved_date": ts(approved).date() if approved else None,
        "is_approved": int(approved is not None),
        "approval_days": approval_days,
        "is_effective": int(status in ("APPROVED", "IMPLEMENTED") and effective is not None),
        "effect_days": effect_days,
    }


# Approval days (created -> approved): E1 4.5 (09-28 10:00 -> 10-02 22:00), E2 1.0, E4 5.0
# (approved in September). October: (4.5 + 1.0) / 2 = 2.75. Effect days (approved ->
# effective date's midnight): E1 10-02 22:00 -> 10-10 = 7 d 2 h = 7.0833, E4 15.0 (effective
# 10-05), E6 none (APPROVED without an approval time: effective, but no duration, so not
# counted), E2 26 d 16 h = 26.6667 (November). October: (7.0833 + 15) / 2 = 11.0417; FG-200
# alone 15.0 (not 7.5).
ENGINEERING_CHANGES = [
    change("E1", "FG-100", "IMPLEMENTED", "2026-09-28 10:00", "2026-10-02 22:00", "2026-10-10",
           "2026-10-20 12:00", 4.5, 7 + 2 / 24),
    change("E2", "FG-100", "APPROVED", "2026-10-05 08:00", "2026-10-06 08:00", "2026-11-02",
           None, 1.0, 26 + 16 / 24),
    change("E3", "FG-200", "OPEN", "2026-10-10 00:00", None, None, None, None, None),
    change("E4", "FG-200", "IMPLEMENTED", "2026-09-15 00:00", "2026-09-20 00:00", "2026-10-05",
           "2026-10-08 00:00", 5.0, 15.0),
    change("E5", "FG-200", "REJECTED", "2026-10-01 00:00", None, None, "2026-10-03 00:00", None,
           None),
    change("E6", "FG-200", "APPROVED", "2026-10-01 00:00", None, "2026-10-12", None, None, None),
]  # fmt: skip


def open_on(day: str, product: str, count: int) -> dict:
    return {"snapshot_date": D(day), "product_id": product, "open_ecos": count}


# Open changes at the end of the day (from the changes above): 10-15 FG-100 E1, E2 = 2,
# FG-200 E3, E6 = 2; 10-31 FG-100 E2 = 1 (E1 closed 10-20), FG-200 E3, E6 = 2; 11-15 the
# same. October's open_ecos is the value on its last day: 1 + 2 = 3 (adding the days would
# give 7); 10-01..10-20 ends on 10-15: 4; FG-200 in October: 2.
ECO_OPEN_DAILY = [
    open_on("2026-10-15", "FG-100", 2),
    open_on("2026-10-15", "FG-200", 2),
    open_on("2026-10-31", "FG-100", 1),
    open_on("2026-10-31", "FG-200", 2),
    open_on("2026-11-15", "FG-100", 1),
    open_on("2026-11-15", "FG-200", 2),
]


def revision_day(line: str, day: str, product: str, produced: float, superseded: float) -> dict:
    return {
        "plant_id": line[:2],
        "line_id": line,
        "product_id": product,
        "product_family": "Power" if product == "FG-100" else "Control",
        "production_date": D(day),
        "produced_qty_with_revision": produced,
        "superseded_qty": superseded,
    }


# Superseded revision share, October: SZ 40 / 200 = 0.2 (SZ-L1 on 10-07: 0.4), DG 50 / 50 = 1,
# all plants 90 / 250 = 0.36.
REVISION_PRODUCTION = [
    revision_day("SZ-L1", "2026-10-06", "FG-200", 100, 0),
    revision_day("SZ-L1", "2026-10-07", "FG-200", 100, 40),
    revision_day("DG-L1", "2026-10-06", "FG-100", 50, 50),
]

DIMENSIONS: dict[str, list[dict[str, Any]]] = {
    "dim_plant": [
        {"plant_id": "SZ", "plant_name_en": "Suzhou Plant", "plant_name_zh": "苏州工厂"},
        {"plant_id": "DG", "plant_name_en": "Dongguan Plant", "plant_name_zh": "东莞工厂"},
    ],
    "dim_line": [
        {
            "line_id": "SZ-L1",
            "line_name_en": "SMT Line 1",
            "line_name_zh": "贴片一线",
            "plant_id": "SZ",
        },
        {
            "line_id": "SZ-L2",
            "line_name_en": "Assembly Line 2",
            "line_name_zh": "组装二线",
            "plant_id": "SZ",
        },
        {
            "line_id": "DG-L1",
            "line_name_en": "Packing Line 1",
            "line_name_zh": "包装一线",
            "plant_id": "DG",
        },
    ],
    "dim_equipment": [
        {
            "equipment_id": e,
            "equipment_name_en": f"Machine {e}",
            "equipment_name_zh": f"设备{e}",
            "line_id": e[:5],
            "plant_id": e[:2],
        }
        for e in ("SZ-L1-M1", "SZ-L1-M2", "SZ-L2-M1", "DG-L1-M1")
    ],
    "dim_material": [
        {
            "material_id": "FG-100",
            "description_en": "Power module",
            "description_zh": "电源模块",
            "material_type": "FG",
            "product_family": "Power",
            "product_family_zh": "电源",
        },
        {
            "material_id": "FG-200",
            "description_en": "Controller",
            "description_zh": "控制器",
            "material_type": "FG",
            "product_family": "Control",
            "product_family_zh": "控制",
        },
        {
            "material_id": "RM-1",
            "description_en": "PCB",
            "description_zh": "电路板",
            "material_type": "RAW",
            "product_family": None,
            "product_family_zh": None,
        },
    ],
    "dim_customer": [
        {
            "customer_id": "C1",
            "customer_name": "Acme",
            "region": "EAST",
            "region_zh": "华东",
            "segment": "Automotive",
            "segment_zh": "汽车",
            "segment_vi": "Ô tô",
        },
        {
            "customer_id": "C2",
            "customer_name": "Euro GmbH",
            "region": "EU",
            "region_zh": "欧洲",
            "segment": "Industrial",
            "segment_zh": "工业",
            "segment_vi": "Công nghiệp",
        },
    ],
    "dim_supplier": [
        {"supplier_id": "S1", "supplier_name": "Slow Parts", "region": "EAST", "region_zh": "华东"},
        {"supplier_id": "S2", "supplier_name": "Fast Parts", "region": "EAST", "region_zh": "华东"},
    ],
    "dim_warehouse": [
        {
            "warehouse_id": "SZ-FG",
            "plant_id": "SZ",
            "warehouse_name_en": "Suzhou FG",
            "warehouse_name_zh": "苏州成品仓",
        },
    ],
    "dim_defect": [
        {"defect_code": "D01", "description_en": "Solder bridge", "description_zh": "连锡"},
        {"defect_code": "D02", "description_en": "Scratch", "description_zh": "划伤"},
    ],
}

FACTS: dict[str, list[dict[str, Any]]] = {
    "fct_equipment_shifts": EQUIPMENT_SHIFTS,
    "fct_production": PRODUCTION,
    "fct_energy": ENERGY,
    "fct_inspections": INSPECTIONS,
    "fct_order_lines": ORDER_LINES,
    "fct_po_lines": PO_LINES,
    "fct_work_orders": WORK_ORDERS,
    "fct_shipments": SHIPMENTS,
    "fct_inventory_daily": INVENTORY,
    "fct_plan_attainment": PLAN,
    "fct_schedule_versions": SCHEDULE_VERSIONS,
    "fct_engineering_changes": ENGINEERING_CHANGES,
    "fct_eco_open_daily": ECO_OPEN_DAILY,
    "fct_revision_production": REVISION_PRODUCTION,
}


def build_warehouse(path: Path) -> Path:
    """Write the marts with the rows above into a new DuckDB file at `path`."""
    registry = load_registry()
    tables = {**registry.dimension_tables, **{n: f.columns for n, f in registry.facts.items()}}
    rows = {**DIMENSIONS, **FACTS}
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        for table, columns in tables.items():
            ddl = ", ".join(f"{c} {column_type(c)}" for c in columns)
            con.execute(f"create table marts.{table} ({ddl})")
            data = rows.get(table, [])
            if data:
                placeholders = ", ".join("?" for _ in columns)
                con.executemany(
                    f"insert into marts.{table} values ({placeholders})",
                    [[row.get(c) for c in columns] for row in data],
                )
    finally:
        con.close()
    return path
