"""CSV files land in one typed pass (ingest.validate.fast_sql) exactly as the text
validation would land them: same rows, values, row numbers, quarantine and load log."""

from __future__ import annotations

from datetime import date

import pytest

import ingest.loader as loader
from tests.ingest.conftest import Inbox

MOVEMENTS = "wms/inventory_movements/m.csv"
MOVEMENTS_HEADER = (
    "movement_id,movement_ts,warehouse_id,material_id,movement_type,qty,lot_id,"
    "reference_type,reference_id,reference_line\n"
)
# Values at the edge of what each type accepts; each line's fate is worked out by hand.
EDGE_ROWS = [
    "MV1,2026-03-01T08:00:00+08:00,SZ-FG,RM-1,SHIPMENT,12,L1,SO,R1,1",  # lands
    "MV2,2026-03-01 08:00:00, SZ-FG ,RM-1,SHIPMENT, 1e3 ,,,,1.0",  # lands: trimmed, 1e3, 1.0
    "MV3,2026-03-01 08:00,SZ-FG,RM-1,SHIPMENT,-0,,,,",  # lands
    "MV4,2026-03-01T08:00:00-05:30,SZ-FG,RM-1,SHIPMENT,nan,,,,",  # qty not a number
    "MV5,2026-03-01 08:00:00,SZ-FG,RM-1,SHIPMENT,inf,,,,",  # qty not a number
    "MV6,2026-03-01 08:00:00,SZ-FG,RM-1,SHIPMENT,1,,,,1.5",  # reference_line not whole
    "MV7,2026-03-01 08:00:00,SZ-FG,RM-1,SHIPMENT,1,,,,  .5",  # reference_line not whole
    "MV8,2026-03-01 08:00:00,SZ-FG,RM-1,SHIPMENT,1,,,,0x10",  # lands: 16, as DuckDB casts it
    "MV9,2026-03-01 8:00:00,SZ-FG,RM-1,SHIPMENT,1,,,,",  # lands: one-digit hour (regex form)
    "MV10,2026-03-01 08:00:00,SZ-FG,RM-1,LOST,1,,,,",  # movement_type not in the enum
    "MV11,,SZ-FG,RM-1,SHIPMENT,1,,,,",  # movement_ts missing
    "MV12,2026-03-01 08:00:00,SZ-FG,RM-1,SHIPMENT,1,,XX,,",  # reference_type not in the enum
    "MV13,2026-03-01 08:00:00,SZ-FG,RM-1,SHIPMENT,1,,,,9007199254740993",  # lands, exactly
    "MV14,2026-03-01 08:00:00,SZ-FG,RM-1,SHIPMENT,1,,,,1,000",  # one column too many
]
SNAPSHOTS = "wms/stock_snapshots/s.csv"
SNAPSHOT_ROWS = [
    "snapshot_date,warehouse_id,material_id,lot_id,on_hand_qty",
    "2026-03-01,SZ-FG,RM-1,,5",  # lands
    "2026-3-1,SZ-FG,RM-2,,5",  # not a date (YYYY-MM-DD)
    "2026-03-01 00:00:00,SZ-FG,RM-3,,5",  # lands: midnight is a date
    "2026/03/01,SZ-FG,RM-4,,5",  # lands, as DuckDB casts it
    "2026-03-01,SZ-FG,RM-5,,-1",  # below the minimum 0
]
SHIFTS = "mes/shifts/sh.csv"
SHIFT_ROWS = [
    "plant_id,shift_code,start_time,end_time,planned_break_min",
    "SZ,A,06:00,14:00,30",  # lands
    "SZ,B,6:00,14:00:00,30",  # lands: 06:00 and 14:00
    "SZ,C,+1:00,24:00,30",  # neither is a time
]


def _text_only(monkeypatch) -> None:
    """Land every file through the text validation, as before the typed pass."""
    monkeypatch.setattr(loader._Run, "_land_typed", lambda self, batch: None)


