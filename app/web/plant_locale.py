"""The signed-in user's language and time zone, from who they are and where their plants are.

Language: the user's own (their account's `lang`), else their plants' language when all
their plants share one (metrics.i18n.language_of_country of marts.dim_plant.country), else
English. The URL's ?lang= and the sidebar's switcher override it for the session.

Time zone: a page showing moments (a report's last run, an alert, a pull) shows them in the
user's plants' time zone when they all share one (dim_plant.timezone), else in UTC, saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl
from sqlglot import exp

from app.web.data import frame, per_scope
from metrics.formatting import NULL, format_datetime
from metrics.i18n import DEFAULT_LANG, LANGS, language_of_country
from metrics.scope import Scope, scoped_table


@dataclass(frozen=True)
class Place:
    """What the user's plants have in common: one language, one time zone (None: they differ)."""

    lang: str | None
    timezone: str | None


@per_scope()
def plant_places(key: str, scope: Scope) -> pl.DataFrame:
    """plant_id, timezone and country of the plants `scope` may see."""
    source = scoped_table("marts.dim_plant", scope, alias="t")
    query = exp.select("t.plant_id", "t.timezone", "t.country").from_(source).order_by("1")
    return frame(key, query)


def common_place(plants: pl.DataFrame) -> Place:
    """The one language and the one time zone of these plants (None where they differ)."""
    langs = {language_of_country(country) for country in plants["country"].to_list()}
    zones = {zone for zone in plants["timezone"].to_list() if zone}
    one_zone = len(zones) == 1 and plants["timezone"].null_count() == 0
    return Place(
        lang=langs.pop() if len(langs) == 1 else None,
        timezone=zones.pop() if one_zone else None,
    )


def place(key: str, scope: Scope | None = None) -> Place:
    """The signed-in user's plants' Place (`scope` for another set of plants)."""
    plants = plant_places(key, scope=scope)
    return common_place(plants) if plants.height else Place(None, None)


def default_language(user_lang: str | None, plants_lang: str | None) -> str:
    """A user's language when the URL and the switcher say nothing: their own, else their
    plants' one language, else English."""
    for lang in (user_lang, plants_lang):
        if lang in LANGS:
            return lang
    return DEFAULT_LANG


def moment_text(moment: datetime | str | None, lang: str, timezone: str | None) -> str:
    """A moment (a datetime or an ISO 8601 text, naive = UTC) in `timezone` as `lang` writes
    it; in UTC, saying so, without a time zone. Text that is no moment is shown as it is."""
    if moment is None or moment == "":
        return NULL
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    return format_datetime(moment, lang, timezone)


def moments_as_text(frame: pl.DataFrame, lang: str, timezone: str | None) -> pl.DataFrame:
    """`frame` with its datetime columns as text: each moment in `timezone` (naive = UTC)
    as `lang` writes it, in UTC saying so without a time zone (moment_text)."""
    columns = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.Datetime)]
    return frame.with_columns(
        pl.col(name).map_elements(
            lambda moment: moment_text(moment, lang, timezone),
            return_dtype=pl.String,
            skip_nulls=False,
        )
        for name in columns
    )
