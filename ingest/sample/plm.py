"""PLM: product revisions and engineering changes (ECOs), planned day by day.

Every finished good starts the period on revision B (A is obsolete). On most days there is a
chance of a new change on a product with no change in flight; its whole life (approval lead
time, effective date, implementation, or rejection / cancellation, or staying open) is drawn
on the day it is created, from that day's own stream, and each step is exported on the day
it happens: the PLM writes the changes and revisions that moved that day.

Two changes tell stories (day offsets from the period start, like the quality stories):
* the quality excursion on SZ-ASSY1 (`quality.EXCURSION_DAYS`) ends with a change to every
  product that line builds, effective on the day the excursion ends;
* the change on `order_rules.SUPERSEDED_PRODUCT` becomes effective on day
  `SUPERSEDED_EFFECTIVE_DAY`, but `SUPERSEDED_LINE` keeps releasing orders on the old revision
  for `SUPERSEDED_LAG_DAYS` more days (every other line moves its open orders on the day).

A change is effective from the start of its effective_date (plant-local) once approved; from
then on its to_revision is the product's current revision (SOURCES.md).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from .factory import DAY_S, Factory
from .order_rules import (
    SUPERSEDED_EFFECTIVE_DAY,
    SUPERSEDED_LAG_DAYS,
    SUPERSEDED_LINE,
    SUPERSEDED_PRODUCT,
)
from .quality import EXCURSION_DAYS, EXCURSION_LINE
from .rng import PLM, day_rng
from .shifts import local_epoch

PLM_OFFSET = "+08:00"  # the PLM server runs at the Suzhou headquarters
NEW_CHANGE_CHANCE = 0.14  # per day
FIRST_REVISION, START_REVISION = "A", "B"
EXCURSION_ECO = (146, 153, EXCURSION_DAYS[1], 175)  # created, approved, effective, closed
SUPERSEDED_ECO = (226, 232, SUPERSEDED_EFFECTIVE_DAY, 252)
REASONS = {
    "QUALITY": "Field or line quality problem / 质量问题",
    "COST": "Cost reduction / 降本",
    "SUPPLIER": "Supplier part change / 供应商零件变更",
    "CUSTOMER": "Customer request / 客户要求",
    "COMPLIANCE": "Regulatory compliance / 法规符合性",
}
PRIORITIES = ("LOW", "MEDIUM", "HIGH")
APPROVAL_DAYS = {"LOW": (5, 26), "MEDIUM": (3, 13), "HIGH": (1, 5)}


@dataclass
class Change:
    """One engineering change and its whole planned life (local epoch seconds, days)."""

    eco_id: str
    product_id: str
    from_revision: str
    to_revision: str
    reason_code: str
    reason_text: str
    priority: str
    created_at: int
    outcome: str  # IMPLEMENTED, REJECTED, CANCELLED or OPEN (never decided)
    approved_at: int | None = None
    effective_day: int | None = None  # local epoch day
    closed_at: int | None = None
    status: str = "OPEN"
    shown: dict = field(default_factory=dict)

    def row(self) -> dict:
        return {
            "eco_id": self.eco_id,
            "product_id": self.product_id,
            "from_revision": self.from_revision,
            "to_revision": self.to_revision,
            "reason_code": self.reason_code,
            "reason_text": self.reason_text,
            "priority": self.priority,
            "created_at": _iso(self.created_at),
            "approved_at": _iso(self.shown.get("approved_at")),
            "effective_date": _day(self.shown.get("effective_day")),
            "closed_at": _iso(self.shown.get("closed_at")),
            "status": self.status,
        }


def _iso(ts: int | None) -> str | None:
    if ts is None:
        return None
    return f"{datetime(1970, 1, 1) + timedelta(seconds=ts):%Y-%m-%dT%H:%M:%S}{PLM_OFFSET}"


def _day(epoch_day: int | None) -> str | None:
    return None if epoch_day is None else f"{date(1970, 1, 1) + timedelta(days=epoch_day)}"


class Engineering:
    """Revisions and changes of every finished good, moved on day by day."""

    def __init__(self, factory: Factory, seed: int, start: date):
        self.seed, self.start = seed, start
        self.products = sorted(m.material_id for m in factory.materials if m.material_type == "FG")
        self.start_day = (start - date(1970, 1, 1)).days
        self.revisions: dict[tuple[str, str], dict] = {}
        released = local_epoch(date(2024, 6, 3)) + 9 * 3600
        for product in self.products:
            self.revisions[(product, FIRST_REVISION)] = _revision(
                product, FIRST_REVISION, "OBSOLETE", local_epoch(date(2023, 3, 6)) + 9 * 3600
            )
            self.revisions[(product, START_REVISION)] = _revision(
                product, START_REVISION, "RELEASED", released
            )
        self.letter = dict.fromkeys(self.products, START_REVISION)  # newest revision used
        self.current = dict.fromkeys(self.products, START_REVISION)  # newest released
        self.effective: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.busy_until = dict.fromkeys(self.products, -1)  # local epoch day
        self.events: dict[int, list[tuple[Change, str]]] = defaultdict(list)
        self.changes: list[Change] = []
        self.seq = 0
        self.excursion_products = sorted(
            p for line in factory.lines if line.line_id == EXCURSION_LINE for p in line.products
        )
        self.story_windows = {
            p: (self.start_day + EXCURSION_ECO[0] - 2, self.start_day + EXCURSION_ECO[3] + 2)
            for p in self.excursion_products
        }

    # -- what the lines ask ---------------------------------------------------------------
    def revision_for(self, line_id: str, product: str, ts: int) -> str:
        """The revision an order released at `ts` (local epoch s) builds: the product's
        current one, or - on the story line, for the story product - the one current
        `SUPERSEDED_LAG_DAYS` earlier."""
        day = ts // DAY_S
        if line_id == SUPERSEDED_LINE and product == SUPERSEDED_PRODUCT:
            day -= SUPERSEDED_LAG_DAYS
        changes = self.effective.get(product)
        if not changes:
            return START_REVISION
        k = bisect.bisect_right(changes, (day, "~"))
        return changes[k - 1][1] if k else START_REVISION

    def follows(self, line_id: str, product: str) -> bool:
        """Whether a line moves its open orders to a new revision the day it takes effect."""
        return not (line_id == SUPERSEDED_LINE and product == SUPERSEDED_PRODUCT)

    # -- one day --------------------------------------------------------------------------
    def run_day(self, day: date) -> tuple[list[dict], list[dict]]:
        """The day's new changes and every step due today: (change rows, revision rows)."""
        rng = day_rng(self.seed, PLM, day)
        epoch_day = (day - date(1970, 1, 1)).days
        offset = epoch_day - self.start_day
        if offset == EXCURSION_ECO[0]:
            for k, product in enumerate(self.excursion_products):
                self._story(
                    product,
                    EXCURSION_ECO,
                    9 * 3600 + 7 * 60 * k,
                    "QUALITY",
                    "SZ-ASSY1 screw torque excursion: longer screw, torque 2.2 N·m"
                    " / 装配线1扭力异常：加长螺丝",
                    "HIGH",
                )
        if offset == SUPERSEDED_ECO[0]:
            self._story(
                SUPERSEDED_PRODUCT,
                SUPERSEDED_ECO,
                10 * 3600,
                "SUPPLIER",
                "New connector housing from SUP-03 / 新连接器外壳",
                "MEDIUM",
            )
        if rng.random() < NEW_CHANGE_CHANCE:
            self._random_change(rng, epoch_day)
        changes, revisions = {}, {}
        for change, step in self.events.pop(epoch_day, []):
            for key in self._apply(change, step):
                revisions[key] = dict(self.revisions[key])
            changes[change.eco_id] = change.row()
        return list(changes.values()), list(revisions.values())

    def master_rows(self) -> list[dict]:
        """The revisions as exported when the period opens."""
        return [dict(row) for row in self.revisions.values()]

    # -- planning a change ----------------------------------------------------------------
    def _story(self, product, plan, at_s, reason, text, priority) -> None:
        created, approved, effective, closed = (self.start_day + k for k in plan)
        change = self._new(product, created * DAY_S + at_s, reason, text, priority, "IMPLEMENTED")
        change.approved_at = approved * DAY_S + at_s + 5 * 3600
        change.effective_day = effective
        change.closed_at = closed * DAY_S + 16 * 3600
        self._schedule(change)

    def _random_change(self, rng: np.random.Generator, epoch_day: int) -> None:
        priority = PRIORITIES[int(rng.choice(3, p=[0.3, 0.5, 0.2]))]
        reason = sorted(REASONS)[int(rng.integers(len(REASONS)))]
        outcome = ("IMPLEMENTED", "REJECTED", "CANCELLED", "OPEN")[
            int(rng.choice(4, p=[0.72, 0.1, 0.08, 0.1]))
        ]
        created_at = epoch_day * DAY_S + int(rng.integers(8 * 3600, 18 * 3600))
        lo, hi = APPROVAL_DAYS[priority]
        approval_s = int(rng.integers(lo * DAY_S, hi * DAY_S))
        effect_days = int(rng.integers(3, 22))
        close_days = int(rng.integers(1, 15))
        decided_s = int(rng.integers(3 * DAY_S, 21 * DAY_S))
        pick = rng.random()
        if outcome == "IMPLEMENTED":
            last = (created_at + approval_s) // DAY_S + effect_days + close_days
        elif outcome == "OPEN":
            last = epoch_day
        else:
            last = (created_at + decided_s) // DAY_S
        free = [
            p
            for p in self.products
            if p != SUPERSEDED_PRODUCT
            and self.busy_until[p] < epoch_day
            and not _overlaps(self.story_windows.get(p), epoch_day, last)
        ]
        if not free:
            return
        product = free[int(pick * len(free))]
        text = REASONS[reason]
        change = self._new(product, created_at, reason, text, priority, outcome)
        if outcome == "IMPLEMENTED":
            change.approved_at = created_at + approval_s
            change.effective_day = change.approved_at // DAY_S + effect_days
            change.closed_at = (change.effective_day + close_days) * DAY_S + 16 * 3600
        elif outcome != "OPEN":
            change.closed_at = created_at + decided_s
        self._schedule(change)

    def _new(self, product, created_at, reason, text, priority, outcome) -> Change:
        self.seq += 1
        when = date(1970, 1, 1) + timedelta(days=created_at // DAY_S)
        to_revision = chr(ord(self.letter[product]) + 1)
        self.letter[product] = to_revision
        change = Change(
            f"ECO-{when:%y}-{self.seq:04d}",
            product,
            self.current[product],
            to_revision,
            reason,
            text,
            priority,
            created_at,
            outcome,
        )
        self.changes.append(change)
        return change

    def _schedule(self, change: Change) -> None:
        """File each step of a change under the day it happens; mark the product busy."""
        self.events[change.created_at // DAY_S].append((change, "create"))
        if change.approved_at is not None:
            self.events[change.approved_at // DAY_S].append((change, "approve"))
            self.events[change.effective_day].append((change, "effective"))
            self.effective[change.product_id].append((change.effective_day, change.to_revision))
            self.effective[change.product_id].sort()
        if change.closed_at is not None:
            self.events[change.closed_at // DAY_S].append((change, "close"))
        last = change.closed_at // DAY_S if change.closed_at is not None else None
        if change.outcome == "OPEN":
            last = change.created_at // DAY_S
        self.busy_until[change.product_id] = last if last is not None else 10**9

    def _apply(self, change: Change, step: str) -> list[tuple[str, str]]:
        """Move a change one step on; return the revision keys that changed."""
        product, new = change.product_id, (change.product_id, change.to_revision)
        if step == "create":
            self.revisions[new] = _revision(product, change.to_revision, "IN_WORK", None)
            return [new]
        if step == "approve":
            change.status = "APPROVED"
            change.shown["approved_at"] = change.approved_at
            change.shown["effective_day"] = change.effective_day
            self.revisions[new] = _revision(
                product, change.to_revision, "RELEASED", change.approved_at
            )
            return [new]
        if step == "effective":
            old = (product, change.from_revision)
            self.current[product] = change.to_revision
            self.revisions[old] = {**self.revisions[old], "status": "OBSOLETE"}
            return [old]
        change.status = change.outcome
        change.shown["closed_at"] = change.closed_at
        if change.outcome in ("REJECTED", "CANCELLED"):
            self.revisions[new] = _revision(product, change.to_revision, "OBSOLETE", None)
            return [new]
        return []


def _overlaps(window: tuple[int, int] | None, first: int, last: int) -> bool:
    return window is not None and first <= window[1] and last >= window[0]


def _revision(product: str, revision: str, status: str, released_at: int | None) -> dict:
    return {
        "product_id": product,
        "revision": revision,
        "status": status,
        "released_at": _iso(released_at),
        "description": f"{product} rev {revision}",
    }
