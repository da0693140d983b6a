"""Batches: small files of one entity and layout land together, each still its own load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from ingest import ingest_inbox, loader
from tests.ingest.conftest import STATES_HEADER

ROOT = Path(__file__).resolve().parents[2]


def _state(eq: str, hour: int, state: str = "RUNNING") -> str:
    return f"{eq},2024-03-01 {hour:02d}:00,2024-03-01 {hour:02d}:30,{state},,\n"


def _spy_batches(monkeypatch) -> list[list[str]]:
    batches: list[list[str]] = []
    real = loader._Run._land

    def spy(self, batch):
        batches.append([m.cand.file for m in batch])
        return real(self, batch)

    monkeypatch.setattr(loader._Run, "_land", spy)
    return batches


def test_batch_counts_and_row_numbers_per_file(inbox, monkeypatch):
    batches = _spy_batches(monkeypatch)
    inbox.write("mes/equipment_states/d1.csv", STATES_HEADER + _state("EQ1", 6) + _state("EQ1", 7))
    inbox.write(
        "mes/equipment_states/d2.csv",
        STATES_HEADER + _state("EQ2", 6, "BOGUS") + _state("EQ2", 7) + _state("EQ2", 8),
    )
    inbox.write("mes/equipment_states/d3.csv", STATES_HEADER + _state("EQ3", 6))
    inbox.write(
        "scada/meter_readings/m1.jsonl",
        '{"equipment_id": "EQ1", "interval_start": "2024-03-01 06:00", "interval_minutes": 15,'
        ' "energy_kwh": 1}\nnot json\n',
    )
    inbox.write(
        "scada/meter_readings/m2.jsonl",
        '\n{"equipment_id": "EQ2", "interval_start": "2024-03-01 06:00", "interval_minutes": 15,'
        ' "energy_kwh": -1}\n{"equipment_id": "EQ2", "interval_start": "2024-03-01 06:15",'
        ' "interval_minutes": 15, "energy_kwh": 2}\n',
    )
    report = inbox.ingest()
    assert batches == [
        [
            "mes/equipment_states/d1.csv",
            "mes/equipment_states/d2.csv",
            "mes/equipment_states/d3.csv",
        ],
        ["scada/meter_readings/m1.jsonl", "scada/meter_readings/m2.jsonl"],
    ]
    assert [
        (r.file, r.load_id, r.rows_read, r.rows_landed, r.rows_quarantined) for r in report.results
    ] == [
        ("mes/equipment_states/d1.csv", 1, 2, 2, 0),
        ("mes/equipment_states/d2.csv", 2, 3, 2, 1),
        ("mes/equipment_states/d3.csv", 3, 1, 1, 0),
        ("scada/meter_readings/m1.jsonl", 4, 2, 1, 1),
        ("scada/meter_readings/m2.jsonl", 5, 2, 1, 1),
    ]
    assert inbox.rows(
        "select load_id, rows_read, rows_landed, rows_quarantined, status, length(content_hash),"
        " format from ingest.load_log order by 1"
    ) == [
        (1, 2, 2, 0, "LANDED", 64, "csv"),
        (2, 3, 2, 1, "LANDED", 64, "csv"),
        (3, 1, 1, 0, "LANDED", 64, "csv"),
        (4, 2, 1, 1, "LANDED", 64, "jsonl"),
        (5, 2, 1, 1, "LANDED", 64, "jsonl"),
    ]
    assert inbox.rows(
        "select _load_id, _source_file, _source_row, equipment_id from raw.equipment_states"
        " order by 1, 3"
    ) == [
        (1, "mes/equipment_states/d1.csv", 2, "EQ1"),
        (1, "mes/equipment_states/d1.csv", 3, "EQ1"),
        (2, "mes/equipment_states/d2.csv", 3, "EQ2"),
        (2, "mes/equipment_states/d2.csv", 4, "EQ2"),
        (3, "mes/equipment_states/d3.csv", 2, "EQ3"),
    ]
    assert inbox.rows(
        "select _load_id, _source_file, _source_row from raw.meter_readings order by 1"
    ) == [(4, "scada/meter_readings/m1.jsonl", 1), (5, "scada/meter_readings/m2.jsonl", 3)]
    assert inbox.rows(
        'select load_id, file, source_row, "column" from ingest.quarantine order by 1'
    ) == [
        (2, "mes/equipment_states/d2.csv", 2, "state"),
        (4, "scada/meter_readings/m1.jsonl", 2, None),
        (5, "scada/meter_readings/m2.jsonl", 2, "energy_kwh"),
    ]
    again = inbox.ingest()
    assert {r.status for r in again.results} == {"skipped"}


def test_unreadable_file_in_batch_rejected_alone(inbox, monkeypatch):
    batches = _spy_batches(monkeypatch)
    good = STATES_HEADER + _state("EQ1", 6)
    inbox.write("mes/equipment_states/a.csv", good)
    # Ragged: found only when the batch's query scans it, so the batch falls back.
    inbox.write("mes/equipment_states/b.csv", good + "EQ1,2024-03-01 07:00\n")
    inbox.write("mes/equipment_states/c.csv", STATES_HEADER + _state("EQ3", 6))
    # Missing a required column: found when the file is opened, never joins a batch.
    inbox.write("mes/equipment_states/d.csv", "equipment_id,state\nEQ1,RUNNING\n")
    inbox.write("mes/equipment_states/e.csv", STATES_HEADER + _state("EQ5", 6))
    report = inbox.ingest()
    assert batches[0] == [
        "mes/equipment_states/a.csv",
        "mes/equipment_states/b.csv",
        "mes/equipment_states/c.csv",
    ]
    by_file = {r.file.rsplit("/", 1)[1]: r for r in report.results}
    assert [r.file.rsplit("/", 1)[1] for r in report.results] == [
        "a.csv",
        "b.csv",
        "c.csv",
        "d.csv",
        "e.csv",
    ]
    assert {f: r.status for f, r in by_file.items()} == {
        "a.csv": "landed",
        "b.csv": "rejected",
        "c.csv": "landed",
        "d.csv": "rejected",
        "e.csv": "landed",
    }
    assert "CSV Error on Line: 3" in by_file["b.csv"].message
    assert by_file["d.csv"].message.startswith("missing required column(s) start_ts")
    assert inbox.rows(
        "select load_id, status, rows_read, rows_landed from ingest.load_log order by 1"
    ) == [
        (1, "LANDED", 1, 1),
        (2, "REJECTED", None, None),
        (3, "LANDED", 1, 1),
        (4, "REJECTED", None, None),
        (5, "LANDED", 1, 1),
    ]
    assert inbox.rows("select _load_id, equipment_id from raw.equipment_states order by 1") == [
        (1, "EQ1"),
        (3, "EQ3"),
        (5, "EQ5"),
    ]


def test_batch_duplicates_and_supersede(inbox):
    content = STATES_HEADER + _state("EQ1", 6)
    inbox.write("mes/equipment_states/a.csv", content)
    inbox.write("mes/equipment_states/b.csv", content)
    changed = inbox.write("mes/equipment_states/c.csv", STATES_HEADER + _state("EQ3", 6))
    first = inbox.ingest()
    assert [r.status for r in first.results] == ["landed", "skipped", "landed"]
    assert (
        first.results[1].message
        == "already loaded as load 1 (same content as mes/equipment_states/a.csv)"
    )
    changed.write_text(STATES_HEADER + _state("EQ9", 6) + _state("EQ9", 7))
    inbox.write("mes/equipment_states/d.csv", STATES_HEADER + _state("EQ4", 6))
    second = inbox.ingest()
    assert [(r.status, r.load_id, r.message) for r in second.results] == [
        ("skipped", 1, "already loaded as load 1"),
        ("skipped", 1, "already loaded as load 1 (same content as mes/equipment_states/a.csv)"),
        ("landed", 3, "supersedes load 2"),
        ("landed", 4, ""),
    ]
    assert inbox.rows("select load_id, status from ingest.load_log order by 1") == [
        (1, "LANDED"),
        (2, "SUPERSEDED"),
        (3, "LANDED"),
        (4, "LANDED"),
    ]
    assert inbox.rows(
        "select _load_id, equipment_id, _source_row from raw.equipment_states order by 1, 3"
    ) == [(1, "EQ1", 2), (3, "EQ9", 2), (3, "EQ9", 3), (4, "EQ4", 2)]


def test_batch_split_by_layout_and_cap(inbox, monkeypatch):
    batches = _spy_batches(monkeypatch)
    monkeypatch.setattr(loader, "BATCH_MAX_FILES", 2)
    for n in range(3):
        inbox.write(f"mes/equipment_states/a{n}.csv", STATES_HEADER + _state(f"EQ{n}", 6))
    inbox.write(
        "mes/equipment_states/b.csv",
        "equipment_id;start_ts;state\nEQ7;2024-03-01 06:00;RUNNING\n",
    )
    report = inbox.ingest()
    assert [len(b) for b in batches] == [2, 1, 1]
    assert [r.rows_landed for r in report.results] == [1, 1, 1, 1]
    assert inbox.rows("select _load_id, equipment_id from raw.equipment_states order by 1") == [
        (1, "EQ0"),
        (2, "EQ1"),
        (3, "EQ2"),
        (4, "EQ7"),
    ]


def test_large_file_is_a_batch_of_one(inbox, monkeypatch):
    batches = _spy_batches(monkeypatch)
    small = STATES_HEADER + _state("EQ1", 6)
    monkeypatch.setattr(loader, "BATCH_FILE_BYTES", len(small.encode()))
    inbox.write("mes/equipment_states/a.csv", small)
    inbox.write(
        "mes/equipment_states/b.csv",
        STATES_HEADER + "".join(_state("EQ2", h) for h in range(10)) + _state("EQ2", 11, "BOGUS"),
    )
    inbox.write("mes/equipment_states/c.csv", STATES_HEADER + _state("EQ3", 6))
    inbox.write("mes/equipment_states/d.csv", STATES_HEADER + _state("EQ4", 6))
    report = inbox.ingest()
    assert batches == [
        ["mes/equipment_states/a.csv"],
        ["mes/equipment_states/b.csv"],
        ["mes/equipment_states/c.csv", "mes/equipment_states/d.csv"],
    ]
    assert [
        (r.load_id, r.rows_read, r.rows_landed, r.rows_quarantined) for r in report.results
    ] == [
        (1, 1, 1, 0),
        (2, 11, 10, 1),
        (3, 1, 1, 0),
        (4, 1, 1, 0),
    ]
    assert inbox.rows(
        'select load_id, file, source_row, "column", reason from ingest.quarantine'
    ) == [
        (
            2,
            "mes/equipment_states/b.csv",
            12,
            "state",
            "state: 'BOGUS' is not one of RUNNING, SETUP, UNPLANNED_STOP, MINOR_STOP, STARVED,"
            " BLOCKED, PLANNED_STOP, NOT_SCHEDULED",
        )
    ]
    assert inbox.rows(
        "select _source_file, count(*), min(_source_row), max(_source_row)"
        " from raw.equipment_states group by 1 order by 1"
    ) == [
        ("mes/equipment_states/a.csv", 1, 2, 2),
        ("mes/equipment_states/b.csv", 10, 2, 11),
        ("mes/equipment_states/c.csv", 1, 2, 2),
        ("mes/equipment_states/d.csv", 1, 2, 2),
    ]


KILL_DRIVER = """
import os, signal, sys
from pathlib import Path
from ingest import ingest_inbox, loader

