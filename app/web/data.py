"""Data access for the dashboards: the published warehouse, KPIs through the metrics layer,
and the dimension lists the filters offer. Cached per published build, so a new build is
picked up on the next rerun and an old one is never mixed with it.

Everything is read in the signed-in user's plant scope (app.web.session.current_scope(),
nobody signed in: no plant): every cached function takes the scope as an argument, so its
cache is per scope too, and every table is read through metrics.scope.scoped_table. A caller
may pass `scope=` explicitly (tests, a page showing what a scope sees).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TypeVar

import duckdb
import polars as pl
import streamlit as st
from sqlglot import exp

import metrics
from app.web.session import current_scope
from metrics import asof
from metrics.formatting import COLUMN_SUFFIXES
from metrics.i18n import DEFAULT_LANG
from metrics.registry import Metric, Registry
from metrics.scope import Scope, scoped_table
from warehouse.connections import NotPublished, connect_published
from warehouse.location import warehouse_path
from warehouse.publish import current_published

TTL_S = 3600
Where = tuple[tuple[str, tuple[str, ...]], ...]
R = TypeVar("R")


def per_scope(ttl: int = TTL_S, **cache: object) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Caches `function(key, scope, ...)` with st.cache_data and calls it as
    `function(key, ..., scope=None)`: the signed-in user's scope unless one is given."""

    def wrap(function: Callable[..., R]) -> Callable[..., R]:
        cached = st.cache_data(ttl=ttl, show_spinner=False, **cache)(function)

        @functools.wraps(function)
        def call(key: str, *args: object, scope: Scope | None = None, **kwargs: object) -> R:
            return cached(key, current_scope() if scope is None else scope, *args, **kwargs)

        del call.__wrapped__  # its signature is the call's, without the scope in front
        return call

    return wrap


def build_file() -> Path:
    """The warehouse the app serves: $ANDON_WAREHOUSE or warehouse/andon.duckdb."""
    return warehouse_path()


def warehouse_key(path: Path | None = None) -> str:
    """Names the published version being read; every cache is keyed by it."""
    chosen = path or build_file()
    target = current_published(chosen) or chosen
    if not target.exists():
        raise NotPublished(f"No warehouse at {chosen}: run `andon build --inbox INBOX` first.")
    return f"{chosen}|{target}|{target.stat().st_mtime_ns}"


@st.cache_resource(show_spinner=False, max_entries=4)
def _connection(key: str) -> duckdb.DuckDBPyConnection:
    return connect_published(Path(key.split("|", 1)[0]))


def cursor(key: str) -> duckdb.DuckDBPyConnection:
    """A cursor of the shared read-only connection (one per call: Streamlit runs threads)."""
    return _connection(key).cursor()


def frame(key: str, query: exp.Expression) -> pl.DataFrame:
    """The rows of a sqlglot query (whose tables come from metrics.scope.scoped_table)."""
    return cursor(key).sql(query.sql(dialect="duckdb")).pl()


def registry() -> Registry:
    return metrics.load_registry()


def metric(name: str) -> Metric:
    return registry().metric(name)


def supports(name: str, dims: Iterable[str]) -> bool:
    """Whether metric `name` can be grouped/filtered by all of `dims`."""
    allowed = metric(name).dimensions
    return all(d in allowed for d in dims)


def as_where(where: dict[str, list[str]] | None) -> Where:
    return tuple(sorted((k, tuple(v)) for k, v in (where or {}).items()))


@per_scope(max_entries=512)
def metric_frame(
    key: str,
    scope: Scope,
    names: tuple[str, ...],
    by: tuple[str, ...] = (),
    where: Where = (),
    start: date | None = None,
    end: date | None = None,
    grain: str | None = None,
    compare: str | None = None,
    lang: str = "en",
) -> pl.DataFrame:
    """One metrics-layer request, answered on the published warehouse in `scope` (default:
    the signed-in user's) and cached per scope."""
    return metrics.query(
        list(names),
        by=list(by),
        where={k: list(v) for k, v in where},
        start=start,
        end=end,
        grain=grain,
        compare=compare,
        lang=lang,
        con=cursor(key),
        scope=scope,
    )


def kpi_frame(
    key: str,
    names: Iterable[str],
    where: dict[str, list[str]],
    *,
    by: tuple[str, ...] = (),
    start: date | None = None,
    end: date | None = None,
    grain: str | None = None,
    compare: str | None = None,
    lang: str = "en",
    scope: Scope | None = None,
) -> pl.DataFrame:
    """Metrics that allow different filters, each filtered by what it allows, in one frame.

    Metrics are grouped by the part of `where` they accept; the groups' frames are joined
    on the period and dimension columns. The joined frame is cached too, so a rerun costs
    one cache look-up per call. Read in `scope` (default: the signed-in user's).
    """
    return _kpi_frame(
        key,
        scope=scope,
        names=tuple(names),
        where=as_where(where),
        by=tuple(by),
        start=start,
        end=end,
        grain=grain,
        compare=compare,
        lang=lang,
    )


@per_scope(max_entries=512)
def _kpi_frame(
    key: str,
    scope: Scope,
    names: tuple[str, ...],
    where: Where,
    by: tuple[str, ...],
    start: date | None,
    end: date | None,
    grain: str | None,
    compare: str | None,
    lang: str,
) -> pl.DataFrame:
    requested = {k: list(v) for k, v in where}
    groups: dict[Where, list[str]] = {}
    for name in names:
        allowed = {k: v for k, v in requested.items() if k in metric(name).dimensions}
        groups.setdefault(as_where(allowed), []).append(name)
    result: pl.DataFrame | None = None
    for group_where, group in groups.items():
        # keywords: for positional arguments st.cache_data inspects the signature per call
        part = metric_frame(
            key,
            scope=scope,
            names=tuple(group),
            by=by,
            where=group_where,
            start=start,
            end=end,
            grain=grain,
            compare=compare,
            lang=lang,
        )
        if result is None:
            result = part
            continue
        keys = [c for c in part.columns if c in result.columns and not _is_metric_column(c)]
        if keys:
            result = result.join(part, on=keys, how="full", coalesce=True, nulls_equal=True)
        else:  # totals without grouping: one row each
            result = pl.concat([result, part], how="horizontal")
    assert result is not None, "kpi_frame needs at least one metric"
    return result


