"""`andon build`: ingest, dbt build, publish; a failed build keeps the last good one in service."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from app.pipeline import run_pipeline as build
from warehouse.connections import connect_published
from warehouse.publish import current_published


@pytest.fixture(scope="module")
def first_build(sample_inbox: Path, tmp_path_factory: pytest.TempPathFactory):
    build_file = tmp_path_factory.mktemp("build") / "andon.duckdb"
    result = build(build_file, inbox=sample_inbox)
    return build_file, result


def test_build_ingests_runs_dbt_and_publishes(first_build) -> None:
    build_file, result = first_build
    assert result.passed, [f"{n.unique_id}: {n.message}" for n in result.build.failures] or result.build.error
    assert result.ingest is not None and not result.ingest.rejected
    assert result.build.count("model") >= 30
    assert result.build.count("test") + result.build.count("unit_test") >= 50
    assert result.published == current_published(build_file)
    with connect_published(build_file) as con:
        marts = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        logged = con.execute("select status, published_file from andon_meta.build_log").fetchall()
        freshness = con.execute(
            "select count(*) from andon_meta.source_freshness where entity = 'equipment_states'"
        ).fetchone()[0]
    assert {"dim_plant", "dim_equipment", "fct_equipment_shifts", "fct_production"} <= marts
    assert logged == [("passed", result.published.name)]
    assert freshness == 1


def test_failed_build_keeps_the_last_good_version(first_build, tmp_path: Path) -> None:
    source, good = first_build
    build_file = tmp_path / "andon.duckdb"
    shutil.copy(source, build_file)
    shutil.copytree(source.parent / "published", tmp_path / "published")
    in_service = current_published(build_file)
    with duckdb.connect(str(build_file)) as con:
        con.execute("drop table raw.shifts")

    failed = build(build_file)

    assert not failed.passed
    assert any("stg_mes__shifts" in node.unique_id for node in failed.build.failures)
    assert failed.published is None
    assert current_published(build_file) == in_service
    with connect_published(build_file) as con:
        assert con.execute("select count(*) from marts.dim_plant").fetchone()[0] == 3
