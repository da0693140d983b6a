"""The long-lived scheduler: each report's cron expression in its own time zone.

Each tick, in this order, every step contained so that one failure never blocks the rest:

1. the report definitions are read file by file; a refused file is logged (once) and the
   others run;
2. each report's fires since its mark are recorded (up to MAX_CATCH_UP per tick, so after
   downtime every missed fire is caught up) and run as the service (every copy reads the
   plants its definition states: app/reports/access.py); a fire whose run raises is logged with
   the report's name and retried on later ticks with the delivery backoff until the
   report's next fire, then given up (shown by `andon report status` and the Reports page);
3. alerts are re-evaluated when a new build is published (for every plant: the rules are the
   administrators'), due escalations on every tick;
4. the outbox's due deliveries are sent (retries included).

The run log's (report, slice, period) key means a restart or a catch-up never queues the
same period twice, and the outbox sends each queued message once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from croniter import croniter

from app.accounts.plants import warehouse_plants
from app.reports.access import Caller
from app.reports.alerts import escalate_due, load_rules, run_alerts
from app.reports.alerts.engine import Readers
from app.reports.definitions import (
    Contacts,
    Report,
    ReportFiles,
    load_channels,
    load_contacts,
    read_reports,
)
from app.reports.delivery import Deliverer
from app.reports.runner import RunResult, run_report
from app.reports.state import StateStore, now_utc, stamp

MAX_CATCH_UP = 31  # fires per report per tick: a month of daily reports


def due_fires(report: Report, last: datetime, now: datetime) -> list[datetime]:
    """Fire times of the report's cron in (last, now], in the report's time zone."""
    if not report.cron:
        return []
    zone = ZoneInfo(report.timezone)
    schedule = croniter(report.cron, last.astimezone(zone))
    fires = []
    while len(fires) < MAX_CATCH_UP:
        fire = schedule.get_next(datetime)
        if fire > now:
            break
        fires.append(fire)
    return fires


@dataclass
class Scheduler:
    build_file: Path
    state: StateStore
    out_dir: Path
    folder: Path | None = None
    clock: Callable[[], datetime] = now_utc
    sleep: Callable[[float], None] = time.sleep
    log: Callable[[str], None] = print
    _published: object = field(default=None, init=False)
    _said: set[str] = field(default_factory=set, init=False)

    def deliverer(self) -> Deliverer:
        return Deliverer(load_channels(self.folder), self.state, clock=self.clock)

    def _once(self, line: str) -> None:
        """Log a standing problem once, not on every tick."""
        if line not in self._said:
            self._said.add(line)
            self.log(line)

    def tick(self) -> list[RunResult]:
        """Run everything due now: missed and current fires, fires to retry, alerts on a new
        build, due deliveries. Returns the report copies this tick ran."""
        now = self.clock()
        deliverer = self.deliverer()
        try:
            reports = read_reports(self.folder, warehouse_plants(self.build_file))
        except Exception as error:  # noqa: BLE001 - e.g. the registry: queued mail still goes
            self._once(f"no report can run: {type(error).__name__}: {error}")
            reports = ReportFiles({}, [])
        for refused in reports.refused:
            self._once(f"report definition refused, the others run: {refused}")
        contacts = self._contacts()
        for report in reports.reports.values():
            self._queue_fires(report, deliverer, now)
        results: list[RunResult] = []
        con = None
        try:
            for row in self.state.due_fire_rows(now):
                name, fire = row["report"], row["fire"]
                try:
                    report = reports.reports.get(name)
                    if report is None:
                        raise LookupError(f"no valid definition of report {name!r} (see above)")
                    con = con or _connect(self.build_file)
                    results += self._run(
                        report, datetime.fromisoformat(fire), con, deliverer, contacts
                    )
                except Exception as error:  # noqa: BLE001 - one report never blocks the others
                    self._fire_failed(name, row, error, deliverer, now)
                else:
                    self.state.fire_done(name, fire, now)
            try:
                self._alerts(deliverer, con, contacts)
            except Exception as error:  # noqa: BLE001 - nor do the alerts block the reports
                self._once(f"alerts failed: {type(error).__name__}: {error}")
        finally:
            if con is not None:
                con.close()
        for attempt in deliverer.deliver_due(now):
            if attempt.status != "sent" or attempt.delivery.attempts:
                row = attempt.delivery
                self.log(
                    f"{row.label} {row.channel} {row.target}: {attempt.status}"
                    + (f" ({attempt.error})" if attempt.error else "")
                )
        return results

    def _contacts(self) -> Contacts | None:
        try:
            return load_contacts(self.folder)
        except Exception as error:  # noqa: BLE001 - reports still run, without owners
            self._once(f"contacts refused (no owner is told of undelivered reports): {error}")
            return None

    def _queue_fires(self, report: Report, deliverer: Deliverer, now: datetime) -> None:
        if not report.cron:
            return
        last = self.state.last_fire(report.name)
        if last is None:
            self.state.set_last_fire(report.name, now)
            self.log(f"{report.name}: scheduled ({report.cron}, {report.timezone})")
            return
        fires = due_fires(report, datetime.fromisoformat(last), now)
        deadline = deliverer.policy.deadline(now, report.next_fire(now))
        self.state.queue_fires(report.name, fires, deadline, now)

    def _run(
        self,
        report: Report,
        fire: datetime,
        con,  # noqa: ANN001
        deliverer: Deliverer,
        contacts: Contacts | None,
    ) -> list[RunResult]:
        as_of = fire.astimezone(ZoneInfo(report.timezone)).date()
        results = run_report(
            report,
            as_of,
            con,
            self.out_dir,
            caller=Caller.service(self.state.path),
            send=True,
            state=self.state,
            deliverer=deliverer,
            contacts=contacts,
        )
        for result in results:
            self.log(
                f"{report.name} [{result.slice_key}] {result.period}: {result.status}"
                + (f" ({'; '.join(result.failures)})" if result.failures else "")
                + (f"; not sent: {', '.join(result.not_sent)}" if result.not_sent else "")
            )
        return results

    def _fire_failed(
        self, name: str, row: dict, error: Exception, deliverer: Deliverer, now: datetime
    ) -> None:
        reason = f"{type(error).__name__}: {error}"
        deadline = datetime.fromisoformat(row["deadline"])
        retry_at = deliverer.policy.after_failure(now, row["attempts"] + 1, deadline)
        self.state.fire_failed(name, row["fire"], reason, now, retry_at)
        then = f"retrying at {stamp(retry_at)}" if retry_at else "given up"
        self.log(f"{name} fire {row['fire']} failed, {then}: {reason}")

    def _alerts(self, deliverer: Deliverer, con, contacts: Contacts | None) -> None:  # noqa: ANN001
        from warehouse.publish import current_published

        rules = load_rules(self.folder)
        if not rules or contacts is None:
            return
        published = current_published(self.build_file) or self.build_file
        marker = (str(published), published.stat().st_mtime_ns if published.exists() else 0)
        own = None
        try:
            if marker != self._published:
                own = con or _connect(self.build_file)
                events = run_alerts(own, self.state, deliverer, rules, contacts, clock=self.clock)
                self._published = marker
            else:
                readers = Readers(con, connect=lambda: _connect(self.build_file))
                try:
                    events = escalate_due(
                        self.state, deliverer, contacts, rules, self.clock, readers
                    )
                finally:
                    readers.close()
        finally:
            if own is not None and own is not con:
                own.close()
        for event in events:
            self.log(f"alert {event['rule']} {event['entity']}: {event['event']}")

    def serve(
        self, until: datetime | None = None, once: bool = False, poll_s: float = 30.0
    ) -> None:
        """Tick until `until` (or forever); `once` ticks a single time. A tick that fails
        as a whole (e.g. the state store's disk is full) is logged and the next one runs."""
        while True:
            try:
                self.tick()
            except Exception as error:  # noqa: BLE001 - a long-lived loop must survive
                self.log(f"scheduler tick failed: {type(error).__name__}: {error}")
                if once:
                    raise
            if once or (until is not None and self.clock() >= until):
                return
            self.sleep(poll_s)


def _connect(build_file: Path):  # noqa: ANN202 - a DuckDB connection
    from warehouse.connections import connect_published

    return connect_published(build_file)
