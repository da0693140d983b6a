"""What the API server keeps between requests: the published build's connection, the
answer cache, the per-token rate limiter and the audit writer. One `Runtime` per app,
made by the app factory and reached by the dependencies (deps.py)."""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from app.accounts.service import Accounts
from app.accounts.tokens import ApiToken, ApiTokens, hash_token
from app.accounts.users import User
from app.api.problems import Problem
from app.api.settings import ApiSettings
from warehouse.connections import NotPublished, connect_read
from warehouse.publish import current_published

log = logging.getLogger("andon.api")


@dataclass(frozen=True)
class Build:
    """The published build being read: its id and a connection to its file."""

    id: str
    path: Path
    con: duckdb.DuckDBPyConnection


class Published:
    """The connection to the published build, reopened when a newer build is published
    (the previous one stays open until the next switch, for requests still reading it)."""

    def __init__(self, build_file: Path, threads: int = 0) -> None:
        self.build_file = build_file
        self.threads = threads  # DuckDB threads per query (0: DuckDB's default, the cores)
        self._lock = threading.Lock()
        self._current: Build | None = None
        self._previous: Build | None = None
        self._checked = 0.0

    def target(self) -> Path:
        return current_published(self.build_file) or self.build_file

    def current(self) -> Build:
        now = time.monotonic()
        build = self._current
        if build is not None and now - self._checked < 0.5:
            return build
        target = self.target()
        if build is not None and build.path == target:
            self._checked = now
            return build
        with self._lock:
            build = self._current
            if build is None or build.path != target:
                build = self._open(target)
                if self._previous is not None:
                    self._previous.con.close()
                self._previous, self._current = self._current, build
            self._checked = now
            return build

    def _open(self, target: Path) -> Build:
        if not target.exists():
            raise Problem(
                503,
                "not-published",
                f"No warehouse at {self.build_file.name}: run `andon build --inbox INBOX` "
                "first, then call again.",
            )
        try:
            con = connect_read(target)
        except (duckdb.Error, NotPublished) as error:
            raise Problem(
                503, "not-published", f"The warehouse cannot be opened: {error}"
            ) from None
        if self.threads:
            con.execute(f"set threads = {int(self.threads)}")
        return Build(_build_id(con, target), target, con)

    def close(self) -> None:
        for build in (self._current, self._previous):
            if build is not None:
                build.con.close()
        self._current = self._previous = None


def _build_id(con: duckdb.DuckDBPyConnection, target: Path) -> str:
    """The build's id from its own records (andon_meta.build_log), else from the file."""
    try:
        rows = con.execute(
            "select build_id from andon_meta.build_log order by started_at desc limit 1"
        ).fetchall()
    except duckdb.Error:
        rows = []
    if rows and rows[0][0]:
        return str(rows[0][0])
    stat = target.stat()
    return f"file-{stat.st_mtime_ns}-{stat.st_size}"


class Cache:
    """A least-recently-used map, safe across threads."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            self.misses += 1
            return None

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class RateLimiter:
    """A token bucket per API token: `burst` requests at once, refilled at `rate` a second."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """Spend one request of `key`'s bucket, or raise the 429 problem."""
        now = time.monotonic()
        with self._lock:
            level, since = self._buckets.get(key, (float(self.burst), now))
            level = min(float(self.burst), level + (now - since) * self.rate)
            if level < 1.0:
                self._buckets[key] = (level, now)
                wait = max(1, math.ceil((1.0 - level) / self.rate))
                raise Problem(
                    429,
                    "rate-limited",
                    f"This token may make {self.rate:g} requests a second ({self.burst} at "
                    f"once): wait {wait} s and retry, or ask an administrator for a higher "
                    "limit (ANDON_API_RATE, ANDON_API_BURST).",
                    headers={"Retry-After": str(wait)},
                )
            self._buckets[key] = (level - 1.0, now)


class AuditWriter:
    """API calls go to the audit log from a background thread, a batch per transaction, so a
    busy API never waits on the state store's writes; `flush` waits until every call made
    so far is written."""

    BATCH = 500

    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts
        self._queue: queue.Queue[tuple[Any, ...] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="andon-api-audit", daemon=True)
        self._thread.start()

    def write(self, actor: str | None, action: str, detail: dict[str, Any], ok: bool) -> None:
        self._queue.put((self.accounts.now(), actor, action, ok, detail))

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            entries = [item for item in batch if item is not None]
            try:
                if entries:
                    self.accounts.store.insert_audits(entries)
            except Exception:  # the API keeps answering; the log says what was lost
                log.exception("%d API calls could not be written to the audit log", len(entries))
            finally:
                for _ in batch:
                    self._queue.task_done()
            if len(entries) < len(batch):
                return

    def flush(self) -> None:
        self._queue.join()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)


class Identities:
    """Token → (token, user) for `ttl` seconds, so a busy caller does not read the state store
    at every call; a revoked token, a disabled user or a changed grant applies within `ttl`."""

    def __init__(self, tokens: ApiTokens, accounts: Accounts, ttl: float) -> None:
        self.tokens = tokens
        self.accounts = accounts
        self.ttl = ttl
        self._seen: dict[str, tuple[float, ApiToken | None, User | None]] = {}
        self._lock = threading.Lock()

    def resolve(self, token: str) -> tuple[ApiToken | None, User | None]:
        now = time.monotonic()
        key = hash_token(token)
        found = self._seen.get(key)
        if found is not None and now - found[0] < self.ttl:
            return found[1], found[2]
        api_token = self.tokens.verify(token)
        user = self.accounts.get(api_token.username) if api_token is not None else None
        with self._lock:
            if len(self._seen) > 10_000:
                self._seen.clear()
            self._seen[key] = (now, api_token, user)
        return api_token, user


class Runtime:
    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        self.published = Published(settings.warehouse, settings.threads)
        self.tokens = ApiTokens(settings.state)
        self.accounts = Accounts(settings.state)
        self.cache = Cache(settings.cache_entries)
        self.limiter = RateLimiter(settings.rate, settings.burst)
        self.audit = AuditWriter(self.accounts)
        self.identities = Identities(self.tokens, self.accounts, settings.auth_cache_s)

    def close(self) -> None:
        self.audit.close()
        self.published.close()
