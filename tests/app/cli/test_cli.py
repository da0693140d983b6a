"""The `andon` command as a user runs it: a real process, real files, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

COMMANDS = [
    "sample",
    "ingest",
    "status",
    "build",
    "pull",
    "pipeline",
    "query",
    "ask",
    "report",
    "scheduler",
    "alerts",
    "app",
]


def andon(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        timeout=300,
    )


def test_help_lists_every_command() -> None:
    result = andon("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = andon(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
    assert "--help" in result.stdout


def test_sample_ingest_status_round_trip(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    warehouse = tmp_path / "wh.duckdb"
    made = andon(
        "sample",
        "--out",
        str(inbox),
        "--start",
        "2026-10-05",
        "--end",
        "2026-10-06",
        "--scale",
        "0.3",
        "--seed",
        "3",
    )
    assert made.returncode == 0, made.stderr
    assert (inbox / "mes" / "equipment_states").is_dir()

    landed = andon("ingest", str(inbox), "--json", env={"ANDON_WAREHOUSE": str(warehouse)})
    assert landed.returncode == 0, landed.stderr
    report = json.loads(landed.stdout)
    statuses = {r["status"] for r in report["files"]}
    assert statuses == {"landed"}
    assert warehouse.exists()

    shown = andon("status", "--warehouse", str(warehouse), "--json")
    assert shown.returncode == 0, shown.stderr
    status = json.loads(shown.stdout)
    assert status["pulls"] == []  # nothing pulled from a database
    entities = {row["entity"] for row in status["entities"]}
    assert {"equipment_states", "production_reports", "meter_readings", "materials"} <= entities

    # 80 columns: the warehouse's path and every row stay whole (no "…")
    narrow = andon("status", "--warehouse", str(warehouse), env={"COLUMNS": "80"})
    assert narrow.returncode == 0, narrow.stderr
    assert f"Landed in {warehouse}" in narrow.stdout.splitlines()
    assert "…" not in narrow.stdout
    assert "mes/equipment_states" in narrow.stdout


def test_rejected_file_gives_exit_code_1_and_names_the_file(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "erp" / "customers").mkdir(parents=True)
    (inbox / "erp" / "customers" / "customers.csv").write_text("name,region\nACME,Europe\n")
    result = andon("ingest", str(inbox), "--warehouse", str(tmp_path / "wh.duckdb"))
    assert result.returncode == 1
    assert "erp/customers/customers.csv" in result.stdout
    assert "customer_id" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_status_without_warehouse_explains_what_to_do(tmp_path: Path) -> None:
    result = andon("status", "--warehouse", str(tmp_path / "none.duckdb"))
    assert result.returncode == 1
    assert "andon ingest" in result.stderr


def test_missing_inbox_is_a_clear_error(tmp_path: Path) -> None:
    result = andon("ingest", str(tmp_path / "nowhere"), "--warehouse", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2
    assert "is not a folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_busy_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "erp" / "customers").mkdir(parents=True)
    (inbox / "erp" / "customers" / "customers.csv").write_text("customer_id,customer_name\nC1,A\n")
    warehouse = tmp_path / "wh.duckdb"
    holder = duckdb.connect(str(warehouse))  # another process would hold this lock
    try:
        result = andon("ingest", str(inbox), "--warehouse", str(warehouse))
    finally:
        holder.close()
    assert result.returncode == 2
    assert "Is another `andon ingest` or `andon build` running?" in result.stderr
    assert "Traceback" not in result.stderr


def _terminal(width: int):  # noqa: ANN202 - (rich Console, its StringIO)
    import io

    from rich.console import Console

    buffer = io.StringIO()
    return Console(file=buffer, width=width, force_terminal=True, color_system=None), buffer


def test_tables_fold_text_and_keep_tokens_and_paths_whole_on_a_terminal() -> None:
    from app.cli.tables import Col, print_table

    token, path = "0123456789abcdef" * 2, "/srv/andon/warehouse/outbox/" + "x" * 40 + ".eml"
    columns = [Col("token", whole=True), Col("message")]
    rows = [(token, "OEE 53.8%, below the limit 60.0% on SMT Line 1 of the Suzhou plant")]
    console, buffer = _terminal(80)
    print_table(console, columns, rows)
    table = buffer.getvalue()
    assert token in table and "…" not in table  # the token whole, the message wrapped
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "below the limit" in table and len(table.splitlines()) > 5

    console, buffer = _terminal(80)
    print_table(console, [*columns, Col("file", whole=True)], [(*rows[0], path)])
    records = buffer.getvalue().splitlines()
    assert records[0] == f"token:   {token}" and f"file:    {path}" in records  # one per line


def test_piped_tables_have_no_width_limit(monkeypatch) -> None:  # noqa: ANN001
    import io

    from rich.console import Console

    from app.cli.tables import Col, print_table

    monkeypatch.delenv("COLUMNS", raising=False)
    buffer = io.StringIO()
    long = "a message " * 30
    print_table(Console(file=buffer), [Col("id", whole=True), Col("message")], [("42", long)])
    (row,) = [line for line in buffer.getvalue().splitlines() if "42" in line]
    assert long.strip() in row  # one line, however long
