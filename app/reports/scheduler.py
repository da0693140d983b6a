"""The long-lived scheduler: each report's cron expression in its own time zone.

It remembers the last fire time it handled per report, so after downtime it runs every
missed fire (up to MAX_CATCH_UP), and the run log's (report, slice, period) key means a
restart or a catch-up never sends the same period twice. Alerts are re-evaluated when a
new build is published, and due escalations are checked on every tick.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from croniter import croniter

from app.reports.alerts import load_rules, run_alerts
from app.reports.definitions import Report, load_channels, load_contacts, load_reports
from app.reports.delivery import Deliverer
from app.reports.runner import RunResult, run_report
from app.reports.state import StateStore, now_utc

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

    def deliverer(self) -> Deliverer:
        return Deliverer(load_channels(self.folder), self.state, sleep=self.sleep, clock=self.clock)

    def tick(self) -> list[RunResult]:
        """Run everything due now: missed and current fires, alerts on a new build."""
        from warehouse.connections import connect_published

        now = self.clock()
        reports = load_reports(self.folder)
        deliverer = self.deliverer()
        results: list[RunResult] = []
        con = None
        try:
            for report in reports.values():
                if not report.cron:
                    continue
                last = self.state.last_fire(report.name)
                if last is None:
                    self.state.set_last_fire(report.name, now)
                    self.log(f"{report.name}: scheduled ({report.cron}, {report.timezone})")
                    continue
                for fire in due_fires(report, datetime.fromisoformat(last), now):
                    con = con or connect_published(self.build_file)
                    as_of = fire.astimezone(ZoneInfo(report.timezone)).date()
                    for result in run_report(
                        report,
                        as_of,
                        con,
                        self.out_dir,
                        send=True,
                        state=self.state,
                        deliverer=deliverer,
                    ):
                        self.log(
                            f"{report.name} [{result.slice_key}] {result.period}: "
                            f"{result.status}"
                            + (f" ({'; '.join(result.failures)})" if result.failures else "")
                        )
                        results.append(result)
                    self.state.set_last_fire(report.name, fire)
            self._alerts(deliverer, con)
        finally:
            if con is not None:
                con.close()
        return results

    def _alerts(self, deliverer: Deliverer, con) -> None:  # noqa: ANN001
        from warehouse.connections import connect_published
        from warehouse.publish import current_published

        rules = load_rules(self.folder)
        if not rules:
            return
        published = current_published(self.build_file) or self.build_file
        marker = (str(published), published.stat().st_mtime_ns if published.exists() else 0)
        contacts = load_contacts(self.folder)
        own = None
        if marker != self._published:
            own = con or connect_published(self.build_file)
            events = run_alerts(own, self.state, deliverer, rules, contacts, clock=self.clock)
            self._published = marker
        else:
            from app.reports.alerts import AlertEngine

            events = AlertEngine(self.state, deliverer, contacts, self.clock).escalate_due(
                {r.name: r for r in rules}
            )
        for event in events:
            self.log(f"alert {event['rule']} {event['entity']}: {event['event']}")
        if own is not None and own is not con:
            own.close()

    def serve(
        self, until: datetime | None = None, once: bool = False, poll_s: float = 30.0
    ) -> None:
        """Tick until `until` (or forever); `once` ticks a single time. A failing tick is
        logged and retried on the next one (its fire time is not marked done)."""
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
