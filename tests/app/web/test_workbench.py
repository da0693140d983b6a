"""Layers two and three of the workbench: even SQL that skipped the allowlist cannot write
or read files, runs are interrupted after the timeout, and results are row-limited."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from app.web import workbench as wb


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wb") / "andon.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.numbers as select range as n from range(50)")
    return path


def test_sandbox_refuses_writes(tiny: Path) -> None:
    con = wb.sandbox_connection(tiny)
    for statement in (
        "insert into marts.numbers values (1)",
        "create table marts.x (a int)",
        "drop table marts.numbers",
    ):
        with pytest.raises(wb.QueryFailed, match="read-only"):
            wb.execute(con, statement)
    assert wb.execute(con, "select count(*) as c from marts.numbers").frame["c"][0] == 50


def test_sandbox_refuses_files(tiny: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    con = wb.sandbox_connection(tiny)
    for statement in (
        f"select * from read_csv('{secret}')",
        f"select * from '{secret}'",
        f"copy marts.numbers to '{tmp_path / 'out.csv'}'",
    ):
        with pytest.raises(wb.QueryFailed):
            wb.execute(con, statement)
    assert not (tmp_path / "out.csv").exists()
    with pytest.raises(wb.QueryFailed, match="locked"):
        wb.execute(con, "set enable_external_access = true")


def test_timeout_interrupts(tiny: Path) -> None:
    con = wb.sandbox_connection(tiny)
    with pytest.raises(wb.QueryFailed, match="Stopped after"):
        wb.execute(con, "select count(*) from range(10000000000000) a", timeout_s=0.5)


def test_row_limit_and_trailing_semicolon(tiny: Path) -> None:
    result = wb.run_query(tiny, "select n from marts.numbers order by n -- all\n;", limit=10)
    assert result.truncated and result.frame.height == 10
    assert result.frame["n"].to_list() == list(range(10))
    assert not wb.run_query(tiny, "select 1 as one", limit=10).truncated


def test_duckdb_error_is_message_with_position(tiny: Path) -> None:
    with pytest.raises(wb.QueryFailed) as caught:
        wb.run_query(tiny, "select n from marts.numbers\nwhere n > 'x' + 1")
    assert "Traceback" not in caught.value.message
    assert caught.value.line in (None, 2)


def test_saved_queries_round_trip(tmp_path: Path) -> None:
    store = wb.store_path(tmp_path / "andon.duckdb")
    wb.save_query(store, "plants", "select 1")
    wb.save_query(store, "plants", "select 2")
    assert wb.saved_queries(store) == {"plants": "select 2"}
    wb.delete_query(store, "plants")
    assert wb.saved_queries(store) == {}


def test_manifest_descriptions(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "nodes": {
                    "model.andon.fct_x": {
                        "resource_type": "model",
                        "schema": "marts",
                        "alias": "fct_x",
                        "description": "A fact.",
                        "columns": {"a": {"description": "Column a."}},
                    }
                }
            }
        )
    )
    assert wb.manifest_descriptions(manifest) == {
        ("marts", "fct_x"): {"": "A fact.", "a": "Column a."}
    }
