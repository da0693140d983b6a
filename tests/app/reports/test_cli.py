"""The command line: `report list` (refused definitions named, the others listed), `report
run` renders files, `report status` shows what is not delivered and why, `alerts` evaluates,
lists and acknowledges (tokens that start with "-" included)."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml
from typer.testing import CliRunner

from app.cli.reports import AlertsCommand, alerts, report_app, scheduler

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(report_app, name="report")
    app.command("scheduler")(scheduler)
    app.command("alerts", cls=AlertsCommand)(alerts)
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
    assert files == [".csv", ".csv", ".csv", ".pdf", ".xlsx"]  # the KPI summary and 2 sections
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


def test_a_refused_definition_is_named_and_the_others_listed(
    config: Path, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    monkeypatch.setenv("ANDON_STATE", str(tmp_path / "state.sqlite"))
    broken = config / "otd_by_line.yaml"
    broken.write_text(
        "kpis: [on_time_delivery]\nperiod: last_fortnight\n"
        "sections:\n  - {title: OTD, metrics: [on_time_delivery], by: [line]}\n"
        "filters: {planet: Mars}\n",
        encoding="utf-8",
    )
    common = ["--reports", str(config)]
    listed = runner.invoke(_app(), ["report", "list", *common])
    assert listed.exit_code == 1
    assert "daily_plant_kpis" in listed.stdout
    assert listed.stderr.splitlines()[0].startswith(
        f"Refused, the other reports are used: {broken}"
    )
    problems = " ".join(listed.stderr.split())
    assert f"{broken}:2: period: Input should be" in problems
    assert f"{broken}:4: sections.0.by.0: metric 'on_time_delivery' cannot be grouped by" in (
        problems
    )
    assert f"{broken}:5: filters.planet: unknown dimension 'planet'" in problems
    ran = runner.invoke(_app(), ["report", "run", "otd_by_line", *common])
    assert ran.exit_code == 1 and f"{broken}:2: period" in " ".join(ran.stderr.split())


def test_report_status_lists_what_is_not_delivered_with_the_reason(
    config: Path, tmp_path: Path, monkeypatch, smtp, clock
) -> None:  # noqa: ANN001
    from datetime import timedelta

    from app.reports.definitions import load_channels
    from app.reports.delivery import About, Deliverer
    from app.reports.state import StateStore

    monkeypatch.setenv("ANDON_STATE", str(tmp_path / "state.sqlite"))
    monkeypatch.setenv("COLUMNS", "300")  # wide output: one row per line
    state = StateStore(tmp_path / "state.sqlite")
    deliverer = Deliverer(load_channels(config), state, clock=clock)
    owner = {"name": "Duty desk", "lang": "en", "email": "duty@example.com", "webhook": "json"}
    for name, hours in (("soon", 1), ("later", 48)):
        about = About(
            "report",
            f"report|{name}",
            f"{name} · all · 2026-10-05",
            clock() + timedelta(hours=hours),
            owner=owner,
        )
        state.enqueue(deliverer.email(about, [f"{name}@example.com"], name, name, name), clock())
    smtp.down()
    deliverer.deliver_due()
    clock.advance(hours=1)
    deliverer.deliver_due()  # "soon" reaches its deadline: given up, the owner told on json
    shown = runner.invoke(_app(), ["report", "status", "--reports", str(config)])
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.stdout.replace("│", " ").split())  # the table's cells, in order
    assert f"email SMTP 127.0.0.1:{smtp.port} (none)" in text
    assert "soon · all · 2026-10-05 email soon@example.com given up 2 —" in text
    assert "later · all · 2026-10-05 email later@example.com retrying 2" in text
    assert "ConnectionRefusedError" in text
    as_json = runner.invoke(_app(), ["report", "status", "--json", "--reports", str(config)])
    rows = __import__("json").loads(as_json.stdout)["deliveries"]
    assert [(r["target"], r["status"], r["attempts"]) for r in rows] == [
        ("later@example.com", "retrying", 2),
        ("soon@example.com", "given_up", 2),
    ]
    assert [(r.target, r.status) for r in state.outbox(kind="given_up")] == [("json", "sent")]


def test_ack_tokens_never_look_like_options_and_old_ones_still_work(
    tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    import re
    from datetime import UTC, datetime

    from app.accounts import cli_actor
    from app.cli.main import app
    from app.reports.alerts.engine import new_token
    from app.reports.alerts.transitions import Fired
    from app.reports.state import StateStore

    assert all(re.fullmatch(r"[0-9a-f]{32}", new_token()) for _ in range(1000))
    monkeypatch.setenv("ANDON_STATE", str(tmp_path / "state.sqlite"))
    state = StateStore(tmp_path / "state.sqlite")
    # tokens from before (secrets.token_urlsafe): about 1 in 64 starts with "-"; "-w…"
    # starts like the short option -w (--warehouse)
    tokens = ["-wQx3k9Lm2Zp7", "-abc_DEF-123", "--looks-long", "Nj-7x"]
    for number, token in enumerate(tokens):
        state.record_fired(
            Fired(
                rule="oee_low",
                entity=f"plant=P{number}",
                period="2026-10-06",
                value=0.5,
                at=datetime(2026, 10, 6, tzinfo=UTC),
                label="Plant",
                detail="50.0% below limit 60.0%",
                plant=None,
                role="Production Excellence",
                token=token,
            )
        )
    calls = [
        ["alerts", "ack", "-wQx3k9Lm2Zp7", "--by", "me"],
        ["alerts", "ack", "--by", "me", "--", "-abc_DEF-123"],
        ["alerts", "ack", "--looks-long"],
        ["alerts", "ack", "Nj-7x", "--by", "me"],
    ]
    for number, call in enumerate(calls):
        done = runner.invoke(app, call)
        assert done.exit_code == 0, done.output
        assert done.stdout.strip() == f"Acknowledged oee_low plant=P{number}."
    assert {a["acked_at"] is not None for a in state.open_alerts()} == {True}
    # without --by the operator acknowledged it: cli:<os user>
    assert [a["acked_by"] for a in state.open_alerts()] == ["me", "me", cli_actor(), "me"]
    unknown = runner.invoke(app, ["alerts", "ack", "-nope"])
    assert unknown.exit_code == 1 and "No alert with ack token '-nope'" in unknown.stderr


def test_reports_and_alerts_as_an_andon_user(
    marts_file: Path, config: Path, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    """--user NAME: that user's plants and role, audited as them (via the command line)."""
    from app.accounts import Accounts, cli_actor
    from app.reports.state import StateStore
    from tests.app.reports.conftest import csv_only

    state_file = tmp_path / "state.sqlite"
    monkeypatch.setenv("ANDON_STATE", str(state_file))
    accounts = Accounts(state_file)
    accounts.add_user("sz.manager", role="plant_manager", plants=["SZ"])
    accounts.add_user("dg.manager", role="plant_manager", plants=["DG"])
    csv_only(config)
    common = ["--warehouse", str(marts_file), "--reports", str(config)]
    out = tmp_path / "out"
    run = ["report", "run", "daily_plant_kpis", "--as-of", "2026-10-07", "--out", str(out)]
    mine = runner.invoke(_app(), [*run, "--user", "sz.manager", *common])
    assert mine.exit_code == 0, mine.output
    assert sorted({p.parent.name for p in out.rglob("*.csv")}) == ["SZ"]
    theirs = runner.invoke(_app(), [*run, "--slice", "DG", "--user", "sz.manager", *common])
    assert theirs.exit_code == 1
    assert theirs.stderr.startswith(
        "Refused: sz.manager may not run copy DG of report daily_plant_kpis: it shows plants "
        "DG, and sz.manager sees plants SZ."
    )
    assert sorted({p.parent.name for p in out.rglob("*.csv")}) == ["SZ"]
    nobody = runner.invoke(_app(), [*run, "--user", "nobody", *common])
    assert nobody.exit_code == 1 and "--user 'nobody': no active Andon user" in nobody.stderr
    runs = [
        (e.username, e.ok, e.detail["copies"]) for e in accounts.audit_log(actions=["report_run"])
    ]
    assert [r for r in runs if r[0] == "sz.manager"] == [
        ("sz.manager", False, ["DG"]),
        ("sz.manager", True, ["SZ"]),
    ]

    rules = {
        "rules": [
            {
                "name": "otif_low",
                "metric": "otif",
                "scope": ["plant"],
                "grain": "month",
                "condition": {"type": "below", "value": 0.9},
            }
        ]
    }
    (config / "alerts.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    evaluated = runner.invoke(_app(), ["alerts", "evaluate", "--as-of", "2026-10-31", *common])
    assert evaluated.exit_code == 0 and "plant=SZ" in evaluated.output
    assert "plant=DG" in evaluated.output  # the system judges every plant
    listed = runner.invoke(_app(), ["alerts", "list", "--user", "dg.manager", *common])
    assert "plant=DG" in listed.stdout and "plant=SZ" not in listed.stdout
    history = runner.invoke(_app(), ["alerts", "list", "--history", "--user", "dg.manager"])
    assert "plant=DG" in history.stdout and "plant=SZ" not in history.stdout
    state = StateStore(state_file)
    token = next(a["token"] for a in state.open_alerts() if a["plant"] == "SZ")
    refused = runner.invoke(_app(), ["alerts", "ack", token, "--user", "dg.manager", *common])
    assert refused.exit_code == 1
    assert refused.stderr.strip() == f"No alert with ack token '{token}'."
    acked = runner.invoke(_app(), ["alerts", "ack", token, "--user", "sz.manager", *common])
    assert acked.exit_code == 0 and acked.stdout.strip() == "Acknowledged otif_low plant=SZ."
    assert state.alert_by_token(token).acked_by == "sz.manager"
    acks = [(e.username, e.ok, e.detail) for e in accounts.audit_log(actions=["alert_ack"])]
    assert [(who, ok, detail.get("refused"), detail.get("via")) for who, ok, detail in acks] == [
        ("sz.manager", True, None, cli_actor()),
        ("dg.manager", False, "outside_scope", cli_actor()),
    ]


def test_at_80_columns_tokens_and_paths_are_whole(
    marts_file: Path, config: Path, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    """A narrow terminal's width (COLUMNS=80) never cuts an ack token or a file path: a table
    that cannot hold them whole prints each row as "heading: value" lines instead."""
    import re

    from app.reports.state import StateStore
    from tests.app.reports.conftest import csv_only

    monkeypatch.setenv("ANDON_STATE", str(tmp_path / "state.sqlite"))
    csv_only(config)
    rules = {
        "rules": [
            {
                "name": "oee_low",
                "metric": "oee",
                "scope": ["plant", "line"],
                "condition": {"type": "below", "value": 0.6},
            }
        ]
    }
    (config / "alerts.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    common = ["--warehouse", str(marts_file), "--reports", str(config)]
    narrow = {"COLUMNS": "80"}
    out = tmp_path / "a-folder-with-a-long-name-so-that-paths-are-longer-than-80-columns"
    run = ["report", "run", "daily_plant_kpis", "--as-of", "2026-10-07", "--slice", "SZ"]
    ran = runner.invoke(_app(), [*run, "--out", str(out), *common], env=narrow)
    assert ran.exit_code == 0, ran.output
    paths = sorted(str(p) for p in out.rglob("*.csv"))
    assert len(paths) == 3 and all(len(p) > 80 for p in paths)
    lines = [line.strip() for line in ran.stdout.splitlines()]
    assert lines[0] == "slice:  SZ"  # too narrow for a table: one "heading: value" per line
    assert f"files:  {paths[0]}" in lines and set(paths[1:]) <= set(lines)  # each whole
    assert "…" not in ran.stdout

    runner.invoke(_app(), ["alerts", "evaluate", "--as-of", "2026-10-07", *common], env=narrow)
    (token,) = [a["token"] for a in StateStore(tmp_path / "state.sqlite").open_alerts()]
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    listed = runner.invoke(_app(), ["alerts", "list", *common], env=narrow)
    assert listed.exit_code == 0, listed.output
    assert f"token:   {token}" in listed.stdout.splitlines()  # whole, on its own line
    assert "…" not in listed.stdout
    assert "entity:  plant=SZ/line=SZ-L1" in listed.stdout.splitlines()
    # piped without COLUMNS: no width limit, one table row per alert
    monkeypatch.delenv("COLUMNS", raising=False)
    wide = runner.invoke(_app(), ["alerts", "list", *common])
    (row,) = [line for line in wide.stdout.splitlines() if token in line]
    assert "oee_low" in row and "plant=SZ/line=SZ-L1" in row