def _land(inbox: Inbox, monkeypatch, typed: bool) -> dict:
    """Ingest the inbox through the typed pass where it can, or the text validation only."""
    if not typed:
        _text_only(monkeypatch)
    report = inbox.ingest()
    assert not report.rejected, report.rejected
    out = {}
    for entity in ("inventory_movements", "stock_snapshots", "shifts"):
        out[entity] = inbox.rows(
            f"select * exclude (_load_id, _loaded_at) from raw.{entity} order by _source_row"
        )
    out["quarantine"] = inbox.rows(
        'select entity, file, source_row, "column", reason, row_text::varchar'
        " from ingest.quarantine order by file, source_row"
    )
    out["log"] = inbox.rows(
        "select file, rows_read, rows_landed, rows_quarantined, status from ingest.load_log"
        " order by file"
    )
    return out


def _write_edges(inbox: Inbox, rows: list[str]) -> None:
    inbox.write(MOVEMENTS, MOVEMENTS_HEADER + "\n".join(rows) + "\n")
    inbox.write(SNAPSHOTS, "\n".join(SNAPSHOT_ROWS) + "\n")
    inbox.write(SHIFTS, "\n".join(SHIFT_ROWS) + "\n")


def test_edge_values_land_the_same_either_way(tmp_path, monkeypatch) -> None:
    rows = [r for r in EDGE_ROWS if not r.startswith("MV14,")]
    results = {}
    for typed in (True, False):
        (tmp_path / str(typed)).mkdir()
        inbox = Inbox(tmp_path / str(typed))
        _write_edges(inbox, rows)
        results[typed] = _land(inbox, monkeypatch, typed)
        monkeypatch.undo()
    assert results[True] == results[False]
    landed = results[True]["inventory_movements"]
    assert [r[0] for r in landed] == ["MV1", "MV2", "MV3", "MV8", "MV9", "MV13"]
    assert [r[-1] for r in landed] == [2, 3, 4, 9, 10, 14]  # line numbers, header = 1
    mv2 = landed[1]
    assert mv2[3] == "SZ-FG" and mv2[6] == 1000.0 and mv2[10] == 1
    assert landed[0][2] == 480  # +08:00 kept as the offset beside the local time
    assert landed[5][10] == 9007199254740993
    quarantined = {(q[1].rsplit("/", 1)[1], q[2]): q[3] for q in results[True]["quarantine"]}
    assert quarantined == {
        ("m.csv", 5): "qty",
        ("m.csv", 6): "qty",
        ("m.csv", 7): "reference_line",
        ("m.csv", 8): "reference_line",
        ("m.csv", 11): "movement_type",
        ("m.csv", 12): "movement_ts",
        ("m.csv", 13): "reference_type",
        ("s.csv", 3): "snapshot_date",
        ("s.csv", 6): "on_hand_qty",
        ("sh.csv", 4): "start_time",
    }
    assert [r[0] for r in results[True]["stock_snapshots"]] == [date(2026, 3, 1)] * 3
    assert [(r[2], r[3]) for r in results[True]["shifts"]] == [
        ("06:00", "14:00"),
        ("06:00", "14:00"),
    ]


@pytest.mark.parametrize("large", [True, False])
def test_a_clean_file_takes_the_typed_pass(inbox, monkeypatch, large) -> None:
    """Alone (a large file) or in a batch of small files."""
    lines = [
        f"MV{i},2026-03-01T{i % 24:02d}:15:00+07:00,HP-RM,RM-{i % 7},GOODS_RECEIPT,{i}.5,,PO,"
        f"P{i},{i}"
        for i in range(1, 201)
    ]
    inbox.write(MOVEMENTS, MOVEMENTS_HEADER + "\n".join(lines) + "\n")

    def no_text_pass(self, batch):
        raise AssertionError("the clean file went through the text validation")

    monkeypatch.setattr(loader._Run, "_land_text", no_text_pass)
    if large:
        monkeypatch.setattr(loader, "BATCH_FILE_BYTES", -1)
    (result,) = inbox.ingest().results
    assert (result.status, result.rows_read, result.rows_landed) == ("landed", 200, 200)
    assert inbox.rows(
        "select count(*), sum(qty), sum(reference_line), min(movement_ts_utc_offset_min),"
        " max(_source_row), count(distinct _source_row) from raw.inventory_movements"
    ) == [(200, 20_200.0, 20_100, 420, 201, 200)]
    assert inbox.one("select rows_read from ingest.load_log") == 200


