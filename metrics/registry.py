"""Loading and validating the metrics registry (metrics/registry.yaml).

The registry is data: dimensions, the mart facts with their columns, and the metrics.
`load_registry()` parses it into small frozen dataclasses and refuses an inconsistent file
with a `RegistryError` that lists every problem, each naming the entry and field at fault.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlglot
import yaml
from sqlglot import exp

from metrics.errors import RegistryError

REGISTRY_PATH = Path(__file__).resolve().parent / "registry.yaml"
GRAINS = ("day", "week", "month", "quarter", "year")
KINDS = ("ratio", "sum", "cpk", "derived")
AGGS = ("sum", "count", "count_distinct")
DIRECTIONS = ("higher_is_better", "lower_is_better")
FORMAT_STYLES = ("percent", "number")
AREAS = {
    "equipment": ("Equipment effectiveness", "设备效率"),
    "quality": ("Quality", "质量"),
    "delivery": ("Delivery and orders", "交付与订单"),
    "inventory": ("Inventory", "库存"),
    "volume": ("Volume", "数量"),
}
DAYS_IN_PERIOD = "days_in_period"

_REQUIRED_METRIC_FIELDS = (
    "area",
    "label_en",
    "label_zh",
    "description",
    "unit",
    "format",
    "direction",
    "target",
    "owner",
    "dimensions",
    "synonyms",
    "kind",
)
_METRIC_FIELDS = {
    *_REQUIRED_METRIC_FIELDS,
    "required_dimensions",
    "numerator",
    "denominator",
    "value",
    "scale",
    "divide_by",
    "formula",
    "limits",
}
_SECTIONS = (
    "dimensions",
    "grains",
    "dimension_tables",
    "facts",
    "dimension_sets",
    "aggregates",
    "metrics",
)
_AGGREGATE_FIELDS = {"fact", "time", "agg", "columns", "filter", "missing"}
MISSING = ("zero", "unknown")


@dataclass(frozen=True)
class Dimension:
    name: str
    label_en: str
    label_zh: str
    key: str
    table: str | None = None
    table_key: str | None = None
    label_columns: Mapping[str, str] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class Fact:
    name: str
    grain: str
    columns: tuple[str, ...]
    time_columns: tuple[str, ...]
    dimensions: Mapping[str, str]


@dataclass(frozen=True)
class Aggregate:
    """An aggregate over one fact: Σ of columns (added row by row), count of rows, or count
    of distinct values, of the rows that pass `filter`, bucketed by the `time` column.
    As a numerator, `missing` says what a group without rows of this fact counts as: zero
    (no defects recorded = 0 defects) or unknown, giving NULL (no meter readings)."""

    fact: str
    time: str
    agg: str = "sum"
    columns: tuple[str, ...] = ()
    filter: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    missing: str = "zero"

    def describe(self) -> str:
        if self.agg == "count":
            body = f"count({self.fact})"
        elif self.agg == "count_distinct":
            body = f"count distinct {self.fact}.{self.columns[0]}"
        else:
            body = "Σ " + " + ".join(f"{self.fact}.{c}" for c in self.columns)
            if len(self.columns) > 1:
                body = "Σ (" + body[2:] + ")"
        if self.filter:
            conditions = " and ".join(
                f"{c} = {v[0]}" if len(v) == 1 else f"{c} in {list(v)}" for c, v in self.filter
            )
            body += f" [{conditions}]"
        return body


@dataclass(frozen=True)
class Metric:
    name: str
    area: str
    label_en: str
    label_zh: str
    description: str
    unit: str
    format: Mapping[str, Any]
    direction: str
    target: float | None
    owner: str
    dimensions: tuple[str, ...]
    synonyms: Mapping[str, tuple[str, ...]]
    kind: str
    numerator: Aggregate | None = None
    denominator: Aggregate | None = None
    value: Aggregate | None = None
    scale: float = 1.0
    divide_by: float = 1.0
    formula: str | None = None
    references: tuple[str, ...] = ()
    limits: Mapping[str, str] = field(default_factory=dict)
    required_dimensions: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    @property
    def aggregates(self) -> tuple[Aggregate, ...]:
        return tuple(a for a in (self.numerator, self.denominator, self.value) if a is not None)

    @property
    def uses_days_in_period(self) -> bool:
        return self.kind == "derived" and DAYS_IN_PERIOD in self.references

    def formula_text(self) -> str:
        """The formula in words, for the catalogue and for `--list`."""
        factor = ""
        if self.scale != 1:
            factor += f" × {_number(self.scale)}"
        if self.divide_by != 1:
            factor += f" / {_number(self.divide_by)}"
        if self.kind == "ratio":
            assert self.numerator is not None and self.denominator is not None
            text = f"{self.numerator.describe()} / {self.denominator.describe()}"
            return f"({text}){factor}" if factor else text
        if self.kind == "sum":
            assert self.value is not None
            return f"{self.value.describe()}{factor}"
        if self.kind == "cpk":
            assert self.value is not None
            column = f"{self.value.fact}.{self.value.columns[0]}"
            return (
                f"min({self.limits['usl']} − mean, mean − {self.limits['lsl']}) / (3 × stddev_samp)"
                f" of {column} per {' × '.join(self.required_dimensions)}"
            )
        return str(self.formula)


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True, eq=False)
class Registry:
    """The loaded registry; compared and hashed by identity (it is cached per file)."""

    source: str
    dimensions: Mapping[str, Dimension]
    grains: Mapping[str, Mapping[str, str]]
    facts: Mapping[str, Fact]
    dimension_tables: Mapping[str, tuple[str, ...]]
    metrics: Mapping[str, Metric]
    formulas: Mapping[str, exp.Expression] = field(default_factory=dict, compare=False)

    def metric(self, name: str) -> Metric:
        from metrics.errors import MetricError

        try:
            return self.metrics[name]
        except KeyError:
            raise MetricError(
                f"Unknown metric {name!r}. Known metrics: {', '.join(sorted(self.metrics))}."
            ) from None

    def dimension(self, name: str) -> Dimension:
        from metrics.errors import MetricError

        try:
            return self.dimensions[name]
        except KeyError:
            raise MetricError(
                f"Unknown dimension {name!r}. Known dimensions: "
                f"{', '.join(self.dimensions)}; time grains: {', '.join(GRAINS)}."
            ) from None

    def facts_of(self, metric: Metric) -> tuple[str, ...]:
        """The facts a metric reads, derived metrics through the metrics they reference."""
        if metric.kind == "derived":
            names: list[str] = []
            for ref in metric.references:
                if ref in self.metrics:
                    names += [f for f in self.facts_of(self.metrics[ref]) if f not in names]
            return tuple(names)
        return tuple(dict.fromkeys(a.fact for a in metric.aggregates))


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> Registry:
    text = Path(path).read_text(encoding="utf-8")
    return parse_registry(yaml.safe_load(text), source=path)


def load_registry(path: str | Path | None = None) -> Registry:
    """Load and validate the registry (cached until the file changes)."""
    chosen = Path(path) if path is not None else REGISTRY_PATH
    try:
        mtime = chosen.stat().st_mtime_ns
    except FileNotFoundError:
        raise RegistryError(str(chosen), ["file not found"]) from None
    return _load_cached(str(chosen), mtime)


def parse_registry(data: Any, *, source: str = "<registry>") -> Registry:
    """Build a Registry from parsed YAML, raising RegistryError with every problem found."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise RegistryError(source, ["the file must hold dimensions, facts and metrics"])
    for section in data:
        if section not in _SECTIONS:
            problems.append(f"unknown section {section!r} (known: {', '.join(_SECTIONS)})")
    for section in ("dimensions", "facts", "metrics"):
        if not isinstance(data.get(section), dict) or not data[section]:
            problems.append(f"section {section!r} is missing or empty")
    if problems:
        raise RegistryError(source, problems)

    dimension_tables = {
        str(name): tuple(columns or ())
        for name, columns in (data.get("dimension_tables") or {}).items()
    }
    dimensions = {
        name: _dimension(name, spec, dimension_tables, problems)
        for name, spec in data["dimensions"].items()
    }
    grains = dict(data.get("grains") or {g: {"label_en": g, "label_zh": g} for g in GRAINS})
    for grain in grains:
        if grain not in GRAINS:
            problems.append(f"grain {grain!r}: unknown grain (use {', '.join(GRAINS)})")
    facts = {name: _fact(name, spec, dimensions, problems) for name, spec in data["facts"].items()}
    metrics: dict[str, Metric] = {}
    formulas: dict[str, exp.Expression] = {}
    for name, spec in data["metrics"].items():
        metric = _metric(name, spec, facts, dimensions, problems)
        if metric is not None:
            metrics[name] = metric
            if metric.kind == "derived" and metric.formula:
                formulas[name] = sqlglot.parse_one(metric.formula, read="duckdb")
    registry = Registry(source, dimensions, grains, facts, dimension_tables, metrics, formulas)
    for metric in metrics.values():
        _check_metric_dimensions(registry, metric, problems)
    if problems:
        raise RegistryError(source, list(dict.fromkeys(problems)))
    return registry