def _is_metric_column(column: str) -> bool:
    base = column
    for suffix in COLUMN_SUFFIXES:
        base = base.removesuffix(suffix)
    return base in registry().metrics


@st.cache_data(ttl=TTL_S, show_spinner=False)
def as_of_date(key: str) -> date:
    """The warehouse's as-of date (metrics.asof): "today" for the period presets."""
    return asof.as_of_date(cursor(key))


@per_scope()
def plants(key: str, scope: Scope) -> pl.DataFrame:
    """The plants `scope` may see (the signed-in user's by default)."""
    columns = ("t.plant_id", "t.plant_name_en", "t.plant_name_zh")
    return frame(key, _listing("dim_plant", scope, columns, "t.plant_id"))


@per_scope()
def lines(key: str, scope: Scope) -> pl.DataFrame:
    columns = ("t.line_id", "t.line_name_en", "t.line_name_zh", "t.plant_id")
    return frame(key, _listing("dim_line", scope, columns, "t.line_id"))


@per_scope()
def equipment(key: str, scope: Scope) -> pl.DataFrame:
    columns = (
        "t.equipment_id",
        "t.equipment_name_en",
        "t.equipment_name_zh",
        "t.line_id",
        "t.plant_id",
    )
    return frame(key, _listing("dim_equipment", scope, columns, "t.equipment_id"))


@per_scope()
def shifts(key: str, scope: Scope) -> list[str]:
    query = _listing("dim_shift", scope, ("t.shift_code",), "t.shift_code").distinct()
    return [code for code in frame(key, query)["shift_code"].to_list() if code]


@per_scope()
def families(key: str, scope: Scope) -> pl.DataFrame:
    columns = (
        "t.product_family",
        "coalesce(t.product_family_zh, t.product_family) as product_family_zh",
    )
    query = _listing("dim_material", scope, columns, "t.product_family").distinct()
    return frame(key, query.where("t.product_family is not null"))


def _listing(table: str, scope: Scope, columns: tuple[str, ...], order: str) -> exp.Select:
    """select <columns> from <table as `scope` sees it> t order by <order>."""
    source = scoped_table(f"marts.{table}", scope, alias="t")
    return exp.select(*columns).from_(source).order_by(order)


def label_map(table: pl.DataFrame, key_column: str, lang: str) -> dict[str, str]:
    """{key: name in lang} from a dimension frame with *_en / *_zh name columns (the English
    names for a language the frame has no column for)."""
    names = [c for c in table.columns if c.endswith(f"_{lang}")]
    names = names or [c for c in table.columns if c.endswith(f"_{DEFAULT_LANG}")]
    name_column = names[0] if names else key_column
    return dict(zip(table[key_column].to_list(), table[name_column].to_list(), strict=True))


def family_labels(key: str, lang: str, scope: Scope | None = None) -> dict[str, str]:
    table = families(key, scope=scope)
    column = "product_family_zh" if lang == "zh" else "product_family"
    return dict(zip(table["product_family"].to_list(), table[column].to_list(), strict=True))


def key_paths(key: str) -> tuple[Path, Path]:
    """(build file, published file being read) named by a warehouse key."""
    build, target, _ = key.split("|")
    return Path(build), Path(target)


# Inventory turns over on the flow that takes it out of stock: finished goods are shipped
# (cost of goods shipped), raw materials and packaging are issued to production (material
# consumption). Per basis: its turnover, annualized turnover, days of inventory, and flow.
TURNOVER_BASES: dict[str, tuple[str, str, str, str]] = {
    "shipments": (
        "inventory_turnover",
        "annualized_inventory_turnover",
        "days_of_inventory",
        "cogs",
    ),
    "consumption": (
        "consumption_turnover",
        "annualized_consumption_turnover",
        "days_of_consumption",
        "consumption_value",
    ),
}
TURNOVER_METRICS = tuple(
    dict.fromkeys(name for names in TURNOVER_BASES.values() for name in names)
) + ("avg_inventory_value",)


def with_turnover_basis(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` (of TURNOVER_METRICS) with each row's basis — shipments when it ships at least
    as much (at cost) as production consumes of it, else consumption; none without either
    flow — and that basis's `turnover`, `annualized_turnover` and `days`."""
    cogs = pl.col("cogs").fill_null(0)
    consumed = pl.col("consumption_value").fill_null(0)
    basis = (
        pl.when((cogs <= 0) & (consumed <= 0))
        .then(pl.lit(None, dtype=pl.String))
        .when(cogs >= consumed)
        .then(pl.lit("shipments"))
        .otherwise(pl.lit("consumption"))
    )
    frame = frame.with_columns(basis.alias("basis"))

    def chosen(position: int) -> pl.Expr:
        choice = pl.when(pl.col("basis") == "shipments").then(
            pl.col(TURNOVER_BASES["shipments"][position])
        )
        return choice.when(pl.col("basis") == "consumption").then(
            pl.col(TURNOVER_BASES["consumption"][position])
        )

    return frame.with_columns(
        chosen(0).alias("turnover"),
        chosen(1).alias("annualized_turnover"),
        chosen(2).alias("days"),
    )
