"""Contracts as data: all entities present, and bad contracts rejected clearly."""

from __future__ import annotations

import pytest

from ingest import ContractError, load_contracts
from ingest.contracts import parse_contracts

ENTITIES = {
    "mes": {
        "plants",
        "equipment",
        "routings",
        "shifts",
        "work_orders",
        "equipment_states",
        "production_reports",
        "quality_inspections",
        "defect_codes",
    },
    "erp": {"materials", "customers", "suppliers", "sales_order_lines", "purchase_order_lines"},
    "wms": {"warehouses", "inventory_movements", "stock_snapshots", "shipments"},
    "scada": {"meter_readings"},
    "plm": {"product_revisions", "engineering_changes"},
    "aps": {"schedule_versions", "planned_operations"},
}


def test_all_entities_of_the_source_contract():
    contracts = load_contracts()
    assert len(contracts) == 23
    for system, entities in ENTITIES.items():
        assert {c.entity for c in contracts.values() if c.system == system} == entities


def test_contract_details():
    contracts = load_contracts()
    states = contracts["equipment_states"]
    assert states.key == ("equipment_id", "start_ts")
    assert states.event_time == "start_ts"
    assert states.required == ("equipment_id", "start_ts", "state")
    assert "NOT_SCHEDULED" in states.column("state").enum
    assert contracts["inventory_movements"].column("qty").min is None
    assert contracts["production_reports"].column("scrap_qty").min == 0
    assert contracts["plants"].event_time is None
    assert contracts["routings"].checks[0].columns == ("ideal_cycle_time_s",)


def _one(columns: dict, checks: list | None = None) -> dict:
    return {"mes": {"things": {"key": ["a"], "columns": columns, "checks": checks or []}}}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _one({"a": {"type": "text"}}, [{"sql": "a + 1", "message": "m"}]),
            "is not a boolean expression",
        ),
        (
            _one({"a": {"type": "text"}}, [{"sql": "b > 1", "message": "m"}]),
            "uses 'b', which is not a column",
        ),
        (
            _one({"a": {"type": "text"}}, [{"sql": "a in (select 1)", "message": "m"}]),
            "must not contain a query",
        ),
        (_one({"a": {"type": "text"}}, [{"sql": "a >", "message": "m"}]), "is not valid SQL"),
        (_one({"a": {"type": "text"}}, [{"sql": "a > 1"}]), "needs 'sql' and 'message'"),
        (_one({"a": {"type": "money"}}), "type 'money' is not one of"),
        (_one({"a": {"type": "text", "min": 0}}), "min only applies"),
        (_one({"a": {"type": "text", "requird": True}}), "unknown field"),
        (_one({"b": {"type": "text"}}), "key \\['a'\\] must name columns"),
        ({"erp2": {}}, "unknown system 'erp2'"),
    ],
)
def test_bad_contracts(data, message):
    with pytest.raises(ContractError, match=message):
        parse_contracts(data)


def test_good_check_parses():
    data = _one(
        {"a": {"type": "decimal"}, "b": {"type": "decimal"}},
        [{"sql": "a is null or (a >= b and b > 0)", "message": "m"}],
    )
    assert parse_contracts(data)["things"].checks[0].columns == ("a", "b")
