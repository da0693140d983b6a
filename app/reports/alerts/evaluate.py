"""Evaluating alert rules on the published warehouse: one Finding per entity with data.

Threshold conditions (target, below, above, change_pct) ask the governed metrics layer
(`metrics.query`), so an alert sees the same number as every page and report. An spc rule
reads the measurements of the inspections fact — a query built with sqlglot, every value
a literal — and judges each product × characteristic series with the shared control chart
(`metrics.spc.spc_chart`) the Quality page draws. Both read through the plant scope they
are given (the engine gives every plant: rules are written by administrators).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
from sqlglot import exp, select

import metrics
from app.reports.alerts.rules import SPC_FACT, SPC_SERIES, AlertRule
from metrics.formatting import format_value
from metrics.i18n import t
from metrics.periods import Period, resolve
from metrics.registry import load_registry
from metrics.scope import Scope, scoped_table
from metrics.spc import SpcChart, spc_chart
from metrics.status import target_status

SPC_VALUE = "measured_value"
SPC_TIME = "inspected_date"
SPC_ORDER = ("inspected_at", "inspection_id")  # the order the Quality page plots points in
SPC_RULE_TEXT = {1: "spc_rule_1", 2: "spc_rule_2", 3: "spc_rule_3", 4: "spc_rule_4"}


@dataclass(frozen=True)
class Finding:
    """A rule's verdict for one entity (e.g. "plant=SZ/line=SZ-L1") in the period."""

    entity: str
    plant: str | None
    label: str
    value: float | None
    breached: bool
    detail: str
    chart: SpcChart | None = None  # spc: the control chart judged
    first: int = 0  # spc: index of the series' first point inside the period


def period_for(rule: AlertRule, as_of: date) -> Period:
    """The period of the rule's grain that ends at `as_of` (exclusive, as every period): the
    day before it, or the week or month up to that day. The as-of date is the newest data
    day, still filling, so — as for a report run that day — it is not judged itself."""
    return resolve(rule.period_name, as_of)


def find(
    rule: AlertRule, con: duckdb.DuckDBPyConnection, period: Period, *, scope: Scope
) -> list[Finding]:
    """The rule's verdict for every entity of `scope`'s plants with data in the period."""
    if rule.condition.type == "spc":
        return _spc_findings(rule, con, period, scope)
    return _threshold_findings(rule, con, period, scope)


def _threshold_findings(
    rule: AlertRule, con: duckdb.DuckDBPyConnection, period: Period, scope: Scope
) -> list[Finding]:
    metric = load_registry().metric(rule.metric)
    condition = rule.condition
    frame = metrics.query(
        [rule.metric],
        by=list(rule.scope),
        where=rule.where or None,
        start=period.start,
        end=period.end,
        compare="previous_period" if condition.type == "change_pct" else None,
        con=con,
        scope=scope,
    )
    findings = []
    for row in frame.iter_rows(named=True):
        value = row.get(rule.metric)
        if value is None:
            continue
        shown = format_value(metric, value)
        if condition.type == "target":
            breached = target_status(metric, value) in ("amber", "red")
            detail = f"{shown} vs target {format_value(metric, metric.target)}"
        elif condition.type in ("below", "above"):
            limit = float(condition.value)  # type: ignore[arg-type] - required by the model
            breached = value < limit if condition.type == "below" else value > limit
            detail = f"{shown} {condition.type} limit {format_value(metric, limit)}"
        else:
            before = row.get(f"{rule.metric}_previous")
            if before is None or before == 0:
                continue  # no change to judge without a previous value
            change = (value - before) / abs(before) * 100
            worse = -change if metric.direction == "higher_is_better" else change
            breached = worse > float(condition.value)  # type: ignore[arg-type]
            detail = f"{shown} vs {format_value(metric, before)} before ({change:+.1f}%)"
        entity, plant, label = _entity(row, rule.scope)
        findings.append(Finding(entity, plant, label, float(value), breached, detail))
    return findings


def _entity(row: dict, scope: tuple[str, ...]) -> tuple[str, str | None, str]:
    """(entity key, plant, label) of a metrics.query row grouped by `scope`."""
    registry = load_registry()
    keys = [(dim, row.get(registry.dimension(dim).key)) for dim in scope]
    entity = "/".join(f"{dim}={key}" for dim, key in keys) or "all"
    label = " / ".join(str(row.get(f"{dim}_label") or key) for dim, key in keys) or "all"
    plant = row.get("plant_id")
    return entity, (str(plant) if plant is not None else None), label


def spc_points_query(rule: AlertRule, period: Period, scope: Scope) -> exp.Select:
    """Measurements of the rule's scope from `lookback_days` before the period to its end,
    one series per scope keys × product × characteristic, each in inspection order; only
    the rows of the plant `scope`."""
    columns = load_registry().facts[SPC_FACT].dimensions
    groups = [columns[dim] for dim in (*rule.scope, *SPC_SERIES)]
    start = period.start - timedelta(days=rule.condition.lookback)
    query = (
        select(*groups, SPC_TIME, SPC_VALUE)
        .from_(scoped_table(SPC_FACT, scope))
        .where(exp.column(SPC_VALUE).is_(exp.null()).not_())
        .where(exp.column(SPC_TIME) >= exp.convert(start))
        .where(exp.column(SPC_TIME) < exp.convert(period.end))
    )
    for dim, keys in rule.where.items():
        query = query.where(exp.column(columns[dim]).isin(*[exp.convert(k) for k in keys]))
    return query.order_by(*groups, *SPC_ORDER)


def _spc_findings(
    rule: AlertRule, con: duckdb.DuckDBPyConnection, period: Period, scope: Scope
) -> list[Finding]:
    dims = (*rule.scope, *SPC_SERIES)
    rows = con.execute(spc_points_query(rule, period, scope).sql(dialect="duckdb")).fetchall()
    series: dict[tuple, list[tuple[date, float]]] = {}
    for row in rows:
        series.setdefault(tuple(row[: len(dims)]), []).append((row[-2], float(row[-1])))
    findings = []
    for keys, points in series.items():
        first = next((i for i, (day, _) in enumerate(points) if day >= period.start), None)
        if first is None:
            continue  # no measurement in the period: nothing to judge
        # The limits come from the points before the period (when there are enough), so a
        # shift inside the period cannot widen its own limits.
        chart = spc_chart([value for _, value in points], baseline=first)
        broken = chart.broken(first, rule.condition.spc_rules) if chart else set()
        if chart is None:
            detail = "no control limits (fewer than two points or no spread)"
        elif broken:
            detail = "WE rules broken: " + "; ".join(
                t(SPC_RULE_TEXT[number], "en") for number in sorted(broken)
            )
        else:
            detail = "in control"
        named = dict(zip(dims, keys, strict=True))
        entity = "/".join(f"{dim}={key}" for dim, key in named.items())
        plant = named.get("plant")
        findings.append(
            Finding(
                entity=entity,
                plant=str(plant) if plant is not None else None,
                label=" / ".join(str(key) for key in keys),
                value=points[-1][1],
                breached=bool(broken),
                detail=detail,
                chart=chart,
                first=first,
            )
        )
    return findings
