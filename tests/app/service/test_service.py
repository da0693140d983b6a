"""The service as a plant runs it: a failing source never blocks another, a busy warehouse is
waited for, the status says what runs and what failed, SIGTERM stops cleanly, and a crash in
the middle of a build (the process killed) rebuilds at the next start."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from app.reports.state import StateStore, now_utc
from app.service.heartbeat import AlreadyRunning, ServiceLock, hostname, service_state
from app.service.service import BUSY, PipelineService, TickResult
from app.service.status import pipeline_status
from tests.app.service.conftest import sqlite_source

SECRET = "S3cret-pa55word"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _outage_source() -> dict:
    """A PostgreSQL ERP nobody listens for: a database outage."""
    return {
        "kind": "postgresql",
        "connection": {
            "host": "127.0.0.1",
            "port": _closed_port(),
            "database": "erp",
            "user": "andon",
            "password_env": "ANDON_TEST_ERP_PASSWORD",
        },
        "schedule": "0 * * * *",
        "timezone": "Asia/Shanghai",
        "entities": {"customers": {"table": "erp.customer"}},
    }


def test_a_failing_source_never_blocks_another_and_shows_in_the_status(
    built_copy: Path,
    tmp_path: Path,
    write_sources,
    mes_sqlite: Path,
    reports_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANDON_TEST_ERP_PASSWORD", SECRET)
    sources = write_sources(
        erp=_outage_source(),
        mes=sqlite_source(mes_sqlite),
        inbox={"kind": "files", "inbox": str(tmp_path / "missing"), "schedule": "0 6 * * *"},
    )
    lines: list[str] = []
    state = StateStore(built_copy.parent / "state.sqlite")
    service = PipelineService(
        built_copy, state, sources_file=sources, reports=reports_dir, log=lines.append
    )
    result = TickResult()
    service.pull_due(service.sources(), result)
    outcome = {a.source: a for a in result.attempts}
    assert outcome["erp"].status == "failed" and "cannot reach" in outcome["erp"].message
    assert outcome["mes"].status == "ok" and outcome["mes"].rows_landed == 2
    assert outcome["inbox"].status == "failed" and "not a folder" in outcome["inbox"].message
    assert not any(SECRET in line for line in lines)
    failures = [line for line in lines if line.startswith("erp/customers: failed")]
    assert len(failures) == 1, lines
    # the next fire fails the same way: not logged again
    state.db.execute("update source_marks set last_fire='2026-01-01T00:00:00+00:00'")
    state.db.commit()
    service.pull_due(service.sources(), TickResult())
    assert len([line for line in lines if line.startswith("erp/customers: failed")]) == 1

    status = pipeline_status(built_copy, sources=sources, reports=reports_dir)
    by_name = {s.name: s for s in status.sources}
    erp, mes = by_name["erp"], by_name["mes"]
    assert erp.last_status == "failed" and "cannot reach" in erp.message and erp.lag_s is None
    assert SECRET not in json.dumps(status.to_dict(), default=str)
    assert erp.where.startswith("postgresql andon@127.0.0.1:") and erp.where.endswith("/erp")
    assert erp.timezone == "Asia/Shanghai" and erp.next_run is not None
    assert mes.last_status == "ok" and mes.rows_landed == 0 and mes.lag_s < 60
    assert mes.message is None and mes.last_success_at is not None
    assert status.service.state == "never"  # steps called directly: no service ran
    state.close()


def test_a_busy_warehouse_is_waited_for(
    built_copy: Path, write_sources, mes_sqlite: Path, reports_dir: Path
) -> None:
    """Another process writes the warehouse (here: holds DuckDB's write lock): nothing is
    attempted, nothing crashes, the pull runs once the warehouse is free."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]);"
            " print('locked', flush=True); time.sleep(120)",
            str(built_copy),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        lines: list[str] = []
        state = StateStore(built_copy.parent / "state.sqlite")
        service = PipelineService(
            built_copy,
            state,
            sources_file=write_sources(mes=sqlite_source(mes_sqlite)),
            reports=reports_dir,
            log=lines.append,
        )
        first = service.tick()
        second = service.tick()
        assert first.busy and second.busy and first.ok
        assert lines.count(f"warehouse: {BUSY}") == 1, lines
        assert "mes" not in state.source_marks()  # not attempted: still due
        shown = pipeline_status(built_copy, reports=reports_dir)  # read from the published copy
        assert shown.read == "published (warehouse busy)" and shown.build.status == "passed"
    finally:
        holder.kill()
        holder.wait()
    freed = TickResult()
    service.pull_due(service.sources(), freed)  # (a tick would go on to build what landed)
    assert [a.status for a in freed.attempts] == ["ok"] and not freed.busy
    assert "warehouse: ok again" in lines
    state.close()


def test_heartbeat_running_stopped_gone_and_one_service_at_a_time(
    built_copy: Path, reports_dir: Path, tmp_path: Path
) -> None:
    state_file = built_copy.parent / "state.sqlite"
    state = StateStore(state_file)
    service = PipelineService(
        built_copy,
        state,
        sources_file=tmp_path / "none.yaml",
        reports=reports_dir,
        log=lambda line: None,
    )
    assert pipeline_status(built_copy, reports=reports_dir).service.state == "never"
    service.start()
    try:
        with pytest.raises(AlreadyRunning):
            ServiceLock(state_file).acquire()
        service.tick()
        running = pipeline_status(built_copy, reports=reports_dir).service
        assert running.state == "running" and running.pid == os.getpid()
        assert running.last_tick_at is not None and running.last_tick_result == "ok"
    finally:
        service.stop()
    stopped = pipeline_status(built_copy, reports=reports_dir).service
    assert stopped.state == "stopped" and stopped.since is not None
    ServiceLock(state_file).acquire()  # free again

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    now = now_utc()
    state.service_started("pipeline", dead.pid, "elsewhere", now, 30.0)
    assert service_state(state.service_row("pipeline"), now).state == "running"  # fresh beat
    later = service_state(state.service_row("pipeline"), now.replace(year=now.year + 1))
    assert later.state == "gone"
    state.service_started("pipeline", dead.pid, hostname(), now, 30)
    gone = service_state(state.service_row("pipeline"), now)
    assert gone.state == "gone" and gone.since == now  # killed: not running since its last beat
    state.close()


def andon(*args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("ANDON_STATE", "ANDON_SOURCES")}
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "COLUMNS": "200"},
    )


