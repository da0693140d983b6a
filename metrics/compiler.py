"""Compiling a MetricQuery into one DuckDB SQL statement, with sqlglot expression builders.

Shape of the statement (CTE names as generated):

    src_<fact>__<time>      one scan per (fact, time column): filters on the time window and
                            the `where` dimension keys, grouped by period and dimension keys,
                            every aggregate the metrics need from that fact (FILTER clauses
                            for aggregate-level conditions such as is_due = 1; a period-end
                            stock keeps the rows of each group's last time value in the
                            period, found by a window over the filtered rows)
    agg                     the scans matched on the grouping keys (UNION ALL, then one row
                            per key with MAX of each aggregate; NULL keys match NULL keys)
    vals                    each metric from the aggregates: ratios of sums with NULLIF on
                            the denominator, cpk from mean/stddev/limits, derived formulas
    result                  with a comparison, current and shifted values side by side
    final select            label columns from the dimension tables, ordered by the keys

The caller's plant scope (metrics/scope.py) is applied where every table is read: each
fact scan and each label lookup reads `scoped_table(...)`, a subquery keeping only the
scope's plants (FALSE for no plants, the plain table for all plants). A `where` filter can
only narrow it further.

User values only ever become literals (IN lists of string literals, DATE literals);
identifiers come only from the registry.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlglot import exp

from metrics.errors import MetricError
from metrics.registry import DAYS_IN_PERIOD, Aggregate, Metric, Registry
from metrics.request import MetricQuery
from metrics.scope import Scope, scoped_table
from metrics.timeexpr import (
    COMPARE_SUFFIX,
    Shift,
    bucket,
    comparison_shift,
    date_literal,
    days_in_period,
)

SCHEMA = "marts"
_TYPES = {
    "double": exp.DataType(this=exp.DataType.Type.DOUBLE),
    "varchar": exp.DataType(this=exp.DataType.Type.VARCHAR),
}


def _type(name: str) -> exp.DataType:
    return _TYPES[name].copy()


PERIOD = "period"
PERIOD_END = "period_end__"  # each row's period's last time value (agg period_end)


@dataclass
class _Source:
    fact: str
    time: str
    aggregates: dict[str, tuple[str, exp.Expression]] = field(default_factory=dict)
    period_end: bool = False

    @property
    def name(self) -> str:
        return f"src_{self.fact}__{self.time}"


@dataclass
class _Plan:
    query: MetricQuery
    registry: Registry
    scope: Scope
    metrics: list[Metric]
    base: list[Metric]
    keys: list[str]
    sources: dict[tuple[str, str], _Source] = field(default_factory=dict)
    columns: dict[tuple[str, str, str], str] = field(default_factory=dict)
    needs_days: bool = False

    def alias(self, aggregate: Aggregate, expression: exp.Expression, hint: str) -> str:
        """The column name of an aggregate in `agg`; equal aggregates share one column."""
        source = self.sources.setdefault(
            (aggregate.fact, aggregate.time), _Source(aggregate.fact, aggregate.time)
        )
        signature = expression.sql("duckdb")
        key = (aggregate.fact, aggregate.time, signature)
        if key not in self.columns:
            name = hint
            while name in self.columns.values():
                name += "_"
            self.columns[key] = name
            source.aggregates[name] = (name, expression)
            source.period_end |= aggregate.agg == "period_end"
        return self.columns[key]


def compile_sql(query: MetricQuery, registry: Registry, scope: Scope) -> str:
    """The DuckDB SQL text answering `query` for `scope` (cached per query, registry and
    scope)."""
    _check_scope(scope)
    return _compile_cached(query, registry, scope)


def _check_scope(scope: object) -> None:
    if not isinstance(scope, Scope):
        raise MetricError(
            f"scope must be a metrics.Scope, not {type(scope).__name__}: pass Scope.of([...]),"
            " Scope.all() or Scope.none()."
        )


@functools.lru_cache(maxsize=512)
def _compile_cached(query: MetricQuery, registry: Registry, scope: Scope) -> str:
    return build_select(query, registry, scope).sql(dialect="duckdb", pretty=True)


def build_select(query: MetricQuery, registry: Registry, scope: Scope) -> exp.Select:
    """The sqlglot expression tree answering `query` with only `scope`'s plants."""
    _check_scope(scope)
    plan = _plan(query, registry, scope)
    for metric in plan.base:
        _register_aggregates(plan, metric)
    if query.compare is None:
        ctes = _value_ctes(plan, prefix="", shift=None)
        result_name = "vals"
        metric_columns = [(m.name, m.name) for m in plan.metrics]
    else:
        shift = comparison_shift(query.compare, query.start, query.end, query.grain)
        ctes = _value_ctes(plan, prefix="cur_", shift=None)
        ctes += _value_ctes(plan, prefix="cmp_", shift=shift)
        ctes.append(("result", _compare_select(plan, query.compare)))
        result_name = "result"
        suffix = COMPARE_SUFFIX[query.compare]
        metric_columns = []
        for metric in plan.metrics:
            metric_columns += [
                (metric.name, metric.name),
                (f"{metric.name}_{suffix}", f"{metric.name}_{suffix}"),
                (f"{metric.name}_delta", f"{metric.name}_delta"),
            ]
    final = _final_select(plan, result_name, [c for c, _ in metric_columns])
    if _sees_nothing(query, registry, scope):
        # not even the one row of NULLs an ungrouped total over no rows gives
        final = final.where(exp.false(), copy=False)
    for name, select in ctes:
        final = final.with_(name, as_=select, copy=False)
    return final


