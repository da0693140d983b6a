"""When the pipeline service builds, decided from the warehouse itself, and the build.

What has landed is read from `ingest.load_log`: the newest load that put rows into `raw`
(LANDED with rows) and the number of SUPERSEDED loads (a changed file or a re-pulled extract
replaces rows). Together they are the *marker* of the landed data. A build is due when the
marker differs from the one the last published build was made from (the service records it
in the state store's pipeline_builds after the build publishes), so a crash after landing or
during a build rebuilds at the next start, and data landed by `andon ingest`/`andon pull`
is built too. A build made by `andon build` after the newest landing counts as current.

A failed build is retried when new data lands, or after a back-off (BUILD_RETRY_S doubling,
at most BUILD_RETRY_MAX_S) for the same data: never in a tight loop.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warehouse.connections import connect_read, table_names
from warehouse.publish import current_published

BUILD_RETRY_S = 900.0
BUILD_RETRY_MAX_S = 4 * 3600.0
ABANDON_WAIT_S = 30.0


@dataclass(frozen=True)
class Landed:
    """The landed data a build is made from, as ingest.load_log tells it."""

    load_id: int  # the newest load that put rows into raw (0: none)
    superseded: int  # loads replaced since (a changed file, a re-pulled extract)
    newest_at: datetime | None  # UTC: when the newest of them finished
    passed_build_at: datetime | None  # UTC: when the newest passed build started (build_log)

    @property
    def marker(self) -> str:
        return f"{self.load_id}/{self.superseded}"


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def read_landed(build_file: Path) -> Landed | None:
    """The build file's landed data; None when nothing has landed yet. Raises
    duckdb.IOException when another process is writing the warehouse."""
    if not build_file.is_file():
        return None
    con = connect_read(build_file)
    try:
        tables = table_names(con, ("ingest", "andon_meta"))
        if "ingest.load_log" not in tables:
            return None
        load_id, superseded, newest = con.execute(
            "select coalesce(max(load_id) filter (where status = 'LANDED' and rows_landed > 0), 0),"
            " count(*) filter (where status = 'SUPERSEDED'),"
            " max(finished_at) filter (where status in ('LANDED', 'SUPERSEDED'))"
            " from ingest.load_log"
        ).fetchone()
        passed = None
        if "andon_meta.build_log" in tables:
            (passed,) = con.execute(
                "select max(started_at) from andon_meta.build_log where status = 'passed'"
            ).fetchone()
    finally:
        con.close()
    if not load_id and not superseded:
        return None
    return Landed(int(load_id), int(superseded), _utc(newest), _utc(passed))


@dataclass(frozen=True)
class Decision:
    due: bool
    reason: str
    retry_at: datetime | None = None


def build_due(
    landed: Landed | None, builds: list[dict], now: datetime, *, published: bool
) -> Decision:
    """Whether to build now, given what landed and the service's builds (newest first)."""
    if landed is None:
        return Decision(False, "nothing has landed yet")
    last_passed = next((b for b in builds if b["status"] == "passed"), None)
    if last_passed is not None and last_passed["marker"] == landed.marker and published:
        return Decision(False, "up to date")
    if (
        published
        and landed.passed_build_at is not None
        and landed.newest_at is not None
        and landed.passed_build_at >= landed.newest_at
    ):
        return Decision(False, "up to date (built after the newest landing)")
    failed = []
    for build in builds:
        if build["status"] in ("interrupted", "busy", "building"):
            continue
        if build["status"] != "failed" or build["marker"] != landed.marker:
            break
        failed.append(build)
    if failed:
        wait = min(BUILD_RETRY_S * 2 ** (len(failed) - 1), BUILD_RETRY_MAX_S)
        retry_at = datetime.fromisoformat(failed[0]["finished_at"]) + timedelta(seconds=wait)
        if now < retry_at:
            return Decision(False, "the last build of this data failed", retry_at)
        return Decision(True, f"retrying the failed build (attempt {len(failed) + 1})")
    return Decision(True, "new data landed")


@dataclass(frozen=True)
class BuildRun:
    """How a build child ended. status: passed | failed | busy | abandoned."""

    status: str
    build_id: str | None = None
    published: str | None = None
    message: str | None = None
    seconds: float = 0.0
    models: int = 0
    tests: int = 0


def failure_text(result: dict) -> str:
    """The failing node(s) of a BuildResult.to_dict(), or its error."""
    if result.get("error"):
        return str(result["error"])
    failures = result.get("failures") or []
    text = "; ".join(f"{f['node']}: {f['message']}" for f in failures[:3])
    if len(failures) > 3:
        text += f"; and {len(failures) - 3} more"
    return text or "the build failed"


def run_build(
    build_file: Path,
    *,
    on_start: Callable[[int], None] | None = None,
    abandon: threading.Event | None = None,
) -> BuildRun:
    """Run `python -m app.service.buildproc` on the build file and wait for it; when
    `abandon` is set meanwhile, end the child (SIGTERM, then SIGKILL)."""
    clock = time.perf_counter()
    logs = build_file.parent / "dbt_logs"
    logs.mkdir(parents=True, exist_ok=True)
    result_file = logs / "pipeline-build.json"
    result_file.unlink(missing_ok=True)
    output = logs / "pipeline-build.log"
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    with output.open("w", encoding="utf-8") as sink:
        child = subprocess.Popen(
            [sys.executable, "-m", "app.service.buildproc", str(build_file), str(result_file)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # Ctrl+C stops the service, which lets the build finish
        )
        if on_start is not None:
            on_start(child.pid)
        abandoned = False
        try:
            while True:
                try:
                    child.wait(timeout=1.0)
                    break
                except subprocess.TimeoutExpired:
                    if abandon is not None and abandon.is_set():
                        abandoned = True
                        _end(child)
                        break
        except BaseException:  # KeyboardInterrupt (a second stop signal): the child goes too
            _end(child)
            raise
    seconds = time.perf_counter() - clock
    if abandoned:
        return BuildRun("abandoned", message="stopped before the build finished", seconds=seconds)
    if not result_file.is_file():
        tail = _tail(output)
        status = "busy" if "lock" in tail.lower() and "io error" in tail.lower() else "failed"
        message = tail or f"the build process ended with code {child.returncode}"
        return BuildRun(status, message=message, seconds=seconds)
    result = json.loads(result_file.read_text(encoding="utf-8"))
    published = Path(result["published"]).name if result.get("published") else None
    return BuildRun(
        "passed" if result.get("passed") else "failed",
        build_id=result.get("build_id"),
        published=published,
        message=None if result.get("passed") else failure_text(result),
        seconds=seconds,
        models=int(result.get("models") or 0),
        tests=int(result.get("tests") or 0),
    )


def _end(child: subprocess.Popen) -> None:
    """End a build child: SIGTERM, then SIGKILL if it does not go."""
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout=ABANDON_WAIT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def _tail(path: Path, lines: int = 6) -> str:
    """The last lines a crashed build printed (its traceback's end)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(kept[-lines:])[:1000]


def is_published(build_file: Path) -> bool:
    return current_published(build_file) is not None
