"""Andon's state store: a SQLite file beside the warehouse (builds replace the DuckDB file,
so anything that must survive a rebuild lives here). Every SQL statement on its tables is
written here; callers use the typed methods.

    runs            one row per (report, slice, period): rendered once, queued once
    outbox          the durable outbox: one row per message to send (a report copy, an alert
                    notification, a given-up notice) per channel and recipient, holding the
                    rendered message, a stable key, its status (pending, sending, retrying,
                    sent, given_up), attempts, next attempt and deadline
    deliveries      every delivery attempt with its failure reason
    fires           each scheduled fire of a report until it ran (retried like a delivery)
    schedule_marks  the scheduler's last fire time considered per report
    alert_state, alert_history   alerts from firing to clearing, acks, escalations
    source_marks    the pipeline service's last cron time considered per source, with its
                    last attempt (status, message, rows landed) and last success
    pipeline_builds each build the pipeline service ran: the landed data it was made from
                    (a marker of ingest.load_log), passed or failed, what failed
    service_heartbeat  the pipeline service's pid, host, start, current step and last tick

Whatever changes together commits together: a run is queued with its outbox rows, an alert
event with its notifications, a given-up delivery with the notice to its owner."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warehouse.location import state_path  # noqa: F401  (one rule, shared with app.accounts)

if TYPE_CHECKING:  # the alert events this store records (read by attribute only)
    from app.reports.alerts.transitions import (
        Acknowledged,
        Cleared,
        Escalated,
        Fired,
        Refreshed,
    )

ENV_VAR = "ANDON_STATE"
Notify = Callable[[int], list["Outgoing"]]

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
create table if not exists outbox (
    id integer primary key,
    key text not null unique,
    kind text not null, label text not null,
    channel text not null, target text not null,
    message text not null, owner text,
    status text not null, attempts integer not null default 0,
    next_attempt_at text not null, deadline text not null, last_error text,
    created_at text not null, updated_at text not null, sent_at text,
    run_id integer, alert_event_id integer, given_up_id integer
);
create index if not exists outbox_due on outbox (status, next_attempt_at);
create index if not exists outbox_run on outbox (run_id);
create table if not exists fires (
    report text not null, fire text not null, status text not null,
    attempts integer not null default 0, next_attempt_at text not null,
    deadline text not null, last_error text, updated_at text not null,
    primary key (report, fire)
);
create table if not exists source_marks (
    source text primary key, last_fire text,
    last_attempt_at text, last_status text, last_message text, rows_landed integer,
    last_success_at text, last_landed_at text, last_error text, last_error_at text
);
create table if not exists pipeline_builds (
    id integer primary key,
    marker text not null, status text not null, started_at text not null,
    finished_at text, build_id text, published text, message text, pid integer
);
create table if not exists service_heartbeat (
    service text primary key, pid integer not null, host text not null,
    started_at text not null, poll_s real, beat_at text not null,
    step text, step_since text, last_tick_at text, last_tick_result text, stopped_at text
);
"""

WAITING = ("pending", "sending", "retrying")  # outbox statuses still to be sent


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class AlertRecord:
    """One row of alert_state: an alert from the moment it fired until it cleared."""

    rule: str
    entity: str
    status: str  # open | cleared
    period: str | None
    value: float | None
    message: str | None
    plant: str | None
    role: str | None
    token: str
    opened_at: datetime
    notified_at: datetime | None
    level: int  # index of the contact last told in the escalation chain
    acked_at: datetime | None
    acked_by: str | None
    cleared_at: datetime | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AlertRecord:
        data = dict(row)
        for key in ("opened_at", "notified_at", "acked_at", "cleared_at"):
            data[key] = _moment(data[key])
        return cls(**data)

    def as_dict(self) -> dict[str, Any]:
        """The row as the listings show it (time stamps as ISO text)."""
        return {
            key: stamp(value) if isinstance(value, datetime) else value
            for key, value in asdict(self).items()
        }


