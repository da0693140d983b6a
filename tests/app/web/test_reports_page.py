"""The Reports page shows what was not delivered — messages given up and retrying, with the
reason, and scheduled runs that failed — and the report definitions it refused (file, line
and key) beside the ones that run; every word in the chosen language. A signed-in user sees
the report copies and alerts of their plants only, runs what their role may run and
acknowledges only what their role may acknowledge. In Chinese and Vietnamese every word is
theirs: schedules, periods, conditions, alert findings, events and moments."""

from __future__ import annotations

import re
import shutil
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.reports.alerts.transitions import Fired
from app.reports.alerts.wording import Verdict, detail
from app.reports.definitions import DEFAULT_DIR
from app.reports.delivery import About, Deliverer
from app.reports.state import StateStore, state_path
from metrics.i18n import t
from metrics.registry import load_registry

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
    assert [line.split(" · ")[1] for line in _alert_lines(at)] == ["Suzhou Plant"]
    cells = _cells(at)
    assert "SZ" in cells and "DG" not in cells  # the delivery history: their copy only
    report, copy = _selectbox(at, "Report"), _selectbox(at, "Copy")
    assert report.options == ["Daily plant KPIs"]  # weekly delivery covers every plant
    assert copy.options == ["Suzhou Plant"]
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
        (
            "en",
            (
                "You may not run reports (Analyst",
                "Acknowledged by the plant's manager",
                "Dongguan Plant",
            ),
        ),
        ("zh", ("您不能运行报表（分析师", "由工厂经理确认", "东莞工厂")),
    ],
)
def test_an_analyst_sees_their_plant_and_may_neither_run_nor_acknowledge(
    open_page, two_plants: StateStore, lang, words
) -> None:  # noqa: ANN001
    cannot_run, not_yours, dongguan = words
    at = open_page("reports", user="dg.analyst", lang=lang)
    assert not at.exception, [e.message for e in at.exception]
    assert [line.split(" · ")[1] for line in _alert_lines(at)] == [dongguan]
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
    assert [m.value for m in at.success] == ["Acknowledged: oee_low · Suzhou Plant"]
    assert "ack" not in at.query_params
    assert two_plants.alert_by_token("sz" + "0" * 30).acked_by == "sz.manager"


ISO_MOMENT = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


@pytest.fixture
def alerted(app_env: Path) -> StateStore:
    """An open alert of the OEE rule as the engine words it now ("<place>: <finding>"), one
    as older engines did ("79.8% vs target 85.0%"), and a delivered daily copy."""
    state = StateStore(state_path(app_env))
    oee = load_registry().metric("oee")
    found = detail(Verdict("target", 0.798, bound=oee.target), oee, True)
    for line, message in (
        ("SZ-ASSY1", f"Suzhou Plant · Assembly Line 1: {found}"),
        ("SZ-SMT1", "79.8% vs target 85.0%"),
    ):
        state.record_fired(
            Fired(
                rule="oee_below_target",
                entity=f"plant=SZ/line={line}",
                period="2026-10-05",
                value=0.798,
                at=START,
                label="",
                detail=message,
                plant="SZ",
                role="Production Excellence",
                token=f"{line.lower().replace('-', '')}{'0' * 24}"[:32],
            )
        )
    run = state.claim_run("daily_plant_kpis", "SZ", "2026-10-05", "2026-10-06", "zh", START)
    state.queue_run(run, [], None, [], START)
    return state


# the page's own words, as a reader of each language reads them
WORDS = {
    "zh": {
        "daily": "每天 07:30 (Asia/Shanghai)",
        "weekly": "每周一 08:00 (Asia/Shanghai)",
        "period": "前一天",
        "day": "2026年10月5日",
        "fired": "触发",
    },
    "vi": {
        "daily": "hằng ngày lúc 07:30 (Asia/Shanghai)",
        "weekly": "hằng tuần vào thứ Hai lúc 08:00 (Asia/Shanghai)",
        "period": "ngày hôm trước",
        "day": "05/10/2026",
        "fired": "phát sinh",
    },
}


@pytest.mark.parametrize("lang", list(WORDS))
def test_every_word_of_the_reports_page_in_the_language(
    open_page, alerted: StateStore, lang: str
) -> None:  # noqa: ANN001
    words = WORDS[lang]
    at = open_page("reports", lang=lang)
    assert not at.exception, [e.message for e in at.exception]
    assert not [box for box in at.sidebar.selectbox]  # no filter: the page uses none
    cells = _cells(at)
    assert words["daily"] in cells and words["weekly"] in cells and words["period"] in cells
    assert not [cell for cell in cells if ISO_MOMENT.search(cell)]  # moments in local words
    assert words["day"] in cells and words["fired"] in cells
    oee = load_registry().metric("oee")
    target = {"vi": "85,0%"}.get(lang, "85.0%")  # each reader's own number style
    condition = t("cond_target", lang, target=target)
    assert condition in cells
    relation = t("alert_rel_below_target", lang, target="85.0%")
    found = t("alert_detail", lang, metric=oee.label(lang), value="79.8%", relation=relation)
    lines = [m.value for m in at.markdown if "oee_below_target" in m.value]
    assert len(lines) == 2 and all(found in line for line in lines), lines
    assert all("&#9679;" in line and not EMOJI.search(line) for line in lines)  # no emoji dot
    assert all(words["day"] in line for line in lines)
    assert any(found in cell for cell in cells)  # the alert history's message too
