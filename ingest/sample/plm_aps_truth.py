"""Collects, day by day, what the PLM and APS truth needs, and writes its files at the end.

The figures themselves are computed by `plan_truth` and `change_truth` (their docstrings
say which KPIS.md rule each implements and the columns of every file).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl

from .aps import Scheduler
from .change_truth import change_durations, eco_by_month, superseded_share
from .plan_truth import plan_attainment
from .plm import Engineering


class PlmApsTruth:
    """Production per order and day, and each order's last exported product and revision."""

    def __init__(self, plant_of_line: dict[str, str]):
        self.plant_of_line = plant_of_line
        self.output: list[tuple[str, str, date, str, date, int]] = []
        self.orders: dict[str, tuple[str, str | None]] = {}

    def close_day(self, day: date, order_output: dict, work_orders: dict[str, dict]) -> None:
        epoch = date(1970, 1, 1)
        for (line, wo_id, end_day), produced in order_output.items():
            self.output.append(
                (
                    self.plant_of_line[line],
                    line,
                    day,
                    wo_id,
                    epoch + timedelta(days=end_day),
                    produced,
                )
            )
        for wo_id, row in work_orders.items():
            self.orders[wo_id] = (row["product_id"], row["revision"])

    def write(
        self,
        folder: Path,
        equipment_day: pl.DataFrame,
        scheduler: Scheduler,
        plm: Engineering,
        start: date,
        end: date,
    ) -> None:
        planned = pl.DataFrame(
            scheduler.plan_truth,
            schema={
                "plant_id": pl.String,
                "line_id": pl.String,
                "product_id": pl.String,
                "date": pl.Date,
                "planned_qty": pl.Float64,
            },
        ).filter(pl.col("date") <= end)
        planned.write_parquet(folder / "plan_line_day.parquet")
        good = equipment_day.filter(pl.col("production_date") > start).select(
            "plant_id", "line_id", pl.col("production_date").alias("date"), "good_qty"
        )
        plan_attainment(planned, good).write_parquet(folder / "plan_attainment.parquet")
        pl.DataFrame(
            scheduler.version_truth,
            schema={
                "plan_version": pl.String,
                "plant_id": pl.String,
                "published_at": pl.Datetime("us"),
                "changed_ops": pl.Int64,
                "window_ops": pl.Int64,
                "schedule_change_rate": pl.Float64,
            },
        ).write_parquet(folder / "schedule_versions.parquet")
        changes = [c.row() for c in plm.changes]
        durations = change_durations(changes)
        durations.write_parquet(folder / "engineering_changes.parquet")
        eco_by_month(durations, start, end).write_parquet(folder / "eco_month.parquet")
        superseded_share(self.output, self.orders, changes).write_parquet(
            folder / "superseded_line_day.parquet"
        )
