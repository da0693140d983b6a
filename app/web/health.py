"""What the Data Health page reads: the build's records (andon_meta) and ingest's
(load log, quarantine). A warehouse built by hand may lack them, so each list is optional.

Read in the signed-in user's plant scope like every list (metrics/scope.py PLANT_REACH): the
build's records hold no plant rows and are shown to every signed-in user; the load log and
the quarantine hold every plant's files and rows, cannot be restricted, and are empty for a
user without every plant (`needs_all_plants` says so).
"""

from __future__ import annotations

import polars as pl
from sqlglot import exp, select

from app.web.data import cursor, per_scope
from app.web.lists import literal, run
from metrics import builds
from metrics.i18n import has, t
from metrics.scope import Scope, ScopeError, scoped_table

HEALTH_TTL_S = 60
# columns of the health lists whose values are fixed words of dbt, the build or ingest
# (health_status_<value>, health_resource_<value> in the catalogue); others are shown as is
WORDS = {"status": "health_status", "resource_type": "health_resource"}


def status_word(value: str, lang: str) -> str:
    """A build, dbt result, freshness or load status ("passed", "warn", "LANDED") in `lang`."""
    key = f"health_status_{str(value).lower()}"
    return t(key, lang) if has(key) else str(value)


def in_words(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """`frame` with its status and resource type columns in `lang`."""
    changes = []
    for column, prefix in WORDS.items():
        if column not in frame.columns or frame.schema[column] != pl.String:
            continue
        values = frame[column].drop_nulls().unique().to_list()
        words = {}
        for value in values:
            key = f"{prefix}_{value.lower()}"
            words[value] = t(key, lang) if has(key) else value
        changes.append(pl.col(column).replace_strict(words, default=pl.col(column)))
    return frame.with_columns(changes) if changes else frame


def source(table: str, scope: Scope) -> exp.Expression:
    """`schema.table` as `scope` sees it (ScopeError when it cannot be restricted)."""
    return scoped_table(table, scope, alias=table.split(".")[-1])


def needs_all_plants(table: str, scope: Scope) -> bool:
    """Whether `scope` sees nothing of `table` because it cannot be restricted to plants."""
    try:
        source(table, scope)
    except ScopeError:
        return True
    return False


def has_table(key: str, schema: str, table: str) -> bool:
    return builds.has_table(cursor(key), f"{schema}.{table}")


@per_scope(HEALTH_TTL_S)
def last_build(key: str, scope: Scope) -> dict | None:
    """The newest build_log row, as a dict (None before any build was recorded)."""
    return builds.last_build(cursor(key), scope)


@per_scope(HEALTH_TTL_S)
def freshness(key: str, scope: Scope) -> pl.DataFrame:
    """Freshness per source table as of the newest build that checked it."""
    return builds.freshness(cursor(key), scope)


@per_scope(HEALTH_TTL_S)
def build_results(key: str, scope: Scope, build_id: str, only_problems: bool) -> pl.DataFrame:
    if not has_table(key, "andon_meta", "build_results"):
        return pl.DataFrame()
    query = (
        select("resource_type", "name", "status", "failures", "message", "seconds")
        .from_(source("andon_meta.build_results", scope))
        .where(exp.column("build_id").eq(literal(build_id)))
        .order_by("status", "resource_type", "name")
    )
    if only_problems:
        query = query.where("status not in ('pass', 'success')")
    return run(key, query)


@per_scope(HEALTH_TTL_S)
def load_log(key: str, scope: Scope, limit: int = 500) -> pl.DataFrame:
    if not has_table(key, "ingest", "load_log") or needs_all_plants("ingest.load_log", scope):
        return pl.DataFrame()
    query = (
        select(
            "load_id",
            "system",
            "entity",
            "file",
            "status",
            "rows_read",
            "rows_landed",
            "rows_quarantined",
            "message",
            "started_at",
            "seconds",
        )
        .from_(source("ingest.load_log", scope))
        .order_by("load_id desc")
        .limit(limit)
    )
    return run(key, query)


@per_scope(HEALTH_TTL_S)
def quarantine(key: str, scope: Scope, entity: str | None, limit: int = 1000) -> pl.DataFrame:
    """Rejected rows: file, row number, reason and the original text of the row."""
    if not has_table(key, "ingest", "quarantine") or needs_all_plants("ingest.quarantine", scope):
        return pl.DataFrame()
    query = (
        select(
            "system",
            "entity",
            "file",
            "source_row",
            "column",
            "reason",
            "row_text::varchar as original_text",
            "quarantined_at",
        )
        .from_(source("ingest.quarantine", scope))
        .order_by("quarantined_at desc", "file", "source_row")
        .limit(limit)
    )
    if entity:
        query = query.where(exp.column("entity").eq(literal(entity)))
    return run(key, query)


@per_scope(HEALTH_TTL_S)
def quarantined_entities(key: str, scope: Scope) -> list[str]:
    if not has_table(key, "ingest", "quarantine") or needs_all_plants("ingest.quarantine", scope):
        return []
    query = select("entity").distinct().from_(source("ingest.quarantine", scope)).order_by("1")
    return run(key, query)["entity"].to_list()
