"""Showing metric values as people read them: percent with the registry's decimals, "—" for NULL."""

from __future__ import annotations

import math

from metrics.registry import Metric

NULL = "—"


def format_value(metric: Metric, value: object, *, delta: bool = False) -> str:
    """A metric value as text per the metric's format; a delta is signed, and a delta of a
    percentage is in percentage points ("+2.1 pp")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NULL
    if not isinstance(value, int | float):
        return str(value)
    decimals = int(metric.format.get("decimals", 2))
    sign = "+" if delta else ""
    if metric.format.get("style") == "percent":
        return f"{value * 100:{sign},.{decimals}f}" + (" pp" if delta else "%")
    return f"{value:{sign},.{decimals}f}"


def metric_of_column(column: str, metrics: dict[str, Metric]) -> Metric | None:
    """The metric a result column shows: `oee`, `oee_previous`, `oee_last_year`, `oee_delta`."""
    if column in metrics:
        return metrics[column]
    for suffix in ("_previous", "_last_year", "_delta"):
        if column.endswith(suffix) and column[: -len(suffix)] in metrics:
            return metrics[column[: -len(suffix)]]
    return None
