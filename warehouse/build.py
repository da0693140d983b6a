"""Build the warehouse: run `dbt build`, record every node, and publish only a build that passed.

Storage only: what comes before (ingest) and after (alerts) is composed in app/pipeline.py.

dbt runs in-process (dbtRunner) so each model and test reports to the progress bar and its
result is kept in the warehouse (`andon_meta.build_results`) for the Data Health page.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from warehouse.location import ENGINES, PROJECT_ROOT
from warehouse.publish import publish, published_name

META_DDL = """
create schema if not exists andon_meta;
create table if not exists andon_meta.build_log (
    build_id varchar primary key,
    started_at timestamp,
    finished_at timestamp,
    seconds double,
    full_refresh boolean,
    status varchar,
    models integer,
    tests integer,
    failures integer,
    message varchar,
    published_file varchar
);
alter table andon_meta.build_log add column if not exists engine varchar;
create table if not exists andon_meta.build_results (
    build_id varchar,
    unique_id varchar,
    resource_type varchar,
    name varchar,
    status varchar,
    message varchar,
    failures bigint,
    seconds double
);
create table if not exists andon_meta.build_state (
    build_id varchar,
    max_load_id bigint,
    code_hash varchar
);
create table if not exists andon_meta.source_freshness (
    build_id varchar,
    source varchar,
    entity varchar,
    status varchar,
    max_loaded_at timestamp,
    age_hours double,
    warn_after_hours double,
    error_after_hours double
);
"""

FAILED = {"error", "fail", "runtime error"}


@dataclass(frozen=True)
class NodeResult:
    """One dbt model, test, seed or unit test as it finished."""

    unique_id: str
    resource_type: str
    name: str
    status: str
    message: str
    failures: int
    seconds: float

    @property
    def failed(self) -> bool:
        return self.status in FAILED


@dataclass
class BuildResult:
    """What a dbt build did: every node, and what went into service."""

    build_id: str
    full_refresh: bool
    engine: str = "duckdb"
    nodes: list[NodeResult] = field(default_factory=list)
    seconds: float = 0.0
    published: Path | None = None
    error: str | None = None

    @property
    def failures(self) -> list[NodeResult]:
        return [node for node in self.nodes if node.failed]

    @property
    def passed(self) -> bool:
        return self.error is None and not self.failures

    @property
    def warnings(self) -> list[NodeResult]:
        return [node for node in self.nodes if node.status == "warn"]

    def count(self, resource_type: str) -> int:
        return sum(node.resource_type == resource_type for node in self.nodes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "build_id": self.build_id,
            "passed": self.passed,
            "full_refresh": self.full_refresh,
            "engine": self.engine,
            "seconds": round(self.seconds, 2),
            "published": str(self.published) if self.published else None,
            "error": self.error,
            "models": self.count("model"),
            "tests": self.count("test") + self.count("unit_test"),
            "failures": [
                {"node": n.unique_id, "status": n.status, "message": n.message}
                for n in self.failures
            ],
            "warnings": [
                {"node": n.unique_id, "message": n.message, "failures": n.failures}
                for n in self.warnings
            ],
        }


ProgressCallback = Callable[[str, int, int], None]


def dbt_args(command: list[str], build_file: Path) -> list[str]:
    """dbt arguments that keep each warehouse's dbt artifacts beside it."""
    return [
        *command,
        "--quiet",
        "--project-dir",
        str(PROJECT_ROOT),
        "--profiles-dir",
        str(PROJECT_ROOT),
        "--target-path",
        str(build_file.parent / "dbt_target"),
        "--log-path",
        str(build_file.parent / "dbt_logs"),
    ]


def run_dbt(command: list[str], build_file: Path, progress: ProgressCallback | None = None):
    """Run one dbt command in-process against `build_file`; returns dbt's result object."""
    from dbt.cli.main import dbtRunner

    os.environ["ANDON_WAREHOUSE"] = str(build_file)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

    seen = {"total": 0, "done": 0}

    def on_event(event) -> None:  # noqa: ANN001 - dbt EventMsg
        """Progress only: it must never raise inside dbt, or dbt marks the node failed."""
        if progress is None:
            return
        try:
            name = event.info.name
            if name == "LogStartLine":
                seen["total"] = max(seen["total"], event.data.total)
                progress(event.data.description, seen["done"], seen["total"])
            elif name == "NodeFinished":
                seen["done"] += 1
                progress(event.data.node_info.node_name, seen["done"], seen["total"])
        except Exception:  # noqa: BLE001 - a progress bar is not worth a failed build
            return

    return dbtRunner(callbacks=[on_event]).invoke(dbt_args(command, build_file))


