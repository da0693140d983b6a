"""Deliberately bad rows, one or more of every kind the ingest must quarantine, and a manifest.

Bad rows are always extra rows with keys of their own, so the real events (and the ground
truth) are untouched. Two rows are valid but name unknown equipment or material: they land,
carry zero quantities, and the warehouse's relationship tests should flag them.

Each row is due on a fixed day of the period's first fortnight (its `share` of 13 days
after the start, never a share of the whole period) and goes into the first file of its
entity dated on or after that day, at a position drawn from that file's own random stream.
A row still pending when the files dated `end` are written goes into them, or into a file
of its own dated `end`: the only bad rows that move when the period is extended.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from .rng import BAD_ROWS, day_rng, text_key
from .writers import XLSX_HEADER_ROW

SPREAD_DAYS = 13  # bad rows are spread over the first two weeks of the period


@dataclass
class BadRow:
    entity: str
    share: float | None  # where in the first fortnight (None: master data)
    kind: str
    column: str
    description: str
    build: Callable[[date], dict[str, Any]]
    lands: bool = False
    variant: str = ""  # "HP" for the Haiphong states export
    day: date | None = None
    done: bool = False


def _ts(day: date, hms: str) -> str:
    return f"{day:%Y-%m-%d} {hms}"


def _specs() -> list[BadRow]:
    state = {"reason_code": None, "reason_text": None}
    report = {"work_order_id": "WO-SZ-SMT1-00001", "product_id": "FG-MC-100", "lot_id": None}
    sales = {
        "line_no": 10,
        "customer_id": "CUST-001",
        "material_id": "FG-MC-100",
        "order_qty": 100,
        "unit_price": 250.0,
        "currency": "CNY",
        "status": "OPEN",
    }
    po = {
        "line_no": 10,
        "supplier_id": "SUP-01",
        "material_id": "RM-PCB-4L",
        "order_qty": 500,
        "unit_price": 8.5,
        "currency": "CNY",
    }
    plan = {
        "plan_version": "PV-SZ-90000001",
        "work_order_id": "WO-SZ-SMT1-90003",
        "line_id": "SZ-SMT1",
        "equipment_id": "SZ-SMT1-M01",
    }
    move = {
        "warehouse_id": "SZ-RM",
        "material_id": "RM-PCB-4L",
        "qty": 10.0,
        "lot_id": None,
        "reference_type": "ADJ",
        "reference_id": "ADJ-CC-X",
        "reference_line": None,
    }
    return [
        BadRow(
            "equipment_states",
            0.1,
            "bad_enum",
            "state",
            "state 'RUNING' is not a state",
            lambda d: {
                "equipment_id": "SZ-SMT1-M01",
                "start_ts": _ts(d, "09:00:07"),
                "end_ts": _ts(d, "09:03:07"),
                "state": "RUNING",
                **state,
            },
        ),
        BadRow(
            "equipment_states",
            0.3,
            "end_before_start",
            "end_ts",
            "end_ts two minutes before start_ts",
            lambda d: {
                "equipment_id": "DG-ASSY1-M01",
                "start_ts": _ts(d, "10:00:03"),
                "end_ts": _ts(d, "09:58:03"),
                "state": "RUNNING",
                **state,
            },
        ),
        BadRow(
            "equipment_states",
            0.5,
            "missing_required",
            "state",
            "state is empty",
            lambda d: {
                "equipment_id": "SZ-ASSY1-M01",
                "start_ts": _ts(d, "11:00:05"),
                "end_ts": _ts(d, "11:05:05"),
                "state": None,
                **state,
            },
        ),
        BadRow(
            "equipment_states",
            0.7,
            "bad_timestamp",
            "start_ts",
            "start_ts '24:75:00' is not a time",
            lambda d: {
                "equipment_id": "DG-PACK1-M01",
                "start_ts": _ts(d, "24:75:00"),
                "end_ts": _ts(d, "13:00:00"),
                "state": "RUNNING",
                **state,
            },
        ),
        BadRow(
            "equipment_states",
            0.2,
            "bad_enum",
            "state",
            "state 'STOPPED' is not a state (Haiphong export)",
            lambda d: {
                "EQUIP_NO": "HP-SMT1-M01",
                "STATE_START": _ts(d, "08:30:09"),
                "STATE_END": _ts(d, "08:32:09"),
                "state": "STOPPED",
                **state,
            },
            variant="HP",
        ),
        BadRow(
            "equipment_states",
            0.4,
            "unknown_reference",
            "equipment_id",
            "equipment SZ-SMT9-M09 is not in the equipment master",
            lands=True,
            build=lambda d: {
                "equipment_id": "SZ-SMT9-M09",
                "start_ts": _ts(d, "12:00:00"),
                "end_ts": _ts(d, "12:01:00"),
                "state": "RUNNING",
                **state,
            },
        ),
        BadRow(
            "production_reports",
            0.15,
            "quantity_mismatch",
            "produced_qty",
            "produced 100 but good + scrap + rework = 93",
            lambda d: {
                "report_id": "PR-900000001",
                "equipment_id": "SZ-SMT1-M02",
                "start_ts": _ts(d, "09:00:00"),
                "end_ts": _ts(d, "10:00:00"),
                "produced_qty": 100,
                "good_qty": 90,
                "scrap_qty": 2,
                "rework_qty": 1,
                **report,
            },
        ),
        BadRow(
            "production_reports",
            0.45,
            "negative_quantity",
            "produced_qty",
            "produced_qty -5",
            lambda d: {
                "report_id": "PR-900000002",
                "equipment_id": "SZ-SMT1-M01",
                "start_ts": _ts(d, "09:00:00"),
                "end_ts": _ts(d, "10:00:00"),
                "produced_qty": -5,
                "good_qty": -5,
                "scrap_qty": 0,
                "rework_qty": 0,
                **report,
            },
        ),
        BadRow(
            "production_reports",
            0.6,
            "bad_number",
            "good_qty",
            "good_qty '12O' (letter O)",
            lambda d: {
                "report_id": "PR-900000003",
                "equipment_id": "SZ-SMT1-M01",
                "start_ts": _ts(d, "15:00:00"),
                "end_ts": _ts(d, "16:00:00"),
                "produced_qty": 12,
                "good_qty": "12O",
                "scrap_qty": 0,
                "rework_qty": 0,
                **report,
            },
        ),
        BadRow(
            "production_reports",
            0.9,
            "end_before_start",
            "end_ts",
            "end_ts an hour before start_ts",
            lambda d: {
                "report_id": "PR-900000004",
                "equipment_id": "SZ-SMT1-M01",
                "start_ts": _ts(d, "17:00:00"),
                "end_ts": _ts(d, "16:00:00"),
                "produced_qty": 10,
                "good_qty": 10,
                "scrap_qty": 0,
                "rework_qty": 0,
                **report,
            },
        ),
        BadRow(
            "production_reports",
            0.8,
            "unknown_reference",
            "equipment_id",
            "equipment DG-PACK9-M09 is not in the equipment master (zero quantities)",
            lands=True,
            build=lambda d: {
                "report_id": "PR-900000005",
                "equipment_id": "DG-PACK9-M09",
                "start_ts": _ts(d, "09:00:00"),
                "end_ts": _ts(d, "09:30:00"),
                "produced_qty": 0,
                "good_qty": 0,
                "scrap_qty": 0,
                "rework_qty": 0,
                **report,
            },
        ),
        BadRow(
            "quality_inspections",
            0.25,
            "bad_enum",
            "result",
            "result 'PASSED'",
            lambda d: {
                "inspection_id": "QI-90000001",
                "product_id": "FG-MC-100",
                "inspected_at": _ts(d, "10:10:10"),
                "result": "PASSED",
                "characteristic": "final_visual",
                "defect_qty": 0,
            },
        ),
        BadRow(
            "work_orders",
            0.35,
            "bad_enum",
            "status",
            "status 'DONE'",
            lambda d: {
                "work_order_id": "WO-SZ-SMT1-90001",
                "product_id": "FG-MC-100",
                "line_id": "SZ-SMT1",
                "planned_qty": 500,
                "planned_start": _ts(d, "06:00:00"),
                "planned_end": _ts(d, "14:00:00"),
                "status": "DONE",
            },
        ),
        BadRow(
            "work_orders",
            0.75,
            "bad_number",
            "planned_qty",
            "planned_qty '1,200 pcs'",
            lambda d: {
                "work_order_id": "WO-DG-ASSY1-90002",
                "product_id": "FG-WH-210",
                "line_id": "DG-ASSY1",
                "planned_qty": "1,200 pcs",
                "planned_start": _ts(d, "08:00:00"),
                "planned_end": _ts(d, "20:00:00"),
                "status": "RELEASED",
            },
        ),
        BadRow(
            "sales_order_lines",
            0.2,
            "negative_quantity",
            "order_qty",
            "order_qty -1",
            lambda d: {
                **sales,
                "order_id": "SO-9000-000001",
                "order_qty": -1,
                "order_date": f"{d}",
                "requested_date": f"{d + timedelta(days=14)}",
                "promised_date": f"{d + timedelta(days=14)}",
            },
        ),
        BadRow(
            "sales_order_lines",
            0.55,
            "bad_timestamp",
            "order_date",
            "order_date '2026-13-45' is not a date",
            lambda d: {
                **sales,
                "order_id": "SO-9000-000002",
                "order_date": "2026-13-45",
                "requested_date": f"{d + timedelta(days=14)}",
                "promised_date": f"{d + timedelta(days=14)}",
            },
        ),
        BadRow(
            "sales_order_lines",
            0.85,
            "unknown_reference",
            "material_id",
            "material FG-XX-999 is not in the material master (zero quantity, cancelled)",
            lands=True,
            build=lambda d: {
                **sales,
                "order_id": "SO-9000-000003",
                "material_id": "FG-XX-999",
                "order_qty": 0,
                "status": "CANCELLED",
                "order_date": f"{d}",
                "requested_date": f"{d + timedelta(days=10)}",
                "promised_date": f"{d + timedelta(days=10)}",
            },
        ),
        BadRow(
            "purchase_order_lines",
            0.3,
            "missing_required",
            "supplier_id",
            "supplier_id is empty",
            lambda d: {
                **po,
                "po_id": "PO-900000-00001",
                "supplier_id": None,
                "order_date": f"{d}",
                "promised_date": f"{d + timedelta(days=7)}",
            },
        ),
        BadRow(
            "materials",
            None,
            "bad_number",
            "standard_cost",
            "standard_cost 'N/A'",
            lambda d: {
                "material_id": "RM-GLUE-01",
                "description": "Epoxy glue",
                "description_zh": "环氧胶",
                "material_type": "RM",
                "uom": "KG",
                "standard_cost": "N/A",
                "currency": "CNY",
            },
        ),
        BadRow(
            "warehouses",
            None,
            "missing_required",
            "plant_id",
            "plant_id is empty",
            lambda d: {
                "warehouse_id": "XX-QA",
                "plant_id": None,
                "warehouse_name": "Quarantine store / 隔离仓",
            },
        ),
        BadRow(
            "inventory_movements",
            0.4,
            "bad_enum",
            "movement_type",
            "movement_type 'RECEIPT'",
            lambda d: {
                **move,
                "movement_id": "MV-9000000001",
                "movement_ts": f"{d}T11:00:00+08:00",
                "movement_type": "RECEIPT",
            },
        ),
        BadRow(
            "inventory_movements",
            0.7,
            "bad_timestamp",
            "movement_ts",
            "movement_ts '31/12/2026 08:00' is not ISO 8601",
            lambda d: {
                **move,
                "movement_id": "MV-9000000002",
                "movement_ts": "31/12/2026 08:00",
                "movement_type": "ADJUSTMENT",
            },
        ),
        BadRow(
            "stock_snapshots",
            0.6,
            "bad_number",
            "on_hand_qty",
            "on_hand_qty 'n/a'",
            lambda d: {
                "snapshot_date": f"{d}",
                "warehouse_id": "SZ-RM",
                "material_id": "RM-PCB-4L",
                "lot_id": "LOT-RECOUNT",
                "on_hand_qty": "n/a",
            },
        ),
        BadRow(
            "shipments",
            0.5,
            "missing_required",
            "shipped_qty",
            "shipped_qty is empty",
            lambda d: {
                "shipment_id": "SH-90000001",
                "order_id": "SO-9000-000009",
                "line_no": 10,
                "material_id": "FG-MC-100",
                "shipped_qty": None,
                "shipped_at": _ts(d, "15:00:00"),
                "warehouse_id": "SZ-FG",
            },
        ),
        BadRow(
            "schedule_versions",
            0.45,
            "missing_required",
            "plant_id",
            "plant_id is empty",
            lambda d: {
                "plan_version": "PV-XX-90000001",
                "plant_id": None,
                "published_at": _ts(d, "18:00:00"),
                "horizon_start": _ts(d, "18:00:00"),
                "horizon_end": _ts(d + timedelta(days=3), "18:00:00"),
            },
        ),
        BadRow(
            "planned_operations",
            0.3,
            "negative_quantity",
            "planned_qty",
            "planned_qty -40",
            lambda d: {
                **plan,
                "operation_no": 10,
                "planned_start": _ts(d, "08:00:00"),
                "planned_end": _ts(d, "16:00:00"),
                "planned_qty": -40,
            },
        ),
        BadRow(
            "planned_operations",
            0.65,
            "bad_timestamp",
            "planned_start",
            "planned_start '2026-02-30 25:00:00' is not a time",
            lambda d: {
                **plan,
                "operation_no": 20,
                "planned_start": "2026-02-30 25:00:00",
                "planned_end": _ts(d, "16:00:00"),
                "planned_qty": 400,
            },
        ),
        BadRow(
            "engineering_changes",
            0.5,
            "bad_enum",
            "priority",
            "priority 'URGENT' is not LOW, MEDIUM or HIGH (PLM export names)",
            lambda d: {
                "ChangeNumber": "ECO-90-0001",
                "AffectedItem.ItemNumber": "FG-MC-100",
                "AffectedItem.OldRevision": "B",
                "AffectedItem.NewRevision": "X",
                "Reason.Code": "QUALITY",
                "Priority": "URGENT",
                "Dates.Originated": f"{d}T09:00:00+08:00",
                "Workflow.Status": "OPEN",
            },
        ),
        BadRow(
            "product_revisions",
            None,
            "bad_enum",
            "status",
            "status 'RELEASD' is not IN_WORK, RELEASED or OBSOLETE",
            lambda d: {
                "product_id": "FG-MC-100",
                "revision": "Z",
                "status": "RELEASD",
                "released_at": "2024-06-03T09:00:00+08:00",
                "description": "FG-MC-100 rev Z",
            },
        ),
        BadRow(
            "meter_readings",
            0.5,
            "negative_quantity",
            "energy_kwh",
            "energy_kwh -1.25",
            lambda d: {
                "equipment_id": "SZ-SMT1-M01",
                "interval_start": datetime(d.year, d.month, d.day, 3, 7, 30, tzinfo=UTC),
                "interval_minutes": 15,
                "energy_kwh": -1.25,
            },
        ),
    ]


class _Pending:
    def __init__(self, spec: BadRow, value: Any):
        self.spec = spec
        self.value = value


class BadRows:
    """Callable injector used by the writers; remembers where each row went."""

    def __init__(self, seed: int, start: date, end: date):
        self.seed = seed
        self.end = end
        self.specs = _specs()
        for spec in self.specs:
            if spec.share is not None:
                spec.day = start + timedelta(days=round(SPREAD_DAYS * spec.share))
        self.manifest: list[dict[str, Any]] = []

    def __call__(self, rel: str, entity: str, lines: list, columns, render) -> list:
        name = rel.rsplit("/", 1)[-1]
        variant = "HP" if name.startswith("HP_") else ""
        stem = name.rsplit(".", 1)[0]
        day = date.fromisoformat(stem[-10:]) if stem[-10:-9].isdigit() else None
        last = day is not None and day >= self.end
        due = [
            s
            for s in self.specs
            if not s.done
            and s.entity == entity
            and s.variant == variant
            and (s.day is None or (day is not None and (s.day <= day or last)))
        ]
        if not due:
            return lines
        rng = day_rng(self.seed, BAD_ROWS, day or date(1970, 1, 1), text_key(rel))
        result = list(lines)
        for spec in due:
            spec.done = True
            value = render(spec.build(min(spec.day or self.end, self.end)), columns)
            result.insert(int(rng.integers(0, len(result) + 1)), _Pending(spec, value))
        for index, item in enumerate(result):
            if isinstance(item, _Pending):
                result[index] = item.value
                self.manifest.append(
                    {
                        "file": rel,
                        "row": _row_number(rel, index),
                        "column": item.spec.column,
                        "kind": item.spec.kind,
                        "lands": item.spec.lands,
                        "description": item.spec.description,
                    }
                )
        return result

    def leftovers(self) -> list[BadRow]:
        """Specs not yet written (those still pending at the end get a file dated `end`)."""
        return [s for s in self.specs if not s.done]

    def write_manifest(self, out: Path) -> None:
        path = out / "_manifest" / "bad_rows.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = sorted(self.manifest, key=lambda m: (m["file"], m["row"]))
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _row_number(rel: str, index: int) -> int:
    if rel.endswith(".csv"):
        return index + 2
    if rel.endswith(".xlsx"):
        return XLSX_HEADER_ROW + 1 + index
    return index + 1
