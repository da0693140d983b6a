"""What the Data Health page reads: the build's records (andon_meta) and ingest's
(load log, quarantine). A warehouse built by hand may lack them, so each list is optional.
"""

from __future__ import annotations

import polars as pl
import streamlit as st
from sqlglot import exp, select

from app.web.data import cursor
from app.web.lists import literal, run


def has_table(key: str, schema: str, table: str) -> bool:
    row = (
        cursor(key)
        .execute(
            "select count(*) from information_schema.tables"
            " where table_schema = ? and table_name = ?",
            [schema, table],
        )
        .fetchone()
    )
    return bool(row and row[0])


@st.cache_data(ttl=60, show_spinner=False)
def last_build(key: str) -> dict | None:
    """The newest build_log row, as a dict (None before any build was recorded)."""
    if not has_table(key, "andon_meta", "build_log"):
        return None
    rows = run(key, select("*").from_("andon_meta.build_log").order_by("started_at desc").limit(1))
    return rows.row(0, named=True) if rows.height else None


@st.cache_data(ttl=60, show_spinner=False)
def freshness(key: str) -> pl.DataFrame:
    """Freshness per source table as of the newest build that checked it."""
    if not has_table(key, "andon_meta", "source_freshness"):
        return pl.DataFrame()
    newest = select("max(build_id)").from_("andon_meta.source_freshness")
    query = (
        select(
            "source",
            "entity",
            "status",
            "max_loaded_at",
            "age_hours",
            "warn_after_hours",
            "error_after_hours",
        )
        .from_("andon_meta.source_freshness")
        .where(exp.column("build_id").eq(exp.Subquery(this=newest)))
        .order_by("status desc", "source", "entity")
    )
    return run(key, query)


@st.cache_data(ttl=60, show_spinner=False)
def build_results(key: str, build_id: str, only_problems: bool) -> pl.DataFrame:
    if not has_table(key, "andon_meta", "build_results"):
        return pl.DataFrame()
    query = (
        select("resource_type", "name", "status", "failures", "message", "seconds")
        .from_("andon_meta.build_results")
        .where(exp.column("build_id").eq(literal(build_id)))
        .order_by("status", "resource_type", "name")
    )
    if only_problems:
        query = query.where("status not in ('pass', 'success')")
    return run(key, query)


@st.cache_data(ttl=60, show_spinner=False)
def load_log(key: str, limit: int = 500) -> pl.DataFrame:
    if not has_table(key, "ingest", "load_log"):
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
        .from_("ingest.load_log")
        .order_by("load_id desc")
        .limit(limit)
    )
    return run(key, query)


@st.cache_data(ttl=60, show_spinner=False)
def quarantine(key: str, entity: str | None, limit: int = 1000) -> pl.DataFrame:
    """Rejected rows: file, row number, reason and the original text of the row."""
    if not has_table(key, "ingest", "quarantine"):
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
        .from_("ingest.quarantine")
        .order_by("quarantined_at desc", "file", "source_row")
        .limit(limit)
    )
    if entity:
        query = query.where(exp.column("entity").eq(literal(entity)))
    return run(key, query)


@st.cache_data(ttl=60, show_spinner=False)
def quarantined_entities(key: str) -> list[str]:
    if not has_table(key, "ingest", "quarantine"):
        return []
    rows = cursor(key).execute("select distinct entity from ingest.quarantine order by 1")
    return [r[0] for r in rows.fetchall()]
