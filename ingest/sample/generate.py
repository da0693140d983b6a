"""The day loop: simulate each production day, write that day's files, keep only state.

Nothing is held for the whole period except the ground-truth table (one row per machine
and day, packed into one frame per day), so memory stays flat whatever the length and
scale; `output.InboxFiles` writes each day's files as soon as the day is simulated.

Prefix-stable: for the same seed, start and scale, a run ending at E + 1 writes every file
of the run ending at E byte for byte, plus the new day's files, the way real source
systems never rewrite yesterday's extracts (a work order's later version goes into the
day it changed). Each day draws from its own random streams (`rng.day_rng`: seed, stream,
day, line), and nothing before the last day looks at `end`: work orders, sales and
purchase orders, transfers, maintenance, the quality stories (fixed offsets from `start`)
and the bad rows (spread over the first fortnight) are all planned day by day. Master
data is written as exported when the period opens. The PLM plans each engineering change on
the day it is created; the APS publishes plans of orders the lines release up to four days
later, known from a look-ahead (`aps.OrderForecast`) that replays the lines' order releases
from the same per-day streams, so its files never depend on where the period ends either.

Only the tail depends on where the period ends, and is rewritten by a longer run:
  * mes/equipment_states/[HP_]equipment_states_<E>: the last production-day window is
    cut where the last shift starting on E ends (06:00 and 08:00 of E + 1 at Suzhou and
    Dongguan, midnight at Haiphong), and each machine's open NOT_SCHEDULED record (empty
    end_ts) starts there;
  * scada/meter_readings/meter_readings_<E>: Haiphong's readings stop at that same cut;
  * wms/inventory_movements/inventory_movements_<E+1>: the movements after midnight of
    E from the night shifts (SZ C, DG N) only; a longer run writes the whole day;
  * in a period shorter than two weeks, the bad rows not yet due go into the files dated
    E (or a file of their own dated E); they move to E + 1 in a longer run;
  * _truth/ and _manifest/ summarise the whole period (no source system writes them).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from .aps import Scheduler
from .factory import Factory, build_factory
from .inventory import Ledger
from .order_rules import OrderRules
from .orders import Purchasing, SalesBook
from .output import DayOutput, InboxFiles
from .plm import Engineering
from .plm_aps_truth import PlmApsTruth
from .production import LineSimulator
from .quality import QualityModel
from .rng import HOUSEKEEPING, day_rng
from .shifts import PlantCalendar
from .truth import TruthCollector

Progress = Callable[[str, int, int], None]


@dataclass
class SampleResult:
    out: Path
    start: date
    end: date
    seed: int
    scale: float
    files: int
    rows: dict[str, int]
    bad_rows: int
    seconds: float


def default_period(today: date | None = None) -> tuple[date, date]:
    """The 13 months ending yesterday."""
    end = (today or date.today()) - timedelta(days=1)
    month = end.month - 13
    year = end.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = min(end.day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
    return date(year, month, day) + timedelta(days=1), end


class _Run:
    def __init__(
        self,
        out: Path,
        seed: int,
        start: date,
        end: date,
        scale: float,
        progress: Progress | None,
    ):
        self.out, self.seed, self.start, self.end, self.scale = out, seed, start, end, scale
        self.progress = progress or (lambda label, done, total: None)
        self.factory: Factory = build_factory(scale)
        self.report_seq = [0]

    def run(self) -> SampleResult:
        t0 = time.perf_counter()
        if self.out.exists():
            shutil.rmtree(self.out)
        self.out.mkdir(parents=True)
        files = InboxFiles(self.out, self.seed, self.start, self.end, self.scale)
        written, truth, stories = self._simulate(files)
        f = self.factory
        summary = {
            "seed": self.seed,
            "scale": self.scale,
            "start": self.start,
            "end": self.end,
            "files": written.files,
            "rows": written.rows,
            "bad_rows": written.bad_rows,
            "equipment": len(f.equipment),
            "lines": len(f.lines),
        }
        self.progress("Ground truth", 0, 1)
        equipment_day = truth.write(self.out, summary)
        stories.write(self.out / "_truth", equipment_day, *self.stories, self.start, self.end)
        self.progress("Ground truth", 1, 1)
        return SampleResult(
            self.out,
            self.start,
            self.end,
            self.seed,
            self.scale,
            written.files,
            written.rows,
            written.bad_rows,
            time.perf_counter() - t0,
        )

    def _simulate(self, files: InboxFiles):
        f = self.factory
        plm = Engineering(f, self.seed, self.start)
        self.progress("Master data", 0, 1)
        files.master_data(plm.master_rows())
        self.progress("Master data", 1, 1)
        calendars = {p.plant_id: PlantCalendar(p, f.shifts) for p in f.plants}
        quality = QualityModel(f, self.start)
        rules = OrderRules(self.start)
        sims = [
            LineSimulator(
                line,
                f,
                calendars[line.plant_id],
                self.seed,
                k,
                quality,
                calendars[line.plant_id].timeline_end(self.end),
                rules,
                plm,
            )
            for k, line in enumerate(f.lines)
        ]
        scheduler = Scheduler(f, sims, self.seed, self.start)
        self.stories = (scheduler, plm)
        stories = PlmApsTruth({line.line_id: line.plant_id for line in f.lines})
        truth = TruthCollector()
        ledger = Ledger(f, calendars, self.start)
        sales = SalesBook(f, self.seed)
        purchasing = Purchasing(f, self.seed)
        days = (self.end - self.start).days + 1
        for k in range(days):
            day = self.start + timedelta(days=k)
            out = DayOutput(report_seq=self.report_seq)
            out.changes, out.revisions = plm.run_day(day)
            out.versions, out.operations = scheduler.run_day(day, k)
            for sim in sims:
                sim.run_day(day, k, out, ledger, truth)
            stories.close_day(day, out.order_output, out.work_orders)
            sales.run_day(day, out.production, out, ledger)
            purchasing.receive(day, ledger)
            ledger.housekeeping(day, k, day_rng(self.seed, HOUSEKEEPING, day))
            movements, snapshot = ledger.close_day(day)
            purchasing.reorder(day, ledger, out)
            files.day(day, out.files(), movements, snapshot)
            truth.close_day()
            self.progress("Simulating days", k + 1, days)
        tail = self.end + timedelta(days=1)
        movements, _ = ledger.close_day(tail, with_snapshot=False)
        files.write_movements(tail, movements)
        return files.finish(), truth, stories


def generate_sample(
    out: Path,
    *,
    seed: int = 42,
    start: date | None = None,
    end: date | None = None,
    scale: float = 1.0,
    progress: Progress | None = None,
) -> SampleResult:
    """Write a deterministic sample factory inbox (plus manifest and ground truth) to `out`."""
    if start is None or end is None:
        default_start, default_end = default_period()
        end = end or default_end
        start = start or default_period(end + timedelta(days=1))[0]
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    return _Run(Path(out), seed, start, end, scale, progress).run()
