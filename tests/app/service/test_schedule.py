"""Each source's cron in its own time zone, with marks in the state store: due once per fire,
a catch-up after downtime is one pull, a restart resumes from the mark, and a pull that never
finished (no mark written) runs again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from app.reports.state import StateStore
from app.service.schedule import is_due, next_run
from app.service.service import PipelineService, TickResult
from ingest.sources import load_sources
from tests.app.service.conftest import Clock, sqlite_source


def test_due_per_time_zone(write_sources, mes_sqlite: Path) -> None:
    path = write_sources(
        sz=sqlite_source(mes_sqlite, "0 8 * * *", timezone="Asia/Shanghai"),
        utc=sqlite_source(mes_sqlite, "0 8 * * *", entities={"plants": {"table": "p"}}),
        manual=sqlite_source(mes_sqlite, None, entities={"shifts": {"table": "s"}}),
    )
    sources = load_sources(path).sources
    sz, utc, manual = sources["sz"], sources["utc"], sources["manual"]
    mark = datetime(2026, 10, 8, 0, 30, tzinfo=UTC)  # 08:30 in Suzhou
    before = datetime(2026, 10, 8, 23, 59, tzinfo=UTC)  # 07:59 the next day in Suzhou
    at_eight = datetime(2026, 10, 9, 0, 0, tzinfo=UTC)  # 08:00 in Suzhou
    assert not is_due(sz, mark, before) and is_due(sz, mark, at_eight)
    assert next_run(sz, mark, before) == at_eight
    assert is_due(utc, mark, datetime(2026, 10, 8, 8, 0, tzinfo=UTC))  # 08:00 UTC, same day
    assert is_due(sz, None, before)  # never pulled: at once
    assert not is_due(manual, None, before) and next_run(manual, None, before) is None


def _service(build_file: Path, sources: Path, reports: Path, clock: Clock, log: list[str]):
    return PipelineService(
        build_file,
        StateStore(build_file.parent / "state.sqlite"),
        sources_file=sources,
        reports=reports,
        clock=clock,
        log=log.append,
    )


def _pulls(build_file: Path) -> int:
    con = duckdb.connect(str(build_file), read_only=True)
    try:
        return con.execute("select count(*) from ingest.load_log where origin = 'mes'").fetchone()[
            0
        ]
    finally:
        con.close()


def test_catch_up_is_one_pull_and_a_restart_resumes_from_the_mark(
    tmp_path: Path, write_sources, mes_sqlite: Path, reports_dir: Path
) -> None:
    build_file = tmp_path / "wh" / "andon.duckdb"
    sources = write_sources(mes=sqlite_source(mes_sqlite, "*/15 * * * *"))
    clock, log = Clock(datetime(2026, 10, 8, 8, 5, tzinfo=UTC)), []
    service = _service(build_file, sources, reports_dir, clock, log)
    listed = service.sources()

    service.pull_due(listed, TickResult())  # never pulled: due now
    assert _pulls(build_file) == 1
    assert service.state.source_marks()["mes"]["last_fire"] == "2026-10-08T08:05:00+00:00"
    clock.advance(minutes=5)  # 08:10: the next fire is 08:15
    service.pull_due(listed, TickResult())
    assert _pulls(build_file) == 1

    # down for three days: 288 fires missed, one pull catches up (pulls are incremental)
    clock.advance(days=3)
    result = TickResult()
    service.pull_due(listed, result)
    assert [a.status for a in result.attempts] == ["ok"] and _pulls(build_file) == 2
    service.pull_due(listed, TickResult())
    assert _pulls(build_file) == 2
    service.state.close()

    # a restart reads the mark: nothing due until the next fire
    clock.advance(minutes=1)
    restarted = _service(build_file, sources, reports_dir, clock, log)
    restarted.pull_due(restarted.sources(), TickResult())
    assert _pulls(build_file) == 2
    clock.advance(minutes=15)
    restarted.pull_due(restarted.sources(), TickResult())
    assert _pulls(build_file) == 3
    restarted.state.close()


def test_a_pull_that_never_recorded_its_mark_runs_again(
    tmp_path: Path, write_sources, mes_sqlite: Path, reports_dir: Path
) -> None:
    """A crash between the pull and its mark: the pull lands again at restart, and lands no
    row twice (the snapshot is identical, so nothing new lands)."""
    from ingest.pull import pull_source

    build_file = tmp_path / "wh" / "andon.duckdb"
    sources = write_sources(mes=sqlite_source(mes_sqlite, "0 * * * *"))
    pull_source(load_sources(sources).get("mes"), build_file)  # the pull that crashed after
    clock, log = Clock(), []
    service = _service(build_file, sources, reports_dir, clock, log)
    result = TickResult()
    service.pull_due(service.sources(), result)
    assert [a.status for a in result.attempts] == ["ok"]
    assert result.attempts[0].rows_landed == 0  # already there: nothing lands twice
    con = duckdb.connect(str(build_file), read_only=True)
    try:
        rows = con.execute(
            "select count(*), count(distinct equipment_id) from raw.equipment"
        ).fetchone()
    finally:
        con.close()
    assert rows == (2, 2)
    service.state.close()
