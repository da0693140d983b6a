"""The command line: `report list`, `report run` renders files, `alerts` evaluates and lists."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml
from typer.testing import CliRunner

from app.cli.reports import alerts, report_app, scheduler

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(report_app, name="report")
    app.command("scheduler")(scheduler)
    app.command("alerts")(alerts)
    return app


def test_report_list_and_run(marts_file: Path, config: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("ANDON_STATE", str(tmp_path / "state.sqlite"))
    common = ["--warehouse", str(marts_file), "--reports", str(config)]
    listed = runner.invoke(_app(), ["report", "list", *common])
    assert listed.exit_code == 0, listed.output
    assert "daily_plant_kpis" in listed.output
    out = tmp_path / "out"
    ran = runner.invoke(
        _app(),
        [
            "report",
            "run",
            "daily_plant_kpis",
            "--as-of",
            "2026-10-07",
            "--out",
            str(out),
            "--slice",
            "SZ",
            *common,
        ],
    )
    assert ran.exit_code == 0, ran.output
    files = sorted(p.suffix for p in out.rglob("*.*"))
    assert files == [".csv", ".csv", ".pdf", ".xlsx"]
    unknown = runner.invoke(_app(), ["report", "run", "nope", *common])
    assert unknown.exit_code == 1


def test_alerts_and_scheduler_commands(
    marts_file: Path, config: Path, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    monkeypatch.setenv("ANDON_STATE", str(tmp_path / "state.sqlite"))
    rules = {
        "rules": [
            {
                "name": "oee_low",
                "metric": "oee",
                "scope": ["plant"],
                "condition": {"type": "below", "value": 0.6},
            }
        ]
    }
    (config / "alerts.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    common = ["--warehouse", str(marts_file), "--reports", str(config)]
    evaluated = runner.invoke(_app(), ["alerts", "evaluate", "--as-of", "2026-10-07", *common])
    assert evaluated.exit_code == 0, evaluated.output
    assert "fired" in evaluated.output and "plant=SZ" in evaluated.output
    listed = runner.invoke(_app(), ["alerts", "list", *common])
    assert "oee_low" in listed.output
    from app.reports.state import StateStore

    token = StateStore(tmp_path / "state.sqlite").open_alerts()[0]["token"]
    acked = runner.invoke(_app(), ["alerts", "ack", token, "--by", "me", *common])
    assert acked.exit_code == 0 and "Acknowledged" in acked.output
    once = runner.invoke(_app(), ["scheduler", "--once", *common, "--out", str(tmp_path)])
    assert once.exit_code == 0, once.output
