"""Landing: rejected files, reconciliation, idempotency, superseding, timestamps, status."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest import FileEvent, landing_status
from tests.ingest.conftest import STATES_HEADER

STATES = STATES_HEADER + "EQ1,2024-03-01 06:00,2024-03-01 07:00,RUNNING,,\n"


def test_rejected_files(inbox):
    inbox.write("mes/equipment_states/missing.csv", "equipment_id,state\nEQ1,RUNNING\n")
    inbox.write("mes/equipment_states/broken.csv", b"equipment_id,start_ts,state\nE\xff\xff1,x,y\n")
    inbox.write("mes/equipment_states/ragged.csv", STATES + "EQ1,2024-03-01 07:00\n")
    inbox.write("mes/equipment_states/empty.csv", "")
    inbox.write("scada/meter_readings/truncated.json", '[{"equipment_id": "EQ1", "inter')
    inbox.write("mes/machines/m.csv", "a\n1\n")
    inbox.write("mes/equipment_states/notes.txt", "hello")
    inbox.write("erp/plants/p.csv", "plant_id\nHP\n")
    report = inbox.ingest()
    by_file = {r.file: r for r in report.results}
    assert {r.status for r in report.results} == {"rejected"}
    messages = {f: r.message for f, r in by_file.items()}
    assert messages["mes/equipment_states/missing.csv"] == (
        "missing required column(s) start_ts for mes/equipment_states; found columns:"
        " 'equipment_id', 'state' (add a column mapping if the site uses its own names)"
    )
    assert messages["mes/equipment_states/broken.csv"] == (
        "broken encoding: not UTF-8 (invalid byte at offset 29) and not GB18030"
        " (invalid byte at offset 29)"
    )
    assert "Expected Number of Columns: 6 Found: 2" in messages["mes/equipment_states/ragged.csv"]
    assert "CSV Error on Line: 3" in messages["mes/equipment_states/ragged.csv"]
    assert messages["mes/equipment_states/empty.csv"] == "empty file: no header row"
    assert messages["scada/meter_readings/truncated.json"].startswith("broken JSON array:")
    assert messages["mes/machines/m.csv"].startswith("unknown entity folder mes/machines")
    assert messages["mes/equipment_states/notes.txt"].startswith("unsupported file type '.txt'")
    assert messages["erp/plants/p.csv"].startswith("unknown entity folder erp/plants")
    assert inbox.one("select count(*) from raw.equipment_states") == 0
    assert inbox.one("select count(*) from ingest.load_log where status = 'REJECTED'") == 8
    assert len(report.rejected) == 8
    again = inbox.ingest()
    assert [r.status for r in again.results] == ["rejected"] * 8


def test_reconciliation_from_log_and_tables(inbox):
    inbox.write("mes/equipment_states/a.csv", STATES + "EQ1,bad,,RUNNING,,\n")
    inbox.write("mes/equipment_states/b.csv", STATES_HEADER + "EQ2,2024-03-01 06:00,,X,,\n")
    inbox.write(
        "scada/meter_readings/c.jsonl",
        '{"equipment_id": "EQ1", "interval_start": "2024-03-01 06:00", "interval_minutes": 15,'
        ' "energy_kwh": -1}\nnot json\n',
    )
    report = inbox.ingest()
    for result in report.results:
        assert result.rows_read == result.rows_landed + result.rows_quarantined
    mismatches = inbox.rows(
        """
        select l.load_id from ingest.load_log as l
        left join (select _load_id, count(*) as n from raw.equipment_states group by 1) as r
            on r._load_id = l.load_id
        left join (select _load_id, count(*) as n from raw.meter_readings group by 1) as m
            on m._load_id = l.load_id
        left join (select load_id, count(*) as n from ingest.quarantine group by 1) as q
            on q.load_id = l.load_id
        where l.rows_read <> l.rows_landed + l.rows_quarantined
           or l.rows_landed <> coalesce(r.n, 0) + coalesce(m.n, 0)
           or l.rows_quarantined <> coalesce(q.n, 0)
        """
    )
    assert mismatches == []
    assert [r.status for r in report.results] == ["landed"] * 3
    assert report.totals["rows_read"] == 5
    assert report.totals["rows_quarantined"] == 4


def test_second_run_skips_everything(inbox):
    inbox.write("mes/equipment_states/a.csv", STATES)
    inbox.write("mes/equipment_states/copy.csv", STATES)
    first = inbox.ingest()
    assert [r.status for r in first.results] == ["landed", "skipped"]
    assert (
        first.results[1].message
        == "already loaded as load 1 (same content as mes/equipment_states/a.csv)"
    )
    second = inbox.ingest()
    assert [r.status for r in second.results] == ["skipped", "skipped"]
    assert inbox.one("select count(*) from raw.equipment_states") == 1
    assert inbox.one("select count(*) from ingest.load_log") == 1


def test_changed_file_supersedes_old_version(inbox):
    path = inbox.write("mes/equipment_states/a.csv", STATES)
    inbox.ingest()
    path.write_text(STATES_HEADER + "EQ9,2024-03-02 06:00,,SETUP,,\nEQ9,2024-03-02 07:00,,X,,\n")
    result = inbox.ingest().results[0]
    assert (result.status, result.load_id, result.message) == ("landed", 2, "supersedes load 1")
    assert inbox.rows("select equipment_id, _load_id, _source_row from raw.equipment_states") == [
        ("EQ9", 2, 2)
    ]
    assert inbox.rows("select load_id, status, message from ingest.load_log order by 1") == [
        (1, "SUPERSEDED", "superseded by load 2"),
        (2, "LANDED", "supersedes load 1"),
    ]


def test_load_order_and_lineage(inbox):
    inbox.write("mes/equipment_states/2024-03-02.csv", STATES)
    inbox.write("mes/equipment_states/2024-03-01.csv", STATES)
    inbox.write("erp/customers/c.csv", "customer_id,customer_name\nC1,Acme\n")
    events: list[FileEvent] = []
    report = inbox.ingest(on_file=events.append)
    assert [r.file for r in report.results] == [
        "erp/customers/c.csv",
        "mes/equipment_states/2024-03-01.csv",
        "mes/equipment_states/2024-03-02.csv",
    ]
    assert [(e.phase, e.index, e.total) for e in events[:2]] == [("start", 1, 3), ("done", 1, 3)]
    assert events[1].result is report.results[0]
    assert inbox.rows(
        "select _load_id, _source_file, _source_row, _loaded_at is not null from raw.customers"
    ) == [(1, "erp/customers/c.csv", 2, True)]
    log = inbox.rows(
        "select system, entity, file, inbox, size_bytes, length(content_hash),"
        " status, seconds >= 0 from ingest.load_log where load_id = 1"
    )
    assert log == [
        ("erp", "customers", "erp/customers/c.csv", str(inbox.root), 34, 64, "LANDED", True)
    ]
    data = report.to_dict()
    assert data["totals"]["landed"] == 2 and data["totals"]["skipped"] == 1
    assert data["files"][0]["file"] == "erp/customers/c.csv"


TIMESTAMPS = [
    ("2024-03-01 06:00:00", dt.datetime(2024, 3, 1, 6), None),
    ("2024-03-01 06:00", dt.datetime(2024, 3, 1, 6), None),
    ("2024-03-01T06:00:00", dt.datetime(2024, 3, 1, 6), None),
    ("2024-03-01T06:00:00.250", dt.datetime(2024, 3, 1, 6, 0, 0, 250000), None),
    ("2024-03-01T06:00:00Z", dt.datetime(2024, 3, 1, 6), 0),
    ("2024-03-01 06:00:00+00:00", dt.datetime(2024, 3, 1, 6), 0),
    ("2024-03-01T06:00:00+08:00", dt.datetime(2024, 3, 1, 6), 480),
    ("2024-03-01T06:00+0800", dt.datetime(2024, 3, 1, 6), 480),
    ("2024-03-01 06:00:00-05:30", dt.datetime(2024, 3, 1, 6), -330),
    ("2024-03-01 06:00:00+07", dt.datetime(2024, 3, 1, 6), 420),
    (" 2024-03-01 06:00:00 ", dt.datetime(2024, 3, 1, 6), None),
]


@pytest.mark.parametrize(("text", "wall", "offset"), TIMESTAMPS)
def test_timestamp_parsing(inbox, text, wall, offset):
    inbox.write("mes/equipment_states/s.csv", STATES_HEADER + f"EQ1,{text},,RUNNING,,\n")
    inbox.ingest()
    assert inbox.rows("select start_ts, start_ts_utc_offset_min from raw.equipment_states") == [
        (wall, offset)
    ]


def test_landing_status(inbox):
    assert landing_status(inbox.warehouse).height == 23
    inbox.write("mes/equipment_states/a.csv", STATES + "EQ1,2024-03-05 06:00,,X,,\n")
    inbox.write("mes/equipment_states/b.csv", "nope\n1\n")
    inbox.write("erp/customers/c.csv", "customer_id,customer_name\nC1,Acme\n")
    inbox.ingest()
    status = landing_status(inbox.warehouse)
    assert status.columns == [
        "system",
        "entity",
        "files",
        "rows",
        "newest_event_time",
        "quarantined_rows",
        "rejected_files",
        "last_loaded_at",
    ]
    states = status.filter(status["entity"] == "equipment_states").row(0, named=True)
    assert (
        states["files"],
        states["rows"],
        states["quarantined_rows"],
        states["rejected_files"],
    ) == (1, 1, 1, 1)
    assert states["newest_event_time"] == "2024-03-01 06:00:00"
    customers = status.filter(status["entity"] == "customers").row(0, named=True)
    assert (customers["rows"], customers["newest_event_time"]) == (1, None)
    assert customers["last_loaded_at"] is not None