def _sees_nothing(query: MetricQuery, registry: Registry, scope: Scope) -> bool:
    """No plants, or a `where` on plants that are all outside the scope."""
    if scope.is_empty:
        return True
    for dim, values in query.where:
        if registry.dimensions[dim].key == "plant_id" and not any(map(scope.allows, values)):
            return True
    return False


def _plan(query: MetricQuery, registry: Registry, scope: Scope) -> _Plan:
    metrics = [registry.metric(name) for name in query.metrics]
    for dim in (*query.by, *(d for d, _ in query.where)):
        registry.dimension(dim)
    for metric in metrics:
        for dim in (*query.by, *(d for d, _ in query.where)):
            if dim not in metric.dimensions:
                use = "grouped" if dim in query.by else "filtered"
                raise MetricError(
                    f"Metric {metric.name!r} cannot be {use} by {dim!r}: it allows "
                    f"{', '.join(metric.dimensions)} and the time grains."
                )
        # A dimension filtered to one value is as good as grouped by: one group.
        pinned = {d for d, values in query.where if len(values) == 1}
        missing = [d for d in metric.required_dimensions if d not in query.by and d not in pinned]
        if missing:
            raise MetricError(
                f"Metric {metric.name!r} is only meaningful per "
                f"{' and '.join(metric.required_dimensions)}: add by={list(missing)} "
                "(or filter each to one value)."
            )
    base: list[Metric] = []
    for metric in metrics:
        refs = metric.references if metric.kind == "derived" else (metric.name,)
        for ref in refs:
            if ref != DAYS_IN_PERIOD and registry.metrics[ref] not in base:
                base.append(registry.metrics[ref])
    keys = ([PERIOD] if query.grain else []) + [registry.dimensions[d].key for d in query.by]
    plan = _Plan(query, registry, scope, metrics, base, keys)
    plan.needs_days = any(m.uses_days_in_period for m in metrics)
    if plan.needs_days and query.grain is None and (query.start is None or query.end is None):
        names = ", ".join(m.name for m in metrics if m.uses_days_in_period)
        raise MetricError(
            f"{names} divides by the days in the period: give both start and end, or a grain."
        )
    return plan


def _aggregate_expression(aggregate: Aggregate) -> exp.Expression:
    conditions = _conditions(aggregate.filter)
    if aggregate.agg == "count":
        counted = exp.column(aggregate.columns[0]) if aggregate.columns else exp.Star()
        expression: exp.Expression = exp.Count(this=counted)
    elif aggregate.agg == "count_distinct":
        expression = exp.Count(this=exp.Distinct(expressions=[exp.column(aggregate.columns[0])]))
    elif aggregate.agg == "period_end":
        expression = exp.Sum(this=exp.column(aggregate.columns[0]))
        conditions.append(
            exp.EQ(this=exp.column(aggregate.time), expression=exp.column(PERIOD_END))
        )
    elif len(aggregate.columns) == 1:
        expression = exp.Sum(this=exp.column(aggregate.columns[0]))
    else:
        terms = [
            exp.Coalesce(this=exp.column(c), expressions=[exp.Literal.number(0)])
            for c in aggregate.columns
        ]
        total = terms[0]
        for term in terms[1:]:
            total = exp.Add(this=total, expression=term)
        expression = exp.Sum(this=total)
    return _with_filter(expression, conditions)


