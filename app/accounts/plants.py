"""The plants a grant may name: those of the published warehouse's dim_plant."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.connections import NotPublished, connect_published


def warehouse_plants(build_file: Path) -> frozenset[str] | None:
    """The plant ids in marts.dim_plant; None when there is no warehouse (or no dim_plant)
    yet, so grants can be made before the first build."""
    try:
        con = connect_published(build_file)
    except (NotPublished, duckdb.Error):
        return None
    try:
        rows = con.execute("select plant_id from marts.dim_plant").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return frozenset(str(row[0]) for row in rows)
