"""Western Electric rules on a control chart of individual measurements.

Limits come from the points before the evaluated period when there are enough of them (a
baseline), so a shift in the period does not widen its own limits and hide itself.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

MIN_BASELINE = 10

RULE_TEXT = {
    1: ("1 point beyond 3σ", "1点超出3σ"),
    2: ("2 of 3 points beyond 2σ on one side", "连续3点中有2点超出同侧2σ"),
    3: ("4 of 5 points beyond 1σ on one side", "连续5点中有4点超出同侧1σ"),
    4: ("8 points in a row on one side of the centre line", "连续8点位于中心线同侧"),
}


def limits(values: Sequence[float], baseline: int) -> tuple[float, float] | None:
    """(centre, sigma) from the baseline points, or from all points when the baseline is short."""
    sample = values[:baseline] if baseline >= MIN_BASELINE else values
    if len(sample) < 2:
        return None
    sigma = statistics.stdev(sample)
    return (statistics.fmean(sample), sigma) if sigma > 0 else None


def _beyond(window: Sequence[float], k: float, need: int) -> bool:
    return sum(z > k for z in window) >= need or sum(z < -k for z in window) >= need


def violations(
    values: Sequence[float], first_checked: int, rules: Sequence[int] = (1, 2, 3, 4)
) -> set[int]:
    """The WE rules broken by a window ending at any point from index `first_checked` on."""
    found: set[int] = set()
    centre_sigma = limits(values, first_checked)
    if centre_sigma is None:
        return found
    centre, sigma = centre_sigma
    z = [(v - centre) / sigma for v in values]
    for i in range(first_checked, len(z)):
        if 1 in rules and abs(z[i]) > 3:
            found.add(1)
        if 2 in rules and i >= 2 and _beyond(z[i - 2 : i + 1], 2, 2):
            found.add(2)
        if 3 in rules and i >= 4 and _beyond(z[i - 4 : i + 1], 1, 4):
            found.add(3)
        if 4 in rules and i >= 7:
            run = z[i - 7 : i + 1]
            if all(v > 0 for v in run) or all(v < 0 for v in run):
                found.add(4)
    return found
