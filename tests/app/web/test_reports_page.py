"""The Reports page shows what was not delivered — messages given up and retrying, with the
reason, and scheduled runs that failed — and the report definitions it refused (file, line
and key) beside the ones that run; every word in the chosen language. A signed-in user sees
the report copies and alerts of their plants only, runs what their role may run and
acknowledges only what their role may acknowledge."""

from __future__ import annotations

import shutil
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.reports.alerts.transitions import Fired
from app.reports.definitions import DEFAULT_DIR
from app.reports.delivery import About, Deliverer
from app.reports.state import StateStore, state_path
from metrics.i18n import t

START = datetime(2026, 10, 6, tzinfo=UTC)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nobody listens once the socket is closed


@pytest.fixture
def undelivered(app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A reports folder with a refused definition, and a state store holding one given-up
    and one retrying e-mail (the SMTP server refuses connections) and a failed fire."""
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(DEFAULT_DIR / "daily_plant_kpis.yaml", folder)
    (folder / "broken.yaml").write_text(
        "kpis: [oee]\nsections:\n  - {title: OEE, metrics: [on_time_delivery], by: [line]}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ANDON_REPORTS", str(folder))
    state = StateStore(state_path(app_env))
    channels = {"email": {"host": "127.0.0.1", "port": _closed_port()}}
    for name, hours in (("daily_plant_kpis", 1), ("weekly_delivery", 48)):
        deliverer = Deliverer(channels, state, clock=lambda: START)
        about = About(
            "report", f"report|{name}", f"{name} · all · 2026-10-05", START + timedelta(hours=hours)
        )
        mails = deliverer.email(about, [f"{name}@example.com"], name, "<p>x</p>", "x")
        state.enqueue(mails, START)
    Deliverer(channels, state, clock=lambda: START).deliver_due()
    Deliverer(channels, state, clock=lambda: START + timedelta(hours=1)).deliver_due()
    fire = START - timedelta(minutes=30)
    state.queue_fires("daily_plant_kpis", [fire], START + timedelta(days=1), START)
    state.fire_failed("daily_plant_kpis", fire.isoformat(), "MetricError: no marts", START, None)
    state.close()
    return folder


def _cells(at) -> list[str]:  # noqa: ANN001 - AppTest
    cells = []
    for table in at.dataframe:
        value = table.value.data if hasattr(table.value, "data") else table.value  # a Styler
        cells += [str(v) for v in value.to_numpy().ravel()]
    return cells


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("Deliveries given up", "Waiting and retrying deliveries", "given up", "retrying")),
        ("zh", ("已放弃的发送", "等待及重试中的发送", "已放弃", "重试中")),
    ],
)
def test_undelivered_and_refused_are_shown(open_page, undelivered: Path, lang, words) -> None:  # noqa: ANN001
    given_up_heading, retrying_heading, given_up, retrying = words
    at = open_page("reports", lang=lang)
    assert not at.exception, [e.message for e in at.exception]
    headings = [h.value for h in at.subheader]
    assert given_up_heading in headings and retrying_heading in headings
    errors = [e.value for e in at.error]
    assert any(
        f"{undelivered / 'broken.yaml'}:3: sections.0.by.0: metric 'on_time_delivery' cannot be"
        " grouped by 'line'" in error
        for error in errors
    ), errors
    cells = _cells(at)
    assert "daily_plant_kpis@example.com" in cells and "weekly_delivery@example.com" in cells
    assert given_up in cells and retrying in cells
    assert any("ConnectionRefusedError" in cell for cell in cells)
    assert "MetricError: no marts" in cells


def _fire(state: StateStore, plant: str, token: str) -> None:
    state.record_fired(
        Fired(
            rule="oee_low",
            entity=f"plant={plant}",
            period="2026-10-05",
            value=0.5,
            at=START,
            label=f"Plant {plant}",
            detail="50.0% below limit 60.0%",
            plant=plant,
            role="Production Excellence",
            token=token,
        )
    )


@pytest.fixture
def two_plants(app_env: Path) -> StateStore:
    """An open alert and a delivered daily copy for each of Suzhou and Dongguan."""
    state = StateStore(state_path(app_env))
    for plant in ("SZ", "DG"):
        _fire(state, plant, f"{plant.lower()}{'0' * 30}")
        run = state.claim_run("daily_plant_kpis", plant, "2026-10-05", "2026-10-06", "zh", START)
        state.queue_run(run, [], None, [], START)
    return state


def _selectbox(at, label: str):  # noqa: ANN001, ANN202 - AppTest and its Selectbox
    return next((box for box in at.selectbox if box.label == label), None)


def _alert_lines(at) -> list[str]:  # noqa: ANN001 - AppTest
    return [m.value for m in at.markdown if "oee_low" in m.value]


def test_a_plant_manager_sees_runs_and_acknowledges_only_their_plant(
    open_page, two_plants: StateStore, accounts
) -> None:  # noqa: ANN001
    at = open_page("reports", user="sz.manager")
    assert not at.exception, [e.message for e in at.exception]
    assert [line.split(" · ")[1] for line in _alert_lines(at)] == ["plant=SZ"]
    cells = _cells(at)
    assert "SZ" in cells and "DG" not in cells  # the delivery history: their copy only
    report, copy = _selectbox(at, "Report"), _selectbox(at, "Copy")
    assert report.options == ["Daily plant KPIs"]  # weekly delivery covers every plant
    assert copy.options == ["SZ"]
    assert [b.key for b in at.button if b.key and b.key.startswith("ack_")] == ["ack_sz" + "0" * 30]
    at.button(key="ack_sz" + "0" * 30).click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert two_plants.alert_by_token("sz" + "0" * 30).acked_by == "sz.manager"
    assert two_plants.alert_by_token("dg" + "0" * 30).acked_at is None
    (entry,) = accounts.audit_log(actions=["alert_ack"])
    assert (entry.username, entry.ok, entry.detail["entity"]) == ("sz.manager", True, "plant=SZ")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("You may not run reports (Analyst", "Acknowledged by the plant's manager")),
        ("zh", ("您不能运行报表（分析师", "由工厂经理确认")),
    ],
)
def test_an_analyst_sees_their_plant_and_may_neither_run_nor_acknowledge(
    open_page, two_plants: StateStore, lang, words
) -> None:  # noqa: ANN001
    cannot_run, not_yours = words
    at = open_page("reports", user="dg.analyst", lang=lang)
    assert not at.exception, [e.message for e in at.exception]
    assert [line.split(" · ")[1] for line in _alert_lines(at)] == ["plant=DG"]
    captions = [c.value for c in at.caption]
    assert any(c.startswith(cannot_run) for c in captions), captions
    assert not_yours in captions
    assert _selectbox(at, t("report", lang)) is None and _selectbox(at, t("slice", lang)) is None
    assert not [b for b in at.button if b.key and b.key.startswith("ack_")]
    cells = _cells(at)
    assert "DG" in cells and "SZ" not in cells


def test_an_ack_link_acknowledges_their_plants_alert_and_reveals_nothing_of_others(
    open_page, two_plants: StateStore
) -> None:  # noqa: ANN001
    at = open_page("reports", user="sz.manager")
    at.query_params["ack"] = "dg" + "0" * 30  # the link in a Dongguan alert's message
    at.run()
    assert [e.value for e in at.error] == [f"No alert with ack token '{'dg' + '0' * 30}'."]
    assert two_plants.alert_by_token("dg" + "0" * 30).acked_at is None
    at.query_params["ack"] = "sz" + "0" * 30  # their own plant's alert: acknowledged, once
    at.run()
    assert [m.value for m in at.success] == ["Acknowledged: oee_low · plant=SZ"]
    assert "ack" not in at.query_params
    assert two_plants.alert_by_token("sz" + "0" * 30).acked_by == "sz.manager"
