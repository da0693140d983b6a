"""Row lists of planning and engineering change — the published schedule versions with their
frozen-window changes, the engineering changes taking effect, and the production still built
on a superseded revision — for the Planning and Quality pages.

Built with sqlglot like app/web/lists.py, values only as literals, every table read through
metrics.scope.scoped_table in the caller's scope (the engineering changes are shared across
plants: they are narrowed to the products the caller's plants and filters make).
"""

from __future__ import annotations

from datetime import date

import polars as pl
from sqlglot import exp, select

from app.web.data import per_scope
from app.web.lists import Pairs, conditions, run, split_text, table
from metrics.scope import Scope


@per_scope()
def schedule_versions(
    key: str, scope: Scope, plant: str | None, start: date, end: date
) -> pl.DataFrame:
    """The schedule versions published in [start, end) (of `plant` when given), newest
    first: their frozen window's operations and how many changed against the previous
    version, and that share as `schedule_change_rate` (NULL for a plant's first version)."""
    query = (
        select(
            "plant_id",
            "plan_version",
            "published_at",
            "previous_plan_version",
            "cast(window_ops as bigint) as window_ops",
            "cast(changed_ops as bigint) as changed_ops",
            "cast(changed_ops as double) / nullif(window_ops, 0) as schedule_change_rate",
        )
        .from_(table("fct_schedule_versions", scope))
        .where(*conditions((("plant_id", plant or ""),), start, end, "published_date"))
        .order_by("published_at desc", "plant_id", "plan_version")
    )
    return run(key, query)


def _made_products(scope: Scope, equals: Pairs, family: str | None, start: date, end: date):
    """select distinct product_id: the products made under these filters in the period."""
    pairs = (*equals, ("product_family", family or ""))
    return (
        select("product_id")
        .distinct()
        .from_(table("fct_production", scope))
        .where(*conditions(pairs, start, end, "production_date"))
    )


@per_scope()
def effective_changes(
    key: str,
    scope: Scope,
    equals: Pairs,
    family: str | None,
    start: date,
    end: date,
    lang: str = "en",
    until: date | None = None,
) -> pl.DataFrame:
    """The engineering changes in effect from a day of [start, until) (approved or
    implemented, with an effective date; `until` defaults to `end`: a later one takes in
    the changes coming after the period), on the products made under the filters in the
    period [start, end), by effective date."""
    text = "m.description_zh" if lang == "zh" else "m.description_en"
    query = (
        select(
            "e.effective_date",
            "e.eco_id",
            "e.product_id",
            f"coalesce({text}, e.product_id) as product_name",
            "e.from_revision",
            "e.to_revision",
            "e.reason_text",
            "e.status",
        )
        .from_(table("fct_engineering_changes", scope, "e"))
        .join(
            table("dim_material", scope, "m"), on="m.material_id = e.product_id", join_type="left"
        )
        .where("e.is_effective = 1")
        .where(*conditions((), start, until or end, "e.effective_date"))
        .where(
            exp.column("product_id", table="e").isin(
                query=_made_products(scope, equals, family, start, end)
            )
        )
        .order_by("e.effective_date", "e.eco_id")
    )
    result = run(key, query)
    return result.with_columns(
        pl.Series(
            "reason_text",
            [split_text(r, lang) for r in result["reason_text"]],
            dtype=pl.String,
        )
    )


@per_scope()
def superseded_production(
    key: str,
    scope: Scope,
    plant: str | None,
    line: str | None,
    family: str | None,
    start: date,
    end: date,
) -> pl.DataFrame:
    """Lines, products and days of [start, end) with production on a superseded revision,
    each with the change that superseded it (the product's latest in effect by then) and
    how many days after it took effect; newest first."""
    pairs = (
        ("r.plant_id", plant or ""),
        ("r.line_id", line or ""),
        ("r.product_family", family or ""),
    )
    groups = (
        "r.production_date",
        "r.plant_id",
        "r.line_id",
        "r.product_id",
        "r.superseded_qty",
        "r.produced_qty_with_revision",
    )
    query = (
        select(
            *groups,
            "r.superseded_qty / nullif(r.produced_qty_with_revision, 0)"
            " as superseded_revision_share",
            "arg_max(e.eco_id, e.effective_date) as eco_id",
            "arg_max(e.from_revision, e.effective_date) as from_revision",
            "arg_max(e.to_revision, e.effective_date) as to_revision",
            "max(e.effective_date) as effective_date",
            "r.production_date - max(e.effective_date) as days_after_effective",
        )
        .from_(table("fct_revision_production", scope, "r"))
        .join(
            table("fct_engineering_changes", scope, "e"),
            on="e.product_id = r.product_id and e.is_effective = 1"
            " and e.effective_date <= r.production_date",
            join_type="left",
        )
        .where("r.superseded_qty > 0")
        .where(*conditions(pairs, start, end, "r.production_date"))
        .group_by(*groups)
        .order_by("r.production_date desc", "r.plant_id", "r.line_id", "r.product_id")
    )
    return run(key, query)
