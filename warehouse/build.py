"""Build the warehouse: run `dbt build`, record every node, and publish only a build that passed.

Storage only: what comes before (ingest) and after (alerts) is composed in app/pipeline.py.

dbt runs in-process (dbtRunner) so each model and test reports to the progress bar and its
result is kept in the warehouse (`andon_meta.build_results`) for the Data Health page.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warehouse.location import PROJECT_ROOT
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
) -> BuildResult:
    """dbt build, record results, and publish when everything passed."""
    started = datetime.now(UTC).replace(tzinfo=None)
    clock = time.perf_counter()
    result = BuildResult(build_id=started.strftime("%Y%m%dT%H%M%S%fZ"), full_refresh=full_refresh)
    if not build_file.exists():
        result.error = f"No warehouse at {build_file}: run `andon ingest INBOX` or pass --inbox."
        return result

    command = ["build", *(["--full-refresh"] if full_refresh else [])]
    outcome = run_dbt(command, build_file, progress)
    result.nodes = _node_results(outcome)
    if outcome.exception is not None:
        result.error = f"dbt could not run: {outcome.exception}"
    freshness = run_dbt(["source", "freshness"], build_file) if result.passed else None
    result.seconds = time.perf_counter() - clock
    _record(build_file, result, started, freshness)
    if result.passed:
        result.published = publish(build_file, result.build_id)
    return result


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


def _freshness_rows(build_id: str, freshness) -> list[tuple]:  # noqa: ANN001
    if freshness is None or freshness.result is None:
        return []
    rows = []
    for item in getattr(freshness.result, "results", []):
        node = item.node
        criteria = node.freshness

        def hours(rule) -> float | None:  # noqa: ANN001
            if rule is None or rule.count is None:
                return None
            return rule.count * {"minute": 1 / 60, "hour": 1, "day": 24}[str(rule.period)]

        age = getattr(item, "age", None)
        loaded = getattr(item, "max_loaded_at", None)
        rows.append(
            (
                build_id,
                node.source_name,
                node.name,
                str(item.status),
                loaded.replace(tzinfo=None) if loaded is not None else None,
                age / 3600 if age is not None else None,
                hours(criteria.warn_after) if criteria else None,
                hours(criteria.error_after) if criteria else None,
            )
        )
    return rows


def _record(build_file: Path, result: BuildResult, started: datetime, freshness) -> None:  # noqa: ANN001
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
            "insert into andon_meta.build_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        rows = _freshness_rows(result.build_id, freshness)
        if rows:
            con.executemany(
                "insert into andon_meta.source_freshness values (?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
