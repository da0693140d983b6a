"""A KPI value against its target: green on the right side of the target, amber within a band
of 5 % of |target| on the wrong side, red beyond; "none" without a target or a value.

With target 0 the band is 0, so any value on the wrong side of it is red. Whether higher or
lower is better comes from the metric's `direction` in the registry.
"""

from __future__ import annotations

from metrics.formatting import is_missing
from metrics.registry import Metric

AMBER_BAND = 0.05
STATUSES = ("green", "amber", "red", "none")


def target_status(metric: Metric, value: object) -> str:
    """green / amber / red against `metric.target`, or none without target or value."""
    target = metric.target
    if target is None or is_missing(value) or isinstance(value, str | bytes):
        return "none"
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "none"
    higher = metric.direction == "higher_is_better"
    if (number >= target) if higher else (number <= target):
        return "green"
    band = abs(target) * AMBER_BAND
    near = (number >= target - band) if higher else (number <= target + band)
    return "amber" if near and band > 0 else "red"


def status_key(metric: Metric, status: str) -> str:
    """The metrics/i18n.yaml key that names `status` for a reader: a metric with a target
    but no value is "no data" (status_missing), not "no target"."""
    if status == "none" and metric.target is not None:
        return "status_missing"
    return f"status_{status}"