real = loader._Run._supersede
def supersede(self, member, raw):
    if member.cand.file.endswith("b2.csv"):
        os.kill(os.getpid(), signal.SIGKILL)  # mid-batch: rows inserted, not committed
    return real(self, member, raw)
loader._Run._supersede = supersede
ingest_inbox(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_kill_during_batch_leaves_none_of_it(tmp_path):
    inbox, warehouse = tmp_path / "inbox", tmp_path / "andon.duckdb"
    folder = inbox / "mes" / "equipment_states"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text(STATES_HEADER + _state("EQA", 6))
    for n in (1, 2, 3):
        (folder / f"b{n}.csv").write_text(
            STATES_HEADER + "".join(_state(f"EQ{n}", h) for h in range(n + 1))
        )
    (inbox / "erp" / "customers").mkdir(parents=True)
    (inbox / "erp" / "customers" / "c.csv").write_text("customer_id,customer_name\nC1,Acme\n")
    proc = subprocess.run(
        [sys.executable, "-c", KILL_DRIVER, str(inbox), str(warehouse)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )
    assert proc.returncode == -9
    con = duckdb.connect(str(warehouse))
    try:
        # erp/customers landed in its own batch before; the states batch left nothing.
        assert con.execute("select file, status from ingest.load_log").fetchall() == [
            ("erp/customers/c.csv", "LANDED")
        ]
        assert con.execute("select count(*) from raw.equipment_states").fetchone() == (0,)
    finally:
        con.close()
    report = ingest_inbox(inbox, warehouse)
    assert [(r.file.rsplit("/", 1)[1], r.status, r.rows_landed) for r in report.results] == [
        ("c.csv", "skipped", 0),
        ("a.csv", "landed", 1),
        ("b1.csv", "landed", 2),
        ("b2.csv", "landed", 3),
        ("b3.csv", "landed", 4),
    ]
    con = duckdb.connect(str(warehouse))
    try:
        assert con.execute(
            "select _source_file, count(*), min(_source_row), max(_source_row)"
            " from raw.equipment_states group by 1 order by 1"
        ).fetchall() == [
            ("mes/equipment_states/a.csv", 1, 2, 2),
            ("mes/equipment_states/b1.csv", 2, 2, 3),
            ("mes/equipment_states/b2.csv", 3, 2, 4),
            ("mes/equipment_states/b3.csv", 4, 2, 5),
        ]
    finally:
        con.close()
