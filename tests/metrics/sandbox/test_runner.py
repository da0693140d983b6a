"""The runner and the hardened connection: even SQL that skipped the allowlist cannot
write, read files or change settings; runs stop at the timeout; results are row-limited;
saved queries and the schema panel."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from metrics.sandbox import (
    Limits,
    QueryFailed,
    SandboxRefusal,
    delete_query,
    manifest_descriptions,
    published_file,
    run_sql,
    save_query,
    saved_queries,
    schema_columns,
    store_path,
)
from metrics.sandbox.connection import sandbox
from metrics.scope import Scope

ALL = Scope.all()


def test_connection_refuses_writes(tiny: Path, limits: Limits) -> None:
    with sandbox(tiny, limits) as box:
        for statement in (
            "insert into marts.numbers values (1)",
            "create table marts.x (a int)",
            "drop table marts.numbers",
        ):
            with pytest.raises(duckdb.Error, match="read-only"):
                box.con.execute(statement)
        assert box.con.execute("select count(*) from marts.numbers").fetchone() == (50,)


def test_connection_refuses_files_and_other_databases(
    tiny: Path, limits: Limits, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    with sandbox(tiny, limits) as box:
        for statement in (
            f"select * from read_csv('{secret}')",
            f"select * from '{secret}'",
            f"copy marts.numbers to '{tmp_path / 'out.csv'}'",
            f"attach '{other}' as other (read_only)",
            f"attach '{tiny}' as writable",
            "install httpfs",
        ):
            with pytest.raises(duckdb.Error):
                box.con.execute(statement)
        with pytest.raises(duckdb.Error, match="locked"):
            box.con.execute("set enable_external_access = true")
        with pytest.raises(duckdb.Error, match="locked"):
            box.con.execute("set temp_directory = '/tmp'")
    assert not (tmp_path / "out.csv").exists()


def test_connection_cannot_read_python_objects(tiny: Path, limits: Limits) -> None:
    secret_frame = pl.DataFrame({"secret": ["hidden"]})
    with sandbox(tiny, limits) as box, pytest.raises(duckdb.CatalogException):
        box.con.execute("select * from secret_frame")
    assert secret_frame.height == 1


def test_connection_settings(tiny: Path, limits: Limits) -> None:
    with sandbox(tiny, limits) as box:
        settings = dict(
            box.con.execute(
                "select name, value from duckdb_settings() where name in ('temp_directory',"
                " 'max_temp_directory_size', 'memory_limit', 'threads', 'enable_external_access',"
                " 'lock_configuration', 'autoload_known_extensions')"
            ).fetchall()
        )
        spill = box.spill_dir
        assert spill.parent == limits.temp_dir and spill.is_dir()
    assert settings == {
        "temp_directory": str(spill),
        "max_temp_directory_size": "1.0 GiB",
        "memory_limit": "1.0 GiB",
        "threads": "2",
        "enable_external_access": "false",
        "lock_configuration": "true",
        "autoload_known_extensions": "false",
    }
    assert not spill.exists()  # removed after the run


def test_row_limit_and_trailing_semicolon(tiny: Path, limits: Limits) -> None:
    ten = Limits(max_rows=10, temp_dir=limits.temp_dir)
    result = run_sql("select n from marts.numbers order by n -- all\n;", ALL, tiny, ten)
    assert result.truncated and result.limited_by == "rows" and result.frame.height == 10
    assert result.frame["n"].to_list() == list(range(10))
    whole = run_sql("select n from marts.numbers order by n desc", ALL, tiny, limits)
    assert not whole.truncated and whole.limited_by is None
    assert whole.frame["n"].to_list() == list(range(49, -1, -1))
    assert whole.tables == frozenset({"marts.numbers"})
    assert whole.sql == ("SELECT n FROM andon.marts.numbers AS numbers ORDER BY n DESC")


def test_duckdb_error_is_a_clean_message(tiny: Path, limits: Limits) -> None:
    with pytest.raises(QueryFailed) as caught:
        run_sql("select n from marts.numbers\nwhere n > 'x' + 1", ALL, tiny, limits)
    message = caught.value.message
    assert message.startswith("Binder Error: Could not choose a best candidate function")
    assert "Traceback" not in message and "LINE" not in message and "\n" not in message


def test_unknown_column_names_the_candidates(tiny: Path, limits: Limits) -> None:
    with pytest.raises(QueryFailed) as caught:
        run_sql("select m from marts.numbers", ALL, tiny, limits)
    assert caught.value.message.startswith('Binder Error: Referenced column "m" not found')


def test_nobody_and_no_warehouse(tiny: Path, tmp_path: Path, limits: Limits) -> None:
    with pytest.raises(SandboxRefusal) as caught:
        run_sql("select 1", Scope.none(), tiny, limits)
    assert caught.value.key == "sbx_no_plants"
    missing = tmp_path / "nowhere" / "andon.duckdb"
    with pytest.raises(QueryFailed) as caught:
        run_sql("select 1", ALL, missing, limits)
    assert caught.value.message == (
        "No warehouse has been built yet: run `andon build --inbox INBOX` first."
    )


def test_restricted_scope_reads_only_restrictable_tables(tiny: Path, limits: Limits) -> None:
    with pytest.raises(SandboxRefusal) as caught:
        run_sql("select * from marts.numbers", Scope.of({"SZ"}), tiny, limits)
    assert caught.value.message.startswith("marts.numbers cannot be restricted to plants")
    assert run_sql("select * from raw.secrets", ALL, tiny, limits).frame.rows() == [("hidden",)]


def test_saved_queries_round_trip(tmp_path: Path) -> None:
    store = store_path(tmp_path / "andon.duckdb")
    save_query(store, "plants", "select 1")
    save_query(store, "plants", "select 2")
    assert saved_queries(store) == {"plants": "select 2"}
    delete_query(store, "plants")
    assert saved_queries(store) == {}


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
    assert manifest_descriptions(manifest) == {
        ("marts", "fct_x"): {"": "A fact.", "a": "Column a."}
    }


def test_schema_panel_lists_what_the_scope_may_query(built_warehouse: Path, limits: Limits) -> None:
    database = published_file(built_warehouse)
    everything = schema_columns(database, ALL, limits)
    dg = schema_columns(database, Scope.of({"DG"}), limits)
    tables = set(zip(dg["schema"], dg["table"], strict=True))
    assert ("marts", "fct_production") in tables and ("marts", "dim_customer") in tables
    assert {s for s, _ in tables} == {"marts", "seeds", "andon_meta"}
    assert {"raw", "staging", "intermediate", "ingest", "main"} <= set(everything["schema"])
    assert schema_columns(database, Scope.none(), limits).is_empty()
