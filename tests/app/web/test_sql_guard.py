"""Layer one of the workbench: only one read-only SELECT gets through, one test per class."""

from __future__ import annotations

import pytest

from app.web.sql_guard import SqlRefused, check_select


def refused(sql: str) -> SqlRefused:
    with pytest.raises(SqlRefused) as caught:
        check_select(sql)
    return caught.value


@pytest.mark.parametrize(
    "sql",
    [
        "select 1",
        "select 1;",
        "from marts.dim_plant",
        "with a as (select 1 as x) select * from a union all select 2",
        "select * from range(3)",
        "select * from marts.dim_plant where plant_name_en = '/etc/passwd'",
        "select count(*) from information_schema.columns",
    ],
)
def test_selects_pass(sql: str) -> None:
    check_select(sql)


def test_insert_refused() -> None:
    assert "INSERT" in refused("insert into marts.dim_plant values ('X')").message


def test_update_refused() -> None:
    assert "UPDATE" in refused("update marts.dim_plant set plant_id = 'X'").message


def test_delete_refused() -> None:
    assert "DELETE" in refused("delete from marts.dim_plant").message


def test_create_refused() -> None:
    assert "CREATE" in refused("create table t as select 1").message


def test_drop_refused() -> None:
    assert "DROP" in refused("drop table marts.dim_plant").message


def test_alter_refused() -> None:
    assert "ALTER" in refused("alter table marts.dim_plant add column x int").message


def test_copy_to_refused() -> None:
    assert "COPY" in refused("copy marts.dim_plant to '/tmp/out.csv'").message
    assert "COPY" in refused("copy (select 1) to '/tmp/out.parquet' (format parquet)").message


def test_export_database_refused() -> None:
    assert "EXPORT" in refused("export database '/tmp/dump'").message


def test_attach_detach_refused() -> None:
    assert "ATTACH" in refused("attach '/tmp/other.duckdb' as other").message
    assert "DETACH" in refused("detach other").message


def test_install_load_refused() -> None:
    assert "INSTALL" in refused("install httpfs").message
    assert "LOAD" in refused("load httpfs").message


def test_set_pragma_reset_refused() -> None:
    assert "SET" in refused("set enable_external_access = true").message
    assert "PRAGMA" in refused("pragma database_list").message
    assert "RESET" in refused("reset threads").message


def test_call_refused() -> None:
    assert "CALL" in refused("call pragma_version()").message


def test_multiple_statements_refused() -> None:
    assert "One statement" in refused("select 1; drop table marts.dim_plant").message


def test_read_csv_refused() -> None:
    error = refused("select * from read_csv('/etc/passwd')")
    assert "read_csv" in error.message and (error.line, error.column) == (1, 22)
    assert "read_csv_auto" in refused("select * from read_csv_auto('/etc/passwd')").message


def test_read_parquet_url_refused() -> None:
    assert (
        "read_parquet" in refused("select * from read_parquet('http://x.test/a.parquet')").message
    )


def test_quoted_path_as_table_refused() -> None:
    assert "not a table name" in refused("select * from '/etc/passwd'").message
    assert "not a table name" in refused('select * from "data.csv"').message


def test_glob_refused() -> None:
    assert "glob" in refused("select * from glob('/etc/*')").message


def test_file_functions_anywhere_refused() -> None:
    assert "read_text" in refused("select (select content from read_text('/etc/passwd'))").message
    assert "read_blob" in refused("select 1 where exists (select * from read_blob('/x'))").message
    assert "query" in refused("select * from query('select 1')").message
    assert "parquet_scan" in refused("select * from parquet_scan('a.parquet')").message
    assert "read_json" in refused("select * from read_json_auto('a.json')").message


def test_write_inside_cte_refused() -> None:
    assert "INSERT" in refused("with x as (insert into t values (1) returning *) select 1").message


def test_syntax_error_has_position() -> None:
    error = refused("select 1 from\n  where")
    assert error.message.startswith("Syntax error") and error.line == 2
