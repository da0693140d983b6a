"""Every reader and encoding: extract → expected landed rows (golden pairs)."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest
import xlsxwriter

from tests.ingest.conftest import STATES_HEADER

MATERIALS = "material_id,description,description_zh,material_type,uom,standard_cost,currency\n"
EXPECTED_MATERIALS = [
    ("M1", "Bolt", "螺栓", "RM", "PCS", 0.25, "CNY", 2),
    ("M2", "Gear", "齿轮", "FG", "PCS", 12.5, "CNY", 3),
]
ROWS = "M1,Bolt,螺栓,RM,PCS,0.25,CNY\nM2,Gear,齿轮,FG,PCS,12.5,CNY\n"


def landed_materials(inbox):
    return inbox.rows(
        "select material_id, description, description_zh, material_type, uom, standard_cost,"
        " currency, _source_row from raw.materials order by _source_row"
    )


@pytest.mark.parametrize(
    ("name", "content", "encoding", "delimiter", "detected"),
    [
        ("utf8.csv", MATERIALS + ROWS, "utf-8", ",", "utf-8"),
        ("bom.csv", "\ufeff" + MATERIALS + ROWS, "utf-8", ",", "utf-8-sig"),
        ("gbk.csv", MATERIALS + ROWS, "gb18030", ",", "gb18030"),
        ("semi.csv", (MATERIALS + ROWS).replace(",", ";"), "utf-8", ";", "utf-8"),
        ("tab.csv", (MATERIALS + ROWS).replace(",", "\t"), "gb18030", "\t", "gb18030"),
        ("crlf.csv", (MATERIALS + ROWS).replace("\n", "\r\n"), "utf-8", ",", "utf-8"),
    ],
)
def test_csv_encodings_and_delimiters(inbox, name, content, encoding, delimiter, detected):
    inbox.write(f"erp/materials/{name}", content, encoding)
    report = inbox.ingest()
    assert [r.status for r in report.results] == ["landed"]
    assert landed_materials(inbox) == EXPECTED_MATERIALS
    assert inbox.rows("select format, encoding, delimiter from ingest.load_log") == [
        ("csv", detected, delimiter)
    ]


def test_csv_quoted_fields_and_extra_columns(inbox):
    inbox.write(
        "erp/customers/c.csv",
        'customer_id,customer_name,region,ignored\nC1,"Acme, Ltd.","North ""A""",x\n'
        " C2 ,  Beta  ,,y\n",
    )
    inbox.ingest()
    assert inbox.rows(
        "select customer_id, customer_name, region, segment, _source_row from raw.customers"
        " order by _source_row"
    ) == [("C1", "Acme, Ltd.", 'North "A"', None, 2), ("C2", "Beta", None, None, 3)]


def test_header_matching_ignores_case_and_spaces(inbox):
    inbox.write("erp/suppliers/s.csv", " Supplier_ID , SUPPLIER_NAME \nS1,Steel Co\n")
    inbox.ingest()
    assert inbox.rows("select supplier_id, supplier_name from raw.suppliers") == [
        ("S1", "Steel Co")
    ]