def build_warehouse(
    build_file: Path,
    *,
    full_refresh: bool = False,
    progress: ProgressCallback | None = None,
    engine: str = "duckdb",
) -> BuildResult:
    """dbt build on `engine`, record results, and publish when everything passed."""
    if engine not in ENGINES:
        raise ValueError(f"Unknown engine {engine!r}: use one of {', '.join(ENGINES)}.")
    started = datetime.now(UTC).replace(tzinfo=None)
    clock = time.perf_counter()
    result = BuildResult(
        build_id=started.strftime("%Y%m%dT%H%M%S%fZ"), full_refresh=full_refresh, engine=engine
    )
    if not build_file.exists():
        result.error = f"No warehouse at {build_file}: run `andon ingest INBOX` or pass --inbox."
        return result

    window = _open_test_window(build_file, full_refresh, engine)
    # Incremental tables keep rows built by the code of their time: after a change of the
    # code (or with no record of the last build's code) everything is rebuilt and tested.
    result.full_refresh = full_refresh = full_refresh or not window.code_unchanged
    command = ["build", *(["--full-refresh"] if full_refresh else [])]
    if window.code_unchanged:
        # Unit tests read only the project's code, which passed them in the last build.
        command += ["--exclude", "test_type:unit"]
        # With the code unchanged, a node whose inputs got no new load since the last passed
        # build would compute what it holds: build only what is downstream of the raw
        # entities that landed (or were superseded) since. A full build builds everything.
        if (build_file.parent / "dbt_target" / "manifest.json").exists():
            # The same code wrote the same manifest (read by freshness and the sandbox)
            # last time: writing the JSON artifacts again costs CPU for nothing.
            command += ["--no-write-json"]
        command += ["--select", *window.selection]
    unchanged = window.code_unchanged and not window.changed_entities
    spark = None
    if unchanged:
        pass  # nothing landed: the last build's tables are this build's
    elif engine == "spark":
        from warehouse.spark_build import SparkBuild

        spark = SparkBuild.start(build_file, result, window)
        if spark is not None:
            spark.run(command, progress)
    else:
        run_build(command, build_file, result, progress)
    result.seconds = time.perf_counter() - clock
    _record(build_file, result, started, window)
    if result.passed:
        result.published = _publish(build_file, result, window, spark)
    return result


def _publish(
    build_file: Path,
    result: BuildResult,
    window: TestWindow,
    spark,  # noqa: ANN001 - warehouse.spark_build.SparkBuild | None (imported on use)
) -> Path | None:
    """Put a passed build into service (a Spark build with its mart snapshot)."""
    if result.engine == "duckdb":
        return publish(build_file, result.build_id)
    from warehouse.spark_build import SparkBuild
    from warehouse.spark_publish import republish_spark

    if spark is None:  # nothing changed: the published snapshot's files serve again
        republished = republish_spark(build_file, result.build_id)
        if republished is not None:
            return republished
        spark = SparkBuild.start(build_file, result, window)
        if spark is None:  # result.error says why: the build is not published
            return None
    return spark.publish()


def run_build(
    command: list[str], build_file: Path, result: BuildResult, progress: ProgressCallback | None
) -> None:
    """Run dbt build and keep every node's outcome (and dbt's own error) in `result`."""
    outcome = run_dbt(command, build_file, progress)
    result.nodes = _node_results(outcome)
    if outcome.exception is not None:
        result.error = f"dbt could not run: {outcome.exception}"


@dataclass(frozen=True)
class TestWindow:
    """What the last passed build had seen: tests of this one look only at newer rows."""

    since_load_id: int  # -1: test every row
    max_load_id: int  # the newest load this build sees
    code_hash: str
    code_unchanged: bool  # same models, tests and macros as the last passed build
    changed_entities: tuple[str, ...] = ()  # raw entities with loads newer than the window

    @property
    def selection(self) -> list[str]:
        """dbt selectors of every node downstream of a changed raw entity (and the load-log
        checks, which read the quarantine)."""
        return [
            *(f"source:*.{entity}+" for entity in self.changed_entities),
            "source:ingest.quarantine+",
        ]


def project_code_hash(engine: str = "duckdb") -> str:
    """A hash of everything dbt compiles (models, tests, macros, seeds, the project file) and
    of the engine that runs it: a build on another engine starts from scratch."""
    digest = hashlib.sha256(engine.encode())
    for path in sorted((PROJECT_ROOT / "models").rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
            digest.update(path.read_bytes())
    for name in ("dbt_project.yml", "profiles.yml"):
        digest.update((PROJECT_ROOT / name).read_bytes())
    return digest.hexdigest()


def _open_test_window(build_file: Path, full_refresh: bool, engine: str) -> TestWindow:
    """Write andon_meta.test_window (read by models/macros/test_window.sql) for this build."""
    from warehouse.connections import connect_write

    code_hash = project_code_hash(engine)
    with connect_write(build_file) as con:
        con.execute(META_DDL)
        has_log = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'ingest' and table_name = 'load_log'"
        ).fetchall()[0][0]
        newest = (
            con.execute("select coalesce(max(load_id), -1) from ingest.load_log").fetchall()[0][0]
            if has_log
            else -1
        )
        last = con.execute(
            "select max_load_id, code_hash from andon_meta.build_state"
            " order by build_id desc limit 1"
        ).fetchall()
        unchanged = bool(last) and not full_refresh and last[0][1] == code_hash
        since = int(last[0][0]) if unchanged else -1
        con.execute(
            "create or replace table andon_meta.test_window as"
            " select ?::bigint as since_load_id, ?::bigint as max_load_id",
            [since, newest],
        )
        changed = (
            [
                entity
                # new (or superseding) loads, and a landed entity whose raw table is gone
                # (raw changes through ingest only; anything else wants --full-refresh)
                for (entity,) in con.execute(
                    "select distinct entity from ingest.load_log"
                    " where load_id > ? or entity not in ("
                    "  select table_name from information_schema.tables"
                    "  where table_schema = 'raw')"
                    " order by 1",
                    [since],
                ).fetchall()
            ]
            if has_log and unchanged
            else []
        )
    return TestWindow(since, int(newest), code_hash, unchanged, tuple(changed))


