"""Hardening for every user: spills stay in a capped sandbox folder, results are limited in
bytes as well as rows, no message or settings function shows a server path, deep nesting
is refused clearly, a trailing comment is no second statement, the timeout is configurable."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import duckdb
import pytest

from metrics.sandbox import Limits, QueryFailed, SandboxError, SandboxRefusal, run_sql
from metrics.sandbox.connection import sandbox
from metrics.sandbox.errors import scrub_paths, server_paths
from metrics.sandbox.limits import LimitError, format_size, parse_size
from metrics.sandbox.runner import failure
from metrics.scope import Scope

ALL = Scope.all()
SZ = Scope.of({"SZ"})
# sorts 3 million md5 strings: ~200 MB of sort data, more than 64 MB of memory holds
SPILLING = (
    "select count(*) as n from (select md5(range::varchar) as v from range(3000000) order by v)"
)


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


class Watcher:
    """Samples a folder while a query runs: the largest size seen, and whether it held files."""

    def __init__(self, path: Path) -> None:
        self.path, self.largest, self.files = path, 0, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.largest = max(self.largest, folder_size(self.path))
                self.files = max(self.files, sum(1 for f in self.path.rglob("*") if f.is_file()))
            except FileNotFoundError:
                pass
            self.stop.wait(0.005)

    def __enter__(self) -> Watcher:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def test_spill_over_the_cap_is_refused_inside_the_sandbox(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    temp = tmp_path / "sandbox-temp"
    cap = 16 * 1024**2
    limits = Limits(temp_dir=temp, max_temp_bytes=cap, memory_limit_bytes=64 * 1024**2)
    with Watcher(temp) as watcher, pytest.raises(QueryFailed) as caught:
        run_sql(SPILLING, ALL, tiny, limits)
    assert caught.value.key == "sbx_temp_full"
    assert caught.value.message == (
        "The query needed more than 16 MiB of temporary disk space: filter or aggregate earlier."
    )
    assert watcher.files >= 1  # it did spill, into the sandbox folder
    assert 0 < watcher.largest <= cap + 1024**2  # within the cap (and one block of slack)
    assert list(work.iterdir()) == []  # never into the working directory
    assert list(temp.iterdir()) == []  # the run's folder is gone


def test_spill_within_the_cap_completes(tiny: Path, tmp_path: Path) -> None:
    temp = tmp_path / "sandbox-temp"
    limits = Limits(temp_dir=temp, memory_limit_bytes=64 * 1024**2, timeout_s=60)
    with Watcher(temp) as watcher:
        result = run_sql(SPILLING, ALL, tiny, limits)
    assert result.frame.rows() == [(3_000_000,)]
    assert watcher.files >= 1 and list(temp.iterdir()) == []


def test_a_huge_cell_is_refused_before_it_leaves_duckdb(tiny: Path, limits: Limits) -> None:
    with pytest.raises(QueryFailed) as caught:
        run_sql("select repeat('x', 200_000_000) as s", ALL, tiny, limits)
    assert caught.value.key == "sbx_row_too_large"
    assert caught.value.message.startswith("A single row is larger than the 32 MiB")


def test_result_is_cut_at_the_byte_limit(tiny: Path, tmp_path: Path) -> None:
    limits = Limits(temp_dir=tmp_path, max_bytes=1024**2)
    result = run_sql("select repeat('x', 1000) as s from range(5000)", ALL, tiny, limits)
    assert result.truncated and result.limited_by == "bytes"
    assert result.frame.height == 1048  # 1048 rows of 1,000 bytes fit in 1 MiB
    assert result.bytes >= 1048 * 1000
    rows = run_sql("select repeat('x', 10) as s from range(20000)", ALL, tiny, limits)
    assert rows.limited_by == "rows" and rows.frame.height == 10_000


@pytest.mark.parametrize(
    ("sql", "key"),
    [
        ("select current_setting('temp_directory')", "sbx_server_function"),
        ("select current_setting('home_directory')", "sbx_server_function"),
        ("select * from duckdb_settings()", "sbx_table_function"),
        ("select getenv('HOME')", "sbx_server_function"),
        ("select path from duckdb_databases()", "sbx_table_function"),
        ("select * from duckdb_extensions()", "sbx_table_function"),
        ("select * from duckdb_temporary_files()", "sbx_table_function"),
    ],
)
def test_settings_functions_are_refused_for_everyone(
    tiny: Path, limits: Limits, sql: str, key: str
) -> None:
    with pytest.raises(SandboxRefusal) as caught:
        run_sql(sql, ALL, tiny, limits)
    assert caught.value.key == key
    assert not any(
        p in caught.value.text(lang) for p in server_paths([tiny]) for lang in ("en", "zh")
    )


def test_duckdb_messages_lose_server_paths(tiny: Path, limits: Limits) -> None:
    with sandbox(tiny, limits) as box:
        with pytest.raises(duckdb.Error) as caught:
            box.con.execute("select * from duckdb_extensions()")
        raw = str(caught.value)
        hidden = server_paths([tiny, box.spill_dir])
    assert str(Path.home()) in raw  # DuckDB names the extension folder in the home directory
    cleaned = failure(caught.value, ALL, limits, hidden).message
    assert str(Path.home()) not in cleaned and "<path>" in cleaned
    assert cleaned.startswith("Permission Error: Cannot access directory")


def test_a_broken_warehouse_file_names_no_path(tmp_path: Path, limits: Limits) -> None:
    broken = tmp_path / "andon.duckdb"
    broken.write_bytes(b"not a duckdb file" * 1000)
    with pytest.raises(QueryFailed) as caught:
        run_sql("select 1", ALL, broken, limits)
    message = caught.value.message
    assert str(tmp_path) not in message and "andon.duckdb" not in message
    assert message.startswith("IO Error") or message.startswith("Serialization Error"), message


def test_scrub_paths() -> None:
    home, cwd = str(Path.home()), os.getcwd()
    text = f"Cannot open {home}/.duckdb/x and {cwd}/warehouse/andon.duckdb or /srv/a/b.csv"
    assert scrub_paths(text, server_paths()) == "Cannot open <path> and <path> or <path>"
    assert scrub_paths("a/b is 1/2 of ~/x/y", []) == "a/b is 1/2 of <path>"
    assert tempfile.gettempdir() in server_paths()


def test_admin_catalogues_show_no_path(built_warehouse: Path, limits: Limits) -> None:
    hidden = [str(Path.home()), os.getcwd(), str(built_warehouse.parent)]
    for sql in (
        "select * from information_schema.tables",
        "select * from information_schema.schemata",
        "select * from information_schema.views",
        "select * from duckdb_tables()",
        "select * from duckdb_views()",
        "select * from duckdb_schemas()",
    ):
        result = run_sql(sql, ALL, built_warehouse, limits)
        assert result.frame.height > 0, sql
        cells = [str(v) for row in result.frame.rows() for v in row]
        assert not [c for c in cells if any(p in c for p in hidden)], sql


@pytest.mark.parametrize(
    ("sql", "depth"),
    [
        ("select " + "(" * 500 + "1" + ")" * 500, "500"),
        ("select * from " + "(select * from " * 500 + "marts.numbers" + ")" * 500, "500"),
        ("select " + "case when true then " * 300 + "1" + " end" * 300, "300"),
        ("select 1" + "::int" * 2000, "> 32"),
        ("select " + " + ".join(["1"] * 5000), "> 32"),
        ("select 1 where " + " and ".join(["n = 1"] * 3000), "> 32"),
    ],
)
def test_deep_nesting_is_a_clear_refusal(tiny: Path, limits: Limits, sql: str, depth: str) -> None:
    with pytest.raises(SandboxRefusal) as caught:
        run_sql(sql, ALL, tiny, limits)
    assert caught.value.message == (
        f"The query nests {depth} levels deep; the workbench allows 32."
        " Flatten it with WITH (named subqueries)."
    )


def test_nesting_within_the_limit_runs(tiny: Path, limits: Limits) -> None:
    sql = "select " + "(" * 32 + "1" + ")" * 32 + " as one"
    assert run_sql(sql, ALL, tiny, limits).frame.rows() == [(1,)]


@pytest.mark.parametrize(
    "sql", ["select 1 as one; -- done", "select 1 as one; /* done */", "select 1 as one;;"]
)
def test_a_trailing_comment_is_not_a_second_statement(tiny: Path, limits: Limits, sql: str) -> None:
    assert run_sql(sql, ALL, tiny, limits).frame.rows() == [(1,)]


def test_timeout_is_enforced_and_configurable(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANDON_WORKBENCH_TIMEOUT_S", raising=False)
    assert Limits().timeout_s == 10.0
    monkeypatch.setenv("ANDON_WORKBENCH_TIMEOUT_S", "0.7")
    limits = Limits(temp_dir=tmp_path)
    assert limits.timeout_s == 0.7
    with pytest.raises(QueryFailed) as caught:
        run_sql("select count(*) from range(10000000000000) a", ALL, tiny, limits)
    assert caught.value.message == "Stopped after 0.7 s: narrow the query or add filters."
    quick = Limits(temp_dir=tmp_path, timeout_s=0.3)
    with pytest.raises(QueryFailed, match="Stopped after 0.3 s"):
        run_sql("select count(*) from range(10000000000000) a", ALL, tiny, quick)


def test_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("MAX_ROWS", "MAX_BYTES", "TEMP_DIR", "MAX_TEMP_BYTES", "MEMORY_LIMIT"):
        monkeypatch.delenv(f"ANDON_WORKBENCH_{name}", raising=False)
    defaults = Limits()
    assert (defaults.max_rows, defaults.max_bytes, defaults.max_depth) == (10_000, 32 * 2**20, 32)
    assert defaults.temp_dir == Path(tempfile.gettempdir()) / "andon-sandbox"
    assert (defaults.max_temp_bytes, defaults.memory_limit_bytes) == (2**30, 2**30)
    monkeypatch.setenv("ANDON_WORKBENCH_MAX_BYTES", "8MiB")
    monkeypatch.setenv("ANDON_WORKBENCH_MAX_ROWS", "500")
    monkeypatch.setenv("ANDON_WORKBENCH_TEMP_DIR", str(tmp_path))
    chosen = Limits()
    assert (chosen.max_bytes, chosen.max_rows, chosen.temp_dir) == (8 * 2**20, 500, tmp_path)
    monkeypatch.setenv("ANDON_WORKBENCH_MAX_ROWS", "many")
    with pytest.raises(LimitError, match="ANDON_WORKBENCH_MAX_ROWS='many' is not a valid limit"):
        Limits()
    assert parse_size("1 GB") == 10**9 and parse_size("512kib") == 512 * 1024
    assert format_size(32 * 2**20) == "32 MiB" and format_size(1536) == "1.5 KiB"


def test_failures_under_a_restricted_scope_hide_row_values() -> None:
    error = duckdb.ConversionException("Conversion Error: Could not convert string 'DG-SMT1'")
    hidden = failure(error, SZ, Limits(), [])
    assert hidden.key == "sbx_failed_hidden" and "DG-SMT1" not in hidden.message
    assert hidden.message.startswith("Conversion Error while reading rows.")
    assert "DG-SMT1" in failure(error, ALL, Limits(), []).message
    binder = duckdb.BinderException('Binder Error: Referenced column "x" not found')
    assert failure(binder, SZ, Limits(), []).message == binder.args[0]
    assert isinstance(hidden, SandboxError)
