"""The Data health page's "Sources and pipeline" section: the service running or not, each
source's schedule, last pull, status, next run and lag, what failed; in English and 中文."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from app.reports.state import StateStore, now_utc
from app.service.heartbeat import hostname
from warehouse.location import state_path


def columns_of(element) -> list[str]:  # noqa: ANN001 - an AppTest dataframe
    value = element.value
    value = value.data if hasattr(value, "data") else value
    return [str(c) for c in value.columns]


@pytest.fixture
def pipeline_record(app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sources.yaml of two databases, and the state store of a service running now whose
    ERP pull failed (nothing is pulled: the session's warehouse is never written)."""
    sources = tmp_path / "sources.yaml"
    sqlite = {"kind": "sqlite", "connection": {"database": str(tmp_path / "mes.sqlite")}}
    sources.write_text(
        yaml.safe_dump(
            {
                "sources": {
                    "mes_db": {
                        **sqlite,
                        "schedule": "*/15 * * * *",
                        "timezone": "Asia/Shanghai",
                        "entities": {"equipment": {"table": "machine"}},
                    },
                    "erp_db": {
                        **sqlite,
                        "schedule": "0 * * * *",
                        "entities": {"customers": {"table": "customer"}},
                    },
                }
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("ANDON_SOURCES", str(sources))
    now = now_utc()
    store = StateStore(state_path())
    store.service_started("pipeline", os.getpid(), hostname(), now, 30)
    store.source_attempted("mes_db", now, now - timedelta(minutes=3), "ok", None, 12)
    store.source_attempted(
        "erp_db", now, now - timedelta(minutes=3), "failed", "customers: cannot reach erp-db"
    )
    store.service_ticked("pipeline", now - timedelta(seconds=20), "erp_db failed")
    store.close()


def test_sources_and_pipeline_in_both_languages(open_page, pipeline_record) -> None:  # noqa: ANN001
    at = open_page("health")
    assert not at.exception, [e.message for e in at.exception]
    assert any("Pipeline service running" in s.value for s in at.success)
    assert [e.value for e in at.error] == ["erp_db: customers: cannot reach erp-db"]
    table = next(d for d in at.dataframe if "Lag" in columns_of(d))
    assert columns_of(table)[:4] == ["Source", "Kind", "Where", "Schedule"]
    frame = table.value.data if hasattr(table.value, "data") else table.value
    rows = {row["Source"]: row for row in frame.to_dict("records")}
    assert rows["erp_db"]["Status"] == "Failed" and rows["mes_db"]["Status"] == "OK"
    assert rows["mes_db"]["Schedule"] == "every 15 minutes (Asia/Shanghai)"
    assert rows["erp_db"]["Schedule"] == "every hour (UTC)"
    assert rows["mes_db"]["Lag"] == "3 min" and rows["erp_db"]["Lag"] == "never"

    at.session_state["f_lang"] = "zh"
    at.run()
    assert not at.exception
    assert any("数据管道服务运行中" in s.value for s in at.success)
    table = next(d for d in at.dataframe if "延迟" in columns_of(d))
    assert "数据源" in columns_of(table) and "下次运行" in columns_of(table)
    frame = table.value.data if hasattr(table.value, "data") else table.value
    rows = {row["数据源"]: row for row in frame.to_dict("records")}
    assert rows["mes_db"]["计划"] == "每 15 分钟 (Asia/Shanghai)"
    assert rows["erp_db"]["状态"] == "失败"
    assert rows["mes_db"]["上次拉取"].endswith(" UTC")  # every plant: several time zones


def test_a_user_without_every_plant_sees_the_service_not_the_sources(
    open_page, pipeline_record
) -> None:  # noqa: ANN001
    at = open_page("health", user="dg.analyst")
    assert not at.exception, [e.message for e in at.exception]
    assert any("Pipeline service running" in s.value for s in at.success)
    assert any("access to every plant" in i.value for i in at.info)
    assert not at.error and not any("Lag" in columns_of(d) for d in at.dataframe)
