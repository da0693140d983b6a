"""Crash safety: a process killed mid-file leaves nothing of that file; the next run loads it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from ingest import ingest_inbox
from tests.ingest.conftest import STATES_HEADER

ROWS = 2_000_000
DRIVER = """
import sys
from pathlib import Path
from ingest import ingest_inbox

def on_file(event):
    print("started" if event.phase == "start" else "done", event.file, flush=True)

ingest_inbox(Path(sys.argv[1]), Path(sys.argv[2]), on_file=on_file)
print("finished", flush=True)
"""
ROOT = Path(__file__).resolve().parents[2]


def _big_csv(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(
        f"""copy (
            select 'EQ' || (i % 40) as equipment_id,
                strftime(timestamp '2024-01-01' + to_seconds(i * 60), '%Y-%m-%d %H:%M:%S')
                    as start_ts,
                strftime(timestamp '2024-01-01' + to_seconds(i * 60 + 59), '%Y-%m-%d %H:%M:%S')
                    as end_ts,
                'RUNNING' as state, null as reason_code, null as reason_text
            from range({ROWS}) as t(i)
        ) to '{path}' (header, delimiter ',')"""
    )
    con.close()


def test_kill_during_file_transaction(tmp_path):
    inbox, warehouse = tmp_path / "inbox", tmp_path / "andon.duckdb"
    small = inbox / "mes" / "equipment_states" / "a_small.csv"
    small.parent.mkdir(parents=True)
    small.write_text(STATES_HEADER + "EQ1,2023-12-31 23:00,2024-01-01 00:00,SETUP,,\n")
    _big_csv(inbox / "mes" / "equipment_states" / "b_big.csv")

    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(inbox), str(warehouse)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        # The small file's batch commits once the big file is opened (the big one cannot
        # join it): wait for both, so the kill lands inside the big file's transaction.
        waiting = {
            "started mes/equipment_states/b_big.csv",
            "done mes/equipment_states/a_small.csv",
        }
        for line in proc.stdout:
            waiting.discard(line.strip())
            if not waiting:
                break
        else:
            raise AssertionError(f"driver never got to {waiting}")
        time.sleep(1.0)
        assert proc.poll() is None, "the big file finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()

    con = duckdb.connect(str(warehouse))
    try:
        assert con.execute(
            "select count(*) from raw.equipment_states where _source_file like '%b_big.csv'"
        ).fetchone() == (0,)
        assert con.execute("select file, status from ingest.load_log").fetchall() == [
            ("mes/equipment_states/a_small.csv", "LANDED")
        ]
    finally:
        con.close()

    report = ingest_inbox(inbox, warehouse)
    assert [(r.file, r.status) for r in report.results] == [
        ("mes/equipment_states/a_small.csv", "skipped"),
        ("mes/equipment_states/b_big.csv", "landed"),
    ]
    assert report.results[1].rows_landed == ROWS
    con = duckdb.connect(str(warehouse))
    try:
        assert con.execute(
            "select count(*), min(_source_row), max(_source_row) from raw.equipment_states"
            " where _source_file like '%b_big.csv'"
        ).fetchone() == (ROWS, 2, ROWS + 1)
    finally:
        con.close()


def test_no_temp_files_left(inbox):
    import tempfile

    inbox.write(
        "erp/materials/gbk.csv",
        "material_id,description,material_type,uom,standard_cost,currency\nM1,螺栓,RM,PCS,1,CNY\n",
        "gb18030",
    )
    inbox.ingest()
    assert not (Path(tempfile.gettempdir()) / f"andon-ingest-{os.getpid()}").exists()
