"""Ground truth of the planning KPIs (KPIS.md "Planning (APS)"), from the generator's own plans.

Pure functions over plain values (plant-local epoch seconds, epoch days), so a test can work
them by hand. The APS sample (`aps.Scheduler`) calls them version by version and date by date.

Truth files (in `_truth/`):
* `plan_line_day.parquet` - the frozen plan per plant, line, product and plant-local date:
  plant_id, line_id, product_id, date, planned_qty (dates start + 1 .. end; the start has no
  version published before it).
* `plan_attainment.parquet` - per plant, line and date: plant_id, line_id, date,
  planned_qty (Σ over products), good_qty (Σ GQ of the line's machines on that production
  date), plan_attainment (good_qty / planned_qty; null when planned_qty is 0).
* `schedule_versions.parquet` - per published version: plan_version, plant_id,
  published_at (plant-local), changed_ops, window_ops, schedule_change_rate (null for a
  plant's first version, which has no previous one, and for an empty window).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import polars as pl

DAY_S = 86_400
FROZEN_S = 48 * 3600
MOVED_S = 60 * 60


def frozen_window_changes(
    previous: dict[tuple[str, int], tuple[int, float]],
    current: dict[tuple[str, int], tuple[int, float]],
    window_start: int,
) -> tuple[int, int]:
    """schedule_change_rate for one version: (changed operations, operations in the window).

    KPIS.md: operations of the frozen window (the version's first 48 h) that the previous
    version of the plant had with a start moved by more than 60 min or a different quantity,
    or that it lacked or that disappeared / operations in the window of either version.
    Here an operation (work order, operation number) is in a version's frozen window when its
    planned_start lies in [window_start, window_start + 48 h); both maps give (planned start,
    planned quantity) per operation over each whole version.
    """
    end = window_start + FROZEN_S
    keys = {k for k, (s, _) in current.items() if window_start <= s < end}
    keys |= {k for k, (s, _) in previous.items() if window_start <= s < end}
    changed = 0
    for key in keys:
        before, after = previous.get(key), current.get(key)
        lacked = before is None or after is None
        if lacked or abs(after[0] - before[0]) > MOVED_S or after[1] != before[1]:
            changed += 1
    return changed, len(keys)


def planned_qty_on_date(
    operations: Iterable[tuple[str, str, int, int, float]], day: int
) -> dict[tuple[str, str], float]:
    """planned_qty of one plant-local date (epoch day) per (line, product) from a frozen plan.

    KPIS.md: a planned operation's quantity belongs to production dates in proportion to its
    planned time inside each date. Operations are (line, product, planned_start, planned_end,
    planned_qty); one with no duration belongs wholly to the date of its start.
    """
    lo, hi = day * DAY_S, (day + 1) * DAY_S
    out: dict[tuple[str, str], float] = defaultdict(float)
    for line, product, start, end, qty in operations:
        if end > start:
            inside = min(end, hi) - max(start, lo)
            if inside > 0:
                out[(line, product)] += qty * inside / (end - start)
        elif lo <= start < hi:
            out[(line, product)] += qty
    return dict(out)


def plan_attainment(planned: pl.DataFrame, good: pl.DataFrame) -> pl.DataFrame:
    """plan_attainment per plant, line and date: Σ GQ / Σ planned_qty of the frozen plan.

    KPIS.md: Σ GQ / Σ planned_qty of the frozen plan, same lines and dates (above 1 =
    over-production). `planned` has plant_id, line_id, date, planned_qty (any products);
    `good` has plant_id, line_id, date, good_qty (the line's machines' GQ on that production
    date). Every (line, date) of either side is kept; a zero denominator gives null.
    """
    lines = planned.group_by("plant_id", "line_id", "date").agg(pl.col("planned_qty").sum())
    made = good.group_by("plant_id", "line_id", "date").agg(pl.col("good_qty").sum())
    both = lines.join(made, on=["plant_id", "line_id", "date"], how="full", coalesce=True)
    both = both.with_columns(
        pl.col("planned_qty").fill_null(0.0), pl.col("good_qty").fill_null(0).cast(pl.Int64)
    )
    return both.with_columns(
        plan_attainment=pl.when(pl.col("planned_qty") > 0).then(
            pl.col("good_qty") / pl.col("planned_qty")
        )
    ).sort("plant_id", "line_id", "date")