def _conditions(filters: Iterable[tuple[str, tuple[object, ...]]]) -> list[exp.Expression]:
    conditions: list[exp.Expression] = []
    for column, values in filters:
        literals = [_literal(v) for v in values]
        if len(literals) == 1:
            conditions.append(exp.EQ(this=exp.column(column), expression=literals[0]))
        else:
            conditions.append(exp.In(this=exp.column(column), expressions=literals))
    return conditions


def _literal(value: object) -> exp.Expression:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _with_filter(expression: exp.Expression, conditions: list[exp.Expression]) -> exp.Expression:
    if not conditions:
        return expression
    return exp.Filter(this=expression, expression=exp.Where(this=exp.and_(*conditions)))


def _register_aggregates(plan: _Plan, metric: Metric) -> None:
    if metric.kind == "ratio":
        assert metric.numerator is not None and metric.denominator is not None
        plan.alias(metric.numerator, _aggregate_expression(metric.numerator), f"{metric.name}__num")
        plan.alias(
            metric.denominator, _aggregate_expression(metric.denominator), f"{metric.name}__den"
        )
    elif metric.kind == "sum":
        assert metric.value is not None
        plan.alias(metric.value, _aggregate_expression(metric.value), f"{metric.name}__sum")
    elif metric.kind == "cpk":
        for part, expression in _cpk_aggregates(metric).items():
            assert metric.value is not None
            plan.alias(metric.value, expression, f"{metric.name}__{part}")


def _cpk_aggregates(metric: Metric) -> dict[str, exp.Expression]:
    assert metric.value is not None
    measured = exp.column(metric.value.columns[0])
    present = [exp.Not(this=exp.Is(this=measured.copy(), expression=exp.Null()))]
    present += _conditions(metric.value.filter)
    order = exp.column(metric.limits["order_by"])

    def newest(column: str) -> exp.Expression:
        limit = exp.ArgMax(this=exp.column(column), expression=order.copy())
        return _with_filter(limit, [c.copy() for c in present])

    return {
        "mean": _with_filter(exp.Avg(this=measured.copy()), [c.copy() for c in present]),
        "sd": _with_filter(exp.StddevSamp(this=measured.copy()), [c.copy() for c in present]),
        "usl": newest(metric.limits["usl"]),
        "lsl": newest(metric.limits["lsl"]),
    }


def _source_select(plan: _Plan, source: _Source, shift: Shift | None) -> exp.Select:
    query, registry = plan.query, plan.registry
    fact = registry.facts[source.fact]
    time = exp.column(source.time)
    key_expressions: list[exp.Expression] = []
    if query.grain:
        key_expressions.append(exp.alias_(bucket(time, query.grain, shift), PERIOD))
    for dim in query.by:
        column = fact.dimensions[dim]
        key_expressions.append(exp.alias_(exp.column(column), registry.dimensions[dim].key))
    rows: exp.Expression = scoped_table(f"{SCHEMA}.{source.fact}", plan.scope)
    start = shift.back(query.start) if shift else query.start
    end = shift.back(query.end) if shift else query.end
    conditions: list[exp.Expression] = []
    if start is not None:
        conditions.append(exp.GTE(this=time.copy(), expression=date_literal(start)))
    if end is not None:
        conditions.append(exp.LT(this=time.copy(), expression=date_literal(end)))
    for dim, values in query.where:
        column = exp.column(fact.dimensions[dim])
        conditions.append(exp.In(this=column, expressions=[exp.Literal.string(v) for v in values]))
    if source.period_end:
        # each group's last time value in its period, among the rows the query keeps
        last = exp.Window(
            this=exp.Max(this=time.copy()),
            partition_by=[e.this.copy() for e in key_expressions] or None,
        )
        kept = exp.select(exp.Star(), exp.alias_(last, PERIOD_END)).from_(rows, copy=False)
        if conditions:
            kept = kept.where(exp.and_(*conditions, copy=False), copy=False)
        rows = exp.Subquery(this=kept, alias=exp.TableAlias(this=exp.to_identifier("kept")))
        conditions = []
    select = exp.select(
        *key_expressions, *(exp.alias_(e.copy(), a) for a, e in source.aggregates.values())
    ).from_(rows, copy=False)
    if conditions:
        select = select.where(exp.and_(*conditions, copy=False), copy=False)
    if key_expressions:
        select = select.group_by(*(e.this.copy() for e in key_expressions), copy=False)
    return select


