"""The plant scope: Scope itself, PLANT_REACH / scoped_table, and the scope predicate on every
metric, on the hand-worked marts (tests/metrics/factory.py) and on the built sample factory.

Two plant managers must see disjoint data by construction: every compiled query reads each
fact through scoped_table, so these tests look at the SQL's tree as well as at the rows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot import exp

import metrics
from metrics import Scope, ScopeError, scoped_table
from metrics.registry import Metric
from metrics.scope import (
    PLANT_REACH,
    SCHEMA_REACH,
    PlantColumn,
    Shared,
    Unrestrictable,
    Via,
    is_covered,
    reach,
)
from warehouse.connections import connect_published

OCT = {"start": "2026-10-01", "end": "2026-11-01"}
SAMPLE = {"start": "2026-09-28", "end": "2026-10-12"}  # tests/conftest.py's fortnight
ALL, NONE = Scope.all(), Scope.none()
SZ, DG = Scope.of({"SZ"}), Scope.of({"DG"})
REGISTRY = metrics.load_registry()
METRICS = [m for m in REGISTRY.metrics.values() if "plant" in m.dimensions]
# metrics over Shared facts (the engineering changes of the one product master): no plant
PRODUCT_MASTER = [m for m in REGISTRY.metrics.values() if "plant" not in m.dimensions]
SUMS = [m for m in METRICS if m.kind == "sum"]


def by_plant(metric: Metric, *more: str) -> list[str]:
    return list(dict.fromkeys(["plant", *metric.required_dimensions, *more]))


# -- Scope ---------------------------------------------------------------------------------


def test_scope_constructors_and_questions() -> None:
    assert ALL.is_all and not ALL.is_empty and ALL.plants is None
    assert NONE.is_empty and not NONE.is_all and NONE.plants == frozenset()
    assert Scope.of("SZ") == Scope.of(["SZ", " SZ ", ""]) == SZ
    assert Scope.of([]) == NONE
    assert ALL.allows("HP") and ALL.allows(None)
    assert SZ.allows("SZ") and not SZ.allows("DG") and not SZ.allows(None)
    assert not NONE.allows("SZ")
    assert Scope.of({"SZ", "DG"}).narrow(["DG", "HP"]) == DG
    assert ALL.narrow(["HP"]) == Scope.of("HP") and SZ.narrow(None) == SZ
    assert len({SZ, Scope.of(["SZ"]), DG, ALL, Scope.all(), NONE}) == 4  # hashable, by value


def test_scope_describes_itself_in_both_languages() -> None:
    both = Scope.of({"SZ", "DG"})
    assert [s.describe("en") for s in (ALL, NONE, both)] == [
        "all plants",
        "no plants",
        "plants DG, SZ",
    ]
    assert [s.describe("zh") for s in (ALL, NONE, both)] == ["所有工厂", "无工厂", "工厂 DG、SZ"]


# -- scoped_table ---------------------------------------------------------------------------


def test_scoped_table_sql() -> None:
    def sql(table: str, scope: Scope, alias: str | None = None) -> str:
        return scoped_table(table, scope, alias).sql("duckdb")

    assert sql("fct_production", ALL) == "marts.fct_production AS fct_production"
    assert sql("marts.fct_production", SZ, "p") == (
        "(SELECT t.* FROM marts.fct_production AS t WHERE t.plant_id IN ('SZ')) AS p"
    )
    assert sql("fct_production", Scope.of({"SZ", "DG"})) == (
        "(SELECT t.* FROM marts.fct_production AS t WHERE t.plant_id IN ('DG', 'SZ'))"
        " AS fct_production"
    )
    assert sql("fct_production", NONE) == (
        "(SELECT t.* FROM marts.fct_production AS t WHERE FALSE) AS fct_production"
    )
    # shared master data: all of it for any plant, nothing without one
    assert sql("dim_material", SZ) == "marts.dim_material AS dim_material"
    assert sql("MARTS.DIM_MATERIAL", NONE) == (
        "(SELECT t.* FROM marts.dim_material AS t WHERE FALSE) AS dim_material"
    )
    # a plant id is only ever a literal
    assert sql("dim_plant", Scope.of(["SZ') or (1=1"])) == (
        "(SELECT t.* FROM marts.dim_plant AS t WHERE t.plant_id IN ('SZ'') or (1=1')) AS dim_plant"
    )


def test_unrestrictable_tables_need_every_plant() -> None:
    for table in ("ingest.quarantine", "ingest.load_log", "raw.shipments", "staging.x"):
        assert scoped_table(table, ALL).sql("duckdb") == f"{table} AS {table.split('.')[1]}"
        for scope in (SZ, NONE):
            with pytest.raises(ScopeError, match="cannot be restricted to plants"):
                scoped_table(table, scope)
    with pytest.raises(ScopeError, match="marts.fct_new is not listed in metrics/scope.py"):
        scoped_table("fct_new", SZ)
    with pytest.raises(ScopeError, match="this user sees plants SZ"):
        scoped_table("raw.shipments", SZ)


def test_a_join_path_reaches_the_plant_of_a_dimension(monkeypatch, con) -> None:
    """A table carrying only equipment_id reaches dim_equipment.plant_id by a semi-join."""
    monkeypatch.setitem(
        PLANT_REACH, "marts.fct_energy", Via("equipment_id", "dim_equipment", "equipment_id")
    )
    source = scoped_table("fct_energy", SZ, "e")
    assert source.sql("duckdb") == (
        "(SELECT t.* FROM marts.fct_energy AS t WHERE t.equipment_id IN"
        " (SELECT equipment_id FROM marts.dim_equipment WHERE plant_id IN ('SZ'))) AS e"
    )
    rows = con.execute(exp.select("e.equipment_id").distinct().from_(source).sql("duckdb"))
    assert {r[0][:2] for r in rows.fetchall()} == {"SZ"}
    assert "WHERE FALSE" in scoped_table("fct_energy", NONE).sql("duckdb")


def test_every_table_of_a_built_warehouse_is_covered(built_warehouse: Path) -> None:
    """A new mart (or schema) must be added to PLANT_REACH before it can ship."""
    con = connect_published(built_warehouse)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_catalog = current_database()"
            " and table_schema not in ('information_schema', 'pg_catalog')"
        ).fetchall()
        columns = set(
            con.execute(
                "select table_schema || '.' || table_name, column_name"
                " from information_schema.columns where table_catalog = current_database()"
            ).fetchall()
        )
    finally:
        con.close()
    names = {f"{schema}.{table}" for schema, table in tables}
    assert {n for n in names if not is_covered(n)} == set()
    marts = {n for n in names if n.startswith("marts.")}
    assert marts - set(PLANT_REACH) == set()  # every mart decided one by one
    assert {n for n in PLANT_REACH if n not in names} == set()  # no stale entries
    assert {n.split(".")[0] for n in names} - {"marts", *SCHEMA_REACH} <= {
        "seeds",
        "andon_meta",
        "ingest",
    }
    for name, rule in PLANT_REACH.items():
        if isinstance(rule, PlantColumn):
            assert (name, rule.column) in columns, name
        if isinstance(rule, Via):
            assert (name, rule.column) in columns, name
            assert (f"marts.{rule.table}", "plant_id") in columns, name
        assert isinstance(rule, PlantColumn | Via | Shared | Unrestrictable) and rule == reach(name)
    # every fact carries its plant, but the engineering changes of the one product master
    shared_facts = {"marts.fct_engineering_changes", "marts.fct_eco_open_daily"}
    assert {n for n in marts if n.startswith("marts.fct_")} - shared_facts <= {
        n for n, r in PLANT_REACH.items() if isinstance(r, PlantColumn)
    }
    assert all(isinstance(PLANT_REACH[n], Shared) for n in shared_facts)


def test_scoped_marts_hold_only_their_plants_rows(built_warehouse: Path) -> None:
    con = connect_published(built_warehouse)
    try:
        for name, rule in PLANT_REACH.items():
            if not name.startswith("marts."):
                continue
            total = con.execute(f"select count(*) from {name}").fetchone()[0]
            for scope in (SZ, Scope.of({"SZ", "DG"})):
                query = exp.select("count(*)").from_(scoped_table(name, scope, "x"))
                if isinstance(rule, PlantColumn):
                    listed = ", ".join(f"'{p}'" for p in scope.sorted())
                    wanted = con.execute(
                        f"select count(*) from {name} where plant_id in ({listed})"
                    ).fetchone()[0]
                    plants = con.execute(
                        exp.select("x.plant_id")
                        .distinct()
                        .from_(scoped_table(name, scope, "x"))
                        .sql("duckdb")
                    ).fetchall()
                    assert {p for (p,) in plants} <= set(scope.sorted()), name
                else:
                    wanted = total
                assert con.execute(query.sql("duckdb")).fetchone()[0] == wanted, name
            empty = exp.select("count(*)").from_(scoped_table(name, NONE, "x"))
            assert con.execute(empty.sql("duckdb")).fetchone()[0] == 0, name
    finally:
        con.close()


# -- the compiled SQL -------------------------------------------------------------------


def mart_scans(sql: str) -> list[tuple[str, str]]:
    """(table, WHERE of the SELECT that reads it) for every marts table the SQL reads."""
    scans = []
    for table in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Table):
        if table.db == "marts":
            where = table.find_ancestor(exp.Select).args.get("where")
            scans.append((table.name, where.this.sql("duckdb") if where else ""))
    return scans


def request(metric: Metric, **more: object) -> dict:
    return {"metrics": [metric.name], "by": list(metric.required_dimensions), **OCT, **more}


@pytest.mark.parametrize("metric", METRICS, ids=[m.name for m in METRICS])
def test_every_fact_scan_carries_the_scope_predicate(metric: Metric) -> None:
    facts = set(REGISTRY.facts_of(metric))
    for by in (list(metric.required_dimensions), by_plant(metric, "product")):
        if not all(d in metric.dimensions for d in by):
            continue
        sql = metrics.compile(**{**request(metric), "by": by}, scope=SZ)
        scans = mart_scans(sql)
        assert facts <= {t for t, _ in scans}
        for table, where in scans:
            if isinstance(reach(table), Shared):  # a label lookup of shared master data
                assert where == "", (table, sql)
            else:
                assert where == "t.plant_id IN ('SZ')", (table, sql)
        nothing = mart_scans(metrics.compile(**{**request(metric), "by": by}, scope=NONE))
        assert {w for _, w in nothing} == {"FALSE"}
    unscoped = metrics.compile(**request(metric), scope=ALL)  # no predicate at all
    assert "plant_id IN" not in unscoped and "FALSE" not in unscoped
    assert facts <= {t for t, _ in mart_scans(unscoped)}


@pytest.mark.parametrize("metric", PRODUCT_MASTER, ids=[m.name for m in PRODUCT_MASTER])
def test_a_shared_fact_is_read_whole_by_any_plant_and_not_at_all_by_none(metric: Metric) -> None:
    facts = set(REGISTRY.facts_of(metric))
    assert all(isinstance(reach(f"marts.{f}"), Shared) for f in facts)
    scans = mart_scans(metrics.compile(**request(metric), scope=SZ))
    assert facts <= {t for t, _ in scans}
    assert not any("plant_id" in w or "FALSE" in w for _, w in scans)
    nothing = metrics.compile(**request(metric), scope=NONE)
    assert "WHERE FALSE" in " ".join(nothing.split())


def test_product_master_metrics_are_the_engineering_changes() -> None:
    assert sorted(m.name for m in PRODUCT_MASTER) == [
        "eco_approval_days",
        "eco_effect_days",
        "open_ecos",
    ]


def test_the_default_scope_is_none() -> None:
    sql = metrics.compile(["oee"], by=["plant"], **OCT)
    assert sql == metrics.compile(["oee"], by=["plant"], **OCT, scope=NONE)
    assert "WHERE FALSE" in " ".join(sql.split())
    with pytest.raises(metrics.MetricError, match="scope must be a metrics.Scope"):
        metrics.compile(["oee"], scope={"SZ"})  # type: ignore[arg-type]


def test_compiled_sql_is_cached_per_scope() -> None:
    one = metrics.compile(["oee"], by=["line"], **OCT, scope=SZ)
    other = metrics.compile(["oee"], by=["line"], **OCT, scope=DG)
    assert "IN ('SZ')" in one and "IN ('DG')" in other and one.replace("SZ", "DG") == other


# -- rows: the hand-worked marts ---------------------------------------------------------


@pytest.mark.parametrize("metric", METRICS, ids=[m.name for m in METRICS])
def test_every_metric_in_scope_on_the_hand_worked_marts(con, metric: Metric) -> None:
    by = by_plant(metric)
    everything = metrics.query(**{**request(metric), "by": by}, con=con, scope=ALL)
    seen: dict[str, set[str]] = {}
    for scope, plant in ((SZ, "SZ"), (DG, "DG")):
        frame = metrics.query(**{**request(metric), "by": by}, con=con, scope=scope)
        seen[plant] = set(frame["plant_id"].to_list())
        assert seen[plant] <= {plant}
        # restricting the rows read never changes a plant's own numbers
        assert frame.to_dicts() == everything.filter(everything["plant_id"] == plant).to_dicts()
        elsewhere = metrics.query(
            **request(metric, where={"plant": ["HP" if plant == "SZ" else "SZ"]}),
            con=con,
            scope=scope,
        )
        assert elsewhere.height == 0
    assert not seen["SZ"] & seen["DG"]
    for by_ in (by, list(metric.required_dimensions)):
        assert metrics.query(**{**request(metric), "by": by_}, con=con, scope=NONE).height == 0


def test_delivery_by_plant_hand_worked(con) -> None:
    names = ["on_time_delivery", "otif", "order_lead_time_days", "order_qty"]
    frame = metrics.query(names, by=["plant"], con=con, scope=ALL, **OCT)
    assert frame.to_dicts() == [
        {
            "plant_id": "DG",
            "plant_label": "Dongguan Plant",
            "on_time_delivery": 1.0,
            "otif": 0.0,
            "order_lead_time_days": 49.0,
            "order_qty": 10.0,
        },
        {
            "plant_id": "SZ",
            "plant_label": "Suzhou Plant",
            "on_time_delivery": 0.5,
            "otif": 0.5,
            "order_lead_time_days": 29.5,
            "order_qty": 80.0,
        },
        {  # O3-1 is unassigned: in the all-plants answer only
            "plant_id": None,
            "plant_label": None,
            "on_time_delivery": None,
            "otif": None,
            "order_lead_time_days": None,
            "order_qty": 40.0,
        },
    ]
    sz = metrics.query(names, con=con, scope=SZ, **OCT).to_dicts()
    assert sz == [
        {"on_time_delivery": 0.5, "otif": 0.5, "order_lead_time_days": 29.5, "order_qty": 80.0}
    ]
    both = metrics.query(["order_qty"], con=con, scope=Scope.of({"SZ", "DG"}), **OCT)
    every = metrics.query(["order_qty"], con=con, scope=ALL, **OCT)
    assert both["order_qty"].to_list() == [90.0] and every["order_qty"].to_list() == [130.0]


def test_a_filter_outside_the_scope_gives_nothing(con) -> None:
    outside = metrics.query(["oee", "order_qty"], where={"plant": ["DG"]}, con=con, scope=SZ)
    assert outside.height == 0
    inside = metrics.query(["oee"], where={"plant": ["DG", "SZ"]}, con=con, scope=SZ, **OCT)
    alone = metrics.query(["oee"], where={"plant": ["SZ"]}, con=con, scope=ALL, **OCT)
    assert inside.to_dicts() == alone.to_dicts() and inside["oee"][0] is not None
    lines = metrics.query(["oee"], by=["line"], where={"line": ["DG-L1"]}, con=con, scope=SZ)
    assert lines.height == 0


def test_labels_come_from_the_scope_too(con) -> None:
    frame = metrics.query(["oee"], by=["line"], con=con, scope=SZ, **OCT)
    assert frame["line_label"].to_list() == ["SMT Line 1", "Assembly Line 2"]
    sql = metrics.compile(["oee"], by=["line"], scope=SZ, **OCT)
    assert "FROM marts.dim_line AS t WHERE t.plant_id IN ('SZ')" in " ".join(sql.split())


# -- rows: the built sample factory -------------------------------------------------------


@pytest.fixture(scope="module")
def sample(built_warehouse: Path):
    connection = connect_published(built_warehouse)
    yield connection
    connection.close()


def sample_query(con: duckdb.DuckDBPyConnection, metric: Metric, scope: Scope, **more):
    arguments = {"metrics": [metric.name], "by": by_plant(metric), **SAMPLE, **more}
    return metrics.query(**arguments, con=con, scope=scope)


@pytest.mark.parametrize("metric", METRICS, ids=[m.name for m in METRICS])
def test_every_metric_in_scope_on_the_sample_factory(sample, metric: Metric) -> None:
    everything = sample_query(sample, metric, ALL)
    plants = {p for p in everything["plant_id"].to_list() if p is not None}
    assert plants, metric.name  # the sample has rows of this metric at some plant
    seen = {}
    for plant in ("SZ", "DG", "HP"):
        frame = sample_query(sample, metric, Scope.of(plant))
        seen[plant] = set(frame["plant_id"].to_list())
        assert seen[plant] <= {plant}
        assert frame.to_dicts() == everything.filter(everything["plant_id"] == plant).to_dicts()
        other = "DG" if plant == "SZ" else "SZ"
        outside = sample_query(sample, metric, Scope.of(plant), where={"plant": [other]})
        assert outside.height == 0
    assert not (seen["SZ"] & seen["DG"]) and not (seen["SZ"] & seen["HP"])
    assert sample_query(sample, metric, NONE).height == 0
    assert sample_query(sample, metric, NONE, by=list(metric.required_dimensions)).height == 0


@pytest.mark.parametrize("metric", SUMS, ids=[m.name for m in SUMS])
def test_plants_add_up_to_every_plant(sample, metric: Metric) -> None:
    """For additive volumes: SZ + DG + HP (+ rows of no plant) = the all-plants total."""

    def total(scope: Scope) -> float:
        value = metrics.query([metric.name], **SAMPLE, con=sample, scope=scope)[metric.name][0]
        return value or 0.0

    grouped = sample_query(sample, metric, ALL)
    unassigned = grouped.filter(grouped["plant_id"].is_null())[metric.name].sum() or 0.0
    parts = sum(total(Scope.of(p)) for p in ("SZ", "DG", "HP"))
    assert parts + unassigned == pytest.approx(total(ALL), rel=1e-12)
    both = total(Scope.of({"SZ", "DG"}))
    assert both == pytest.approx(total(Scope.of("SZ")) + total(Scope.of("DG")), rel=1e-12)


def test_two_plant_managers_see_disjoint_lines_and_equipment(sample) -> None:
    checked = 0
    for dim in ("line", "equipment", "warehouse"):
        for metric in METRICS:
            if dim not in metric.dimensions or metric.required_dimensions:
                continue
            key = REGISTRY.dimensions[dim].key
            a = metrics.query([metric.name], by=[dim], **SAMPLE, con=sample, scope=SZ)
            b = metrics.query([metric.name], by=[dim], **SAMPLE, con=sample, scope=DG)
            assert a.height and b.height, (metric.name, dim)
            assert not set(a[key].to_list()) & set(b[key].to_list()), (metric.name, dim)
            checked += 1
    assert checked > 40
