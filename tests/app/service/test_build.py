"""When the service builds, decided from the warehouse's load log and its own build record:
new data builds, a published build of the same data does not, a failed build waits for new
data or its back-off, an interrupted one runs again, a build by `andon build` counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.service.build import BUILD_RETRY_S, Landed, build_due, read_landed
from ingest import ingest_inbox

NOW = datetime(2026, 10, 8, 8, 0, tzinfo=UTC)
LANDED_AT = NOW - timedelta(minutes=10)


def landed(load_id: int = 7, superseded: int = 0, passed_at: datetime | None = None) -> Landed:
    return Landed(load_id, superseded, LANDED_AT, passed_at)


def build(marker: str, status: str, minutes_ago: float) -> dict:
    at = (NOW - timedelta(minutes=minutes_ago)).isoformat()
    return {"marker": marker, "status": status, "started_at": at, "finished_at": at}


def test_build_decisions() -> None:
    assert not build_due(None, [], NOW, published=False).due  # nothing landed
    assert build_due(landed(), [], NOW, published=False).due  # never built
    done = [build("7/0", "passed", 5)]
    assert build_due(landed(), done, NOW, published=True).reason == "up to date"
    assert build_due(landed(), done, NOW, published=False).due  # its published copy is gone
    assert build_due(landed(8), done, NOW, published=True).due  # new data
    assert build_due(landed(7, 1), done, NOW, published=True).due  # a load was replaced
    # built by `andon build` after the newest landing
    outside = landed(8, passed_at=LANDED_AT + timedelta(seconds=1))
    assert not build_due(outside, done, NOW, published=True).due


def test_a_failed_build_waits_for_new_data_or_its_back_off() -> None:
    failed = [build("8/0", "failed", 1), build("7/0", "passed", 60)]
    waiting = build_due(landed(8), failed, NOW, published=True)
    assert not waiting.due and waiting.retry_at == NOW + timedelta(seconds=BUILD_RETRY_S - 60)
    assert build_due(landed(9), failed, NOW, published=True).due  # new data: at once
    later = NOW + timedelta(seconds=BUILD_RETRY_S)
    assert build_due(landed(8), failed, later, published=True).due
    # failed twice on the same data: twice the wait; an interrupted attempt does not count
    twice = [build("8/0", "failed", 1), build("8/0", "interrupted", 5), build("8/0", "failed", 30)]
    again = build_due(landed(8), twice, NOW, published=True)
    assert again.retry_at == NOW + timedelta(seconds=2 * BUILD_RETRY_S - 60)
    interrupted = [build("8/0", "interrupted", 1), build("7/0", "passed", 60)]
    assert build_due(landed(8), interrupted, NOW, published=True).due


def test_the_marker_follows_what_landed(landed_copy: Path, tmp_path: Path) -> None:
    before = read_landed(landed_copy)
    assert before is not None and before.load_id > 0 and before.passed_build_at is None
    inbox = tmp_path / "more"
    folder = inbox / "mes" / "equipment"
    folder.mkdir(parents=True)
    row = '{"equipment_id":"SZ-NEW-M01","equipment_name":"New","line_id":"SZ-SMT1","plant_id":"SZ"}'
    (folder / "extra.jsonl").write_text(row + "\n", encoding="utf-8")
    ingest_inbox(inbox, landed_copy)
    grown = read_landed(landed_copy)
    assert grown.load_id > before.load_id and grown.superseded == before.superseded
    ingest_inbox(inbox, landed_copy)  # unchanged: skipped, the marker stays
    assert read_landed(landed_copy) == grown
    (folder / "extra.jsonl").write_text(row.replace("New", "Renamed") + "\n", encoding="utf-8")
    ingest_inbox(inbox, landed_copy)  # changed: replaces its earlier version
    replaced = read_landed(landed_copy)
    assert replaced.superseded == grown.superseded + 1 and replaced.marker != grown.marker
    assert read_landed(tmp_path / "none.duckdb") is None