def _value_ctes(plan: _Plan, prefix: str, shift: Shift | None) -> list[tuple[str, exp.Select]]:
    ctes: list[tuple[str, exp.Select]] = []
    sources = list(plan.sources.values())
    for source in sources:
        ctes.append((prefix + source.name, _source_select(plan, source, shift)))
    agg_name = prefix + "agg"
    if len(sources) == 1:
        agg_name = prefix + sources[0].name
    else:
        all_columns = [a for s in sources for a in s.aggregates]
        branches = []
        for source in sources:
            branches.append(
                exp.select(
                    *(exp.column(k) for k in plan.keys),
                    *(
                        exp.column(a) if a in source.aggregates else exp.alias_(exp.Null(), a)
                        for a in all_columns
                    ),
                ).from_(exp.table_(prefix + source.name), copy=False)
            )
        union = branches[0]
        for branch in branches[1:]:
            union = exp.union(union, branch, distinct=False, copy=False)
        merged = exp.select(
            *(exp.column(k) for k in plan.keys),
            *(exp.alias_(exp.Max(this=exp.column(a)), a) for a in all_columns),
        ).from_(
            exp.Subquery(this=union, alias=exp.TableAlias(this=exp.to_identifier("u"))),
            copy=False,
        )
        if plan.keys:
            merged = merged.group_by(*(exp.column(k) for k in plan.keys), copy=False)
        ctes.append((agg_name, merged))
    values = {m.name: _metric_expression(plan, m) for m in plan.base}
    days = None
    if plan.needs_days:
        period = exp.column(PERIOD) if plan.query.grain else None
        days = days_in_period(period, plan.query.grain, plan.query.start, plan.query.end, shift)
    outputs = [exp.column(k) for k in plan.keys]
    for metric in plan.metrics:
        if metric.kind == "derived":
            expression = _derived(plan, metric, values, days)
        else:
            expression = values[metric.name]
        outputs.append(exp.alias_(exp.cast(expression.copy(), _type("double")), metric.name))
    ctes.append((prefix + "vals", exp.select(*outputs).from_(exp.table_(agg_name), copy=False)))
    return ctes


def _safe_divide(numerator: exp.Expression, denominator: exp.Expression) -> exp.Expression:
    return exp.Div(
        this=numerator,
        expression=exp.Nullif(this=denominator, expression=exp.Literal.number(0)),
    )


def _scaled(metric: Metric, expression: exp.Expression) -> exp.Expression:
    if metric.scale != 1:
        expression = exp.Mul(this=exp.Paren(this=expression), expression=_number(metric.scale))
    if metric.divide_by != 1:
        expression = exp.Div(this=exp.Paren(this=expression), expression=_number(metric.divide_by))
    return expression


def _number(value: float) -> exp.Expression:
    return exp.Literal.number(int(value) if float(value).is_integer() else value)


def _metric_expression(plan: _Plan, metric: Metric) -> exp.Expression:
    def column(aggregate: Aggregate, expression: exp.Expression) -> exp.Expression:
        return exp.column(plan.columns[(aggregate.fact, aggregate.time, expression.sql("duckdb"))])

    if metric.kind == "ratio":
        assert metric.numerator is not None and metric.denominator is not None
        numerator = column(metric.numerator, _aggregate_expression(metric.numerator))
        denominator = column(metric.denominator, _aggregate_expression(metric.denominator))
        if metric.numerator.missing == "zero":
            numerator = exp.Coalesce(this=numerator, expressions=[exp.Literal.number(0)])
        ratio = _safe_divide(numerator, denominator)
        return _scaled(metric, ratio)
    if metric.kind == "sum":
        assert metric.value is not None
        return _scaled(metric, column(metric.value, _aggregate_expression(metric.value)))
    assert metric.value is not None
    parts = {k: column(metric.value, e) for k, e in _cpk_aggregates(metric).items()}
    spread = exp.Least(
        this=exp.Sub(this=parts["usl"], expression=parts["mean"]),
        expressions=[exp.Sub(this=parts["mean"].copy(), expression=parts["lsl"])],
        ignore_nulls=True,
    )
    sigma3 = exp.Mul(this=exp.Literal.number(3), expression=parts["sd"])
    return _scaled(metric, _safe_divide(spread, sigma3))


