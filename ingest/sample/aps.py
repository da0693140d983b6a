"""APS: schedule versions and their planned operations, one CSV of each per day.

The APS plans ahead of the MES, so a version lists the work orders the lines will release
in the next days. `OrderForecast` knows them: a second simulator per line releases orders
`LOOKAHEAD_DAYS` ahead of the real one, through the same code (`LineSimulator
.advance_orders`) and from the same per-day streams, so its orders are the MES orders, id
for id. A version published on a day therefore depends on nothing after that day plus the
look-ahead, and never on the period's end: the files are prefix-stable.

Each version is a complete plan of its plant for the 72 hours from its publication: every
order (cancelled ones excepted) whose planned window overlaps the horizon, one operation per
machine of the line (operation 10, 20, … with the order's planned window and quantity, as
the line's machines run an order together). A version deviates from the MES plan here and
there: an order moved by more than an hour, re-quantified, or left out. The calm plants
publish once a day at about 18:00 and seldom deviate; `NERVOUS_PLANT` publishes four times a
day and moves, re-quantifies (mostly up: it promises more than the floor then makes) and
drops many orders, so its frozen windows keep changing and its plans are not met.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import numpy as np

from .factory import DAY_S, Factory
from .order_rules import NERVOUS_PLANT
from .plan_truth import frozen_window_changes, planned_qty_on_date
from .production import LineSimulator, WorkOrder
from .rng import APS, day_rng
from .shifts import local_epoch

LOOKAHEAD_DAYS = 4
HORIZON_S = 72 * 3600
CALM = {"hours": (18,), "move": 0.02, "requantify": 0.015, "drop": 0.005, "qty": (0.85, 1.15)}
NERVOUS = {
    "hours": (2, 8, 14, 20),
    "move": 0.35,
    "requantify": 0.45,
    "drop": 0.06,
    "qty": (1.15, 1.6),
}
TS = "%Y-%m-%d %H:%M:%S"


class _Released:
    """Sink for the forecast simulators: every order they release, by plant."""

    def __init__(self, plant_of: dict[str, str]):
        self.plant_of = plant_of
        self.orders: dict[str, dict[str, WorkOrder]] = defaultdict(dict)

    def work_order(self, wo: WorkOrder) -> None:
        self.orders[self.plant_of[wo.line_id]][wo.work_order_id] = wo


class OrderForecast:
    """The lines' work orders up to `LOOKAHEAD_DAYS` after the day being simulated."""

    def __init__(self, sims: list[LineSimulator], start: date):
        self.start = start
        self.shadows = [
            LineSimulator(
                s.line, s.factory, s.cal, s.seed, s.index, s.quality, s.timeline_end, s.rules
            )
            for s in sims
        ]
        self.released = _Released({s.line.line_id: s.line.plant_id for s in sims})
        self.done = -1  # day index the forecast has reached

    def reach(self, day_index: int) -> None:
        while self.done < day_index:
            self.done += 1
            day = self.start + timedelta(days=self.done)
            for shadow in self.shadows:
                shadow.advance_orders(day, self.done, self.released)

    def orders(self, plant_id: str, since: int) -> list[WorkOrder]:
        """The plant's orders not cancelled whose planned window ends after `since`."""
        book = self.released.orders[plant_id]
        for wo_id in [k for k, wo in book.items() if wo.planned_end < since - 2 * DAY_S]:
            del book[wo_id]
        return [wo for wo in book.values() if wo.status != "CANCELLED"]