def test_a_bad_row_sends_the_file_to_the_text_validation(inbox, monkeypatch) -> None:
    """One value the CSV reader cannot parse, in the middle of the file: the typed pass rolls
    back and the text validation lands the rest with their own line numbers."""
    lines = [f"MV{i},2026-03-01 08:00:00,SZ-FG,RM-1,SHIPMENT,{i},,,," for i in range(1, 51)]
    lines[24] = "MV25,2026-03-01 08:00:00,SZ-FG,RM-1,SHIPMENT,twelve,,,,"
    inbox.write(MOVEMENTS, MOVEMENTS_HEADER + "\n".join(lines) + "\n")
    (result,) = inbox.ingest().results
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (50, 49, 1)
    assert inbox.rows('select source_row, "column", reason from ingest.quarantine') == [
        (26, "qty", "qty: 'twelve' is not a number")
    ]
    assert inbox.one("select max(_source_row) from raw.inventory_movements") == 51
    assert inbox.one("select count(*) from raw.inventory_movements where _source_row < 0") == 0


@pytest.mark.parametrize("typed", [True, False])
def test_a_row_with_too_many_columns_rejects_the_file_either_way(tmp_path, monkeypatch, typed):
    inbox = Inbox(tmp_path)
    _write_edges(inbox, EDGE_ROWS)
    if not typed:
        _text_only(monkeypatch)
    results = {r.file: r for r in inbox.ingest().results}
    movements = results[MOVEMENTS]
    assert movements.status == "rejected"
    assert movements.message == (
        "cannot read file: CSV Error on Line: 15; Expected Number of Columns: 10 Found: 11"
    )
    assert inbox.one("select count(*) from raw.inventory_movements") == 0


def test_a_batch_with_one_bad_file_lands_each_file_right(inbox) -> None:
    """Three small files share one batch; the second has a bad value, so the batch lands
    through the text validation: each file keeps its own counts and line numbers."""
    for n in (1, 2, 3):
        lines = [
            f"MV{n}-{i},2026-03-0{n} 08:00:00,SZ-FG,RM-1,SHIPMENT,{i},,,," for i in range(1, 4 + n)
        ]
        if n == 2:
            lines[1] = lines[1].replace("SHIPMENT", "SHIPPED")
        inbox.write(f"wms/inventory_movements/m{n}.csv", MOVEMENTS_HEADER + "\n".join(lines))
    counts = [(r.rows_read, r.rows_landed, r.rows_quarantined) for r in inbox.ingest().results]
    assert counts == [(4, 4, 0), (5, 4, 1), (6, 6, 0)]
    assert inbox.rows('select file, source_row, "column" from ingest.quarantine') == [
        ("wms/inventory_movements/m2.csv", 3, "movement_type")
    ]
    assert inbox.rows(
        "select _source_file, count(*), max(_source_row) from raw.inventory_movements"
        " group by 1 order by 1"
    ) == [
        ("wms/inventory_movements/m1.csv", 4, 5),
        ("wms/inventory_movements/m2.csv", 4, 6),
        ("wms/inventory_movements/m3.csv", 6, 7),
    ]


def test_a_file_of_many_bad_values_still_lands_each_row(inbox, monkeypatch) -> None:
    """The reader records only the first value it rejects (memory stays flat); that is
    enough to send the file to the text validation, which names every one."""
    lines = [
        f"MV{i},2026-03-01 08:00:00,SZ-FG,RM-1,SHIPMENT,{'x' if i % 2 else i},,,,"
        for i in range(2000)
    ]
    inbox.write(MOVEMENTS, MOVEMENTS_HEADER + "\n".join(lines) + "\n")
    monkeypatch.setattr(loader, "BATCH_FILE_BYTES", -1)
    (result,) = inbox.ingest().results
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (2000, 1000, 1000)
    assert inbox.one("select count(distinct source_row) from ingest.quarantine") == 1000
