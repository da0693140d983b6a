"""`andon build --engine spark` where Spark cannot run says why, and publishes nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.build import build_warehouse
from warehouse.publish import current_published


@pytest.fixture
def landed(tmp_path: Path) -> Path:
    path = tmp_path / "andon.duckdb"
    duckdb.connect(str(path)).close()
    return path


def test_a_machine_without_java_gets_a_message_not_a_traceback(landed, monkeypatch):
    monkeypatch.setenv("PATH", str(landed.parent))  # no java on it
    result = build_warehouse(landed, engine="spark")
    assert not result.passed
    assert result.error == (
        "Spark builds need Java 17 (e.g. Debian's openjdk-17-jre-headless) on PATH."
    )
    assert current_published(landed) is None
    with duckdb.connect(str(landed), read_only=True) as con:
        assert con.execute(
            "select status, engine, message from andon_meta.build_log"
        ).fetchall() == [("failed", "spark", result.error)]


def test_an_unknown_engine_is_refused(landed):
    with pytest.raises(ValueError, match="Unknown engine 'trino': use one of duckdb, spark"):
        build_warehouse(landed, engine="trino")
