"""How the PLM and APS stories bend the work orders a line releases (and nothing else).

Both the line simulators and the APS look-ahead (`aps.OrderForecast`) release orders
through these rules, so the plan and the MES agree order by order:

* the superseded-revision story: around the change on `SUPERSEDED_PRODUCT` becoming
  effective (`plm.SUPERSEDED_EFFECTIVE_DAY`), `SUPERSEDED_LINE` builds that product, so the
  days it keeps building the old revision are visible (the order's other draws are kept);
* the nervous schedule: `NERVOUS_PLANT`'s APS compresses its orders, so their planned end
  comes earlier (`NERVOUS_DURATION`) and fewer orders finish by it (schedule adherence).
"""

from __future__ import annotations

from datetime import date, timedelta

from .factory import DAY_S, Line
from .shifts import local_epoch

SUPERSEDED_LINE = "HP-ASSY1"
SUPERSEDED_PRODUCT = "FG-WH-220"
SUPERSEDED_EFFECTIVE_DAY = 245  # day offset from the period start (as the quality stories)
SUPERSEDED_LAG_DAYS = 4  # the line keeps the old revision this many days after the change
NERVOUS_PLANT = "DG"
NERVOUS_DURATION = 0.85  # planned order duration, relative to the calm plants


class OrderRules:
    """The story rules for one period (offsets from its start, never from its end)."""

    def __init__(self, start: date):
        effective = local_epoch(start + timedelta(days=SUPERSEDED_EFFECTIVE_DAY))
        self.forced = (effective - DAY_S, effective + SUPERSEDED_LAG_DAYS * DAY_S)

    def product(self, line: Line, planned_start: int, drawn: str) -> str:
        """The product an order builds: the drawn one, or the story's around its change."""
        lo, hi = self.forced
        if line.line_id == SUPERSEDED_LINE and lo <= planned_start < hi:
            return SUPERSEDED_PRODUCT
        return drawn

    def duration_factor(self, line: Line) -> float:
        return NERVOUS_DURATION if line.plant_id == NERVOUS_PLANT else 1.0
