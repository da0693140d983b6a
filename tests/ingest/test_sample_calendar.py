"""The sample's planner calendar: a work order's planned window holds its hours of shift time,
starting in a shift and skipping the time between shifts and the plant's closed days."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.sample.factory import PLANTS, SHIFTS
from ingest.sample.shifts import PlantCalendar, local_epoch

H = 3600


def at(day: str, hour: float) -> int:
    return local_epoch(date.fromisoformat(day)) + int(hour * H)


def calendar(plant_id: str) -> PlantCalendar:
    return PlantCalendar(next(p for p in PLANTS if p.plant_id == plant_id), SHIFTS)


@pytest.mark.parametrize(
    ("plant", "start", "shift_s", "window"),
    [
        # Haiphong: shifts 07:00-15:30 and 15:30-24:00, Monday to Friday. Friday 23:00 with
        # 3 h: 1 h on Friday, the weekend skipped, 2 h from Monday 07:00.
        ("HP", at("2026-10-02", 23), 3 * H, (at("2026-10-02", 23), at("2026-10-05", 9))),
        # a start on Saturday moves to Monday's first shift
        ("HP", at("2026-10-03", 10), 1 * H, (at("2026-10-05", 7), at("2026-10-05", 8))),
        # 02:00 on Friday lies between Thursday's last shift and Friday's first
        ("HP", at("2026-10-02", 2), H // 2, (at("2026-10-02", 7), at("2026-10-02", 7.5))),
        # Suzhou works round the clock but closes 1-3 October: Wednesday 30 September 20:00
        # with 12 h gives 10 h up to 06:00 on 1 October, then 2 h from 06:00 on the 4th.
        ("SZ", at("2026-09-30", 20), 12 * H, (at("2026-09-30", 20), at("2026-10-04", 8))),
    ],
)
def test_shift_window_by_hand(plant: str, start: int, shift_s: int, window: tuple) -> None:
    assert calendar(plant).shift_window(start, shift_s) == window
