"""A tiny hand-made raw layer for the dbt models, with numbers worked out by hand.

`build_raw_fixture(path)` creates the `raw` and `ingest` schemas exactly as `andon ingest`
does (same DDL) and lands three loads: master data, the first day of transactions, and a
revised production report. `add_next_day(path)` lands one more day of extracts (load 4),
including a closed-out open state and a revision of an older report, for the incremental
tests. The expected mart values are documented next to the rows that produce them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import duckdb

from ingest.contracts import load_contracts
from ingest.schema import ensure_schema

_OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")
LOADED_AT = datetime(2026, 1, 8, 6, 0, 0)


def _split_ts(value: str) -> tuple[str, int | None]:
    """'2026-01-05T00:15:00+08:00' -> ('2026-01-05 00:15:00', 480); no offset -> None."""
    match = _OFFSET.search(value)
    if not match:
        return value.replace("T", " "), None
    text = value[: match.start()].replace("T", " ")
    if match.group(1) == "Z":
        return text, 0
    sign = 1 if match.group(1)[0] == "+" else -1
    hours, minutes = match.group(1)[1:].split(":")
    return text, sign * (int(hours) * 60 + int(minutes))


MASTER = {
    "plants": [
        {
            "plant_id": "P1",
            "plant_name": "Suzhou Plant / 苏州工厂",
            "timezone": "Asia/Shanghai",
            "country": "CN",
        },
    ],
    "equipment": [
        {
            "equipment_id": "E1",
            "equipment_name": "Press 1 / 冲压机1",
            "line_id": "L1",
            "line_name": "Line 1 / 一号线",
            "area": "Stamping",
            "plant_id": "P1",
        },
        {
            "equipment_id": "E2",
            "equipment_name": "Press 2",
            "line_id": "L1",
            "line_name": "Line 1 / 一号线",
            "area": "Stamping",
            "plant_id": "P1",
        },
        {
            "equipment_id": "E3",
            "equipment_name": "Press 3",
            "line_id": "L1",
            "line_name": "Line 1 / 一号线",
            "area": "Stamping",
            "plant_id": "P1",
        },
    ],
    "routings": [
        {"product_id": "FG-100", "equipment_id": "E1", "ideal_cycle_time_s": 1.0},
        {"product_id": "FG-100", "equipment_id": "E2", "ideal_cycle_time_s": 2.0},
    ],
    "shifts": [
        {
            "plant_id": "P1",
            "shift_code": "D",
            "start_time": "08:00",
            "end_time": "16:00",
            "planned_break_min": 60,
        },
        {
            "plant_id": "P1",
            "shift_code": "N",
            "start_time": "20:00",
            "end_time": "04:00",
            "planned_break_min": 30,
        },
    ],
    "defect_codes": [
        {
            "defect_code": "D01",
            "description": "Scratch",
            "description_zh": "划痕",
            "category": "Cosmetic",
        },
    ],
    "materials": [
        {
            "material_id": "FG-100",
            "description": "Motor Controller 100 / 电机控制器100",
            "material_type": "FG",
            "uom": "pcs",
            "standard_cost": 50.0,
            "currency": "CNY",
            "product_family": "Motor Controller",
        },
        {
            "material_id": "RM-1",
            "description": "Copper wire",
            "description_zh": "铜线",
            "material_type": "RM",
            "uom": "kg",
            "standard_cost": 2.0,
            "currency": "CNY",
        },
    ],
    "customers": [
        {
            "customer_id": "C1",
            "customer_name": "Acme / 阿克米",
            "region": "East China",
            "segment": "Automotive",  # in seed segment_labels; Distributor is not
        },
        {
            "customer_id": "C2",
            "customer_name": "Globex",
            "region": "Europe",
            "segment": "Distributor",
        },
    ],
    "suppliers": [{"supplier_id": "S1", "supplier_name": "Wire Co", "region": "East China"}],
    "warehouses": [
        {"warehouse_id": "W1", "plant_id": "P1", "warehouse_name": "Finished Goods / 成品仓"},
    ],
}

# Day one (2026-01-05, Asia/Shanghai).
# E1 = the KPIS.md worked example in shift D: 60 min PLANNED_STOP, 47 min UNPLANNED_STOP,
#      373 min RUNNING, one report ending exactly at 16:00 (19,271 produced, 423 scrap,
#      ideal cycle 1.0 s). The open NOT_SCHEDULED state at 16:00 is the newest data, so
#      E1's as-of is 16:00 and shift N is not counted yet.
# E2 = the edge cases: states partly in UTC; SETUP 15:00-21:00 crosses the gap between
#      shifts D and N; no state 21:00-22:00 (UNKNOWN); RUNNING 22:00-02:00 crosses
#      midnight; NOT_SCHEDULED 02:00-04:30 (4:00 is the end of N). Shift N of 01-05:
#      SETUP 3600, UNKNOWN 3600, RUNNING 14400, NOT_SCHEDULED 7200 = 28800.
# E3 = an older day nothing later touches: RUNNING through shift D of 01-03 only, so the
#      incremental build must leave production date 01-03 as day one built it.
DAY1 = {
    "equipment_states": [
        {
            "equipment_id": "E3",
            "start_ts": "2026-01-03 08:00:00",
            "end_ts": "2026-01-03 16:00:00",
            "state": "RUNNING",
        },
        {
            "equipment_id": "E1",
            "start_ts": "2026-01-05 08:00:00",
            "end_ts": "2026-01-05 09:00:00",
            "state": "PLANNED_STOP",
            "reason_code": "BRK",
            "reason_text": "Break",
        },
        {
            "equipment_id": "E1",
            "start_ts": "2026-01-05 09:00:00",
            "end_ts": "2026-01-05 09:47:00",
            "state": "UNPLANNED_STOP",
            "reason_code": "JAM",
            "reason_text": "Die jam",
        },
        {
            "equipment_id": "E1",
            "start_ts": "2026-01-05 09:47:00",
            "end_ts": "2026-01-05 16:00:00",
            "state": "RUNNING",
        },
        {
            "equipment_id": "E1",
            "start_ts": "2026-01-05 16:00:00",
            "end_ts": None,
            "state": "NOT_SCHEDULED",
        },
        {
            "equipment_id": "E2",
            "start_ts": "2026-01-05T00:00:00Z",
            "end_ts": "2026-01-05T07:00:00+00:00",
            "state": "RUNNING",
        },
        {
            "equipment_id": "E2",
            "start_ts": "2026-01-05 15:00:00",
            "end_ts": "2026-01-05 21:00:00",
            "state": "SETUP",
            "reason_code": "CHG",
            "reason_text": "Changeover",
        },
        {
            "equipment_id": "E2",
            "start_ts": "2026-01-05 22:00:00",
            "end_ts": "2026-01-06 02:00:00",
            "state": "RUNNING",
        },
        {
            "equipment_id": "E2",
            "start_ts": "2026-01-06 02:00:00",
            "end_ts": "2026-01-06 04:30:00",
            "state": "NOT_SCHEDULED",
        },
        {
            "equipment_id": "E2",
            "start_ts": "2026-01-06 04:30:00",
            "end_ts": "2026-01-06 05:00:00",
            "state": "UNPLANNED_STOP",
            "reason_code": "ELEC",
            "reason_text": "Power trip",
        },
    ],
    "production_reports": [
        {
            "report_id": "R1",
            "work_order_id": "WO1",
            "equipment_id": "E1",
            "product_id": "FG-100",
            "start_ts": "2026-01-05 08:00:00",
            "end_ts": "2026-01-05 16:00:00",
            "produced_qty": 19271,
            "good_qty": 18848,
            "scrap_qty": 423,
            "rework_qty": 0,
        },
        {
            "report_id": "R2",
            "work_order_id": "WO2",
            "equipment_id": "E2",
            "product_id": "FG-100",
            "start_ts": "2026-01-05 22:00:00",
            "end_ts": "2026-01-06 01:00:00",
            "produced_qty": 7000,
            "good_qty": 6900,
            "scrap_qty": 50,
            "rework_qty": 50,
        },
        {
            "report_id": "R3",
            "work_order_id": "WO2",
            "equipment_id": "E2",
            "product_id": "FG-100",
            "start_ts": "2026-01-05 16:00:00",
            "end_ts": "2026-01-05 16:30:00",
            "produced_qty": 100,
            "good_qty": 100,
            "scrap_qty": 0,
            "rework_qty": 0,
        },
        {
            "report_id": "R4",
            "work_order_id": "WO2",
            "equipment_id": "E2",
            "product_id": "FG-100",
            "start_ts": "2026-01-05 08:00:00",
            "end_ts": "2026-01-05 12:00:00",
            "produced_qty": 9000,
            "good_qty": 9000,
            "scrap_qty": 0,
            "rework_qty": 0,
        },
        {
            "report_id": "R5",
            "work_order_id": "WO2",
            "equipment_id": "E9",
            "product_id": "FG-100",
            "start_ts": "2026-01-05 08:00:00",
            "end_ts": "2026-01-05 09:00:00",
            "produced_qty": 5,
            "good_qty": 5,
            "scrap_qty": 0,
            "rework_qty": 0,
        },
    ],
    "meter_readings": [
        {
            "equipment_id": "E1",
            "interval_start": "2026-01-05T00:15:00Z",
            "interval_minutes": 15,
            "energy_kwh": 2.5,
        },
        {
            "equipment_id": "E1",
            "interval_start": "2026-01-05 17:00:00",
            "interval_minutes": 15,
            "energy_kwh": 1.0,
        },
        {
            "equipment_id": "E2",
            "interval_start": "2026-01-05 23:45:00",
            "interval_minutes": 15,
            "energy_kwh": 3.0,
        },
    ],
    "quality_inspections": [
        {
            "inspection_id": "I1",
            "product_id": "FG-100",
            "inspected_at": "2026-01-05 10:00:00",
            "result": "PASS",
            "equipment_id": "E1",
            "work_order_id": "WO1",
            "characteristic": "diameter",
            "measured_value": 10.01,
            "lsl": 9.9,
            "usl": 10.1,
        },
        {
            "inspection_id": "I2",
            "product_id": "FG-100",
            "inspected_at": "2026-01-05 21:00:00",
            "result": "FAIL",
            "equipment_id": "E2",
            "work_order_id": "WO2",
            "defect_code": "D01",
            "defect_qty": 3,
        },
    ],
    "work_orders": [
        {
            "work_order_id": "WO1",
            "product_id": "FG-100",
            "line_id": "L1",
            "planned_qty": 19000,
            "planned_start": "2026-01-05 08:00:00",
            "planned_end": "2026-01-05 16:00:00",
            "actual_start": "2026-01-05 08:00:00",
            "actual_end": "2026-01-05 15:30:00",
            "status": "COMPLETED",
            "sales_order_id": "SO1",
            "sales_order_line": 1,
        },
        {
            "work_order_id": "WO2",
            "product_id": "FG-100",
            "line_id": "L1",
            "planned_qty": 16000,
            "planned_start": "2026-01-05 08:00:00",
            "planned_end": "2026-01-05 16:00:00",
            "actual_start": "2026-01-05 08:00:00",
            "actual_end": "2026-01-06 01:00:00",
            "status": "COMPLETED",
        },
        {
            "work_order_id": "WO3",
            "product_id": "FG-100",
            "line_id": "L1",
            "planned_qty": 500,
            "planned_start": "2026-01-07 08:00:00",
            "planned_end": "2026-01-07 16:00:00",
            "status": "RELEASED",
            "sales_order_id": "SO3",  # made for SO3/2, not shipped yet: its plant is L1's
            "sales_order_line": 2,
        },
    ],
    # SO1/1: first shipment 01-04 on time, only 60 of 100 by the promise -> on time, not in
    #        full; completed 01-07 (lead time 6 days).
    # SO1/2: shipped complete on 01-06, promised 01-04 -> late, not in full.
    # SO2/1: shipped 2026-01-04T20:00Z = 01-05 04:00 in Suzhou -> on time and in full.
    # SO2/2: promised after the as-of date -> not due.  SO3/1 cancelled, unknown customer.
    # SO3/2: unknown material, nothing shipped -> due, late and open.
    "sales_order_lines": [
        {
            "order_id": "SO1",
            "line_no": 1,
            "customer_id": "C1",
            "material_id": "FG-100",
            "order_qty": 100,
            "unit_price": 80.0,
            "currency": "CNY",
            "order_date": "2026-01-01",
            "requested_date": "2026-01-05",
            "promised_date": "2026-01-05",
            "status": "OPEN",
        },
        {
            "order_id": "SO1",
            "line_no": 2,
            "customer_id": "C1",
            "material_id": "FG-100",
            "order_qty": 50,
            "unit_price": 80.0,
            "currency": "CNY",
            "order_date": "2026-01-01",
            "requested_date": "2026-01-04",
            "promised_date": "2026-01-04",
            "status": "SHIPPED",
        },
        {
            "order_id": "SO2",
            "line_no": 1,
            "customer_id": "C2",
            "material_id": "FG-100",
            "order_qty": 20,
            "unit_price": 90.0,
            "currency": "EUR",
            "order_date": "2026-01-02",
            "requested_date": "2026-01-05",
            "promised_date": "2026-01-05",
            "status": "SHIPPED",
        },
        {
            "order_id": "SO2",
            "line_no": 2,
            "customer_id": "C2",
            "material_id": "FG-100",
            "order_qty": 10,
            "unit_price": 90.0,
            "currency": "EUR",
            "order_date": "2026-01-02",
            "requested_date": "2026-01-20",
            "promised_date": "2026-01-20",
            "status": "OPEN",
        },
        {
            "order_id": "SO3",
            "line_no": 1,
            "customer_id": "C9",
            "material_id": "FG-100",
            "order_qty": 5,
            "order_date": "2026-01-02",
            "requested_date": "2026-01-05",
            "promised_date": "2026-01-05",
            "status": "CANCELLED",
        },
        {
            "order_id": "SO3",
            "line_no": 2,
            "customer_id": "C1",
            "material_id": "FG-999",
            "order_qty": 5,
            "order_date": "2026-01-02",
            "requested_date": "2026-01-05",
            "promised_date": "2026-01-05",
            "status": "OPEN",
        },
    ],
    "shipments": [
        {
            "shipment_id": "SH1",
            "order_id": "SO1",
            "line_no": 1,
            "material_id": "FG-100",
            "shipped_qty": 60,
            "shipped_at": "2026-01-04 10:00:00",
            "warehouse_id": "W1",
        },
        {
            "shipment_id": "SH2",
            "order_id": "SO1",
            "line_no": 1,
            "material_id": "FG-100",
            "shipped_qty": 40,
            "shipped_at": "2026-01-07 10:00:00",
            "warehouse_id": "W1",
        },
        {
            "shipment_id": "SH3",
            "order_id": "SO1",
            "line_no": 2,
            "material_id": "FG-100",
            "shipped_qty": 50,
            "shipped_at": "2026-01-06 10:00:00",
            "warehouse_id": "W1",
        },
        {
            "shipment_id": "SH4",
            "order_id": "SO2",
            "line_no": 1,
            "material_id": "FG-100",
            "shipped_qty": 20,
            "shipped_at": "2026-01-04T20:00:00Z",
            "warehouse_id": "W1",
        },
    ],
    # PO1/1 received in full on the promised date (on time); PO1/2 half late (not on time).
    "purchase_order_lines": [
        {
            "po_id": "PO1",
            "line_no": 1,
            "supplier_id": "S1",
            "material_id": "RM-1",
            "order_qty": 100,
            "unit_price": 2.0,
            "currency": "CNY",
            "order_date": "2026-01-01",
            "promised_date": "2026-01-05",
        },
        {
            "po_id": "PO1",
            "line_no": 2,
            "supplier_id": "S1",
            "material_id": "RM-1",
            "order_qty": 100,
            "unit_price": 2.0,
            "currency": "CNY",
            "order_date": "2026-01-01",
            "promised_date": "2026-01-05",
        },
    ],
    "inventory_movements": [
        {
            "movement_id": "M1",
            "movement_ts": "2026-01-05 09:00:00",
            "warehouse_id": "W1",
            "material_id": "RM-1",
            "movement_type": "GOODS_RECEIPT",
            "qty": 100,
            "reference_type": "PO",
            "reference_id": "PO1",
            "reference_line": 1,
        },
        {
            "movement_id": "M2",
            "movement_ts": "2026-01-05T01:00:00Z",
            "warehouse_id": "W1",
            "material_id": "RM-1",
            "movement_type": "GOODS_RECEIPT",
            "qty": 50,
            "reference_type": "PO",
            "reference_id": "PO1",
            "reference_line": 2,
        },
        {
            "movement_id": "M3",
            "movement_ts": "2026-01-06 09:00:00",
            "warehouse_id": "W1",
            "material_id": "RM-1",
            "movement_type": "GOODS_RECEIPT",
            "qty": 50,
            "reference_type": "PO",
            "reference_id": "PO1",
            "reference_line": 2,
        },
        {
            "movement_id": "M4",
            "movement_ts": "2026-01-04 10:00:00",
            "warehouse_id": "W1",
            "material_id": "FG-100",
            "movement_type": "SHIPMENT",
            "qty": -60,
            "reference_type": "SO",
            "reference_id": "SO1",
            "reference_line": 1,
        },
    ],
    "stock_snapshots": [
        {
            "snapshot_date": "2026-01-05",
            "warehouse_id": "W1",
            "material_id": "FG-100",
            "lot_id": "LOT1",
            "on_hand_qty": 100,
        },
        {
            "snapshot_date": "2026-01-05",
            "warehouse_id": "W1",
            "material_id": "FG-100",
            "lot_id": "LOT2",
            "on_hand_qty": 50,
        },
        {
            "snapshot_date": "2026-01-05",
            "warehouse_id": "W1",
            "material_id": "RM-1",
            "lot_id": None,
            "on_hand_qty": 150,
        },
    ],
}

# Load 3: a later extract of R4 (E2, shift D of 01-05) supersedes 9,000 with 10,000.
REVISION = {
    "production_reports": [
        {
            "report_id": "R4",
            "work_order_id": "WO2",
            "equipment_id": "E2",
            "product_id": "FG-100",
            "start_ts": "2026-01-05 08:00:00",
            "end_ts": "2026-01-05 12:00:00",
            "produced_qty": 10000,
            "good_qty": 10000,
            "scrap_qty": 0,
            "rework_qty": 0,
        },
    ],
}

# Load 4: the next day. E1's open state is closed at 08:00 (so shift N of 01-05 becomes
# NOT_SCHEDULED time), both machines run shift D of 01-06, and R2 (shift N of 01-05) is
# revised: an old production date that the incremental run must reprocess.
NEXT_DAY = {
    "equipment_states": [
        {
            "equipment_id": "E1",
            "start_ts": "2026-01-05 16:00:00",
            "end_ts": "2026-01-06 08:00:00",
            "state": "NOT_SCHEDULED",
        },
        {
            "equipment_id": "E1",
            "start_ts": "2026-01-06 08:00:00",
            "end_ts": "2026-01-06 16:00:00",
            "state": "RUNNING",
        },
        {
            "equipment_id": "E1",
            "start_ts": "2026-01-06 16:00:00",
            "end_ts": None,
            "state": "NOT_SCHEDULED",
        },
        {
            "equipment_id": "E2",
            "start_ts": "2026-01-06 05:00:00",
            "end_ts": "2026-01-06 09:00:00",
            "state": "STARVED",
        },
        {
            "equipment_id": "E2",
            "start_ts": "2026-01-06 09:00:00",
            "end_ts": "2026-01-06 16:00:00",
            "state": "RUNNING",
        },
    ],
    "production_reports": [
        {
            "report_id": "R2",
            "work_order_id": "WO2",
            "equipment_id": "E2",
            "product_id": "FG-100",
            "start_ts": "2026-01-05 22:00:00",
            "end_ts": "2026-01-06 01:00:00",
            "produced_qty": 7000,
            "good_qty": 6950,
            "scrap_qty": 0,
            "rework_qty": 50,
        },
        {
            "report_id": "R6",
            "work_order_id": "WO3",
            "equipment_id": "E1",
            "product_id": "FG-100",
            "start_ts": "2026-01-06 08:00:00",
            "end_ts": "2026-01-06 15:00:00",
            "produced_qty": 20000,
            "good_qty": 20000,
            "scrap_qty": 0,
            "rework_qty": 0,
        },
    ],
    "meter_readings": [
        {
            "equipment_id": "E1",
            "interval_start": "2026-01-06 09:00:00",
            "interval_minutes": 15,
            "energy_kwh": 4.0,
        },
    ],
    "shipments": [
        {
            "shipment_id": "SH5",
            "order_id": "SO2",
            "line_no": 2,
            "material_id": "FG-100",
            "shipped_qty": 10,
            "shipped_at": "2026-01-06 11:00:00",
            "warehouse_id": "W1",
        },
    ],
    "stock_snapshots": [
        {
            "snapshot_date": "2026-01-06",
            "warehouse_id": "W1",
            "material_id": "FG-100",
            "lot_id": "LOT1",
            "on_hand_qty": 80,
        },
    ],
}


def _land(con: duckdb.DuckDBPyConnection, load: int, tables: dict[str, list[dict]]) -> None:
    """Land each entity of one extract batch as one file; file load ids are load*100 + i."""
    contracts = load_contracts()
    for number, (entity, rows) in enumerate(tables.items(), start=1):
        load_id = load * 100 + number
        contract = contracts[entity]
        cols = [name for name, _ in _raw_columns(con, entity)]
        values = []
        for index, row in enumerate(rows, start=2):
            record = defaultdict(lambda: None)
            for column, value in row.items():
                if isinstance(value, str) and any(
                    c.name == column and c.type == "timestamp" for c in contract.columns
                ):
                    text, offset = _split_ts(value)
                    record[column] = text
                    record[column + "_utc_offset_min"] = offset
                else:
                    record[column] = value
            record["_load_id"] = load_id
            record["_source_file"] = f"{contract.system}/{entity}/load_{load_id}.csv"
            record["_source_row"] = index
            record["_loaded_at"] = LOADED_AT
            values.append([record[c] for c in cols])
        placeholders = ", ".join("?" for _ in cols)
        con.executemany(f"insert into raw.{entity} values ({placeholders})", values)
        con.execute(
            "insert into ingest.load_log (load_id, system, entity, file, inbox, rows_read,"
            " rows_landed, rows_quarantined, status, started_at) values"
            " (?, ?, ?, ?, 'fixture', ?, ?, 0, 'LANDED', ?)",
            [
                load_id,
                contract.system,
                entity,
                f"{contract.system}/{entity}/load_{load_id}.csv",
                len(rows),
                len(rows),
                LOADED_AT,
            ],
        )


def _raw_columns(con: duckdb.DuckDBPyConnection, entity: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'raw' and table_name = ? order by ordinal_position",
        [entity],
    ).fetchall()


def build_raw_fixture(path: Path) -> Path:
    """Create a warehouse file at `path` holding loads 1-3 of the hand-made factory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        ensure_schema(con, load_contracts())
        _land(con, 1, MASTER)
        _land(con, 2, DAY1)
        _land(con, 3, REVISION)
    finally:
        con.close()
    return path


def add_next_day(path: Path) -> Path:
    """Land load 4 (the next day of extracts) into an existing fixture warehouse."""
    con = duckdb.connect(str(path))
    try:
        _land(con, 4, NEXT_DAY)
    finally:
        con.close()
    return path


if __name__ == "__main__":
    import sys

    if len(sys.argv) < 2:
        sys.exit("usage: python -m tests.warehouse.raw_fixture WAREHOUSE.duckdb [--next-day]")
    target = Path(sys.argv[1])
    if target.exists():
        target.unlink()
    build_raw_fixture(target)
    if len(sys.argv) > 2 and sys.argv[2] == "--next-day":
        add_next_day(target)
    print(target)
