"""The plant scope: which plants' rows a caller may see, and how each table reaches a plant.

Every read of the warehouse on behalf of someone carries a `Scope`:

    Scope.all()            every plant (the local operator of the command line, an admin)
    Scope.of({"SZ"})       the rows of these plants only
    Scope.none()           nothing at all: the default, so a caller without scope gets
                           nothing, never everything

`PLANT_REACH` is the one place that knows how each table reaches a plant (its own
plant_id, or the key of a dimension that carries one), which tables are shared master
data (the same for every plant) and which cannot be restricted at all. `scoped_table`
turns that rule into a sqlglot subquery; the metrics compiler, the app's lists and the SQL
workbench all read tables through it, so there is one rule and a new surface cannot forget
it. Plant ids only ever become string literals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlglot import exp

from metrics.errors import MetricError
from metrics.i18n import join, t

MARTS = "marts"


class ScopeError(MetricError):
    """A table that cannot be restricted to plants was read under a restricted scope."""


@dataclass(frozen=True)
class Scope:
    """The plants a caller may see: None = all plants, an empty set = none."""

    plants: frozenset[str] | None

    @classmethod
    def all(cls) -> Scope:
        return cls(None)

    @classmethod
    def none(cls) -> Scope:
        return cls(frozenset())

    @classmethod
    def of(cls, plants: Iterable[str] | str) -> Scope:
        """These plants (one id, or any iterable of ids; blanks are ignored)."""
        items = [plants] if isinstance(plants, str) else list(plants)
        return cls(frozenset(str(p).strip() for p in items if str(p).strip()))

    def __post_init__(self) -> None:
        if self.plants is not None and not isinstance(self.plants, frozenset):
            object.__setattr__(self, "plants", frozenset(self.plants))

    @property
    def is_all(self) -> bool:
        return self.plants is None

    @property
    def is_empty(self) -> bool:
        return self.plants is not None and not self.plants

    def allows(self, plant_id: object) -> bool:
        """Whether rows of `plant_id` are visible (a row without a plant only to all)."""
        if self.plants is None:
            return True
        return plant_id is not None and str(plant_id) in self.plants

    def sorted(self) -> tuple[str, ...]:
        """The plant ids in order (empty for all plants: ask `is_all` first)."""
        return tuple(sorted(self.plants or ()))

    def narrow(self, plants: Iterable[str] | None) -> Scope:
        """This scope intersected with `plants` (None = no further restriction)."""
        if plants is None:
            return self
        other = Scope.of(plants)
        if self.plants is None:
            return other
        assert other.plants is not None
        return Scope(self.plants & other.plants)

    def describe(self, lang: str = "en") -> str:
        """ "all plants", "no plants" or "plants DG, SZ", in `lang`."""
        if self.is_all:
            return t("scope_all_plants", lang)
        if self.is_empty:
            return t("scope_no_plants", lang)
        return t("scope_plants", lang, plants=join(self.sorted(), lang))

    def predicate(self, column: exp.Expression) -> exp.Expression | None:
        """`column IN ('SZ', …)`, FALSE for no plants, None (no condition) for all."""
        if self.plants is None:
            return None
        if not self.plants:
            return exp.false()
        return exp.In(
            this=column.copy(), expressions=[exp.Literal.string(p) for p in self.sorted()]
        )


NO_PLANTS = Scope.none()  # the default scope of every read: nothing
ALL_PLANTS = Scope.all()


# -- how each table reaches a plant ----------------------------------------------------


@dataclass(frozen=True)
class PlantColumn:
    """The table's own column holds the plant id."""

    column: str = "plant_id"


@dataclass(frozen=True)
class Via:
    """The table's `column` is the key of `table` (a mart), whose `plant_id` is the plant."""

    column: str
    table: str
    key: str


@dataclass(frozen=True)
class Shared:
    """Master data shared by every plant: all of it under any non-empty scope."""

    why: str


@dataclass(frozen=True)
class Unrestrictable:
    """Rows that cannot be attributed to a plant: only a caller with all plants reads it."""

    why: str


Reach = PlantColumn | Via | Shared | Unrestrictable

_OWN = PlantColumn()

