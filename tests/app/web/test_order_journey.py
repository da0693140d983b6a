"""The Order journey page: its queries on a tiny DuckDB holding hand-made mart rows (search by
order, customer and lot; plant scope; hostile text as a literal), the step builder and its
words, and the page on the built sample (AppTest and a real Chromium, English and 中文)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from app.web import journey, lists
from metrics.i18n import t
from metrics.scope import Scope
from tests.app.web.chromium import (
    HAS_CHROMIUM,
    chromium,
    demo_accounts,
    first_column,
    new_tab,
    serve_app,
    settle,
    sign_in,
)

SZ, DG, ALL = Scope.of("SZ"), Scope.of("DG"), Scope.all()

MARTS = """
create schema marts;
create table marts.fct_order_journey (
    order_id varchar, line_no bigint, plant_id varchar, customer_id varchar,
    material_id varchar, order_date date, promised_date date, order_qty double,
    status varchar, work_order_source varchar, work_orders bigint,
    first_planned_start timestamp, last_planned_end timestamp, first_actual_start timestamp,
    last_actual_end timestamp, produced_good_qty double, lots bigint, shipped_qty double,
    first_shipped_at timestamp, last_shipped_at timestamp, first_late_step varchar);
insert into marts.fct_order_journey values
    ('SO-1', 10, 'SZ', 'C1', 'FG-1', '2026-10-01', '2026-10-05', 100, 'COMPLETED', 'SHIPPED_LOT',
     1, '2026-10-02 06:00', '2026-10-02 14:00', '2026-10-02 08:00', '2026-10-02 15:00', 100, 1,
     100, '2026-10-06 10:00', '2026-10-06 10:00', 'production_start'),
    ('SO-2', 10, 'DG', 'C2', 'FG-2', '2026-10-01', '2026-10-20', 50, 'OPEN', null,
     0, null, null, null, null, 0, 0, 0, null, null, null);
create table marts.dim_customer (customer_id varchar, customer_name varchar);
insert into marts.dim_customer values ('C1', 'Acme Müller GmbH'), ('C2', 'O''Brien 50%_Ltd');
create table marts.fct_shipments (
    shipment_id varchar, order_id varchar, line_no bigint, shipped_at timestamp,
    shipped_date date, shipped_qty double, plant_id varchar);
insert into marts.fct_shipments values
    ('SH-1', 'SO-1', 10, '2026-10-06 10:00', '2026-10-06', 100, 'SZ');
create table marts.fct_lot_trace (
    lot_id varchar, material_id varchar, work_order_id varchar, production_plant_id varchar,
    production_line_id varchar, production_date date, shipment_id varchar, order_id varchar,
    line_no bigint, plant_id varchar, customer_id varchar, shipped_at timestamp,
    shipped_date date, shipped_qty double, is_exact integer);
insert into marts.fct_lot_trace values
    ('LOT-A', 'FG-1', 'WO-1', 'SZ', 'SZ-L1', '2026-10-03', 'SH-1', 'SO-1', 10, 'SZ', 'C1',
     '2026-10-06 10:00', '2026-10-06', 100, 1);
create table marts.fct_work_orders (
    work_order_id varchar, plant_id varchar, line_id varchar, product_id varchar,
    planned_qty double,
    planned_start timestamp, planned_end timestamp, actual_start timestamp,
    actual_end timestamp, status varchar);
insert into marts.fct_work_orders values
    ('WO-1', 'SZ', 'SZ-L1', 'FG-1', 100, '2026-10-02 06:00', '2026-10-02 14:00', '2026-10-02 08:00',
     '2026-10-02 15:00', 'COMPLETED');
create table marts.fct_inventory_movements (
    movement_id varchar, movement_ts timestamp, plant_id varchar, warehouse_id varchar,
    material_id varchar, movement_type varchar, lot_id varchar, reference_type varchar,
    reference_id varchar, qty double);
insert into marts.fct_inventory_movements values
    ('M1', '2026-10-03 16:00', 'SZ', 'W-FG', 'FG-1', 'PRODUCTION_RECEIPT', 'LOT-B', 'WO', 'WO-1',
     60),
    ('M2', '2026-10-04 09:00', 'SZ', 'W-FG', 'FG-1', 'TRANSFER_OUT', 'LOT-B', null, null, -20),
    ('M3', '2026-10-04 09:00', 'SZ', 'W-HUB', 'FG-1', 'TRANSFER_IN', 'LOT-B', null, null, 20),
    ('M4', '2026-10-05 10:00', 'SZ', 'W-FG', 'FG-1', 'ADJUSTMENT', 'LOT-B', 'ADJ', 'A-7', -5),
    ('M5', '2026-10-05 11:00', 'SZ', 'W-HUB', 'FG-1', 'ADJUSTMENT', 'LOT-B', 'ADJ', 'A-8', -20),
    ('M6', '2026-10-05 12:00', 'SZ', 'W-FG', 'FG-1', 'PRODUCTION_RECEIPT', 'LOT-C', 'WO', 'WO-1',
     8);
