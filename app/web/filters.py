"""The shared filters: period presets relative to the data's as-of date, plant/line/shift/
product family, and language — and their round trip through the URL so a view is a link.

Each page says which of them it uses (FILTERS names them; app/web/main.py lists them per
page): the sidebar draws only those, and the page sees only those (`Filters.only`), while
the others keep their values, in the session and in the URL, for the next page that uses them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from metrics.i18n import DEFAULT_LANG, LANGS
from metrics.periods import add_months, month_start, quarter_start, week_start

PRESETS = (
    "today",
    "yesterday",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "this_quarter",
    "ytd",
    "last_12_months",
    "custom",
)
DEFAULT_PRESET = "this_month"
# filter name -> metrics-layer dimension it restricts
DIMENSIONS = {"plant": "plant", "line": "line", "shift": "shift", "family": "product_family"}
FILTERS = ("period", *DIMENSIONS)  # every sidebar filter, as pages name the ones they use


@dataclass(frozen=True)
class Filters:
    """What the user picked; `start` is inclusive and `end` exclusive, like the metrics layer."""

    preset: str
    start: date
    end: date
    plant: str | None = None
    line: str | None = None
    shift: str | None = None
    family: str | None = None
    lang: str = DEFAULT_LANG

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def where(self, allowed: tuple[str, ...] | None = None) -> dict[str, list[str]]:
        """The metrics-layer `where` for the chosen dimensions (only those in `allowed`)."""
        chosen = {}
        for name, dim in DIMENSIONS.items():
            value = getattr(self, name)
            if value and (allowed is None or dim in allowed):
                chosen[dim] = [value]
        return chosen

    def dropped(self, allowed: tuple[str, ...]) -> list[str]:
        """Chosen dimensions a metric set cannot be filtered by (so the page can say so)."""
        chosen = [dim for name, dim in DIMENSIONS.items() if getattr(self, name)]
        return [dim for dim in chosen if dim not in allowed]

    def with_(self, **changes: object) -> Filters:
        return replace(self, **changes)

    def only(self, uses: tuple[str, ...]) -> Filters:
        """These filters as a page that uses only `uses` (names in FILTERS) sees them: the
        dimensions it does not use unset. The period stays: it is where "today" is."""
        return replace(self, **{name: None for name in DIMENSIONS if name not in uses})


def period_bounds(
    preset: str, as_of: date, custom: tuple[date, date] | None = None
) -> tuple[date, date]:
    """[start, end) of a preset, counted back from the as-of date (the newest data day).

    "This …" periods end after the as-of day, so a half-finished month is compared with
    the same number of days before it. `custom` is (first day, last day), both inclusive.
    """
    after = as_of + timedelta(days=1)
    monday = week_start(as_of)
    bounds = {
        "today": (as_of, after),
        "yesterday": (as_of - timedelta(days=1), as_of),
        "this_week": (monday, after),
        "last_week": (monday - timedelta(days=7), monday),
        "this_month": (month_start(as_of), after),
        "last_month": (add_months(month_start(as_of), -1), month_start(as_of)),
        "this_quarter": (quarter_start(as_of), after),
        "ytd": (date(as_of.year, 1, 1), after),
        "last_12_months": (add_months(month_start(as_of), -11), after),
    }
    if preset == "custom":
        first, last = custom or (month_start(as_of), as_of)
        if last < first:
            first, last = last, first
        return first, last + timedelta(days=1)
    return bounds.get(preset, bounds[DEFAULT_PRESET])


def trend_grain(start: date, end: date) -> str:
    """Day buckets for short periods, weeks up to half a year, months beyond."""
    days = (end - start).days
    if days <= 62:
        return "day"
    return "week" if days <= 190 else "month"


def sparkline_window(filters: Filters) -> tuple[date, date, str]:
    """At least four weeks ending with the period, so a one-day period still shows a trend."""
    start = min(filters.start, filters.end - timedelta(days=28))
    return start, filters.end, trend_grain(start, filters.end)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def from_params(params: Mapping[str, str], as_of: date) -> Filters:
    """Filters from URL query parameters; anything unknown or malformed falls back."""
    preset = params.get("period", DEFAULT_PRESET)
    if preset not in PRESETS:
        preset = DEFAULT_PRESET
    custom = None
    first, last = _date(params.get("from")), _date(params.get("to"))
    if preset == "custom" and first and last:
        custom = (first, last)
    start, end = period_bounds(preset, as_of, custom)
    lang = params.get("lang", DEFAULT_LANG)
    return Filters(
        preset=preset,
        start=start,
        end=end,
        plant=params.get("plant") or None,
        line=params.get("line") or None,
        shift=params.get("shift") or None,
        family=params.get("family") or None,
        lang=lang if lang in LANGS else DEFAULT_LANG,
    )


def to_params(filters: Filters, default_lang: str = DEFAULT_LANG) -> dict[str, str]:
    """The URL query parameters that reproduce these filters (defaults left out: the language
    when it is the reader's own, `default_lang`)."""
    params = {"period": filters.preset}
    if filters.preset == "custom":
        params["from"] = filters.start.isoformat()
        params["to"] = filters.last_day.isoformat()
    for name in ("plant", "line", "shift", "family"):
        value = getattr(filters, name)
        if value:
            params[name] = value
    if filters.lang != default_lang:
        params["lang"] = filters.lang
    return params
