"""Every bad-input class: the row is quarantined with exact row, column and reason."""

from __future__ import annotations

import json

import pytest

from tests.ingest.conftest import REPORTS_HEADER, STATES_HEADER

GOOD_REPORT = "R0,WO1,EQ1,P1,2024-03-01 06:00,2024-03-01 07:00,10,8,1,1,L1\n"
CASES = [
    # (row written after the header and one good row → source_row 3, column, reason)
    (
        "R1,,EQ1,P1,2024-03-01 06:00,2024-03-01 07:00,10,8,1,1,L1",
        "work_order_id",
        "work_order_id: required value is missing",
    ),
    (
        "R1,WO1,EQ1,P1,2024-03-01 06:00,2024-03-01 07:00,  ,8,1,1,L1",
        "produced_qty",
        "produced_qty: required value is missing",
    ),
    (
        "R1,WO1,EQ1,P1,2024-03-01 06:00,2024-03-01 07:00,abc,8,1,1,L1",
        "produced_qty",
        "produced_qty: 'abc' is not a number",
    ),
    (
        "R1,WO1,EQ1,P1,01/03/2024 06:00,2024-03-01 07:00,10,8,1,1,L1",
        "start_ts",
        "start_ts: '01/03/2024 06:00' is not a timestamp (YYYY-MM-DD HH:MM:SS, optional offset)",
    ),
    (
        "R1,WO1,EQ1,P1,2024-02-30 06:00:00,2024-03-01 07:00,10,8,1,1,L1",
        "start_ts",
        "start_ts: '2024-02-30 06:00:00' is not a timestamp (YYYY-MM-DD HH:MM:SS, optional offset)",
    ),
    (
        "R1,WO1,EQ1,P1,2024-03-01 06:00,2024-03-01 07:00,10,8,1,0,L1",
        None,
        "produced_qty ≠ good + scrap + rework",
    ),
    (
        "R1,WO1,EQ1,P1,2024-03-01 08:00,2024-03-01 07:00,10,8,1,1,L1",
        None,
        "end_ts is before start_ts",
    ),
    (
        "R1,WO1,EQ1,P1,2024-03-01 06:00,2024-03-01 07:00,10,11,-2,1,L1",
        "scrap_qty",
        "scrap_qty: '-2' is below the minimum 0",
    ),
    (
        "R1,WO1,EQ1,P1,2024-03-01 06:00,2024-03-01 07:00,ten,8,-1,1,L1",
        "produced_qty",
        "produced_qty: 'ten' is not a number; scrap_qty: '-1' is below the minimum 0",
    ),
]


@pytest.mark.parametrize(("row", "column", "reason"), CASES)
def test_bad_report_rows(inbox, row, column, reason):
    inbox.write("mes/production_reports/r.csv", REPORTS_HEADER + GOOD_REPORT + row + "\n")
    result = inbox.ingest().results[0]
    assert (result.status, result.rows_read, result.rows_landed, result.rows_quarantined) == (
        "landed",
        2,
        1,
        1,
    )
    assert inbox.rows('select source_row, "column", reason from ingest.quarantine') == [
        (3, column, reason)
    ]
    assert inbox.rows("select report_id from raw.production_reports") == [("R0",)]


def test_bad_enum_and_row_text(inbox):
    inbox.write(
        "mes/equipment_states/s.csv",
        STATES_HEADER + "EQ1,2024-03-01 06:00,,RUNING,,\nEQ1,2024-03-01 07:00,,SETUP,,\n",
    )
    inbox.ingest()
    ((row, column, reason, text, file, load_id),) = inbox.rows(
        'select source_row, "column", reason, row_text, file, load_id from ingest.quarantine'
    )
    assert (row, column, file, load_id) == (2, "state", "mes/equipment_states/s.csv", 1)
    assert reason == (
        "state: 'RUNING' is not one of RUNNING, SETUP, UNPLANNED_STOP, MINOR_STOP, STARVED,"
        " BLOCKED, PLANNED_STOP, NOT_SCHEDULED"
    )
    assert json.loads(text) == {
        "equipment_id": "EQ1",
        "start_ts": "2024-03-01 06:00",
        "end_ts": None,
        "state": "RUNING",
        "reason_code": None,
        "reason_text": None,
    }


def test_signed_qty_allowed_for_movements(inbox):
    inbox.write(
        "wms/inventory_movements/m.csv",
        "movement_id,movement_ts,warehouse_id,material_id,movement_type,qty,reference_type\n"
        "MV1,2024-03-01 06:00:00,W1,M1,ISSUE_TO_PRODUCTION,-5,WO\n"
        "MV2,2024-03-01 06:00:00,W1,M1,GOODS_RECEIPT,5,XX\n",
    )
    inbox.ingest()
    assert inbox.rows("select movement_id, qty from raw.inventory_movements") == [("MV1", -5.0)]
    assert inbox.rows('select source_row, "column" from ingest.quarantine') == [
        (3, "reference_type")
    ]


def test_integer_and_date_and_time_rules(inbox):
    inbox.write(
        "erp/sales_order_lines/s.csv",
        "order_id,line_no,customer_id,material_id,order_qty,order_date,requested_date,"
        "promised_date,status\n"
        "SO1,1,C1,M1,5,2024-03-01,2024-03-05,2024-03-06,OPEN\n"
        "SO1,1.5,C1,M1,5,2024-03-01,2024-03-05,2024-03-06,OPEN\n"
        "SO1,2,C1,M1,5,2024-13-01,2024-03-05,2024-03-06,OPEN\n",
    )
    inbox.write(
        "mes/shifts/s.csv",
        "plant_id,shift_code,start_time,end_time,planned_break_min\n"
        "HP,A,6:00,14:00,30\nHP,N,22:00,06:00,\nHP,X,25:00,06:00,\n",
    )
    inbox.ingest()
    assert inbox.rows("select order_id, line_no from raw.sales_order_lines") == [("SO1", 1)]
    assert inbox.rows("select shift_code, start_time, end_time from raw.shifts order by 1") == [
        ("A", "06:00", "14:00"),
        ("N", "22:00", "06:00"),
    ]
    assert inbox.rows(
        "select file, source_row, reason from ingest.quarantine order by file, source_row"
    ) == [
        ("erp/sales_order_lines/s.csv", 3, "line_no: '1.5' is not a whole number"),
        ("erp/sales_order_lines/s.csv", 4, "order_date: '2024-13-01' is not a date (YYYY-MM-DD)"),
        ("mes/shifts/s.csv", 4, "start_time: '25:00' is not a time (HH:MM)"),
    ]
