"""The metrics registry (metrics/registry.yaml) as a typed model.

The registry is data: dimensions (with the words people use for them), the mart facts with
their columns, and the metrics. `load_registry()` validates the file as `Registry`: unknown
keys are refused, and every problem, from a misspelt key to a metric allowing a dimension its
fact does not carry, is reported at once in a `RegistryError` naming the file, the key and the
line. registry.schema.json beside the YAML is exported from these models (`SCHEMA`).

Every metric, dimension and grain has a label in each language of metrics.i18n.LANGS
(`label_en`, `label_zh`, `label_vi`; `label(lang)`). The names of dimension *values* come
from the marts' dimension tables, which carry English and Chinese names only: a dimension's
`label_columns` needs en and zh, and any other language reads the en column unless one is
given (`Dimension.label_column`, the one place of that rule).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any, Literal, NotRequired, get_args

import sqlglot
from pydantic import AfterValidator, Field, PrivateAttr, model_validator
from sqlglot import exp
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from metrics.errors import RegistryError
from metrics.i18n import DEFAULT_LANG, LANGS
from metrics.scope import MARTS, PlantColumn, Shared, Unrestrictable, Via, reach
from warehouse.config import (
    CONFIG,
    NonEmptyStr,
    Problems,
    SchemaFile,
    StrictModel,
    read_yaml,
    validate,
)

REGISTRY_PATH = Path(__file__).resolve().parent / "registry.yaml"
# The areas metrics are grouped in, with their titles per language.
AREAS: dict[str, dict[str, str]] = {
    "equipment": {"en": "Equipment effectiveness", "zh": "设备效率", "vi": "Hiệu quả thiết bị"},
    "quality": {"en": "Quality", "zh": "质量", "vi": "Chất lượng"},
    "delivery": {"en": "Delivery and orders", "zh": "交付与订单", "vi": "Giao hàng và đơn hàng"},
    "inventory": {"en": "Inventory", "zh": "库存", "vi": "Tồn kho"},
    "planning": {"en": "Planning", "zh": "计划", "vi": "Kế hoạch"},
    "engineering": {"en": "Engineering change", "zh": "工程变更", "vi": "Thay đổi kỹ thuật"},
    "volume": {"en": "Volume", "zh": "数量", "vi": "Sản lượng"},
}
DAYS_IN_PERIOD = "days_in_period"

Lang = Literal[LANGS]  # type: ignore[valid-type]
# The languages every dimension table names its values in (label_columns must give them);
# the source systems carry English and Chinese names only.
LABEL_COLUMN_LANGS: tuple[str, ...] = ("en", "zh")
Grain = Literal["day", "week", "month", "quarter", "year"]
Kind = Literal["ratio", "sum", "cpk", "derived"]
Agg = Literal["sum", "count", "count_distinct", "period_end"]
Direction = Literal["higher_is_better", "lower_is_better"]
FormatStyle = Literal["percent", "number"]
Missing = Literal["zero", "unknown"]
Area = Literal[tuple(AREAS)]  # type: ignore[valid-type]

GRAINS: tuple[str, ...] = get_args(Grain)
KINDS: tuple[str, ...] = get_args(Kind)
AGGS: tuple[str, ...] = get_args(Agg)
DIRECTIONS: tuple[str, ...] = get_args(Direction)
FORMAT_STYLES: tuple[str, ...] = get_args(FormatStyle)
MISSING: tuple[str, ...] = get_args(Missing)

# What each kind of metric is made of; the other parts are refused.
PARTS = ("numerator", "denominator", "value", "formula", "limits")
KIND_PARTS = {
    "ratio": ("numerator", "denominator"),
    "sum": ("value",),
    "cpk": ("value", "limits"),
    "derived": ("formula",),
}

Words = Annotated[tuple[NonEmptyStr, ...], Field(min_length=1)]
Prose = Annotated[NonEmptyStr, AfterValidator(lambda text: " ".join(text.split()))]
Scalar = bool | int | float | str


class Synonyms(TypedDict):
    """Words people use for it, in each language (the question box understands them)."""

    __pydantic_config__ = CONFIG  # type: ignore[misc]
    en: Words
    zh: Words


class ValueWords(StrictModel):
    """Words for one or more values of a dimension ('raw material' is RM; 'Asian customers'
    are East China and South China): the question box reads them as a filter on `keys`."""

    keys: Annotated[tuple[NonEmptyStr, ...], Field(min_length=1)]
    en: tuple[NonEmptyStr, ...] = ()
    zh: tuple[NonEmptyStr, ...] = ()


class Labels(TypedDict):
    """A name in each language (metrics.i18n.LANGS)."""

    __pydantic_config__ = CONFIG  # type: ignore[misc]
    label_en: NonEmptyStr
    label_zh: NonEmptyStr
    label_vi: NonEmptyStr


def label_in(labels: Any, lang: str) -> str:
    """`labels`' (an object or a mapping with label_<lang>) name in `lang`; English for a
    language Andon does not support."""
    key = f"label_{lang if lang in LANGS else DEFAULT_LANG}"
    if isinstance(labels, dict):
        return str(labels.get(key) or labels[f"label_{DEFAULT_LANG}"])
    return str(getattr(labels, key, None) or getattr(labels, f"label_{DEFAULT_LANG}"))


def area_label(area: str, lang: str) -> str:
    """An area's title in `lang` (AREAS); English for a language it lacks."""
    titles = AREAS[area]
    return titles.get(lang) or titles[DEFAULT_LANG]


