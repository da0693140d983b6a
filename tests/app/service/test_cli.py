"""`andon pipeline --help`, `--status` and `--status --json` as a person reads them."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from app.cli.pipeline import pipeline
from app.reports.state import StateStore
from app.service.service import PipelineService, TickResult
from tests.app.service.conftest import sqlite_source

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("pipeline")(pipeline)
    app.command("other")(lambda: None)  # two commands: `pipeline` stays a subcommand
    return app


def test_help_says_what_it_does() -> None:
    shown = runner.invoke(_app(), ["pipeline", "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    for option in ("--once", "--until", "--poll", "--settle", "--sources", "--status", "--json"):
        assert option in shown.output
    assert "$ANDON_REPORTS" in shown.output and "SIGTERM" in shown.output


def test_status_and_json(
    built_copy: Path, tmp_path: Path, write_sources, mes_sqlite: Path, reports_dir: Path
) -> None:
    broken = tmp_path / "broken.sqlite"
    broken.write_text("not a database", encoding="utf-8")
    sources = write_sources(
        mes=sqlite_source(mes_sqlite, timezone="Asia/Shanghai"),
        erp=sqlite_source(broken, "0 * * * *", entities={"customers": {"table": "c"}}),
    )
    state = StateStore(built_copy.parent / "state.sqlite")
    service = PipelineService(
        built_copy, state, sources_file=sources, reports=reports_dir, log=lambda line: None
    )
    service.pull_due(service.sources(), TickResult())
    state.close()
    common = ["--warehouse", str(built_copy), "--sources", str(sources)]
    common += ["--reports", str(reports_dir)]
    shown = runner.invoke(_app(), ["pipeline", "--status", *common], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    text = shown.output
    assert "Pipeline service: not running — never started" in text
    assert "*/15 * * * * Asia/Shanghai" in text and "0 * * * * UTC" in text
    assert "erp: customers:" in text  # what failed, under the table
    assert "Build: passed" in text
    as_json = runner.invoke(_app(), ["pipeline", "--status", "--json", *common])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    by_name = {s["name"]: s for s in data["sources"]}
    assert by_name["mes"]["last_status"] == "ok" and by_name["mes"]["rows_landed"] == 2
    assert by_name["erp"]["last_status"] == "failed" and by_name["erp"]["last_error"]
    assert data["service"]["state"] == "never" and data["build"]["status"] == "passed"
