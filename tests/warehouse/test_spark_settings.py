"""The Spark session's settings: a local session keeps everything inside the lake and tunes
its one JVM for a build's many small queries; a cluster gets neither."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.spark import MASTER_ENV, session_settings

LOCAL_JVM = ("-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=256m", "-XX:+UseSerialGC")


def test_a_local_session_stays_in_its_lake_on_loopback_with_the_quick_jit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MASTER_ENV, raising=False)
    settings = session_settings(tmp_path / "spark")
    lake = (tmp_path / "spark").resolve()
    assert settings["spark.master"] == "local[2]"
    assert settings["spark.driver.bindAddress"] == "127.0.0.1"
    assert settings["spark.sql.warehouse.dir"] == str(lake / "warehouse")
    assert (
        f"databaseName={lake / 'metastore_db'};"
        in settings["spark.hadoop.javax.jdo.option.ConnectionURL"]
    )
    java = settings["spark.driver.extraJavaOptions"].split()
    assert "-Duser.timezone=UTC" in java and all(flag in java for flag in LOCAL_JVM)


def test_a_cluster_keeps_its_own_jvm_and_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MASTER_ENV, "spark://spark-master.plant:7077")
    settings = session_settings(tmp_path / "spark", catalog="in-memory")
    assert settings["spark.master"] == "spark://spark-master.plant:7077"
    assert "spark.driver.bindAddress" not in settings
    assert "spark.sql.codegen.wholeStage" not in settings
    assert "spark.hadoop.javax.jdo.option.ConnectionURL" not in settings
    java = settings["spark.driver.extraJavaOptions"].split()
    assert "-Duser.timezone=UTC" in java and not any(flag in java for flag in LOCAL_JVM)
