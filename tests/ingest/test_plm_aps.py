"""PLM and APS extracts (and the new optional MES/WMS columns) land like every other source:
good rows typed into raw.<entity>, each broken rule quarantined with its row and reason."""

from __future__ import annotations

import json

import pytest

from ingest import load_contracts

REVISIONS = "product_id,revision,status,released_at,description\n"
VERSIONS = "plan_version,plant_id,published_at,horizon_start,horizon_end\n"
OPERATIONS = (
    "plan_version;work_order_id;operation_no;line_id;equipment_id;planned_start;planned_end;"
    "planned_qty\n"
)
GOOD_VERSION = "V1,SZ,2026-03-01 18:00:00,2026-03-01 18:00:00,2026-03-04 18:00:00\n"
GOOD_OPERATION = "V1;WO1;10;SZ-SMT1;SZ-SMT1-M01;2026-03-02 06:00:00;2026-03-02 14:00:00;400\n"
GOOD_CHANGE = {
    "eco_id": "ECO-1",
    "product_id": "P1",
    "from_revision": "B",
    "to_revision": "C",
    "priority": "HIGH",
    "created_at": "2026-03-01T09:00:00+08:00",
    "approved_at": "2026-03-03T10:00:00+08:00",
    "effective_date": "2026-03-10",
    "closed_at": None,
    "status": "APPROVED",
}


def test_contracts_of_the_new_entities():
    contracts = load_contracts()
    assert {c.entity for c in contracts.values() if c.system == "plm"} == {
        "product_revisions",
        "engineering_changes",
    }
    assert contracts["planned_operations"].key == ("plan_version", "work_order_id", "operation_no")
    assert contracts["product_revisions"].key == ("product_id", "revision")
    assert contracts["engineering_changes"].column("priority").enum == ("LOW", "MEDIUM", "HIGH")
    assert contracts["work_orders"].column("revision").required is False
    assert contracts["shipments"].column("lot_id").required is False
    assert contracts["schedule_versions"].event_time == "published_at"


# (file name, content, expected quarantine (source_row, column, reason)), one rule each.
CASES = [
    (
        "aps/schedule_versions/v.csv",
        VERSIONS + GOOD_VERSION + "V2,,2026-03-01 18:00:00,2026-03-01 18:00:00,"
        "2026-03-04 18:00:00\n",
        (3, "plant_id", "plant_id: required value is missing"),
    ),
    (
        "aps/schedule_versions/v.csv",
        VERSIONS + GOOD_VERSION + "V2,SZ,2026-03-01 18:00:00,2026-03-04 18:00:00,"
        "2026-03-01 18:00:00\n",
        (3, None, "horizon_end is before horizon_start"),
    ),
    (
        "aps/planned_operations/o.csv",
        OPERATIONS + GOOD_OPERATION + "V1;WO1;20;SZ-SMT1;;2026-03-02 14:00:00;"
        "2026-03-02 06:00:00;400\n",
        (3, None, "planned_end is before planned_start"),
    ),
    (
        "aps/planned_operations/o.csv",
        OPERATIONS + GOOD_OPERATION + "V1;WO1;20;SZ-SMT1;;2026-03-02 06:00:00;"
        "2026-03-02 14:00:00;-40\n",
        (3, "planned_qty", "planned_qty: '-40' is below the minimum 0"),
    ),
    (
        "aps/planned_operations/o.csv",
        OPERATIONS + GOOD_OPERATION + "V1;WO1;2x;SZ-SMT1;;2026-03-02 06:00:00;"
        "2026-03-02 14:00:00;40\n",
        (3, "operation_no", "operation_no: '2x' is not a whole number"),
    ),
    (
        "aps/planned_operations/o.csv",
        OPERATIONS + GOOD_OPERATION + "V1;WO1;20;SZ-SMT1;;2026-02-30 25:00:00;"
        "2026-03-02 14:00:00;40\n",
        (
            3,
            "planned_start",
            "planned_start: '2026-02-30 25:00:00' is not a timestamp (YYYY-MM-DD HH:MM:SS,"
            " optional offset)",
        ),
    ),
    (
        "plm/product_revisions/r.csv",
        REVISIONS + "P1,B,RELEASED,2024-06-03 09:00:00,rev B\nP1,C,RELEASD,,rev C\n",
        (3, "status", "status: 'RELEASD' is not one of IN_WORK, RELEASED, OBSOLETE"),
    ),
    (
        "plm/product_revisions/r.csv",
        REVISIONS + "P1,B,RELEASED,2024-06-03 09:00:00,rev B\nP1,,IN_WORK,,rev ?\n",
        (3, "revision", "revision: required value is missing"),
    ),
]
CHANGE_CASES = [
    ({"priority": "URGENT"}, "priority", "priority: 'URGENT' is not one of LOW, MEDIUM, HIGH"),
    (
        {"status": "DONE"},
        "status",
        "status: 'DONE' is not one of OPEN, APPROVED, IMPLEMENTED, REJECTED, CANCELLED",
    ),
    ({"to_revision": None}, "to_revision", "to_revision: required value is missing"),
    (
        {"approved_at": "2026-02-28T09:00:00+08:00"},
        None,
        "approved_at is before created_at",
    ),
    (
        {"closed_at": "2026-02-27T09:00:00+08:00", "status": "REJECTED", "approved_at": None},
        None,
        "closed_at is before created_at",
    ),
    (
        {"effective_date": "2026-03-32"},
        "effective_date",
        "effective_date: '2026-03-32' is not a date (YYYY-MM-DD)",
    ),
]