def _text(spec: Mapping[str, Any], key: str, where: str, problems: list[str]) -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: missing {key}")
        return ""
    return value.strip()


def _dimension(
    name: str, spec: Any, tables: Mapping[str, tuple[str, ...]], problems: list[str]
) -> Dimension:
    where = f"dimension {name!r}"
    if not isinstance(spec, dict):
        problems.append(f"{where}: must be a mapping")
        return Dimension(name, name, name, name)
    label_en = _text(spec, "label_en", where, problems)
    label_zh = _text(spec, "label_zh", where, problems)
    key = _text(spec, "key", where, problems)
    table = spec.get("table")
    table_key = spec.get("table_key") or key
    label_columns = dict(spec.get("label_columns") or {})
    if table is not None:
        if table not in tables:
            problems.append(f"{where}: table {table!r} is not in dimension_tables")
        else:
            for column in (table_key, *label_columns.values()):
                if column not in tables[table]:
                    problems.append(f"{where}: column {column!r} is not in {table}")
        for lang in ("en", "zh"):
            if lang not in label_columns:
                problems.append(f"{where}: label_columns needs an {lang!r} column")
    return Dimension(
        name, label_en, label_zh, key, table, table_key if table else None, label_columns
    )


def _fact(name: str, spec: Any, dimensions: Mapping[str, Dimension], problems: list[str]) -> Fact:
    where = f"fact {name!r}"
    if not isinstance(spec, dict):
        problems.append(f"{where}: must be a mapping")
        return Fact(name, "", (), (), {})
    columns = tuple(spec.get("columns") or ())
    if not columns:
        problems.append(f"{where}: missing columns")
    times = tuple(spec.get("time_columns") or ())
    if not times:
        problems.append(f"{where}: missing time_columns")
    for column in times:
        if column not in columns:
            problems.append(f"{where}: time column {column!r} is not one of its columns")
    mapping = dict(spec.get("dimensions") or {})
    for dim, column in mapping.items():
        if dim not in dimensions:
            problems.append(f"{where}: unknown dimension {dim!r} (known: {', '.join(dimensions)})")
        if column not in columns:
            problems.append(
                f"{where}: dimension {dim!r} maps to {column!r}, which is not one of its columns"
            )
    return Fact(name, str(spec.get("grain", "")), columns, times, mapping)


