"""Per-line simulation of one production day: work orders, machine states, output, quality.

Each line runs one work order at a time; all its machines change over together. A machine's
day is painted into a per-second array of state codes (runs, then minor stops, starvation,
setups, breaks, maintenance, breakdowns, data gaps); state records, production reports,
energy and the ground truth are all read off that one array, so they agree by construction.

Each day draws from its own generator (seed, line, day), and what carries over from one day
to the next (the order in progress, the next order, a breakdown running past the window,
an order to cancel) is decided on the day it happens, never from the end of the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from . import states as st
from .factory import DAY_S, Factory, Line, hash_id
from .quality import QualityModel
from .rng import LINE, day_rng

if TYPE_CHECKING:
    from .order_rules import OrderRules
    from .plm import Engineering
from .shifts import SLOT_S, PlantCalendar


@dataclass
class WorkOrder:
    work_order_id: str
    product_id: str
    line_id: str
    planned_qty: int
    planned_start: int
    planned_end: int
    budget_s: int  # shift seconds the order will occupy the line
    actual_start: int | None = None
    actual_end: int | None = None
    status: str = "RELEASED"
    revision: str | None = None


@dataclass
class LineDay:
    """What one line produced on one production day (arrays are per state record)."""

    records_eq: list[np.ndarray] = field(default_factory=list)
    records_start: list[np.ndarray] = field(default_factory=list)
    records_end: list[np.ndarray] = field(default_factory=list)
    records_code: list[np.ndarray] = field(default_factory=list)


class LineSimulator:
    """Carries a line's state (current order, breakdowns in progress) from day to day."""

    def __init__(
        self,
        line: Line,
        factory: Factory,
        calendar: PlantCalendar,
        seed: int,
        index: int,
        quality: QualityModel,
        timeline_end: int,
        rules: OrderRules | None = None,
        plm: Engineering | None = None,
    ):
        self.line = line
        self.rules = rules
        self.plm = plm
        self.factory = factory
        self.cal = calendar
        self.quality = quality
        self.timeline_end = timeline_end
        self.seed, self.index = seed, index
        self.rng: np.random.Generator  # set per day by run_day
        self.eqs = line.equipment
        self.eq_ids = np.array([eq.equipment_id for eq in self.eqs], dtype=object)
        self.carry: list[tuple[int, int] | None] = [None] * len(self.eqs)
        self.wo: WorkOrder | None = None
        self.next_wo: WorkOrder | None = None
        self.wo_seq = 0
        self.kw = np.zeros((len(self.eqs), len(st.CODES)))
        for row, eq in enumerate(self.eqs):
            self.kw[row, :] = eq.idle_kw
            self.kw[row, st.RUNNING] = eq.run_kw
            self.kw[row, [st.BREAK, st.PM]] = eq.idle_kw * 0.4
            self.kw[row, [st.NOT_SCHEDULED, st.HOLIDAY, st.WEEKEND]] = eq.idle_kw * 0.08
        self.pm_day = [5 + (hash_id(eq.equipment_id, 7) % 20) for eq in self.eqs]
        self.break_ranges = _ranges(calendar.break_mask)
        self.off_ranges = _ranges(~calendar.shift_mask)
        self.shift_ranges = _ranges(calendar.shift_mask)
        self.cancel_tomorrow: list[WorkOrder] = []
        self.speed = np.array([eq.speed_factor for eq in self.eqs])
        self.ideal = {
            p: np.array([factory.routings[(p, eq.equipment_id)] for eq in self.eqs])
            for p in line.products
        }

    # -- work orders -------------------------------------------------------------------
    def _new_order(self, planned_start: int, previous: str | None) -> WorkOrder:
        self.wo_seq += 1
        choices = [p for p in self.line.products if p != previous] or self.line.products
        product = choices[int(self.rng.integers(len(choices)))]
        budget = int(self.rng.integers(4 * 3600, 20 * 3600))
        rules = self.rules
        if rules is not None:
            product = rules.product(self.line, planned_start, product)
        last = self.eqs[-1]
        ideal = self.factory.routings[(product, last.equipment_id)]
        qty = max(10, int(round(budget * 0.8 / (ideal * last.speed_factor), -1)))
        stretch = self.rng.uniform(0.95, 1.25)
        if rules is not None:
            stretch *= rules.duration_factor(self.line)
        start, end = self.cal.shift_window(planned_start, int(budget * stretch))
        wo = WorkOrder(
            f"WO-{self.line.line_id}-{self.wo_seq:05d}",
            product,
            self.line.line_id,
            qty,
            start,
            end,
            budget,
        )
        if self.plm is not None:
            # Released on the revision current a day on, so an order made across the
            # midnight a change takes effect builds the new one (the MES knows it by then).
            ahead = planned_start + DAY_S
            wo.revision = self.plm.revision_for(self.line.line_id, product, ahead)
        return wo

    def _start_order(self, wo: WorkOrder, at: int, out) -> None:
        wo.actual_start = at
        wo.status = "IN_PROGRESS"
        self.wo = wo
        out.work_order(wo)
        estimate = self.cal.shift_window(at, wo.budget_s)[1]
        self.next_wo = self._new_order(estimate, wo.product_id)
        out.work_order(self.next_wo)
        if self.rng.random() < 0.03:
            extra = self._new_order(estimate, None)
            out.work_order(extra)
            self.cancel_tomorrow.append(extra)

    # -- one day ---------------------------------------------------------------------
    def advance_orders(self, day: date, day_index: int, out) -> list[tuple[WorkOrder, int, int]]:
        """The day's work orders: yesterday's extras cancelled, orders completed and started.

        These are the first draws of the day's stream and depend on nothing but the orders
        carried over and the calendar, so a second simulator running ahead (the APS sample's
        look-ahead, `aps.OrderForecast`) releases exactly the orders this one will.
        """
        self.rng = day_rng(self.seed, LINE, day, self.index)
        w0 = self.cal.window_start(day)
        for wo in self.cancel_tomorrow:
            wo.status = "CANCELLED"
            out.work_order(wo)
        self.cancel_tomorrow = []
        if day_index == 0:
            self._start_order(self._new_order(w0, None), w0, out)
            self.wo.planned_start = w0
        if self.plm is not None:
            self._follow_changes(w0, out)
        if not self.cal.is_working(day):
            return [(self.wo, 0, DAY_S)]
        return self._segments(w0, out)

    def _follow_changes(self, w0: int, out) -> None:
        """Open orders move to a product's new revision on the production day whose window
        reaches the start of the day a change takes effect."""
        for wo in (self.wo, self.next_wo):
            if wo is None or wo.revision is None:
                continue
            if not self.plm.follows(self.line.line_id, wo.product_id):
                continue
            current = self.plm.revision_for(self.line.line_id, wo.product_id, w0 + DAY_S)
            if current > wo.revision:
                wo.revision = current
                out.work_order(wo)

    def run_day(self, day: date, day_index: int, out, ledger, truth) -> None:
        cal, n = self.cal, len(self.eqs)
        w0 = cal.window_start(day)
        cut = min(DAY_S, self.timeline_end - w0)
        working = cal.is_working(day)
        arr = np.full((n, DAY_S), st.NOT_SCHEDULED, dtype=np.int8)
        segments = self.advance_orders(day, day_index, out)
        if not working:
            fill = st.HOLIDAY if cal.is_holiday(day) else st.WEEKEND
            for a, b in self.shift_ranges:
                arr[:, a:b] = fill
            self.carry = [None] * n
        else:
            for a, b in self.shift_ranges:
                arr[:, a:b] = st.RUNNING
            self._paint(arr, day, segments, day_index)
        arr = arr[:, :cut]
        self._emit(arr, day, w0, cut, segments, working, out, ledger, truth)

    def _segments(self, w0: int, out) -> list[tuple[WorkOrder, int, int]]:
        positions = self.cal.shift_positions
        total, used, seg_start = len(positions), 0, 0
        segments = []
        while self.wo.budget_s < total - used:
            end_pos = int(positions[used + self.wo.budget_s])
            segments.append((self.wo, seg_start, end_pos))
            used += self.wo.budget_s
            self.wo.budget_s = 0
            self.wo.actual_end = w0 + end_pos
            self.wo.status = "COMPLETED"
            out.work_order(self.wo)
            self._start_order(self.next_wo, w0 + end_pos, out)
            seg_start = end_pos
        self.wo.budget_s -= total - used
        segments.append((self.wo, seg_start, DAY_S))
        return segments

    def _paint(self, arr: np.ndarray, day: date, segments, day_index: int) -> None:
        cal, rng = self.cal, self.rng
        # A machine of each assembly line stops reporting for 1-3 hours every ten days.
        gap_row = -1
        if self.line.kind == "ASSY" and day_index % 10 == 2:
            gap_row = (day_index // 10) % len(self.eqs)
        work = cal.work_positions
        work_h = len(work) / 3600
        changeovers = [a for _, a, _ in segments[1:]]
        setup_len = [int(rng.integers(1200, 3601)) for _ in changeovers]
        for row, eq in enumerate(self.eqs):
            line = arr[row]
            k = rng.poisson(work_h * 1.0)
            starts = work[rng.integers(0, len(work), k)]
            lengths = rng.integers(60, 301, k)
            codes = MINOR_CODES[rng.integers(0, len(MINOR_CODES), k)]  # = rng.choice(MINOR, k)
            for s, d, c in zip(starts, lengths, codes, strict=True):
                line[s : s + d] = c
            for code, rate in ((st.STARVED, 0.03), (st.BLOCKED, 0.02)):
                k = rng.poisson(work_h * rate)
                for s in work[rng.integers(0, len(work), k)]:
                    line[s : s + int(rng.integers(300, 1801))] = code
            for pos, length in zip(changeovers, setup_len, strict=True):
                line[pos : pos + length + int(rng.integers(-120, 121))] = st.SETUP
            for a, b in self.break_ranges:
                line[a:b] = st.BREAK
            if day.day == self.pm_day[row]:
                a = cal.slots[0].start + 3600
                line[a : a + int(rng.integers(2, 5)) * 3600] = st.PM
            if self.carry[row] is not None:
                length, code = self.carry[row]
                line[:length] = code
                self.carry[row] = None
            k = rng.poisson(work_h / eq.mtbf_h)
            sigma = 0.6
            mu = np.log(eq.mttr_min * 60) - sigma**2 / 2
            for s in work[rng.integers(0, len(work), k)]:
                d = max(120, int(rng.lognormal(mu, sigma)))
                code = st.BREAKDOWN[int(rng.integers(len(st.BREAKDOWN)))]
                line[s : s + d] = code
                if s + d > DAY_S:
                    self.carry[row] = (int(s + d - DAY_S), code)
            if gap_row == row:
                s = int(work[rng.integers(0, len(work) // 2)])
                line[s : s + int(rng.integers(3600, 10801))] = st.UNKNOWN
        for a, b in self.off_ranges:
            arr[:, a:b] = st.NOT_SCHEDULED

    def _emit(self, arr, day, w0, cut, segments, working, out, ledger, truth) -> None:
        cal, n = self.cal, len(self.eqs)
        flat = arr.ravel()
        changed = np.empty(flat.size, dtype=bool)
        changed[0] = True
        np.not_equal(flat[1:], flat[:-1], out=changed[1:])
        changed[::SLOT_S] = True  # split at every SCADA slot (and so every shift boundary)
        starts = np.flatnonzero(changed)
        ends = np.append(starts[1:], flat.size)
        codes = flat[starts].astype(np.int64)
        row = starts // cut
        pos = starts - row * cut
        dur = ends - starts
        slot = pos // SLOT_S
        shift_of = cal.slot_shift[slot]

        # Ground truth: seconds per state inside shift time.
        in_shift = shift_of >= 0
        key = row[in_shift] * 9 + st.STATE_INDEX[codes[in_shift]]
        state_s = np.bincount(key, weights=dur[in_shift], minlength=n * 9).reshape(n, 9)
        shift_s = int((cal.slot_shift[: cut // SLOT_S] >= 0).sum()) * SLOT_S

        # State records: merge the slot splits back, drop gaps.
        new = np.ones(len(starts), dtype=bool)
        new[1:] = (codes[1:] != codes[:-1]) | (pos[1:] == 0)
        idx = np.flatnonzero(new)
        rec_start = starts[idx]
        rec_end = np.append(rec_start[1:], flat.size)
        rec_code = codes[idx]
        rec_row = row[idx]
        rec_pos = rec_start - rec_row * cut
        events = np.bincount(
            rec_row, weights=(st.IS_BREAKDOWN[rec_code] & cal.shift_mask[rec_pos]), minlength=n
        )
        keep = rec_code != st.UNKNOWN
        out.states(
            self.line.plant_id,
            self.eq_ids[rec_row[keep]],
            w0 + rec_pos[keep],
            w0 + (rec_end - rec_row * cut)[keep],
            rec_code[keep],
        )
        if w0 + cut >= self.timeline_end:
            out.states(
                self.line.plant_id,
                self.eq_ids,
                np.full(n, self.timeline_end),
                np.full(n, -1),
                np.full(n, st.NOT_SCHEDULED),
            )

        # Energy per 15-minute slot.
        nslots = cut // SLOT_S
        kwh = np.bincount(
            row * nslots + slot, weights=dur * self.kw[row, codes] / 3600, minlength=n * nslots
        )
        # Noise for every slot of the window, so a cut last day draws what a full day does.
        noise = self.rng.normal(1.0, 0.02, (n, DAY_S // SLOT_S))[:, :nslots]
        kwh *= noise.ravel().clip(0.9, 1.1)
        slot_start = w0 + np.arange(nslots) * SLOT_S - self.cal.plant.utc_offset_s
        out.meter(np.repeat(self.eq_ids, nslots), np.tile(slot_start, n), np.round(kwh, 4))

        qty = np.zeros((n, 4), dtype=np.int64)
        ideal_s = np.zeros((n, 2))
        if working:
            running = codes == st.RUNNING
            run_row, run_a, run_b = row[running], pos[running], pos[running] + dur[running]
            self._report(day, w0, cut, segments, run_row, run_a, run_b, out, ledger, qty, ideal_s)
        truth.add(self.line, self.eq_ids, day, shift_s, state_s, events, qty, ideal_s)

    def _report(
        self, day, w0, cut, segments, run_row, run_a, run_b, out, ledger, qty, ideal_s
    ) -> None:
        rng, n, line = self.rng, len(self.eqs), self.line
        last = n - 1
        for shift_index, slot in enumerate(self.cal.slots):
            for wo, a, b in segments:
                lo, hi = max(a, slot.start), min(b, slot.end, cut)
                if lo >= hi:
                    continue
                overlap = np.maximum(np.minimum(run_b, hi) - np.maximum(run_a, lo), 0)
                run_s = np.bincount(run_row, weights=overlap, minlength=n)
                ideal = self.ideal[wo.product_id]
                speed = self.speed * rng.normal(1.0, 0.01, n).clip(0.97, 1.03)
                produced = np.floor(run_s / (ideal * speed)).astype(np.int64)
                p_scrap, p_rework = self.quality.rates(line, wo.product_id, day)
                scrap = rng.binomial(produced, p_scrap)
                rework = rng.binomial(produced - scrap, p_rework)
                good = produced - scrap - rework
                lot = f"LOT-{line.line_id}-{day:%y%m%d}{slot.code}-{wo.work_order_id[-5:]}"
                made = produced > 0
                for e in np.flatnonzero(made).tolist():
                    out.report(
                        wo,
                        self.eqs[e].equipment_id,
                        w0 + lo,
                        w0 + hi,
                        int(produced[e]),
                        int(good[e]),
                        int(scrap[e]),
                        int(rework[e]),
                        lot,
                    )
                qty[made] += np.column_stack((produced, good, scrap, rework))[made]
                ideal_s[made] += np.column_stack((ideal * produced, ideal * good))[made]
                if produced[last] <= 0:
                    continue
                self.quality.inspect(
                    out,
                    rng,
                    line,
                    wo,
                    day,
                    w0 + lo,
                    w0 + hi,
                    lot,
                    int(produced[last]),
                    int(scrap[last] + rework[last]),
                    shift_index,
                )
                ts = w0 + hi
                ledger.produce(
                    ts,
                    line.plant_id,
                    wo.product_id,
                    int(good[last]),
                    int(produced[last]),
                    lot,
                    wo.work_order_id,
                )
                out.produced(line.plant_id, wo.product_id, int(good[last]))


MINOR_CODES = np.array(st.MINOR)


def _ranges(mask: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous True runs of a boolean mask as (start, end) pairs."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
