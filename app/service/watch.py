"""Watching a file inbox: new or changed extracts land within a minute, never half-written.

The truth is a scan of every file's (size, mtime) signature under the inbox's system folders
(what ingest reads: <inbox>/<mes|erp|wms|scada>/…), taken each tick. The `watchdog` library
(inotify, FSEvents, …) only wakes the service as soon as something changes, so files land
in seconds; where file events do not work (a network share, inotify limits) polling alone
lands them within the poll.

A file is ready once it has stopped changing: its signature is the one seen at the previous
scan and it was last written at least `settle_s` ago (or it has looked the same for that
long, whatever its mtime says). The inbox is ingested when something changed since the last
ingest and every changed file is ready, so a file still being copied is never read half
written (after MAX_WAIT_S of an inbox that never settles, what is ready is ingested anyway:
ingest rejects a truncated file whole and lands its next version). `ingest.ingest_inbox`
skips files already landed with the same content, so ingesting the whole inbox again after
a restart or a failure is safe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.contracts import SYSTEMS

SETTLE_S = 3.0
MAX_WAIT_S = 600.0
Signature = tuple[int, int]  # size, mtime_ns
# watchdog events that mean a file changed (not "opened" or "closed without writing": ingest
# reading the inbox must not wake the service again)
CHANGES = {"created", "modified", "moved", "deleted", "closed"}


def scan(inbox: Path) -> dict[Path, Signature]:
    """Every file under the inbox's system folders that ingest would look at."""
    found: dict[Path, Signature] = {}
    for system in SYSTEMS:
        root = inbox / system
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if any(part.startswith((".", "~$")) for part in path.relative_to(root).parts):
                continue
            try:
                info = path.stat()
            except OSError:  # removed while scanning
                continue
            if path.is_file():
                found[path] = (info.st_size, info.st_mtime_ns)
    return found


@dataclass
class _Seen:
    signature: Signature
    since: float  # monotonic time it was first seen with this signature


@dataclass
class InboxWatcher:
    """What changed in one inbox since its last ingest, and whether it is ready to land."""

    inbox: Path
    settle_s: float = SETTLE_S
    wake: threading.Event | None = None  # set on every file event (watchdog)
    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    _seen: dict[Path, _Seen] = field(default_factory=dict, init=False)
    _landed: dict[Path, Signature] = field(default_factory=dict, init=False)
    _waiting_since: float | None = field(default=None, init=False)
    _observer: object = field(default=None, init=False)

    def check(self) -> tuple[bool, dict[Path, Signature], float | None]:
        """Scan now: (ready to ingest, the signatures to record once ingested, seconds until
        it is worth scanning again because a change is settling (None: nothing pending))."""
        now, wall = self.clock(), self.wall()
        current = scan(self.inbox)
        for path in set(self._seen) - set(current):
            del self._seen[path]
        for path in set(self._landed) - set(current):
            del self._landed[path]
        changed, settling = [], []
        for path, signature in current.items():
            seen = self._seen.get(path)
            moving = seen is not None and seen.signature != signature  # since the last scan
            if seen is None or moving:
                self._seen[path] = seen = _Seen(signature, now)
            if self._landed.get(path) == signature:
                continue
            changed.append(path)
            # quiet for: as long as it has looked the same, or (unless it just changed, as
            # a copy that keeps the original's mtime does) since it was last written
            quiet = now - seen.since
            if not moving:
                quiet = max(quiet, wall - signature[1] / 1e9)
            if quiet < self.settle_s:
                settling.append(self.settle_s - quiet)
        if not changed:
            self._waiting_since = None
            return False, current, None
        if self._waiting_since is None:
            self._waiting_since = now
        if settling and now - self._waiting_since < MAX_WAIT_S:
            return False, current, max(0.5, min(settling))
        return True, current, None

    def landed(self, signatures: dict[Path, Signature]) -> None:
        """The inbox was ingested as it was when these signatures were taken."""
        self._landed = dict(signatures)
        self._waiting_since = None

    # file events ----------------------------------------------------------------------
    def start(self) -> str | None:
        """Start watching for file events; returns why not (polling only) or None."""
        if self._observer is not None and not self.watching:
            self.stop()  # its thread ended (the inbox went away): start again
        if self._observer is not None or self.wake is None:
            return None
        if not self.inbox.is_dir():
            return f"{self.inbox} is not a folder yet"
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer

            wake = self.wake

            class Handler(FileSystemEventHandler):
                def on_any_event(self, event) -> None:  # noqa: ANN001 - watchdog FileSystemEvent
                    if event.event_type in CHANGES:
                        wake.set()

            observer = Observer()
            observer.schedule(Handler(), str(self.inbox), recursive=True)
            observer.daemon = True
            observer.start()
        except Exception as error:  # noqa: BLE001 - e.g. inotify limits: polling still works
            return f"{type(error).__name__}: {error}"
        self._observer = observer
        return None

    @property
    def watching(self) -> bool:
        observer = self._observer
        return observer is not None and observer.is_alive()  # type: ignore[attr-defined]

    def stop(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()  # type: ignore[attr-defined]
            observer.join(timeout=5)  # type: ignore[attr-defined]