def _wait(what, timeout: float = 120.0, every: float = 0.2):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(every)
    raise AssertionError("timed out")


def test_sigterm_stops_cleanly(built_copy: Path, reports_dir: Path, tmp_path: Path) -> None:
    common = ["--warehouse", str(built_copy), "--reports", str(reports_dir)]
    process = andon("pipeline", "--poll", "1", "--sources", str(tmp_path / "none.yaml"), *common)
    state = StateStore(built_copy.parent / "state.sqlite")
    try:
        _wait(lambda: (state.service_row("pipeline") or {}).get("last_tick_at"))
        service = pipeline_status(built_copy, reports=reports_dir).service
        assert service.state == "running" and service.pid == process.pid
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "SIGTERM: stopping after the current step" in err and "service stopped" in err
    assert pipeline_status(built_copy, reports=reports_dir).service.state == "stopped"
    state.close()


def test_a_crash_during_the_build_rebuilds_at_the_next_start(
    landed_copy: Path, tmp_path: Path, write_sources, mes_sqlite: Path, reports_dir: Path
) -> None:
    """The service lands, starts building, and the machine goes down (service and build
    killed with SIGKILL). The next `andon pipeline --once` builds that data and publishes it;
    nothing lands twice."""
    inbox = tmp_path / "inbox"
    (inbox / "mes" / "equipment").mkdir(parents=True)
    (inbox / "mes" / "equipment" / "extra.jsonl").write_text(
        '{"equipment_id":"SZ-NEW-M01","equipment_name":"New","line_id":"SZ-SMT1",'
        '"plant_id":"SZ"}\n',
        encoding="utf-8",
    )
    sources = write_sources(
        mes=sqlite_source(mes_sqlite), plant_inbox={"kind": "files", "inbox": str(inbox)}
    )
    common = ["--warehouse", str(landed_copy), "--reports", str(reports_dir)]
    common += ["--sources", str(sources), "--settle", "0"]
    state = StateStore(landed_copy.parent / "state.sqlite")
    process = andon("pipeline", "--poll", "5", *common)
    try:
        # the row is written with the service's pid, then the build child's once it runs:
        # the build runs in its own child
        building = _wait(
            lambda: [
                b
                for b in state.pipeline_builds()
                if b["status"] == "building" and b["pid"] not in (None, process.pid)
            ]
        )[0]
        time.sleep(2)  # well into dbt
        process.kill()
        os.kill(building["pid"], signal.SIGKILL)
        process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    marks = state.source_marks()
    assert marks["mes"]["rows_landed"] == 2 and marks["plant_inbox"]["rows_landed"] == 1
    gone = pipeline_status(landed_copy, sources=sources, reports=reports_dir)
    assert gone.service.state == "gone" and gone.build.status == "interrupted"
    assert gone.build.pending  # the landed data is in no published build

    restart = andon("pipeline", "--once", *common)
    out, err = restart.communicate(timeout=600)
    assert restart.returncode == 0, err
    assert "a build was interrupted when the service last ended" in err
    builds = state.pipeline_builds()
    assert [b["status"] for b in builds] == ["passed", "interrupted"], builds
    assert builds[0]["marker"] == builds[1]["marker"]
    status = pipeline_status(landed_copy, sources=sources, reports=reports_dir)
    assert status.build.status == "passed" and status.build.pending is False
    assert status.service.state == "stopped"
    published = landed_copy.parent / "published" / builds[0]["published"]
    con = duckdb.connect(str(published), read_only=True)
    try:
        found = con.execute(
            "select equipment_id, count(*) from raw.equipment where equipment_id in "
            "('SZ-NEW-M01', 'SZ-EXTRA-M01', 'SZ-EXTRA-M02') group by 1 order by 1"
        ).fetchall()
        dims = con.execute(
            "select count(*) from marts.dim_equipment where equipment_id = 'SZ-NEW-M01'"
        ).fetchone()[0]
    finally:
        con.close()
    assert found == [("SZ-EXTRA-M01", 1), ("SZ-EXTRA-M02", 1), ("SZ-NEW-M01", 1)]
    assert dims == 1

    shown = andon("pipeline", "--status", *common)
    text, err = shown.communicate(timeout=120)
    assert shown.returncode == 0, err
    assert "not running since" in text and "plant_inbox" in text and "Build: passed" in text
    state.close()