class Format(TypedDict):
    """How values are shown: as a percent or a number, with this many decimals."""

    __pydantic_config__ = CONFIG  # type: ignore[misc]
    style: FormatStyle
    decimals: NotRequired[Annotated[int, Field(ge=0)]]


class Limits(TypedDict):
    """cpk: the fact columns holding the specification limits and the order that makes the
    newest inspection's limits the group's."""

    __pydantic_config__ = CONFIG  # type: ignore[misc]
    lsl: NonEmptyStr
    usl: NonEmptyStr
    order_by: NonEmptyStr


def _pairs(mapping: dict[str, Any]) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    """{column: value or [values]} as (column, values) pairs, the form the compiler reads."""
    return tuple(
        (column, tuple(value) if isinstance(value, list) else (value,))
        for column, value in mapping.items()
    )


# In the file a mapping {column: value or [values]}; in the model (column, values) pairs.
Filter = Annotated[dict[NonEmptyStr, Scalar | list[Scalar]], AfterValidator(_pairs)]


def _non_zero(value: float) -> float:
    if value == 0:
        raise ValueError("must be a non-zero number")
    return value


class Dimension(StrictModel):
    """What a metric can be grouped and filtered by."""

    label_en: NonEmptyStr
    label_zh: NonEmptyStr
    label_vi: NonEmptyStr
    key: NonEmptyStr = Field(description="The column that carries it in the facts' results.")
    synonyms: Synonyms
    values: tuple[ValueWords, ...] = Field(
        default=(),
        description="Words for its values beyond their names in the data (the first words "
        "of a single-key entry also name a value the data has no table for).",
    )
    table: NonEmptyStr | None = Field(
        default=None, description="The dimension table (of dimension_tables) with its labels."
    )
    table_key: NonEmptyStr | None = Field(
        default=None, description="The table's key column (default: key)."
    )
    label_columns: dict[Lang, NonEmptyStr] = Field(
        default_factory=dict,
        description="The table's label column per language: en and zh are required, any other "
        "language reads the en column unless given.",
    )
    _name: str = PrivateAttr("")

    @model_validator(mode="before")
    @classmethod
    def _table_key_defaults_to_key(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("table") and not data.get("table_key"):
            return {**data, "table_key": data.get("key")}
        return data

    @model_validator(mode="after")
    def _labels_need_a_table(self) -> Dimension:
        problems = Problems()
        if self.table is None:
            for key in ("table_key", "label_columns"):
                if getattr(self, key):
                    problems.add((key,), "needs a table")
        else:
            for lang in LABEL_COLUMN_LANGS:
                if lang not in self.label_columns:
                    problems.add(("label_columns",), f"label_columns needs an {lang!r} column")
        problems.check()
        return self

    @property
    def name(self) -> str:
        return self._name

    def label(self, lang: str) -> str:
        return label_in(self, lang)

    def label_column(self, lang: str) -> str | None:
        """The table's column naming the values in `lang`: its own when label_columns gives
        one, else the English column (a language beyond LABEL_COLUMN_LANGS has no names in
        the source data); None without a table."""
        if self.table is None:
            return None
        return self.label_columns.get(lang) or self.label_columns[DEFAULT_LANG]


class Fact(StrictModel):
    """A mart fact table: its columns, time columns, and which column carries which
    dimension."""

    grain: NonEmptyStr
    columns: Annotated[tuple[NonEmptyStr, ...], Field(min_length=1)]
    time_columns: Annotated[tuple[NonEmptyStr, ...], Field(min_length=1)]
    dimensions: dict[NonEmptyStr, NonEmptyStr] = Field(default_factory=dict)
    _name: str = PrivateAttr("")

    @model_validator(mode="after")
    def _columns_are_its_own(self) -> Fact:
        problems = Problems()
        for i, column in enumerate(self.time_columns):
            if column not in self.columns:
                problems.add(
                    ("time_columns", i), f"time column {column!r} is not one of its columns"
                )
        for dim, column in self.dimensions.items():
            if column not in self.columns:
                problems.add(
                    ("dimensions", dim),
                    f"dimension {dim!r} maps to {column!r}, which is not one of its columns",
                )
        problems.check()
        return self

    @property
    def name(self) -> str:
        return self._name


class Aggregate(StrictModel):
    """An aggregate over one fact: Σ of columns (added row by row), count of rows (or of one
    column's non-NULL values), count of distinct values, or `period_end`: Σ of the column on
    the period's last `time` value in the data (a stock such as open changes, counted at the
    period end, never added up over days), of the rows that pass `filter`, bucketed by the
    `time` column.
    As a numerator, `missing` says what a group without rows of this fact counts as: zero
    (no defects recorded = 0 defects) or unknown, giving NULL (no meter readings)."""

    fact: NonEmptyStr
    time: NonEmptyStr
    agg: Agg = "sum"
    columns: tuple[NonEmptyStr, ...] = ()
    filter: Filter = Field(default_factory=dict, validate_default=True)
    missing: Missing = "zero"

    @model_validator(mode="after")
    def _columns_fit_agg(self) -> Aggregate:
        if self.agg in ("sum", "count_distinct", "period_end") and not self.columns:
            raise ValueError(f"agg {self.agg} needs columns")
        if self.agg in ("count_distinct", "period_end") and len(self.columns) > 1:
            raise ValueError(f"agg {self.agg} takes one column")
        if self.agg == "count" and len(self.columns) > 1:
            raise ValueError("agg count counts rows, or one column's non-NULL values")
        return self

    def describe(self) -> str:
        if self.agg == "count":
            body = (
                f"count({self.fact}.{self.columns[0]})" if self.columns else f"count({self.fact})"
            )
        elif self.agg == "count_distinct":
            body = f"count distinct {self.fact}.{self.columns[0]}"
        elif self.agg == "period_end":
            body = f"Σ {self.fact}.{self.columns[0]} on the period's last {self.time}"
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


class Metric(StrictModel):
    """One governed KPI: what it means, how it is shown and judged, and how it is computed
    (`kind`: ratio = numerator / denominator; sum = value; cpk = capability of value's one
    column; derived = formula over other metrics and days_in_period)."""

    area: Area
    label_en: NonEmptyStr
    label_zh: NonEmptyStr
    label_vi: NonEmptyStr
    description: Prose
    unit: NonEmptyStr
    format: Format
    direction: Direction
    target: float | None = Field(description="The default target; null: none.")
    amber_band: Annotated[float, Field(ge=0)] | None = Field(
        default=None,
        description="How far on the wrong side of the target a value is amber (near target) "
        "rather than red, in the metric's own units: 0.02 of a percent metric is 2 "
        "percentage points, 1 of a metric in days is a day. Default: 2 % of |target| "
        "(metrics/status.py DEFAULT_AMBER_SHARE); 0: no amber.",
    )
    owner: NonEmptyStr = Field(description="The role that owns it (contacts.yaml).")
    dimensions: Annotated[tuple[NonEmptyStr, ...], Field(min_length=1)]
    required_dimensions: tuple[NonEmptyStr, ...] = Field(
        default=(), description="Dimensions every query of it must group by."
    )
    synonyms: Synonyms
    kind: Kind
    numerator: Aggregate | None = None
    denominator: Aggregate | None = None
    value: Aggregate | None = None
    scale: Annotated[float, AfterValidator(_non_zero)] = 1.0
    divide_by: Annotated[float, AfterValidator(_non_zero)] = 1.0
    formula: NonEmptyStr | None = Field(
        default=None, description="derived: SQL over metric names and days_in_period."
    )
    limits: Limits | None = None
    _name: str = PrivateAttr("")
    _tree: exp.Expression | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _fits_kind(self) -> Metric:
        problems = Problems()
        needed = KIND_PARTS[self.kind]
        for part in PARTS:
            given = getattr(self, part) is not None
            if part in needed and not given:
                problems.add((part,), f"kind {self.kind} needs {part}")
            elif part not in needed and given:
                users = [kind for kind, parts in KIND_PARTS.items() if part in parts]
                problems.add((part,), f"{part} is for kind {' and '.join(users)}, not {self.kind}")
        value = self.value
        if (
            self.kind == "cpk"
            and value is not None
            and (value.agg, len(value.columns)) != ("sum", 1)
        ):
            problems.add(("value",), "cpk value needs exactly one measured column (agg sum)")
        if self.formula is not None and self.kind == "derived":
            try:
                self._tree = sqlglot.parse_one(self.formula, read="duckdb")
            except sqlglot.errors.ParseError as error:
                problems.add(("formula",), f"formula does not parse: {error}")
        for i, dim in enumerate(self.required_dimensions):
            if dim not in self.dimensions:
                problems.add(
                    ("required_dimensions", i),
                    f"required dimension {dim!r} is not among its dimensions",
                )
        if self.amber_band is not None and self.target is None:
            problems.add(("amber_band",), "amber_band needs a target")
        problems.check()
        return self

    @property
    def name(self) -> str:
        return self._name

    @property
    def references(self) -> tuple[str, ...]:
        """The names a derived metric's formula uses: metrics and days_in_period."""
        if self._tree is None:
            return ()
        return tuple(dict.fromkeys(c.name for c in self._tree.find_all(exp.Column)))

    def label(self, lang: str) -> str:
        return label_in(self, lang)

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
            assert self.value is not None and self.limits is not None
            column = f"{self.value.fact}.{self.value.columns[0]}"
            return (
                f"min({self.limits['usl']} − mean, mean − {self.limits['lsl']}) / (3 × stddev_samp)"
                f" of {column} per {' × '.join(self.required_dimensions)}"
            )
        return str(self.formula)


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


class Registry(StrictModel):
    """The governed metrics of Andon (metrics/registry.yaml). Compared and hashed by identity:
    a loaded registry is cached per file."""

    dimensions: Annotated[dict[NonEmptyStr, Dimension], Field(min_length=1)]
    grains: dict[Grain, Labels] = Field(
        default_factory=lambda: {g: {f"label_{lang}": g for lang in LANGS} for g in GRAINS},
        description="Time grains: date_trunc buckets of a fact's time column, with labels.",
    )
    dimension_tables: dict[NonEmptyStr, tuple[NonEmptyStr, ...]] = Field(
        default_factory=dict, description="The marts' dimension tables and their columns."
    )
    facts: Annotated[dict[NonEmptyStr, Fact], Field(min_length=1)]
    dimension_sets: tuple[tuple[NonEmptyStr, ...], ...] = Field(
        default=(), description="Dimension lists shared by several metrics (YAML anchors)."
    )
    aggregates: tuple[Aggregate, ...] = Field(
        default=(), description="Aggregates shared by several metrics (YAML anchors)."
    )
    metrics: Annotated[dict[NonEmptyStr, Metric], Field(min_length=1)]
    _source: str = PrivateAttr("<registry>")
    _formulas: dict[str, exp.Expression] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _references_resolve(self) -> Registry:
        problems = Problems()
        for name, dim in self.dimensions.items():
            self._check_dimension(problems, ("dimensions", name), dim)
        for name, fact in self.facts.items():
            for dim in fact.dimensions:
                if dim not in self.dimensions:
                    problems.add(("facts", name, "dimensions", dim), self._unknown_dimension(dim))
            self._check_plant_reach(problems, ("facts", name), name, fact.columns)
        for i, dims in enumerate(self.dimension_sets):
            for j, dim in enumerate(dims):
                if dim not in self.dimensions:
                    problems.add(("dimension_sets", i, j), self._unknown_dimension(dim))
        for i, aggregate in enumerate(self.aggregates):
            self._check_aggregate(problems, ("aggregates", i), aggregate)
        for name, metric in self.metrics.items():
            self._check_metric(problems, ("metrics", name), metric)
        problems.check("Registry")
        for table in (self.dimensions, self.facts, self.metrics):
            for name, item in table.items():
                item._name = name
        self._formulas = {n: m._tree for n, m in self.metrics.items() if m._tree is not None}
        return self

    def _check_plant_reach(
        self, problems: Problems, loc: tuple, table: str, columns: tuple[str, ...]
    ) -> None:
        """A fact must reach a plant (metrics/scope.py PLANT_REACH) through its own columns,
        or a plant manager's scope could not be applied to it; or be Shared there with its
        reason (the engineering changes of the one product master, the same for every plant)."""
        rule = reach(f"{MARTS}.{table}")
        if isinstance(rule, Shared):
            return
        if isinstance(rule, PlantColumn | Via):
            if rule.column not in columns:
                problems.add(
                    (*loc, "columns"),
                    f"PLANT_REACH reaches a plant through {rule.column!r}, which is not a "
                    f"column of {table}",
                )
            return
        problems.add(
            loc,
            f"{table} does not reach a plant in metrics/scope.py PLANT_REACH ({rule.why}): "
            "every fact needs a plant (or to be Shared master data) so a plant's scope can be "
            "applied to it",
        )

    def _unknown_dimension(self, dim: str) -> str:
        return f"unknown dimension {dim!r} (known: {', '.join(self.dimensions)})"

    def _check_dimension(self, problems: Problems, loc: tuple, dim: Dimension) -> None:
        if dim.table is None:
            return
        rule = reach(f"{MARTS}.{dim.table}")
        if isinstance(rule, Unrestrictable):
            problems.add(
                (*loc, "table"),
                f"{dim.table} cannot be restricted to plants ({rule.why}): add it to "
                "metrics/scope.py PLANT_REACH",
            )
        columns = self.dimension_tables.get(dim.table)
        if columns is None:
            problems.add((*loc, "table"), f"table {dim.table!r} is not in dimension_tables")
            return
        wanted = [("table_key", dim.table_key)]
        wanted += [(("label_columns", lang), column) for lang, column in dim.label_columns.items()]
        for key, column in wanted:
            if column not in columns:
                where = key if isinstance(key, tuple) else (key,)
                problems.add((*loc, *where), f"column {column!r} is not in {dim.table}")

    def _check_aggregate(self, problems: Problems, loc: tuple, aggregate: Aggregate) -> None:
        fact_name = aggregate.fact
        fact = self.facts.get(fact_name)
        if fact is None:
            known = ", ".join(self.facts)
            problems.add((*loc, "fact"), f"unknown fact {fact_name!r} (known: {known})")
            return
        if aggregate.time not in fact.time_columns:
            problems.add(
                (*loc, "time"),
                f"time {aggregate.time!r} is not a time column of {fact_name} "
                f"(use one of {', '.join(fact.time_columns)})",
            )
        for i, column in enumerate(aggregate.columns):
            if column not in fact.columns:
                problems.add((*loc, "columns", i), f"column {column!r} is not in {fact_name}")
        for column, _ in aggregate.filter:
            if column not in fact.columns:
                problems.add((*loc, "filter", column), f"column {column!r} is not in {fact_name}")

    def _check_metric(self, problems: Problems, loc: tuple, metric: Metric) -> None:
        for i, dim in enumerate(metric.dimensions):
            if dim not in self.dimensions:
                problems.add((*loc, "dimensions", i), self._unknown_dimension(dim))
        for side in ("numerator", "denominator", "value"):
            aggregate = getattr(metric, side)
            if aggregate is not None:
                self._check_aggregate(problems, (*loc, side), aggregate)
        if metric.kind == "derived":
            self._check_formula(problems, loc, metric)
            return
        if metric.limits is not None and metric.value is not None:
            fact_name = metric.value.fact
            columns = self.facts[fact_name].columns if fact_name in self.facts else None
            for key, column in metric.limits.items():
                if columns is not None and column not in columns:
                    problems.add((*loc, "limits", key), f"column {column!r} is not in {fact_name}")
        for aggregate in metric.aggregates:
            fact = self.facts.get(aggregate.fact)
            if fact is None:
                continue
            for i, dim in enumerate(metric.dimensions):
                if dim in self.dimensions and dim not in fact.dimensions:
                    problems.add(
                        (*loc, "dimensions", i),
                        f"allows dimension {dim!r}, but fact {aggregate.fact} does not carry it "
                        f"(it carries {', '.join(fact.dimensions)})",
                    )

    def _check_formula(self, problems: Problems, loc: tuple, metric: Metric) -> None:
        for ref in metric.references:
            if ref == DAYS_IN_PERIOD:
                continue
            target = self.metrics.get(ref)
            if target is None:
                problems.add(
                    (*loc, "formula"),
                    f"formula names {ref!r}, which is neither a metric nor {DAYS_IN_PERIOD}",
                )
            elif target.kind == "derived":
                problems.add(
                    (*loc, "formula"), f"formula names derived metric {ref!r}; use base metrics"
                )
            else:
                for i, dim in enumerate(metric.dimensions):
                    if dim not in target.dimensions:
                        problems.add(
                            (*loc, "dimensions", i),
                            f"allows dimension {dim!r}, which {ref!r} does not allow",
                        )

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    @property
    def source(self) -> str:
        """The file it was loaded from."""
        return self._source

    @property
    def formulas(self) -> dict[str, exp.Expression]:
        """The parsed formula of each derived metric."""
        return self._formulas

    def grain_label(self, grain: str, lang: str) -> str:
        """The time grain's name in `lang` (the grain itself when the registry has none)."""
        labels = self.grains.get(grain)  # type: ignore[call-overload]
        return label_in(labels, lang) if labels else grain

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


SCHEMA = SchemaFile(Registry, "Andon metrics registry", REGISTRY_PATH.with_suffix(".schema.json"))


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> Registry:
    data, lines = read_yaml(Path(path), error=RegistryError)
    return parse_registry(data, source=path, lines=lines)


def load_registry(path: str | Path | None = None) -> Registry:
    """Load and validate the registry (cached until the file changes)."""
    chosen = Path(path) if path is not None else REGISTRY_PATH
    try:
        mtime = chosen.stat().st_mtime_ns
    except FileNotFoundError:
        raise RegistryError(chosen, [("", None, "file not found")]) from None
    return _load_cached(str(chosen), mtime)


def parse_registry(
    data: Any, *, source: str = "<registry>", lines: dict[Any, int] | None = None
) -> Registry:
    """A Registry from parsed YAML, or a RegistryError naming every bad key (with its line
    when `lines` from `read_yaml` are given)."""
    registry = validate(Registry, {} if data is None else data, source, lines, error=RegistryError)
    registry._source = source
    return registry
