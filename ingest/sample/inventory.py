"""The stock ledger: every movement, applied in time order, and end-of-day snapshots.

Quantities are kept in integer thousandths so a snapshot equals the sum of the movements
exactly. Stock never goes negative: issues are clamped to what is on hand, and shipments,
transfers and write-offs are only planned against yesterday's closing stock.

Finished goods are also kept by lot, first in first out: a production receipt adds its lot,
opening stock, transfers in and count gains add stock of no known lot, and whatever takes
stock (a shipment, a transfer out, a write-off) takes the oldest first. A shipment carries
the lot that gave most of its quantity (`Ledger.take` says which).
"""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import date, timedelta

import numpy as np

from .factory import DAY_S, Factory
from .shifts import PlantCalendar, local_epoch

MILLI = 1000


def estimated_daily_output(
    factory: Factory, calendars: dict[str, PlantCalendar]
) -> dict[tuple[str, str], float]:
    """Rough units per day by (plant, product): sizes opening stock and first reorders."""
    rate: dict[tuple[str, str], float] = defaultdict(float)
    for line in factory.lines:
        cal = calendars[line.plant_id]
        days = 5 / 7 if line.plant_id == "HP" else 1.0
        last = line.equipment[-1]
        for product in line.products:
            ideal = factory.routings[(product, last.equipment_id)]
            rate[(line.plant_id, product)] += (
                len(cal.shift_positions) * days * 0.7 / ideal / len(line.products)
            )
    return dict(rate)