def _derived(
    plan: _Plan, metric: Metric, values: dict[str, exp.Expression], days: exp.Expression | None
) -> exp.Expression:
    def build(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column):
            if node.name == DAYS_IN_PERIOD:
                assert days is not None
                return exp.Paren(this=days.copy())
            value = values[node.name].copy()
            if plan.registry.metrics[node.name].kind == "sum":
                # a sum with no rows in the group is nothing shipped/stocked: zero
                value = exp.Coalesce(this=value, expressions=[exp.Literal.number(0)])
            return exp.Paren(this=value)
        if isinstance(node, exp.Div):
            return _safe_divide(build(node.this), exp.Paren(this=build(node.expression)))
        rebuilt = node.copy()
        for key, child in node.args.items():
            if isinstance(child, exp.Expression):
                rebuilt.set(key, build(child))
            elif isinstance(child, list):
                rebuilt.set(key, [build(c) if isinstance(c, exp.Expression) else c for c in child])
        return rebuilt

    return build(plan.registry.formulas[metric.name])


def _null_safe_join(left: str, right: str, keys: list[str]) -> exp.Expression:
    if not keys:
        return exp.true()
    return exp.and_(
        *(exp.NullSafeEQ(this=exp.column(k, left), expression=exp.column(k, right)) for k in keys)
    )


def _compare_select(plan: _Plan, compare: str) -> exp.Select:
    suffix = COMPARE_SUFFIX[compare]
    outputs: list[exp.Expression] = [
        exp.alias_(exp.Coalesce(this=exp.column(k, "c"), expressions=[exp.column(k, "p")]), k)
        for k in plan.keys
    ]
    for metric in plan.metrics:
        now, before = exp.column(metric.name, "c"), exp.column(metric.name, "p")
        outputs += [
            exp.alias_(now, metric.name),
            exp.alias_(before, f"{metric.name}_{suffix}"),
            exp.alias_(exp.Sub(this=now.copy(), expression=before.copy()), f"{metric.name}_delta"),
        ]
    return (
        exp.select(*outputs)
        .from_(exp.table_("cur_vals", alias="c"), copy=False)
        .join(
            exp.table_("cmp_vals", alias="p"),
            on=_null_safe_join("c", "p", plan.keys),
            join_type="full outer",
            copy=False,
        )
    )


def _label_table(plan: _Plan, dim: str) -> exp.Expression | None:
    dimension = plan.registry.dimensions[dim]
    if dimension.table is None:
        return None
    label = str(dimension.label_column(plan.query.lang))
    lookup = (
        exp.select(
            exp.alias_(exp.column(dimension.table_key), "label_key"),
            exp.alias_(exp.func("any_value", exp.column(label)), "label"),
        )
        .from_(scoped_table(f"{SCHEMA}.{dimension.table}", plan.scope), copy=False)
        .group_by(exp.column(dimension.table_key), copy=False)
    )
    return exp.Subquery(this=lookup, alias=exp.TableAlias(this=exp.to_identifier(f"lbl_{dim}")))


def _final_select(plan: _Plan, result: str, metric_columns: list[str]) -> exp.Select:
    query, registry = plan.query, plan.registry
    outputs: list[exp.Expression] = []
    if query.grain:
        outputs.append(exp.column(PERIOD, "r"))
    joins = []
    for dim in query.by:
        key = registry.dimensions[dim].key
        outputs.append(exp.alias_(exp.column(key, "r"), key))
        fallback = exp.cast(exp.column(key, "r"), _type("varchar"))
        table = _label_table(plan, dim)
        if table is None:
            label: exp.Expression = fallback
        else:
            label = exp.Coalesce(this=exp.column("label", f"lbl_{dim}"), expressions=[fallback])
            joins.append(
                (
                    table,
                    exp.EQ(
                        this=exp.column("label_key", f"lbl_{dim}"), expression=exp.column(key, "r")
                    ),
                )
            )
        outputs.append(exp.alias_(label, f"{dim}_label"))
    outputs += [exp.column(c, "r") for c in metric_columns]
    select = exp.select(*outputs).from_(exp.table_(result, alias="r"), copy=False)
    for table, condition in joins:
        select = select.join(table, on=condition, join_type="left", copy=False)
    if plan.keys:
        select = select.order_by(
            *(exp.Ordered(this=exp.column(k, "r"), nulls_first=False) for k in plan.keys),
            copy=False,
        )
    return select
