"""Reports and alerts within the caller's plants, on the hand-worked marts (Suzhou SZ with
lines SZ-L1 and SZ-L2, Dongguan DG with DG-L1): a plant manager runs and receives only their
plants' copies with exactly the numbers `metrics.query` gives their scope, a report's
`plants` keep every other plant's rows out, alerts are listed and acknowledged only within
the caller's plants, and every run and acknowledgement is one row of the audit log."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest
import yaml

import metrics
from app.accounts import Accounts
from app.reports.access import Caller, Refused, copy_scope, within
from app.reports.alerts import acknowledge, alert_history, evaluate_alerts, open_alerts
from app.reports.definitions import parse_report
from app.reports.delivery import Deliverer
from app.reports.runner import run_report
from app.reports.state import StateStore
from metrics.periods import resolve
from metrics.registry import load_registry
from metrics.scope import Scope
from tests.app.reports.conftest import CONTACTS, DAILY

AS_OF = date(2026, 10, 7)  # the daily copies show 2026-10-06
SZ, DG = Scope.of({"SZ"}), Scope.of({"DG"})
SZ_OUTSIDE_DG = (
    "sz.manager may not run copy DG of report daily_plant_kpis: it shows plants DG, and "
    "sz.manager sees plants SZ. Nothing was rendered or sent."
)


@pytest.fixture(scope="module")
def con(marts_file: Path):
    connection = duckdb.connect(str(marts_file), read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite"


@pytest.fixture
def accounts(state_file: Path) -> Accounts:
    store = Accounts(state_file)
    store.add_user("admin", role="admin", plants=None, email="admin@example.com")
    store.add_user("sz.manager", role="plant_manager", plants=["SZ"], email="sz@example.com")
    store.add_user("dg.manager", role="plant_manager", plants=["DG"], email="dg@example.com")
    store.add_user("sz.viewer", role="viewer", plants=["SZ"], email="szv@example.com")
    return store


def caller(accounts: Accounts, name: str) -> Caller:
    user = accounts.get(name)
    assert user is not None
    return Caller.signed_in(user, accounts.store.path)


def audit_rows(accounts: Accounts, action: str) -> list[tuple]:
    return [
        (entry.username, entry.ok, entry.detail) for entry in accounts.audit_log(actions=[action])
    ]


def daily(formats: list[str]):  # noqa: ANN201 - Report
    return parse_report({**DAILY, "formats": formats})


def test_copy_scopes() -> None:
    report = daily(["csv"])
    assert copy_scope(report, "SZ") == SZ and copy_scope(report, "DG") == DG
    two = parse_report({**DAILY, "plants": ["SZ", "DG"]})
    assert copy_scope(two, "SZ") == SZ
    whole = parse_report({**DAILY, "burst": None, "recipients": {"email": ["x@example.com"]}})
    assert copy_scope(whole, "all") == Scope.all()  # no plants: every plant
    only_sz = parse_report({**DAILY, "burst": None, "plants": ["SZ"]})
    assert copy_scope(only_sz, "all") == SZ
    assert within(SZ, Scope.of({"SZ", "DG"})) and within(SZ, Scope.all())
    assert not within(Scope.all(), SZ) and not within(DG, SZ)


def test_a_suzhou_manager_runs_only_the_suzhou_copy_with_suzhou_numbers(
    con, accounts: Accounts, tmp_path: Path
) -> None:
    report = daily(["xlsx"])
    out = tmp_path / "out"
    results = run_report(report, AS_OF, con, out, caller=caller(accounts, "sz.manager"))
    assert [(r.slice_key, r.status) for r in results] == [("SZ", "rendered")]
    assert [p.parent.name for p in out.rglob("*.xlsx")] == ["SZ"]  # no Dongguan copy at all
    period = resolve(report.period, AS_OF)
    expected = metrics.query(
        list(report.kpis), by=["plant"], start=period.start, end=period.end, con=con, scope=SZ
    ).row(0, named=True)
    book = openpyxl.load_workbook(results[0].files[0])  # the Suzhou copy: in Chinese
    kpis, _, components = book.worksheets
    first = kpis.freeze_panes[1:]  # the row under the table's header (above it: what it is)
    assert kpis["A2"].value == "工厂：苏州工厂"
    assert [[c.value for c in row[:2]] for row in kpis.iter_rows(min_row=int(first))] == [
        [load_registry().metric(name).label("zh"), pytest.approx(expected[name])]
        for name in report.kpis
    ]
    assert expected["oee"] == pytest.approx(0.5375)  # KPIS.md's roll-up example day
    lines = metrics.query(
        ["oee", "availability", "produced_qty"],
        by=["line"],
        start=period.start,
        end=period.end,
        lang="zh",
        con=con,
        scope=SZ,
    )
    assert [[c.value for c in row] for row in components.iter_rows(min_row=int(first))] == [
        [row["line_label"], row["oee"], row["availability"], row["produced_qty"]]
        for row in lines.iter_rows(named=True)
    ]
    assert audit_rows(accounts, "report_run") == [
        (
            "sz.manager",
            True,
            {
                "report": "daily_plant_kpis",
                "period": "2026-10-06",
                "copies": ["SZ"],
                "status": {"SZ": "rendered"},
                "formats": ["xlsx"],
            },
        )
    ]


def test_the_operator_and_the_scheduler_run_every_copy(con, state_file, tmp_path) -> None:  # noqa: ANN001
    report = daily(["csv"])
    for make in (Caller.operator, Caller.service):
        results = run_report(report, AS_OF, con, tmp_path / make.__name__, caller=make(state_file))
        assert [(r.slice_key, r.status) for r in results] == [
            ("SZ", "rendered"),
            ("DG", "rendered"),
        ]
    actors = [e.username for e in Accounts(state_file).audit_log(actions=["report_run"])]
    assert actors[0] == "scheduler" and actors[1].startswith("cli:")


def test_a_copy_outside_the_managers_plants_is_refused_and_audited(
    con, accounts: Accounts, tmp_path: Path
) -> None:
    state = StateStore(tmp_path / "state.sqlite")
    out = tmp_path / "out"
    results = run_report(
        daily(["csv"]),
        AS_OF,
        con,
        out,
        caller=caller(accounts, "sz.manager"),
        send=True,
        state=state,
        deliverer=Deliverer({}, state),
        slices=["DG"],
    )
    assert [(r.slice_key, r.status, str(r.refusal)) for r in results] == [
        ("DG", "refused", SZ_OUTSIDE_DG)
    ]
    assert results[0].refusal.text("zh") == (
        "sz.manager 不能运行报表 daily_plant_kpis 的副本 DG：该副本包含工厂 DG，而 sz.manager "
        "只能查看工厂 SZ。未生成或发送任何内容。"
    )
    assert not out.exists() and state.recent_runs() == [] and state.outbox() == []
    assert audit_rows(accounts, "report_send") == [
        (
            "sz.manager",
            False,
            {
                "report": "daily_plant_kpis",
                "period": "2026-10-06",
                "copies": ["DG"],
                "refused": [SZ_OUTSIDE_DG],
            },
        )
    ]


def test_roles_that_do_not_run_reports_and_reports_beyond_the_plants_are_refused(
    con, accounts: Accounts, tmp_path: Path
) -> None:
    (result,) = run_report(
        daily(["csv"]), AS_OF, con, tmp_path, caller=caller(accounts, "sz.viewer")
    )
    assert (result.slice_key, result.status) == ("SZ", "refused")  # their plant, not their role
    assert str(result.refusal) == (
        "sz.viewer may not run or send reports (role viewer), so copy SZ of report "
        "daily_plant_kpis was not run: a plant manager of its plants or an administrator can."
    )
    whole = parse_report(
        {**DAILY, "formats": ["csv"], "burst": None, "recipients": {"email": ["x@example.com"]}}
    )
    (result,) = run_report(whole, AS_OF, con, tmp_path, caller=caller(accounts, "sz.manager"))
    assert (result.slice_key, result.status) == ("all", "refused")  # every plant: not theirs
    assert "it shows all plants, and sz.manager sees plants SZ" in str(result.refusal)
    (result,) = run_report(whole, AS_OF, con, tmp_path / "a", caller=caller(accounts, "admin"))
    assert result.status == "rendered"
    assert not list(tmp_path.glob("daily_plant_kpis/*/SZ/*"))  # the refused copies: no files


def _csv_rows(files: list[Path]) -> dict[str, list[str]]:
    """{file stem's section number: its data lines} of a copy's CSV files."""
    return {
        path.stem.rsplit("_", 1)[-1]: path.read_text(encoding="utf-8-sig").splitlines()[1:]
        for path in files
        if path.suffix == ".csv"
    }


def test_a_report_with_plants_holds_no_other_plant_rows(
    con, accounts: Accounts, tmp_path: Path
) -> None:
    spec = {
        "name": "suzhou_month",
        "period": "month_to_date",
        "formats": ["csv"],
        "sections": [
            {"title": "OEE by line", "metrics": ["oee", "availability"], "by": ["line"]},
            {
                "title": "Delivery by plant",
                "metrics": ["on_time_delivery", "otif"],
                "by": ["plant"],
            },
        ],
        "recipients": {"email": ["ops@example.com"]},
    }
    as_of = date(2026, 10, 31)  # the month to date: 2026-10-01 … 2026-10-30
    operator = Caller.operator(accounts.store.path)
    (every,) = run_report(parse_report(spec), as_of, con, tmp_path / "every", caller=operator)
    lines, plants = sorted(_csv_rows(every.files).items())
    assert [row.split(",")[0] for row in lines[1]] == [
        "Assembly Line 2",
        "Packing Line 1",
        "SMT Line 1",
    ]
    assert [row.split(",")[0] for row in plants[1]] == ["Dongguan Plant", "Suzhou Plant"]

    only_sz = parse_report({**spec, "plants": ["SZ"]})
    (result,) = run_report(only_sz, as_of, con, tmp_path / "sz", caller=operator)
    lines, plants = sorted(_csv_rows(result.files).items())
    assert [row.split(",")[0] for row in lines[1]] == ["Assembly Line 2", "SMT Line 1"]
    assert plants[1] == ["Suzhou Plant,0.5,0.5"]  # SZ: 1 of 2 lines on time and in full
    text = " ".join(path.read_text(encoding="utf-8-sig") for path in result.files)
    assert "DG" not in text and "Dongguan" not in text and "Packing" not in text

    (mine,) = run_report(only_sz, as_of, con, tmp_path / "m", caller=caller(accounts, "sz.manager"))
    assert mine.status == "rendered"  # within the Suzhou manager's plants
    (theirs,) = run_report(
        only_sz, as_of, con, tmp_path / "d", caller=caller(accounts, "dg.manager")
    )
    assert theirs.status == "refused"


def test_andon_users_receive_only_copies_of_their_plants(
    con, accounts: Accounts, tmp_path: Path, smtp
) -> None:  # noqa: ANN001
    spec = {**DAILY, "formats": ["csv"]}
    spec["burst"] = {
        "per": "plant",
        "recipients": {
            "SZ": {"email": ["sz@example.com", "dg@example.com", "outside@example.com"]},
            "DG": {"email": ["dg@example.com"]},
        },
    }
    state = StateStore(accounts.store.path)
    channels = {"email": {"host": "127.0.0.1", "port": smtp.port, "security": "none"}}
    results = run_report(
        parse_report(spec),
        AS_OF,
        con,
        tmp_path / "out",
        caller=Caller.service(state.path),
        send=True,
        state=state,
        deliverer=Deliverer(channels, state),
    )
    refusal = "dg@example.com: user dg.manager sees plants DG, not plants SZ"
    assert [(r.slice_key, r.status, [str(w) for w in r.withheld]) for r in results] == [
        ("SZ", "delivered", [refusal]),
        ("DG", "delivered", []),
    ]
    assert sorted(m["to"][0] for m in smtp.messages) == [
        "dg@example.com",  # their own plant's copy
        "outside@example.com",  # not an Andon user: as the administrator configured
        "sz@example.com",
    ]
    assert "Dongguan Plant" in smtp.to("dg@example.com")[0]["Subject"]
    ((who, ok, detail),) = audit_rows(accounts, "report_send")
    assert (who, ok) == ("scheduler", True)
    assert detail["recipients"] == ["dg@example.com", "outside@example.com", "sz@example.com"]
    assert detail["withheld"] == [refusal] and detail["channels"] == ["email"]
    assert detail["status"] == {"SZ": "delivered", "DG": "delivered"}


# --------------------------------------------------------------------------- alerts

# OTIF by plant, October to date: SZ 0.5 (1 of 2 order lines), DG 0.0 — both below 90 %.
OTIF_RULE = {
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


@pytest.fixture
def alerts(marts_file: Path, accounts: Accounts, tmp_path: Path) -> StateStore:
    """The system's evaluation (every plant) has fired one alert per plant."""
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "alerts.yaml").write_text(yaml.safe_dump(OTIF_RULE), encoding="utf-8")
    (folder / "contacts.yaml").write_text(yaml.safe_dump(CONTACTS), encoding="utf-8")
    state = StateStore(accounts.store.path)
    events = evaluate_alerts(marts_file, date(2026, 10, 31), folder=folder, state=state)
    assert sorted((e["event"], e["entity"], e["value"]) for e in events) == [
        ("fired", "plant=DG", 0.0),
        ("fired", "plant=SZ", 0.5),
    ]
    return state


