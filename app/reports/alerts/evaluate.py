"""Evaluating alert rules on the published warehouse: one Finding per entity with data.

Threshold conditions (target, below, above, change_pct) ask the governed metrics layer
(`metrics.query`), so an alert sees the same number as every page and report. An spc rule
reads the measurements of the inspections fact — a query built with sqlglot, every value
a literal — and judges each product × characteristic series with the shared control chart
(`metrics.spc.spc_chart`) the Quality page draws. Both read through the plant scope they
are given (the engine gives every plant: rules are written by administrators).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
from sqlglot import exp, select

import metrics
from app.reports.alerts.rules import SPC_FACT, SPC_SERIES, AlertRule
from app.reports.alerts.wording import Verdict, detail
from app.reports.names import Names
from metrics.periods import Period, resolve
from metrics.registry import load_registry
from metrics.scope import Scope, scoped_table
from metrics.spc import SpcChart, spc_chart
from metrics.status import target_status

SPC_VALUE = "measured_value"
SPC_TIME = "inspected_date"
SPC_ORDER = ("inspected_at", "inspection_id")  # the order the Quality page plots points in


@dataclass(frozen=True)
class Finding:
    """A rule's verdict for one entity (e.g. "plant=SZ/line=SZ-L1") in the period: `label`
    and `detail` in English (the history's words), `keys` and `verdict` for every other
    language (app/reports/alerts/notify.py)."""

    entity: str
    plant: str | None
    label: str
    value: float | None
    breached: bool
    detail: str
    chart: SpcChart | None = None  # spc: the control chart judged
    first: int = 0  # spc: index of the series' first point inside the period
    keys: tuple[tuple[str, str], ...] = ()  # (dimension, key) of the entity, in order
    verdict: Verdict | None = field(default=None, compare=False)


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
    names = Names(con, scope)
    findings = []
    for row in frame.iter_rows(named=True):
        value = row.get(rule.metric)
        if value is None:
            continue
        if condition.type == "target":
            breached = target_status(metric, value) in ("amber", "red")
            verdict = Verdict("target", float(value), bound=metric.target)
        elif condition.type in ("below", "above"):
            limit = float(condition.value)  # type: ignore[arg-type] - required by the model
            breached = value < limit if condition.type == "below" else value > limit
            verdict = Verdict(condition.type, float(value), bound=limit)
        else:
            before = row.get(f"{rule.metric}_previous")
            if before is None or before == 0:
                continue  # no change to judge without a previous value
            verdict = Verdict(
                "change_pct", float(value), previous=float(before), threshold=condition.value
            )
            change = verdict.change_pct or 0.0
            worse = -change if metric.direction == "higher_is_better" else change
            breached = worse > float(condition.value)  # type: ignore[arg-type]
        keys = _keys(row, rule.scope)
        findings.append(
            Finding(
                entity=_entity(keys),
                plant=str(row["plant_id"]) if row.get("plant_id") is not None else None,
                label=names.place(keys, "en") or "all",
                value=float(value),
                breached=breached,
                detail=detail(verdict, metric, breached),
                keys=keys,
                verdict=verdict,
            )
        )
    return findings


def _keys(row: dict, scope: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The (dimension, key) pairs of a metrics.query row grouped by `scope`."""
    registry = load_registry()
    return tuple((dim, str(row.get(registry.dimension(dim).key))) for dim in scope)


def _entity(keys: tuple[tuple[str, str], ...]) -> str:
    """The entity key: "plant=SZ/line=SZ-L1", or "all" for a rule without a scope."""
    return "/".join(f"{dim}={key}" for dim, key in keys) or "all"


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
    metric = load_registry().metric(rule.metric)
    names = Names(con, scope)
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
        verdict = Verdict(
            "spc", points[-1][1], rules=tuple(sorted(broken)), limits=chart is not None
        )
        pairs = tuple((dim, str(key)) for dim, key in zip(dims, keys, strict=True))
        plant = dict(pairs).get("plant")
        findings.append(
            Finding(
                entity=_entity(pairs),
                plant=plant,
                label=names.place(pairs, "en"),
                value=points[-1][1],
                breached=bool(broken),
                detail=detail(verdict, metric, bool(broken)),
                chart=chart,
                first=first,
                keys=pairs,
                verdict=verdict,
            )
        )
    return findings
