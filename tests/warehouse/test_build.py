"""`andon build`: ingest, dbt build, publish; a failed build keeps the last good one in service.

The passing build is the session's `built_warehouse` (conftest: `run_pipeline` over the sample
inbox), checked through what it recorded and published; the failing one runs on a copy.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb

from app.pipeline import run_pipeline as build
from warehouse.connections import connect_published
from warehouse.publish import current_published


def test_build_ingests_runs_dbt_and_publishes(built_warehouse: Path) -> None:
    manifest = json.loads((built_warehouse.parent / "dbt_target" / "manifest.json").read_text())
    project = [n for n in manifest["nodes"].values() if n["package_name"] == "andon"]
    expected = Counter(n["resource_type"] for n in project if n["resource_type"] != "operation")
    expected["unit_test"] = len(manifest["unit_tests"])
    published = current_published(built_warehouse)
    assert published is not None
    with connect_published(built_warehouse) as con:
        marts = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        logged = con.execute(
            "select status, published_file, failures from andon_meta.build_log"
        ).fetchall()
        ran = Counter(
            dict(
                con.execute(
                    "select resource_type, count(*) from andon_meta.build_results group by 1"
                ).fetchall()
            )
        )
        statuses = {
            status
            for (status,) in con.execute("select status from andon_meta.build_results").fetchall()
        }
        rejected = con.execute(
            "select count(*) from ingest.load_log where status = 'REJECTED'"
        ).fetchone()[0]
        freshness = con.execute(
            "select count(*) from andon_meta.source_freshness where entity = 'equipment_states'"
        ).fetchone()[0]
    assert rejected == 0
    # every model, seed, data test and unit test of the project ran, none failed
    assert ran == expected
    assert statuses <= {"success", "pass", "warn"}
    assert {"dim_plant", "dim_date", "fct_equipment_shifts", "fct_production"} <= marts
    assert logged == [("passed", published.name, 0)]
    assert freshness == 1


def test_failed_build_keeps_the_last_good_version(built_warehouse: Path, tmp_path: Path) -> None:
    build_file = tmp_path / "andon.duckdb"
    shutil.copy(built_warehouse, build_file)
    shutil.copytree(built_warehouse.parent / "published", tmp_path / "published")
    in_service = current_published(build_file)
    assert in_service is not None
    with duckdb.connect(str(build_file)) as con:
        con.execute("drop table raw.shifts")

    failed = build(build_file)

    assert not failed.passed
    assert any("stg_mes__shifts" in node.unique_id for node in failed.build.failures)
    assert failed.published is None
    assert current_published(build_file) == in_service
    with connect_published(build_file) as con:
        assert con.execute("select count(*) from marts.dim_plant").fetchone()[0] == 3
