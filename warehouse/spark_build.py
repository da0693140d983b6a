"""One `andon build --engine spark`: landed tables out to Parquet, dbt on Spark, snapshot.

warehouse/build.py runs the steps every build shares (test window, records, publishing);
this holds what only a Spark build does, and turns Spark's failures into the build's error
message (Java missing, pyspark missing, a session that cannot start) instead of a traceback.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from warehouse.build import BuildResult, ProgressCallback, TestWindow, run_build
from warehouse.spark import declare_landed, export_landed, lake_dir, spark_session

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@dataclass
class SparkBuild:
    build_file: Path
    result: BuildResult
    session: SparkSession
    lake: Path

    @classmethod
    def start(cls, build_file: Path, result: BuildResult, window: TestWindow) -> SparkBuild | None:
        """Export what dbt reads and start the session; None (and result.error) if Spark
        cannot run here. Raw tables without a new load keep their last export."""
        problem = _missing_runtime()
        if problem:
            result.error = problem
            return None
        lake = lake_dir(build_file)
        try:
            changed = frozenset(window.changed_entities) if window.code_unchanged else None
            landed = export_landed(build_file, lake, changed)
            session = spark_session(lake)
            declare_landed(session, landed)
        except Exception as error:  # noqa: BLE001 - Py4J and JVM errors share no base class
            result.error = f"Spark could not start: {_first_line(error)}"
            return None
        return cls(build_file, result, session, lake)

    def run(self, command: list[str], progress: ProgressCallback | None) -> None:
        run_build([*command, "--target", "spark"], self.build_file, self.result, progress)

    def publish(self) -> Path:
        from warehouse.spark_publish import publish_spark

        return publish_spark(self.build_file, self.result.build_id, self.session, self.lake)


def _missing_runtime() -> str | None:
    """Why Spark cannot run on this machine, or None."""
    try:
        import dbt.adapters.spark  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as error:
        return (
            f"Spark builds need pyspark and dbt-spark ({error.name} is not installed):"
            " pip install 'andon[spark]'."
        )
    if shutil.which("java") is None:
        return "Spark builds need Java 17 (e.g. Debian's openjdk-17-jre-headless) on PATH."
    return None


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