@pytest.mark.parametrize(("name", "content", "expected"), CASES)
def test_bad_plan_and_revision_rows(inbox, name, content, expected):
    inbox.write(name, content)
    result = inbox.ingest().results[0]
    assert (result.status, result.rows_read, result.rows_landed, result.rows_quarantined) == (
        "landed",
        2,
        1,
        1,
    )
    assert inbox.rows('select source_row, "column", reason from ingest.quarantine') == [expected]


@pytest.mark.parametrize(("change", "column", "reason"), CHANGE_CASES)
def test_bad_engineering_changes(inbox, change, column, reason):
    rows = [GOOD_CHANGE, {**GOOD_CHANGE, "eco_id": "ECO-2", **change}]
    inbox.write("plm/engineering_changes/e.json", json.dumps(rows))
    result = inbox.ingest().results[0]
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (2, 1, 1)
    assert inbox.rows('select source_row, "column", reason from ingest.quarantine') == [
        (2, column, reason)
    ]
    assert inbox.rows("select eco_id from raw.engineering_changes") == [("ECO-1",)]


def test_good_rows_land_typed(inbox):
    inbox.write("aps/schedule_versions/v.csv", VERSIONS + GOOD_VERSION)
    inbox.write("aps/planned_operations/o.csv", OPERATIONS + GOOD_OPERATION)
    inbox.write("plm/engineering_changes/e.json", json.dumps([GOOD_CHANGE]))
    inbox.write(
        "plm/product_revisions/r.csv", REVISIONS + "P1,C,RELEASED,2026-03-03T10:00:00+08:00,\n"
    )
    report = inbox.ingest()
    assert {r.status for r in report.results} == {"landed"}
    assert inbox.rows(
        "select work_order_id, operation_no, planned_qty, planned_start::varchar"
        " from raw.planned_operations"
    ) == [("WO1", 10, 400.0, "2026-03-02 06:00:00")]
    assert inbox.rows(
        "select approved_at::varchar, approved_at_utc_offset_min, effective_date::varchar"
        " from raw.engineering_changes"
    ) == [("2026-03-03 10:00:00", 480, "2026-03-10")]
    assert inbox.rows("select status, released_at_utc_offset_min from raw.product_revisions") == [
        ("RELEASED", 480)
    ]


def test_optional_revision_and_lot_columns(inbox):
    inbox.write(
        "mes/work_orders/w.csv",
        "work_order_id,product_id,line_id,planned_qty,planned_start,planned_end,status,revision\n"
        "WO1,P1,L1,10,2026-03-01 06:00,2026-03-01 14:00,RELEASED,C\n",
    )
    inbox.write(
        "mes/work_orders/old.csv",
        "work_order_id,product_id,line_id,planned_qty,planned_start,planned_end,status\n"
        "WO2,P1,L1,10,2026-03-01 06:00,2026-03-01 14:00,RELEASED\n",
    )
    inbox.write(
        "wms/shipments/s.csv",
        "shipment_id,order_id,line_no,material_id,shipped_qty,shipped_at,lot_id\n"
        "SH1,SO1,10,P1,5,2026-03-02 10:00:00,LOT-1\n",
    )
    inbox.ingest()
    assert inbox.rows("select work_order_id, revision from raw.work_orders order by 1") == [
        ("WO1", "C"),
        ("WO2", None),
    ]
    assert inbox.rows("select lot_id from raw.shipments") == [("LOT-1",)]


def test_xml_ish_change_names_map_to_the_contract(inbox):
    inbox.write(
        "andon_mapping.yaml",
        "sites:\n  - site: PLM\n    files: plm/engineering_changes/*\n    columns:\n"
        "      ChangeNumber: eco_id\n      AffectedItem.ItemNumber: product_id\n"
        "      AffectedItem.NewRevision: to_revision\n      Dates.Originated: created_at\n"
        "      Workflow.Status: status\n",
    )
    inbox.write(
        "plm/engineering_changes/e.json",
        json.dumps(
            [
                {
                    "ChangeNumber": "ECO-9",
                    "AffectedItem.ItemNumber": "P1",
                    "AffectedItem.NewRevision": "D",
                    "Dates.Originated": "2026-03-01T09:00:00+08:00",
                    "Workflow.Status": "OPEN",
                }
            ]
        ),
    )
    assert {r.status for r in inbox.ingest().results} == {"landed"}
    assert inbox.rows("select eco_id, product_id, to_revision from raw.engineering_changes") == [
        ("ECO-9", "P1", "D")
    ]


def test_status_lists_the_new_systems(inbox):
    from ingest import landing_status

    inbox.write("aps/schedule_versions/v.csv", VERSIONS + GOOD_VERSION)
    inbox.ingest()
    status = landing_status(inbox.warehouse)
    row = status.filter(status["entity"] == "schedule_versions").to_dicts()[0]
    assert (row["system"], row["rows"], row["newest_event_time"]) == (
        "aps",
        1,
        "2026-03-01 18:00:00",
    )
    assert {"plm", "aps"} <= set(status["system"])