def _token(state: StateStore, entity: str) -> str:
    return next(a["token"] for a in open_alerts(state, Scope.all()) if a["entity"] == entity)


def test_alerts_are_listed_within_the_callers_plants(alerts: StateStore) -> None:
    def entities(scope: Scope) -> tuple[list[str], list[str]]:
        return (
            [a["entity"] for a in open_alerts(alerts, scope)],
            [h["entity"] for h in alert_history(alerts, scope)],
        )

    assert entities(DG) == (["plant=DG"], ["plant=DG"])
    assert entities(SZ) == (["plant=SZ"], ["plant=SZ"])
    assert sorted(entities(Scope.all())[0]) == ["plant=DG", "plant=SZ"]
    assert entities(Scope.of({"SZ", "DG"}))[1] == entities(Scope.all())[1]
    assert entities(Scope.none()) == ([], [])


def test_a_dongguan_manager_cannot_acknowledge_a_suzhou_alert(
    alerts: StateStore, accounts: Accounts
) -> None:
    token = _token(alerts, "plant=SZ")
    before = (alerts.open_alerts(), alerts.history())
    with pytest.raises(Refused) as refused:
        acknowledge(alerts, token, caller(accounts, "dg.manager"))
    assert str(refused.value) == f"No alert with ack token '{token}'."  # as for an unknown one
    with pytest.raises(Refused) as unknown:
        acknowledge(alerts, "0" * 32, caller(accounts, "dg.manager"))
    assert str(unknown.value) == f"No alert with ack token '{'0' * 32}'."
    assert (alerts.open_alerts(), alerts.history()) == before  # nothing changed
    assert audit_rows(accounts, "alert_ack") == [
        ("dg.manager", False, {"token": "0" * 32, "refused": "unknown_token"}),
        (
            "dg.manager",
            False,
            {
                "token": token,
                "rule": "otif_low",
                "entity": "plant=SZ",
                "plant": "SZ",
                "refused": "outside_scope",
            },
        ),
    ]


