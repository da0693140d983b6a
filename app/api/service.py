"""What the routes compute, through the metrics layer and app.reports: the catalogue,
dimension values, metric queries, questions, the build's records and alerts. Each function
takes the published build and the caller's scope and returns a `Result` (encoders.py);
metric errors become problems with the metrics layer's own actionable message."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

import duckdb
import polars as pl

import metrics
from app.api.encoders import Result
from app.api.problems import Problem
from app.api.runtime import Build
from metrics import builds
from metrics.asof import as_of_date
from metrics.errors import MetricError
from metrics.i18n import LANGS
from metrics.nlq.cache import learned
from metrics.registry import GRAINS, Registry
from metrics.scope import Scope
from metrics.status import amber_band
from metrics.timeexpr import parse_date


@contextmanager
def cursor(build: Build) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of the build's connection for one request's thread."""
    cur = build.con.cursor()
    try:
        yield cur
    finally:
        cur.close()


def registry() -> Registry:
    return metrics.load_registry()


def scope_doc(scope: Scope) -> str | list[str]:
    return "all" if scope.is_all else list(scope.sorted())


# -- catalogue --------------------------------------------------------------------------


def labels(item: Any) -> dict[str, str]:
    """A metric's, dimension's or value's name per language as label_<lang> keys (flat, so
    every tabular format holds them): label_en, label_zh, label_vi."""
    return {f"label_{lang}": item.label(lang) for lang in LANGS}


def metric_doc(name: str) -> dict[str, Any]:
    m = registry().metrics[name]
    return {
        "name": name,
        "area": m.area,
        **labels(m),
        "description": m.description,
        "unit": m.unit,
        "format": {"style": m.format["style"], "decimals": m.format.get("decimals")},
        "direction": m.direction,
        "target": m.target,
        "amber_band": amber_band(m) if m.target is not None else None,
        "owner": m.owner,
        "dimensions": list(m.dimensions),
        "required_dimensions": list(m.required_dimensions),
        "formula": m.formula_text(),
    }


def known_metric(name: str) -> str:
    try:
        return registry().metric(name).name
    except MetricError as error:
        raise Problem(404, "not-found", str(error)) from None


def catalogue(build: Build, names: tuple[str, ...] | None = None) -> Result:
    docs = [metric_doc(n) for n in (names or tuple(registry().metrics))]
    frame = pl.DataFrame(
        [
            {
                **{k: v for k, v in doc.items() if k != "format"},
                "format_style": doc["format"]["style"],
                "format_decimals": doc["format"]["decimals"],
            }
            for doc in docs
        ],
        schema_overrides={
            "target": pl.Float64,
            "amber_band": pl.Float64,
            "format_decimals": pl.Int64,
        },
    )
    return Result({"build_id": build.id}, frame, rows_key="metrics")


# -- dimensions -------------------------------------------------------------------------


def dimensions(build: Build) -> Result:
    reg = registry()
    rows = [
        {
            "name": name,
            **labels(dim),
            "key": dim.key,
            "metrics": [m for m, metric in reg.metrics.items() if name in metric.dimensions],
        }
        for name, dim in reg.dimensions.items()
    ]
    grains = [
        {"name": g, **{f"label_{lang}": reg.grain_label(g, lang) for lang in LANGS}}
        for g in reg.grains
    ]
    return Result({"build_id": build.id, "grains": grains}, pl.DataFrame(rows), "dimensions")


def known_dimension(name: str) -> str:
    try:
        return registry().dimension(name).name
    except MetricError as error:
        raise Problem(404, "not-found", str(error)) from None


def dimension_values(build: Build, dim: str, scope: Scope) -> Result:
    """The dimension's values the caller's plants hold, with their names per language
    (label_vi is the English name where the warehouse has no Vietnamese one) and the keys of
    the dimensions above it, e.g. a line's plant."""
    with cursor(build) as cur:
        vocabulary = learned(cur, scope).vocabulary
    values = vocabulary.values.get(dim, {})
    parents = sorted({p for v in values.values() for p in v.parents})
    rows = [
        {
            "key": v.key,
            **labels(v),
            **{p: v.parents.get(p) for p in parents},
        }
        for _, v in sorted(values.items())
    ]
    schema = {"key": pl.String, **{f"label_{lang}": pl.String for lang in LANGS}}
    schema.update({p: pl.String for p in parents})
    frame = pl.DataFrame(rows, schema=schema)
    return Result(
        {"build_id": build.id, "dimension": dim, "scope": scope_doc(scope)}, frame, "values"
    )


