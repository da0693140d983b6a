"""Each source's own cron, read in its own time zone, with a restart-safe mark.

A source's mark is the time of its last attempt (the tick's time, written after the attempt,
in the state store's source_marks). The source is due when its cron fired since the mark:
however many fires were missed while Andon was down, that is one pull, since pulls are
incremental. A crash during a pull leaves the mark where it was, so the pull runs again at
restart (a pull is idempotent: watermark plus one transaction). A source never pulled is due
at once; a source without a schedule is pulled only on demand (`andon pull`, `andon ingest`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from croniter import croniter

from ingest.sources import Source


def next_fire(cron: str, timezone: str, after: datetime) -> datetime:
    """The cron's first fire after `after`, read in `timezone` (an aware datetime)."""
    return croniter(cron, after.astimezone(ZoneInfo(timezone))).get_next(datetime)


def is_due(source: Source, mark: datetime | None, now: datetime) -> bool:
    """Whether the source's cron fired in (mark, now]; never marked: due now."""
    if not source.schedule:
        return False
    if mark is None:
        return True
    return next_fire(source.schedule, source.timezone, mark) <= now


def next_run(source: Source, mark: datetime | None, now: datetime) -> datetime | None:
    """When the service pulls the source next: its first fire after the mark (earlier than
    `now` when overdue: the service is not running, or busy), `now` before its first pull,
    None without a schedule."""
    if not source.schedule:
        return None
    if mark is None:
        return now
    return next_fire(source.schedule, source.timezone, mark)