def test_a_viewer_sees_their_plants_alert_but_does_not_acknowledge_it(
    alerts: StateStore, accounts: Accounts
) -> None:
    token = _token(alerts, "plant=SZ")
    assert [a["token"] for a in open_alerts(alerts, SZ)] == [token]
    with pytest.raises(Refused) as refused:
        acknowledge(alerts, token, caller(accounts, "sz.viewer"))
    assert str(refused.value) == (
        "sz.viewer may not acknowledge alert otif_low · plant=SZ (role viewer): the plant's "
        "manager or an administrator can."
    )
    assert alerts.alert_by_token(token).acked_at is None


def test_the_plant_manager_acknowledges_with_one_audit_row(
    alerts: StateStore, accounts: Accounts
) -> None:
    token = _token(alerts, "plant=SZ")
    acked = acknowledge(alerts, token, caller(accounts, "sz.manager"))
    assert acked["acked_by"] == "sz.manager" and acked["acked_at"] is not None
    assert [(h["event"], h["entity"], h["contact"]) for h in alerts.history()][0] == (
        "acknowledged",
        "plant=SZ",
        "sz.manager",
    )
    assert audit_rows(accounts, "alert_ack") == [
        (
            "sz.manager",
            True,
            {
                "token": token,
                "rule": "otif_low",
                "entity": "plant=SZ",
                "plant": "SZ",
                "by": "sz.manager",
            },
        )
    ]
    dg = acknowledge(alerts, _token(alerts, "plant=DG"), caller(accounts, "admin"))
    assert dg["acked_by"] == "admin"  # an administrator acknowledges any plant's alert
