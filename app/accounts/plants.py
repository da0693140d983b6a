"""The plants a grant may name (those of the published warehouse's dim_plant), and the
language a new user of some plants gets unless told otherwise."""

from __future__ import annotations

from pathlib import Path

import duckdb

from metrics.i18n import language_of_country
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


def plants_language(build_file: Path, plants: tuple[str, ...] | None) -> str | None:
    """The one language of these plants (None: all plants) by their country in dim_plant
    (metrics.i18n.language_of_country); None when they differ or there is no warehouse."""
    try:
        con = connect_published(build_file)
    except (NotPublished, duckdb.Error):
        return None
    try:
        rows = con.execute("select plant_id, country from marts.dim_plant").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    langs = {
        language_of_country(country) for plant, country in rows if plants is None or plant in plants
    }
    return langs.pop() if len(langs) == 1 else None