def test_xlsx_with_title_rows(inbox, tmp_path):
    path = inbox.root / "mes" / "equipment_states" / "states.xlsx"
    path.parent.mkdir(parents=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Export")
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write(0, 0, "Equipment state export")
    sheet.write(1, 0, "Plant HP, generated 2024-03-01")
    for col, name in enumerate(["Equipment_ID", "start_ts", "end_ts", "state"]):
        sheet.write(3, col, name)
    sheet.write(4, 0, "EQ1")
    sheet.write_datetime(4, 1, dt.datetime(2024, 3, 1, 6, 0), stamp)
    sheet.write_datetime(4, 2, dt.datetime(2024, 3, 1, 7, 30), stamp)
    sheet.write(4, 3, "RUNNING")
    sheet.write(5, 0, "EQ2")
    sheet.write(5, 1, "2024-03-01 07:30:00")
    sheet.write(5, 3, "SETUP")
    sheet.write(6, 0, "EQ3")
    sheet.write(6, 1, "2024-03-01 08:00:00")
    sheet.write(6, 3, "BROKEN")
    book.add_worksheet("Second").write(0, 0, "ignored")
    book.close()
    report = inbox.ingest()
    assert report.results[0].rows_read == 3
    assert inbox.rows(
        "select equipment_id, start_ts, end_ts, state, _source_row from raw.equipment_states"
        " order by _source_row"
    ) == [
        ("EQ1", dt.datetime(2024, 3, 1, 6), dt.datetime(2024, 3, 1, 7, 30), "RUNNING", 5),
        ("EQ2", dt.datetime(2024, 3, 1, 7, 30), None, "SETUP", 6),
    ]
    assert inbox.rows('select source_row, "column" from ingest.quarantine') == [(7, "state")]


def test_json_array(inbox):
    data = [
        {
            "equipment_id": "EQ1",
            "interval_start": "2024-03-01T00:00:00Z",
            "interval_minutes": 15,
            "energy_kwh": 1.5,
        },
        {
            "equipment_id": "EQ1",
            "interval_start": "2024-03-01T00:15:00Z",
            "interval_minutes": 15,
            "energy_kwh": 2,
        },
    ]
    inbox.write("scada/meter_readings/m.json", json.dumps(data))
    inbox.ingest()
    assert inbox.rows(
        "select equipment_id, interval_start, interval_start_utc_offset_min, interval_minutes,"
        " energy_kwh, _source_row from raw.meter_readings order by _source_row"
    ) == [
        ("EQ1", dt.datetime(2024, 3, 1, 0, 0), 0, 15, 1.5, 1),
        ("EQ1", dt.datetime(2024, 3, 1, 0, 15), 0, 15, 2.0, 2),
    ]


def test_json_lines_with_invalid_line(inbox):
    lines = [
        '{"equipment_id": "EQ1", "interval_start": "2024-03-01 08:00", '
        '"interval_minutes": 15, "energy_kwh": 1.25}',
        '{"equipment_id": "EQ1", "interval_start": ',
        "",
        '{"equipment_id": "EQ2", "interval_start": "2024-03-01 08:00:00+08:00", '
        '"interval_minutes": "15", "energy_kwh": "0"}',
    ]
    inbox.write("scada/meter_readings/m.jsonl", "\n".join(lines) + "\n")
    report = inbox.ingest()
    result = report.results[0]
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (3, 2, 1)
    assert inbox.rows(
        "select equipment_id, interval_start, interval_start_utc_offset_min, energy_kwh,"
        " _source_row from raw.meter_readings order by _source_row"
    ) == [
        ("EQ1", dt.datetime(2024, 3, 1, 8), None, 1.25, 1),
        ("EQ2", dt.datetime(2024, 3, 1, 8), 480, 0.0, 4),
    ]
    row, column, reason, text = inbox.rows(
        'select source_row, "column", reason, row_text from ingest.quarantine'
    )[0]
    assert (row, column, reason) == (2, None, "invalid JSON")
    assert json.loads(text) == {"line": lines[1]}


def test_parquet_with_tz_aware_timestamps(inbox):
    path = inbox.root / "mes" / "equipment_states" / "s.parquet"
    path.parent.mkdir(parents=True)
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(
        f"copy (select 'EQ1' as equipment_id, timestamptz '2024-03-01 06:00:00+08' as start_ts,"
        f" null::timestamptz as end_ts, 'RUNNING' as state, 7 as reason_code) to '{path}'"
    )
    con.close()
    inbox.ingest()
    assert inbox.rows(
        "select equipment_id, start_ts, start_ts_utc_offset_min, end_ts, reason_code,"
        " _source_row from raw.equipment_states"
    ) == [("EQ1", dt.datetime(2024, 2, 29, 22, 0), 0, None, "7", 1)]


def test_states_csv_golden(inbox):
    inbox.write(
        "mes/equipment_states/s.csv",
        STATES_HEADER + "EQ1,2024-03-01 06:00:00,2024-03-01 07:00:00,RUNNING,,\n"
        "EQ1,2024-03-01 07:00:00,,UNPLANNED_STOP,E12,轴承故障\n",
    )
    inbox.ingest()
    assert inbox.rows(
        "select equipment_id, start_ts, end_ts, state, reason_code, reason_text"
        " from raw.equipment_states order by _source_row"
    ) == [
        ("EQ1", dt.datetime(2024, 3, 1, 6), dt.datetime(2024, 3, 1, 7), "RUNNING", None, None),
        ("EQ1", dt.datetime(2024, 3, 1, 7), None, "UNPLANNED_STOP", "E12", "轴承故障"),
    ]
