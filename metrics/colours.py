"""One colour per KPI, the same on every chart, page, report and language.

Charts colour series by metric *name* (never by its label, which changes with the language)
through `metric_colour`. The KPIs that share charts have hand-picked, distinguishable
colours; any other metric gets a stable one from the palette by its name.
"""

from __future__ import annotations

import zlib

# Tableau 10, colour-blind-safe enough for four series on one chart.
PALETTE = (
    "#4c78a8",
    "#f58518",
    "#54a24b",
    "#b279a2",
    "#e45756",
    "#72b7b2",
    "#eeca3b",
    "#ff9da6",
    "#9d755d",
    "#bab0ac",
)
COLOURS = {
    "oee": "#4c78a8",
    "availability": "#f58518",
    "performance": "#54a24b",
    "quality": "#b279a2",
    "first_pass_yield": "#4c78a8",
    "scrap_rate": "#e45756",
    "rework_rate": "#eeca3b",
    "inspection_pass_rate": "#72b7b2",
    "on_time_delivery": "#4c78a8",
    "otif": "#f58518",
    "schedule_adherence": "#54a24b",
    "supplier_on_time": "#b279a2",
    "inventory_turnover": "#4c78a8",
    "days_of_inventory": "#f58518",
    "consumption_turnover": "#54a24b",
    "oee_loss_breakdowns": "#72b7b2",  # the downtime Pareto
    "defect_qty": "#b279a2",  # the defect Pareto
}
TARGET = "#e45756"  # target lines and their labels
GOOD, WARN, BAD, NEUTRAL = "#54a24b", "#f2a93b", "#e45756", "#9aa5b1"  # status colours


def metric_colour(name: str) -> str:
    """The hex colour of metric `name` on every chart."""
    if name in COLOURS:
        return COLOURS[name]
    return PALETTE[zlib.crc32(name.encode()) % len(PALETTE)]