# Every table of the published warehouse, by "schema.table". A mart that carries rows of
# plants reaches one; master data shared by all plants is Shared; what cannot be
# attributed to a plant is Unrestrictable. tests/metrics/test_scope.py fails when a table
# of a built warehouse is missing here, so a new mart cannot be forgotten.
PLANT_REACH: dict[str, Reach] = {
    # conformed dimensions that belong to one plant
    "marts.dim_plant": _OWN,
    "marts.dim_line": _OWN,
    "marts.dim_equipment": _OWN,
    "marts.dim_warehouse": _OWN,
    "marts.dim_shift": _OWN,  # shift calendars are per plant
    # facts: every one carries plant_id, denormalised by dbt
    "marts.fct_equipment_shift_states": _OWN,  # equipment -> plant
    "marts.fct_equipment_shifts": _OWN,
    "marts.fct_production": _OWN,
    "marts.fct_energy": _OWN,
    "marts.fct_downtime_events": _OWN,
    "marts.fct_inspections": _OWN,  # equipment, else the work order's line -> plant
    "marts.fct_work_orders": _OWN,  # line -> plant
    "marts.fct_order_lines": _OWN,  # the fulfilling plant (docs/marts.md)
    "marts.fct_shipments": _OWN,  # shipping warehouse -> plant
    "marts.fct_po_lines": _OWN,  # receiving warehouse -> plant
    "marts.fct_inventory_daily": _OWN,  # warehouse -> plant
    "marts.fct_inventory_movements": _OWN,  # warehouse -> plant
    "marts.fct_schedule_versions": _OWN,  # an APS plan is one plant's
    "marts.fct_plan_attainment": _OWN,  # line -> plant
    "marts.fct_revision_production": _OWN,  # line -> plant
    "marts.fct_order_journey": _OWN,  # the fulfilling plant, as fct_order_lines
    "marts.fct_lot_trace": _OWN,  # the shipping plant
    # master data kept once for the whole company
    "marts.dim_material": Shared("the material master is one ERP list that every plant uses"),
    "marts.dim_product": Shared("the finished goods of the one material master"),
    "marts.dim_customer": Shared(
        "customers are company accounts served by several plants; their orders are "
        "restricted in fct_order_lines"
    ),
    "marts.dim_supplier": Shared(
        "suppliers deliver to several plants; their purchase orders are restricted in fct_po_lines"
    ),
    "marts.dim_defect": Shared("one defect code catalogue for every plant"),
    "marts.dim_date": Shared("the calendar, with the company-wide as-of date"),
    "marts.dim_product_revision": Shared("the revisions of the one product master (PLM)"),
    "marts.fct_engineering_changes": Shared(
        "engineering changes are made to products, which every plant builds"
    ),
    "marts.fct_eco_open_daily": Shared("open engineering changes per product and day"),
    "seeds.product_family_labels": Shared("bilingual labels of product families"),
    "seeds.region_labels": Shared("bilingual labels of sales regions"),
    "seeds.segment_labels": Shared("labels of customer industry segments"),
    # the pipeline's own records
    "andon_meta.build_log": Shared("one row per build: status, counts, timing; no plant rows"),
    "andon_meta.build_results": Shared(
        "each model's and test's status and failure count; no plant rows"
    ),
    "andon_meta.source_freshness": Shared("newest load time per source table; no plant rows"),
    "andon_meta.build_state": Shared("newest load id and code hash of each passed build"),
    "andon_meta.test_window": Shared("the load window a build's tests look at; no plant rows"),
    "ingest.load_log": Unrestrictable(
        "one row per landed file of every plant's systems, with file names and row counts; "
        "a file is not attributed to a plant"
    ),
    "ingest.quarantine": Unrestrictable(
        "rejected rows of every plant as raw text, before their plant is known"
    ),
}

# Schemas whose tables all follow one rule (the pipeline's inner layers, for administrators).
SCHEMA_REACH: dict[str, Reach] = {
    "raw": Unrestrictable("the landed extracts, before plants are resolved"),
    "staging": Unrestrictable("the pipeline's views of the landed extracts"),
    "intermediate": Unrestrictable("the pipeline's working tables between staging and marts"),
    "main": Unrestrictable("dbt's test views, over every plant's rows"),
}


def split_name(table: str) -> tuple[str, str]:
    """("marts", "fct_x") from "fct_x" or "marts.fct_x" (case-insensitive; a database
    name before the schema is ignored)."""
    parts = table.strip().lower().split(".")
    if len(parts) == 1:
        return MARTS, parts[0]
    return parts[-2], parts[-1]


def reach(table: str) -> Reach:
    """How `table` ("fct_x", "marts.fct_x", "raw.x") reaches a plant. A table in neither
    PLANT_REACH nor a schema of SCHEMA_REACH cannot be restricted."""
    schema, name = split_name(table)
    found = PLANT_REACH.get(f"{schema}.{name}") or SCHEMA_REACH.get(schema)
    return found or Unrestrictable(f"{schema}.{name} is not listed in metrics/scope.py")


def is_covered(table: str) -> bool:
    """Whether PLANT_REACH or SCHEMA_REACH says how `table` reaches a plant."""
    schema, name = split_name(table)
    return f"{schema}.{name}" in PLANT_REACH or schema in SCHEMA_REACH


def plant_condition(table: str, scope: Scope, alias: str = "t") -> exp.Expression | None:
    """The condition on rows of `table` (aliased `alias`) that keeps `scope`'s plants;
    None when nothing needs to be kept out. ScopeError for a table that cannot be
    restricted under a restricted scope."""
    if scope.is_all:
        return None
    rule = reach(table)
    if isinstance(rule, Unrestrictable):
        schema, name = split_name(table)
        raise ScopeError(
            f"{schema}.{name} cannot be restricted to plants ({rule.why}); it is readable "
            f"only with access to all plants, and this user sees {scope.describe()}."
        )
    if isinstance(rule, Shared):
        return exp.false() if scope.is_empty else None
    if isinstance(rule, PlantColumn):
        return scope.predicate(exp.column(rule.column, alias))
    if scope.is_empty:
        return exp.false()
    plants = scope.predicate(exp.column("plant_id"))
    lookup = exp.select(exp.column(rule.key)).from_(exp.table_(rule.table, db=MARTS)).where(plants)
    return exp.column(rule.column, alias).isin(query=lookup)


def scoped_table(table: str, scope: Scope, alias: str | None = None) -> exp.Expression:
    """`table` as a FROM item holding only `scope`'s rows:

        (select t.* from marts.fct_x as t where t.plant_id in ('SZ')) as <alias>

    with FALSE as the condition for no plants, and the plain table for all plants.
    `alias` defaults to the table's name, so `<table>.column` references keep working.
    ScopeError for a table that cannot be restricted under a restricted scope."""
    schema, name = split_name(table)
    alias = alias or name
    condition = plant_condition(table, scope, "t")
    if condition is None:
        return exp.table_(name, db=schema, alias=alias)
    inner = (
        exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("t")))
        .from_(exp.table_(name, db=schema, alias="t"))
        .where(condition)
    )
    return exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(alias)))
