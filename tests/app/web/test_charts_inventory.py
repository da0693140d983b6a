"""Inventory turnover by material type: finished goods turn over on what is shipped, raw
materials and packaging on what production consumes — never a 0.00 for a material that is
simply not shipped."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from app.web.data import TURNOVER_METRICS, with_turnover_basis
from tests.app.web.test_pages import no_errors


def test_each_row_turns_over_on_the_flow_that_empties_it() -> None:
    # FG: 30,000 shipped at cost over 60,000 held → 0.5; RM: 12,000 consumed over 4,000
    # held → 3.0 (the 0.0 of the shipment-based turnover is not shown); a type with
    # neither flow has no basis and no turnover.
    frame = pl.DataFrame(
        {
            "material_type": ["FG", "RM", "SPARE"],
            "cogs": [30000.0, None, 0.0],
            "inventory_turnover": [0.5, 0.0, 0.0],
            "annualized_inventory_turnover": [6.08, 0.0, 0.0],
            "days_of_inventory": [60.0, None, None],
            "consumption_value": [None, 12000.0, None],
            "consumption_turnover": [0.0, 3.0, 0.0],
            "annualized_consumption_turnover": [0.0, 36.5, 0.0],
            "days_of_consumption": [None, 10.0, None],
            "avg_inventory_value": [60000.0, 4000.0, 500.0],
        }
    )
    shown = with_turnover_basis(frame)
    assert shown["basis"].to_list() == ["shipments", "consumption", None]
    assert shown["turnover"].to_list() == [0.5, 3.0, None]
    assert shown["annualized_turnover"].to_list() == [6.08, 36.5, None]
    assert shown["days"].to_list() == [60.0, 10.0, None]
    assert set(TURNOVER_METRICS) >= set(frame.columns) - {"material_type"}


def test_consumption_turnover_on_the_sample_factory(app_env: Path) -> None:
    """The governed consumption metrics equal the hand-written sums of the marts."""
    import metrics
    from app.web import data
    from metrics import Scope

    key = data.warehouse_key()
    con = data.cursor(key)
    start, end = date(2026, 10, 1), date(2026, 11, 1)
    frame = metrics.query(
        ["consumption_value", "consumption_turnover", "avg_inventory_value", "cogs"],
        by=["material_type"],
        start=start,
        end=end,
        con=con,
        scope=Scope.all(),
    )
    rows = {r["material_type"]: r for r in frame.iter_rows(named=True)}
    consumed = dict(
        con.execute(
            "select material_type, -sum(movement_value) from marts.fct_inventory_movements"
            " where movement_type = 'ISSUE_TO_PRODUCTION' and movement_date >= ?"
            " and movement_date < ? group by 1",
            [start, end],
        ).fetchall()
    )
    assert consumed["RM"] > 0 and consumed["PKG"] > 0
    for material_type in ("RM", "PKG"):
        row = rows[material_type]
        assert row["consumption_value"] == pytest.approx(consumed[material_type])
        assert row["consumption_turnover"] == pytest.approx(
            consumed[material_type] / row["avg_inventory_value"]
        )
        assert not row["cogs"]  # raw materials are not shipped


def test_inventory_page_shows_the_basis(open_page) -> None:
    at = open_page("inventory", period="last_12_months")
    no_errors(at)
    by_type = at.table[1].value
    by_type = by_type.data if hasattr(by_type, "data") else by_type
    rows = {r["Material type"]: r for r in by_type.to_dict("records")}
    assert rows["Finished goods"]["Turns over on"] == "Shipments"
    assert rows["Raw materials"]["Turns over on"] == "Issues to production"
    assert float(rows["Raw materials"]["Turnover"]) > 0