def _aggregate(
    spec: Any, where: str, facts: Mapping[str, Fact], problems: list[str]
) -> Aggregate | None:
    if not isinstance(spec, dict):
        problems.append(f"{where}: must be a mapping with fact, time and columns")
        return None
    for key in spec:
        if key not in _AGGREGATE_FIELDS:
            problems.append(f"{where}: unknown field {key!r}")
    fact_name = spec.get("fact")
    fact = facts.get(fact_name)
    if fact is None:
        problems.append(f"{where}: unknown fact {fact_name!r} (known: {', '.join(facts)})")
        return None
    agg = spec.get("agg", "sum")
    if agg not in AGGS:
        problems.append(f"{where}: agg {agg!r} must be one of {', '.join(AGGS)}")
    time = spec.get("time")
    if time not in fact.time_columns:
        problems.append(
            f"{where}: time {time!r} is not a time column of {fact_name} "
            f"(use one of {', '.join(fact.time_columns)})"
        )
    columns = tuple(spec.get("columns") or ())
    if agg in ("sum", "count_distinct") and not columns:
        problems.append(f"{where}: {agg} needs columns")
    if agg == "count_distinct" and len(columns) > 1:
        problems.append(f"{where}: count_distinct takes one column")
    filters = []
    for column, value in (spec.get("filter") or {}).items():
        values = tuple(value) if isinstance(value, list) else (value,)
        filters.append((column, values))
    for column in (*columns, *(c for c, _ in filters)):
        if column not in fact.columns:
            problems.append(f"{where}: column {column!r} is not in {fact_name}")
    missing = spec.get("missing", "zero")
    if missing not in MISSING:
        problems.append(f"{where}: missing {missing!r} must be one of {', '.join(MISSING)}")
    return Aggregate(fact_name, str(time), agg, columns, tuple(filters), str(missing))


