"""`andon build` as one pipeline: ingest (optional) → dbt build → publish → alerts.

The steps live in their own layers (ingest/, warehouse/, app/reports/); this module only
composes them, for the CLI and the scheduler alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest import IngestReport, ingest_inbox
from warehouse.build import BuildResult, ProgressCallback, build_warehouse


@dataclass
class PipelineResult:
    """What one run did: ingest figures, the dbt build, and the alerts it raised."""

    build: BuildResult
    ingest: IngestReport | None = None
    alerts: list[dict[str, Any]] = field(default_factory=list)
    alert_error: str | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.build.passed

    @property
    def published(self) -> Path | None:
        return self.build.published

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.build.to_dict(),
            "seconds": round(self.seconds, 2),
            "ingest": self.ingest.to_dict() if self.ingest is not None else None,
            "alerts": self.alerts,
            "alert_error": self.alert_error,
        }


def run_pipeline(
    build_file: Path,
    *,
    inbox: Path | None = None,
    full_refresh: bool = False,
    progress: ProgressCallback | None = None,
    on_ingest_file: Callable[[Any], None] | None = None,
    engine: str = "duckdb",
) -> PipelineResult:
    """Ingest (optional), build, publish when every test passed, then evaluate alerts."""
    clock = time.perf_counter()
    ingested = None
    if inbox is not None:
        ingested = ingest_inbox(inbox, build_file, on_file=on_ingest_file)
    built = build_warehouse(build_file, full_refresh=full_refresh, progress=progress, engine=engine)
    result = PipelineResult(build=built, ingest=ingested)
    if built.passed:
        _evaluate_alerts(build_file, result)
    result.seconds = time.perf_counter() - clock
    return result


def _evaluate_alerts(build_file: Path, result: PipelineResult) -> None:
    """Alert rules run on every new published build; their failure never unpublishes it."""
    from app.reports.alerts import evaluate_alerts
    from warehouse.config import ConfigError

    try:
        result.alerts = evaluate_alerts(build_file)
    except (ConfigError, OSError) as error:
        result.alert_error = f"alert rules could not be evaluated: {error}"