"""


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(MARTS)
    return connection


def rows(con, query) -> pl.DataFrame:  # noqa: ANN001
    return con.cursor().sql(query.sql(dialect="duckdb")).pl()


def found(con, text: str, scope: Scope = ALL) -> list[str]:  # noqa: ANN001
    return rows(con, journey.order_search_query(text, scope))["order_id"].to_list()


def test_search_by_order_customer_id_and_name(con) -> None:
    assert found(con, " so-1 ") == ["SO-1"]  # any case, spaces trimmed
    assert found(con, "c2") == ["SO-2"]
    assert found(con, "müller") == ["SO-1"]
    assert found(con, "SO-9") == []
    assert found(con, "a") == []  # one letter matches no name


def test_scope_hides_other_plants(con) -> None:
    assert found(con, "SO-1", DG) == []
    assert found(con, "Acme", DG) == []
    assert found(con, "SO-1", SZ) == ["SO-1"]
    assert rows(con, journey.lot_query("LOT-A", DG)).is_empty()
    assert rows(con, journey.lot_query("lot-a", SZ))["customer_name"].to_list() == [
        "Acme Müller GmbH"
    ]
    assert rows(con, journey.shipments_query("SO-1", 10, DG)).is_empty()
    assert rows(con, lists.work_orders_query(("WO-1",), DG)).is_empty()
    assert found(con, "SO-1", Scope.none()) == []


@pytest.mark.parametrize(
    ("text", "orders"),
    [
        ("'; drop table marts.fct_order_journey; --", []),
        ("50%", ["SO-2"]),  # % and _ are plain characters: only the name holding them
        ("%_", ["SO-2"]),
        ("m%r", []),  # as a LIKE pattern it would match "Acme Müller"
        ("a_m", []),
        ("o'brien", ["SO-2"]),
        ("' or '1'='1", []),
    ],
)
def test_hostile_text_is_a_literal(con, text: str, orders: list[str]) -> None:
    assert found(con, text) == orders
    assert rows(con, journey.lot_query(text, ALL)).is_empty()
    assert rows(con, journey.lot_movements_query(text, ALL)).is_empty()
    assert con.cursor().execute("select count(*) from marts.fct_order_journey").fetchall() == [(2,)]


def test_a_lot_no_shipment_carried_is_found_in_stock(con) -> None:
    movements = rows(con, journey.lot_movements_query(" lot-b ", SZ))
    assert movements["movement_type"].to_list() == [
        "PRODUCTION_RECEIPT",
        "TRANSFER_OUT",
        "TRANSFER_IN",
        "ADJUSTMENT",
        "ADJUSTMENT",
    ]
    # W-FG: 60 - 20 - 5 = 35 left; W-HUB: 20 in, 20 written off = 0, so not listed
    assert journey.lot_stock(movements).rows() == [("W-FG", 35.0)]
    assert rows(con, journey.lot_movements_query("LOT-B", DG)).is_empty()
    assert rows(con, journey.lot_movements_query("LOT-B", Scope.none())).is_empty()
    assert rows(con, journey.lot_movements_query("LOT-%", ALL)).is_empty()
    assert journey.movement_word("TRANSFER_IN", "zh") == "调拨入库"
    assert journey.movement_word("SCRAPPED", "en") == "SCRAPPED"  # not in the contract


def test_late_lines_of_the_period(con) -> None:
    query = journey.late_lines_query(ALL, date(2026, 10, 1), date(2026, 10, 8), None)
    assert rows(con, query)["order_id"].to_list() == ["SO-1"]
    query = journey.late_lines_query(ALL, date(2026, 10, 6), date(2026, 11, 1), None)
    assert rows(con, query).is_empty()  # promised on the 5th
    query = journey.late_lines_query(ALL, date(2026, 10, 1), date(2026, 10, 8), "DG")
    assert rows(con, query).is_empty()


def test_steps_planned_actual_and_late(con) -> None:
    line = rows(con, journey.line_query("SO-1", 10, ALL)).row(0, named=True)
    shipments = rows(con, journey.shipments_query("SO-1", 10, ALL))
    orders = rows(con, lists.work_orders_query(("WO-1",), ALL))
    steps = journey.steps(line, orders, shipments, "en")
    assert steps["step"].to_list() == [
        "Order placed",
        "Production",
        "Work order",
        "Stock receipt",
        "Shipment",
        "Promised date",
    ]
    # production started 08:00, planned 06:00: late; shipped on the 6th, promised the 5th
    assert steps["is_late"].to_list() == [False, True, True, False, True, False]
    assert steps["detail"][2] == "WO-1 · SZ-L1 · COMPLETED"
    assert steps["detail"][3] == "LOT-A (exact)"
    assert steps["detail"][4] == "SH-1 · LOT-A (exact)"
    assert steps["actual_start"][3] == datetime(2026, 10, 3)
    assert steps["planned_start"][4] == datetime(2026, 10, 5)
    assert steps["quantity"].to_list() == [100, 100, 100, None, 100, 100]
    long = journey.timeline_frame(steps, "en")
    assert long.height == 11  # 6 actual, 5 planned (a stock receipt has no plan)
    assert long.filter(pl.col("kind") == "Actual, late")["label"].to_list() == [
        "2. Production",
        "3. Work order",
        "5. Shipment",
    ]
    spec = journey.timeline(steps, "zh").to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "point"]
    assert spec["layer"][0]["encoding"]["color"]["scale"]["range"][2] == "#e45756"


def test_open_line_without_production(con) -> None:
    line = rows(con, journey.line_query("SO-2", 10, ALL)).row(0, named=True)
    empty = rows(con, journey.shipments_query("SO-2", 10, ALL))
    steps = journey.steps(line, rows(con, lists.work_orders_query((), ALL)), empty, "vi")
    assert steps["step"].to_list() == ["Đặt hàng", "Ngày hẹn giao"]
    assert steps["actual_start"][1] is None


@pytest.mark.parametrize("lang", ["en", "zh", "vi"])
def test_where_late_in_words(lang: str) -> None:
    for step in journey.LATE_STEPS:
        text = journey.late_text({"status": "OPEN", "first_late_step": step}, lang)
        assert text == t(f"journey_late_{step}", lang) and text
    on_time = journey.late_text({"status": "OPEN", "first_late_step": None}, lang)
    assert on_time == t("journey_on_time", lang)
    cancelled = {"status": "CANCELLED", "first_late_step": "shipment"}
    assert journey.late_text(cancelled, lang) == t("journey_cancelled", lang)
    assert journey.trace_word(1, lang) == t("journey_exact", lang)
    assert journey.trace_word(0, lang) == t("journey_approximate", lang)
    assert journey.trace_word(None, lang) is None


# -- on the built sample -----------------------------------------------------------------


def sample_line(key: str) -> tuple[str, int, str]:
    """A late, shipped order line of the sample: (order id, line, plant)."""
    from app.web import data

    return (
        data.cursor(key)
        .execute(
            "select j.order_id, j.line_no, j.plant_id from marts.fct_order_journey j"
            " where j.first_late_step = 'shipment' and j.shipped_qty > 0"
            " order by j.order_id, j.line_no limit 1"
        )
        .fetchone()
    )


def no_errors(at) -> None:  # noqa: ANN001
    assert not at.exception, [e.message for e in at.exception]


def test_page_on_sample(open_page) -> None:
    at = open_page("order_journey", period="last_12_months")
    no_errors(at)
    assert at.title[0].value == "Order journey"
    order, line_no, plant = sample_line(at.session_state["andon_context"].key)
    at.text_input(key="journey_search").input(order).run()
    no_errors(at)
    assert at.selectbox(key="journey_line").value.startswith(f"{order} / {line_no}")
    assert [w.value for w in at.warning] == [t("journey_late_shipment", "en")]
    steps = [d.value for d in at.dataframe if "Step" in d.value.columns][0]
    assert {"Order placed", "Shipment", "Promised date"} <= set(steps["Step"])
    at.text_input(key="journey_search").input("'; drop table x; -- %_").run()
    assert at.warning and "'; drop table x; -- %_" in at.warning[0].value
    assert [s.value for s in at.subheader] == [t("journey_late_lines", "en")]  # no journey


def test_other_plant_finds_nothing(open_page) -> None:
    at = open_page("order_journey", period="last_12_months")
    order, _, plant = sample_line(at.session_state["andon_context"].key)
    other = "DG" if plant == "SZ" else "SZ"
    user = {"SZ": "sz.manager", "DG": "dg.analyst"}[other]
    at = open_page("order_journey", user=user, period="last_12_months")
    at.text_input(key="journey_search").input(order).run()
    assert not at.exception
    assert at.warning and order in at.warning[0].value


@pytest.fixture(scope="module")
def server(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    state = tmp_path_factory.mktemp("journey") / "state.sqlite"
    demo_accounts(state)
    with serve_app(built_warehouse, state) as url:
        yield url


@pytest.mark.skipif(not HAS_CHROMIUM, reason="no system Chromium")
def test_journey_in_browser(server: str, built_warehouse: Path) -> None:
    from warehouse.connections import connect_published

    con = connect_published(built_warehouse)
    order, line_no, _ = con.execute(
        "select order_id, line_no, plant_id from marts.fct_order_journey"
        " where first_late_step = 'shipment' and shipped_qty > 0"
        " order by order_id, line_no limit 1"
    ).fetchone()
    con.close()
    with chromium() as browser:
        tab = new_tab(browser)
        tab.goto(f"{server}/journey?period=last_12_months")
        settle(tab)
        sign_in(tab, "admin", "andon-demo-admin")  # the deep link opens once signed in
        for lang, title, words in [
            ("en", "Order journey", ["Order placed", "Shipment", "Promised date"]),
            ("zh", "订单全程追踪", ["下单", "发货", "承诺交期"]),
        ]:
            if lang == "zh":
                sidebar = tab.locator("[data-testid=stSidebar]")
                sidebar.get_by_text("中文", exact=True).click()
                settle(tab)
            tab.locator("h1").filter(has_text=title).first.wait_for()
            box = tab.get_by_role("textbox", name=t("journey_search", lang))
            box.fill(order)
            box.press("Enter")
            settle(tab)
            main = tab.locator("[data-testid=stMain]")
            alert = main.locator("[data-testid=stAlert]")  # the warning saying where it is late
            alert.filter(has_text=t("journey_late_shipment", lang)).first.wait_for()
            assert t("journey_line_title", lang, order=order, line=line_no) in main.inner_text()
            assert tab.locator("[data-testid=stVegaLiteChart]").count() >= 1
            assert tab.locator("[data-testid=stException]").count() == 0
            # the tables: the lines found, the chosen line's steps, the late lines
            assert set(words) <= set(first_column(tab, 1))


def test_lot_on_sample_in_chinese(open_page) -> None:
    from app.web import data

    at = open_page("order_journey", period="last_12_months", lang="zh")
    key = at.session_state["andon_context"].key
    lot, exact, customer = (
        data.cursor(key)
        .execute(
            "select lot_id, is_exact, customer_id from marts.fct_lot_trace"
            " order by lot_id, shipment_id limit 1"
        )
        .fetchone()
    )
    at.text_input(key="journey_search").input(lot.lower()).run()
    no_errors(at)
    assert at.subheader[0].value == f"批次 {lot}"
    table = next(d.value for d in at.dataframe if "追溯方式" in d.value.columns)
    assert table["追溯方式"][0] == ("精确" if exact else "近似")
    assert customer in set(table["客户代码"])


def test_unshipped_lot_on_sample(open_page) -> None:
    """A lot in stock that no shipment carried: its origin, what is on hand, its movements."""
    from app.web import data

    at = open_page("order_journey", period="last_12_months")
    key = at.session_state["andon_context"].key
    lot, work_order, on_hand = (
        data.cursor(key)
        .execute(
            "select lot_id, max(case when movement_type = 'PRODUCTION_RECEIPT'"
            " then reference_id end), sum(qty) from marts.fct_inventory_movements"
            " where lot_id is not null and lot_id not in (select lot_id from marts.fct_lot_trace)"
            " group by lot_id having sum(qty) > 0 order by lot_id limit 1"
        )
        .fetchone()
    )
    at.text_input(key="journey_search").input(lot).run()
    no_errors(at)
    assert not at.warning  # found: no "nothing matches"
    assert at.subheader[0].value == f"Lot {lot}"
    assert any(work_order in m.value for m in at.markdown)
    assert at.info[0].value.startswith("No customer has received this lot yet:")
    table = next(d.value for d in at.dataframe if "Movement" in d.value.columns)
    assert table["Movement"][0] == "Production receipt"
    assert table["Quantity"].sum() == pytest.approx(on_hand)