def _node_results(outcome) -> list[NodeResult]:  # noqa: ANN001 - dbtRunnerResult
    run = outcome.result
    if run is None or not hasattr(run, "results"):
        return []
    nodes = []
    for item in run.results:
        node = item.node
        nodes.append(
            NodeResult(
                unique_id=node.unique_id,
                resource_type=str(node.resource_type),
                name=node.name,
                status=str(item.status),
                message=(item.message or "").strip(),
                failures=int(item.failures or 0),
                seconds=float(item.execution_time or 0.0),
            )
        )
    return nodes


def _freshness_criteria(build_file: Path) -> list[tuple]:
    """(source, table, relation, loaded_at_field, warn hours, error hours) of each source with a
    freshness rule, from the manifest the build just wrote (no second dbt invocation)."""
    manifest_path = build_file.parent / "dbt_target" / "manifest.json"
    if not manifest_path.exists():
        return []
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))

    def hours(rule: dict | None) -> float | None:
        if not rule or rule.get("count") is None or rule.get("period") is None:
            return None
        return rule["count"] * {"minute": 1 / 60, "hour": 1, "day": 24}[rule["period"]]

    criteria = []
    for source in sorted(manifest.get("sources", {}).values(), key=lambda s: s["unique_id"]):
        rule = source.get("freshness") or {}
        field_name = source.get("loaded_at_field")
        warn, error = hours(rule.get("warn_after")), hours(rule.get("error_after"))
        if not field_name or (warn is None and error is None):
            continue  # dbt source freshness skips these too
        relation = f"{source['schema']}.{source['identifier'] or source['name']}"
        criteria.append((source["source_name"], source["name"], relation, field_name, warn, error))
    return criteria


def _freshness_rows(con, build_file: Path, build_id: str) -> list[tuple]:  # noqa: ANN001
    """What `dbt source freshness` reports, as one query per source table: the newest
    `loaded_at_field`, its age, and pass/warn/error against the rule."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for source, entity, relation, field_name, warn, error in _freshness_criteria(build_file):
        try:
            (loaded,) = con.execute(
                f'select max("{field_name}")::timestamp from {relation}'
            ).fetchone()
        except duckdb.Error:  # recorded as dbt would: a runtime error
            rows.append((build_id, source, entity, "runtime error", None, None, warn, error))
            continue
        age = (now - loaded).total_seconds() / 3600 if loaded is not None else None
        if age is None or (error is not None and age > error):
            status = "error"
        elif warn is not None and age > warn:
            status = "warn"
        else:
            status = "pass"
        rows.append((build_id, source, entity, status, loaded, age, warn, error))
    return rows


def _record(
    build_file: Path,
    result: BuildResult,
    started: datetime,
    window: TestWindow | None = None,
) -> None:
    """Keep the build's outcome in the warehouse so the app can show it."""
    from warehouse.connections import connect_write

    finished = datetime.now(UTC).replace(tzinfo=None)
    status = "passed" if result.passed else "failed"
    message = result.error or "; ".join(
        f"{n.resource_type} {n.name}: {n.message}" for n in result.failures
    )
    with connect_write(build_file) as con:
        con.execute(META_DDL)
        con.execute(
            "insert into andon_meta.build_log (build_id, started_at, finished_at, seconds,"
            " full_refresh, status, models, tests, failures, message, published_file, engine)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                result.build_id,
                started,
                finished,
                result.seconds,
                result.full_refresh,
                status,
                result.count("model"),
                result.count("test") + result.count("unit_test"),
                len(result.failures),
                message or None,
                published_name(result.build_id) if result.passed else None,
                result.engine,
            ],
        )
        if result.nodes:
            con.executemany(
                "insert into andon_meta.build_results values (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        result.build_id,
                        n.unique_id,
                        n.resource_type,
                        n.name,
                        n.status,
                        n.message or None,
                        n.failures,
                        n.seconds,
                    )
                    for n in result.nodes
                ],
            )
        if result.passed and window is not None:
            con.execute(
                "insert into andon_meta.build_state values (?, ?, ?)",
                [result.build_id, window.max_load_id, window.code_hash],
            )
        rows = _freshness_rows(con, build_file, result.build_id) if result.passed else []
        if rows:
            con.executemany(
                "insert into andon_meta.source_freshness values (?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
