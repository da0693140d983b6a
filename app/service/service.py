"""The pipeline service: one long-lived process that keeps the warehouse fresh by itself.

Each tick, in this order, every step contained so one failure never blocks the rest:

1. **pull** every source whose cron fired since its mark (app/service/schedule.py): database
   sources through `ingest.pull.pull_source`, files sources with a schedule through
   `ingest.ingest_inbox`. The mark moves after the attempt, so a crash mid-pull pulls again at
   restart; a source that fails is logged once per distinct message and retried at its next
   fire, the others go on.
2. **watch** every files source with `watch: true`: new or changed files land as soon as they
   stopped changing (app/service/watch.py).
3. **build** when something landed since the last published build, decided from the
   warehouse's load log (app/service/build.py); dbt runs in a child process, publishes on
   success; a failed build names the failing node and is retried when new data lands or
   after a back-off.
4. **reports**: the report Scheduler's tick (alerts on a new published build, due reports,
   deliveries; exactly once, as `andon scheduler`).

A warehouse another process is writing (`andon build`, `andon ingest`: DuckDB has one writer)
is "busy": logged, retried next tick. The first SIGTERM or SIGINT lets the current step finish
and exits 0; a second one abandons a running build (readers keep the last published build).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.reports.scheduler import Scheduler
from app.reports.state import StateStore, now_utc, stamp
from app.service import build as builds
from app.service.heartbeat import SERVICE, Beat, ServiceLock, hostname
from app.service.landing import Attempt, is_busy, land
from app.service.schedule import is_due
from app.service.watch import SETTLE_S, InboxWatcher
from ingest.sources import Source, SourcesFile, load_sources, sources_path

BUSY = "warehouse busy (another process is writing it), retrying next tick"
ONCE_SETTLE_MAX_S = 60.0


@dataclass
class TickResult:
    """What one tick did: sources attempted, whether it built, and the problems it met."""

    attempts: list[Attempt] = field(default_factory=list)
    built: builds.BuildRun | None = None
    busy: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return "; ".join(self.problems)[:500]
        return "warehouse busy" if self.busy else "ok"


@dataclass
class PipelineService:
    """`andon pipeline`: compose the steps above around one state store."""

    build_file: Path
    state: StateStore
    sources_file: Path | None = None
    reports: Path | None = None
    out_dir: Path | None = None
    poll_s: float = 30.0
    settle_s: float = SETTLE_S
    watch_events: bool = True  # watchdog wakes the loop; False: polling only
    clock: Callable[[], datetime] = now_utc
    log: Callable[[str], None] = print
    _sources: SourcesFile | None = field(default=None, init=False)
    _sources_key: object = field(default=None, init=False)
    _watchers: dict[str, InboxWatcher] = field(default_factory=dict, init=False)
    _problems: dict[str, str] = field(default_factory=dict, init=False)
    _wake: threading.Event = field(default_factory=threading.Event, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _abandon: threading.Event = field(default_factory=threading.Event, init=False)
    _lock: ServiceLock | None = field(default=None, init=False)
    _beat: Beat | None = field(default=None, init=False)
    _started: bool = field(default=False, init=False)
    scheduler: Scheduler | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        from app.reports.runner import default_out_dir

        self.build_file = Path(self.build_file)
        self.scheduler = Scheduler(
            self.build_file,
            self.state,
            self.out_dir or default_out_dir(self.build_file),
            self.reports,
            clock=self.clock,
            log=lambda line: self.log(f"reports: {line}"),
        )

    # logging ---------------------------------------------------------------------------
    def _problem(self, key: str, message: str) -> None:
        """A standing problem is logged when it starts or its message changes, not every tick."""
        if self._problems.get(key) != message:
            self._problems[key] = message
            self.log(f"{key}: {message}")

    def _solved(self, key: str, line: str | None = None) -> None:
        if self._problems.pop(key, None) is not None:
            self.log(f"{key}: {line or 'ok again'}")

    # start and stop --------------------------------------------------------------------
    def start(self) -> None:
        """Take the warehouse's service lock (AlreadyRunning if another service has it),
        record the heartbeat, mark builds a killed process left as interrupted."""
        if self._started:
            return
        self._lock = ServiceLock(self.state.path)
        self._lock.acquire()
        now = self.clock()
        self.state.service_started(SERVICE, os.getpid(), hostname(), now, self.poll_s)
        interrupted = self.state.builds_interrupted(now)
        if interrupted:
            self.log("a build was interrupted when the service last ended: it runs again")
        self._beat = Beat(self.state.path, self.clock, every_s=min(30.0, max(self.poll_s, 1.0)))
        self._beat.start()
        self._started = True
        self.log(
            f"pipeline service started (pid {os.getpid()}): warehouse {self.build_file}, "
            f"sources {self._sources_path()}, every {self.poll_s:g} s"
        )

    def stop(self) -> None:
        if not self._started:
            return
        for watcher in self._watchers.values():
            watcher.stop()
        if self._beat is not None:
            self._beat.stop()
        self.state.service_stopped(SERVICE, self.clock())
        if self._lock is not None:
            self._lock.release()
        self._started = False
        self.log("pipeline service stopped")

    def request_stop(self, abandon: bool = False) -> None:
        """Finish the current step and stop (abandon: end a running build now)."""
        self._stop.set()
        if abandon:
            self._abandon.set()
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    # configuration ---------------------------------------------------------------------
    def _sources_path(self) -> Path:
        return sources_path(self.sources_file)

    def sources(self) -> list[Source]:
        """The sources file as it is now (re-read when it changes); a file that does not
        validate is logged and the last good one is kept."""
        path = self._sources_path()
        try:
            info = path.stat()
        except FileNotFoundError:
            self._problem("sources", f"no sources file at {path}: only builds and reports run")
            self._sources, self._sources_key = None, None
            self._sync_watchers([])
            return []
        key = (info.st_mtime_ns, info.st_size)
        if key != self._sources_key:
            try:
                loaded = load_sources(path)
            except Exception as error:  # noqa: BLE001 - ConfigError, YAML errors, …
                self._problem("sources", f"{path} refused, keeping the last good one: {error}")
            else:
                self._solved("sources", f"{path} read: {len(loaded.sources)} sources")
                self._sources, self._sources_key = loaded, key
                for source in loaded.sources.values():
                    if not source.schedule and not (not source.is_database and source.watch):
                        how = "andon pull" if source.is_database else "andon ingest"
                        self.log(f"{source.name}: no schedule, pulled only by `{how}`")
        listed = list(self._sources.sources.values()) if self._sources else []
        self._sync_watchers(listed)
        return listed

    def _sync_watchers(self, sources: list[Source]) -> None:
        wanted = {
            s.name: Path(s.inbox).expanduser()
            for s in sources
            if not s.is_database and s.watch and s.inbox
        }
        for name in list(self._watchers):
            if self._watchers[name].inbox != wanted.get(name):
                self._watchers.pop(name).stop()
        for name, inbox in wanted.items():
            if name not in self._watchers:
                self._watchers[name] = InboxWatcher(
                    inbox, self.settle_s, self._wake if self.watch_events else None
                )

    # the tick --------------------------------------------------------------------------
    def tick(self) -> TickResult:
        """Every step once: due pulls, watched inboxes, a build if data landed, reports."""
        result = TickResult()
        sources = self.sources()
        steps: list[tuple[str, Callable[[], object]]] = [
            ("pull", lambda: self.pull_due(sources, result)),
            ("watch", lambda: self.watch_inboxes(sources, result)),
            ("build", lambda: self.build_if_landed(result)),
            ("reports", lambda: self.run_reports(result)),
        ]
        for name, step in steps:
            if self.stopping:
                break
            try:
                step()
            except Exception as error:  # noqa: BLE001 - a long-lived loop must survive
                if is_busy(error):
                    result.busy = True
                    self._problem("warehouse", BUSY)
                    continue
                reason = f"{name} step failed: {type(error).__name__}: {error}"
                result.problems.append(reason)
                self._problem(f"{name} step", reason)
            else:
                self._solved(f"{name} step")
        self._beat_step(None)
        if self._started:
            self.state.service_ticked(SERVICE, self.clock(), result.summary())
        return result

    def _beat_step(self, step: str | None) -> None:
        if self._started:
            self.state.service_beat(SERVICE, self.clock(), step)

    def _record(self, source: Source, attempt: Attempt, fire: datetime | None) -> None:
        """The attempt's outcome, at the time it ended; the cron mark moves to `fire`."""
        self.state.source_attempted(
            source.name, fire, self.clock(), attempt.status, attempt.message, attempt.rows_landed
        )

    def _after_attempt(self, source: Source, attempt: Attempt, result: TickResult) -> None:
        """Log an attempt: what landed, each problem once per distinct message, and each
        problem of the source that is gone ("ok again")."""
        result.attempts.append(attempt)
        if attempt.status == "busy":
            result.busy = True
            self._problem("warehouse", BUSY)
            return
        self._solved("warehouse")
        name = source.name
        current = {f"{name}/{what}": f"failed: {why}" for what, why in attempt.problems.items()}
        if attempt.status == "failed" and not current:
            current = {name: attempt.summary or attempt.message}
        for key in [k for k in self._problems if k == name or k.startswith(f"{name}/")]:
            if key not in current and not key.endswith("/watch"):
                self._solved(key)
        if attempt.rows_landed:
            self.log(f"{name}: {attempt.summary} ({attempt.seconds:.1f} s)")
        for key, message in current.items():
            self._problem(key, message)
        if attempt.status != "ok":
            result.problems.append(f"{name} {attempt.status}")

    def pull_due(self, sources: list[Source], result: TickResult) -> None:
        """Step 1: every source whose cron fired since its mark, one pull each."""
        marks = self.state.source_marks()
        for source in sources:
            if self.stopping:
                return
            mark = marks.get(source.name, {}).get("last_fire")
            now = self.clock()
            if not is_due(source, datetime.fromisoformat(mark) if mark else None, now):
                continue
            self._beat_step(f"pulling {source.name}")
            watcher = self._watchers.get(source.name)
            signatures = watcher.check()[1] if watcher is not None else None
            attempt = land(source, self.build_file)
            if attempt.attempted:
                self._record(source, attempt, now)
                if watcher is not None and signatures is not None:
                    watcher.landed(signatures)
            self._after_attempt(source, attempt, result)

    def watch_inboxes(self, sources: list[Source], result: TickResult) -> float | None:
        """Step 2: land each watched inbox whose changes have settled. Returns the seconds
        until a change still settling is worth another look (None: nothing pending)."""
        by_name = {source.name: source for source in sources}
        recheck: float | None = None
        for name, watcher in self._watchers.items():
            if self.stopping:
                break
            source = by_name[name]
            why_not = watcher.start()
            if why_not is not None:
                self._problem(f"{name}/watch", f"no file events, polling ({why_not})")
            elif watcher.watching:
                self._solved(f"{name}/watch", f"watching {watcher.inbox}")
            if not watcher.inbox.is_dir():
                self._problem(name, f"inbox {watcher.inbox} is not a folder")
                continue
            ready, signatures, wait = watcher.check()
            if wait is not None:
                recheck = wait if recheck is None else min(recheck, wait)
            if not ready:
                continue
            self._beat_step(f"ingesting {name}")
            attempt = land(source, self.build_file)
            if attempt.attempted:
                self._record(source, attempt, None)
                if attempt.status != "failed":
                    watcher.landed(signatures)
            self._after_attempt(source, attempt, result)
        return recheck

    def build_if_landed(self, result: TickResult) -> None:
        """Step 3: build (and publish) when data landed since the last published build."""
        landed = builds.read_landed(self.build_file)  # busy → duckdb.IOException
        self._solved("warehouse")
        now = self.clock()
        decision = builds.build_due(
            landed,
            self.state.pipeline_builds(limit=50),
            now,
            published=builds.is_published(self.build_file),
        )
        if not decision.due:
            if decision.reason.startswith("up to date"):
                self._solved("build", decision.reason)
            elif decision.retry_at is not None:
                self._problem(
                    "build",
                    f"{decision.reason}; retrying at {stamp(decision.retry_at)}"
                    " or when new data lands",
                )
            return
        assert landed is not None
        self._beat_step("building")
        row = self.state.build_started(landed.marker, now, os.getpid())
        self.log(f"build: starting ({decision.reason})")

        run = builds.run_build(
            self.build_file,
            on_start=lambda pid: self.state.build_running(row, pid),
            abandon=self._abandon,
        )
        result.built = run
        finished = self.clock()
        if run.status == "passed":
            self.state.build_finished(row, "passed", finished, run.build_id, run.published, None)
            self._solved("build")
            self.log(
                f"build {run.build_id}: passed ({run.models} models, {run.tests} tests, "
                f"{run.seconds:.0f} s), published {run.published}"
            )
        elif run.status == "busy":
            self.state.build_finished(row, "busy", finished, message=run.message)
            result.busy = True
            self._problem("warehouse", BUSY)
        elif run.status == "abandoned":
            self.state.build_finished(row, "interrupted", finished, message=run.message)
            self.log("build: abandoned on stop; it runs again at the next start")
        else:
            self.state.build_finished(row, "failed", finished, run.build_id, None, run.message)
            result.problems.append("build failed")
            self._problems.pop("build", None)
            self._problem(
                "build",
                f"{run.build_id or ''} failed, readers keep the last published build: "
                f"{run.message}".strip(),
            )

    def run_reports(self, result: TickResult) -> None:
        """Step 4: alerts on a new published build, due reports, due deliveries."""
        assert self.scheduler is not None
        self._beat_step("reports")
        self.scheduler.tick()

    # the loop --------------------------------------------------------------------------
    def serve(self, until: datetime | None = None, once: bool = False) -> TickResult | None:
        """Tick every poll_s seconds (sooner when a watched inbox changes) until stopped,
        `until`, or after one tick (`once`, which waits for files still settling)."""
        self.start()
        last: TickResult | None = None
        try:
            while not self.stopping:
                last = self.tick()
                if once:
                    self._settle_once(last)
                    break
                if until is not None and self.clock() >= until:
                    break
                self._sleep()
        finally:
            self.stop()
        return last

    def _settle_once(self, result: TickResult) -> None:
        """--once: a file still being written is waited for (up to ONCE_SETTLE_MAX_S), then
        landed and built like any tick."""
        deadline = time.monotonic() + ONCE_SETTLE_MAX_S
        before = len(result.attempts)
        while not self.stopping and time.monotonic() < deadline:
            wait = self.watch_inboxes(self.sources(), result)
            if wait is None:
                break
            time.sleep(min(wait, max(0.0, deadline - time.monotonic())))
        if len(result.attempts) > before and not self.stopping:
            try:
                self.build_if_landed(result)
            except Exception as error:  # noqa: BLE001 - as in tick
                if not is_busy(error):
                    raise
                result.busy = True

    def _sleep(self) -> None:
        """Until the next tick: poll_s, or less when a watched inbox has a change settling
        or a file event arrives (then the change is given settle_s to finish)."""
        deadline = time.monotonic() + self.poll_s
        while not self.stopping:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if self._wake.wait(remaining):
                self._wake.clear()
                if self.stopping:
                    return
                # a file event: let the writer finish, then tick (the watcher decides)
                self._stop.wait(min(self.settle_s, max(0.0, deadline - time.monotonic())))
                return


def install_signal_handlers(service: PipelineService) -> None:
    """SIGTERM / SIGINT: the first lets the current step finish, the second abandons it."""

    def handle(signum: int, frame: object) -> None:  # noqa: ARG001
        name = signal.Signals(signum).name
        if service.stopping:
            service.log(f"{name} again: abandoning the current step")
            service.request_stop(abandon=True)
            raise KeyboardInterrupt  # out of a pull (its transaction rolls back) or a build
        service.log(f"{name}: stopping after the current step")
        service.request_stop()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
