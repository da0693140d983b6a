"""Who reads a report or an alert, and in which language and time zone.

The language of a message is chosen per reader, then per plant: a contact's or recipient
list's own `lang` when the file gives one, else the language of the plant it is about (its
country in marts.dim_plant, `metrics.i18n.language_of_country`), else the report's language
(English for an alert). Times ("generated at", "fired at") are shown in the plant's time
zone (marts.dim_plant.timezone), else the report schedule's.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
from sqlglot import exp

from metrics.i18n import DEFAULT_LANG, LANGS, language_of_country
from metrics.scope import Scope, scoped_table

PLANT_TABLE = "dim_plant"


@dataclass(frozen=True)
class Plant:
    """What a message needs to know about a plant: its time zone and country."""

    plant_id: str
    timezone: str | None = None
    country: str | None = None

    @property
    def lang(self) -> str | None:
        """The plant's language by its country; None when its country is not known."""
        return language_of_country(self.country) if self.country else None

    @property
    def zone(self) -> str | None:
        """Its IANA time zone when that is a zone Python knows, else None."""
        if not self.timezone:
            return None
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return None
        return self.timezone


def read_plants(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, Plant]:
    """The plants of `scope` with their time zone and country, as far as the warehouse's
    dim_plant has those columns (a warehouse built before them gives just the ids)."""
    try:
        present = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ?",
                [PLANT_TABLE],
            ).fetchall()
        }
    except duckdb.Error:
        return {}
    if "plant_id" not in present:
        return {}
    wanted = [c for c in ("timezone", "country") if c in present]
    query = exp.select("plant_id", *wanted).from_(scoped_table(PLANT_TABLE, scope))
    plants = {}
    for row in con.execute(query.sql(dialect="duckdb")).fetchall():
        values = dict(zip(["plant_id", *wanted], row, strict=True))
        plants[str(row[0])] = Plant(
            plant_id=str(row[0]),
            timezone=values.get("timezone") or None,
            country=values.get("country") or None,
        )
    return plants


def reader_lang(given: str | None, plant: Plant | None, fallback: str | None = None) -> str:
    """The reader's language: `given` (the contact's or recipients' own), else the plant's,
    else `fallback` (the report's language), else English."""
    for lang in (given, plant.lang if plant else None, fallback):
        if lang in LANGS:
            return lang  # type: ignore[return-value]
    return DEFAULT_LANG


def given_lang(contact: object) -> str | None:
    """The `lang` a contact's file entry gives itself, None when it leaves it out (so the
    plant's language applies): pydantic remembers which fields were set."""
    fields_set = getattr(contact, "model_fields_set", set())
    lang = getattr(contact, "lang", None)
    return lang if "lang" in fields_set and lang else None


def only_plant(plants: frozenset[str] | None, known: dict[str, Plant]) -> Plant | None:
    """The plant a copy is about when it shows exactly one, else None."""
    if plants is None or len(plants) != 1:
        return None
    (plant,) = plants
    return known.get(plant, Plant(plant))