class Scheduler:
    """Publishes the versions of each plant day by day, with their truth."""

    def __init__(self, factory: Factory, sims: list[LineSimulator], seed: int, start: date):
        self.seed, self.start = seed, start
        self.forecast = OrderForecast(sims, start)
        self.plants = [p.plant_id for p in factory.plants]
        self.machines = {
            line.line_id: [eq.equipment_id for eq in line.equipment] for line in factory.lines
        }
        self.numbers = {n: np.arange(10, 10 * n + 1, 10) for n in range(1, 10)}
        self.previous: dict[str, dict[tuple[str, int], tuple[int, float]]] = {}
        self.version_truth: list[dict] = []
        self.plan_truth: list[dict] = []

    def run_day(self, day: date, day_index: int) -> tuple[list[dict], dict[str, np.ndarray]]:
        """The day's versions (rows) and planned operations (column arrays)."""
        self.forecast.reach(day_index + LOOKAHEAD_DAYS)
        versions: list[dict] = []
        ops: dict[str, list] = defaultdict(list)
        t0 = local_epoch(day)
        for k, plant in enumerate(self.plants):
            style = NERVOUS if plant == NERVOUS_PLANT else CALM
            rng = day_rng(self.seed, APS, day, k)
            jitter = rng.integers(0, 26 * 60, len(style["hours"]))
            last = None
            for v, (hour, extra) in enumerate(zip(style["hours"], jitter, strict=True)):
                published = t0 + hour * 3600 + int(extra) // 60 * 60
                plan_version = f"PV-{plant}-{day:%Y%m%d}-{hour:02d}"
                versions.append(
                    {
                        "plan_version": plan_version,
                        "plant_id": plant,
                        "published_at": _ts(published),
                        "horizon_start": _ts(published),
                        "horizon_end": _ts(published + HORIZON_S),
                    }
                )
                plan = self._plan(plant, published, style, day_rng(self.seed, APS, day, k, v + 1))
                self._emit(plan_version, plan, ops)
                self._count_changes(plan_version, plant, published, plan)
                last = plan
            self._freeze(plant, day, last)
        return versions, {name: np.concatenate(parts) for name, parts in ops.items()}

    def _plan(self, plant: str, published: int, style: dict, rng: np.random.Generator) -> list:
        """(order, planned start, planned end, quantity) of one version, deviations drawn."""
        end = published + HORIZON_S
        orders = [
            wo
            for wo in self.forecast.orders(plant, published)
            if wo.planned_start < end and wo.planned_end > published
        ]
        draws = rng.random((len(orders), 3))
        minutes = rng.integers(61, 301, len(orders)) * np.where(
            rng.random(len(orders)) < 0.5, -1, 1
        )
        factors = rng.uniform(*style["qty"], len(orders))
        plan = []
        for wo, (move, requantify, drop), shift, factor in zip(
            orders, draws, minutes, factors, strict=True
        ):
            if drop < style["drop"]:
                continue
            start, finish, qty = wo.planned_start, wo.planned_end, float(wo.planned_qty)
            if move < style["move"]:
                start, finish = start + int(shift) * 60, finish + int(shift) * 60
            if requantify < style["requantify"]:
                qty = float(max(10, round(qty * factor / 10) * 10))
            plan.append((wo, start, finish, qty))
        return plan

    def _emit(self, plan_version: str, plan: list, ops: dict[str, list]) -> None:
        """One operation per machine of the order's line (numbered 10, 20, …)."""
        if not plan:
            return
        width = np.array([len(self.machines[wo.line_id]) for wo, *_ in plan])
        ops["plan_version"].append(np.full(width.sum(), plan_version, dtype=object))
        ops["work_order_id"].append(np.repeat([wo.work_order_id for wo, *_ in plan], width))
        ops["operation_no"].append(np.concatenate([self.numbers[n] for n in width]))
        ops["line_id"].append(np.repeat([wo.line_id for wo, *_ in plan], width))
        ops["equipment_id"].append(
            np.concatenate([self.machines[wo.line_id] for wo, *_ in plan]).astype(object)
        )
        for k, name in enumerate(("planned_start", "planned_end", "planned_qty"), start=1):
            ops[name].append(np.repeat([item[k] for item in plan], width))

    def _operations(self, plan: list) -> dict[tuple[str, int], tuple[int, float]]:
        return {
            (wo.work_order_id, 10 * j): (start, qty)
            for wo, start, _, qty in plan
            for j in range(1, len(self.machines[wo.line_id]) + 1)
        }

    def _count_changes(self, plan_version: str, plant: str, published: int, plan: list) -> None:
        current = self._operations(plan)
        previous = self.previous.get(plant)
        changed, window = (None, None)
        if previous is not None:
            changed, window = frozen_window_changes(previous, current, published)
        self.previous[plant] = current
        self.version_truth.append(
            {
                "plan_version": plan_version,
                "plant_id": plant,
                "published_at": datetime(1970, 1, 1) + timedelta(seconds=published),
                "changed_ops": changed,
                "window_ops": window,
                "schedule_change_rate": changed / window if window else None,
            }
        )

    def _freeze(self, plant: str, day: date, plan: list) -> None:
        """The day's last version is the frozen plan of the next date."""
        tomorrow = day + timedelta(days=1)
        operations = [
            (wo.line_id, wo.product_id, start, finish, qty * len(self.machines[wo.line_id]))
            for wo, start, finish, qty in plan
        ]
        epoch_day = (tomorrow - date(1970, 1, 1)).days
        for (line, product), qty in sorted(planned_qty_on_date(operations, epoch_day).items()):
            self.plan_truth.append(
                {
                    "plant_id": plant,
                    "line_id": line,
                    "product_id": product,
                    "date": tomorrow,
                    "planned_qty": qty,
                }
            )


def _ts(local: int) -> str:
    return f"{datetime(1970, 1, 1) + timedelta(seconds=local):{TS}}"
