"""The allowlist: only one read-only SELECT gets through, one test per class of refusal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from metrics.i18n import catalogue, t
from metrics.sandbox import Limits, SandboxRefusal, check_select
from metrics.scope import Scope

SZ = Scope.of({"SZ"})


def refused(sql: str, scope: Scope | None = None) -> SandboxRefusal:
    with pytest.raises(SandboxRefusal) as caught:
        check_select(sql, scope)
    return caught.value


@pytest.mark.parametrize(
    "sql",
    [
        "select 1",
        "select 1;",
        "select 1; -- done",
        "select 1 /* a */ ; /* b */",
        "from marts.dim_plant",
        "(select 1)",
        "with a as (select 1 as x) select * from a union all select 2",
        "select * from range(3)",
        "select * from marts.dim_plant where plant_name_en = '/etc/passwd'",
        "select count(*) from information_schema.columns",
        "select * from duckdb_tables()",
        "select * from (pivot marts.fct_production on plant_id using sum(good_qty))",
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
    assert "ATTACH" in refused("/* first */ attach '/tmp/other.duckdb' as other").message
    assert "DETACH" in refused("detach other").message


def test_install_load_refused() -> None:
    assert "INSTALL" in refused("install httpfs").message
    assert "LOAD" in refused("load httpfs").message


def test_set_pragma_reset_refused() -> None:
    assert "SET" in refused("set enable_external_access = true").message
    assert "PRAGMA" in refused("pragma database_list").message
    assert "RESET" in refused("reset threads").message


def test_call_describe_summarize_show_refused() -> None:
    assert "CALL" in refused("call pragma_version()").message
    assert "DESCRIBE" in refused("describe marts.dim_plant").message
    assert "SUMMARIZE" in refused("summarize marts.dim_plant").message
    assert "SHOW" in refused("show tables").message
    assert "SUMMARIZE" in refused("select * from (summarize marts.dim_plant)").message
    assert "PIVOT" in refused("pivot marts.fct_production on plant_id using sum(good_qty)").message


def test_multiple_statements_refused() -> None:
    assert "found 2" in refused("select 1; drop table marts.dim_plant").message
    assert "found 2" in refused("select 1; select 2 -- two").message


def test_read_csv_refused() -> None:
    error = refused("select * from read_csv('/etc/passwd')")
    assert "read_csv" in error.message and (error.line, error.column) == (1, 22)
    assert "read_csv_auto" in refused("select * from read_csv_auto('/etc/passwd')").message


def test_read_parquet_url_refused() -> None:
    error = refused("select * from read_parquet('http://x.test/a.parquet')")
    assert "read_parquet() reads files or URLs" in error.message


def test_quoted_path_as_table_refused() -> None:
    assert "not a table name" in refused("select * from '/etc/passwd'").message
    assert "not a table name" in refused('select * from "data.csv"').message


def test_glob_refused() -> None:
    assert "glob" in refused("select * from glob('/etc/*')").message


def test_file_functions_anywhere_refused() -> None:
    assert "read_text" in refused("select (select content from read_text('/etc/passwd'))").message
    assert "read_blob" in refused("select 1 where exists (select * from read_blob('/x'))").message
    assert "parquet_scan" in refused("select * from parquet_scan('a.parquet')").message
    assert "read_json" in refused("select * from read_json_auto('a.json')").message


def test_sql_as_text_refused() -> None:
    assert "query() runs SQL" in refused("select * from query('select 1')").message
    assert "query_table() runs SQL" in refused("select * from query_table('raw.plants')").message


def test_server_functions_refused_for_everyone() -> None:
    for sql, name in [
        ("select current_setting('temp_directory')", "current_setting"),
        ("select getenv('HOME')", "getenv"),
        ("select stats(plant_id) from marts.dim_plant", "stats"),
        ("select write_log('x')", "write_log"),
    ]:
        assert refused(sql).message.startswith(f"{name}() shows the server"), sql


def test_table_functions_allowlisted() -> None:
    assert "pragma_storage_info" in refused("select * from pragma_storage_info('x')").message
    assert "duckdb_settings" in refused("select * from duckdb_settings()").message
    assert "duckdb_databases" in refused("select * from duckdb_databases()").message
    assert "test_all_types" in refused("select * from test_all_types()").message


def test_catalogue_functions_only_with_all_plants() -> None:
    check_select("select * from duckdb_columns()", Scope.all())
    error = refused("select * from duckdb_columns()", SZ)
    assert error.message.startswith("duckdb_columns() lists the whole warehouse")
    assert "pg_get_viewdef" in refused("select pg_get_viewdef(1)", SZ).message
    check_select("select pg_get_viewdef(1)", Scope.all())


def test_parameters_refused() -> None:
    assert "Parameters" in refused("select * from marts.dim_plant where plant_id = ?").message
    assert "Parameters" in refused("select $1").message


def test_write_inside_cte_refused() -> None:
    assert "INSERT" in refused("with x as (insert into t values (1) returning *) select 1").message


def test_syntax_error_has_position() -> None:
    error = refused("select 1 from\n  where")
    assert error.message.startswith("Syntax error") and error.line == 2


def test_empty_and_too_long() -> None:
    assert refused("  ;  -- nothing").key == "sbx_empty"
    with pytest.raises(SandboxRefusal) as caught:
        check_select("select " + "1 + " * 50 + "1", limits=Limits(max_sql_chars=100))
    assert caught.value.message == (
        "The query is 208 characters long; the workbench takes at most 100."
    )


def test_every_refusal_reads_in_both_languages() -> None:
    error = refused("drop table marts.dim_plant")
    assert error.text("en") == t("sbx_statement", "en", word="DROP")
    assert error.text("zh") == "不允许 DROP 语句：工作台只运行一条SELECT查询。"


def test_every_sandbox_message_is_in_the_catalogue() -> None:
    package = Path(__file__).resolve().parents[3] / "metrics" / "sandbox"
    used = set()
    for source in package.glob("*.py"):
        used |= set(re.findall(r'"(sbx_[a-z_]+)"', source.read_text(encoding="utf-8")))
    assert len(used) >= 30
    assert used <= set(catalogue())
