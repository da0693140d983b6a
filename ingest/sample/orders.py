"""Sales orders, shipments and purchase orders, driven by what the plants actually make.

Customers order roughly what a plant produced, a week or three ahead. About one line in ten
ships late or in parts. Purchasing reorders raw material when stock plus open orders falls
below twelve days of use; one supplier (SUP-02, the IC distributor) is often late and short.

Planning is rolling: every decision is taken on its day, from that day's own random stream
and what happened before it (production, stock, open orders), never from the period's end.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from .factory import CNY_RATE, PLANT_REGIONS, REGION_CURRENCY, Factory
from .inventory import MILLI, Ledger
from .rng import PURCHASING, SALES, day_rng
from .shifts import local_epoch


@dataclass
class OrderLine:
    order_id: str
    line_no: int
    customer_id: str
    material_id: str
    order_qty: int
    unit_price: float
    currency: str
    order_date: date
    requested_date: date
    promised_date: date
    plant_id: str
    ship_on: date
    partial: bool
    cancel_on: date | None
    status: str = "OPEN"
    shipped: int = 0
    close_on: date | None = None

    def row(self) -> dict:
        return {
            "order_id": self.order_id,
            "line_no": self.line_no,
            "customer_id": self.customer_id,
            "material_id": self.material_id,
            "order_qty": self.order_qty,
            "unit_price": self.unit_price,
            "currency": self.currency,
            "order_date": self.order_date,
            "requested_date": self.requested_date,
            "promised_date": self.promised_date,
            "status": self.status,
        }


class SalesBook:
    def __init__(self, factory: Factory, seed: int):
        self.factory = factory
        self.seed = seed
        self.rng: np.random.Generator  # set per day by run_day
        self.open: list[OrderLine] = []
        self.order_seq = 0
        self.shipment_seq = 0
        self.customers = {
            plant: [c for c in factory.customers if c.region in regions]
            for plant, regions in PLANT_REGIONS.items()
        }

    def run_day(self, day: date, produced: dict[tuple[str, str], int], out, ledger: Ledger) -> None:
        self.rng = day_rng(self.seed, SALES, day)
        t0 = local_epoch(day)
        still_open = []
        for line in self.open:
            if line.cancel_on == day and line.status == "OPEN":
                line.status = "CANCELLED"
                out.sales_line(line.row())
                continue
            if line.status == "SHIPPED":
                if line.close_on == day:
                    line.status = "CLOSED"
                    out.sales_line(line.row())
                    continue
            elif line.ship_on <= day:
                self._ship(line, day, t0, out, ledger)
            still_open.append(line)
        self.open = still_open
        self._take_orders(day, produced, out)

    def _ship(self, line: OrderLine, day: date, t0: int, out, ledger: Ledger) -> None:
        rng, wh = self.rng, f"{line.plant_id}-FG"
        want = line.order_qty - line.shipped
        if line.partial and line.shipped == 0:
            want = int(want * rng.uniform(0.5, 0.9))
        qty = min(want, ledger.available(wh, line.material_id) // MILLI)
        if qty > 0:
            lot = ledger.take(wh, line.material_id, qty * MILLI)
            self.shipment_seq += 1
            ts = t0 + int(rng.integers(8 * 3600, 18 * 3600))
            shipment_id = f"SH-{self.shipment_seq:08d}"
            ledger.add(
                ts,
                line.plant_id,
                wh,
                line.material_id,
                "SHIPMENT",
                -qty * MILLI,
                ref_type="SO",
                ref_id=line.order_id,
                ref_line=line.line_no,
            )
            out.shipment(
                {
                    "shipment_id": shipment_id,
                    "order_id": line.order_id,
                    "line_no": line.line_no,
                    "material_id": line.material_id,
                    "shipped_qty": qty,
                    "shipped_at": ts,
                    "warehouse_id": wh,
                    "lot_id": lot,
                    "plant": line.plant_id,
                }
            )
            line.shipped += qty
        if line.shipped >= line.order_qty:
            line.status = "SHIPPED"
            line.close_on = day + timedelta(days=int(rng.integers(3, 11)))
            out.sales_line(line.row())
        elif line.partial and qty > 0:
            line.ship_on = day + timedelta(days=int(rng.integers(2, 7)))
        else:
            line.ship_on = day + timedelta(days=1)

    def _take_orders(self, day: date, produced: dict[tuple[str, str], int], out) -> None:
        rng = self.rng
        by_customer: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
        for (plant, product), good in sorted(produced.items()):
            total = int(good * rng.uniform(0.88, 1.0)) // 10 * 10
            if total <= 0:
                continue
            parts = int(rng.integers(1, 4))
            pool = self.customers[plant]
            for share in rng.dirichlet(np.ones(parts)):
                qty = int(total * share) // 10 * 10
                if qty > 0:
                    customer = pool[int(rng.integers(len(pool)))]
                    by_customer[(plant, customer.customer_id)].append((product, qty))
        for (plant, customer_id), items in by_customer.items():
            customer = next(c for c in self.factory.customers if c.customer_id == customer_id)
            currency = REGION_CURRENCY[customer.region]
            self.order_seq += 1
            order_id = f"SO-{day:%Y}-{self.order_seq:06d}"
            requested = day + timedelta(days=int(rng.integers(7, 22)))
            promised = requested + timedelta(days=int(rng.integers(0, 6)) * (rng.random() < 0.2))
            for k, (product, qty) in enumerate(items, start=1):
                cost = self.factory.material(product).standard_cost
                price = round(cost * rng.uniform(1.25, 1.45) * CNY_RATE[currency], 2)
                ship_on = promised - timedelta(days=int(rng.integers(0, 4)))
                if rng.random() < 0.10:
                    ship_on = promised + timedelta(days=int(rng.integers(1, 9)))
                cancel_on = None
                if rng.random() < 0.015:
                    cancel_on = day + timedelta(days=int(rng.integers(1, 5)))
                line = OrderLine(
                    order_id,
                    10 * k,
                    customer_id,
                    product,
                    qty,
                    price,
                    currency,
                    day,
                    requested,
                    promised,
                    plant,
                    max(ship_on, day + timedelta(days=1)),
                    bool(rng.random() < 0.05),
                    cancel_on,
                )
                self.open.append(line)
                out.sales_line(line.row())


@dataclass
class PurchaseLine:
    po_id: str
    line_no: int
    supplier_id: str
    material_id: str
    warehouse_id: str
    order_qty: int
    unit_price: float
    order_date: date
    promised_date: date
    receive_on: date
    receive_qty: int


class Purchasing:
    def __init__(self, factory: Factory, seed: int):
        self.factory = factory
        self.seed = seed
        self.suppliers = {s.supplier_id: s for s in factory.suppliers}
        self.open: list[PurchaseLine] = []
        self.on_order: dict[tuple[str, str], int] = defaultdict(int)
        self.po_seq = 0

    def receive(self, day: date, ledger: Ledger) -> None:
        rng = day_rng(self.seed, PURCHASING, day, 0)
        t0 = local_epoch(day)
        remaining = []
        for line in self.open:
            if line.receive_on != day:
                remaining.append(line)
                continue
            ts = t0 + int(rng.integers(9 * 3600, 16 * 3600))
            ledger.add(
                ts,
                line.warehouse_id[:2],
                line.warehouse_id,
                line.material_id,
                "GOODS_RECEIPT",
                line.receive_qty * MILLI,
                ref_type="PO",
                ref_id=line.po_id,
                ref_line=line.line_no,
            )
            self.on_order[(line.warehouse_id, line.material_id)] -= line.order_qty
        self.open = remaining

    def reorder(self, day: date, ledger: Ledger, out) -> None:
        rng = day_rng(self.seed, PURCHASING, day, 1)
        by_supplier: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
        for wh in sorted(w for w in ledger.assortment if w.endswith("-RM")):
            for mat in ledger.assortment[wh]:
                per_day = ledger.usage[(wh, mat)] / MILLI
                if per_day <= 0:
                    continue
                position = ledger.stock[(wh, mat)] / MILLI + self.on_order[(wh, mat)]
                if position < per_day * 12:
                    lot = 10 if self.factory.material(mat).uom == "KG" else 100
                    qty = max(lot, int(np.ceil(per_day * 16 / lot)) * lot)
                    by_supplier[(wh, self.factory.supplier_of[mat])].append((mat, qty))
        for (wh, supplier_id), items in by_supplier.items():
            supplier = self.suppliers[supplier_id]
            self.po_seq += 1
            po_id = f"PO-{day:%y%m%d}-{self.po_seq:05d}"
            promised = day + timedelta(days=supplier.lead_days)
            for k, (mat, qty) in enumerate(items, start=1):
                receive_on, receive_qty = promised, qty
                if supplier.reliable:
                    receive_on += timedelta(days=int(rng.choice([-1, 0, 0, 0, 0, 0, 1])))
                else:
                    if rng.random() < 0.45:
                        receive_on += timedelta(days=int(rng.integers(2, 11)))
                    if rng.random() < 0.3:
                        receive_qty = max(1, int(qty * rng.uniform(0.7, 0.95)))
                cost = self.factory.material(mat).standard_cost
                line = PurchaseLine(
                    po_id,
                    10 * k,
                    supplier_id,
                    mat,
                    wh,
                    qty,
                    round(cost * rng.uniform(0.95, 1.05), 4),
                    day,
                    promised,
                    receive_on,
                    receive_qty,
                )
                self.open.append(line)
                self.on_order[(wh, mat)] += qty
                out.purchase_line(
                    {
                        "po_id": po_id,
                        "line_no": line.line_no,
                        "supplier_id": supplier_id,
                        "material_id": mat,
                        "order_qty": qty,
                        "unit_price": line.unit_price,
                        "currency": "CNY",
                        "order_date": day,
                        "promised_date": promised,
                    }
                )
