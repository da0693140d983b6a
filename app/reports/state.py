"""Andon's state store: a SQLite file beside the warehouse (builds replace the DuckDB file,
so anything that must survive a rebuild lives here): report runs keyed by (report, slice,
period), every delivery attempt with its failure reason, alert state and history, acks,
and the scheduler's last processed fire time per report."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ENV_VAR = "ANDON_STATE"

SCHEMA = """
create table if not exists runs (
    id integer primary key,
    report text not null, slice text not null, period text not null,
    as_of text not null, lang text, status text not null,
    files text, link text, created_at text not null, finished_at text,
    unique (report, slice, period)
);
create table if not exists deliveries (
    id integer primary key,
    run_id integer, alert_event_id integer,
    channel text not null, target text not null, attempt integer not null,
    ok integer not null, error text, at text not null
);
create table if not exists alert_state (
    rule text not null, entity text not null,
    status text not null, period text, value real, message text,
    plant text, role text, token text unique,
    opened_at text not null, notified_at text, level integer not null default 0,
    acked_at text, acked_by text, cleared_at text,
    primary key (rule, entity, opened_at)
);
create table if not exists alert_history (
    id integer primary key,
    rule text not null, entity text not null, event text not null,
    period text, value real, message text, contact text, at text not null
);
create table if not exists schedule_marks (
    report text primary key, last_fire text not null
);
"""


def state_path(warehouse: Path | None = None) -> Path:
    """$ANDON_STATE, else state.sqlite in the warehouse file's folder."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    from warehouse.location import warehouse_path

    return warehouse_path(warehouse).parent / "state.sqlite"


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


class StateStore:
    """Small typed helpers over the SQLite file; every write commits at once."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("pragma journal_mode=wal")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        with self.db:
            yield self.db

    def rows(self, sql: str, params: tuple = ()) -> list[dict]:
        return [dict(r) for r in self.db.execute(sql, params).fetchall()]

    # runs -------------------------------------------------------------------------------
    def run(self, report: str, slice_key: str, period: str) -> dict | None:
        found = self.rows(
            "select * from runs where report=? and slice=? and period=?",
            (report, slice_key, period),
        )
        return found[0] if found else None

    def claim_run(
        self, report: str, slice_key: str, period: str, as_of: str, lang: str, at: datetime
    ) -> int:
        """The run's id, creating it on first sight; the unique key makes a period one run."""
        with self.tx() as db:
            db.execute(
                "insert or ignore into runs (report, slice, period, as_of, lang, status, "
                "created_at) values (?,?,?,?,?, 'rendering', ?)",
                (report, slice_key, period, as_of, lang, stamp(at)),
            )
        return int(self.run(report, slice_key, period)["id"])  # type: ignore[index]

    def finish_run(
        self, run_id: int, status: str, files: list[str], link: str | None, at: datetime
    ) -> None:
        with self.tx() as db:
            db.execute(
                "update runs set status=?, files=?, link=?, finished_at=? where id=?",
                (status, json.dumps(files), link, stamp(at), run_id),
            )

    def delivered_targets(self, run_id: int) -> set[tuple[str, str]]:
        rows = self.rows(
            "select channel, target from deliveries where run_id=? and ok=1", (run_id,)
        )
        return {(r["channel"], r["target"]) for r in rows}

    def log_delivery(
        self,
        channel: str,
        target: str,
        attempt: int,
        ok: bool,
        error: str | None,
        at: datetime,
        run_id: int | None = None,
        alert_event_id: int | None = None,
    ) -> None:
        with self.tx() as db:
            db.execute(
                "insert into deliveries (run_id, alert_event_id, channel, target, attempt, ok, "
                "error, at) values (?,?,?,?,?,?,?,?)",
                (run_id, alert_event_id, channel, target, attempt, int(ok), error, stamp(at)),
            )

    def recent_runs(self, limit: int = 200) -> list[dict]:
        return self.rows("select * from runs order by id desc limit ?", (limit,))

    def deliveries(self, run_id: int | None = None, failed_only: bool = False) -> list[dict]:
        sql = "select * from deliveries where 1=1"
        params: tuple = ()
        if run_id is not None:
            sql += " and run_id=?"
            params = (run_id,)
        if failed_only:
            sql += " and ok=0"
        return self.rows(sql + " order by id desc", params)

    # scheduler marks --------------------------------------------------------------------
    def last_fire(self, report: str) -> str | None:
        found = self.rows("select last_fire from schedule_marks where report=?", (report,))
        return found[0]["last_fire"] if found else None

    def set_last_fire(self, report: str, fire: datetime) -> None:
        with self.tx() as db:
            db.execute(
                "insert into schedule_marks (report, last_fire) values (?, ?) on conflict "
                "(report) do update set last_fire=excluded.last_fire",
                (report, stamp(fire)),
            )

    # alerts -----------------------------------------------------------------------------
    def open_alert(self, rule: str, entity: str) -> dict | None:
        found = self.rows(
            "select * from alert_state where rule=? and entity=? and status='open'",
            (rule, entity),
        )
        return found[0] if found else None

    def open_alerts(self) -> list[dict]:
        return self.rows("select * from alert_state where status='open' order by opened_at")

    def alert_by_token(self, token: str) -> dict | None:
        found = self.rows("select * from alert_state where token=?", (token,))
        return found[0] if found else None

    def history(self, rule: str | None = None, limit: int = 500) -> list[dict]:
        if rule:
            return self.rows(
                "select * from alert_history where rule=? order by id desc limit ?", (rule, limit)
            )
        return self.rows("select * from alert_history order by id desc limit ?", (limit,))

    def add_history(
        self,
        rule: str,
        entity: str,
        event: str,
        period: str | None,
        value: float | None,
        message: str,
        contact: str | None,
        at: datetime,
    ) -> int:
        with self.tx() as db:
            cursor = db.execute(
                "insert into alert_history (rule, entity, event, period, value, message, "
                "contact, at) values (?,?,?,?,?,?,?,?)",
                (rule, entity, event, period, value, message, contact, stamp(at)),
            )
        return int(cursor.lastrowid or 0)
