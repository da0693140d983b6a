"""Landing one source: a database pulled (ingest.pull) or a file inbox ingested.

Whatever happens, the outcome is an `Attempt`, never an exception: an unreachable database,
a wrong password, a changed schema or a bug in a connector is a failed attempt with a clear
message (secrets scrubbed by `Source.scrub`), and the other sources go on. A warehouse
another process is writing (DuckDB allows one writer) is `busy`: nothing was attempted, the
source stays due.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from ingest.sources import Source


@dataclass(frozen=True)
class Attempt:
    """What one attempt at a source did. status: ok | partial (some entities or files
    failed) | failed | busy (the warehouse was locked: not attempted)."""

    source: str
    status: str
    rows_landed: int = 0
    message: str = ""  # what failed, one "entity: reason" or "file: reason" per problem
    summary: str = ""  # one line for the log
    seconds: float = 0.0
    problems: dict[str, str] = field(default_factory=dict)  # entity or file → its reason

    @property
    def attempted(self) -> bool:
        return self.status != "busy"


def is_busy(error: BaseException) -> bool:
    """A DuckDB error that says another process holds the warehouse's lock."""
    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()


def _locked(message: str) -> bool:
    """A failure message that is DuckDB's: another process holds the warehouse's lock."""
    return "could not set lock on file" in (message or "").lower()


def land(source: Source, build_file: Path) -> Attempt:
    """Pull a database source or ingest a files source."""
    clock = time.perf_counter()
    try:
        attempt = _pull(source, build_file) if source.is_database else _ingest(source, build_file)
    except Exception as error:  # noqa: BLE001 - one source never stops the others
        if is_busy(error):
            return Attempt(source.name, "busy", message="warehouse busy")
        reason = source.scrub(f"{type(error).__name__}: {error}")
        attempt = Attempt(source.name, "failed", message=reason, summary=f"failed: {reason}")
    return replace(attempt, seconds=time.perf_counter() - clock)


def _pull(source: Source, build_file: Path) -> Attempt:
    from ingest.pull import pull_source

    report = pull_source(source, build_file)
    failed = report.failed
    if failed and len(failed) == len(report.results) and all(_locked(r.message) for r in failed):
        return Attempt(source.name, "busy", message="warehouse busy")
    problems = {r.entity: source.scrub(r.message or r.status) for r in failed}
    rows = int(report.landed_rows)
    entities = len(report.results)
    status = "ok" if not failed else ("failed" if len(failed) == entities else "partial")
    summary = f"pulled {entities} {'entity' if entities == 1 else 'entities'}, {rows:,} rows landed"
    if failed:
        summary += f"; {len(failed)} failed"
    return Attempt(
        source.name,
        status,
        rows,
        "; ".join(f"{entity}: {reason}" for entity, reason in problems.items()),
        summary,
        problems=problems,
    )


def _ingest(source: Source, build_file: Path) -> Attempt:
    from ingest import ingest_inbox

    assert source.inbox is not None
    inbox = Path(source.inbox).expanduser()
    if not inbox.is_dir():
        reason = f"inbox {inbox} is not a folder"
        return Attempt(source.name, "failed", message=reason, summary=reason)
    report = ingest_inbox(inbox, build_file)
    landed = [r for r in report.results if r.status == "landed"]
    rejected = report.rejected
    problems = {r.file: r.message for r in rejected}
    rows = sum(r.rows_landed for r in landed)
    summary = f"{len(landed)} {'file' if len(landed) == 1 else 'files'} landed ({rows:,} rows)"
    if rejected:
        summary += f", {len(rejected)} rejected"
    return Attempt(
        source.name,
        "partial" if rejected else "ok",
        rows,
        "; ".join(f"{file}: {reason}" for file, reason in problems.items()),
        summary,
        problems=problems,
    )
