"""`andon ask`: questions that start with '-', and the question box's refusals, as exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app

runner = CliRunner()


def run(*args: str, tmp_path: Path):
    return runner.invoke(app, ["ask", *args], env={"ANDON_STATE": str(tmp_path / "state.sqlite")})


@pytest.mark.parametrize(
    "args",
    [
        ("-oee by line",),
        ("--", "-oee by line"),
        ("-oee by line", "--format", "json"),
        ("--format", "json", "-oee by line"),
        ("--lang", "en", "-w", "{missing}", "-oee by line"),
    ],
)
def test_a_question_may_start_with_a_dash(args, tmp_path):
    missing = str(tmp_path / "nowhere" / "andon.duckdb")
    args = tuple(a.replace("{missing}", missing) for a in args)
    if "-w" not in args:
        args = ("-w", missing, *args)
    result = run(*args, tmp_path=tmp_path)
    assert "No such option" not in result.output
    assert result.exit_code == 2  # the question was taken: it is the warehouse that is missing
    assert f"No warehouse at {missing}" in result.output.replace("\n", "")


@pytest.mark.slow
def test_dash_questions_are_answered(built_warehouse, tmp_path):
    plain = run(
        "-w", str(built_warehouse), "--format", "json", "oee by line last week", tmp_path=tmp_path
    )
    dashed = run(
        "-oee by line last week", "-w", str(built_warehouse), "--format", "json", tmp_path=tmp_path
    )
    after = run(
        "-w",
        str(built_warehouse),
        "--format",
        "json",
        "--",
        "-oee by line last week",
        tmp_path=tmp_path,
    )
    assert plain.exit_code == dashed.exit_code == after.exit_code == 0, dashed.output
    read = [json.loads(r.stdout)["interpretation"] for r in (plain, dashed, after)]
    assert read[0] == read[1] == read[2]
    assert read[0]["by"] == ["line"] and read[0]["start"] == "2026-10-05"


@pytest.mark.slow
def test_refusals_exit_3_with_the_reason(built_warehouse, tmp_path):
    long = run("-w", str(built_warehouse), "oee by line " * 500, tmp_path=tmp_path)
    assert long.exit_code == 3
    assert "That question is too long (5999 characters)" in " ".join(long.output.split())
    bad = run("-w", str(built_warehouse), "oee feb 30", tmp_path=tmp_path)
    assert bad.exit_code == 3
    assert "there is no day 30" in " ".join(bad.output.split())
