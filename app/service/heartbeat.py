"""Is the pipeline service running? Its heartbeat in the state store, and its one-instance lock.

The service records its pid, host and start when it starts, its current step as it goes, the
end and result of every tick, and its stop on a clean exit (service_heartbeat). Whoever reads
that row (`andon status`, the Data health page) decides: running when that process is alive
(same host: the pid exists and started when the service did; another host: it beat within
STALE_AFTER_S), stopped since its clean exit, or not running since its last beat (killed, or
the machine went down).

Two services on one warehouse would pull twice and fight over DuckDB's one writer, so the
service holds an exclusive lock beside its state store (`state.sqlite-pipeline.lock`: one
service per state store, as there is one heartbeat) while it runs; the kernel drops the lock
when the process ends, however it ends.
"""

from __future__ import annotations

import fcntl
import os
import socket
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

import psutil

SERVICE = "pipeline"
STALE_AFTER_S = 900.0


def hostname() -> str:
    return socket.gethostname()


class AlreadyRunning(RuntimeError):
    """Another pipeline service holds this warehouse's lock."""


class ServiceLock:
    """An exclusive, non-blocking flock on `<state store>-pipeline.lock`."""

    def __init__(self, state_file: Path) -> None:
        self.path = state_file.with_name(state_file.name + "-pipeline.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise AlreadyRunning(
                f"another `andon pipeline` (pid {holder}) already runs on this state store "
                f"(lock {self.path})"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


@dataclass(frozen=True)
class ServiceState:
    """What a person needs to know about the service process.

    state: running | stopped (clean exit) | gone (ended without stopping: killed, crashed,
    the machine went down) | never (no pipeline service ever ran on this state store)."""

    state: str
    pid: int | None = None
    host: str | None = None
    started_at: datetime | None = None
    last_tick_at: datetime | None = None
    last_tick_result: str | None = None
    step: str | None = None  # what it is doing now (running only)
    step_since: datetime | None = None
    since: datetime | None = None  # stopped / gone: when it was last seen
    poll_s: float | None = None

    @property
    def running(self) -> bool:
        return self.state == "running"

    def to_dict(self) -> dict:
        return {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in asdict(self).items()
        }


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _alive(pid: int, started_at: datetime) -> bool:
    """The process `pid` exists and is the one that started at `started_at` (not a new
    process that was given a recycled pid)."""
    try:
        process = psutil.Process(pid)
        created = datetime.fromtimestamp(process.create_time(), tz=started_at.tzinfo)
        return process.status() != psutil.STATUS_ZOMBIE and created <= started_at + timedelta(
            seconds=5
        )
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return False


def service_state(row: dict | None, now: datetime) -> ServiceState:
    """Read a service_heartbeat row (StateStore.service_row)."""
    if row is None:
        return ServiceState("never")
    started = _moment(row["started_at"])
    beat = _moment(row["beat_at"])
    common = {
        "pid": row["pid"],
        "host": row["host"],
        "started_at": started,
        "last_tick_at": _moment(row["last_tick_at"]),
        "last_tick_result": row["last_tick_result"],
        "poll_s": row["poll_s"],
    }
    if row["stopped_at"]:
        return ServiceState("stopped", since=_moment(row["stopped_at"]), **common)
    if row["host"] == hostname():
        alive = started is not None and _alive(int(row["pid"]), started)
    else:
        stale = max(STALE_AFTER_S, 3 * float(row["poll_s"] or 0))
        alive = beat is not None and (now - beat).total_seconds() < stale
    if not alive:
        return ServiceState("gone", since=beat, **common)
    return ServiceState(
        "running", step=row["step"], step_since=_moment(row["step_since"]), **common
    )


class Beat:
    """A daemon thread that marks the service alive every `every_s` seconds, also while a
    long pull or build runs; its own connection to the state store."""

    def __init__(self, state_file: Path, clock, every_s: float = 30.0) -> None:  # noqa: ANN001
        import threading

        self.state_file, self.clock, self.every_s = state_file, clock, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="andon-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        from app.reports.state import StateStore

        store = StateStore(self.state_file)
        try:
            while not self._stop.wait(self.every_s):
                try:
                    store.service_alive(SERVICE, self.clock())
                except Exception:  # noqa: BLE001, S112 - a busy state store: next beat
                    continue
        finally:
            store.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