class Ledger:
    def __init__(self, factory: Factory, calendars: dict[str, PlantCalendar], start: date):
        self.factory = factory
        self.offset = {p.plant_id: p.offset_text for p in factory.plants}
        self.bom = {
            fg: [(m, int(round(q * MILLI))) for m, q in comps] for fg, comps in factory.bom.items()
        }
        self.stock: dict[tuple[str, str], int] = {}
        self.assortment: dict[str, list[str]] = {}
        output = estimated_daily_output(factory, calendars)
        self.usage: dict[tuple[str, str], float] = defaultdict(float)  # milli per day
        for plant in factory.plants:
            products = sorted(
                {
                    p
                    for line in factory.lines
                    if line.plant_id == plant.plant_id
                    for p in line.products
                }
            )
            comps = sorted({m for p in products for m, _ in self.bom[p]})
            self.assortment[f"{plant.plant_id}-FG"] = products
            self.assortment[f"{plant.plant_id}-RM"] = comps
            for p in products:
                for m, q in self.bom[p]:
                    self.usage[(f"{plant.plant_id}-RM", m)] += output[(plant.plant_id, p)] * q
        self.pending: list[tuple] = []
        self.seq = 0
        self.movement_seq = 0
        self.reserved: dict[tuple[str, str], int] = defaultdict(int)
        self.issued: dict[tuple[str, str], int] = defaultdict(int)
        self.lots: dict[tuple[str, str], deque[list]] = defaultdict(deque)  # FG: [lot, milli]
        t0 = local_epoch(start)
        for plant in factory.plants:
            for wh_kind, days in (("RM", 14), ("FG", 6)):
                wh = f"{plant.plant_id}-{wh_kind}"
                for mat in self.assortment[wh]:
                    self.stock[(wh, mat)] = 0
                    if wh_kind == "RM":
                        qty = self.usage[(wh, mat)] * days
                    else:
                        qty = output[(plant.plant_id, mat)] * days * MILLI
                    qty = int(round(qty / (100 * MILLI))) * 100 * MILLI
                    if qty > 0:
                        self.add(
                            t0,
                            plant.plant_id,
                            wh,
                            mat,
                            "ADJUSTMENT",
                            qty,
                            ref_type="ADJ",
                            ref_id="ADJ-OPENING",
                        )

    def add(
        self,
        ts: int,
        plant: str,
        wh: str,
        mat: str,
        kind: str,
        qty: int,
        lot: str = "",
        ref_type: str = "",
        ref_id: str = "",
        ref_line: int | None = None,
    ) -> None:
        self.seq += 1
        self.pending.append(
            (ts, self.seq, plant, wh, mat, kind, qty, lot, ref_type, ref_id, ref_line)
        )

    def produce(
        self, ts: int, plant: str, product: str, good: int, produced: int, lot: str, wo_id: str
    ) -> None:
        if good > 0:
            self.add(
                ts,
                plant,
                f"{plant}-FG",
                product,
                "PRODUCTION_RECEIPT",
                good * MILLI,
                lot,
                "WO",
                wo_id,
            )
        for mat, per_unit in self.bom[product]:
            self.add(
                ts,
                plant,
                f"{plant}-RM",
                mat,
                "ISSUE_TO_PRODUCTION",
                -produced * per_unit,
                "",
                "WO",
                wo_id,
            )

    def available(self, wh: str, mat: str) -> int:
        """Closing stock of yesterday less what today's plans already took (milli)."""
        return self.stock.get((wh, mat), 0) - self.reserved[(wh, mat)]

    def take(self, wh: str, mat: str, qty: int) -> str | None:
        """Reserve stock planned out today; for finished goods, the lot most of it comes from
        (None when that is stock of no known lot)."""
        self.reserved[(wh, mat)] += qty
        if not wh.endswith("-FG"):
            return None
        fifo, taken = self.lots[(wh, mat)], {}
        while qty > 0 and fifo:
            head = fifo[0]
            part = min(qty, head[1])
            taken[head[0]] = taken.get(head[0], 0) + part
            head[1] -= part
            qty -= part
            if head[1] == 0:
                fifo.popleft()
        if not taken:
            return None
        return max(taken.items(), key=lambda item: item[1])[0]

    def close_day(self, day: date, with_snapshot: bool = True) -> tuple[dict, dict]:
        """Apply the day's movements in time order; return movement and snapshot columns."""
        limit = local_epoch(day + timedelta(days=1))
        today = sorted(e for e in self.pending if e[0] < limit)
        self.pending = [e for e in self.pending if e[0] >= limit]
        cols: dict[str, list] = {
            k: []
            for k in (
                "movement_id",
                "ts",
                "plant",
                "warehouse_id",
                "material_id",
                "movement_type",
                "qty",
                "lot_id",
                "reference_type",
                "reference_id",
                "reference_line",
            )
        }
        stock, issued, seq = self.stock, self.issued, self.movement_seq
        appends = [cols[key].append for key in cols]
        for ts, _, plant, wh, mat, kind, qty, lot, ref_type, ref_id, ref_line in today:
            key = (wh, mat)
            on_hand = stock[key]
            if qty < 0 and on_hand + qty < 0:
                qty = -on_hand
            if qty == 0:
                continue
            stock[key] = on_hand + qty
            if qty > 0 and wh.endswith("-FG"):
                self.lots[key].append([lot or None, qty])
            if kind == "ISSUE_TO_PRODUCTION":
                issued[key] -= qty
            seq += 1
            for append, value in zip(
                appends,
                (
                    f"MV-{seq:010d}",
                    ts,
                    plant,
                    wh,
                    mat,
                    kind,
                    qty / MILLI,
                    lot or None,
                    ref_type or None,
                    ref_id or None,
                    ref_line,
                ),
                strict=True,
            ):
                append(value)
        self.movement_seq = seq
        self.reserved.clear()
        for key, issued in self.issued.items():
            self.usage[key] = 0.9 * self.usage[key] + 0.1 * issued
        self.issued.clear()
        snap: dict[str, list] = {k: [] for k in ("warehouse_id", "material_id", "on_hand_qty")}
        if with_snapshot:
            for wh, mats in self.assortment.items():
                for mat in mats:
                    snap["warehouse_id"].append(wh)
                    snap["material_id"].append(mat)
                    snap["on_hand_qty"].append(self.stock[(wh, mat)] / MILLI)
        return cols, snap

    def housekeeping(self, day: date, day_index: int, rng: np.random.Generator) -> None:
        """Weekly SZ->DG transfers of shared products and occasional cycle-count adjustments."""
        t0 = local_epoch(day)
        if day_index % 7 == 3:
            shared = sorted(set(self.assortment["SZ-FG"]) & set(self.assortment["DG-FG"]))
            for mat in shared:
                a, b = ("SZ-FG", "DG-FG")
                if self.available(a, mat) < self.available(b, mat):
                    a, b = b, a
                qty = int(self.available(a, mat) * 0.05) // (10 * MILLI) * 10 * MILLI
                if qty <= 0:
                    continue
                self.take(a, mat, qty)
                ref = f"TR-{day:%y%m%d}-{mat}"
                self.add(t0 + 10 * 3600, a[:2], a, mat, "TRANSFER_OUT", -qty, ref_id=ref)
                self.add(t0 + 16 * 3600, b[:2], b, mat, "TRANSFER_IN", qty, ref_id=ref)
        if day_index % 9 == 5:
            keys = sorted(self.stock)
            wh, mat = keys[int(rng.integers(len(keys)))]
            delta = int(self.stock[(wh, mat)] * rng.uniform(-0.004, 0.003)) // MILLI * MILLI
            delta = max(delta, -self.available(wh, mat))
            if delta:
                if delta < 0:
                    self.take(wh, mat, -delta)
                self.add(
                    t0 + 18 * 3600,
                    wh[:2],
                    wh,
                    mat,
                    "ADJUSTMENT",
                    delta,
                    ref_type="ADJ",
                    ref_id=f"ADJ-CC-{day:%y%m%d}",
                )


def day_of(ts: int) -> date:
    return date(1970, 1, 1) + timedelta(days=ts // DAY_S)