# -- query --------------------------------------------------------------------------------


def parse_where(items: list[str] | Mapping[str, Any] | None) -> dict[str, list[str]]:
    """`where=plant=SZ,DG` (repeatable) or a JSON object {dimension: value or [values]}."""
    where: dict[str, list[str]] = {}
    if isinstance(items, Mapping):
        for dim, values in items.items():
            listed = [values] if isinstance(values, str | int | float) else list(values)
            where.setdefault(str(dim), []).extend(str(v) for v in listed)
        return where
    for item in items or []:
        dim, sep, values = item.partition("=")
        if not sep:
            dim, sep, values = item.partition(":")
        listed = [v.strip() for v in values.split(",") if v.strip()]
        if not sep or not dim.strip() or not listed:
            raise Problem(
                422,
                "bad-request",
                f"where={item!r} is not a filter: write where=DIMENSION=VALUE[,VALUE…], "
                "e.g. where=plant=SZ (repeat where for more dimensions).",
            )
        where.setdefault(dim.strip(), []).extend(listed)
    return where


def make_request(
    names: list[str],
    by: list[str] | None,
    where: dict[str, list[str]],
    start: str | date | None,
    end: str | date | None,
    grain: str | None,
    compare: str | None,
    lang: str,
) -> metrics.MetricQuery:
    """The normalised request (MetricError → a 422 problem with the layer's message); the
    registry's checks (unknown metric, dimension not allowed) run when it is compiled."""
    try:
        first, last = parse_date(start, "from"), parse_date(end, "to")
        request = metrics.MetricQuery.build(names, by, where, first, last, grain, compare, lang)
    except MetricError as error:
        raise Problem(422, "bad-request", str(error)) from None
    return request


def request_doc(request: metrics.MetricQuery) -> dict[str, Any]:
    return {
        "metrics": list(request.metrics),
        "by": list(request.by),
        "where": {dim: list(values) for dim, values in request.where},
        "from": request.start.isoformat() if request.start else None,
        "to": request.end.isoformat() if request.end else None,
        "grain": request.grain,
        "compare": request.compare,
        "lang": request.lang,
    }


def run_query(build: Build, request: metrics.MetricQuery, scope: Scope) -> Result:
    try:
        with cursor(build) as cur:
            frame = metrics.query(request, con=cur, scope=scope)
    except MetricError as error:
        raise Problem(422, "bad-request", str(error)) from None
    doc = {"build_id": build.id, "request": request_doc(request), "scope": scope_doc(scope)}
    return Result(doc, frame)


# -- ask ----------------------------------------------------------------------------------


def run_ask(
    build: Build, question: str, as_of: date | None, lang: str | None, scope: Scope, tabular: bool
) -> Result:
    try:
        with cursor(build) as cur:
            answer = metrics.ask(question, as_of, lang=lang, con=cur, scope=scope)
    except MetricError as error:
        raise Problem(422, "bad-request", str(error)) from None
    doc = answer.to_dict()
    doc.pop("data", None)
    doc.pop("timings_ms", None)
    doc["answered"] = answer.data is not None
    doc["build_id"] = build.id
    doc["scope"] = scope_doc(scope)
    if answer.needs_clarification and tabular:
        raise Problem(
            422,
            "clarification-needed",
            f"{answer.clarification.message} Ask again more precisely, or use format=json to "
            "get the choices.",
            candidates=list(answer.candidates),
        )
    return Result(doc, answer.data)


# -- health: the build's records ---------------------------------------------------------


def last_build(build: Build, scope: Scope) -> dict[str, Any] | None:
    with cursor(build) as cur:
        row = builds.last_build(cur, scope)
    if row is None:
        return None
    return {k: _iso(v) for k, v in row.items() if k != "published_file"}


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def freshness(build: Build, scope: Scope) -> Result:
    with cursor(build) as cur:
        as_of = as_of_date(cur)
        frame = builds.freshness(cur, scope)
    doc = {"build_id": build.id, "as_of": as_of.isoformat()}
    return Result(doc, frame, rows_key="sources")


def health(build: Build, scope: Scope) -> Result:
    fresh = freshness(build, scope)
    statuses = (
        fresh.rows["status"].to_list() if fresh.rows is not None and fresh.rows.height else []
    )
    worst = "error" if "error" in statuses else "warn" if "warn" in statuses else "pass"
    return Result(
        {
            "status": "ok",
            "build_id": build.id,
            "as_of": fresh.document["as_of"],
            "freshness": worst,
            "last_build": last_build(build, scope),
            "grains": list(GRAINS),
        }
    )
