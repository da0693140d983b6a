"""Data access for the dashboards: the published warehouse, KPIs through the metrics layer,
and the dimension lists the filters offer. Cached per published build, so a new build is
picked up on the next rerun and an old one is never mixed with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

import metrics
from metrics import asof
from metrics.formatting import COLUMN_SUFFIXES
from metrics.i18n import DEFAULT_LANG
from metrics.registry import Metric, Registry
from warehouse.connections import NotPublished, connect_published
from warehouse.location import warehouse_path
from warehouse.publish import current_published

TTL_S = 3600
Where = tuple[tuple[str, tuple[str, ...]], ...]


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


def frame(key: str, sql: str) -> pl.DataFrame:
    return cursor(key).sql(sql).pl()


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


@st.cache_data(ttl=TTL_S, show_spinner=False, max_entries=512)
def metric_frame(
    key: str,
    names: tuple[str, ...],
    by: tuple[str, ...] = (),
    where: Where = (),
    start: date | None = None,
    end: date | None = None,
    grain: str | None = None,
    compare: str | None = None,
    lang: str = "en",
) -> pl.DataFrame:
    """One metrics-layer request, answered on the published warehouse (and cached)."""
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
) -> pl.DataFrame:
    """Metrics that allow different filters, each filtered by what it allows, in one frame.

    Metrics are grouped by the part of `where` they accept; the groups' frames are joined
    on the period and dimension columns. The joined frame is cached too, so a rerun costs
    one cache look-up per call.
    """
    return _kpi_frame(
        key=key,
        names=tuple(names),
        where=as_where(where),
        by=tuple(by),
        start=start,
        end=end,
        grain=grain,
        compare=compare,
        lang=lang,
    )


@st.cache_data(ttl=TTL_S, show_spinner=False, max_entries=512)
def _kpi_frame(
    key: str,
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
            key=key,
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


@st.cache_data(ttl=TTL_S, show_spinner=False)
def plants(key: str) -> pl.DataFrame:
    return frame(
        key, "select plant_id, plant_name_en, plant_name_zh from marts.dim_plant order by 1"
    )


@st.cache_data(ttl=TTL_S, show_spinner=False)
def lines(key: str) -> pl.DataFrame:
    return frame(
        key, "select line_id, line_name_en, line_name_zh, plant_id from marts.dim_line order by 1"
    )


@st.cache_data(ttl=TTL_S, show_spinner=False)
def equipment(key: str) -> pl.DataFrame:
    return frame(
        key,
        "select equipment_id, equipment_name_en, equipment_name_zh, line_id, plant_id"
        " from marts.dim_equipment order by 1",
    )


@st.cache_data(ttl=TTL_S, show_spinner=False)
def shifts(key: str) -> list[str]:
    rows = cursor(key).execute("select distinct shift_code from marts.dim_shift order by 1")
    return [r[0] for r in rows.fetchall() if r[0]]


@st.cache_data(ttl=TTL_S, show_spinner=False)
def families(key: str) -> pl.DataFrame:
    return frame(
        key,
        "select distinct product_family, coalesce(product_family_zh, product_family)"
        " as product_family_zh from marts.dim_material where product_family is not null"
        " order by 1",
    )


def label_map(table: pl.DataFrame, key_column: str, lang: str) -> dict[str, str]:
    """{key: name in lang} from a dimension frame with *_en / *_zh name columns (the English
    names for a language the frame has no column for)."""
    names = [c for c in table.columns if c.endswith(f"_{lang}")]
    names = names or [c for c in table.columns if c.endswith(f"_{DEFAULT_LANG}")]
    name_column = names[0] if names else key_column
    return dict(zip(table[key_column].to_list(), table[name_column].to_list(), strict=True))


def family_labels(key: str, lang: str) -> dict[str, str]:
    table = families(key)
    column = "product_family_zh" if lang == "zh" else "product_family"
    return dict(zip(table["product_family"].to_list(), table[column].to_list(), strict=True))


def key_paths(key: str) -> tuple[Path, Path]:
    """(build file, published file being read) named by a warehouse key."""
    build, target, _ = key.split("|")
    return Path(build), Path(target)
