"""What a person needs to know about the pipeline, as plain data: `pipeline_status()`.

Per source: kind, where (no secrets), schedule and time zone, the last pull (time, outcome,
rows landed), the message of the last failure, the next run, and the lag (now less the last
successful pull of its stalest entity; for a files source, less the last landed file). Then
the service process (running, or not running since when), the last build (passed or failed,
and what failed) and the reports that fire next.

Read from the state store (the service's own record, always readable) and from the warehouse
(`ingest.pull_status`, the load log and the build log: pulls made by `andon pull` and files
landed by `andon ingest` count too). `live=True` (the CLI) reads the build file and, while
another process writes it, the published copy; `live=False` (the Data health page, read on
every rerun) reads only the published copy, so it never takes the build file's lock. One
function for `andon status`, `andon pipeline --status` and the Data health page; each renders
it its own way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from app.reports.state import StateStore, now_utc, state_path
from app.service import build as builds
from app.service.heartbeat import SERVICE, ServiceState, service_state
from app.service.schedule import next_run
from ingest.sources import Source, load_sources, sources_path

OVERDUE_GRACE_S = 300.0
SAME_PULL_S = 2.0  # the load log's time of the service's own pull, to the second


@dataclass(frozen=True)
class SourceState:
    """One source as the status shows it. last_status: ok | partial | failed | None (never
    attempted)."""

    name: str
    kind: str
    where: str
    schedule: str | None
    timezone: str
    watch: bool  # a files source landed as files arrive
    entities: tuple[str, ...] = ()
    last_attempt_at: datetime | None = None
    last_status: str | None = None
    rows_landed: int | None = None  # by the last attempt
    message: str | None = None  # what the last attempt failed on
    last_success_at: datetime | None = None
    last_landed_at: datetime | None = None
    last_error: str | None = None  # the last failure, also after a recovery
    last_error_at: datetime | None = None
    next_run: datetime | None = None
    overdue: bool = False  # its next run is well past: the service is not running or stuck
    lag_s: float | None = None
    entity_pulls: tuple[dict, ...] = ()  # per entity: ingest.pull_status rows

    @property
    def is_database(self) -> bool:
        return self.kind != "files"


@dataclass(frozen=True)
class BuildState:
    """The newest build (the service's, else the build log's). status: passed | failed |
    building | interrupted | busy."""

    status: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    build_id: str | None = None
    published: str | None = None
    message: str | None = None
    by: str = "pipeline"  # pipeline | andon build (the warehouse's build log)
    last_passed_at: datetime | None = None
    pending: bool | None = None  # data landed that no published build holds yet
    retry_at: datetime | None = None  # a failed build's data is retried then (or on new data)


@dataclass(frozen=True)
class PipelineStatus:
    now: datetime
    warehouse: str
    service: ServiceState
    sources_file: str
    sources_error: str | None = None
    sources: tuple[SourceState, ...] = ()
    build: BuildState | None = None
    reports: tuple[dict, ...] = ()  # {report, next_fire, timezone}, soonest first
    reports_error: str | None = None
    read: str = "live"  # live | published | published (warehouse busy) | none

    def to_dict(self) -> dict:
        """JSON-ready: time stamps as ISO text."""
        return _plain(asdict(self))


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _utc(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _newest(*values: datetime | None) -> datetime | None:
    found = [v for v in values if v is not None]
    return max(found) if found else None


@dataclass
class _Facts:
    """What the warehouse tells: pulls per (source, entity), newest landing per inbox, the
    newest build_log row, the landed-data marker (live reads only)."""

    pulls: list[dict] = field(default_factory=list)
    inbox_landed: dict[str, datetime] = field(default_factory=dict)
    last_logged_build: dict | None = None
    landed: builds.Landed | None = None
    read: str = "none"


def _read_facts(build_file: Path, live: bool) -> _Facts:
    from warehouse.publish import current_published

    published = current_published(build_file)
    targets: list[tuple[Path, str]] = []
    if live:
        targets.append((build_file, "live"))
    if published is not None:
        targets.append((published, "published"))
    elif not live:
        targets.append((build_file, "live"))  # never published: the build file is all there is
    busy = False
    for target, read in targets:
        if not target.is_file():
            continue
        try:
            facts = _facts_from(target, read == "live" and live)
        except duckdb.IOException:
            busy = True
            continue
        except duckdb.Error:
            continue
        facts.read = f"{read} (warehouse busy)" if busy and read != "live" else read
        return facts
    return _Facts(read="none (warehouse busy)" if busy else "none")


def _facts_from(target: Path, with_marker: bool) -> _Facts:
    from ingest.status import pull_status
    from warehouse.connections import connect_read, table_names

    facts = _Facts()
    frame = pull_status(target)
    facts.pulls = frame.to_dicts()
    con = connect_read(target)
    try:
        tables = table_names(con, ("ingest", "andon_meta"))
        if "ingest.load_log" in tables:
            for inbox, at in con.execute(
                "select inbox, max(finished_at) from ingest.load_log "
                "where status = 'LANDED' group by inbox"
            ).fetchall():
                if at is not None:
                    facts.inbox_landed[str(inbox)] = _utc(at)  # type: ignore[assignment]
        if "andon_meta.build_log" in tables:
            row = con.execute(
                "select build_id, started_at, finished_at, status, message, published_file, "
                "(select max(started_at) from andon_meta.build_log where status = 'passed') "
                "from andon_meta.build_log order by started_at desc limit 1"
            ).fetchone()
            if row is not None:
                keys = ("build_id", "started_at", "finished_at", "status", "message")
                facts.last_logged_build = dict(zip(keys, row[:5], strict=True))
                facts.last_logged_build["published"] = row[5]
                facts.last_logged_build["last_passed_at"] = _utc(row[6])
    finally:
        con.close()
    if with_marker:
        facts.landed = builds.read_landed(target)
    return facts


def _pull_outcome(rows: list[dict]) -> tuple[str, str | None, int]:
    """A source's last pull as its entities' newest load-log rows tell it."""
    failed = [r for r in rows if r["last_status"] == "FAILED"]
    status = "ok" if not failed else ("failed" if len(failed) == len(rows) else "partial")
    message = "; ".join(f"{r['entity']}: {r['last_message']}" for r in failed) or None
    return status, message, sum(int(r["rows_landed_last"] or 0) for r in rows)


def _source_state(
    source: Source, mark: dict | None, facts: _Facts, now: datetime, poll_s: float
) -> SourceState:
    mark = mark or {}
    attempt_at = _utc(mark.get("last_attempt_at"))
    status, message = mark.get("last_status"), mark.get("last_message")
    rows = mark.get("rows_landed")
    success = _utc(mark.get("last_success_at"))
    landed = _utc(mark.get("last_landed_at"))
    pulls = tuple(r for r in facts.pulls if r["source"] == source.name)
    lag_from: datetime | None
    if source.is_database:
        newest_pull = _newest(*(_utc(r["last_attempt_at"]) for r in pulls))
        if newest_pull is not None and (
            attempt_at is None or (newest_pull - attempt_at).total_seconds() > SAME_PULL_S
        ):
            status, message, rows = _pull_outcome(list(pulls))  # a later `andon pull`
            attempt_at = newest_pull
        by_entity = {r["entity"]: _utc(r["last_success_at"]) for r in pulls}
        stalest = None
        if source.entities and all(by_entity.get(e) for e in source.entities):
            stalest = min(by_entity[e] for e in source.entities)  # type: ignore[type-var]
        lag_from = _newest(success, stalest)
        landed = _newest(
            landed, *(_utc(r["last_success_at"]) for r in pulls if r["rows_landed_last"])
        )
    else:
        inbox = str(Path(source.inbox or "").expanduser().resolve())
        landed = _newest(landed, facts.inbox_landed.get(inbox))
        lag_from = landed
    fire = _utc(mark.get("last_fire"))
    upcoming = next_run(source, fire, now)
    overdue = upcoming is not None and (now - upcoming).total_seconds() > max(
        OVERDUE_GRACE_S, 3 * poll_s
    )
    return SourceState(
        name=source.name,
        kind=source.kind,
        where=source.redacted(),
        schedule=source.schedule,
        timezone=source.timezone,
        watch=bool(not source.is_database and source.watch),
        entities=tuple(source.entities),
        last_attempt_at=attempt_at,
        last_status=status,
        rows_landed=rows,
        message=message if status not in (None, "ok") else None,
        last_success_at=success,
        last_landed_at=landed,
        last_error=mark.get("last_error"),
        last_error_at=_utc(mark.get("last_error_at")),
        next_run=upcoming,
        overdue=overdue,
        lag_s=(now - lag_from).total_seconds() if lag_from else None,
        entity_pulls=tuple(dict(r) for r in pulls),
    )


def _build_state(
    state: StateStore, facts: _Facts, now: datetime, build_file: Path
) -> BuildState | None:
    rows = state.pipeline_builds(limit=50)
    logged = facts.last_logged_build
    passed = next((r for r in rows if r["status"] == "passed"), None)
    last_passed = _newest(
        _utc(passed["started_at"]) if passed else None,
        logged["last_passed_at"] if logged else None,
    )
    pending = retry_at = None
    if facts.read == "live":
        decision = builds.build_due(
            facts.landed, rows, now, published=builds.is_published(build_file)
        )
        pending = decision.due or decision.retry_at is not None
        retry_at = decision.retry_at
    mine = rows[0] if rows else None
    theirs_at = _utc(logged["started_at"]) if logged else None
    mine_ended = _utc(mine["finished_at"]) or now if mine else None
    if mine is not None and (
        theirs_at is None
        or logged["build_id"] == mine["build_id"]  # type: ignore[index]
        or theirs_at <= mine_ended  # type: ignore[operator]
    ):
        return BuildState(
            status=mine["status"],
            started_at=_utc(mine["started_at"]),
            finished_at=_utc(mine["finished_at"]),
            build_id=mine["build_id"],
            published=mine["published"],
            message=mine["message"],
            last_passed_at=last_passed,
            pending=pending,
            retry_at=retry_at,
        )
    if logged is None:
        return None
    return BuildState(
        status=logged["status"],
        started_at=theirs_at,
        finished_at=_utc(logged["finished_at"]),
        build_id=logged["build_id"],
        published=logged["published"],
        message=logged["message"],
        by="andon build",
        last_passed_at=last_passed,
        pending=pending,
        retry_at=retry_at,
    )


def _next_reports(reports: Path | None, now: datetime) -> tuple[tuple[dict, ...], str | None]:
    try:
        from app.reports.definitions import read_reports

        files = read_reports(reports)
    except Exception as error:  # noqa: BLE001 - the status still shows the rest
        return (), f"{type(error).__name__}: {error}"
    upcoming = []
    for report in files.reports.values():
        fire = report.next_fire(now)
        if fire is not None:
            upcoming.append(
                {"report": report.name, "next_fire": _utc(fire), "timezone": report.timezone}
            )
    upcoming.sort(key=lambda item: item["next_fire"])
    return tuple(upcoming), None


def pipeline_status(
    build_file: Path,
    *,
    sources: Path | None = None,
    reports: Path | None = None,
    live: bool = True,
    now: datetime | None = None,
) -> PipelineStatus:
    """The pipeline's status (see the module's docstring). `sources`: the sources file
    [default: $ANDON_SOURCES or ./sources.yaml]; `reports`: the report definitions folder."""
    now = _utc(now) or now_utc()
    build_file = Path(build_file)
    path = sources_path(sources)
    store = StateStore(state_path(build_file))
    try:
        service = service_state(store.service_row(SERVICE), now)
        marks = store.source_marks()
        facts = _read_facts(build_file, live)
        loaded, error = None, None
        if path.is_file():
            try:
                loaded = load_sources(path)
            except Exception as problem:  # noqa: BLE001 - shown, never raised
                error = str(problem)
        else:
            error = f"no sources file at {path}"
        poll_s = float(service.poll_s or 30.0)
        states = tuple(
            _source_state(source, marks.get(source.name), facts, now, poll_s)
            for source in (loaded.sources.values() if loaded else ())
        )
        build = _build_state(store, facts, now, build_file)
        if build is not None and build.status == "building" and not service.running:
            build = replace(build, status="interrupted")  # its process is gone
    finally:
        store.close()
    upcoming, reports_error = _next_reports(reports, now)
    return PipelineStatus(
        now=now,
        warehouse=str(build_file),
        service=service,
        sources_file=str(path),
        sources_error=error,
        sources=states,
        build=build,
        reports=upcoming,
        reports_error=reports_error,
        read=facts.read,
    )


def duration(seconds: float) -> tuple[int, str]:
    """A duration as (count, unit) for a person: s under 2 min, min under 2 h, h under 2 d,
    else d (units: s, min, h, d)."""
    seconds = max(0.0, seconds)
    if seconds < 120:
        return int(seconds), "s"
    if seconds < 7200:
        return int(seconds // 60), "min"
    if seconds < 172800:
        return int(seconds // 3600), "h"
    return int(seconds // 86400), "d"


def format_duration(seconds: float | None) -> str:
    """'20 s', '5 min', '3 h', '2 d' (English, for the command line)."""
    if seconds is None:
        return "—"
    count, unit = duration(seconds)
    return f"{count} {unit}"