def _metric(
    name: str,
    spec: Any,
    facts: Mapping[str, Fact],
    dimensions: Mapping[str, Dimension],
    problems: list[str],
) -> Metric | None:
    where = f"metric {name!r}"
    if not isinstance(spec, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    for key in spec:
        if key not in _METRIC_FIELDS:
            problems.append(f"{where}: unknown field {key!r}")
    for key in _REQUIRED_METRIC_FIELDS:
        if key not in spec or spec[key] in ("", [], {}):
            problems.append(f"{where}: missing {key}")
    for key in ("label_en", "label_zh", "description", "unit", "owner"):
        if key in spec and (not isinstance(spec[key], str) or not spec[key].strip()):
            problems.append(f"{where}: {key} must be non-empty text")
    area = spec.get("area")
    if area is not None and area not in AREAS:
        problems.append(f"{where}: area {area!r} must be one of {', '.join(AREAS)}")
    direction = spec.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        problems.append(f"{where}: direction {direction!r} must be one of {', '.join(DIRECTIONS)}")
    fmt = spec.get("format") or {}
    if not isinstance(fmt, dict) or fmt.get("style") not in FORMAT_STYLES:
        problems.append(f"{where}: format.style must be one of {', '.join(FORMAT_STYLES)}")
        fmt = {"style": "number", "decimals": 2}
    elif not isinstance(fmt.get("decimals", 0), int):
        problems.append(f"{where}: format.decimals must be a whole number")
    target = spec.get("target")
    if target is not None and not isinstance(target, int | float):
        problems.append(f"{where}: target must be a number or null")
    synonyms = spec.get("synonyms") or {}
    if not isinstance(synonyms, dict) or not synonyms.get("en") or not synonyms.get("zh"):
        problems.append(f"{where}: synonyms needs non-empty en and zh lists")
        synonyms = {}
    dims = tuple(spec.get("dimensions") or ())
    for dim in dims:
        if dim not in dimensions:
            problems.append(f"{where}: unknown dimension {dim!r} (known: {', '.join(dimensions)})")
    required = tuple(spec.get("required_dimensions") or ())
    for dim in required:
        if dim not in dims:
            problems.append(f"{where}: required dimension {dim!r} is not among its dimensions")

    kind = spec.get("kind")
    parts: dict[str, Any] = {}
    if kind not in KINDS:
        problems.append(f"{where}: kind {kind!r} must be one of {', '.join(KINDS)}")
    elif kind == "ratio":
        for side in ("numerator", "denominator"):
            parts[side] = _aggregate(spec.get(side), f"{where} {side}", facts, problems)
    elif kind in ("sum", "cpk"):
        parts["value"] = _aggregate(spec.get("value"), f"{where} value", facts, problems)
    if kind == "cpk":
        limits = dict(spec.get("limits") or {})
        value = parts.get("value")
        for key in ("lsl", "usl", "order_by"):
            if key not in limits:
                problems.append(f"{where}: limits needs {key}")
            elif value is not None and limits[key] not in facts[value.fact].columns:
                problems.append(f"{where}: limits.{key} {limits[key]!r} is not in {value.fact}")
        if value is not None and (value.agg != "sum" or len(value.columns) != 1):
            problems.append(f"{where}: cpk value needs exactly one measured column")
        parts["limits"] = limits
    references: tuple[str, ...] = ()
    if kind == "derived":
        formula = spec.get("formula")
        if not isinstance(formula, str) or not formula.strip():
            problems.append(f"{where}: derived metrics need a formula")
        else:
            try:
                tree = sqlglot.parse_one(formula, read="duckdb")
            except sqlglot.errors.ParseError as error:
                problems.append(f"{where}: formula does not parse: {error}")
            else:
                references = tuple(dict.fromkeys(c.name for c in tree.find_all(exp.Column)))
                parts["formula"] = formula.strip()
    for key in ("scale", "divide_by"):
        if key in spec and (not isinstance(spec[key], int | float) or spec[key] == 0):
            problems.append(f"{where}: {key} must be a non-zero number")
    return Metric(
        name=name,
        area=str(area),
        label_en=str(spec.get("label_en", "")),
        label_zh=str(spec.get("label_zh", "")),
        description=" ".join(str(spec.get("description", "")).split()),
        unit=str(spec.get("unit", "")),
        format=fmt,
        direction=str(direction),
        target=target,
        owner=str(spec.get("owner", "")),
        dimensions=dims,
        synonyms={lang: tuple(words) for lang, words in synonyms.items()},
        kind=str(kind),
        numerator=parts.get("numerator"),
        denominator=parts.get("denominator"),
        value=parts.get("value"),
        scale=float(spec.get("scale", 1)),
        divide_by=float(spec.get("divide_by", 1)),
        formula=parts.get("formula"),
        references=references,
        limits=parts.get("limits", {}),
        required_dimensions=required,
    )


def _check_metric_dimensions(registry: Registry, metric: Metric, problems: list[str]) -> None:
    where = f"metric {metric.name!r}"
    if metric.kind == "derived":
        for ref in metric.references:
            if ref == DAYS_IN_PERIOD:
                continue
            target = registry.metrics.get(ref)
            if target is None:
                problems.append(
                    f"{where}: formula names {ref!r}, which is neither a metric nor "
                    f"{DAYS_IN_PERIOD}"
                )
            elif target.kind == "derived":
                problems.append(f"{where}: formula names derived metric {ref!r}; use base metrics")
            else:
                for dim in metric.dimensions:
                    if dim not in target.dimensions:
                        problems.append(
                            f"{where}: allows dimension {dim!r}, which {ref!r} does not allow"
                        )
        return
    for aggregate in metric.aggregates:
        fact = registry.facts[aggregate.fact]
        for dim in metric.dimensions:
            if dim not in fact.dimensions:
                problems.append(
                    f"{where}: allows dimension {dim!r}, but fact {fact.name} does not carry it "
                    f"(it carries {', '.join(fact.dimensions)})"
                )
