"""Statistical process control for the Quality page: control limits, Western Electric rules
1–4 and Cpk, from the measurements themselves (the chart shows them point by point).

The KPI `cpk` of the metrics layer is the governed figure; `cpk` here is the same formula
applied to exactly the points on the chart, so the chart and its caption agree.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    mean: float
    sigma: float

    @property
    def ucl(self) -> float:
        return self.mean + 3 * self.sigma

    @property
    def lcl(self) -> float:
        return self.mean - 3 * self.sigma


def control_limits(values: Sequence[float]) -> Limits | None:
    """Mean ± 3σ (sample standard deviation); None with fewer than two values."""
    if len(values) < 2:
        return None
    return Limits(statistics.fmean(values), statistics.stdev(values))


def western_electric(values: Sequence[float], limits: Limits) -> list[list[int]]:
    """For each point, the Western Electric rules (1–4) it completes.

    1: one point beyond 3σ; 2: two of three consecutive beyond 2σ on the same side;
    3: four of five consecutive beyond 1σ on the same side; 4: eight in a row on one side.
    A rule is flagged on the point that completes the run.
    """
    hits: list[list[int]] = [[] for _ in values]
    if limits.sigma <= 0:
        return hits
    z = [(v - limits.mean) / limits.sigma for v in values]
    for i, score in enumerate(z):
        if abs(score) > 3:
            hits[i].append(1)
        for rule, window, need, beyond in ((2, 3, 2, 2), (3, 5, 4, 1)):
            if i + 1 >= window:
                recent = z[i + 1 - window : i + 1]
                for side in (1, -1):
                    if side * score > beyond and sum(side * s > beyond for s in recent) >= need:
                        hits[i].append(rule)
        if i + 1 >= 8:
            recent = z[i - 7 : i + 1]
            if all(s > 0 for s in recent) or all(s < 0 for s in recent):
                hits[i].append(4)
    return hits


def cpk(values: Sequence[float], lsl: float | None, usl: float | None) -> float | None:
    """min(USL − mean, mean − LSL) / 3σ; one-sided when a limit is missing; None without
    spread, without limits or with fewer than two values."""
    limits = control_limits(values)
    if limits is None or limits.sigma <= 0:
        return None
    sides = [
        gap
        for gap in (
            usl - limits.mean if _present(usl) else None,
            limits.mean - lsl if _present(lsl) else None,
        )
        if gap is not None
    ]
    if not sides:
        return None
    return min(sides) / (3 * limits.sigma)


def _present(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))
