"""`andon query` as a process: the Typer command wrapped in a one-command app."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = (
    "import typer; from app.cli.query import query; "
    "app = typer.Typer(add_completion=False); app.command()(query); app()"
)
OCT = ["--from", "2026-10-01", "--to", "2026-11-01"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", APP, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


@pytest.fixture(scope="module")
def wh(marts_path: Path) -> list[str]:
    return ["--warehouse", str(marts_path)]


def test_csv(wh) -> None:
    result = run(
        "oee,availability", "--by", "line", "--where", "plant=SZ", *OCT, "--format", "csv", *wh
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["line_id"] for r in rows] == ["SZ-L1", "SZ-L2"]
    assert float(rows[1]["oee"]) == pytest.approx(18848 / 25200)
    assert rows[1]["line_label"] == "Assembly Line 2"


def test_json_with_grain_compare_and_chinese_labels(wh) -> None:
    result = run(
        "oee",
        "--by",
        "line",
        "--where",
        "line=SZ-L2",
        *OCT,
        "--grain",
        "month",
        "--compare",
        "previous",
        "--lang",
        "zh",
        "--format",
        "json",
        *wh,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {
            "period": "2026-10-01",
            "line_id": "SZ-L2",
            "line_label": "组装二线",
            "oee": pytest.approx(18848 / 25200),
            "oee_previous": pytest.approx(0.54),
            "oee_delta": pytest.approx(18848 / 25200 - 0.54),
        }
    ]


def test_table_formats_percent_and_null(wh) -> None:
    result = run("oee", "mtbf_hours", "--by", "plant", *OCT, "--sql", *wh)
    assert result.returncode == 0, result.stderr
    assert "64.2%" in result.stdout
    assert "—" in result.stdout  # Dongguan: zero planned busy time
    assert "FROM marts.fct_equipment_shifts" in result.stderr


def test_repeated_options_and_several_values(wh) -> None:
    result = run(
        "first_pass_yield",
        "--by",
        "plant",
        "--by",
        "product",
        "--where",
        "line=SZ-L1,SZ-L2",
        *OCT,
        "--format",
        "json",
        *wh,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["plant_id"], r["product_id"]) for r in rows] == [("SZ", "FG-100"), ("SZ", "FG-200")]


def test_errors_are_actionable(wh) -> None:
    result = run("oee", "--by", "customer", *wh)
    assert result.returncode == 2
    assert "cannot be grouped by 'customer'" in result.stderr
    bad = run("oee", "--where", "plant", *wh)
    assert bad.returncode == 2 and "DIMENSION=VALUE" in bad.stderr


def test_list_and_help() -> None:
    listed = run("--list")
    assert listed.returncode == 0
    assert "on_time_delivery" in listed.stdout and "inventory_turnover" in listed.stdout
    helped = run("--help")
    assert helped.returncode == 0
    for option in (
        "--by",
        "--where",
        "--from",
        "--to",
        "--grain",
        "--compare",
        "--lang",
        "--format",
        "--warehouse",
        "--sql",
        "--list",
    ):
        assert option in helped.stdout


def test_the_operator_sees_every_plant_unless_plants_restrict(wh) -> None:
    every = run("oee", "order_qty", "--by", "plant", *OCT, "--format", "json", *wh)
    assert every.returncode == 0, every.stderr
    assert [r["plant_id"] for r in json.loads(every.stdout)] == ["DG", "SZ", None]
    mine = run(
        "order_qty", "--by", "plant", *OCT, "--plants", "SZ", "--format", "json", "--sql", *wh
    )
    assert mine.returncode == 0, mine.stderr
    assert json.loads(mine.stdout) == [
        {"plant_id": "SZ", "plant_label": "Suzhou Plant", "order_qty": 80.0}
    ]
    assert "plant_id IN ('SZ')" in mine.stderr
    outside = run("order_qty", "--where", "plant=DG", "--plants", "SZ", "--format", "json", *wh)
    assert outside.returncode == 0 and json.loads(outside.stdout) == []
    blank = run("oee", "--plants", " , ", *wh)
    assert blank.returncode == 2 and "name at least one plant id" in blank.stderr
