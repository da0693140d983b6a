"""MetricQuery: one request to the metrics layer, normalised and hashable."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from metrics.errors import MetricError
from metrics.i18n import LANGS
from metrics.registry import GRAINS
from metrics.timeexpr import COMPARES, parse_date


@dataclass(frozen=True)
class MetricQuery:
    """Metrics, grouped `by` dimensions (and `grain` for time), filtered by `where` on
    dimension keys, over [start, end), optionally compared with an earlier window."""

    metrics: tuple[str, ...]
    by: tuple[str, ...] = ()
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    start: date | None = None
    end: date | None = None
    grain: str | None = None
    compare: str | None = None
    lang: str = "en"

    @classmethod
    def build(
        cls,
        metrics: str | Iterable[str],
        by: str | Iterable[str] | None = None,
        where: Mapping[str, str | Iterable[str]] | None = None,
        start: object = None,
        end: object = None,
        grain: str | None = None,
        compare: str | None = None,
        lang: str = "en",
    ) -> MetricQuery:
        """Normalise the arguments callers pass; MetricError for anything malformed."""
        names = _names(metrics)
        if not names:
            raise MetricError("Ask for at least one metric, e.g. metrics=['oee'].")
        dims = []
        for name in _names(by):
            if name in GRAINS:
                if grain not in (None, name):
                    raise MetricError(f"Two time grains asked for: {grain!r} and {name!r}.")
                grain = name
            elif name not in dims:
                dims.append(name)
        filters = []
        for dim, values in (where or {}).items():
            listed = (values,) if isinstance(values, str | int | float) else tuple(values)
            if not listed:
                raise MetricError(f"where[{dim!r}] is empty: give at least one value.")
            filters.append((str(dim), tuple(str(v) for v in listed)))
        first, last = parse_date(start, "start"), parse_date(end, "end")
        if first is not None and last is not None and first >= last:
            raise MetricError(
                f"start {first} must be before end {last} (start is inclusive, end exclusive)."
            )
        if grain is not None and grain not in GRAINS:
            raise MetricError(f"Unknown grain {grain!r}: use one of {', '.join(GRAINS)}.")
        if compare is not None and compare not in COMPARES:
            raise MetricError(
                f"Unknown comparison {compare!r}: use previous_period (previous) or "
                "same_period_last_year (last_year)."
            )
        if lang not in LANGS:
            raise MetricError(f"Unknown language {lang!r}: use one of {', '.join(LANGS)}.")
        return cls(
            metrics=names,
            by=tuple(dims),
            where=tuple(sorted(filters)),
            start=first,
            end=last,
            grain=grain,
            compare=COMPARES[compare] if compare else None,
            lang=lang,
        )


def _names(values: str | Iterable[str] | None) -> tuple[str, ...]:
    if values is None:
        return ()
    items = [values] if isinstance(values, str) else list(values)
    names: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise MetricError(f"{item!r} is not a name: metrics and dimensions are given as text.")
        for part in item.split(","):
            part = part.strip()
            if part and part not in names:
                names.append(part)
    return tuple(names)
