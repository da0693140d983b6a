"""A watched inbox: a file lands once it stopped changing, never half-written; file events
wake the service at once, polling alone lands files within the poll."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import duckdb
import pytest

from app.reports.state import StateStore
from app.service.service import PipelineService
from app.service.watch import InboxWatcher

ROW = (
    '{"equipment_id":"SZ-NEW-M01","equipment_name":"New press","line_id":"SZ-SMT1",'
    '"plant_id":"SZ"}\n'
)


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_file_lands_once_it_stopped_changing(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    folder = inbox / "mes" / "equipment"
    folder.mkdir(parents=True)
    ticks = Ticks()
    watcher = InboxWatcher(inbox, settle_s=3.0, clock=ticks, wall=lambda: ticks.now)
    assert watcher.check() == (False, {}, None)

    old = folder / "old.jsonl"  # written long ago: ready at first sight
    old.write_text(ROW, encoding="utf-8")
    os.utime(old, (ticks.now - 60, ticks.now - 60))
    (folder / ".partial.jsonl").write_text("{", encoding="utf-8")  # hidden: never looked at
    (inbox / "_truth").mkdir()
    (inbox / "_truth" / "x.json").write_text("{}", encoding="utf-8")  # not a system folder
    ready, signatures, wait = watcher.check()
    assert ready and list(signatures) == [old] and wait is None
    watcher.landed(signatures)
    assert watcher.check()[0] is False

    new = folder / "new.jsonl"  # being written: its mtime is now
    new.write_text(ROW[:20], encoding="utf-8")
    os.utime(new, (ticks.now, ticks.now))
    ready, _, wait = watcher.check()
    assert not ready and wait == pytest.approx(3.0)
    ticks.now += 2
    new.write_text(ROW, encoding="utf-8")  # still growing
    os.utime(new, (ticks.now - 100, ticks.now - 100))  # even with an old mtime (cp -p)
    assert watcher.check()[0] is False
    ticks.now += 3.5  # unchanged for 3.5 s
    ready, signatures, _ = watcher.check()
    assert ready and set(signatures) == {old, new}
    watcher.landed(signatures)
    new.unlink()
    assert watcher.check()[0] is False  # a removed file lands nothing


def test_file_events_wake_the_watcher(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "mes" / "equipment").mkdir(parents=True)
    wake = threading.Event()
    watcher = InboxWatcher(inbox, wake=wake)
    assert watcher.start() is None and watcher.watching
    try:
        watcher.check()  # reading the inbox is no event
        time.sleep(0.3)
        assert not wake.is_set()
        (inbox / "mes" / "equipment" / "x.jsonl").write_text(ROW, encoding="utf-8")
        assert wake.wait(5)
    finally:
        watcher.stop()
    assert not watcher.watching


def _raw_equipment(build_file: Path) -> int:
    con = duckdb.connect(str(build_file), read_only=True)
    try:
        return con.execute(
            "select count(*) from raw.equipment where equipment_id = 'SZ-NEW-M01'"
        ).fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("events", [True, False], ids=["file-events", "polling"])
def test_the_service_lands_a_dropped_file_within_the_poll(
    built_copy: Path, tmp_path: Path, write_sources, reports_dir: Path, events: bool
) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "mes" / "equipment").mkdir(parents=True)
    sources = write_sources(plant_inbox={"kind": "files", "inbox": str(inbox)})
    poll = 30.0 if events else 1.0
    lines: list[str] = []
    landed = threading.Event()
    state = StateStore(built_copy.parent / "state.sqlite")

    def log(line: str) -> None:
        lines.append(line)
        if line.startswith("plant_inbox: 1 file landed"):
            landed.set()
            service.request_stop()  # before the tick goes on to build it

    service = PipelineService(
        built_copy,
        state,
        sources_file=sources,
        reports=reports_dir,
        poll_s=poll,
        settle_s=0.5,
        watch_events=events,
        log=log,
    )
    runner = threading.Thread(target=service.serve, daemon=True)
    runner.start()
    deadline = time.monotonic() + 60
    while (
        state.service_row("pipeline") is None or not state.service_row("pipeline")["last_tick_at"]
    ):
        assert time.monotonic() < deadline, lines
        time.sleep(0.05)
    dropped = time.monotonic()
    (inbox / "mes" / "equipment" / "extra.jsonl").write_text(ROW, encoding="utf-8")
    assert landed.wait(poll + 10), lines
    took = time.monotonic() - dropped
    runner.join(30)
    assert not runner.is_alive()
    assert took < (5 if events else poll + 5), took  # events: at once, polling: within the poll
    assert _raw_equipment(built_copy) == 1
    assert state.service_row("pipeline")["stopped_at"]
    mark = state.source_marks()["plant_inbox"]
    assert mark["last_status"] == "ok" and mark["rows_landed"] == 1 and mark["last_fire"] is None
    assert not any(line.startswith("build") for line in lines), lines  # up to date until then
    state.close()
