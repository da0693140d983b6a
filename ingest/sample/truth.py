"""Ground truth: what the emitted files say, per equipment and production date.

Collected from the same per-second state arrays the files are written from, so a test (or
the warehouse) recomputing these figures from the files must land on exactly these numbers.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from .factory import Line
from .states import TRUTH_STATES


class TruthCollector:
    """Rows per equipment and day; each day's parts are packed into one frame at its close."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray | list]] = []
        self.days: list[pl.DataFrame] = []

    def add(
        self,
        line: Line,
        eq_ids: np.ndarray,
        day: date,
        shift_s: int,
        state_s: np.ndarray,
        events: np.ndarray,
        qty: np.ndarray,
        ideal_s: np.ndarray,
    ) -> None:
        n = len(eq_ids)
        part: dict[str, np.ndarray | list] = {
            "plant_id": [line.plant_id] * n,
            "line_id": [line.line_id] * n,
            "equipment_id": list(eq_ids),
            "production_date": [day] * n,
            "shift_seconds": np.full(n, shift_s, dtype=np.int64),
        }
        for k, name in enumerate(TRUTH_STATES):
            part[name] = np.rint(state_s[:, k]).astype(np.int64)
        part["unplanned_stop_events"] = np.rint(events).astype(np.int64)
        for k, name in enumerate(("produced_qty", "good_qty", "scrap_qty", "rework_qty")):
            part[name] = qty[:, k].copy()
        part["ideal_produced_s"] = np.round(ideal_s[:, 0], 6)
        part["ideal_good_s"] = np.round(ideal_s[:, 1], 6)
        self.parts.append(part)

    def close_day(self) -> None:
        """Pack the parts added so far into one frame (a few small arrays per line-day
        would otherwise add up to millions of Python objects over a large factory's year)."""
        if not self.parts:
            return
        columns = {}
        for name, first in self.parts[0].items():
            if isinstance(first, list):
                columns[name] = [value for part in self.parts for value in part[name]]
            else:
                columns[name] = np.concatenate([part[name] for part in self.parts])
        self.days.append(pl.DataFrame(columns))
        self.parts = []

    def frame(self) -> pl.DataFrame:
        self.close_day()
        return pl.concat(self.days).sort("equipment_id", "production_date")

    def write(self, out: Path, summary: dict) -> pl.DataFrame:
        folder = out / "_truth"
        folder.mkdir(parents=True, exist_ok=True)
        frame = self.frame()
        frame.write_parquet(folder / "equipment_day.parquet")
        (folder / "summary.json").write_text(
            json.dumps(summary, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )
        return frame