@dataclass(frozen=True)
class Outgoing:
    """A message to put in the outbox. `key` is stable (the same report copy, alert event or
    notice always has the same key), so queueing it twice keeps one row."""

    key: str
    kind: str  # report | alert | given_up
    label: str  # what it is, for the listings: "daily_plant_kpis · SZ · 2026-10-06"
    channel: str  # email | file | webhook
    target: str  # an e-mail address, or a webhook's name in channels.yaml
    message: dict[str, Any]  # exactly what is sent, as rendered
    deadline: datetime
    owner: dict[str, Any] | None = None  # told when it is given up: name, lang, email, webhook
    run_id: int | None = None
    alert_event_id: int | None = None
    given_up_id: int | None = None  # for a given-up notice: the delivery it is about


@dataclass(frozen=True)
class Delivery:
    """One outbox row."""

    id: int
    key: str
    kind: str
    label: str
    channel: str
    target: str
    message: dict[str, Any]
    owner: dict[str, Any] | None
    status: str  # pending | sending | retrying | sent | given_up
    attempts: int
    next_attempt_at: datetime
    deadline: datetime
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    run_id: int | None
    alert_event_id: int | None
    given_up_id: int | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Delivery:
        data = dict(row)
        data["message"] = json.loads(data["message"])
        data["owner"] = json.loads(data["owner"]) if data["owner"] else None
        for key in ("next_attempt_at", "deadline", "created_at", "updated_at", "sent_at"):
            data[key] = _moment(data[key])
        return cls(**data)

    def as_dict(self) -> dict[str, Any]:
        """The row for the listings (no message body; time stamps as ISO text)."""
        return {
            key: stamp(value) if isinstance(value, datetime) else value
            for key, value in asdict(self).items()
            if key not in ("message", "owner")
        }


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

    def queue_run(
        self,
        run_id: int,
        files: list[str],
        link: str | None,
        outgoing: Iterable[Outgoing],
        at: datetime,
    ) -> None:
        """The run is rendered: its files and its messages are recorded in one transaction,
        so a run is either still to render or fully queued."""
        with self.tx() as db:
            db.execute(
                "update runs set status='queued', files=?, link=?, finished_at=? where id=?",
                (json.dumps(files), link, stamp(at), run_id),
            )
            self._enqueue(db, outgoing, at)

    def last_run(self, report: str) -> dict | None:
        """The report's newest run (any slice), or None before its first."""
        found = self.rows("select * from runs where report=? order by id desc limit 1", (report,))
        return found[0] if found else None

    def recent_runs(self, limit: int = 200) -> list[dict]:
        return self.rows("select * from runs order by id desc limit ?", (limit,))

    def deliveries(self, run_id: int | None = None, failed_only: bool = False) -> list[dict]:
        """The delivery attempts, newest first."""
        sql = "select * from deliveries where 1=1"
        params: tuple = ()
        if run_id is not None:
            sql += " and run_id=?"
            params = (run_id,)
        if failed_only:
            sql += " and ok=0"
        return self.rows(sql + " order by id desc", params)

    # outbox -----------------------------------------------------------------------------
    def enqueue(self, outgoing: Iterable[Outgoing], at: datetime) -> None:
        with self.tx() as db:
            self._enqueue(db, outgoing, at)

    @staticmethod
    def _enqueue(db: sqlite3.Connection, outgoing: Iterable[Outgoing], at: datetime) -> None:
        """Insert each message once: a key already queued keeps its row (and its status)."""
        for item in outgoing:
            db.execute(
                "insert into outbox (key, kind, label, channel, target, message, owner, status, "
                "attempts, next_attempt_at, deadline, created_at, updated_at, run_id, "
                "alert_event_id, given_up_id) values (?,?,?,?,?,?,?, 'pending', 0, ?,?,?,?,?,?,?) "
                "on conflict (key) do nothing",
                (
                    item.key,
                    item.kind,
                    item.label,
                    item.channel,
                    item.target,
                    json.dumps(item.message, ensure_ascii=False),
                    json.dumps(item.owner, ensure_ascii=False) if item.owner else None,
                    stamp(at),
                    stamp(item.deadline),
                    stamp(at),
                    stamp(at),
                    item.run_id,
                    item.alert_event_id,
                    item.given_up_id,
                ),
            )

    def _outbox(self, sql: str, params: tuple = ()) -> list[Delivery]:
        return [Delivery.from_row(row) for row in self.db.execute(sql, params).fetchall()]

    def due_deliveries(self, now: datetime) -> list[Delivery]:
        """Rows to attempt now: pending or retrying ones whose time has come, and ones a
        process claimed but never finished (killed mid-send) once their lease ran out."""
        marks = ",".join("?" * len(WAITING))
        return self._outbox(
            f"select * from outbox where status in ({marks}) and next_attempt_at <= ? order by id",
            (*WAITING, stamp(now)),
        )

    def claim_delivery(self, delivery_id: int, now: datetime, lease_until: datetime) -> bool:
        """Take the row for one attempt (another process sending at once gets False); until
        `lease_until` nobody else attempts it."""
        marks = ",".join("?" * len(WAITING))
        with self.tx() as db:
            cursor = db.execute(
                "update outbox set status='sending', attempts=attempts+1, next_attempt_at=?, "
                f"updated_at=? where id=? and status in ({marks}) and next_attempt_at <= ?",
                (stamp(lease_until), stamp(now), delivery_id, *WAITING, stamp(now)),
            )
        return cursor.rowcount == 1

    def delivery_sent(self, delivery_id: int, at: datetime) -> None:
        with self.tx() as db:
            db.execute(
                "update outbox set status='sent', sent_at=?, updated_at=? where id=?",
                (stamp(at), stamp(at), delivery_id),
            )
            self._log_attempt(db, delivery_id, None, at)

    def delivery_failed(
        self, delivery_id: int, error: str, at: datetime, next_attempt_at: datetime
    ) -> None:
        with self.tx() as db:
            db.execute(
                "update outbox set status='retrying', last_error=?, next_attempt_at=?, "
                "updated_at=? where id=?",
                (error, stamp(next_attempt_at), stamp(at), delivery_id),
            )
            self._log_attempt(db, delivery_id, error, at)

    def delivery_given_up(
        self, delivery_id: int, error: str, at: datetime, notices: Iterable[Outgoing] = ()
    ) -> None:
        """No more attempts; the notices to its owner are queued in the same transaction."""
        with self.tx() as db:
            db.execute(
                "update outbox set status='given_up', last_error=?, updated_at=? where id=?",
                (error, stamp(at), delivery_id),
            )
            self._log_attempt(db, delivery_id, error, at)
            self._enqueue(db, notices, at)

    @staticmethod
    def _log_attempt(db: sqlite3.Connection, delivery_id: int, error: str | None, at: datetime):
        db.execute(
            "insert into deliveries (run_id, alert_event_id, channel, target, attempt, ok, "
            "error, at) select run_id, alert_event_id, channel, target, attempts, ?, ?, ? "
            "from outbox where id=?",
            (int(error is None), error, stamp(at), delivery_id),
        )

    def retry_run_now(self, run_id: int, now: datetime, deadline: datetime) -> int:
        """Make the run's unsent messages due now (given-up ones too, until `deadline`): what
        a re-run with --send does. Returns how many."""
        with self.tx() as db:
            cursor = db.execute(
                "update outbox set status=case when status='given_up' then 'retrying' "
                "else status end, next_attempt_at=?, deadline=max(deadline, ?), updated_at=? "
                "where run_id=? and status in ('pending', 'retrying', 'given_up')",
                (stamp(now), stamp(deadline), stamp(now), run_id),
            )
        return cursor.rowcount

    def outbox(
        self,
        *,
        run_id: int | None = None,
        alert_event_id: int | None = None,
        kind: str | None = None,
    ) -> list[Delivery]:
        """Outbox rows, oldest first (all, or a run's, an alert event's, a kind's)."""
        sql, params = "select * from outbox where 1=1", ()
        for column, value in (("run_id", run_id), ("alert_event_id", alert_event_id)):
            if value is not None:
                sql, params = f"{sql} and {column}=?", (*params, value)
        if kind is not None:
            sql, params = f"{sql} and kind=?", (*params, kind)
        return self._outbox(sql + " order by id", params)

    def delivery_subjects(self, ids: Iterable[int]) -> dict[int, dict]:
        """What each of these outbox rows is about, to decide who may see it: {id: {report,
        slice, alert_event_id, plant}} — the report copy of a report message, the alert event
        and its entity's plant of an alert notification; for a given-up notice, those of the
        message it is about."""
        listed = tuple(ids)
        if not listed:
            return {}
        rows = self.rows(
            "select o.id, r.report, r.slice, "
            "coalesce(o.alert_event_id, g.alert_event_id) as alert_event_id, "
            "(select s.plant from alert_history h join alert_state s on s.rule=h.rule "
            "and s.entity=h.entity where h.id=coalesce(o.alert_event_id, g.alert_event_id) "
            "order by s.opened_at desc limit 1) as plant "
            "from outbox o left join outbox g on g.id=o.given_up_id "
            "left join runs r on r.id=coalesce(o.run_id, g.run_id) "
            f"where o.id in ({','.join('?' * len(listed))})",
            listed,
        )
        return {row.pop("id"): row for row in rows}

    def unsent(self, limit: int = 200) -> list[Delivery]:
        """Deliveries not sent (waiting, retrying, given up), newest first."""
        return self._outbox(
            "select * from outbox where status<>'sent' order by id desc limit ?", (limit,)
        )

    # scheduled fires --------------------------------------------------------------------
    def queue_fires(
        self, report: str, fires: list[datetime], deadline: datetime, at: datetime
    ) -> None:
        """Record the report's due fires and move its mark past them, in one transaction."""
        if not fires:
            return
        with self.tx() as db:
            for fire in fires:
                db.execute(
                    "insert or ignore into fires (report, fire, status, next_attempt_at, "
                    "deadline, updated_at) values (?, ?, 'pending', ?, ?, ?)",
                    (report, stamp(fire), stamp(at), stamp(deadline), stamp(at)),
                )
            db.execute(
                "insert into schedule_marks (report, last_fire) values (?, ?) on conflict "
                "(report) do update set last_fire=excluded.last_fire",
                (report, stamp(max(fires))),
            )

    def due_fire_rows(self, now: datetime) -> list[dict]:
        return self.rows(
            "select * from fires where status in ('pending', 'retrying') "
            "and next_attempt_at <= ? order by fire, report",
            (stamp(now),),
        )

    def fire_done(self, report: str, fire: str, at: datetime) -> None:
        with self.tx() as db:
            db.execute(
                "update fires set status='done', attempts=attempts+1, last_error=null, "
                "updated_at=? where report=? and fire=?",
                (stamp(at), report, fire),
            )

    def fire_failed(
        self, report: str, fire: str, error: str, at: datetime, next_attempt_at: datetime | None
    ) -> None:
        """Retry at `next_attempt_at`, or (None) give the fire up."""
        status = "given_up" if next_attempt_at is None else "retrying"
        with self.tx() as db:
            db.execute(
                "update fires set status=?, attempts=attempts+1, last_error=?, "
                "next_attempt_at=coalesce(?, next_attempt_at), updated_at=? "
                "where report=? and fire=?",
                (
                    status,
                    error,
                    stamp(next_attempt_at) if next_attempt_at else None,
                    stamp(at),
                    report,
                    fire,
                ),
            )

    def failed_fires(self, limit: int = 100) -> list[dict]:
        """Fires that failed to run: retrying or given up, newest first."""
        return self.rows(
            "select * from fires where status in ('retrying', 'given_up') "
            "order by fire desc limit ?",
            (limit,),
        )

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

    # pipeline service (app/service) ----------------------------------------------------
    def source_marks(self) -> dict[str, dict]:
        """Every source's row of source_marks, by source name."""
        return {row["source"]: row for row in self.rows("select * from source_marks")}

    def source_attempted(
        self,
        source: str,
        fire: datetime | None,
        at: datetime,
        status: str,
        message: str | None = None,
        rows_landed: int = 0,
    ) -> None:
        """An attempt at a source ended (status ok | partial | failed): its outcome, and its
        cron mark moved to `fire` (None: a watched inbox, the mark stays), in one transaction.
        The last success moves on ok, the last landing when rows landed, the last error (kept
        after a recovery) on anything else."""
        error = None if status == "ok" else (message or status)
        with self.tx() as db:
            db.execute(
                "insert into source_marks (source, last_fire, last_attempt_at, last_status, "
                "last_message, rows_landed, last_success_at, last_landed_at, last_error, "
                "last_error_at) values (?,?,?,?,?,?,?,?,?,?) on conflict (source) do update set "
                "last_fire=coalesce(excluded.last_fire, last_fire), "
                "last_attempt_at=excluded.last_attempt_at, last_status=excluded.last_status, "
                "last_message=excluded.last_message, rows_landed=excluded.rows_landed, "
                "last_success_at=coalesce(excluded.last_success_at, last_success_at), "
                "last_landed_at=coalesce(excluded.last_landed_at, last_landed_at), "
                "last_error=coalesce(excluded.last_error, last_error), "
                "last_error_at=coalesce(excluded.last_error_at, last_error_at)",
                (
                    source,
                    stamp(fire) if fire else None,
                    stamp(at),
                    status,
                    message or None,
                    rows_landed,
                    stamp(at) if status == "ok" else None,
                    stamp(at) if rows_landed else None,
                    error,
                    stamp(at) if error else None,
                ),
            )

    def build_started(self, marker: str, at: datetime, pid: int) -> int:
        """A pipeline build begins from the landed data `marker` names; returns its row id."""
        with self.tx() as db:
            cursor = db.execute(
                "insert into pipeline_builds (marker, status, started_at, pid) "
                "values (?, 'building', ?, ?)",
                (marker, stamp(at), pid),
            )
        return int(cursor.lastrowid or 0)

    def build_running(self, build: int, pid: int) -> None:
        """The build runs in process `pid` (the service's build child)."""
        with self.tx() as db:
            db.execute("update pipeline_builds set pid=? where id=?", (pid, build))

    def build_finished(
        self,
        build: int,
        status: str,
        at: datetime,
        build_id: str | None = None,
        published: str | None = None,
        message: str | None = None,
    ) -> None:
        """status passed (published) | failed | busy (the warehouse was locked: no build)."""
        with self.tx() as db:
            db.execute(
                "update pipeline_builds set status=?, finished_at=?, build_id=?, published=?, "
                "message=? where id=?",
                (status, stamp(at), build_id, published, message, build),
            )

    def pipeline_builds(self, limit: int = 20) -> list[dict]:
        """The pipeline's builds, newest first."""
        return self.rows("select * from pipeline_builds order by id desc limit ?", (limit,))

    def service_started(
        self, service: str, pid: int, host: str, at: datetime, poll_s: float
    ) -> None:
        with self.tx() as db:
            db.execute(
                "insert or replace into service_heartbeat (service, pid, host, started_at, "
                "poll_s, beat_at) values (?, ?, ?, ?, ?, ?)",
                (service, pid, host, stamp(at), poll_s, stamp(at)),
            )

    def service_beat(self, service: str, at: datetime, step: str | None) -> None:
        """The service is alive, doing `step` (None: between ticks)."""
        with self.tx() as db:
            db.execute(
                "update service_heartbeat set beat_at=?, step=?, "
                "step_since=case when ? is null then null else ? end where service=?",
                (stamp(at), step, step, stamp(at), service),
            )

    def service_alive(self, service: str, at: datetime) -> None:
        """The service's process is alive (beats while a long step runs)."""
        with self.tx() as db:
            db.execute(
                "update service_heartbeat set beat_at=? where service=?", (stamp(at), service)
            )

    def builds_interrupted(self, at: datetime) -> int:
        """Builds left 'building' by a process that ended: interrupted (rebuilt, as their
        data was never published). Returns how many."""
        with self.tx() as db:
            cursor = db.execute(
                "update pipeline_builds set status='interrupted', finished_at=?, "
                "message='the service ended during the build' where status='building'",
                (stamp(at),),
            )
        return cursor.rowcount

    def service_ticked(self, service: str, at: datetime, result: str) -> None:
        with self.tx() as db:
            db.execute(
                "update service_heartbeat set beat_at=?, step=null, step_since=null, "
                "last_tick_at=?, last_tick_result=? where service=?",
                (stamp(at), stamp(at), result, service),
            )

    def service_stopped(self, service: str, at: datetime) -> None:
        with self.tx() as db:
            db.execute(
                "update service_heartbeat set beat_at=?, step=null, step_since=null, "
                "stopped_at=? where service=?",
                (stamp(at), stamp(at), service),
            )

    def service_row(self, service: str) -> dict | None:
        found = self.rows("select * from service_heartbeat where service=?", (service,))
        return found[0] if found else None

    # alerts -----------------------------------------------------------------------------
    def _alerts(self, sql: str, params: tuple = ()) -> list[AlertRecord]:
        return [AlertRecord.from_row(row) for row in self.db.execute(sql, params).fetchall()]

    def open_alert(self, rule: str, entity: str) -> AlertRecord | None:
        found = self._alerts(
            "select * from alert_state where rule=? and entity=? and status='open'",
            (rule, entity),
        )
        return found[0] if found else None

    def open_alert_records(self) -> list[AlertRecord]:
        return self._alerts("select * from alert_state where status='open' order by opened_at")

    def open_alerts(self) -> list[dict]:
        """Open alerts for the listings (CLI, Reports page), oldest first."""
        return [alert.as_dict() for alert in self.open_alert_records()]

    def alert_by_token(self, token: str) -> AlertRecord | None:
        found = self._alerts("select * from alert_state where token=?", (token,))
        return found[0] if found else None

    def alert_history(self, plants: Iterable[str] | None, limit: int = 500) -> list[dict]:
        """Alert history rows with their entity's plant, newest first: of these plants only,
        or (None) of every plant and of entities without one."""
        sql = (
            "select * from (select h.*, (select s.plant from alert_state s where s.rule=h.rule "
            "and s.entity=h.entity order by s.opened_at desc limit 1) as plant "
            "from alert_history h)"
        )
        params: tuple = ()
        if plants is not None:
            listed = tuple(plants)
            sql += f" where plant in ({','.join('?' * len(listed))})" if listed else " where 0"
            params = listed
        return self.rows(sql + " order by id desc limit ?", (*params, limit))

    def history(self, rule: str | None = None, limit: int = 500) -> list[dict]:
        if rule:
            return self.rows(
                "select * from alert_history where rule=? order by id desc limit ?", (rule, limit)
            )
        return self.rows("select * from alert_history order by id desc limit ?", (limit,))

    # Each alert event changes alert_state and (except a refresh) adds its history row, in
    # one transaction; the history row's id is what deliveries of its notification refer to.
    # `notify(event_id)` returns the event's notifications, queued in the same transaction.
    def record_fired(self, event: Fired, notify: Notify | None = None) -> int:
        with self.tx() as db:
            db.execute(
                "insert into alert_state (rule, entity, status, period, value, message, plant, "
                "role, token, opened_at, notified_at, level) values "
                "(?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (
                    event.rule,
                    event.entity,
                    event.period,
                    event.value,
                    event.detail,
                    event.plant,
                    event.role,
                    event.token,
                    stamp(event.at),
                    stamp(event.at),
                ),
            )
            return self._add_history(db, event, notify)

    def record_refreshed(self, event: Refreshed) -> None:
        with self.tx() as db:
            db.execute(
                "update alert_state set value=?, period=?, message=? "
                "where rule=? and entity=? and status='open'",
                (event.value, event.period, event.detail, event.rule, event.entity),
            )

    def record_cleared(self, event: Cleared, notify: Notify | None = None) -> int:
        with self.tx() as db:
            db.execute(
                "update alert_state set status='cleared', cleared_at=?, value=? "
                "where rule=? and entity=? and status='open'",
                (stamp(event.at), event.value, event.rule, event.entity),
            )
            return self._add_history(db, event, notify)

    def record_escalated(self, event: Escalated, notify: Notify | None = None) -> int:
        with self.tx() as db:
            db.execute(
                "update alert_state set level=?, notified_at=? "
                "where rule=? and entity=? and status='open'",
                (event.level, stamp(event.at), event.rule, event.entity),
            )
            return self._add_history(db, event, notify)

    def record_acknowledged(self, event: Acknowledged) -> int:
        with self.tx() as db:
            db.execute(
                "update alert_state set acked_at=?, acked_by=? where token=?",
                (stamp(event.at), event.by or None, event.token),
            )
            return self._add_history(db, event)

    def _add_history(
        self,
        db: sqlite3.Connection,
        event: Fired | Cleared | Escalated | Acknowledged,
        notify: Notify | None = None,
    ) -> int:
        cursor = db.execute(
            "insert into alert_history (rule, entity, event, period, value, message, "
            "contact, at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event.rule,
                event.entity,
                event.kind,
                event.period,
                event.value,
                event.message,
                event.contact_name,
                stamp(event.at),
            ),
        )
        event_id = int(cursor.lastrowid or 0)
        if notify is not None:
            self._enqueue(db, notify(event_id), event.at)
        return event_id
