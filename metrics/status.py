"""A KPI value against its target: green on the right side of the target, amber within the
metric's amber band on the wrong side, red beyond; "none" without a target or a value.

The band is the registry's `amber_band`, in the metric's own units (OEE's 0.02 = 2
percentage points, so OEE 84 % against 85 % is amber and 81 % is red); a metric without one
has a band of DEFAULT_AMBER_SHARE of |target|, so with target 0 any value on the wrong side
of it is red, as it is with amber_band 0. Whether higher or lower is better comes from the
metric's `direction`.
"""

from __future__ import annotations

import math

from metrics.formatting import is_missing
from metrics.registry import Metric

DEFAULT_AMBER_SHARE = 0.02
STATUSES = ("green", "amber", "red", "none")
# A value exactly at the edge of the band is amber although 0.85 − 0.83 is 0.0200…02 in
# binary floating point.
_EDGE = 1e-9


def amber_band(metric: Metric) -> float:
    """How far on the wrong side of the target a value is still amber, in the metric's units
    (0 without a target)."""
    if metric.target is None:
        return 0.0
    if metric.amber_band is not None:
        return metric.amber_band
    return abs(metric.target) * DEFAULT_AMBER_SHARE


def target_status(metric: Metric, value: object) -> str:
    """green / amber / red against `metric.target`, or none without target or value."""
    target = metric.target
    if target is None or is_missing(value) or isinstance(value, str | bytes):
        return "none"
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "none"
    if math.isnan(number):
        return "none"
    short = (target - number) if metric.direction == "higher_is_better" else (number - target)
    if short <= 0:
        return "green"
    band = amber_band(metric)
    near = short <= band or math.isclose(short, band, rel_tol=_EDGE)
    return "amber" if band > 0 and near else "red"


def status_key(metric: Metric, status: str) -> str:
    """The metrics/i18n.yaml key that names `status` for a reader: a metric with a target
    but no value is "no data" (status_missing), not "no target"."""
    if status == "none" and metric.target is not None:
        return "status_missing"
    return f"status_{status}"
