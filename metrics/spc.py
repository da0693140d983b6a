"""Statistical process control, written once for the Quality page, the report and the alert.

An individuals (I-MR) control chart: the centre line is the mean of the baseline points and
sigma is estimated from their average moving range, MR̄ / d2 with d2 = 1.128 (the moving
range of two consecutive points), so a slow drift does not inflate sigma the way the sample
standard deviation would. The baseline is the first `baseline` points when there are at least
MIN_BASELINE of them (the points before an evaluated period, so a shift in the period cannot
widen its own limits and hide itself), else all points.

Western Electric rules, each flagged on the point that completes it (that point is itself on
the qualifying side):
  1  one point beyond 3σ;
  2  two of three consecutive points beyond 2σ on the same side;
  3  four of five consecutive points beyond 1σ on the same side;
  4  eight points in a row on one side of the centre line.

`cpk` is the governed KPI `cpk` (metrics/registry.yaml) applied to a list of measurements:
min(USL − mean, mean − LSL) / 3σ with the sample standard deviation.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from metrics.formatting import is_missing

MIN_BASELINE = 10
LOOKBACK_DAYS = 30  # default baseline window before an evaluated period (page and alert)
D2 = 1.128  # E[range] of two normal observations, in σ
RULES = (1, 2, 3, 4)
# rule -> (window, points needed, beyond how many σ on one side)
_RUNS = {2: (3, 2, 2.0), 3: (5, 4, 1.0)}


@dataclass(frozen=True)
class Limits:
    centre: float
    sigma: float

    @property
    def ucl(self) -> float:
        return self.centre + 3 * self.sigma

    @property
    def lcl(self) -> float:
        return self.centre - 3 * self.sigma


@dataclass(frozen=True)
class SpcChart:
    limits: Limits
    hits: list[list[int]]  # per point, the rules it completes
    baseline: int  # how many leading points the limits come from

    def broken(self, first: int = 0, rules: Iterable[int] = RULES) -> set[int]:
        """The rules completed by any point from index `first` on (only those in `rules`)."""
        wanted = set(rules)
        return {rule for point in self.hits[first:] for rule in point if rule in wanted}


def average_moving_range(values: Sequence[float]) -> float:
    """MR̄: the mean of |x[i] − x[i−1]| over consecutive points (needs two points)."""
    return statistics.fmean(abs(b - a) for a, b in zip(values, values[1:], strict=False))


def limits(values: Sequence[float]) -> Limits | None:
    """Centre = mean, sigma = MR̄ / 1.128; None with fewer than two points or no spread."""
    if len(values) < 2:
        return None
    sigma = average_moving_range(values) / D2
    if sigma <= 0:
        return None
    return Limits(statistics.fmean(values), sigma)


def spc_chart(values: Sequence[float], baseline: int = 0) -> SpcChart | None:
    """The control chart of `values` with limits from the first `baseline` points (when at
    least MIN_BASELINE) or from all of them; None with < 2 points or sigma 0."""
    points = [float(v) for v in values]
    used = baseline if MIN_BASELINE <= baseline <= len(points) else len(points)
    found = limits(points[:used])
    if found is None:
        return None
    return SpcChart(found, western_electric(points, found), used)


def western_electric(values: Sequence[float], limits: Limits) -> list[list[int]]:
    """For each point, the Western Electric rules (1–4) it completes."""
    z = [(v - limits.centre) / limits.sigma for v in values]
    hits: list[list[int]] = [[] for _ in z]
    for i, score in enumerate(z):
        if abs(score) > 3:
            hits[i].append(1)
        for rule, (window, need, beyond) in _RUNS.items():
            if i + 1 < window:
                continue
            recent = z[i + 1 - window : i + 1]
            for side in (1, -1):
                if side * score > beyond and sum(side * s > beyond for s in recent) >= need:
                    hits[i].append(rule)
        if i + 1 >= 8:
            run = z[i - 7 : i + 1]
            if all(s > 0 for s in run) or all(s < 0 for s in run):
                hits[i].append(4)
    return hits


def cpk(values: Sequence[float], lsl: float | None, usl: float | None) -> float | None:
    """min(USL − mean, mean − LSL) / 3σ (sample standard deviation), as the governed KPI;
    one-sided when a limit is missing; None without spread, without limits or with fewer
    than two values."""
    if len(values) < 2:
        return None
    sigma = statistics.stdev(values)
    if sigma <= 0:
        return None
    mean = statistics.fmean(values)
    sides = []
    if not is_missing(usl):
        sides.append(usl - mean)  # type: ignore[operator]
    if not is_missing(lsl):
        sides.append(mean - lsl)  # type: ignore[operator]
    return min(sides) / (3 * sigma) if sides else None
