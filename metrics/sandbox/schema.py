"""What the workbench's schema panel lists: the tables a scope may query, their columns,
and the descriptions dbt wrote for them (its manifest beside the warehouse)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from metrics.sandbox.connection import sandbox
from metrics.sandbox.limits import Limits
from metrics.sandbox.rewrite import CATALOG
from metrics.scope import Scope, ScopeError, plant_condition

COLUMNS_SQL = (
    "select table_schema as schema, table_name as table, column_name as column,"
    " data_type as type from information_schema.columns"
    " where table_catalog = $catalog"
    " order by table_schema, table_name, ordinal_position"
)


def readable(table: str, scope: Scope) -> bool:
    """Whether `scope` may query `table` ("schema.table") at all."""
    if scope.is_empty:
        return False
    try:
        plant_condition(table, scope)
    except ScopeError:
        return False
    return True


def schema_columns(database: Path, scope: Scope, limits: Limits | None = None) -> pl.DataFrame:
    """Schema, table, column and type of every table and view `scope` may query."""
    with sandbox(database, limits) as box:
        frame = box.con.sql(COLUMNS_SQL, params={"catalog": CATALOG}).pl()
    if frame.is_empty():
        return frame
    names = (frame["schema"] + "." + frame["table"]).to_list()
    allowed = {name for name in set(names) if readable(name, scope)}
    return frame.filter(pl.Series([name in allowed for name in names]))


def manifest_descriptions(manifest: Path) -> dict[tuple[str, str], dict[str, str]]:
    """{(schema, table): {"": table description, column: description}} from dbt's manifest."""
    if not manifest.exists():
        return {}
    data = json.loads(manifest.read_text(encoding="utf-8"))
    found: dict[tuple[str, str], dict[str, str]] = {}
    nodes = list(data.get("nodes", {}).values()) + list(data.get("sources", {}).values())
    for node in nodes:
        if node.get("resource_type") not in ("model", "seed", "snapshot", "source"):
            continue
        table = node.get("alias") or node.get("identifier") or node.get("name")
        texts = {"": node.get("description") or ""}
        for name, column in (node.get("columns") or {}).items():
            texts[name] = column.get("description") or ""
        found[(node.get("schema"), table)] = texts
    return found


def manifest_path(build_file: Path) -> Path:
    return build_file.parent / "dbt_target" / "manifest.json"
